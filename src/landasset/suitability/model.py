"""The :class:`SuitabilityModel`: criteria, constraints and a method, as reviewable data.

A model scores every parcel of a site in two steps that can be called separately:

1. :meth:`SuitabilityModel.measure_frame` evaluates every measure the model needs in
   one :func:`landasset.measures.compute` call (one column per distinct measure spec,
   named by :func:`measure_label`);
2. :meth:`SuitabilityModel.score_frame` transforms, constrains, aggregates and ranks.

:meth:`SuitabilityModel.score` composes both. :func:`~landasset.suitability.sensitivity`
and :func:`~landasset.suitability.best_fit` reuse one measure frame for many scorings.

Besides the measures of :data:`landasset.measures.MEASURES`, a model can read two
parcel attributes: ``{measure: attribute, column: far_max}`` (a column of the parcels
layer as it is) and ``{measure: land_use_family}`` (the family of the ``land_use``
code, see :func:`landasset.landuse.land_use_family`).

Examples
--------
>>> import landasset as la
>>> from landasset.suitability import SuitabilityModel
>>> model = SuitabilityModel.from_yaml('''
... version: 1
... name: demo
... method: wlc
... criteria:
...   - name: metro
...     measure: {measure: walk_distance, targets: stations}
...     transform: {linear: {best: 300, worst: 2000}}
...     weight: 0.6
...   - name: size
...     measure: {measure: area_mu}
...     transform: {logistic: {mid: 30, steepness: 0.2}}
...     weight: 0.4
... constraints:
...   - {measure: area_mu, op: ">=", value: 10}
... ''')
>>> site = la.sample.load("yunqi")
>>> result = model.score(site, as_of="2025-12-31")
>>> top = result.sort_values("rank").index[0]
>>> table = model.explain(result, top)
>>> bool(abs(table["contribution"].sum() - result.loc[top, "score"]) < 1e-12)
True
"""

from __future__ import annotations

import html
import math
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from landasset import _config
from landasset._dates import to_day_or_none
from landasset._errors import (
    ConsistencyWarning,
    LandassetKeyError,
    LandassetValueError,
    ProfileError,
    SchemaError,
)
from landasset._stages import live_mask, stage_series, warn_retired
from landasset.suitability import _check
from landasset.suitability._needs import (
    LOCAL_MEASURES,
    local_measure,
    measure_frame,
    missing_requirements,
    needs_message,
    needs_table,
    requirements_frame,
    validate_rule_value,
    validate_spec,
)
from landasset.suitability._rules import (
    Criterion,
    MeasureRule,
    Rule,
    StageRule,
    measure_label,
    rule_from_dict,
    spec_dict,
)
from landasset.suitability._scoring import (
    NUDGE,
    Aggregator,
    MissingValueWarning,
    competition_rank,
    missing_names,
    name_unknown_codes,
    rank_columns,
    row_position,
    stage_values,
    topsis_parts,
    warn_missing,
)
from landasset.suitability._yaml import dump, load_text, read_source
from landasset.suitability.methods import (
    METHODS,
    NORMALIZATIONS,
    _closeness,
    _order_weights,
    _owa_parts,
    _topsis_normalise,
)
from landasset.suitability.weights import (
    AHP_METHODS,
    RANDOM_INDEX,
    AHPResult,
    _as_matrix,
    _direct,
    _rank_sum,
    ahp,
)

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from landasset.site import Site

