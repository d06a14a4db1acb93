"""Criteria and constraint rules: the data a suitability model is made of.

Measure specs are plain mappings such as ``{"measure": "walk_distance", "targets":
"stations"}`` evaluated by :func:`landasset.measures.compute`; rules are structured
``{measure, op, value}``, ``{layer, kind, max_share}`` or ``{stage: [...]}`` records.
Nothing here is ever evaluated as code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from landasset._errors import ProfileError
from landasset._stages import STAGE_IDS
from landasset.suitability import _check
from landasset.suitability.transforms import Transform, transform_from_dict

__all__ = [
    "CONSTRAINT_LAYERS",
    "LIFECYCLE_STAGES",
    "OPS",
    "Criterion",
    "LayerRule",
    "MeasureRule",
    "MeasureSpec",
    "Rule",
    "StageRule",
    "measure_label",
    "rule_from_dict",
]

BoolArray = npt.NDArray[np.bool_]

#: A measure spec: a measure name, or a mapping with a ``measure`` key and its options.
MeasureSpec = str | Mapping[str, Any]

#: Comparison operators of a ``{measure, op, value}`` rule.
OPS: tuple[str, ...] = ("<", "<=", ">", ">=", "==", "!=", "in", "not in")

#: Layers a ``{layer, kind, max_share}`` rule can name.
CONSTRAINT_LAYERS: tuple[str, ...] = ("constraints",)

#: Lifecycle stage identifiers (DESIGN.md "Lifecycle"; the same as
#: :class:`landasset.lifecycle.Stage`), for ``{stage: [...]}`` rules.
LIFECYCLE_STAGES: tuple[str, ...] = STAGE_IDS

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# -- measure specs -------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones (so that YAML can write them)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _scalar_ok(value: object) -> bool:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    return isinstance(value, (int, float)) and math.isfinite(value)


def check_measure_spec(value: object, path: str) -> MeasureSpec:
    """Validate a measure spec's shape (names are checked against the registry later)."""
    if isinstance(value, str):
        if not _NAME.match(value):
            _check.fail(path, f"{value!r} is not a measure name")
        return value
    spec = _check.mapping(value, path, required=("measure",))
    name = _check.text(spec["measure"], _check.join_path(path, "measure"))
    if not _NAME.match(name):
        _check.fail(_check.join_path(path, "measure"), f"{name!r} is not a measure name")
    out: dict[str, Any] = {}
    for key, item in spec.items():
        here = _check.join_path(path, key)
        if isinstance(item, (list, tuple)):
            values = [_plain(v) for v in item]
            if not all(_scalar_ok(v) for v in values):
                _check.fail(here, "a list option holds plain values (text or numbers)")
            out[key] = values
        elif _scalar_ok(_plain(item)):
            out[key] = _plain(item)
        else:
            _check.fail(here, f"an option is text, a number, true/false or a list, got {item!r}")
    return out


def spec_dict(spec: MeasureSpec) -> dict[str, Any]:
    """The mapping form of a spec (``"area_mu"`` → ``{"measure": "area_mu"}``)."""
    return {"measure": spec} if isinstance(spec, str) else dict(spec)


