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

import gc
import multiprocessing
import os
import sys
import threading
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from landasset.measures import _registry as _r

# the measure modules register their functions when imported
from landasset.measures import morphology as _m  # noqa: F401
from landasset.measures import network as _n
from landasset.measures import proximity as _p
from landasset.measures._common import (
    MeasureError,
    UnreachableWarning,
    check_layers,
    geometry_array,
)
from landasset.measures._registry import REQUIRED, MeasureDef, Param, Shared

if TYPE_CHECKING:
    from landasset.site import Site

__all__ = [
    "LAYER_PARAMETERS",
    "MEASURES",
    "REQUIRED",
    "Context",
    "available_cpus",
    "compute",
    "hilbert_partitions",
]

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
    """The shared intermediates of one :func:`compute` call (or one partition of it),
    each built once. Those not built from the parcels go to ``context`` (a
    :class:`Context`'s store, kept beyond the call); the parcels' own stay here."""

    def __init__(self, parcels: Any, context: dict[Hashable, Any] | None = None) -> None:
        self._parcels = parcels
        self._context: dict[Hashable, Any] = {} if context is None else context
        self._own: dict[Hashable, Any] = {}
        # one lock per intermediate: threads that prepare a context side by side
        # build each once (a thread needing one that another builds waits for it)
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, spec: _Resolved, keyword: str, recipe: Shared) -> tuple[Any, Hashable]:
        used = {name: self.get(spec, name, spec.measure.shared[name]) for name in recipe.uses}
        key = (
            recipe.name,
            *(spec.keys[name] if name != "parcels" else "parcels" for name in recipe.inputs),
            *(used_key for _, used_key in used.values()),
        )
        store = self._own if _reads_parcels(spec.measure, recipe) else self._context
        if key not in store:
            with self._guard:
                lock = self._locks.setdefault(key, threading.Lock())
            with lock:
                if key not in store:
                    inputs = {
                        name: self._parcels if name == "parcels" else spec.arguments[name]
                        for name in recipe.inputs
                    }
                    store[key] = recipe.build(
                        **inputs, **{name: value for name, (value, _) in used.items()}
                    )
        return store[key], key


def _reads_parcels(measure: MeasureDef, recipe: Shared) -> bool:
    """Whether ``recipe`` (or one it uses) is built from the parcels."""
    return "parcels" in recipe.inputs or any(
        _reads_parcels(measure, measure.shared[name]) for name in recipe.uses
    )


def _chain_depth(measure: MeasureDef) -> int:
    """How many intermediates deep the longest ``uses`` chain of a measure goes."""

    def depth(recipe: Shared) -> int:
        return 1 + max((depth(measure.shared[name]) for name in recipe.uses), default=0)

    return max((depth(recipe) for recipe in measure.shared.values()), default=0)


def _needs_whole_layer(measure: MeasureDef) -> bool:
    """Whether a measure's column for a parcel may depend on the other parcels: it
    uses an intermediate built from the parcels that is not ``per_parcel``."""

    def whole(recipe: Shared) -> bool:
        own = "parcels" in recipe.inputs and not recipe.per_parcel
        return own or any(whole(measure.shared[name]) for name in recipe.uses)

    return any(whole(recipe) for recipe in measure.shared.values())


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


#: A warning caught while measuring: (category, message, filename, lineno),
#: picklable, so that a worker process can send it back.
_Caught = tuple[type[Warning], Warning, str, int]


def _call(spec: _Resolved, parcels: Any, shared: _Intermediates) -> tuple[pd.Series, list[_Caught]]:
    """Call the measure function with its shared intermediates; its warnings caught."""
    intermediates = {
        keyword: shared.get(spec, keyword, recipe)[0]
        for keyword, recipe in spec.measure.shared.items()
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnreachableWarning)
        result = spec.measure.function(parcels, **spec.arguments, **intermediates)
    return result.rename(spec.column), [
        (w.category, _as_warning(w), w.filename, w.lineno) for w in caught
    ]