__all__ = [
    "FORMAT_VERSION",
    "LOCAL_MEASURES",
    "ConsistencyWarning",
    "MissingValueWarning",
    "SuitabilityModel",
    "rank_columns",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: The profile file format this version of landasset reads and writes.
FORMAT_VERSION = 1


# -- the model ----------------------------------------------------------------------------


def _weights_spec(value: object, names: Sequence[str], path: str = "weights") -> dict[str, Any]:
    body = _check.mapping(
        value, path, allowed=("ahp", "method", "random_index", "rank_sum", "direct")
    )
    kinds = [k for k in ("ahp", "rank_sum", "direct") if k in body]
    if len(kinds) != 1:
        _check.fail(path, "give exactly one of 'ahp' (a pairwise matrix), 'rank_sum' or 'direct'")
    kind = kinds[0]
    if kind != "ahp":
        extra = [k for k in body if k != kind]
        if extra:
            _check.fail(
                _check.join_path(path, extra[0]), f"only applies to ahp weights, not {kind}"
            )
        table = _check.mapping(body[kind], _check.join_path(path, kind))
        missing = [n for n in names if n not in table]
        unknown = [k for k in table if k not in names]
        if unknown:
            _check.fail(
                _check.join_path(_check.join_path(path, kind), unknown[0]),
                "not a criterion; use one of: " + ", ".join(repr(n) for n in names),
            )
        if missing:
            _check.fail(
                _check.join_path(path, kind),
                f"give a value for every criterion; missing: {missing}",
            )
        ordered = [table[n] for n in names]
        if kind == "rank_sum":
            _rank_sum(ordered, _check.join_path(path, kind))
        else:
            _direct(ordered, _check.join_path(path, kind), names)
        return {kind: {n: _check.number(table[n], _check.join_path(path, n)) for n in names}}
    where = _check.join_path(path, "ahp")
    matrix = _as_matrix(body["ahp"], where)
    if matrix.shape[0] != len(names):
        _check.fail(
            where,
            f"a {matrix.shape[0]}×{matrix.shape[0]} matrix for {len(names)} criteria; give one row per criterion, in their order",
        )
    rows = body["ahp"].tolist() if isinstance(body["ahp"], np.ndarray) else body["ahp"]
    out: dict[str, Any] = {
        "ahp": [
            [_check.number(v, f"{where}[{i}][{j}]") for j, v in enumerate(row)]
            for i, row in enumerate(rows)
        ]
    }
    if "method" in body:
        out["method"] = _check.choice(
            body["method"], _check.join_path(path, "method"), AHP_METHODS, what="an AHP method"
        )
    if "random_index" in body:
        out["random_index"] = _check.choice(
            body["random_index"],
            _check.join_path(path, "random_index"),
            RANDOM_INDEX,
            what="a random-index table",
        )
    return out


@dataclass(frozen=True, repr=False)
class SuitabilityModel:
    """A suitability model: criteria, constraint rules, weights and an aggregation method.

    Parameters
    ----------
    criteria : sequence of Criterion
        At least one; names unique.
    constraints : sequence of rules, default ()
        :class:`MeasureRule` ``{measure, op, value}``, :class:`LayerRule`
        ``{layer: constraints, kind, max_share}`` or :class:`StageRule` ``{stage: [...]}``
        (mappings are accepted and converted). A parcel that fails one is not eligible.
    method : {"wlc", "owa", "topsis"}, default "wlc"
        The aggregation (:mod:`landasset.suitability.methods`).
    weights : mapping, optional
        Instead of per-criterion weights: ``{"ahp": matrix}`` (rows in criterion order;
        optional ``"method"`` and ``"random_index"`` keys), ``{"rank_sum": {name: rank}}``
        or ``{"direct": {name: weight}}``.
    name, description : str
        Identification, shown in reports.
    version : int, default 1
        The profile format version (:data:`FORMAT_VERSION`).
    order_weights : sequence of float, optional
        OWA order weights, largest value first; required for ``method="owa"``.
    normalization : {"vector", "minmax"}, default "vector"
        TOPSIS normalisation (ignored by the other methods).

    Attributes
    ----------
    criterion_weights : Series
        The effective weights (sum 1), by criterion name.
    ahp_result : AHPResult or None
        The AHP outcome (λmax, CR, worst judgement) when weights come from AHP.

    Warns
    -----
    ConsistencyWarning
        The AHP matrix has CR > 0.1.

    Examples
    --------
    >>> from landasset.suitability import Criterion, SuitabilityModel, linear, large
    >>> model = SuitabilityModel(
    ...     [Criterion("metro", {"measure": "walk_distance", "targets": "stations"},
    ...                linear(best=300, worst=2000)),
    ...      Criterion("services", {"measure": "count_within", "points": "amenities",
    ...                             "radius": 500}, large(mid=10, spread=3))],
    ...     constraints=[{"measure": "area_mu", "op": ">=", "value": 10}],
    ...     weights={"ahp": [[1, 3], [1 / 3, 1]]},
    ...     name="demo",
    ... )
    >>> model.criterion_weights.round(2).to_dict()
    {'metro': 0.75, 'services': 0.25}
    >>> SuitabilityModel.from_yaml(model.to_yaml()) == model
    True
    """

    criteria: tuple[Criterion, ...]
    constraints: tuple[Rule, ...] = ()
    method: str = "wlc"
    weights: Mapping[str, Any] | None = None
    _: KW_ONLY
    name: str = "model"
    description: str = ""
    version: int = FORMAT_VERSION
    order_weights: tuple[float, ...] | None = None
    normalization: str = "vector"
    _weights: FloatArray = field(init=False, compare=False, repr=False)
    _ahp: AHPResult | None = field(init=False, compare=False, repr=False)

    # -- construction and validation ---------------------------------------------------
    def __post_init__(self) -> None:
        self._validate()

    def _validate(self) -> None:
        if (
            not isinstance(self.version, int)
            or isinstance(self.version, bool)
            or self.version != FORMAT_VERSION
        ):
            _check.fail(
                "version",
                f"this landasset reads profile format version {FORMAT_VERSION}, got {self.version!r}",
            )
        _check.text(self.name, "name", allow_empty=False)
        _check.text(self.description, "description")
        crit = _check.sequence(self.criteria, "criteria", min_length=1)
        criteria = []
        for i, c in enumerate(crit):
            path = f"criteria[{i}]"
            c = c if isinstance(c, Criterion) else Criterion.from_dict(c, path=path)
            validate_spec(c.measure, _check.join_path(path, "measure"))
            criteria.append(c)
        names = [c.name for c in criteria]
        for i, n in enumerate(names):
            if names.index(n) != i:
                _check.fail(
                    f"criteria[{i}].name", f"{n!r} is used twice; criterion names must be unique"
                )
        object.__setattr__(self, "criteria", tuple(criteria))

        rules = []
        for i, r in enumerate(_check.sequence(self.constraints, "constraints")):
            path = f"constraints[{i}]"
            rule = rule_from_dict(r, path=path)
            if rule.measure is not None:
                validate_spec(
                    rule.measure,
                    _check.join_path(path, "measure") if isinstance(rule, MeasureRule) else path,
                )
            validate_rule_value(rule, path)
            rules.append(rule)
        object.__setattr__(self, "constraints", tuple(rules))

        _check.choice(self.method, "method", METHODS, what="a method")
        _check.choice(
            self.normalization, "normalization", NORMALIZATIONS, what="a TOPSIS normalisation"
        )
        if self.method == "owa":
            if self.order_weights is None:
                _check.fail(
                    "order_weights",
                    f"method owa needs order weights, one per criterion ({len(criteria)}), largest value first",
                )
            order = list(self.order_weights)
            _order_weights(order, len(criteria))
            object.__setattr__(
                self,
                "order_weights",
                tuple(_check.number(v, f"order_weights[{i}]") for i, v in enumerate(order)),
            )
        elif self.order_weights is not None:
            _check.fail("order_weights", f"only apply to method 'owa', not {self.method!r}")

        given = [c.weight is not None for c in criteria]
        ahp_result: AHPResult | None = None
        if self.weights is not None:
            if any(given):
                i = given.index(True)
                _check.fail(
                    f"criteria[{i}].weight", "give weights per criterion or in 'weights:', not both"
                )
            spec = _weights_spec(self.weights, names)
            object.__setattr__(self, "weights", spec)
            if "ahp" in spec:
                try:
                    ahp_result = ahp(
                        spec["ahp"],
                        method=spec.get("method", "eigen"),
                        random_index=spec.get("random_index", "saaty1980"),
                        labels=names,
                    )
                except LandassetValueError as exc:  # in a profile: a profile error
                    raise ProfileError(f"weights.ahp: {exc}") from None
                w = ahp_result.weights
                if not ahp_result.consistent:
                    warnings.warn(
                        f"model {self.name!r}: the AHP judgements are inconsistent (CR "
                        f"{ahp_result.cr:.3f} > 0.1); reconsider {ahp_result.describe_worst()}",
                        ConsistencyWarning,
                        stacklevel=4,
                    )
            elif "rank_sum" in spec:
                w = _rank_sum([spec["rank_sum"][n] for n in names])
            else:
                w = _direct([spec["direct"][n] for n in names], "weights.direct", names)
        else:
            if not all(given):
                i = given.index(False)
                _check.fail(
                    f"criteria[{i}].weight",
                    "missing; give every criterion a weight, or the model a 'weights:' block (ahp, rank_sum, direct)",
                )
            w = _direct([c.weight for c in criteria], "criteria weights", names)
        object.__setattr__(self, "_weights", w)
        object.__setattr__(self, "_ahp", ahp_result)

    # -- description -------------------------------------------------------------------
    @property
    def criterion_weights(self) -> pd.Series:
        """The effective weights (summing to 1) by criterion name."""
        return pd.Series(self._weights, index=[c.name for c in self.criteria], name="weight")

    @property
    def ahp_result(self) -> AHPResult | None:
        """The AHP outcome when the weights come from a pairwise matrix."""
        return self._ahp

    @property
    def names(self) -> list[str]:
        """The criterion names, in order."""
        return [c.name for c in self.criteria]

    def measure_specs(self) -> dict[str, dict[str, Any]]:
        """Every distinct measure spec the model reads, by :func:`measure_label`."""
        specs: dict[str, dict[str, Any]] = {}
        for c in self.criteria:
            specs.setdefault(c.label, c.spec)
        for r in self.constraints:
            if r.measure is not None:
                specs.setdefault(measure_label(r.measure), spec_dict(r.measure))
        return specs

    def requirements(self) -> pd.DataFrame:
        """Everything the model reads from a site: layers, columns and kinds.

        Returns
        -------
        DataFrame
            One row per need: ``layer`` (a layer of the site), ``column`` (a column
            it must have, or None for the layer itself, which must then have rows),
            ``kinds`` (for a ``kind`` column: the kinds that must occur, comma-separated,
            "" when any will do) and ``needed_by`` (the measure labels or rules that
            read it, comma-separated). A ``{stage: [...]}`` rule adds a row with layer
            ``"stages"``: lifecycle stages must be passed to :meth:`score`. The
            constraints layer may be empty (a district without restricted areas).

        Examples
        --------
        >>> from landasset.suitability import load_profile
        >>> needs = load_profile("aerospace").requirements()
        >>> needs.loc[needs["layer"] == "axes", ["column", "kinds"]].values.tolist()
        [[None, ''], ['kind', 'golden_axis']]
        >>> needs.loc[needs["layer"] == "parcels", "column"].tolist()
        ['land_use', 'far_max']
        """
        needs = requirements_frame(self.measure_specs())
        staged = [r.label for r in self.constraints if isinstance(r, StageRule)]
        if not staged:
            return needs
        rows = [tuple(r) for r in needs.itertuples(index=False)]
        return needs_table([*rows, ("stages", None, "", ", ".join(staged))])

    def check_site(self, site: Site, *, stages: bool = False) -> None:
        """Check that ``site`` has everything the model reads, before measuring.

        Parameters
        ----------
        site : Site
        stages : bool, default False
            Whether lifecycle stages will be given (a stage rule needs them).

        Raises
        ------
        SchemaError
            Listing, in one message, every layer that is absent or empty, every
            column that is absent and every kind that does not occur (see
            :meth:`requirements`), and the stages when a stage rule needs them.

        Examples
        --------
        >>> import landasset as la
        >>> from landasset.suitability import load_profile
        >>> site = la.sample.load("yunqi")
        >>> bare = site.replace(stations=site.stations.iloc[:0],
        ...                     parcels=site.parcels.drop(columns="far_max"))
        >>> load_profile("aerospace").check_site(bare)
        Traceback (most recent call last):
        ...
        landasset.SchemaError: profile 'aerospace' needs what is missing: the stations layer is empty (needed by walk_distance(targets=stations)); the parcels have no column 'far_max' (needed by attribute(column=far_max)); add the layers, columns and kinds to the site, or use a profile that does not read them
        """
        missing = missing_requirements(site, self.requirements(), stages=stages)
        if missing:
            raise SchemaError(f"profile {self.name!r} needs " + needs_message(missing))

    def __repr__(self) -> str:
        crits = ", ".join(
            f"{c.name}={w:.3f}" for c, w in zip(self.criteria, self._weights, strict=True)
        )
        return (
            f"<SuitabilityModel {self.name!r} method={self.method} criteria=[{crits}] "
            f"constraints={len(self.constraints)}>"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(c.name)}</td><td><code>{html.escape(c.label)}</code></td>"
            f"<td><code>{html.escape(c.transform.describe())}</code></td><td>{w:.3f}</td>"
            f"<td>{html.escape(c.rationale)}</td></tr>"
            for c, w in zip(self.criteria, self._weights, strict=True)
        )
        rules = "".join(f"<li><code>{html.escape(r.label)}</code></li>" for r in self.constraints)
        extra = ""
        if self.method == "owa" and self.order_weights is not None:
            from landasset.suitability.methods import orness

            extra = f" (orness {orness(list(self.order_weights)):.2f})"
        elif self.method == "topsis":
            extra = f" ({html.escape(self.normalization)} normalisation)"
        ahp_html = self._ahp._repr_html_() if self._ahp is not None else ""
        return (
            f"<div><strong>{html.escape(self.name)}</strong> — {html.escape(self.description)}"
            f"<br>method: {html.escape(self.method)}{extra}"
            "<table><thead><tr><th>criterion</th><th>measure</th><th>transform</th>"
            f"<th>weight</th><th>rationale</th></tr></thead><tbody>{rows}</tbody></table>"
            f"constraints:<ul>{rules or '<li>none</li>'}</ul>{ahp_html}</div>"
        )

    # -- YAML --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The model as plain data (the YAML document)."""
        out: dict[str, Any] = {
            "version": self.version,
            "name": self.name,
            "description": self.description,
            "method": self.method,
        }
        if self.method == "topsis":
            out["normalization"] = self.normalization
        if self.order_weights is not None:
            out["order_weights"] = list(self.order_weights)
        if self.weights is not None:
            out["weights"] = {
                k: (
                    [list(r) for r in v] if k == "ahp" else dict(v) if isinstance(v, Mapping) else v
                )
                for k, v in self.weights.items()
            }
        out["criteria"] = [c.to_dict() for c in self.criteria]
        if self.constraints:
            out["constraints"] = [r.to_dict() for r in self.constraints]
        return out

    @classmethod
    def from_dict(cls, data: object) -> SuitabilityModel:
        """Build a model from plain data (a parsed YAML document); errors name the key path."""
        body = _check.mapping(
            data,
            "",
            allowed=(
                "version", "name", "description", "method", "normalization",
                "order_weights", "weights", "criteria", "constraints",
            ),
            required=("version", "criteria"),
        )  # fmt: skip
        criteria = [
            Criterion.from_dict(c, path=f"criteria[{i}]")
            for i, c in enumerate(_check.sequence(body["criteria"], "criteria", min_length=1))
        ]
        constraints = [
            rule_from_dict(r, path=f"constraints[{i}]")
            for i, r in enumerate(_check.sequence(body.get("constraints") or [], "constraints"))
        ]
        order = body.get("order_weights")
        if order is not None:
            order = tuple(_check.sequence(order, "order_weights"))
        return cls(
            tuple(criteria),
            tuple(constraints),
            body.get("method", "wlc"),
            body.get("weights"),
            name=body.get("name", "model"),
            description=body.get("description", "") or "",
            version=body["version"],
            order_weights=order,
            normalization=body.get("normalization", "vector"),
        )

    def to_yaml(self, path: str | os.PathLike[str] | None = None) -> str:
        """The model as a YAML document; also written to ``path`` if given (atomically:
        a failed write leaves an old file as it was). ``from_yaml(model.to_yaml()) ==
        model``.

        Measure specs, transforms, rules and matrix rows are written in flow style
        (``{linear: {best: 300, worst: 2000}}``), the rest in block style.
        """
        text = dump(self.to_dict())
        if path is not None:
            _config.write_text(text, path)
        return text

    @classmethod
    def from_yaml(cls, source: str | os.PathLike[str]) -> SuitabilityModel:
        """Read a model from YAML text or a ``.yaml``/``.yml`` file.

        The file is read with a safe loader: Python tags (``!!python/object``) and
        other custom tags are refused, duplicate keys are refused, and no string is
        ever evaluated (a string where a number belongs is an error).

        Parameters
        ----------
        source : str or path-like
            A path (``.yaml``/``.yml``, or any existing file) or the YAML text itself;
            the same rule as :meth:`landasset.efficiency.Scheme.from_yaml`.

        Raises
        ------
        ProfileError
            The document is not valid; the message names the key path
            (``criteria[2].transform.linear.best``) and the valid choices.
        LandassetIOError
            The file does not exist.
        """
        text, origin = read_source(source)
        return cls.from_dict(load_text(text, origin=origin))

    # -- scoring -----------------------------------------------------------------------
    def computed_specs(self) -> dict[str, dict[str, Any]]:
        """The measure specs :func:`landasset.measures.compute` evaluates, each named
        by its label: what a :class:`~landasset.measures.Context` for this model is
        built from (the others the model reads from the parcels' own columns, see
        :meth:`parcel_columns`).

        Examples
        --------
        >>> from landasset.suitability import load_profile
        >>> specs = load_profile("aerospace").computed_specs()
        >>> specs["area_mu"]
        {'measure': 'area_mu', 'name': 'area_mu'}
        """
        return {
            label: {**spec, "name": label}
            for label, spec in self.measure_specs().items()
            if spec["measure"] not in LOCAL_MEASURES
        }

    def parcel_columns(self, parcels: pd.DataFrame) -> pd.DataFrame:
        """The measures the model reads from the parcels' own columns (land use
        family, attributes), by label, on ``parcels.index``: with the columns of
        :meth:`computed_specs` they make the measure frame of :meth:`score_frame`,
        for parcels measured elsewhere (one partition of many).

        Examples
        --------
        >>> import landasset as la
        >>> from landasset.suitability import load_profile
        >>> site = la.sample.load("yunqi")
        >>> own = load_profile("aerospace").parcel_columns(site.parcels)
        >>> own.index.equals(site.parcels.index), "land_use_family" in own.columns
        (True, True)
        """
        return pd.DataFrame(
            {
                label: local_measure(parcels, spec)
                for label, spec in self.measure_specs().items()
                if spec["measure"] in LOCAL_MEASURES
            },
            index=parcels.index,
        )

    def measure_frame(
        self,
        site: Site,
        *,
        as_of: Any = None,
        progress: Callable[[str], None] | None = None,
        workers: int | None = None,
    ) -> pd.DataFrame:
        """Evaluate every measure the model reads, once, on ``site.parcels``.

        The measures of :data:`landasset.measures.MEASURES` are computed in one
        :func:`landasset.measures.compute` call, so they share its intermediates
        (street graph and snaps, trees over each layer); parcel attributes
        (:data:`LOCAL_MEASURES`) are read after them.

        Parameters
        ----------
        site : Site
            The district.
        as_of : date-like, optional
            Planned stations count from their opening date (see
            :func:`landasset.measures.compute`); checked even when no measure
            reads it.
        progress : callable, optional
            Called as ``progress(label)`` once per column of the result, as each is
            done (``label`` as :func:`measure_label` names it): computed measures
            first, in :meth:`measure_specs` order, then parcel attributes. Use it to
            drive a progress bar over ``len(model.measure_specs())`` steps.
        workers : int, optional
            Processes that measure partitions of the parcels side by side (see
            :func:`landasset.measures.compute`). Default: the CPUs available to the
            process. The result does not depend on it, to the bit.

        Returns
        -------
        DataFrame
            One column per distinct measure spec, named by :func:`measure_label`,
            aligned on ``site.parcels.index``.

        Raises
        ------
        SchemaError
            The site lacks layers, columns or kinds the model reads: all of them are
            listed in one message, before anything is measured
            (:meth:`requirements`).
        MeasureError
            ``as_of`` is not a date or ``progress`` is not callable.

        Examples
        --------
        >>> import landasset as la
        >>> from landasset.suitability import load_profile
        >>> model = load_profile("aerospace")
        >>> done = []
        >>> frame = model.measure_frame(
        ...     la.sample.load("yunqi"), as_of="2025-12-31", progress=done.append
        ... )
        >>> sorted(done) == sorted(frame.columns) == sorted(model.measure_specs())
        True
        """
        return measure_frame(
            site, self.measure_specs(), as_of=as_of, progress=progress, workers=workers
        )

    def score(
        self,
        site: Site,
        *,
        as_of: Any = None,
        stages: Any = None,
        progress: Callable[[str], None] | None = None,
        ledger: Any = None,
        workers: int | None = None,
    ) -> gpd.GeoDataFrame:
        """Score every live parcel of ``site``.

        Parameters
        ----------
        site : Site
            The district.
        as_of : date-like, optional
            The date of the scoring: planned stations count once open, and the
            ledger is read on this day. Kept, as a ``Timestamp`` at midnight, in
            ``result.attrs["as_of"]``.
        stages : Ledger or Series, optional
            Lifecycle stages: a :class:`~landasset.Ledger` (read on ``as_of``) or a
            Series of stage ids by ``parcel_id``. Required when the model has a
            ``{stage: [...]}`` rule. When given, retired parcels (split or merged
            parents) are left out of the result, with a
            :class:`~landasset.RetiredParcelsWarning`.
        progress : callable, optional
            ``progress(label)`` after each measure (see :meth:`measure_frame`).
        ledger : Ledger or Series, optional
            Deprecated name of ``stages``.
        workers : int, optional
            Processes that measure partitions of the parcels side by side (see
            :func:`landasset.measures.compute`). Default: the CPUs available to the
            process. The result does not depend on it, to the bit.

        Returns
        -------
        GeoDataFrame
            See :meth:`score_frame`.

        Raises
        ------
        SchemaError
            The site lacks a layer, a column or a kind the model reads, or the model
            has a stage rule and no ``stages`` were given: every such need is listed
            in one message, before anything is measured (:meth:`requirements`).

        Examples
        --------
        >>> import landasset as la
        >>> from landasset.suitability import load_profile
        >>> result = load_profile("ai").score(la.sample.load("yunqi"), as_of="2025-12-31")
        >>> result.attrs["as_of"], result.attrs["retired"]
        (Timestamp('2025-12-31 00:00:00'), [])
        """
        if ledger is not None:
            if stages is not None:
                raise LandassetValueError("give stages= only (ledger= is its old name), not both")
            warnings.warn(
                "score(ledger=...) is renamed score(stages=...); pass stages=",
                FutureWarning,
                stacklevel=2,
            )
            stages = ledger
        self.check_site(site, stages=stages is not None)
        if stages is None and self._scores_alone:
            return self._score_in_partitions(site, as_of=as_of, progress=progress, workers=workers)
        stage_ids = None if stages is None else stage_series(stages, as_of)
        measures = self.measure_frame(site, as_of=as_of, progress=progress, workers=workers)
        return self.score_frame(site.parcels, measures, stages=stage_ids, as_of=as_of)

    @property
    def _scores_alone(self) -> bool:
        """Whether a parcel's score depends on that parcel alone (not TOPSIS, which
        normalises over every parcel; no stage rule, which needs the ledger)."""
        return self.method in ("wlc", "owa") and not any(
            isinstance(rule, StageRule) for rule in self.constraints
        )

    def _score_in_partitions(
        self,
        site: Site,
        *,
        as_of: Any,
        progress: Callable[[str], None] | None,
        workers: int | None,
    ) -> gpd.GeoDataFrame:
        """:meth:`score` with each partition measured and scored where it lies (in its
        worker process); the ranks are set here, over all of them. The same frame,
        to the bit, as :meth:`measure_frame` then :meth:`score_frame`."""
        from landasset.measures import Context

        specs = self.measure_specs()
        computed = self.computed_specs()
        # the context checks as_of (a MeasureError, as measure_frame gives)
        context = Context(
            site, [{**spec, "name": label} for label, spec in computed.items()], as_of=as_of
        )
        day = to_day_or_none(as_of)
        parcels = site.parcels
        if context.whole_layer:
            # the floor-area measures need every parcel at once: measure, then score
            measures = self.measure_frame(site, as_of=as_of, progress=progress, workers=workers)
            return self.score_frame(parcels, measures, as_of=as_of)
        parts = context.map_partitions(
            parcels, _PartScorer(self), workers=workers, progress=progress
        )
        if progress is not None:
            for label in specs:
                if label not in computed:
                    progress(label)
        scored = _Scored.gather(parts, len(parcels))
        warn_missing(self, scored.missing, scored.undecided)
        return self._assemble(parcels, scored, day, [])

    def score_frame(
        self,
        parcels: pd.DataFrame,
        measures: pd.DataFrame,
        *,
        stages: pd.Series | None = None,
        as_of: Any = None,
    ) -> gpd.GeoDataFrame:
        """Score parcels from an already computed measure frame.

        Parameters
        ----------
        parcels : GeoDataFrame
            The parcels, indexed by ``parcel_id``.
        measures : DataFrame
            Columns named by :func:`measure_label` for every spec in
            :meth:`measure_specs` (as :meth:`measure_frame` returns), on the parcels'
            index (rows are aligned by index; absent rows are missing values).
        stages : Series, optional
            Stage by ``parcel_id``, for stage rules. When given, retired parcels are
            left out (before ranking) with a :class:`~landasset.RetiredParcelsWarning`.
        as_of : date-like, optional
            The scoring date, kept in ``attrs["as_of"]``.

        Returns
        -------
        GeoDataFrame
            One row per live parcel. ``attrs["as_of"]`` is the scoring date (a
            ``Timestamp`` at midnight, or None) and ``attrs["retired"]`` the ids of
            the retired parcels left out (a list, empty when none). The parcels' own
            columns plus, first:

            * ``score`` — 0–1 (NaN when a criterion value is missing);
            * ``rank`` — 1 = best among eligible parcels with a score (ties share the
              better rank); missing for the others;
            * ``eligible`` — passed every constraint rule;
            * ``excluded_by`` — the first rule the parcel failed (its label), or None;
            * ``missing`` — the criteria without a value, comma-separated ("" if none);
            * ``m_<criterion>`` raw measure, ``v_<criterion>`` transformed value,
              ``c_<criterion>`` contribution (WLC and OWA: the contributions sum to
              the score; TOPSIS: not additive, NaN — see :meth:`explain`).

            Excluded parcels keep their score (what they would get) but no rank.

        Warns
        -----
        MissingValueWarning
            Parcels lack a criterion value (counts per criterion) or a value a rule
            needs (such a parcel is not eligible).
        """
        day = to_day_or_none(as_of)
        retired: list[Any] = []
        if stages is not None:
            stages = stage_series(stages)
            live = live_mask(parcels.index, stages)
            if not live.all():
                retired = parcels.index[~live].tolist()
                warn_retired(parcels.index[~live], what=f"model {self.name!r}")
                parcels = parcels[live]
        index = parcels.index
        needed = self.measure_specs()
        absent = [label for label in needed if label not in measures.columns]
        if absent:
            raise SchemaError(
                f"the measure frame has no column {absent[0]!r}; build it with "
                "model.measure_frame(site) (columns are named by measure_label(spec))"
            )
        frame = measures if measures.index.equals(index) else measures.reindex(index)
        scored = self._score_columns(frame, stages, index, parcels)
        warn_missing(self, scored.missing, scored.undecided)
        return self._assemble(parcels, scored, day, retired)

    def _score_columns(
        self,
        frame: pd.DataFrame,
        stages: pd.Series | None,
        index: pd.Index,
        parcels: pd.DataFrame,
    ) -> _Scored:
        """The computed columns of :meth:`score_frame` (all but the ranks), and what
        its warnings count."""
        n = len(index)

        raw: dict[str, pd.Series] = {}
        values = np.empty((n, len(self.criteria)), dtype=np.float64)
        for j, c in enumerate(self.criteria):
            column = frame[c.label]
            raw[c.name] = column
            try:
                values[:, j] = c.transform(column).to_numpy(dtype=np.float64)
            except TypeError as exc:
                raise ProfileError(f"criterion {c.name!r}: {exc}") from exc

        eligible, excluded_by, undecided = self._apply_rules(frame, stages, index, parcels)
        w = self._weights
        missing_cols = np.isnan(values) & (w > 0)
        missing_rows = missing_cols.any(axis=1)
        agg = Aggregator(self, values, reference=eligible & ~missing_rows)
        score, contributions = agg.score_and_contributions(w)
        score[missing_rows] = np.nan
        contributions[missing_rows] = np.nan
        return _Scored(
            score=score,
            ranked=eligible & ~missing_rows,
            eligible=eligible,
            excluded_by=excluded_by,
            missing_names=missing_names(missing_cols, self.names),
            raw=[raw[c.name].to_numpy(copy=True) for c in self.criteria],
            values=values,
            contributions=contributions,
            missing=missing_cols,
            undecided=undecided,
        )

    def _assemble(
        self, parcels: pd.DataFrame, scored: _Scored, day: Any, retired: list[Any]
    ) -> gpd.GeoDataFrame:
        """The frame :meth:`score_frame` returns: the scored columns, the ranks over
        them, then the parcels' own columns."""
        index = parcels.index
        columns: dict[str, Any] = {
            "score": scored.score,
            "rank": competition_rank(scored.score, scored.ranked),
            "eligible": scored.eligible,
            "excluded_by": scored.excluded_by,
            "missing": scored.missing_names,
        }
        for j, c in enumerate(self.criteria):
            columns[f"m_{c.name}"] = scored.raw[j]
        for j, c in enumerate(self.criteria):
            columns[f"v_{c.name}"] = scored.values[:, j]
        for j, c in enumerate(self.criteria):
            columns[f"c_{c.name}"] = scored.contributions[:, j]
        own = [col for col in parcels.columns if col not in columns]
        for col in own:
            columns[col] = parcels[col]  # a Series: copy-on-write keeps the site safe
        geometry = parcels.geometry.name if isinstance(parcels, gpd.GeoDataFrame) else None
        out = pd.DataFrame(columns, index=index, copy=False)
        # copy=False: the columns are this call's own arrays or the parcels' Series
        # (copy-on-write keeps the site safe); geopandas' default copy of every block
        # of a frame is a serial second or more at 1M parcels
        if geometry is not None:
            result = gpd.GeoDataFrame(out, geometry=geometry, crs=parcels.crs, copy=False)
        else:
            result = gpd.GeoDataFrame(out, copy=False)
        result.attrs = {"as_of": day, "retired": retired}
        return result

    def _apply_rules(
        self,
        frame: pd.DataFrame,
        stages: pd.Series | None,
        index: pd.Index,
        parcels: pd.DataFrame | None = None,
    ) -> tuple[BoolArray, npt.NDArray[np.object_], dict[str, int]]:
        n = len(index)
        eligible = np.ones(n, dtype=bool)
        excluded_by = np.full(n, None, dtype=object)
        undecided_counts: dict[str, int] = {}
        for i, rule in enumerate(self.constraints):
            if isinstance(rule, StageRule):
                if stages is None:
                    raise LandassetValueError(
                        f"constraints[{i}] ({rule.label}) needs lifecycle stages, but none were given; "
                        "pass score(site, stages=...) with a Ledger or a Series of stages by parcel_id, "
                        "or remove the stage rule"
                    )
                column = stage_values(stages, index)
            else:
                assert rule.measure is not None
                column = frame[measure_label(rule.measure)]
            passed, undecided = rule.passes(column)
            failed = ~passed & eligible
            label = rule.label
            excluded_by[failed & ~undecided] = label
            excluded_by[failed & undecided] = f"{label} (no value)"
            if isinstance(rule, MeasureRule) and rule.reads_families:
                name_unknown_codes(excluded_by, failed & ~undecided, column, rule, parcels)
            if undecided.any():
                undecided_counts[label] = int(undecided.sum())
            eligible &= passed
        return eligible, excluded_by, undecided_counts

    # -- explanations ------------------------------------------------------------------
    def _check_result(self, result: pd.DataFrame, parcel_id: Any = None) -> None:
        expected = ["score", "rank", "eligible", *(f"v_{n}" for n in self.names)]
        absent = [c for c in expected if c not in result.columns]
        if absent:
            raise SchemaError(
                f"the result lacks {absent[0]!r}: pass the GeoDataFrame this model's score() returned"
            )
        if parcel_id is not None and parcel_id not in result.index:
            raise LandassetKeyError(
                f"no parcel {parcel_id!r} in the result (index: {result.index.name or 'parcel_id'})"
            )

    def explain(self, result: pd.DataFrame, parcel_id: Any) -> pd.DataFrame:
        """How one parcel's score is made: one row per criterion.

        Parameters
        ----------
        result : GeoDataFrame
            What :meth:`score` returned.
        parcel_id : str
            The parcel.

        Returns
        -------
        DataFrame
            Indexed by criterion: ``measure`` (label), ``raw`` value, ``value``
            (transformed, 0–1), ``weight``, ``contribution`` (WLC/OWA; they sum to the
            score), ``share`` of the score, ``criterion_rank`` (the parcel's rank on
            this criterion among the ranked parcels, 1 = best) and ``transform``. For
            TOPSIS, ``contribution`` is NaN and ``ideal_gap`` / ``anti_ideal_gap``
            give the weighted distance of the normalised value to the ideal and
            anti-ideal. ``attrs`` holds the parcel's ``score``, ``rank``,
            ``eligible`` and ``excluded_by``.

        Examples
        --------
        >>> import landasset as la
        >>> from landasset.suitability import load_profile
        >>> model = load_profile("aerospace")
        >>> result = model.score(la.sample.load("yunqi"), as_of="2025-12-31")
        >>> best = result["rank"].idxmin()
        >>> table = model.explain(result, best)
        >>> best, list(table.index[:3])
        ('XH120507-02', ['metro', 'axis', 'services'])
        >>> bool(abs(table["contribution"].sum() - result.loc[best, "score"]) < 1e-12)
        True
        """
        self._check_result(result, parcel_id)
        row = result.loc[parcel_id]
        ranked = result["rank"].notna().to_numpy()
        rows = []
        for c, w in zip(self.criteria, self._weights, strict=True):
            v = float(row[f"v_{c.name}"])
            others = result[f"v_{c.name}"].to_numpy(dtype=np.float64)[ranked]
            crit_rank = np.nan if np.isnan(v) else 1 + int(np.sum(others > v + 1e-15))
            contribution = float(row[f"c_{c.name}"]) if f"c_{c.name}" in result.columns else np.nan
            rows.append(
                {
                    "criterion": c.name,
                    "measure": c.label,
                    "raw": row.get(f"m_{c.name}", np.nan),
                    "value": v,
                    "weight": float(w),
                    "contribution": contribution,
                    "criterion_rank": crit_rank,
                    "transform": c.transform.describe(),
                }
            )
        table = pd.DataFrame(rows).set_index("criterion")
        score = float(row["score"])
        with np.errstate(invalid="ignore", divide="ignore"):
            table.insert(5, "share", table["contribution"] / score if score else np.nan)
        table["criterion_rank"] = table["criterion_rank"].astype("Int64")
        if self.method == "topsis":
            values = result[[f"v_{n}" for n in self.names]].to_numpy(dtype=np.float64)
            reference = result["eligible"].to_numpy(dtype=bool) & ~np.isnan(values).any(axis=1)
            r = _topsis_normalise(
                values, np.ones(len(self.names), bool), self.normalization, reference
            )
            ref = r[reference] if reference.any() else r[~np.isnan(r).any(axis=1)]
            position = row_position(result, parcel_id)
            here = r[position]
            table["ideal_gap"] = self._weights * np.abs(ref.max(axis=0) - here)
            table["anti_ideal_gap"] = self._weights * np.abs(here - ref.min(axis=0))
        rank = row["rank"]
        table.attrs = {
            "parcel_id": parcel_id,
            "score": score,
            "rank": None if pd.isna(rank) else int(rank),
            "eligible": bool(row["eligible"]),
            "excluded_by": None if pd.isna(row["excluded_by"]) else row["excluded_by"],
            "method": self.method,
        }
        return table

    def what_if(self, result: pd.DataFrame, parcel_id: Any, *, top_k: int = 10) -> pd.DataFrame:
        """The smallest single-criterion change that brings a parcel into the top ``top_k``.

        For each criterion alone: the transformed value the parcel would need
        (``value_needed``), the raw measure value that gives it (``raw_needed``, the
        nearest one to the current value) and the score it would then have. Rows are
        sorted by the change on the 0–1 scale (``value_needed − value``), feasible
        ones first: the first row is the smallest change, if ``feasible``.

        The target is the score of the ``top_k``-th best *other* eligible parcel
        (ties share a rank, so equalling it is enough). Other parcels' scores are held
        fixed; for TOPSIS the parcel's own closeness is recomputed exactly with its
        new value (normalisation and ideal points included), but the other parcels'
        are not.

        Parameters
        ----------
        result : GeoDataFrame
            What :meth:`score` returned.
        parcel_id : str
            An eligible parcel with a score.
        top_k : int, default 10

        Returns
        -------
        DataFrame
            Indexed by criterion: ``measure``, ``raw``, ``raw_needed``, ``value``,
            ``value_needed``, ``change`` (on the 0–1 scale), ``score_after``,
            ``feasible``. ``attrs``: ``target_score``, ``rank``, ``top_k``,
            ``already_in`` (the parcel is in the top k already: every change is 0).

        Raises
        ------
        ProfileError
            The parcel is not eligible (no change of a criterion helps: a rule
            excluded it) or has no score.

        Examples
        --------
        >>> import landasset as la
        >>> from landasset.suitability import load_profile
        >>> model = load_profile("aerospace")
        >>> result = model.score(la.sample.load("yunqi"), as_of="2025-12-31")
        >>> int(result.loc["XH120604-02", "rank"])
        14
        >>> changes = model.what_if(result, "XH120604-02", top_k=10)
        >>> changes.index[0], bool(changes["feasible"].iloc[0])  # the smallest change
        ('size', True)
        >>> float(changes.loc["cluster", "raw"]), float(changes.loc["cluster", "raw_needed"])
        (19.0, 23.0)
        """
        self._check_result(result, parcel_id)
        if not isinstance(top_k, (int, np.integer)) or isinstance(top_k, bool) or top_k < 1:
            raise LandassetValueError(f"top_k must be a positive whole number, got {top_k!r}")
        row = result.loc[parcel_id]
        if not bool(row["eligible"]):
            raise LandassetValueError(
                f"parcel {parcel_id!r} is not eligible ({row['excluded_by']}); a criterion change "
                "cannot rank it — see the constraint rule"
            )
        score = float(row["score"])
        if np.isnan(score):
            raise LandassetValueError(
                f"parcel {parcel_id!r} has no score (missing: {row.get('missing', '')})"
            )
        ranked = result["rank"].notna().to_numpy()
        position = row_position(result, parcel_id)
        mask = ranked.copy()
        mask[position] = False
        others = np.sort(result["score"].to_numpy(dtype=np.float64)[mask])[::-1]
        already = len(others) < top_k or score >= others[top_k - 1]
        target = score if already else float(others[top_k - 1])
        values = result[[f"v_{n}" for n in self.names]].to_numpy(dtype=np.float64)
        reference = result["eligible"].to_numpy(dtype=bool) & ~np.isnan(values).any(axis=1)
        vrow = values[position].copy()
        integer = [
            f"m_{c.name}" in result.columns
            and pd.api.types.is_integer_dtype(result[f"m_{c.name}"].dtype)
            for c in self.criteria
        ]
        rows: list[tuple[Any, ...]] = []
        for j, c in enumerate(self.criteria):
            raw = row.get(f"m_{c.name}", np.nan)
            v = float(vrow[j])
            if already:
                rows.append((c.name, c.label, raw, raw, v, v, 0.0, score, True))
                continue
            needed = self._value_needed(values, reference, position, j, target)
            raw_needed = None if needed is None else c.transform.at_least(needed, raw)
            if raw_needed is not None and integer[j]:
                # counts move in whole steps, towards the side that reaches the target
                step = math.ceil if raw_needed > raw else math.floor
                raw_needed = int(step(round(raw_needed, 9)))
            if raw_needed is None:
                rows.append((c.name, c.label, raw, None, v, needed, np.nan, np.nan, False))
                continue
            new_v = float(c.transform(raw_needed))
            after = self._score_with(values, reference, position, j, np.array([new_v]))[0]
            feasible = bool(after >= target - 1e-12)
            rows.append(
                (c.name, c.label, raw, raw_needed, v, new_v, new_v - v, float(after), feasible)
            )
        table = pd.DataFrame(
            rows,
            columns=[
                "criterion",
                "measure",
                "raw",
                "raw_needed",
                "value",
                "value_needed",
                "change",
                "score_after",
                "feasible",
            ],
        ).set_index("criterion")
        table = table.sort_values(["feasible", "change"], ascending=[False, True], kind="stable")
        rank = row["rank"]
        table.attrs = {
            "parcel_id": parcel_id,
            "target_score": target,
            "rank": int(rank),
            "top_k": int(top_k),
            "already_in": bool(already),
        }
        return table

    def _score_with(
        self,
        values: FloatArray,
        reference: BoolArray,
        position: int,
        j: int,
        candidates: FloatArray,
    ) -> FloatArray:
        """The parcel's score with criterion j set to each candidate value."""
        rows = np.repeat(values[position][np.newaxis], len(candidates), axis=0)
        rows[:, j] = candidates
        w = self._weights
        if self.method == "wlc":
            return np.clip(rows @ w, 0.0, 1.0)
        if self.method == "owa":
            assert self.order_weights is not None
            v = _order_weights(list(self.order_weights), len(w))
            a, b = _owa_parts(rows, v)
            return np.clip((a @ w) / (b @ w), 0.0, 1.0)
        # TOPSIS: recompute the normalisation and ideals with the changed value
        ref = reference.copy()
        ref[position] = False
        others = values[ref]
        out = np.empty(len(candidates))
        for k, row in enumerate(rows):
            stack = np.vstack([others, row[np.newaxis]])
            d_plus, d_minus = topsis_parts(stack, self.normalization, np.ones(len(stack), bool))
            out[k] = _closeness(d_plus[-1] @ w**2, d_minus[-1] @ w**2)
        return out

    def _value_needed(
        self, values: FloatArray, reference: BoolArray, position: int, j: int, target: float
    ) -> float | None:
        w = self._weights[j]
        current = float(values[position, j])
        if w <= 0:
            return None
        if self.method == "wlc":
            score = float(np.clip(values[position] @ self._weights, 0, 1))
            # a nudge of 1e-9 so that rounding cannot leave the parcel a hair short
            needed = current + (target - score) / w + NUDGE
            return min(needed, 1.0) if needed <= 1.0 + NUDGE else None
        grid = np.linspace(current, 1.0, 201)
        scores = self._score_with(values, reference, position, j, grid)
        hit = np.flatnonzero(scores >= target)
        if not len(hit):
            return None
        k = int(hit[0])
        if k == 0:
            return current
        lo, hi = grid[k - 1], grid[k]
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            if self._score_with(values, reference, position, j, np.array([mid]))[0] >= target:
                hi = mid
            else:
                lo = mid
        return float(min(hi + NUDGE, 1.0))


