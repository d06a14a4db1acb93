"""An incremental spatial index over a changing set of parcels.

Editing work — splitting a parcel, merging two, drawing a new one — changes one or
two parcels at a time and asks "what is around here now?" after each change.
:class:`ParcelIndex` answers that with an R-tree (libspatialindex through ``rtree``)
that takes single inserts and deletes, where a bulk-loaded tree such as
:class:`shapely.STRtree` would have to be rebuilt after every edit.

Examples
--------
>>> import landasset as la
>>> from shapely import box
>>> from landasset.index import ParcelIndex
>>> site = la.sample.load("yunqi")
>>> index = ParcelIndex.from_frame(site.parcels)
>>> len(index) == len(site.parcels), "XH120101-08" in index
(True, True)
>>> geometry = index.geometry("XH120101-08")
>>> index.query(geometry, predicate="intersects")[:1] != []
True
>>> index.delete("XH120101-08")
>>> "XH120101-08" in index
False
>>> index.insert("XH120101-08", geometry)
>>> index.nearest(geometry.centroid, top_k=1)
['XH120101-08']
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from rtree import index as _rtree
from shapely.geometry.base import BaseGeometry

from landasset._compat import renamed
from landasset._errors import (
    LandassetKeyError,
    LandassetTypeError,
    ParcelIndexError,
    SchemaError,
)

__all__ = ["PREDICATES", "ParcelIndex", "ParcelIndexError"]

#: Predicates :meth:`ParcelIndex.query` checks exactly, as ``predicate(geometry, parcel)``
#: (the same reading as :meth:`shapely.STRtree.query`).
PREDICATES: tuple[str, ...] = (
    "intersects",
    "within",
    "contains",
    "overlaps",
    "crosses",
    "touches",
    "covers",
    "covered_by",
    "contains_properly",
)

Bounds = tuple[float, float, float, float]


def _properties() -> _rtree.Property:
    # A linear-split R-tree with small nodes, loaded 40 % full: single deletes and
    # inserts on a bulk-loaded tree cost ~50 us instead of ~1 ms with the defaults
    # (measured on 100,000 parcels; see benchmarks/measures.py).
    props = _rtree.Property()
    props.variant = _rtree.RT_Linear
    props.leaf_capacity = 16
    props.index_capacity = 16
    props.fill_factor = 0.4
    props.near_minimum_overlap_factor = 8
    return props


def _check_id(parcel_id: object) -> str:
    if not isinstance(parcel_id, str):
        raise LandassetTypeError(
            f"parcel ids are strings (such as 'XH120101-08'), not {type(parcel_id).__name__} "
            f"{parcel_id!r}; convert with str()"
        )
    return parcel_id


def _check_geometry(parcel_id: str, geometry: object) -> BaseGeometry:
    if not isinstance(geometry, BaseGeometry) or geometry.is_empty:
        raise SchemaError(
            f"parcel {parcel_id!r} has no geometry ({geometry!r}); an index holds only "
            "parcels with a shape: drop or repair it first"
        )
    return geometry


class ParcelIndex:
    """An R-tree over parcels keyed by their string id, editable one parcel at a time.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries, optional
        Parcels to load at once (bulk-loaded); their index gives the ids. Same as
        :meth:`from_frame`.

    Notes
    -----
    The index keeps each parcel's geometry, so queries check predicates and distances
    exactly after the bounding-box search. It holds no CRS: give every geometry in
    one CRS. It is not thread-safe for concurrent edits.
    """

    def __init__(self, parcels: gpd.GeoDataFrame | gpd.GeoSeries | None = None) -> None:
        self._key_of: dict[str, int] = {}
        self._id_of: dict[int, str] = {}
        self._geometry: dict[int, BaseGeometry] = {}
        self._bounds: dict[int, Bounds] = {}
        self._next = 0
        if parcels is None or len(parcels) == 0:
            self._tree = _rtree.Index(interleaved=True, properties=_properties())
            return
        series = parcels.geometry if isinstance(parcels, gpd.GeoDataFrame) else parcels
        ids = [str(i) for i in series.index]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise SchemaError(f"parcel id {dup!r} appears more than once; ids must be unique")
        geoms = np.asarray(series.array, dtype=object)
        bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        if bad.any():
            _check_geometry(ids[int(np.flatnonzero(bad)[0])], None)
        bounds = shapely.bounds(geoms)
        for key, (pid, geom, box) in enumerate(zip(ids, geoms, bounds, strict=True)):
            self._key_of[pid] = key
            self._id_of[key] = pid
            self._geometry[key] = geom
            self._bounds[key] = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
        self._next = len(ids)
        stream = ((key, self._bounds[key], None) for key in range(len(ids)))
        self._tree = _rtree.Index(stream, interleaved=True, properties=_properties())

    @classmethod
    def from_frame(cls, parcels: gpd.GeoDataFrame | gpd.GeoSeries) -> ParcelIndex:
        """Bulk-load the parcels of a frame (ids from its index, made strings).

        Examples
        --------
        >>> import landasset as la
        >>> index = ParcelIndex.from_frame(la.sample.load("yunqi").parcels)
        >>> len(index) > 300
        True
        """
        return cls(parcels)

    # -- container protocol -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._key_of)

    def __contains__(self, parcel_id: object) -> bool:
        return parcel_id in self._key_of

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._key_of))

    def __repr__(self) -> str:
        return f"<ParcelIndex parcels={len(self):,}>"

    def geometry(self, parcel_id: str) -> BaseGeometry:
        """The stored geometry of a parcel."""
        return self._geometry[self._key(parcel_id)]

    def _key(self, parcel_id: str) -> int:
        _check_id(parcel_id)
        try:
            return self._key_of[parcel_id]
        except KeyError:
            raise LandassetKeyError(
                f"parcel {parcel_id!r} is not in the index; check the id, or insert() it first"
            ) from None

    # -- edits ------------------------------------------------------------------------
    def insert(self, parcel_id: str, geometry: BaseGeometry) -> None:
        """Add a parcel; an id already present is an error (use :meth:`update`)."""
        _check_id(parcel_id)
        _check_geometry(parcel_id, geometry)
        if parcel_id in self._key_of:
            raise LandassetKeyError(
                f"parcel {parcel_id!r} is already in the index; use update() to change it"
            )
        key = self._next
        self._next += 1
        box = geometry.bounds
        self._key_of[parcel_id] = key
        self._id_of[key] = parcel_id
        self._geometry[key] = geometry
        self._bounds[key] = box
        self._tree.insert(key, box)

    def delete(self, parcel_id: str) -> None:
        """Remove a parcel (:class:`~landasset.LandassetKeyError`, a ``KeyError``, if it
        is not there)."""
        key = self._key(parcel_id)
        self._tree.delete(key, self._bounds.pop(key))
        del self._key_of[parcel_id], self._id_of[key], self._geometry[key]

    def update(self, parcel_id: str, geometry: BaseGeometry) -> None:
        """Replace a parcel's geometry (:class:`~landasset.LandassetKeyError`, a
        ``KeyError``, if it is not there)."""
        _check_geometry(parcel_id, geometry)
        key = self._key(parcel_id)
        self._tree.delete(key, self._bounds[key])
        box = geometry.bounds
        self._bounds[key] = box
        self._geometry[key] = geometry
        self._tree.insert(key, box)

    # -- queries ----------------------------------------------------------------------
    def query(
        self,
        bbox_or_geometry: BaseGeometry | Sequence[float],
        *,
        predicate: str | None = None,
    ) -> list[str]:
        """Ids of the parcels found by a box or a geometry, sorted.

        Parameters
        ----------
        bbox_or_geometry : shapely geometry or (minx, miny, maxx, maxy)
            What to search with.
        predicate : str, optional
            One of :data:`PREDICATES`, checked exactly as
            ``predicate(bbox_or_geometry, parcel)`` after the bounding-box search (as
            :meth:`shapely.STRtree.query` reads it: ``"contains"`` finds the parcels
            the geometry contains, ``"within"`` the parcels it lies within). None: the
            parcels whose bounding boxes intersect the search's bounding box.

        Returns
        -------
        list of str

        Examples
        --------
        >>> import landasset as la
        >>> site = la.sample.load("yunqi")
        >>> index = ParcelIndex.from_frame(site.parcels)
        >>> minx, miny, maxx, maxy = site.parcels.total_bounds
        >>> len(index.query((minx, miny, maxx, maxy))) == len(site.parcels)
        True
        >>> index.query((minx, miny, maxx, maxy), predicate="near")
        Traceback (most recent call last):
        ...
        landasset.ParcelIndexError: 'near' is not a predicate of ParcelIndex.query; use one of: 'intersects', ...
        """
        if predicate is not None and predicate not in PREDICATES:
            raise ParcelIndexError(
                f"{predicate!r} is not a predicate of ParcelIndex.query; use one of: "
                + ", ".join(map(repr, PREDICATES))
            )
        geometry: BaseGeometry | None
        if isinstance(bbox_or_geometry, BaseGeometry):
            if bbox_or_geometry.is_empty:
                return []
            geometry = bbox_or_geometry
            box = geometry.bounds
        else:
            box = _as_bounds(bbox_or_geometry)
            geometry = shapely.box(*box) if predicate is not None else None
        keys = list(self._tree.intersection(box))
        if predicate is not None and keys:
            candidates = np.array([self._geometry[k] for k in keys], dtype=object)
            hit = getattr(shapely, predicate)(geometry, candidates)
            keys = [k for k, ok in zip(keys, hit, strict=True) if ok]
        return sorted(self._id_of[k] for k in keys)

    def nearest(self, geometry: BaseGeometry, *, top_k: int = 1, k: int | None = None) -> list[str]:
        """The ``top_k`` parcels nearest to a geometry by exact distance.

        Parameters
        ----------
        geometry : shapely geometry
            Distances are measured from it to each parcel polygon (0 when they touch
            or overlap).
        top_k : int, default 1
            How many; fewer when the index holds fewer parcels.
        k : int, optional
            Deprecated spelling of ``top_k`` (FutureWarning); removed in the next
            release.

        Returns
        -------
        list of str
            Ordered by distance, ties by id.

        Examples
        --------
        >>> import landasset as la
        >>> site = la.sample.load("yunqi")
        >>> index = ParcelIndex.from_frame(site.parcels)
        >>> near = index.nearest(site.stations.geometry.iloc[0], top_k=3)
        >>> len(near)
        3
        """
        top_k = renamed(k, top_k, old="k", new="top_k", where="ParcelIndex.nearest")
        if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
            raise ParcelIndexError(f"top_k must be a whole number >= 1, not {top_k!r}")
        if not isinstance(geometry, BaseGeometry) or geometry.is_empty:
            raise ParcelIndexError(f"nearest needs a non-empty shapely geometry, not {geometry!r}")
        total = len(self)
        if total == 0:
            return []
        want = min(int(top_k), total)
        box = geometry.bounds
        n = want
        while True:
            keys = list(self._tree.nearest(box, num_results=n))
            geoms = np.array([self._geometry[key] for key in keys], dtype=object)
            dist = shapely.distance(geometry, geoms)
            order = sorted(range(len(keys)), key=lambda i: (dist[i], self._id_of[keys[i]]))
            if len(keys) >= total:
                break
            # every parcel not returned is at least as far (by box) as the farthest box
            # returned; the exact distance is never below the box distance
            box_dist = max(_box_distance(box, self._bounds[key]) for key in keys)
            if dist[order[want - 1]] < box_dist:
                break
            n = min(n * 2, total)
        return [self._id_of[keys[i]] for i in order[:want]]


def _as_bounds(value: Any) -> Bounds:
    try:
        minx, miny, maxx, maxy = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ParcelIndexError(
            f"expected a shapely geometry or a bounding box (minx, miny, maxx, maxy), not {value!r}"
        ) from None
    if minx > maxx or miny > maxy:
        raise ParcelIndexError(
            f"bounding box {value!r} has min > max; give (minx, miny, maxx, maxy)"
        )
    return minx, miny, maxx, maxy


def _box_distance(a: Bounds, b: Bounds) -> float:
    dx = max(b[0] - a[2], a[0] - b[2], 0.0)
    dy = max(b[1] - a[3], a[1] - b[3], 0.0)
    return float(np.hypot(dx, dy))
