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

The measures are the functions registered with the ``@measure`` decorator (see
``_registry.py``); :data:`MEASURES` is derived from them. Within one call
:func:`compute` is the one place that builds the shared intermediates, each once,
when a spec first needs it, and passes it to the measure function as a keyword
(``walk_distance(..., graph=, snapped=)``, ``count_within(..., tree=)``, ...): the
street graph and the parcels' snaps to it, the trees over each feature layer, the
building–parcel overlaps, the dissolved constraints. A layer narrowed by ``kind`` is
built once per distinct (layer, kinds) pair, and its tree once with it. Each column
equals calling the measure function directly with the same arguments.

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
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from landasset.measures import _registry as _r

# the measure modules register their functions when imported
from landasset.measures import morphology as _m  # noqa: F401
from landasset.measures import network as _n
from landasset.measures import proximity as _p  # noqa: F401
from landasset.measures._common import MeasureError, UnreachableWarning, check_layers
from landasset.measures._registry import REQUIRED, MeasureDef, Param, Shared

if TYPE_CHECKING:
    from landasset.site import Site

__all__ = ["LAYER_PARAMETERS", "MEASURES", "REQUIRED", "compute"]

#: The registered measures, and the kind of a layer parameter (suitability reads
#: both to find the layers a profile needs).
_REGISTRY = _r.REGISTRY
_LAYER = _r.LAYER

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


@dataclass(frozen=True)
class _Bound:
    column: str
    measure: str
    params: dict[str, Any]


def _describe(position: int, spec: object) -> str:
    return f"spec {position} ({spec!r})"


def _check_value(measure: str, key: str, param: Param, value: Any, where: str) -> Any:
    if param.kind == _LAYER:
        if not isinstance(value, (str, gpd.GeoDataFrame, gpd.GeoSeries)):
            raise MeasureError(
                f"{where}: {key} must name a layer of the site or be a GeoDataFrame, not {value!r}"
            )
    elif param.kind in (_r.NUMBER, _r.OPTIONAL_NUMBER):
        if value is None and param.kind == _r.OPTIONAL_NUMBER:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise MeasureError(f"{where}: {key} must be a number (metres), not {value!r}")
        if value < 0:
            raise MeasureError(f"{where}: {key} must be >= 0, not {value!r}")
        return float(value)
    elif param.kind == _r.TEXT:
        if not isinstance(value, str):
            raise MeasureError(f"{where}: {key} must be a string, not {value!r}")
    elif param.kind == _r.TEXTS:
        ok = value is None and param.default is None
        ok = ok or isinstance(value, str)
        ok = ok or (isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value))
        if not ok:
            raise MeasureError(
                f"{where}: {key} must be a string or a list of strings, not {value!r}"
            )
        return list(value) if isinstance(value, tuple) else value
    elif param.kind == _r.BOOL:
        if value is not None and not isinstance(value, bool):
            raise MeasureError(f"{where}: {key} must be true, false or null, not {value!r}")
    elif param.kind == _r.CHOICE and value not in param.choices:
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
        column = measure.column
    elif not isinstance(column, str) or not column:
        raise MeasureError(f"{where}: 'name' must be a non-empty string, not {column!r}")
    return _Bound(column=column, measure=name, params=params)


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


def _kinds(kinds: str | list[str], *, where: str) -> tuple[str, ...]:
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    if not wanted:
        raise MeasureError(
            f"{where}: kind is an empty list; name at least one kind, or leave kind out "
            "to measure every feature"
        )
    return tuple(sorted(set(wanted)))


def _of_kinds(layer: Any, wanted: tuple[str, ...], *, label: str, where: str) -> Any:
    """The rows of ``layer`` whose ``kind`` is one of ``wanted``."""
    if not isinstance(layer, gpd.GeoDataFrame) or "kind" not in layer.columns:
        raise MeasureError(
            f"{where}: kind= was given but {label} has no 'kind' column; leave kind out, "
            "or use a layer with a 'kind' column (such as 'axes')"
        )
    column = layer["kind"]
    existing = sorted({str(v) for v in column.dropna().unique()})
    unknown = [k for k in wanted if k not in set(column.dropna())]
    if unknown:
        choices = ", ".join(map(repr, existing)) if existing else "none (the column is empty)"
        raise MeasureError(f"{where}: {label} has no kind {unknown[0]!r}; its kinds are: {choices}")
    return layer[column.isin(wanted).to_numpy(dtype=bool)]