def _label_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_label_value(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def measure_label(spec: MeasureSpec) -> str:
    """A readable, canonical name for a measure spec, used as its column name.

    Options are sorted, so two specs that differ only in key order share a label.

    Examples
    --------
    >>> measure_label({"measure": "count_within", "radius": 500, "points": "amenities"})
    'count_within(points=amenities, radius=500)'
    >>> measure_label("area_mu"), measure_label({"measure": "area_mu"})
    ('area_mu', 'area_mu')
    """
    d = spec_dict(spec)
    options = sorted((k, v) for k, v in d.items() if k != "measure")
    if not options:
        return str(d["measure"])
    inner = ", ".join(f"{k}={_label_value(v)}" for k, v in options)
    return f"{d['measure']}({inner})"


# -- criteria ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One criterion: a measure, a transform to [0, 1], a weight and the reasoning.

    Parameters
    ----------
    name : str
        An identifier (letters, digits, ``_``): result columns are ``v_<name>`` and
        ``c_<name>``.
    measure : str or mapping
        The measure spec, e.g. ``{"measure": "walk_distance", "targets": "stations"}``.
    transform : Transform or mapping
        The value function (``linear(300, 2000)`` or ``{"linear": {...}}``).
    weight : float, optional
        Direct weight (normalised over the criteria); leave ``None`` when the model
        gives ``weights`` (AHP, rank-sum).
    rationale : str, default ""
        Why the criterion matters and why these parameters: what an analyst says to
        a committee. Kept through the YAML round trip.

    Examples
    --------
    >>> from landasset.suitability import Criterion, linear
    >>> c = Criterion("metro", {"measure": "walk_distance", "targets": "stations"},
    ...               linear(best=300, worst=2000), weight=0.3)
    >>> c.label
    'walk_distance(targets=stations)'
    """

    name: str
    measure: MeasureSpec
    transform: Transform
    weight: float | None = None
    rationale: str = ""

    def __post_init__(self) -> None:
        self._validate("criterion")

    def _validate(self, path: str) -> None:
        name = _check.text(self.name, _check.join_path(path, "name"))
        if not _NAME.match(name):
            _check.fail(
                _check.join_path(path, "name"),
                f"{name!r} is not an identifier; use letters, digits and _ (it names result columns)",
            )
        object.__setattr__(
            self, "measure", check_measure_spec(self.measure, _check.join_path(path, "measure"))
        )
        if not isinstance(self.transform, Transform):
            object.__setattr__(
                self,
                "transform",
                transform_from_dict(self.transform, path=_check.join_path(path, "transform")),
            )
        if self.weight is not None:
            object.__setattr__(
                self,
                "weight",
                _check.number(self.weight, _check.join_path(path, "weight"), nonnegative=True),
            )
        _check.text(self.rationale, _check.join_path(path, "rationale"))

    @property
    def spec(self) -> dict[str, Any]:
        """The measure spec as a mapping."""
        return spec_dict(self.measure)

    @property
    def label(self) -> str:
        """The measure's canonical label (:func:`measure_label`)."""
        return measure_label(self.measure)

    def to_dict(self) -> dict[str, Any]:
        """The YAML form."""
        out: dict[str, Any] = {
            "name": self.name,
            "measure": self.measure if isinstance(self.measure, str) else dict(self.measure),
            "transform": self.transform.to_dict(),
        }
        if self.weight is not None:
            out["weight"] = self.weight
        if self.rationale:
            out["rationale"] = self.rationale
        return out

    @classmethod
    def from_dict(cls, data: object, *, path: str = "criterion") -> Criterion:
        """Build a criterion from its YAML form; errors name the key path."""
        body = _check.mapping(
            data,
            path,
            allowed=("name", "measure", "transform", "weight", "rationale"),
            required=("name", "measure", "transform"),
        )
        self = object.__new__(cls)
        object.__setattr__(self, "name", body["name"])
        object.__setattr__(self, "measure", body["measure"])
        object.__setattr__(self, "transform", body["transform"])
        object.__setattr__(self, "weight", body.get("weight"))
        object.__setattr__(self, "rationale", body.get("rationale", ""))
        self._validate(path)
        return self


# -- rules ---------------------------------------------------------------------------------


def _with_rationale(out: dict[str, Any], rationale: str) -> dict[str, Any]:
    if rationale:
        out["rationale"] = rationale
    return out


def _format_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else _label_value(value)


@dataclass(frozen=True)
class MeasureRule:
    """``{measure, op, value}``: keep parcels whose measure satisfies ``value op``.

    Examples
    --------
    >>> rule = MeasureRule("area_mu", ">=", 10)
    >>> rule.label
    'area_mu >= 10'
    >>> import pandas as pd
    >>> passed, undecided = rule.passes(pd.Series([5.0, 12.0, float("nan")]))
    >>> passed.tolist(), undecided.tolist()
    ([False, True, False], [False, False, True])
    """

    measure: MeasureSpec
    op: str
    value: Any
    rationale: str = ""

    def __post_init__(self) -> None:
        self._validate("rule")

    def _validate(self, path: str) -> None:
        _check.text(self.rationale, _check.join_path(path, "rationale"))
        object.__setattr__(
            self, "measure", check_measure_spec(self.measure, _check.join_path(path, "measure"))
        )
        _check.choice(self.op, _check.join_path(path, "op"), OPS, what="an operator")
        here = _check.join_path(path, "value")
        if self.op in ("in", "not in"):
            items = [_plain(v) for v in _check.sequence(self.value, here, min_length=1)]
            for i, item in enumerate(items):
                if not _scalar_ok(item) or item is None:
                    _check.fail(
                        _check.join_path(here, i), f"expected text or a number, got {item!r}"
                    )
            object.__setattr__(self, "value", list(items))
        elif self.op in ("==", "!="):
            object.__setattr__(self, "value", _plain(self.value))
            if not _scalar_ok(self.value) or self.value is None:
                _check.fail(here, f"expected text, a number or true/false, got {self.value!r}")
        else:
            object.__setattr__(self, "value", _check.number(self.value, here))

    @property
    def label(self) -> str:
        return f"{measure_label(self.measure)} {self.op} {_format_value(self.value)}"

    def to_dict(self) -> dict[str, Any]:
        """The rule as the mapping a profile file holds (``from_dict`` reads it back)."""
        measure = self.measure if isinstance(self.measure, str) else dict(self.measure)
        value = list(self.value) if isinstance(self.value, list) else self.value
        out = {"measure": measure, "op": self.op, "value": value}
        return _with_rationale(out, self.rationale)

    @property
    def reads_families(self) -> bool:
        """Whether the rule reads ``land_use_family`` (every part of a mixed code)."""
        return bool(spec_dict(self.measure)["measure"] == "land_use_family")

    def passes(self, values: pd.Series) -> tuple[BoolArray, BoolArray]:
        """Per parcel: whether the value passes, and whether it is undecided (missing).

        Returns two boolean arrays aligned on ``values``; an undecided parcel does not
        pass.
        """
        if self.reads_families:
            return self._passes_families(values)
        undecided = values.isna().to_numpy()
        op = self.op
        try:
            if op == "in":
                result = values.isin(self.value)
            elif op == "not in":
                result = ~values.isin(self.value)
            else:
                method = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}[op]
                result = getattr(values, method)(self.value)
        except TypeError as exc:
            raise ProfileError(
                f"the rule {self.label!r} cannot compare the values of {measure_label(self.measure)!r} "
                f"(dtype {values.dtype}) with {self.value!r}; use == / in for text"
            ) from exc
        passed = result.to_numpy(dtype=bool, na_value=False) & ~undecided
        return passed, undecided

    def _passes_families(self, values: pd.Series) -> tuple[BoolArray, BoolArray]:
        """A family rule on every part: ``==``/``in`` pass when a part is listed,
        ``!=``/``not in`` when none is; a part of unknown family never passes."""
        if self.op not in ("==", "!=", "in", "not in"):
            raise ProfileError(
                f"the rule {self.label!r} compares land-use families with {self.op!r}; "
                "families are names, use == / != / in / not in"
            )
        undecided = values.isna().to_numpy()
        wanted = {str(v) for v in (self.value if isinstance(self.value, list) else [self.value])}
        codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
        verdicts = []
        for family in uniques:
            parts = str(family).split("/")
            hit = any(p in wanted for p in parts)
            ok = hit if self.op in ("==", "in") else not hit
            verdicts.append(ok and "unknown" not in parts)
        table = np.array([*verdicts, False], dtype=bool)  # code -1 (missing) fails
        return table[codes], undecided

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str) -> MeasureRule:
        """Read a rule from a profile's mapping; ``path`` (its key path, such as
        ``constraints[0]``) prefixes every error message."""
        body = _check.mapping(
            data,
            path,
            allowed=("measure", "op", "value", "rationale"),
            required=("measure", "op", "value"),
        )
        self = object.__new__(cls)
        for key in ("measure", "op", "value"):
            object.__setattr__(self, key, body[key])
        object.__setattr__(self, "rationale", body.get("rationale", ""))
        self._validate(path)
        return self


