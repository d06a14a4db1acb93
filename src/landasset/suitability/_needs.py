"""What a suitability model measures: spec checks, site requirements and the measure frame.

A model's measure specs are checked against :data:`landasset.measures.MEASURES` and
:data:`LOCAL_MEASURES` when the model is built; :func:`requirements_frame` lists the
layers, columns and kinds they read, :func:`missing_requirements` what a site lacks of
them, and :func:`measure_frame` computes them all in one
:func:`landasset.measures.compute` call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from landasset._errors import SchemaError
from landasset.landuse import land_use_family
from landasset.suitability import _check
from landasset.suitability._rules import MeasureRule, MeasureSpec, Rule, measure_label, spec_dict

__all__ = [
    "LOCAL_MEASURES",
    "PLAIN",
    "local_measure",
    "measure_frame",
    "measure_registry",
    "missing_requirements",
    "needs_message",
    "needs_table",
    "requirements_frame",
    "validate_rule_value",
    "validate_spec",
]

#: Measures a model reads from the parcels layer itself (not computed by
#: :func:`landasset.measures.compute`), with their options and defaults.
LOCAL_MEASURES: dict[str, dict[str, Any]] = {
    "attribute": {"column": None},
    "land_use_family": {"column": "land_use"},
}

# option values in measure specs and rule values are names, not expressions
PLAIN = re.compile(r"^\w[\w\-. ]*$")


# -- measure spec validation -----------------------------------------------------------------


def measure_registry() -> dict[str, dict[str, Any]]:
    from landasset.measures import MEASURES

    return {**{k: dict(v) for k, v in MEASURES.items()}, **LOCAL_MEASURES}


def validate_spec(spec: MeasureSpec, path: str) -> None:
    from landasset.measures import REQUIRED

    registry = measure_registry()
    d = spec_dict(spec)
    name = d["measure"]
    here = path if isinstance(spec, str) else _check.join_path(path, "measure")
    _check.choice(name, here, sorted(registry), what="a measure")
    params = registry[name]
    for key, value in d.items():
        if key == "measure":
            continue
        if key == "name":
            _check.fail(
                _check.join_path(path, key),
                "the criterion's name already names its columns; remove 'name' from the measure",
            )
        if key not in params:
            _check.fail(
                _check.join_path(path, key),
                f"{name} has no option {key!r}; use one of: " + ", ".join(repr(p) for p in params),
            )
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and not PLAIN.match(item):
                _check.fail(
                    _check.join_path(path, key),
                    f"{item!r} is not a plain name; option values are names (layers, categories, "
                    "kinds), never expressions",
                )
    for key, default in params.items():
        if (default is REQUIRED or (name == "attribute" and key == "column")) and key not in d:
            _check.fail(path, f"{name} needs the option {key!r}")


def validate_rule_value(rule: Rule, path: str) -> None:
    if isinstance(rule, MeasureRule):
        values = rule.value if isinstance(rule.value, list) else [rule.value]
        for v in values:
            if isinstance(v, str) and not PLAIN.match(v):
                _check.fail(
                    _check.join_path(path, "value"),
                    f"{v!r} is not a plain value; a rule compares with a literal name or number, "
                    "never an expression",
                )


def _layer_params() -> dict[str, tuple[str, ...]]:
    """Per registry measure, the parameters that name a layer of the site."""
    from landasset.measures.batch import LAYER_PARAMETERS

    return {name: tuple(params) for name, params in LAYER_PARAMETERS.items()}


#: Measures whose ``kind`` option narrows a layer to kinds that must occur in it.
_KIND_NARROWED = {"nearest_distance": "features", "nearest_id": "features", "frontage": "axes"}

#: Layers that may be empty (no restricted area is a fact, not missing data).
_MAY_BE_EMPTY = ("constraints",)


def _requirements(
    specs: Mapping[str, Mapping[str, Any]],
) -> dict[tuple[str, str | None], tuple[list[str], list[str]]]:
    """(layer, column) → (kinds that must occur, labels that need it), in first-need order."""
    registry = measure_registry()
    layer_params = _layer_params()
    rows: dict[tuple[str, str | None], tuple[list[str], list[str]]] = {}

    def need(layer: str, column: str | None, label: str, kinds: Sequence[str] = ()) -> None:
        entry = rows.setdefault((layer, column), ([], []))
        entry[0].extend(kinds)
        if label not in entry[1]:
            entry[1].append(label)

    for label, spec in specs.items():
        name = spec["measure"]
        if name in LOCAL_MEASURES:
            column = spec.get("column", LOCAL_MEASURES[name]["column"])
            need("parcels", str(column), label)
            continue
        defaults = registry[name]
        layers = {k: spec.get(k, defaults[k]) for k in layer_params.get(name, ())}
        for key, layer in layers.items():
            if not isinstance(layer, str):
                continue  # a GeoDataFrame given in the spec: nothing to find in the site
            need(layer, None, label)
            if name == "cluster_strength":
                need(layer, "industry", label)
            if name in ("count_within", "sum_within"):
                if spec.get("category") is not None:
                    need(layer, "category", label)
                if name == "sum_within" and isinstance(spec.get("column"), str):
                    need(layer, spec["column"], label)
            if name == "constrained_share":
                if spec.get("kind") is not None:
                    need(layer, "kind", label)
                if spec.get("hard") is not None:
                    need(layer, "hard", label)
            if _KIND_NARROWED.get(name) == key and spec.get("kind") is not None:
                kinds = spec["kind"]
                need(layer, "kind", label, [kinds] if isinstance(kinds, str) else list(kinds))
    return rows


def requirements_frame(specs: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    rows = [
        (layer, column, ", ".join(dict.fromkeys(kinds)), ", ".join(by))
        for (layer, column), (kinds, by) in _requirements(specs).items()
    ]
    return needs_table(rows)


def needs_table(rows: Sequence[tuple[str, str | None, str, str]]) -> pd.DataFrame:
    names = ["layer", "column", "kinds", "needed_by"]
    return pd.DataFrame(
        {n: pd.Series([r[k] for r in rows], dtype=object) for k, n in enumerate(names)}
    )


def needs_message(missing: Sequence[str]) -> str:
    text = "what is missing: " + "; ".join(missing)
    if any(not m.startswith("lifecycle stages") for m in missing):
        text += "; add the layers, columns and kinds to the site, or use a profile that does not read them"
    return text


def missing_requirements(site: Any, needs: pd.DataFrame, *, stages: bool) -> list[str]:
    """What the site lacks of ``needs`` (:meth:`SuitabilityModel.requirements`), as phrases."""
    out: list[str] = []
    absent: set[str] = set()
    for layer, column, kinds, by in needs.itertuples(index=False):
        where = f" (needed by {by})"
        if layer == "stages":
            if not stages:
                out.append(
                    f"lifecycle stages{where}: give a ledger (stages= a Ledger or a Series "
                    "of stage ids by parcel_id; on the command line, a ledger in the site's "
                    "GeoPackage), or remove the stage rule"
                )
            continue
        if layer in absent:
            continue
        if layer not in site:
            absent.add(layer)
            out.append(f"the site has no {layer} layer{where}")
            continue
        gdf = site[layer]
        if column is None or pd.isna(column):
            if len(gdf) == 0 and layer not in _MAY_BE_EMPTY:
                out.append(f"the {layer} layer is empty{where}")
            continue
        if column not in gdf.columns:
            out.append(f"the {layer} have no column {column!r}{where}")
            continue
        if kinds:
            present = set(gdf[column].dropna().astype(str))
            lacking = [k for k in kinds.split(", ") if k not in present]
            if lacking:
                out.append(
                    f"the {layer} have no {column} "
                    + ", ".join(repr(k) for k in lacking)
                    + f"{where}; its kinds are: "
                    + (", ".join(repr(k) for k in sorted(present)) or "none")
                )
    return out


def measure_frame(
    site: Any,
    specs: Mapping[str, dict[str, Any]],
    *,
    as_of: Any,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Compute labelled measure columns: registry measures in one compute() call, parcel
    attributes directly; ``progress(label)`` after each (see ``measure_frame``).

    Shared by :meth:`SuitabilityModel.measure_frame` and ``best_fit`` (which measures
    the union of several models' specs in one call)."""
    from landasset.measures import compute

    missing = missing_requirements(site, requirements_frame(specs), stages=True)
    if missing:
        raise SchemaError("the profiles need " + needs_message(missing))
    parcels = site.parcels
    remote = {label: spec for label, spec in specs.items() if spec["measure"] not in LOCAL_MEASURES}
    # always through compute(): it checks as_of and progress even with no remote spec
    computed = compute(
        site,
        [{**spec, "name": label} for label, spec in remote.items()],
        as_of=as_of,
        progress=progress,
        workers=workers,
    )
    columns: dict[str, pd.Series] = {label: computed[label] for label in remote}
    for label, spec in specs.items():
        if spec["measure"] in LOCAL_MEASURES:
            columns[label] = local_measure(parcels, spec)
            if progress is not None:
                progress(label)
    return pd.DataFrame({label: columns[label] for label in specs}, index=parcels.index)


def local_measure(parcels: pd.DataFrame, spec: Mapping[str, Any]) -> pd.Series:
    name = spec["measure"]
    column = spec.get("column", LOCAL_MEASURES[name]["column"])
    if column not in parcels.columns:
        raise SchemaError(
            f"{measure_label(spec)}: the parcels have no column {column!r}; use one of: "
            + ", ".join(repr(c) for c in parcels.columns if c != parcels.geometry.name)
        )
    values = parcels[column]
    if name == "land_use_family":
        family = land_use_family(values)
        return pd.Series(
            family.astype(object).where(family.notna(), None).to_numpy(), index=parcels.index
        )
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return pd.Series(values.to_numpy(dtype=np.float64, na_value=np.nan), index=parcels.index)
    return pd.Series(values.to_numpy(dtype=object), index=parcels.index)