class _Layers:
    """The context layers of one call, each with a key that names it.

    A layer of the site is keyed by its name; a GeoDataFrame given in a spec by its
    place among the distinct objects given (compared with ``is``, and held here, so
    a key never outlives its layer); a layer narrowed by ``kind`` by its layer's key
    and the kinds, and built once per such pair.
    """

    def __init__(self, site: Site) -> None:
        self._site = site
        self._given: list[Any] = []
        self._narrowed: dict[Hashable, Any] = {}

    def key(self, value: Any) -> Hashable:
        if isinstance(value, str):
            return ("layer", value)
        for position, seen in enumerate(self._given):
            if seen is value:
                return ("given", position)
        self._given.append(value)
        return ("given", len(self._given) - 1)

    def resolve(self, value: Any, *, where: str) -> tuple[Any, Hashable]:
        return _layer(self._site, value, where=where), self.key(value)

    def narrowed(
        self, layer: Any, key: Hashable, kinds: tuple[str, ...], *, label: str, where: str
    ) -> tuple[Any, Hashable]:
        narrowed_key = ("narrowed", key, kinds)
        if narrowed_key not in self._narrowed:
            self._narrowed[narrowed_key] = _of_kinds(layer, kinds, label=label, where=where)
        return self._narrowed[narrowed_key], narrowed_key


@dataclass(frozen=True)
class _Resolved:
    """A spec ready to run: the function's arguments, and a key per argument that
    says which intermediates it can share."""

    column: str
    measure: MeasureDef
    arguments: dict[str, Any]
    keys: dict[str, Hashable]


def _value_key(param: Param, value: Any) -> Hashable:
    if param.kind == _r.TEXTS and value is not None:
        # "a" and ["a"] select the same rows
        return tuple(sorted({value} if isinstance(value, str) else set(value)))
    return value if isinstance(value, Hashable) else repr(value)


class _Intermediates:
    """The shared intermediates of one :func:`compute` call, each built once."""

    def __init__(self, parcels: Any) -> None:
        self._parcels = parcels
        self._built: dict[Hashable, Any] = {}

    def get(self, spec: _Resolved, keyword: str, recipe: Shared) -> tuple[Any, Hashable]:
        used = {name: self.get(spec, name, spec.measure.shared[name]) for name in recipe.uses}
        key = (
            recipe.name,
            *(spec.keys[name] if name != "parcels" else "parcels" for name in recipe.inputs),
            *(used_key for _, used_key in used.values()),
        )
        if key not in self._built:
            inputs = {
                name: self._parcels if name == "parcels" else spec.arguments[name]
                for name in recipe.inputs
            }
            self._built[key] = recipe.build(
                **inputs, **{name: value for name, (value, _) in used.items()}
            )
        return self._built[key], key


def _resolve(
    site: Site, layers: _Layers, bound: _Bound, call_as_of: Any, *, where: str
) -> _Resolved:
    measure = _REGISTRY[bound.measure]
    arguments = dict(bound.params)
    keys: dict[str, Hashable] = {}
    checked = {}
    for key, param in measure.params.items():
        if param.kind == _LAYER:
            arguments[key], keys[key] = layers.resolve(arguments[key], where=where)
            checked[key] = arguments[key]
        elif param.kind == _r.DATE:
            own = arguments[key]
            arguments[key] = _n._as_of(own, what=where) if own is not None else call_as_of
            keys[key] = arguments[key]
        else:
            keys[key] = _value_key(param, arguments[key])
    if measure.narrows is not None:
        target = measure.narrows
        kinds = arguments.pop("kind")
        keys.pop("kind")
        if kinds is not None:
            arguments[target], keys[target] = layers.narrowed(
                arguments[target],
                keys[target],
                _kinds(kinds, where=where),
                label=_layer_label(target, bound.params[target]),
                where=where,
            )
    check_layers(f"{bound.measure} ({where})", parcels=site.parcels, **checked)
    return _Resolved(bound.column, measure, arguments, keys)


def _run(spec: _Resolved, parcels: Any, shared: _Intermediates) -> pd.Series:
    """Call the measure function with its shared intermediates, the column's name
    put in front of its warnings."""
    intermediates = {
        keyword: shared.get(spec, keyword, recipe)[0]
        for keyword, recipe in spec.measure.shared.items()
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnreachableWarning)
        result = spec.measure.function(parcels, **spec.arguments, **intermediates)
    for warning in caught:
        if issubclass(warning.category, UnreachableWarning):
            warnings.warn(f"{spec.column}: {warning.message}", UnreachableWarning, stacklevel=3)
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return result.rename(spec.column)


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
        ``"area_mu"``, ... as the functions name their Series). ``attrs["as_of"]`` is
        the call's ``as_of`` as a Timestamp at midnight, or None.

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
    landasset.MeasureError: spec 0 (...): the features layer 'axes' has no kind 'golden'; its kinds are: 'golden_axis', 'green_corridor', 'urban_axis'
    >>> la.measures.compute(site, ["walk_distanc"])
    Traceback (most recent call last):
    ...
    landasset.MeasureError: spec 0 ('walk_distanc') names an unknown measure 'walk_distanc'; use one of: ...

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
    layers = _Layers(site)
    resolved = [
        _resolve(site, layers, b, call_as_of, where=_describe(i, specs[i]))
        for i, b in enumerate(bound)
    ]
    shared = _Intermediates(parcels)
    out: dict[str, pd.Series] = {}
    for spec in resolved:
        out[spec.column] = _run(spec, parcels, shared)
        if progress is not None:
            progress(spec.column)
    table = pd.DataFrame(out, index=parcels.index)
    table.attrs["as_of"] = call_as_of
    return table