@dataclass(frozen=True)
class LayerRule:
    """``{layer: constraints, kind, max_share}``: keep parcels whose share inside
    constraint areas of ``kind`` is at most ``max_share`` (0 = must not touch them).

    The share is the measure ``{"measure": "constrained_share", "kind": kind}``.

    Examples
    --------
    >>> LayerRule("ecological_redline").label
    'constraints[ecological_redline] share <= 0'
    """

    kind: str | tuple[str, ...]
    max_share: float = 0.0
    layer: str = "constraints"
    rationale: str = ""
    #: Shares within this of ``max_share`` pass (slivers from shared edges).
    tolerance: ClassVar[float] = 1e-9

    def __post_init__(self) -> None:
        self._validate("rule")

    def _validate(self, path: str) -> None:
        _check.text(self.rationale, _check.join_path(path, "rationale"))
        _check.choice(
            self.layer,
            _check.join_path(path, "layer"),
            CONSTRAINT_LAYERS,
            what="a constraint layer",
        )
        here = _check.join_path(path, "kind")
        if isinstance(self.kind, (list, tuple)):
            kinds = _check.sequence(self.kind, here, min_length=1)
            object.__setattr__(
                self,
                "kind",
                tuple(
                    _check.text(k, _check.join_path(here, i), allow_empty=False)
                    for i, k in enumerate(kinds)
                ),
            )
        else:
            _check.text(self.kind, here, allow_empty=False)
        object.__setattr__(
            self,
            "max_share",
            _check.number(self.max_share, _check.join_path(path, "max_share"), unit_interval=True),
        )

    @property
    def measure(self) -> dict[str, Any]:
        kind = list(self.kind) if isinstance(self.kind, tuple) else self.kind
        return {"measure": "constrained_share", "kind": kind}

    @property
    def label(self) -> str:
        kind = ", ".join(self.kind) if isinstance(self.kind, tuple) else self.kind
        return f"{self.layer}[{kind}] share <= {_label_value(self.max_share)}"

    def to_dict(self) -> dict[str, Any]:
        """The rule as the mapping a profile file holds (``from_dict`` reads it back)."""
        kind = list(self.kind) if isinstance(self.kind, tuple) else self.kind
        return _with_rationale(
            {"layer": self.layer, "kind": kind, "max_share": self.max_share}, self.rationale
        )

    def passes(self, values: pd.Series) -> tuple[BoolArray, BoolArray]:
        """Per parcel: whether the value passes, and whether it is undecided (missing).

        Returns two boolean arrays aligned on ``values``; an undecided parcel does not
        pass.
        """
        share = values.to_numpy(dtype=np.float64, na_value=np.nan)
        undecided = np.isnan(share)
        with np.errstate(invalid="ignore"):
            passed = (share <= self.max_share + self.tolerance) & ~undecided
        return passed, undecided

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str) -> LayerRule:
        """Read a rule from a profile's mapping; ``path`` (its key path, such as
        ``constraints[0]``) prefixes every error message."""
        body = _check.mapping(
            data,
            path,
            allowed=("layer", "kind", "max_share", "rationale"),
            required=("layer", "kind"),
        )
        self = object.__new__(cls)
        object.__setattr__(self, "rationale", body.get("rationale", ""))
        object.__setattr__(self, "layer", body["layer"])
        object.__setattr__(self, "kind", body["kind"])
        object.__setattr__(self, "max_share", body.get("max_share", 0.0))
        self._validate(path)
        return self