def _as_warning(caught: warnings.WarningMessage) -> Warning:
    message = caught.message
    return message if isinstance(message, Warning) else caught.category(str(message))


def _emit(column: str, caught: Sequence[_Caught], n_parcels: int, *, stacklevel: int) -> None:
    """Warn what measuring a column caught, once, the column's name put in front of
    an UnreachableWarning; the walk_distance warnings of several partitions become
    one, their counts added up."""
    unreachable = [w for category, w, *_ in caught if issubclass(category, UnreachableWarning)]
    if unreachable:
        if all(hasattr(w, "reach") for w in unreachable) and len(unreachable) > 1:
            merged: Warning | None = _n.merged_unreachable(unreachable, n_parcels)
        else:
            merged = unreachable[0]
        if merged is not None:
            warnings.warn(f"{column}: {merged}", UnreachableWarning, stacklevel=stacklevel + 1)
    seen: set[tuple[type[Warning], str, str, int]] = set()
    for category, w, filename, lineno in caught:
        once = (category, str(w), filename, lineno)
        if issubclass(category, UnreachableWarning) or once in seen:
            continue
        seen.add(once)
        warnings.warn_explicit(w, category, filename, lineno)


def _run(spec: _Resolved, parcels: Any, shared: _Intermediates) -> pd.Series:
    """Call the measure function with its shared intermediates, the column's name
    put in front of its warnings."""
    result, caught = _call(spec, parcels, shared)
    _emit(spec.column, caught, len(parcels), stacklevel=3)
    return result


#: With ``partitions=None``, a partition holds at least this many parcels (fewer
#: parcels than two of them: one partition, measured in this process) ...
_MIN_PARTITION = 10_000
#: ... and at most this many, with about eight partitions per worker process (the
#: last ones balance the workers; the context is shared, so a partition costs little).
_MAX_PARTITION = 250_000
_PARTS_PER_WORKER = 8


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity where the platform tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every platform
        return max(1, os.cpu_count() or 1)


