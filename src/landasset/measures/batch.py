"""Evaluate several measures on a :class:`~landasset.Site` in one call.

A spec is a mapping with a ``"measure"`` name and that measure's parameters; layer
parameters name a layer of the site (``"stations"``) or give a GeoDataFrame. A bare
string is a spec without parameters. :data:`MEASURES` lists every measure with its
parameters and defaults (:data:`REQUIRED` marks the ones without a default).

``nearest_distance``, ``nearest_id`` and ``frontage`` take an optional ``kind`` (a
string or a list of strings): their context layer is narrowed to the rows whose
``kind`` column holds one of them before measuring, e.g. ``{"measure": "frontage",
"kind": "golden_axis"}`` measures the golden axes only, not every axis. The kinds
must occur in the layer.

Within one call the shared intermediates are built once: the street graph and the
parcels' snaps to it, the trees over each feature layer, the parcels' centroids and
reach, the building–parcel overlaps, the dissolved constraints. A layer narrowed by
``kind`` is built once per distinct (layer, kinds) pair, and its tree once with it.

Examples
--------
>>> import landasset as la
>>> site = la.sample.load("yunqi")
>>> table = la.measures.compute(
...     site,
...     [
...         "area_mu",
...         {"measure": "walk_distance", "targets": "stations", "name": "metro_walk_m"},
...         {"measure": "count_within", "points": "amenities", "radius": 500},
...     ],
...     as_of="2030-01-01",
... )
>>> list(table.columns)
['area_mu', 'metro_walk_m', 'count_within']
>>> table.index.equals(site.parcels.index)
True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from landasset.measures import morphology as _m
from landasset.measures import network as _n
from landasset.measures import proximity as _p
from landasset.measures._common import Cache, MeasureError, UnreachableWarning, check_layers

if TYPE_CHECKING:
    from landasset.site import Site

__all__ = ["LAYER_PARAMETERS", "MEASURES", "REQUIRED", "compute"]

#: Marks a parameter without a default in :data:`MEASURES`.
REQUIRED = "<required>"

_LAYER = "layer"
_NUMBER = "number"
_OPTIONAL_NUMBER = "optional number"
_TEXT = "text"
_TEXTS = "text or list of text"
_BOOL = "true, false or null"
_CHOICE = "choice"
_DATE = "date"


@dataclass(frozen=True)
class _Param:
    kind: str
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Measure:
    run: Callable[..., Any]
    params: dict[str, _Param]


def _run_walk(cache: Cache, parcels: gpd.GeoDataFrame, **kw: Any) -> tuple[pd.Series, str | None]:
    return _n._walk_distance(
        cache,
        parcels,
        kw["targets"],
        kw["streets"],
        max_distance=kw["max_distance"],
        as_of=kw["as_of"],
    )


def _run_count(cache: Cache, parcels: gpd.GeoDataFrame, **kw: Any) -> pd.Series:
    counts = _p._radius_query(
        cache,
        parcels,
        kw["points"],
        kw["radius"],
        category=kw["category"],
        column="category",
        origin=kw["origin"],
        weights=None,
        what="count_within",
    )
    return pd.Series(counts, index=parcels.index, name="count_within")


def _run_sum(cache: Cache, parcels: gpd.GeoDataFrame, **kw: Any) -> pd.Series:
    weights = _p._weights(kw["points"], kw["column"], what="sum_within")
    total = _p._radius_query(
        cache,
        parcels,
        kw["points"],
        kw["radius"],
        category=kw["category"],
        column="category",
        origin=kw["origin"],
        weights=weights,
        what="sum_within",
    )
    return pd.Series(total, index=parcels.index, name="sum_within")


def _run_cluster(cache: Cache, parcels: gpd.GeoDataFrame, **kw: Any) -> pd.Series:
    counts = _p._radius_query(
        cache,
        parcels,
        kw["enterprises"],
        kw["radius"],
        category=kw["industry"],
        column="industry",
        origin=kw["origin"],
        weights=None,
        what="cluster_strength",
    )
    return pd.Series(counts, index=parcels.index, name="cluster_strength")


def _run_nearest_distance(cache: Cache, parcels: gpd.GeoDataFrame, **kw: Any) -> pd.Series:
    distance, _ = _p._nearest(cache, parcels, kw["features"], what="nearest_distance", ids=False)
    return pd.Series(distance, index=parcels.index, name="nearest_distance_m")


_ORIGIN = _Param(_CHOICE, "edge", _p.ORIGINS)
_BY = _Param(_CHOICE, "auto", _m.ASSIGNMENTS)

_REGISTRY: dict[str, _Measure] = {
    "area_m2": _Measure(lambda cache, parcels: _m.area_m2(parcels), {}),
    "area_mu": _Measure(lambda cache, parcels: _m.area_mu(parcels), {}),
    "compactness": _Measure(lambda cache, parcels: _m.compactness(parcels), {}),
    "gross_floor_area": _Measure(
        lambda cache, parcels, buildings, by: _m._gross_floor_area(
            cache, parcels, buildings, by=by
        ),
        {"buildings": _Param(_LAYER, "buildings"), "by": _BY},
    ),
    "floor_area_ratio": _Measure(
        lambda cache, parcels, buildings, by: _m._floor_area_ratio(
            cache, parcels, buildings, by=by
        ),
        {"buildings": _Param(_LAYER, "buildings"), "by": _BY},
    ),
    "building_coverage": _Measure(
        lambda cache, parcels, buildings: _m._building_coverage(cache, parcels, buildings),
        {"buildings": _Param(_LAYER, "buildings")},
    ),
    "nearest_distance": _Measure(
        _run_nearest_distance, {"features": _Param(_LAYER), "kind": _Param(_TEXTS, None)}
    ),
    "nearest_id": _Measure(
        lambda cache, parcels, features: _p._nearest_id(cache, parcels, features),
        {"features": _Param(_LAYER), "kind": _Param(_TEXTS, None)},
    ),
    "count_within": _Measure(
        _run_count,
        {
            "points": _Param(_LAYER, "amenities"),
            "radius": _Param(_NUMBER),
            "category": _Param(_TEXTS, None),
            "origin": _ORIGIN,
        },
    ),
    "sum_within": _Measure(
        _run_sum,
        {
            "points": _Param(_LAYER, "enterprises"),
            "column": _Param(_TEXT),
            "radius": _Param(_NUMBER),
            "category": _Param(_TEXTS, None),
            "origin": _ORIGIN,
        },
    ),
    "frontage": _Measure(
        lambda cache, parcels, axes, tolerance: _p._frontage(
            cache, parcels, axes, tolerance=tolerance
        ),
        {
            "axes": _Param(_LAYER, "axes"),
            "tolerance": _Param(_NUMBER, 15.0),
            "kind": _Param(_TEXTS, None),
        },
    ),
    "walk_distance": _Measure(
        _run_walk,
        {
            "targets": _Param(_LAYER, "stations"),
            "streets": _Param(_LAYER, "streets"),
            "max_distance": _Param(_OPTIONAL_NUMBER, None),
            "as_of": _Param(_DATE, None),
        },
    ),
    "cluster_strength": _Measure(
        _run_cluster,
        {
            "enterprises": _Param(_LAYER, "enterprises"),
            "industry": _Param(_TEXTS),
            "radius": _Param(_NUMBER),
            "origin": _ORIGIN,
        },
    ),
    "constrained_share": _Measure(
        lambda cache, parcels, constraints, kind, hard: _p._constrained_share(
            cache, parcels, constraints, kind=kind, hard=hard
        ),
        {
            "constraints": _Param(_LAYER, "constraints"),
            "kind": _Param(_TEXTS, None),
            "hard": _Param(_BOOL, None),
        },
    ),
}

#: Every measure :func:`compute` knows, with its parameters and their defaults
#: (:data:`REQUIRED` when the spec must give one). Layer parameters default to a layer
#: name of the site. ``walk_distance``'s ``as_of`` defaults to the call's ``as_of``.
#: ``kind`` (``nearest_distance``, ``nearest_id``, ``frontage``) narrows the context
#: layer to the rows whose ``kind`` column is one of the given kinds (None: all rows).
MEASURES: Mapping[str, Mapping[str, Any]] = {
    name: {key: p.default for key, p in m.params.items()} for name, m in _REGISTRY.items()
}

#: Per measure of :data:`MEASURES`, the parameters that name a layer of the site.
LAYER_PARAMETERS: Mapping[str, tuple[str, ...]] = {
    name: tuple(key for key, p in m.params.items() if p.kind == _LAYER)
    for name, m in _REGISTRY.items()
}

_SPEC_KEYS = ("measure", "name")

#: Measures whose ``kind`` parameter narrows a context layer, and that layer's parameter.
_KIND_FILTERED = {"nearest_distance": "features", "nearest_id": "features", "frontage": "axes"}


@dataclass(frozen=True)
class _Bound:
    column: str
    measure: str
    params: dict[str, Any]


def _describe(position: int, spec: object) -> str:
    return f"spec {position} ({spec!r})"


def _check_value(measure: str, key: str, param: _Param, value: Any, where: str) -> Any:
    if param.kind == _LAYER:
        if not isinstance(value, (str, gpd.GeoDataFrame, gpd.GeoSeries)):
            raise MeasureError(
                f"{where}: {key} must name a layer of the site or be a GeoDataFrame, not {value!r}"
            )
    elif param.kind in (_NUMBER, _OPTIONAL_NUMBER):
        if value is None and param.kind == _OPTIONAL_NUMBER:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise MeasureError(f"{where}: {key} must be a number (metres), not {value!r}")
        if value < 0:
            raise MeasureError(f"{where}: {key} must be >= 0, not {value!r}")
        return float(value)
    elif param.kind == _TEXT:
        if not isinstance(value, str):
            raise MeasureError(f"{where}: {key} must be a string, not {value!r}")
    elif param.kind == _TEXTS:
        ok = value is None and param.default is None
        ok = ok or isinstance(value, str)
        ok = ok or (isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value))
        if not ok:
            raise MeasureError(
                f"{where}: {key} must be a string or a list of strings, not {value!r}"
            )
        return list(value) if isinstance(value, tuple) else value
    elif param.kind == _BOOL:
        if value is not None and not isinstance(value, bool):
            raise MeasureError(f"{where}: {key} must be true, false or null, not {value!r}")
    elif param.kind == _CHOICE and value not in param.choices:
        raise MeasureError(
            f"{where}: {value!r} is not a valid {key} for {measure}; use one of: "
            + ", ".join(map(repr, param.choices))
        )
    return value


def _bind(position: int, spec: object) -> _Bound:
    where = _describe(position, spec)
    if isinstance(spec, str):
        spec = {"measure": spec}
    if not isinstance(spec, Mapping):
        raise MeasureError(
            f"{where}: a spec is a measure name or a mapping such as "
            "{'measure': 'walk_distance', 'targets': 'stations'}"
        )
    name = spec.get("measure")
    if name not in _REGISTRY:
        what = "has no 'measure' key" if name is None else f"names an unknown measure {name!r}"
        raise MeasureError(f"{where} {what}; use one of: " + ", ".join(map(repr, _REGISTRY)))
    measure = _REGISTRY[name]
    unknown = [k for k in spec if k not in _SPEC_KEYS and k not in measure.params]
    if unknown:
        valid = ", ".join(map(repr, [*measure.params, "name"]))
        raise MeasureError(
            f"{where}: {name} has no parameter {unknown[0]!r}; its parameters are: {valid}"
        )
    params: dict[str, Any] = {}
    for key, param in measure.params.items():
        if key in spec:
            params[key] = _check_value(name, key, param, spec[key], where)
        elif param.default is REQUIRED:
            raise MeasureError(f"{where}: {name} needs {key!r} ({param.kind})")
        else:
            params[key] = param.default
    column = spec.get("name")
    if column is None:
        column = _default_column(name)
    elif not isinstance(column, str) or not column:
        raise MeasureError(f"{where}: 'name' must be a non-empty string, not {column!r}")
    return _Bound(column=column, measure=name, params=params)


_COLUMNS = {
    "area_m2": "area_m2",
    "area_mu": "area_mu",
    "compactness": "compactness",
    "gross_floor_area": "gfa_m2",
    "floor_area_ratio": "far",
    "building_coverage": "building_coverage",
    "nearest_distance": "nearest_distance_m",
    "nearest_id": "nearest_id",
    "count_within": "count_within",
    "sum_within": "sum_within",
    "frontage": "frontage_m",
    "walk_distance": "walk_distance_m",
    "cluster_strength": "cluster_strength",
    "constrained_share": "constrained_share",
}


def _default_column(measure: str) -> str:
    return _COLUMNS[measure]


def _layer(site: Site, value: Any, *, where: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return site[value]
    except KeyError:
        names = list(site.layers) + list(getattr(site, "extra", {}))
        raise MeasureError(
            f"{where}: the site has no layer {value!r}; use one of: " + ", ".join(map(repr, names))
        ) from None


def _layer_label(key: str, value: Any) -> str:
    if isinstance(value, str):
        return f"the {key} layer {value!r}"
    return f"the {key} layer (a {type(value).__name__})"


def _of_kinds(
    layer: Any,
    kinds: str | list[str],
    *,
    label: str,
    where: str,
    memo: dict[tuple[int, tuple[str, ...]], Any],
) -> Any:
    """The rows of ``layer`` whose ``kind`` is one of ``kinds``, one object per pair."""
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    if not wanted:
        raise MeasureError(
            f"{where}: kind is an empty list; name at least one kind, or leave kind out "
            "to measure every feature"
        )
    if not isinstance(layer, gpd.GeoDataFrame) or "kind" not in layer.columns:
        raise MeasureError(
            f"{where}: kind= was given but {label} has no 'kind' column; leave kind out, "
            "or use a layer with a 'kind' column (such as 'axes')"
        )
    column = layer["kind"]
    existing = sorted({str(v) for v in column.dropna().unique()})
    unknown = [k for k in dict.fromkeys(wanted) if k not in set(column.dropna())]
    if unknown:
        choices = ", ".join(map(repr, existing)) if existing else "none (the column is empty)"
        raise MeasureError(f"{where}: {label} has no kind {unknown[0]!r}; its kinds are: {choices}")
    key = (id(layer), tuple(sorted(set(wanted))))
    if key not in memo:
        memo[key] = layer[column.isin(wanted).to_numpy(dtype=bool)]
    return memo[key]


def compute(
    site: Site,
    specs: Sequence[str | Mapping[str, Any]],
    *,
    as_of: Any = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Evaluate measure specs on a site's parcels, sharing intermediates.

    Parameters
    ----------
    site : Site
        The district; its ``parcels`` are measured against its other layers.
    specs : sequence of str or mapping
        Each a measure name, or a mapping ``{"measure": name, <parameters>, "name":
        column}``; see :data:`MEASURES` for the names and parameters. Layer parameters
        name a layer of the site (default: the usual one, e.g. ``"stations"`` for
        ``walk_distance``'s targets) or are GeoDataFrames in the site's CRS.
    as_of : date-like, optional
        The date for ``walk_distance`` (planned stations count from their opening
        date); a spec's own ``as_of`` wins. None: every target counts. Checked even
        when no spec reads it.
    progress : callable, optional
        Called as ``progress(column)`` once per spec, in order, right after that
        spec's column is computed (``column`` is the spec's ``"name"`` or its default
        column name). Use it to drive a progress bar while keeping the intermediates
        shared; calling :func:`compute` once per spec would rebuild them each time.
        Not called when validation fails, nor for a spec whose measure raised.

    Returns
    -------
    DataFrame
        One column per spec, in order, aligned on ``site.parcels.index``. A column is
        named by the spec's ``"name"``, else after its measure (``"walk_distance_m"``,
        ``"area_mu"``, ... as the functions name their Series).

    Raises
    ------
    MeasureError
        A spec names an unknown measure, parameter or layer, lacks a required
        parameter, has a value of the wrong type, a ``kind`` that its layer does not
        hold (the message lists the kinds it does) or a ``kind`` for a layer without
        a ``kind`` column, or two specs would give the same
        column (give them a ``"name"``), ``as_of`` is not a date, or ``progress`` is
        not callable. Every spec is checked before anything runs.

    Warns
    -----
    UnreachableWarning
        As :func:`~landasset.measures.walk_distance`.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> specs = [
    ...     {"measure": "nearest_distance", "features": "axes", "name": "axis_m"},
    ...     {"measure": "constrained_share", "kind": ["ecological_redline", "flood_zone"]},
    ... ]
    >>> la.measures.compute(site, specs).shape == (len(site.parcels), 2)
    True

    Narrow the axes to the golden ones with ``kind``:

    >>> golden = {"measure": "nearest_distance", "features": "axes", "kind": "golden_axis"}
    >>> table = la.measures.compute(site, [golden, {**golden, "kind": None, "name": "any_m"}])
    >>> bool((table["nearest_distance_m"] >= table["any_m"]).all())
    True
    >>> la.measures.compute(site, [{**golden, "kind": "golden"}])
    Traceback (most recent call last):
    ...
    landasset.measures.MeasureError: spec 0 (...): the features layer 'axes' has no kind 'golden'; its kinds are: 'golden_axis', 'green_corridor', 'urban_axis'
    >>> la.measures.compute(site, ["walk_distanc"])
    Traceback (most recent call last):
    ...
    landasset.measures.MeasureError: spec 0 ('walk_distanc') names an unknown measure 'walk_distanc'; use one of: ...

    Report each column as it is done, e.g. to advance a progress bar:

    >>> done = []
    >>> table = la.measures.compute(site, ["area_mu", "compactness"], progress=done.append)
    >>> done
    ['area_mu', 'compactness']
    """
    if isinstance(specs, (str, Mapping)):
        raise MeasureError("specs must be a list of specs; wrap a single spec in a list: [spec]")
    if progress is not None and not callable(progress):
        raise MeasureError(
            f"progress must be a callable taking a column name (or None), not {progress!r}"
        )
    call_as_of = _n._as_of(as_of, what="compute")
    bound = [_bind(i, spec) for i, spec in enumerate(specs)]
    columns = [b.column for b in bound]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise MeasureError(
            f"several specs give the column {duplicated[0]!r}; give each a distinct 'name', "
            "e.g. {'measure': 'count_within', 'radius': 500, 'name': 'cafes_500m'}"
        )
    parcels = site.parcels
    resolved: list[dict[str, Any]] = []
    # one narrowed layer per (layer, kinds): its tree is then built once in the cache
    narrowed: dict[tuple[int, tuple[str, ...]], Any] = {}
    for i, b in enumerate(bound):
        where = _describe(i, specs[i])
        params = dict(b.params)
        layers = {}
        for key, param in _REGISTRY[b.measure].params.items():
            if param.kind == _LAYER:
                params[key] = _layer(site, params[key], where=where)
                layers[key] = params[key]
        if b.measure in _KIND_FILTERED:
            key = _KIND_FILTERED[b.measure]
            kinds = params.pop("kind")
            if kinds is not None:
                params[key] = _of_kinds(
                    params[key],
                    kinds,
                    label=_layer_label(key, b.params[key]),
                    where=where,
                    memo=narrowed,
                )
        if b.measure == "walk_distance":
            own = params["as_of"]
            params["as_of"] = _n._as_of(own, what=where) if own is not None else call_as_of
        check_layers(f"{b.measure} ({where})", parcels=parcels, **layers)
        resolved.append(params)

    cache = Cache()
    out: dict[str, pd.Series] = {}
    for b, params in zip(bound, resolved, strict=True):
        result = _REGISTRY[b.measure].run(cache, parcels, **params)
        if isinstance(result, tuple):
            result, message = result
            if message:
                warnings.warn(f"{b.column}: {message}", UnreachableWarning, stacklevel=2)
        out[b.column] = result.rename(b.column)
        if progress is not None:
            progress(b.column)
    return pd.DataFrame(out, index=parcels.index)