@dataclass(frozen=True)
class StageRule:
    """``{stage: [...]}``: keep parcels whose lifecycle stage (from a ledger) is listed.

    Examples
    --------
    >>> StageRule(("reserved", "supply_ready")).label
    'stage in [reserved, supply_ready]'
    """

    stages: tuple[str, ...]
    rationale: str = ""

    def __post_init__(self) -> None:
        self._validate("rule")

    def _validate(self, path: str) -> None:
        _check.text(self.rationale, _check.join_path(path, "rationale"))
        here = _check.join_path(path, "stage")
        items = _check.sequence(self.stages, here, min_length=1)
        stages = tuple(
            _check.choice(s, _check.join_path(here, i), LIFECYCLE_STAGES, what="a lifecycle stage")
            for i, s in enumerate(items)
        )
        object.__setattr__(self, "stages", stages)

    @property
    def measure(self) -> None:
        return None

    @property
    def label(self) -> str:
        return "stage in [" + ", ".join(self.stages) + "]"

    def to_dict(self) -> dict[str, Any]:
        """The rule as the mapping a profile file holds (``from_dict`` reads it back)."""
        return _with_rationale({"stage": list(self.stages)}, self.rationale)

    def passes(self, values: pd.Series) -> tuple[BoolArray, BoolArray]:
        """Per parcel: whether the value passes, and whether it is undecided (missing).

        Returns two boolean arrays aligned on ``values``; an undecided parcel does not
        pass.
        """
        undecided = values.isna().to_numpy()
        passed = values.astype(object).isin(self.stages).to_numpy(dtype=bool) & ~undecided
        return passed, undecided

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str) -> StageRule:
        """Read a rule from a profile's mapping; ``path`` (its key path, such as
        ``constraints[0]``) prefixes every error message."""
        body = _check.mapping(data, path, allowed=("stage", "rationale"), required=("stage",))
        self = object.__new__(cls)
        object.__setattr__(self, "rationale", body.get("rationale", ""))
        stages = body["stage"]
        object.__setattr__(self, "stages", [stages] if isinstance(stages, str) else stages)
        self._validate(path)
        return self