def _check_count(value: object, *, what: str, default: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise MeasureError(
            f"{what} must be a whole number >= 1, or None for {default}, not {value!r}"
        )
    return int(value)


def _partition_count(n: int, workers: int, partitions: int | None) -> int:
    if n == 0:
        return 1
    if partitions is not None:
        return min(partitions, n)
    if workers == 1 or n < 2 * _MIN_PARTITION:
        return 1
    wanted = max(_PARTS_PER_WORKER * workers, -(-n // _MAX_PARTITION))
    return max(1, min(wanted, n // _MIN_PARTITION))


def _hilbert_keys(x: npt.NDArray[np.int64], y: npt.NDArray[np.int64], bits: int) -> Any:
    """Position along a Hilbert curve of the cells ``(x, y)`` of a 2**bits grid."""
    side = np.int64(1) << bits
    d = np.zeros(len(x), dtype=np.int64)
    s = side >> 1
    while s > 0:
        rx = (x & s) > 0
        ry = (y & s) > 0
        d += s * s * ((3 * rx.astype(np.int64)) ^ ry.astype(np.int64))
        # rotate the quadrant
        flip = ~ry & rx
        x = np.where(flip, side - 1 - x, x)
        y = np.where(flip, side - 1 - y, y)
        swap = ~ry
        x, y = np.where(swap, y, x), np.where(swap, x, y)
        s >>= 1
    return d


def hilbert_partitions(parcels: Any, *, partitions: int) -> list[npt.NDArray[np.intp]]:
    """Split the parcels into ``partitions`` spatially compact parts of near-equal size.

    The parcels are ordered along a Hilbert curve through the centres of their
    bounding boxes (on a 65,536 × 65,536 grid over their extent; parcels without a
    geometry last, ties by position) and cut into consecutive runs. Each part lists
    row positions, ascending.

    Examples
    --------
    >>> import landasset as la
    >>> parcels = la.sample.load("yunqi").parcels
    >>> parts = hilbert_partitions(parcels, partitions=4)
    >>> [len(p) for p in parts] == [len(q) for q in np.array_split(parcels.index, 4)]
    True
    >>> bool(np.array_equal(np.sort(np.concatenate(parts)), np.arange(len(parcels))))
    True
    """
    n = len(parcels)
    box = shapely.bounds(geometry_array(parcels)) if n else np.empty((0, 4))
    cx = (box[:, 0] + box[:, 2]) / 2
    cy = (box[:, 1] + box[:, 3]) / 2
    ok = np.isfinite(cx) & np.isfinite(cy)
    keys = np.zeros(n, dtype=np.int64)
    if ok.any():
        bits = 16
        top = (1 << bits) - 1
        x0, x1 = cx[ok].min(), cx[ok].max()
        y0, y1 = cy[ok].min(), cy[ok].max()
        span = max(x1 - x0, y1 - y0, 1e-9)
        gx = np.clip(((cx[ok] - x0) / span * top).astype(np.int64), 0, top)
        gy = np.clip(((cy[ok] - y0) / span * top).astype(np.int64), 0, top)
        keys[ok] = _hilbert_keys(gx, gy, bits)
    # parcels without a geometry last, then by key, ties by position: one stable
    # sort of one key (keys < 2**32) is the lexsort of the three, at a third of its cost
    order = np.argsort((~ok).astype(np.int64) << 32 | keys, kind="stable")
    return [np.sort(part).astype(np.intp) for part in np.array_split(order, max(1, partitions))]


class Context:
    """What measuring needs besides the parcels, built once and shared.

    A context holds the specs of one :func:`compute` call, checked and resolved
    against a site (its layers, narrowed by ``kind`` where a spec asks), and every
    shared intermediate that is not built from the parcels: the street graph with
    its snapping tree, the trees and grids over each feature layer, the axes'
    segments, the dissolved constraints. :func:`compute` builds one and measures the
    site's parcels with it, in one piece or in spatially compact partitions
    (:func:`hilbert_partitions`) measured side by side in worker processes; the
    columns are the same to the bit for every partitioning, because a parcel's
    value depends only on that parcel and on the context's whole layers. The
    parcels' own intermediates (their snaps to the streets) are built per
    partition; measures whose value for a parcel depends on the other parcels (the
    floor-area measures, by which parcel holds the larger part of a building) are
    computed on all the given parcels at once.

    A context can be pickled (the measures are named, not pickled): worker
    processes get it once each, by fork where the platform has it, and
    :mod:`landasset.scale` sends it once to every worker of a dask cluster.

    Parameters
    ----------
    site : Site
        The district whose layers the specs read (its parcels are not needed, and
        not kept unless a spec reads them as a layer).
    specs, as_of
        As :func:`compute`.

    Attributes
    ----------
    columns : tuple of str
        The columns :meth:`measure` returns, in order.
    as_of : Timestamp or None
        The call's date.
    crs : pyproj.CRS or None
        The site's CRS: parcels measured with it must be in it.
    bounds : tuple of float
        ``(minx, miny, maxx, maxy)`` over every layer of the site: parcels measured
        with the context must lie within it.
    whole_layer : tuple of str
        The columns whose measure needs all the parcels at once.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> specs = ["area_mu", {"measure": "walk_distance", "name": "metro_m"}]
    >>> context = la.measures.Context(site, specs, as_of="2030-01-01")
    >>> context.columns
    ('area_mu', 'metro_m')
    >>> table = context.measure(site.parcels, partitions=3)
    >>> table.equals(la.measures.compute(site, specs, as_of="2030-01-01", workers=1))
    True
    """

    def __init__(
        self, site: Site, specs: Sequence[str | Mapping[str, Any]], *, as_of: Any = None
    ) -> None:
        if isinstance(specs, (str, Mapping)):
            raise MeasureError(
                "specs must be a list of specs; wrap a single spec in a list: [spec]"
            )
        call_as_of = _n._as_of(as_of, what="compute")
        bound = [_bind(i, spec) for i, spec in enumerate(specs)]
        columns = [b.column for b in bound]
        duplicated = sorted({c for c in columns if columns.count(c) > 1})
        if duplicated:
            raise MeasureError(
                f"several specs give the column {duplicated[0]!r}; give each a distinct "
                "'name', e.g. {'measure': 'count_within', 'radius': 500, 'name': 'cafes_500m'}"
            )
        layers = _Layers(site)
        resolved = [
            _resolve(site, layers, b, call_as_of, where=_describe(i, specs[i]))
            for i, b in enumerate(bound)
        ]
        self._specs = tuple(resolved)
        self._built: dict[Hashable, Any] = {}
        self.as_of: pd.Timestamp | None = call_as_of
        self.crs = site.crs
        self.bounds = _site_bounds(site)
        self.columns: tuple[str, ...] = tuple(columns)
        self.whole_layer: tuple[str, ...] = tuple(
            spec.column for spec in resolved if _needs_whole_layer(spec.measure)
        )

    def prepare(self) -> Context:
        """Build every intermediate of the context now (else each is built when a
        measure first needs it), e.g. before sending it to other processes.

        Returns
        -------
        Context
            The context itself.
        """
        self._prepare(self._specs, _Intermediates(None, self._built))
        return self

    @staticmethod
    def _prepare(specs: Sequence[_Resolved], shared: _Intermediates) -> None:
        for spec in specs:
            for keyword, recipe in spec.measure.shared.items():
                if not _reads_parcels(spec.measure, recipe):
                    _warm(shared.get(spec, keyword, recipe)[0], spec.arguments)

    def __repr__(self) -> str:
        return f"<Context columns={list(self.columns)!r} as_of={self.as_of!r}>"

    # pickled by measure name: the registry's functions and recipes stay where they are
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_specs"] = tuple(
            (s.column, s.measure.name, s.arguments, s.keys) for s in self._specs
        )
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state["_specs"] = tuple(
            _Resolved(column, _REGISTRY[name], arguments, keys)
            for column, name, arguments, keys in state["_specs"]
        )
        self.__dict__.update(state)

    def check_parcels(self, parcels: Any) -> None:
        """Refuse parcels that the context does not cover.

        Raises
        ------
        MeasureError
            The parcels are not a GeoDataFrame or GeoSeries, are in another CRS than
            the context's site, or reach outside :attr:`bounds`: their measures would
            read layers that stop short of them.
        """
        if not isinstance(parcels, (gpd.GeoDataFrame, gpd.GeoSeries)):
            raise MeasureError(
                f"parcels must be a GeoDataFrame or GeoSeries, not {type(parcels).__name__}"
            )
        if len(parcels) == 0:
            return
        if self.crs is not None and (parcels.crs is None or not parcels.crs.equals(self.crs)):
            raise MeasureError(
                f"the parcels are in {parcels.crs!r} but the context's site in "
                f"{self.crs.to_string()}; reproject them with parcels.to_crs(site.crs)"
            )
        box = parcels.total_bounds
        if not np.isfinite(box).all():
            return  # no geometry at all: nothing to cover
        lo_x, lo_y, hi_x, hi_y = self.bounds
        tol = 1e-6
        if box[0] < lo_x - tol or box[1] < lo_y - tol or box[2] > hi_x + tol or box[3] > hi_y + tol:
            raise MeasureError(
                "the context does not cover the parcels: they reach "
                f"({box[0]:.1f}, {box[1]:.1f}, {box[2]:.1f}, {box[3]:.1f}) but the site's "
                f"layers span ({lo_x:.1f}, {lo_y:.1f}, {hi_x:.1f}, {hi_y:.1f}); build the "
                "context from a site whose layers cover every parcel (the whole district "
                "or province), not from a part of it"
            )

    def _measure_part(
        self, parcels: Any, *, whole_layer: bool = False
    ) -> tuple[pd.DataFrame, dict[str, list[_Caught]]]:
        """The columns of the partition's parcels (the whole-layer ones only when
        ``whole_layer``), and the warnings each caught."""
        shared = _Intermediates(parcels, self._built)
        out: dict[str, pd.Series] = {}
        caught: dict[str, list[_Caught]] = {}
        for spec in self._specs:
            if (spec.column in self.whole_layer) != whole_layer:
                continue
            out[spec.column], caught[spec.column] = _call(spec, parcels, shared)
        return pd.DataFrame(out, index=parcels.index), caught

    def measure_partition(self, parcels: Any) -> tuple[pd.DataFrame, dict[str, list[Any]]]:
        """Measure one partition of a larger parcel set, its warnings kept, not shown.

        For code that spreads partitions over other machines
        (:mod:`landasset.scale`): every column, the whole-layer ones included
        (measured on these parcels only), and per column the warnings it caught
        (picklable), which :meth:`warn` turns into the warnings of one call over all
        the partitions.

        Returns
        -------
        (DataFrame, dict)
            The columns on ``parcels.index``; column → warnings caught.
        """
        self.check_parcels(parcels)
        frame, caught = self._measure_part(parcels)
        if self.whole_layer:
            whole, whole_caught = self._measure_part(parcels, whole_layer=True)
            for column in whole.columns:
                frame[column] = whole[column]
            caught.update(whole_caught)
        return frame[list(self.columns)], caught

    def warn(self, caught: Sequence[Mapping[str, list[Any]]], *, n_parcels: int) -> None:
        """Show the warnings that :meth:`measure_partition` kept for each partition,
        as one call over ``n_parcels`` parcels would: once per column, the
        unreachable counts added up."""
        for column in self.columns:
            found = [w for part in caught for w in part.get(column, [])]
            _emit(column, found, n_parcels, stacklevel=2)

    def measure(
        self,
        parcels: Any,
        *,
        workers: int | None = 1,
        partitions: int | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> pd.DataFrame:
        """Measure parcels: one column per spec, aligned on ``parcels.index``.

        Parameters
        ----------
        parcels : GeoDataFrame or GeoSeries
            In the context's CRS and within its :attr:`bounds`.
        workers, partitions, progress
            As :func:`compute` (``workers`` defaults to 1 here).

        Returns
        -------
        DataFrame
            As :func:`compute`.
        """
        if progress is not None and not callable(progress):
            raise MeasureError(
                f"progress must be a callable taking a column name (or None), not {progress!r}"
            )
        n_workers = _check_count(workers, what="workers", default="the CPUs available")
        if n_workers is None:
            # processes by default only where they fork: a started (spawned) process
            # imports the caller's __main__ again, which a script must guard
            n_workers = available_cpus() if _start_method() == "fork" else 1
        n_parts = _check_count(partitions, what="partitions", default="a size chosen by workers")
        self.check_parcels(parcels)
        n = len(parcels)
        count = _partition_count(n, n_workers, n_parts)
        if count == 1:
            # one piece, in this process, each column reported as it is done
            shared = _Intermediates(parcels, self._built)
            out: dict[str, pd.Series] = {}
            for spec in self._specs:
                out[spec.column] = _run(spec, parcels, shared)
                if progress is not None:
                    progress(spec.column)
            return self._table(out, parcels.index)
        parts = self._split_and_prepare(parcels, count)
        whole_part: list[tuple[pd.DataFrame, dict[str, list[_Caught]]]] = []

        def measure_whole() -> None:
            # the whole-layer columns, in this process, while the workers measure
            # the partitions (in turn with them for one worker)
            whole_part.append(self._measure_part(parcels, whole_layer=True))

        results = _measure_parts(
            self, parcels, parts, n_workers, meanwhile=measure_whole if self.whole_layer else None
        )
        positions = np.concatenate(parts)
        frames = [frame for frame, _ in results]
        table = pd.concat(frames) if frames else pd.DataFrame(index=parcels.index[:0])
        table = table.iloc[np.argsort(positions, kind="stable")]
        caught: dict[str, list[_Caught]] = {c: [] for c in self.columns}
        for _, part_caught in results:
            for column, found in part_caught.items():
                caught[column].extend(found)
        whole: pd.DataFrame | None = None
        if whole_part:
            whole, whole_caught = whole_part[0]
            for column, found in whole_caught.items():
                caught[column].extend(found)
        out = {}
        for column in self.columns:
            source = whole if whole is not None and column in self.whole_layer else table
            out[column] = source[column]
            _emit(column, caught[column], n, stacklevel=2)
            if progress is not None:
                progress(column)
        return self._table(out, parcels.index)

    def map_partitions(
        self,
        parcels: Any,
        function: Callable[[Any, pd.DataFrame], Any],
        *,
        workers: int | None = 1,
        partitions: int | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> list[tuple[npt.NDArray[np.intp], Any]]:
        """Measure parcels partition by partition and call ``function(parcels_part,
        table_part)`` where each partition was measured, in its worker process.

        What :meth:`measure` does, with a next step run beside it: whatever only
        needs the partition's parcels and columns (scoring them, summing them) is
        spread over the workers too, and only its (smaller) results come back.

        Parameters
        ----------
        parcels : GeoDataFrame or GeoSeries
            In the context's CRS and within its :attr:`bounds`.
        function : callable
            ``function(parcels_part, table_part)``: the partition's rows of
            ``parcels`` and their columns (as :meth:`measure` returns them). It must
            be picklable where processes are started rather than forked.
        workers, partitions, progress
            As :meth:`measure`. With one partition everything runs here, and
            ``progress(column)`` is called as each column is done; otherwise once per
            column at the end.

        Returns
        -------
        list of (ndarray, object)
            Per partition, in order: the row positions of its parcels in
            ``parcels`` (ascending) and what ``function`` returned. The warnings of
            the measures are shown once, as one :meth:`measure` call would.

        Raises
        ------
        MeasureError
            As :meth:`measure`; or a column needs every parcel at once
            (:attr:`whole_layer`): use :meth:`measure`.

        Examples
        --------
        >>> import landasset as la
        >>> site = la.sample.load("yunqi")
        >>> context = la.measures.Context(site, ["area_mu"])
        >>> parts = context.map_partitions(
        ...     site.parcels, lambda p, t: t["area_mu"].sum(), partitions=3
        ... )
        >>> [len(rows) for rows, _ in parts] == [152, 152, 151]
        True
        >>> bool(abs(sum(total for _, total in parts) - la.measures.area_mu(site.parcels).sum()) < 1e-6)
        True
        """
        if not callable(function):
            raise MeasureError(
                "function must be a callable taking a partition's parcels and its "
                f"columns, not {function!r}"
            )
        if progress is not None and not callable(progress):
            raise MeasureError(
                f"progress must be a callable taking a column name (or None), not {progress!r}"
            )
        if self.whole_layer:
            raise MeasureError(
                f"{', '.join(self.whole_layer)} need every parcel at once and cannot be "
                "measured partition by partition; use Context.measure"
            )
        n_workers = _check_count(workers, what="workers", default="the CPUs available")
        if n_workers is None:
            n_workers = available_cpus() if _start_method() == "fork" else 1
        n_parts = _check_count(partitions, what="partitions", default="a size chosen by workers")
        self.check_parcels(parcels)
        n = len(parcels)
        count = _partition_count(n, n_workers, n_parts)
        if count == 1:
            shared = _Intermediates(parcels, self._built)
            out: dict[str, pd.Series] = {}
            for spec in self._specs:
                out[spec.column] = _run(spec, parcels, shared)
                if progress is not None:
                    progress(spec.column)
            table = self._table(out, parcels.index)
            return [(np.arange(n, dtype=np.intp), function(parcels, table))]
        parts = self._split_and_prepare(parcels, count)
        results = _measure_parts(self, parcels, parts, n_workers, then=function)
        for column in self.columns:
            found = [w for _, caught in results for w in caught.get(column, [])]
            _emit(column, found, n, stacklevel=2)
            if progress is not None:
                progress(column)
        return [(part, result) for part, (result, _) in zip(parts, results, strict=True)]

    def _split_and_prepare(self, parcels: Any, count: int) -> list[npt.NDArray[np.intp]]:
        """The Hilbert partitions, and the context prepared, on two threads (serial
        work before the workers start; numpy, scipy and GEOS leave the GIL for much
        of it): the specs of one measure together (they share most), the largest
        group first, each intermediate built once whatever thread needs it."""
        groups: dict[str, list[_Resolved]] = {}
        for spec in self._specs:
            groups.setdefault(spec.measure.name, []).append(spec)
        # chains first (an intermediate built from another: the street graph, then the
        # stations on it), so the longest work starts at once
        ordered = sorted(groups.values(), key=lambda g: -_chain_depth(g[0].measure))
        shared = _Intermediates(None, self._built)
        with ThreadPoolExecutor(max_workers=2) as pool:
            parts = pool.submit(hilbert_partitions, parcels, partitions=count)
            built = [pool.submit(self._prepare, group, shared) for group in ordered]
            for done in built:
                done.result()
            return parts.result()

    def _table(self, out: Mapping[str, pd.Series], index: pd.Index) -> pd.DataFrame:
        table = pd.DataFrame(out, index=index)
        table.attrs["as_of"] = self.as_of
        return table


def _warm(intermediate: Any, arguments: Mapping[str, Any]) -> None:
    """Build the caches an intermediate fills on first use, so that they are built
    once here and not once per partition: the street graph's snapping tree, a point
    set's grid for the spec's radius (from the parcels' edges) or its KD-tree (from
    their centroids)."""
    if isinstance(intermediate, _n.StreetGraph) and intermediate.n_edges:
        intermediate._samples  # noqa: B018 (a cached property)
    elif isinstance(intermediate, _p.PointTree) and len(intermediate.xy):
        # from the parcel's edge the grid answers, from its centroid the KD-tree:
        # only the one the spec reads is built
        radius = arguments.get("radius")
        if arguments.get("origin") == "edge" and isinstance(radius, (int, float)) and radius > 0:
            intermediate.grid(float(radius))
        else:
            intermediate.tree  # noqa: B018 (a cached property)


def _site_bounds(site: Site) -> tuple[float, float, float, float]:
    boxes = [
        layer.total_bounds for layer in site.layers.values() if layer is not None and len(layer)
    ]
    boxes = [b for b in boxes if np.isfinite(b).all()]
    if not boxes:
        return (np.inf, np.inf, -np.inf, -np.inf)
    stack = np.vstack(boxes)
    return (
        float(stack[:, 0].min()),
        float(stack[:, 1].min()),
        float(stack[:, 2].max()),
        float(stack[:, 3].max()),
    )


# -- worker processes ----------------------------------------------------------------

#: What a worker process of a partitioned compute() holds: the context, and the
#: parcels when they came by fork (then a task names its rows only).
_WORKER: dict[str, Any] = {}


def _start_method() -> str:
    """fork where the platform has it and it is safe to use (the workers inherit the
    context without a pickle); forkserver or spawn elsewhere (one pickle per worker)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.version_info < (3, 12):
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _worker_start(context: Context, parcels: Any, then: Callable[..., Any] | None = None) -> None:
    # the processes share the CPUs: one snapping thread each
    _n._PROCESS_THREADS = 1
    _WORKER["context"] = context
    _WORKER["parcels"] = parcels
    _WORKER["then"] = then


def _measured(
    context: Context, rows: Any, then: Callable[..., Any] | None
) -> tuple[Any, dict[str, list[_Caught]]]:
    frame, caught = context._measure_part(rows)
    if then is None:
        return frame, caught
    frame.attrs["as_of"] = context.as_of
    return then(rows, frame), caught


def _worker_part(part: Any) -> tuple[Any, dict[str, list[_Caught]]]:
    context: Context = _WORKER["context"]
    parcels = _WORKER["parcels"]
    rows = parcels.iloc[part] if parcels is not None else part
    return _measured(context, rows, _WORKER["then"])


def _measure_parts(
    context: Context,
    parcels: Any,
    parts: list[npt.NDArray[np.intp]],
    workers: int,
    *,
    meanwhile: Callable[[], None] | None = None,
    then: Callable[..., Any] | None = None,
) -> list[tuple[Any, dict[str, list[_Caught]]]]:
    """Measure each partition, in worker processes when ``workers`` > 1, and call
    ``meanwhile()`` in this process while they work (after them for one worker).
    With ``then``, each partition's result is ``then(rows, table)``, called where
    the partition was measured."""
    if workers == 1:
        results = [_measured(context, parcels.iloc[part], then) for part in parts]
        if meanwhile is not None:
            meanwhile()
        return results
    method = _start_method()
    forked = method == "fork"
    if forked:
        # the objects the workers inherit leave the collector's reach: a collection
        # in a worker would otherwise write to every one of them (copy-on-write of
        # the whole heap, page by page)
        gc.freeze()
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(parts)),
        mp_context=multiprocessing.get_context(method),
        initializer=_worker_start,
        initargs=(context, parcels if forked else None, then),
    )
    try:
        futures = [
            pool.submit(_worker_part, part if forked else parcels.iloc[part]) for part in parts
        ]
        if meanwhile is not None:
            meanwhile()
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if forked:
            gc.unfreeze()


def compute(
    site: Site,
    specs: Sequence[str | Mapping[str, Any]],
    *,
    as_of: Any = None,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    partitions: int | None = None,
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
        Not called when validation fails, nor for a spec whose measure raised. With
        several partitions, called for every column in order once all of them are
        measured.
    workers : int, optional
        Processes that measure partitions of the parcels side by side. Default: the
        CPUs available to the process (:func:`available_cpus`) where processes are
        forked (Linux, Python before 3.12), else 1: a spawned process imports the
        calling script again, so ask for them explicitly there, from code under
        ``if __name__ == "__main__":``. The context (street
        graph, snapping tree, feature trees, point grids) is built once, here, and
        shared with them (by fork where the platform has it, else one pickle per
        process). The result does not depend on it, to the bit.
    partitions : int, optional
        Measure the parcels in this many spatially compact partitions
        (:func:`hilbert_partitions`), in this process when ``workers`` is 1. Default:
        one partition for one worker or fewer than 20,000 parcels, else about four
        per worker of 10,000 to 250,000 parcels each. The result does not depend
        on it, to the bit.

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
        not callable, ``workers`` or ``partitions`` is not a whole number >= 1.
        Every spec is checked before anything runs.

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

    Measured in partitions, the table is the same to the bit:

    >>> table = la.measures.compute(site, ["area_mu", {"measure": "walk_distance"}])
    >>> parts = la.measures.compute(
    ...     site, ["area_mu", {"measure": "walk_distance"}], workers=1, partitions=5
    ... )
    >>> parts.equals(table)
    True
    """
    if progress is not None and not callable(progress):
        raise MeasureError(
            f"progress must be a callable taking a column name (or None), not {progress!r}"
        )
    context = Context(site, specs, as_of=as_of)
    return context.measure(site.parcels, workers=workers, partitions=partitions, progress=progress)