@dataclass(frozen=True)
class _Scored:
    """What :meth:`SuitabilityModel.score_frame` computes for some parcels, before
    the ranks (set over all of them) and the parcels' own columns."""

    score: FloatArray
    ranked: BoolArray
    eligible: BoolArray
    excluded_by: npt.NDArray[np.object_]
    missing_names: npt.NDArray[np.object_]
    #: per criterion, its raw measure (the measure frame column's own dtype)
    raw: list[np.ndarray]
    values: FloatArray
    contributions: FloatArray
    #: parcels x criteria: no value where the weight is > 0
    missing: BoolArray
    #: rule label -> parcels it could not decide
    undecided: dict[str, int]

    @classmethod
    def gather(cls, parts: Sequence[tuple[npt.NDArray[np.intp], _Scored]], n: int) -> _Scored:
        """One frame's worth from its partitions: each part's rows put at its
        positions (``parts`` as :meth:`Context.map_partitions` returns them)."""

        if len(parts) == 1 and np.array_equal(parts[0][0], np.arange(n)):
            return parts[0][1]  # one partition, in order: nothing to gather

        def rows(pick: Callable[[_Scored], np.ndarray]) -> np.ndarray:
            first = pick(parts[0][1])
            out = np.empty((n, *first.shape[1:]), dtype=first.dtype)
            for positions, part in parts:
                out[positions] = pick(part)
            return out

        undecided: dict[str, int] = {}
        for _, part in parts:
            for label, count in part.undecided.items():
                undecided[label] = undecided.get(label, 0) + count
        return cls(
            score=rows(lambda p: p.score),
            ranked=rows(lambda p: p.ranked),
            eligible=rows(lambda p: p.eligible),
            excluded_by=rows(lambda p: p.excluded_by),
            missing_names=rows(lambda p: p.missing_names),
            raw=[rows(_raw_of(j)) for j in range(len(parts[0][1].raw))],
            values=rows(lambda p: p.values),
            contributions=rows(lambda p: p.contributions),
            missing=rows(lambda p: p.missing),
            undecided=undecided,
        )


def _raw_of(j: int) -> Callable[[_Scored], np.ndarray]:
    def pick(scored: _Scored) -> np.ndarray:
        return scored.raw[j]

    return pick


class _PartScorer:
    """Scores one measured partition where it was measured (a worker process):
    picklable, it holds the model only."""

    def __init__(self, model: SuitabilityModel) -> None:
        self.model = model

    def __call__(self, parcels: pd.DataFrame, table: pd.DataFrame) -> _Scored:
        model = self.model
        measures = pd.concat([table, model.parcel_columns(parcels)], axis=1)
        return model._score_columns(measures, None, parcels.index, parcels)