#: A constraint rule; a parcel that fails one is not eligible (``excluded_by`` names it).
Rule = MeasureRule | LayerRule | StageRule

_RULE_FORMS = (
    "{measure: <name or spec>, op: <one of " + " ".join(OPS) + ">, value: <value>}",
    "{layer: constraints, kind: <kind>, max_share: <0..1>}",
    "{stage: [<stage>, ...]}",
)


def rule_from_dict(data: object, *, path: str = "rule") -> Rule:
    """Build a constraint rule from its YAML form.

    Examples
    --------
    >>> rule_from_dict({"measure": "area_mu", "op": ">=", "value": 10}).label
    'area_mu >= 10'
    >>> rule_from_dict({"rule": "area_mu >= 10"}, path="constraints[0]")
    Traceback (most recent call last):
    ...
    landasset.ProfileError: constraints[0]: a rule is structured data, never an expression; write one of: {measure: <name or spec>, op: <one of < <= > >= == != in not in>, value: <value>}; {layer: constraints, kind: <kind>, max_share: <0..1>}; {stage: [<stage>, ...]}
    """
    if isinstance(data, (MeasureRule, LayerRule, StageRule)):
        return data
    if isinstance(data, str):
        _check.fail(
            path,
            f"a rule is structured data, never an expression (got {data!r}); write one of: "
            + "; ".join(_RULE_FORMS),
        )
    body = _check.mapping(data, path)
    if "stage" in body:
        return StageRule.from_dict(body, path=path)
    if "layer" in body:
        return LayerRule.from_dict(body, path=path)
    if "measure" in body:
        return MeasureRule.from_dict(body, path=path)
    _check.fail(
        path,
        "a rule is structured data, never an expression; write one of: " + "; ".join(_RULE_FORMS),
    )
