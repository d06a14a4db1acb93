"""Profiles as YAML text: reading a source (text or path) and writing a model back.

Reading goes through :func:`landasset._config.load_yaml` (safe, alias-free, duplicate
keys refused); writing keeps a profile readable: rules and transforms on one flow line,
AHP matrices one row a line, multi-line text as a block.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import yaml

from landasset import _config

__all__ = ["Dumper", "dump", "load_text", "read_source"]


def load_text(text: str, *, origin: str = "the profile") -> Any:
    return _config.load_yaml(text, origin=origin)


def read_source(source: str | os.PathLike[str]) -> tuple[str, str]:
    """``(text, origin)`` of a profile given as a path or as YAML text."""
    return _config.read_source(source, what="profile")


class _Flow(dict):
    """A mapping written in flow style."""


class _FlowList(list):
    """A list written in flow style."""


class Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # profiles are read without aliases
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_flow(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_flow_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


Dumper.add_representer(_Flow, _represent_flow)
Dumper.add_representer(_FlowList, _represent_flow_list)
Dumper.add_representer(str, _represent_str)


def _flow(value: Any) -> Any:
    if isinstance(value, Mapping):
        return _Flow({k: _flow(v) for k, v in value.items()})
    if isinstance(value, list):
        return _FlowList(_flow(v) for v in value)
    return value


def dump(data: dict[str, Any]) -> str:
    doc = dict(data)
    if "order_weights" in doc:
        doc["order_weights"] = _FlowList(doc["order_weights"])
    if "weights" in doc:
        weights = dict(doc["weights"])
        if "ahp" in weights:
            weights["ahp"] = [_FlowList(row) for row in weights["ahp"]]
        for key in ("rank_sum", "direct"):
            if key in weights:
                weights[key] = _Flow(weights[key])
        doc["weights"] = weights
    criteria = []
    for c in doc["criteria"]:
        c = dict(c)
        c["measure"] = _flow(c["measure"])
        c["transform"] = _flow(c["transform"])
        criteria.append(c)
    doc["criteria"] = criteria
    if "constraints" in doc:
        # a rule is one flow line; with a rationale, a block with the rationale last
        doc["constraints"] = [
            _flow(r)
            if "rationale" not in r
            else {k: (v if k == "rationale" else _flow(v)) for k, v in r.items()}
            for r in doc["constraints"]
        ]
    return yaml.dump(
        doc,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=88,
    )
