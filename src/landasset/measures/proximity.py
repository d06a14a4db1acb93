"""Straight-line proximity: nearest features, counts and sums within a radius,
frontage along axes, industry clusters and constraint shares.

Distances are measured from the parcel *polygon* (its edge; 0 when it touches or
contains the feature), not from its centroid, unless ``origin="centroid"`` is asked
for. Every function returns a Series named after the measure and aligned on
``parcels.index``:

========================  =======================  ======================================
function                  Series name              meaning
========================  =======================  ======================================
:func:`nearest_distance`  ``nearest_distance_m``   metres to the nearest feature (inf: none)
:func:`nearest_id`        ``nearest_id``           index value of that feature (None: none)
:func:`count_within`      ``count_within``         points within the radius (int)
:func:`sum_within`        ``sum_within``           sum of a column over those points
:func:`frontage`          ``frontage_m``           metres of boundary along the axes
:func:`cluster_strength`  ``cluster_strength``     same-industry enterprises within radius
:func:`constrained_share` ``constrained_share``    share 0–1 of the area under constraints
========================  =======================  ======================================

Features, points, axes and constraints without geometry (None or empty) have no
location: they are never nearest and never within a radius. Parcels without geometry
are an error (:class:`~landasset.SchemaError`).

Examples
--------
>>> import landasset as la
>>> from landasset.measures import count_within, nearest_distance
>>> site = la.sample.load("yunqi")
>>> d = nearest_distance(site.parcels, site.axes)
>>> d.name, bool((d >= 0).all())
('nearest_distance_m', True)
>>> n = count_within(site.parcels, site.amenities, 500)
>>> n.dtype.kind, bool(n.sum() > 0)
('i', True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from landasset.measures._common import (
    CHUNK,
    Layer,
    MeasureError,
    category_mask,
    check_choice,
    check_layers,
    check_positive,
    chunks,
    geometry_array,
    line_segments,
    parcel_geometries,
    point_array,
    present,
    series,
)
from landasset.measures._registry import (
    BOOL,
    CHOICE,
    NUMBER,
    TEXT,
    TEXTS,
    Param,
    Shared,
    measure,
)

__all__ = [
    "ORIGINS",
    "AxisSegments",
    "DissolvedConstraints",
    "FeatureTree",
    "PointTree",
    "axis_segments",
    "cluster_strength",
    "constrained_share",
    "count_within",
    "dissolve_constraints",
    "feature_tree",
    "frontage",
    "nearest_distance",
    "nearest_id",
    "point_tree",
    "sum_within",
]

#: Where radii are measured from: the parcel polygon's edge, or its centroid.
ORIGINS: tuple[str, ...] = ("edge", "centroid")
Origin = Literal["edge", "centroid"]

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
GeomArray = npt.NDArray[np.object_]


# ---------------------------------------------------------------------------------------
# nearest feature
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FeatureTree:
    """A feature layer broken into small pieces for a tight tree: the intermediate of
    :func:`nearest_distance` and :func:`nearest_id` (build it with
    :func:`feature_tree`).

    Lines and polygon rings become 2-point segments, multi-parts become parts;
    ``owner`` maps every piece back to the feature's position. Polygon parts are kept
    apart to find parcels that overlap a polygon (distance 0). Why pieces: a tree
    over whole features gives long lines huge boxes, so every query would measure
    them; over 2-point segments the boxes are tight. The plain reference path,
    ``shapely.distance`` from each parcel to every feature, is what
    tests/measures/test_proximity.py compares to.
    """

    pieces: GeomArray
    owner: IntArray
    tree: shapely.STRtree
    polygons: GeomArray
    polygon_owner: IntArray
    polygon_tree: shapely.STRtree | None
    n_features: int


def _features(layer: Layer) -> FeatureTree:
    geoms = geometry_array(layer)
    rows = np.flatnonzero(present(geoms))
    parts, part_owner = shapely.get_parts(geoms[rows], return_index=True)
    part_owner = rows[part_owner]
    # GeometryCollections may hold multi-part members: flatten once more
    multi = np.isin(
        shapely.get_type_id(parts),
        (
            shapely.GeometryType.MULTIPOINT,
            shapely.GeometryType.MULTILINESTRING,
            shapely.GeometryType.MULTIPOLYGON,
            shapely.GeometryType.GEOMETRYCOLLECTION,
        ),
    )
    if multi.any():
        inner, inner_owner = shapely.get_parts(parts[multi], return_index=True)
        parts = np.concatenate([parts[~multi], inner])
        part_owner = np.concatenate([part_owner[~multi], part_owner[multi][inner_owner]])
    parts = np.asarray(parts, dtype=object)
    types = shapely.get_type_id(parts)
    is_point = types == shapely.GeometryType.POINT
    is_polygon = types == shapely.GeometryType.POLYGON
    # segments of lines and of polygon rings
    nonpoint = np.flatnonzero(~is_point)
    start, end, seg_part = line_segments(parts[nonpoint])
    seg_owner = part_owner[nonpoint][seg_part]
    segments = (
        shapely.linestrings(np.stack([start, end], axis=1)) if len(start) else np.empty(0, object)
    )
    # a line that is one repeated point has no segment: it stays a point
    produced = np.zeros(len(nonpoint), dtype=bool)
    produced[seg_part] = True
    lone = nonpoint[~produced & ~is_polygon[nonpoint]]
    points = np.concatenate([parts[is_point], shapely.get_point(parts[lone], 0)])
    pieces = np.concatenate([np.asarray(segments, dtype=object), np.asarray(points, dtype=object)])
    owner = np.concatenate([seg_owner, part_owner[is_point], part_owner[lone]]).astype(np.intp)
    polygons = parts[is_polygon]
    polygon_owner = part_owner[is_polygon].astype(np.intp)
    return FeatureTree(
        pieces=pieces,
        owner=owner,
        tree=shapely.STRtree(pieces),
        polygons=polygons,
        polygon_owner=polygon_owner,
        polygon_tree=shapely.STRtree(polygons) if len(polygons) else None,
        n_features=len(geoms),
    )


def feature_tree(features: Layer) -> FeatureTree:
    """The tree :func:`nearest_distance` and :func:`nearest_id` search.

    Build it once and pass it as their ``tree=`` to measure several parcel layers,
    or both measures, against the same features;
    :func:`~landasset.measures.compute` does.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> tree = la.measures.feature_tree(site.stations)
    >>> d = la.measures.nearest_distance(site.parcels, site.stations, tree=tree)
    >>> d.equals(la.measures.nearest_distance(site.parcels, site.stations))
    True
    """
    check_layers("feature_tree", features=features)
    return _features(features)


def _same_source(
    given: object, expected: type, size: str, layer: Layer, *, what: str, name: str = "tree"
) -> None:
    """Refuse an intermediate of the wrong type or built from a layer of another size."""
    if not isinstance(given, expected):
        raise MeasureError(
            f"{what}: {name} must be the {expected.__name__} built from the same layer "
            f"(see landasset.measures), not a {type(given).__name__}"
        )
    n = getattr(given, size)
    if n != len(layer):
        raise MeasureError(
            f"{what}: the {expected.__name__} was built from {n} features, not from these "
            f"{len(layer)}; build it from the same layer, or leave it out"
        )


def _nearest(
    parcels: Layer, features: Layer, tree: FeatureTree | None, *, what: str, ids: bool = True
) -> tuple[FloatArray, IntArray]:
    """``(distance, feature position)`` per parcel; (inf, -1) when there is no feature."""
    geoms = parcel_geometries(parcels, what=what)
    n = len(geoms)
    distance = np.full(n, np.inf)
    nearest = np.full(n, -1, dtype=np.intp)
    if tree is None:
        feats = _features(features)
    else:
        _same_source(tree, FeatureTree, "n_features", features, what=what)
        feats = tree
    if len(feats.pieces) == 0 and len(feats.polygons) == 0:
        return distance, nearest
    for part in chunks(n):
        g = geoms[part]
        if len(feats.pieces):
            # all ties are needed only to name the first feature among them
            (p_idx, f_idx), d = feats.tree.query_nearest(g, return_distance=True, all_matches=ids)
            owner = feats.owner[f_idx]
            # ties (several pieces at the same distance) go to the first feature
            order = np.lexsort((owner, p_idx))
            first = np.ones(len(order), dtype=bool)
            first[1:] = p_idx[order][1:] != p_idx[order][:-1]
            chosen = order[first]
            distance[part][p_idx[chosen]] = d[chosen]
            local = nearest[part]
            local[p_idx[chosen]] = owner[chosen]
        if feats.polygon_tree is not None:
            p_in, poly_idx = feats.polygon_tree.query(g, predicate="intersects")
            if len(p_in):
                owner = feats.polygon_owner[poly_idx]
                order = np.lexsort((owner, p_in))
                first = np.ones(len(order), dtype=bool)
                first[1:] = p_in[order][1:] != p_in[order][:-1]
                hit_p = p_in[order[first]]
                hit_owner = owner[order[first]]
                dist_local = distance[part]
                near_local = nearest[part]
                # overlap means 0; the first feature among those at 0 wins
                at_zero = dist_local[hit_p] == 0
                best = np.where(at_zero, np.minimum(near_local[hit_p], hit_owner), hit_owner)
                dist_local[hit_p] = 0.0
                near_local[hit_p] = best
    return distance, nearest


#: The intermediate of the nearest-feature measures, as compute() builds it.
_FEATURE_TREE = Shared("feature tree", ("features",), lambda features: _features(features))


@measure(
    column="nearest_distance_m",
    layers={"features": None},
    narrows="features",
    shared={"tree": _FEATURE_TREE},
)
def nearest_distance(
    parcels: Layer, features: Layer, *, tree: FeatureTree | None = None
) -> pd.Series:
    """Metres from each parcel polygon to the nearest feature of a layer.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    features : GeoDataFrame or GeoSeries
        Features of any geometry type (points, lines, polygons, multi-parts) in the
        same CRS.
    tree : FeatureTree, optional
        From :func:`feature_tree` on the same features (built here when None).

    Returns
    -------
    Series
        ``nearest_distance_m``, float, aligned on ``parcels.index``: the distance from
        the parcel's edge to the nearest feature, 0 when they touch or overlap, ``inf``
        when the feature layer is empty.

    Raises
    ------
    CRSError
        A layer is not in a metric CRS, or the layers' CRSs differ.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> d = la.measures.nearest_distance(site.parcels, site.stations)
    >>> d.index.equals(site.parcels.index), bool(d.min() >= 0)
    (True, True)
    """
    check_layers("nearest_distance", parcels=parcels, features=features)
    distance, _ = _nearest(parcels, features, tree, what="nearest_distance", ids=False)
    return series(distance, parcels.index, "nearest_distance_m")


@measure(
    column="nearest_id",
    layers={"features": None},
    narrows="features",
    shared={"tree": _FEATURE_TREE},
)
def nearest_id(parcels: Layer, features: Layer, *, tree: FeatureTree | None = None) -> pd.Series:
    """Index value of the feature nearest to each parcel polygon.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    features : GeoDataFrame or GeoSeries
        Features of any geometry type in the same CRS.
    tree : FeatureTree, optional
        From :func:`feature_tree` on the same features (built here when None).

    Returns
    -------
    Series
        ``nearest_id`` (object dtype), aligned on ``parcels.index``: the index value of
        the nearest feature as measured by :func:`nearest_distance`; among features at
        the same distance, the one that comes first in the layer; None when the layer
        is empty.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> ids = la.measures.nearest_id(site.parcels, site.stations)
    >>> bool(ids.isin(site.stations.index).all())
    True
    """
    check_layers("nearest_id", parcels=parcels, features=features)
    _, position = _nearest(parcels, features, tree, what="nearest_id")
    labels = np.asarray(features.index, dtype=object)
    values = np.full(len(position), None, dtype=object)
    values[position >= 0] = labels[position[position >= 0]]
    return pd.Series(values, index=parcels.index, name="nearest_id", dtype=object)


# ---------------------------------------------------------------------------------------
# points within a radius
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PointTree:
    """Points selected by category, with the grids and KD-tree the radius queries
    search: the intermediate of :func:`count_within`, :func:`sum_within` and
    :func:`cluster_strength` (build it with :func:`point_tree`).

    ``xy`` holds the selected points (other geometries at their centroid), ``rows``
    their positions in the layer; ``n_points`` is the layer's length, and
    ``column``/``category`` the selection, both checked where it is passed in.
    """

    xy: FloatArray
    rows: IntArray  # position in the layer
    grids: dict[float, _PointGrid] = field(default_factory=dict, compare=False, repr=False)
    n_points: int = -1
    column: str = "category"
    category: tuple[str, ...] | None = None

    def grid(self, radius: float) -> _PointGrid:
        """The points binned in a grid suited to ``radius`` (built once per radius)."""
        if radius not in self.grids:
            self.grids[radius] = _point_grid(self.xy, radius)
        return self.grids[radius]

    @cached_property
    def tree(self) -> cKDTree:
        """A KD-tree over the points (built on first use only)."""
        return cKDTree(self.xy)

    @cached_property
    def geoms(self) -> GeomArray:
        """The points as shapely geometries (built on first use only)."""
        return np.asarray(shapely.points(self.xy), dtype=object)


def _category_key(category: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if category is None:
        return None
    return tuple(sorted(set([category] if isinstance(category, str) else category)))


def _points(
    layer: Layer,
    mask: BoolArray,
    *,
    column: str = "category",
    category: str | Iterable[str] | None = None,
) -> PointTree:
    xy, rows = point_array(layer)
    keep = mask[rows]
    xy, rows = xy[keep], rows[keep]
    return PointTree(
        xy=xy, rows=rows, n_points=len(layer), column=column, category=_category_key(category)
    )


def point_tree(
    points: Layer, *, category: str | Iterable[str] | None = None, column: str = "category"
) -> PointTree:
    """The points :func:`count_within`, :func:`sum_within` (``column="category"``) and
    :func:`cluster_strength` (``column="industry"``) search, selected by category.

    Build it once and pass it as their ``tree=`` to run several radii or measures on
    the same points; :func:`~landasset.measures.compute` does.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> cafes = la.measures.point_tree(site.amenities, category="cafe")
    >>> near = la.measures.count_within(site.parcels, site.amenities, 300, category="cafe", tree=cafes)
    >>> far = la.measures.count_within(site.parcels, site.amenities, 900, category="cafe", tree=cafes)
    >>> bool((near <= far).all())
    True
    """
    check_layers("point_tree", points=points)
    mask = category_mask(points, category, column=column, what="point_tree")
    return _points(points, mask, column=column, category=category)


def _given_points(
    tree: PointTree | None,
    points: Layer,
    category: str | Iterable[str] | None,
    column: str,
    *,
    what: str,
) -> PointTree:
    """``tree`` checked against the points and their selection, or built when None."""
    if tree is None:
        mask = category_mask(points, category, column=column, what=what)
        return _points(points, mask, column=column, category=category)
    _same_source(tree, PointTree, "n_points", points, what=what)
    if (tree.column, tree.category) != (column, _category_key(category)):
        raise MeasureError(
            f"{what}: the PointTree selects {tree.column}={tree.category!r}, not "
            f"{column}={_category_key(category)!r}; build it with the same selection "
            f"(point_tree(points, category=..., column={column!r})), or leave it out"
        )
    return tree


@dataclass(frozen=True)
class _ParcelFrame:
    """Per-parcel quantities the radius queries need.

    ``ref`` is a reference point (the bounding-box centre, or the centroid for
    ``origin="centroid"``); ``reach`` the distance from it to the farthest vertex;
    ``depth`` a lower bound of the distance from it to the boundary when it lies
    inside the parcel, ``-inf`` when it does not; ``half`` the half-width and
    half-height of an axis-aligned box centred on ``ref`` that lies inside the parcel
    (zero when none is found: for polygons with holes, multi-parts, or a reference
    point outside the polygon's kernel).
    """

    ref: FloatArray
    reach: FloatArray
    depth: FloatArray
    half: FloatArray


def _chunk_frame(
    geoms: GeomArray,
    coords: FloatArray,
    owner: IntArray,
    bounds: FloatArray,
    simple: npt.NDArray[np.bool_],
) -> _ParcelFrame:
    """The frame of a chunk of parcels from their coordinates (``owner`` sorted)."""
    n = len(geoms)
    ref = np.stack([(bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2], axis=1)
    reach = np.zeros(n)
    depth = np.full(n, np.inf)
    half = np.zeros((n, 2))
    if len(coords):
        # coordinates relative to the reference point
        x = coords[:, 0] - ref[owner, 0]
        y = coords[:, 1] - ref[owner, 1]
        _group_reduce(np.maximum, reach, owner, np.hypot(x, y))
        # distance to every segment between consecutive vertices of a parcel; the
        # jumps between rings or parts add segments, which can only lower the bound
        same = np.flatnonzero(owner[:-1] == owner[1:])
        ax, ay, o = x[same], y[same], owner[same]
        abx, aby = x[same + 1] - ax, y[same + 1] - ay
        del x, y, same
        t = -(ax * abx + ay * aby) / np.maximum(abx * abx + aby * aby, 1e-300)
        np.clip(t, 0.0, 1.0, out=t)
        _group_reduce(np.minimum, depth, o, np.hypot(ax + t * abx, ay + t * aby))
        del t
        _inner_box(simple, ax, ay, abx, aby, o, bounds, half)
    # a box found inside the polygon's kernel holds the reference point: only the
    # others need GEOS to tell whether it is inside
    inside = half[:, 0] > 0
    unsure = np.flatnonzero(~inside)
    if len(unsure):
        inside[unsure] = shapely.contains_xy(geoms[unsure], ref[unsure, 0], ref[unsure, 1])
    depth = np.where(inside & np.isfinite(depth), depth, -np.inf)
    half[~inside] = 0.0
    return _ParcelFrame(ref=ref, reach=reach, depth=depth, half=half)


def _inner_box(
    simple: npt.NDArray[np.bool_],
    ax: FloatArray,
    ay: FloatArray,
    abx: FloatArray,
    aby: FloatArray,
    owner: IntArray,
    bounds: FloatArray,
    out: FloatArray,
) -> None:
    """Half sizes of a box centred on the bounding-box centre inside each polygon.

    ``(ax, ay)`` (edge starts relative to the centre), ``(abx, aby)`` (edge vectors)
    and ``owner`` (sorted) list consecutive vertices. For a Polygon without holes the
    box is the bounding box scaled about its centre until a corner meets an edge's
    line: inside every edge's inner half-plane is inside the polygon's kernel, hence
    inside the polygon (exactly the polygon when it is convex). Other geometries get
    no box (0).
    """
    if not len(owner) or not simple.any():
        return
    # orientation from the shoelace sum (relative to the centre, so well conditioned)
    area2 = np.zeros(len(simple))
    _group_reduce(np.add, area2, owner, ax * aby - ay * abx)
    sign = np.sign(area2)[owner]
    # outward normals; the centre is at the origin of ``a``
    nx, ny = sign * aby, -sign * abx
    hx = (bounds[:, 2] - bounds[:, 0])[owner] / 2
    hy = (bounds[:, 3] - bounds[:, 1])[owner] / 2
    slack = nx * ax + ny * ay  # >= 0 when the centre is inside the half-plane
    worst = np.abs(nx) * hx + np.abs(ny) * hy  # how fast the worst corner approaches it
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(worst > 0, slack / worst, np.inf)
    lam = np.full(len(simple), np.inf)
    _group_reduce(np.minimum, lam, owner, scale)
    lam = np.where(simple & np.isfinite(lam) & (area2 != 0), np.clip(lam, 0.0, 1.0), 0.0)
    # a hair smaller, so rounding never puts a corner outside
    lam = np.maximum(lam * (1.0 - 1e-7) - 1e-7, 0.0)
    out[:, 0] = lam * (bounds[:, 2] - bounds[:, 0]) / 2
    out[:, 1] = lam * (bounds[:, 3] - bounds[:, 1]) / 2


def _centroid_frame(geoms: GeomArray) -> _ParcelFrame:
    centroid = shapely.get_coordinates(shapely.centroid(geoms))
    zeros = np.zeros(len(geoms))
    return _ParcelFrame(ref=centroid, reach=zeros, depth=zeros, half=np.zeros((len(geoms), 2)))


def _group_reduce(ufunc: np.ufunc, out: FloatArray, owner: IntArray, values: FloatArray) -> None:
    """``out[k] = ufunc(out[k], reduce(values[owner == k]))`` for sorted ``owner``."""
    if not len(owner):
        return
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    keys = owner[starts]
    out[keys] = ufunc(out[keys], ufunc.reduceat(values, starts))


@dataclass(frozen=True)
class _PointGrid:
    """Points sorted by the cell of a regular grid, with the cells' CSR offsets.

    Cell ``(row, col)`` covers ``x0 + col * w <= x < x0 + (col + 1) * w`` and likewise
    in y with ``h``; its points are ``xy[start[k]:start[k + 1]]`` with
    ``k = row * ncols + col``, so the points of consecutive columns of one row are one
    contiguous range. ``order`` maps a sorted position to the position in ``PointTree``.
    """

    x0: float
    y0: float
    w: float
    h: float
    nrows: int
    ncols: int
    start: npt.NDArray[np.integer]
    order: IntArray
    xy: FloatArray


#: Grid rows per radius (row height = radius / this), and columns per row height.
_ROWS_PER_RADIUS = 4.0
_COLS_PER_ROW = 8.0
#: Most rows and columns of a grid, whatever the radius (bounds the offsets table).
_MAX_ROWS = 2048
_MAX_COLS = 4096


def _point_grid(xy: FloatArray, radius: float) -> _PointGrid:
    lo = xy.min(axis=0) if len(xy) else np.zeros(2)
    hi = xy.max(axis=0) if len(xy) else np.zeros(2)
    h = max(radius / _ROWS_PER_RADIUS, float(hi[1] - lo[1]) / (_MAX_ROWS - 1), 1e-3)
    w = max(h / _COLS_PER_ROW, float(hi[0] - lo[0]) / (_MAX_COLS - 1), 1e-3)
    nrows = int((hi[1] - lo[1]) // h) + 1
    ncols = int((hi[0] - lo[0]) // w) + 1
    row = np.clip(((xy[:, 1] - lo[1]) / h).astype(np.int64), 0, nrows - 1)
    col = np.clip(((xy[:, 0] - lo[0]) / w).astype(np.int64), 0, ncols - 1)
    cell = row * ncols + col
    order = np.argsort(cell, kind="stable")
    # first point of every cell: the sorted cells searched for each cell number
    start = np.searchsorted(cell[order], np.arange(nrows * ncols + 1, dtype=np.int64))
    start = start.astype(np.int32 if len(xy) < 2**31 else np.int64)
    return _PointGrid(
        x0=float(lo[0]),
        y0=float(lo[1]),
        w=w,
        h=h,
        nrows=nrows,
        ncols=ncols,
        start=start,
        order=order.astype(np.intp),
        xy=np.ascontiguousarray(xy[order]),
    )


#: Margin (metres) by which the grid's sure-inside ranges shrink and its candidate
#: ranges grow, far above the rounding of the cell arithmetic.
_GRID_EPS = 1e-6


def _ranges(first: IntArray, length: IntArray) -> tuple[IntArray, IntArray]:
    """``(range number, value)`` for every value of the ranges ``first[k] + [0, length[k])``."""
    length = np.maximum(length, 0)
    total = int(length.sum())
    if total == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    offset = np.zeros(len(length), dtype=np.intp)
    np.cumsum(length[:-1], out=offset[1:])
    which = np.repeat(np.arange(len(length), dtype=np.intp), length)
    values = np.arange(total, dtype=np.intp)
    values += (first - offset)[which]
    return which, values


def _edge_query(
    geoms: GeomArray,
    pts: PointTree,
    radius: float,
    weights: FloatArray | None,
) -> FloatArray | npt.NDArray[np.int64]:
    """Count (or sum the weights of) the points within ``radius`` of each polygon.

    A fast kernel: GEOS ``dwithin`` pairs from an STRtree (the plain reference path,
    which tests/measures/test_proximity.py and the hypothesis tests compare to, and
    benchmarks/measures.py times) build one geometry per point and test every pair
    near a parcel; here whole grid cells are counted without looking at their points,
    and only the border cells' points are measured, in numpy.

    The points sit in a grid of rows ``h`` high and columns ``w`` wide (see
    :class:`_PointGrid`). For each parcel and each grid row within reach, two ranges
    of columns are worked out:

    * *sure*: the columns whose whole cells lie within ``radius + depth`` of the
      parcel's reference point (inside the parcel, ``depth`` from its boundary), so
      within ``radius`` of the parcel. Their points are counted from the offsets
      table without being looked at.
    * *candidate*: the columns whose cells reach the parcel's bounding box grown by
      ``radius`` (nothing outside it can be within ``radius``). Their points outside
      the sure range are checked one by one (:meth:`_ChunkEdges.within`: bounding
      box, then the inner disc, then the exact distance to the edges in numpy, and
      :func:`shapely.dwithin` where a rounding could flip the answer).

    Why this kernel exists: the plain path, an STRtree ``dwithin`` query of the
    parcels against the points, gives the same answer 8.3× slower on one million
    parcels (docs/performance.md). The tests compare the two
    (``tests/measures/test_proximity.py``) and with brute-force distances.
    """
    n = len(geoms)
    out: FloatArray | npt.NDArray[np.int64]
    out = np.zeros(n, dtype=np.int64) if weights is None else np.zeros(n)
    if len(pts.xy) == 0 or n == 0:
        return out
    grid = pts.grid(radius)
    w_sorted = None if weights is None else np.nan_to_num(weights[pts.rows])[grid.order]
    eps = _GRID_EPS
    h, ncols = grid.h, grid.ncols
    inv_w = 1.0 / grid.w
    for part in chunks(n, _PAIR_CHUNK):
        edges = _ChunkEdges(geoms[part])
        frame = edges.frame
        m = part.stop - part.start
        # per parcel, relative to the grid's origin: the bounding box grown by the
        # margin, the reference point, and the reach of the sure-inside shapes
        bx0 = edges.box_lo[:, 0] - (grid.x0 + eps)
        bx1 = edges.box_hi[:, 0] - (grid.x0 - eps)
        # y is measured so that the centre of band q is at q * h
        by0 = edges.box_lo[:, 1] - (grid.y0 + h / 2)
        by1 = edges.box_hi[:, 1] - (grid.y0 + h / 2)
        cx = frame.ref[:, 0] - grid.x0
        cy = frame.ref[:, 1] - grid.y0 - h / 2  # so a band's centre is q * h
        depth = frame.depth
        inside = np.isfinite(depth)
        safe = np.where(inside, depth, 0.0)
        # the disc within (radius + depth) of the reference point, and the box
        # ``half`` around it grown by the radius, lie within the radius (a hair less)
        disc = np.where(inside, radius + safe - (eps + 1e-9 * (radius + safe)), 0.0)
        disc2 = disc * disc
        ring = max(radius - (eps + 1e-9 * radius), 0.0)
        box_w = np.where(inside, frame.half[:, 0], -np.inf)
        box_h = frame.half[:, 1]
        # the grid rows each parcel's grown bounding box reaches
        q_lo = np.floor((by0 + (h / 2 - radius - eps)) / h)
        np.clip(q_lo, 0, grid.nrows - 1, out=q_lo)
        q_hi = np.floor((by1 + (h / 2 + radius + eps)) / h)
        np.clip(q_hi, 0, grid.nrows - 1, out=q_hi)
        o, q = _ranges(q_lo.astype(np.intp), (q_hi - q_lo).astype(np.intp) + 1)
        del q_lo, q_hi
        # a row's band, grown by the margin (points are binned by rounded arithmetic):
        # [mid - half_band, mid + half_band]
        half_band = h / 2 + eps
        mid = q * h
        # candidate columns: the bounding box grown by the radius, cut by the band
        dy = np.maximum(by0[o] - mid, mid - by1[o])
        dy -= half_band
        np.maximum(dy, 0.0, out=dy)
        dy *= dy
        np.subtract(radius * radius, dy, out=dy)
        np.maximum(dy, 0.0, out=dy)
        reach_x = np.sqrt(dy, out=dy)
        c0 = bx0[o] - reach_x
        c0 *= inv_w
        np.floor(c0, out=c0)
        np.clip(c0, 0, ncols, out=c0)
        c3 = bx1[o] + reach_x
        c3 *= inv_w
        np.floor(c3, out=c3)
        c3 += 1
        np.clip(c3, c0, ncols, out=c3)
        del reach_x, dy
        # sure columns: whole cells within the disc or near the box over the whole band
        dy_in = np.abs(mid - cy[o])
        dy_in += half_band
        del mid
        a = disc2[o] - dy_in * dy_in
        np.sqrt(a, out=a, where=a > 0)
        a[a <= 0] = -1.0  # no sure part in this row
        dy_in -= box_h[o]
        np.maximum(dy_in, 0.0, out=dy_in)
        dy_in *= dy_in
        b = ring * ring - dy_in
        del dy_in
        ok = b > 0
        np.sqrt(b, out=b, where=ok)
        b += box_w[o]
        b[~ok] = -1.0
        np.maximum(a, b, out=a)
        del b, ok
        a -= eps
        x = cx[o]
        c1 = x - a
        c1 *= inv_w
        np.ceil(c1, out=c1)
        np.clip(c1, c0, c3, out=c1)
        c2 = x + a
        del x, a
        c2 *= inv_w
        np.floor(c2, out=c2)
        np.clip(c2, c1, c3, out=c2)
        base = q * ncols
        del q
        s0 = grid.start[base + c0.astype(np.intp)]
        s1 = grid.start[base + c1.astype(np.intp)]
        s2 = grid.start[base + c2.astype(np.intp)]
        s3 = grid.start[base + c3.astype(np.intp)]
        del c0, c1, c2, c3, base
        local = out[part]
        if w_sorted is None:
            local += np.bincount(o, weights=s2 - s1, minlength=m).astype(np.int64)
        else:
            which, idx = _ranges(s1, s2 - s1)
            local += np.bincount(o[which], weights=w_sorted[idx], minlength=m)
        # the candidates, one by one
        which, idx = _ranges(np.r_[s0, s2], np.r_[s1 - s0, s3 - s2])
        del s0, s1, s2, s3
        ci = np.r_[o, o][which]
        del which, o
        verdict = edges.within(ci, grid.xy[idx], radius, frame.reach, depth, frame.ref, frame.half)
        undecided = np.flatnonzero(verdict < 0)
        if len(undecided):
            verdict[undecided] = shapely.dwithin(
                geoms[part][ci[undecided]], shapely.points(grid.xy[idx[undecided]]), radius
            )
        keep = verdict == 1
        if w_sorted is None:
            local += np.bincount(ci[keep], minlength=m)
        else:
            local += np.bincount(ci[keep], weights=w_sorted[idx[keep]], minlength=m)
    return out


#: Parcels per chunk in the radius queries (their pair lists are the largest temporaries).
_PAIR_CHUNK = 4_096


def _pairs_within(
    frame: _ParcelFrame, pts: PointTree, radius: float
) -> Iterator[tuple[slice, IntArray, IntArray]]:
    """Yield ``(chunk, parcel_pos_in_chunk, point_pos)`` for the points within
    ``radius`` of each parcel's centroid (``frame.ref``), from a KD-tree."""
    for part in chunks(len(frame.ref), _PAIR_CHUNK):
        c = frame.ref[part]
        if len(pts.xy) == 0 or len(c) == 0:
            continue
        pairs = cKDTree(c).sparse_distance_matrix(pts.tree, radius, output_type="ndarray")
        keep = pairs["v"] <= radius
        yield part, pairs["i"][keep], pairs["j"][keep]


#: Borderline margin (metres) of the numpy distance check: pairs whose distance is
#: within this of the radius are decided by GEOS, so rounding never flips an answer.
_EDGE_TOL = 1e-6


class _ChunkEdges:
    """The boundary edges of a chunk of parcels, for point-to-polygon distances in numpy.

    Part of the :func:`_edge_query` kernel: one vectorised pass replaces a GEOS call
    per (parcel, point) pair; pairs within :data:`_EDGE_TOL` of the radius still go
    to :func:`shapely.dwithin`, so the answer is GEOS's.

    Only single-ring Polygons are handled here (the common parcel); the others
    (holes, MultiPolygons) are left to GEOS.
    """

    def __init__(self, geoms: GeomArray) -> None:
        simple = (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON) & (
            shapely.get_num_interior_rings(geoms) == 0
        )
        coords, owner = shapely.get_coordinates(geoms, return_index=True)
        counts = np.bincount(owner, minlength=len(geoms))
        self.simple = simple
        self.x = np.ascontiguousarray(coords[:, 0])
        self.y = np.ascontiguousarray(coords[:, 1])
        self.first = np.r_[0, np.cumsum(counts)[:-1]].astype(np.intp)
        self.n_edges = np.where(simple, np.maximum(counts - 1, 0), 0).astype(np.intp)
        bounds = shapely.bounds(geoms)
        self.box_lo = np.ascontiguousarray(bounds[:, :2])
        self.box_hi = np.ascontiguousarray(bounds[:, 2:])
        self.frame = _chunk_frame(geoms, coords, owner, bounds, simple)

    def within(
        self,
        i: IntArray,
        xy: FloatArray,
        radius: float,
        reach: FloatArray,
        depth: FloatArray,
        ref: FloatArray,
        half: FloatArray,
    ) -> npt.NDArray[np.int8]:
        """Per pair: 1 within ``radius``, 0 not, -1 undecided (left to GEOS).

        The distance from the point to the parcel's boundary decides, except within
        :data:`_EDGE_TOL` of the radius, and for a point farther than ``radius`` from
        the boundary of a parcel large enough to hold it inside (then the point may
        lie within the parcel).
        """
        out = np.full(len(i), -1, dtype=np.int8)
        px, py = xy[:, 0], xy[:, 1]
        # farther than the radius from the bounding box: farther from the parcel
        gx = np.maximum(self.box_lo[i, 0] - px, px - self.box_hi[i, 0])
        gy = np.maximum(self.box_lo[i, 1] - py, py - self.box_hi[i, 1])
        np.maximum(gx, 0.0, out=gx)
        np.maximum(gy, 0.0, out=gy)
        gx *= gx
        gy *= gy
        gx += gy
        far = gx > (radius + _EDGE_TOL) ** 2
        del gx, gy
        out[far] = 0
        rows = np.flatnonzero(~far)
        del far
        # within the radius of the inner box, or within radius + depth of its centre
        # (the inner disc): within the radius of the parcel
        ii = i[rows]
        rx = np.abs(px[rows] - ref[ii, 0])
        ry = np.abs(py[rows] - ref[ii, 1])
        disc = radius + depth[ii] - _EDGE_TOL  # -inf where the reference point is outside
        sure = (disc > 0) & (rx * rx + ry * ry <= disc * disc)
        del disc
        inner = radius - _EDGE_TOL
        if inner > 0:
            rx -= half[ii, 0]
            ry -= half[ii, 1]
            np.maximum(rx, 0.0, out=rx)
            np.maximum(ry, 0.0, out=ry)
            rx *= rx
            ry *= ry
            rx += ry
            sure |= (half[ii, 0] > 0) & (rx <= inner * inner)
        del rx, ry
        out[rows[sure]] = 1
        rows = rows[~sure]
        del sure, ii
        k = self.n_edges[i[rows]]
        has = k > 0
        rows, k = rows[has], k[has]
        if not len(rows):
            return out
        total = int(k.sum())
        group = np.zeros(len(rows), dtype=np.intp)
        np.cumsum(k[:-1], out=group[1:])
        seg = np.arange(total, dtype=np.intp)
        seg -= np.repeat(group - self.first[i[rows]], k)
        ax, ay = self.x[seg], self.y[seg]
        seg += 1
        abx, aby = self.x[seg], self.y[seg]
        del seg
        abx -= ax
        aby -= ay
        px = np.repeat(xy[rows, 0], k)
        py = np.repeat(xy[rows, 1], k)
        px -= ax
        py -= ay
        del ax, ay
        # foot of the perpendicular, clamped to the segment: t = (pa . ab) / |ab|^2
        t = px * abx
        t += py * aby
        norm = abx * abx
        norm += aby * aby
        np.maximum(norm, 1e-300, out=norm)
        t /= norm
        del norm
        np.clip(t, 0.0, 1.0, out=t)
        abx *= t
        aby *= t
        del t
        px -= abx
        py -= aby
        del abx, aby
        px *= px
        py *= py
        px += py
        d = np.sqrt(np.minimum.reduceat(px, group))
        del px, py
        inside = d <= radius - _EDGE_TOL
        outside = d > radius + _EDGE_TOL
        # a candidate inside the parcel lies beyond ``radius + depth`` from the reference
        # point and within ``reach`` of it, so within ``reach - radius - depth`` of the
        # boundary (the ray from the reference point leaves the parcel by then): only
        # where that exceeds ``radius`` can a point far from the boundary be inside
        big = reach[i[rows]] > 2.0 * radius + depth[i[rows]] - 1e-3
        outside &= ~big
        out[rows[inside]] = 1
        out[rows[outside]] = 0
        return out


def _radius_query(
    parcels: Layer,
    points: Layer,
    radius: float,
    tree: PointTree | None,
    *,
    category: str | Iterable[str] | None,
    column: str,
    origin: str,
    weights: FloatArray | None,
    what: str,
) -> FloatArray | npt.NDArray[np.int64]:
    check_choice(origin, ORIGINS, what=f"origin for {what}")
    radius = check_positive(radius, what=f"{what}: radius")
    geoms = parcel_geometries(parcels, what=what)
    pts = _given_points(tree, points, category, column, what=what)
    n = len(geoms)
    if origin == "edge":
        return _edge_query(geoms, pts, radius, weights)
    frame = _centroid_frame(geoms)
    if weights is None:
        counts = np.zeros(n, dtype=np.int64)
        if len(pts.xy):
            counts[:] = pts.tree.query_ball_point(frame.ref, radius, return_length=True)
        return counts
    total = np.zeros(n)
    w = np.nan_to_num(weights[pts.rows])
    for part, i, j in _pairs_within(frame, pts, radius):
        total[part] += np.bincount(i, weights=w[j], minlength=part.stop - part.start)
    return total


#: The ``origin`` spec parameter of the radius measures.
_ORIGIN = Param(CHOICE, choices=ORIGINS)


@measure(
    column="count_within",
    layers={"points": "amenities"},
    options={"radius": NUMBER, "category": TEXTS, "origin": _ORIGIN},
    shared={
        "tree": Shared(
            "points by category",
            ("points", "category"),
            lambda points, category: point_tree(points, category=category),
        )
    },
)
def count_within(
    parcels: Layer,
    points: Layer,
    radius: float,
    *,
    category: str | Iterable[str] | None = None,
    origin: Origin = "edge",
    tree: PointTree | None = None,
) -> pd.Series:
    """Number of points within ``radius`` metres of each parcel.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    points : GeoDataFrame or GeoSeries
        Points (amenities, stations, enterprises); other geometries count at their
        centroid.
    radius : float
        Metres, >= 0; a point at exactly ``radius`` counts.
    category : str or list of str, optional
        Count only the points whose ``category`` column is one of these.
    origin : {"edge", "centroid"}, default "edge"
        Measure from the parcel polygon (0 inside it) or from its centroid.
    tree : PointTree, optional
        From :func:`point_tree` on the same points and ``category`` (built here
        when None).

    Returns
    -------
    Series
        ``count_within``, int64, aligned on ``parcels.index`` (0 when none).

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> cafes = la.measures.count_within(site.parcels, site.amenities, 500, category="cafe")
    >>> every = la.measures.count_within(site.parcels, site.amenities, 500)
    >>> bool((cafes <= every).all())
    True
    >>> centre = la.measures.count_within(site.parcels, site.amenities, 500, origin="centroid")
    >>> bool((centre <= every).all())
    True
    """
    check_layers("count_within", parcels=parcels, points=points)
    counts = _radius_query(
        parcels,
        points,
        radius,
        tree,
        category=category,
        column="category",
        origin=origin,
        weights=None,
        what="count_within",
    )
    return series(counts, parcels.index, "count_within")


def _weights(points: Layer, column: str, *, what: str) -> FloatArray:
    if not isinstance(points, gpd.GeoDataFrame) or column not in points.columns:
        have = (
            list(points.columns.drop(points.geometry.name))
            if isinstance(points, gpd.GeoDataFrame)
            else []
        )
        raise MeasureError(
            f"{what}: the points have no column {column!r}; use one of: "
            + (", ".join(map(repr, have)) or "(no columns)")
        )
    values = pd.to_numeric(points[column], errors="coerce")
    bad = values.isna() & points[column].notna()
    if bad.any():
        raise MeasureError(
            f"{what}: column {column!r} holds values that are not numbers "
            f"(e.g. {points[column][bad].iloc[0]!r}); give a numeric column"
        )
    return np.asarray(values.to_numpy(dtype=float, na_value=np.nan))


@measure(
    column="sum_within",
    layers={"points": "enterprises"},
    options={"column": TEXT, "radius": NUMBER, "category": TEXTS, "origin": _ORIGIN},
    shared={
        "tree": Shared(
            "points by category",
            ("points", "category"),
            lambda points, category: point_tree(points, category=category),
        )
    },
)
def sum_within(
    parcels: Layer,
    points: Layer,
    column: str,
    radius: float,
    *,
    category: str | Iterable[str] | None = None,
    origin: Origin = "edge",
    tree: PointTree | None = None,
) -> pd.Series:
    """Sum of a numeric column over the points within ``radius`` metres of each parcel.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    points : GeoDataFrame
        Points with the numeric ``column`` (missing values count as 0).
    column : str
        The column to sum, e.g. ``"employees"``.
    radius : float
        Metres, >= 0.
    category : str or list of str, optional
        Only the points whose ``category`` column is one of these.
    origin : {"edge", "centroid"}, default "edge"
        Measure from the parcel polygon or from its centroid.
    tree : PointTree, optional
        From :func:`point_tree` on the same points and ``category``.

    Returns
    -------
    Series
        ``sum_within``, float, aligned on ``parcels.index`` (0 when no point is near).

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> jobs = la.measures.sum_within(site.parcels, site.enterprises, "employees", 1000)
    >>> jobs.name, bool(jobs.max() > 0)
    ('sum_within', True)
    """
    check_layers("sum_within", parcels=parcels, points=points)
    weights = _weights(points, column, what="sum_within")
    total = _radius_query(
        parcels,
        points,
        radius,
        tree,
        category=category,
        column="category",
        origin=origin,
        weights=weights,
        what="sum_within",
    )
    return series(total, parcels.index, "sum_within")


@measure(
    column="cluster_strength",
    layers={"enterprises": "enterprises"},
    options={"industry": TEXTS, "radius": NUMBER, "origin": _ORIGIN},
    shared={
        "tree": Shared(
            "points by industry",
            ("enterprises", "industry"),
            lambda enterprises, industry: point_tree(
                enterprises, category=industry, column="industry"
            ),
        )
    },
)
def cluster_strength(
    parcels: Layer,
    enterprises: Layer,
    industry: str | Iterable[str],
    radius: float,
    *,
    origin: Origin = "edge",
    tree: PointTree | None = None,
) -> pd.Series:
    """Number of enterprises of an industry within ``radius`` metres of each parcel.

    Enterprises on the parcel itself count (their distance is 0).

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    enterprises : GeoDataFrame
        Enterprise points with an ``industry`` column.
    industry : str or list of str
        The industry, e.g. ``"aerospace_information"``.
    radius : float
        Metres, >= 0.
    origin : {"edge", "centroid"}, default "edge"
        Measure from the parcel polygon or from its centroid.
    tree : PointTree, optional
        From ``point_tree(enterprises, category=industry, column="industry")``.

    Returns
    -------
    Series
        ``cluster_strength``, int64, aligned on ``parcels.index``.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> ai = la.measures.cluster_strength(
    ...     site.parcels, site.enterprises, "artificial_intelligence", 1000
    ... )
    >>> ai.name, bool(ai.max() > 0)
    ('cluster_strength', True)
    """
    check_layers("cluster_strength", parcels=parcels, enterprises=enterprises)
    counts = _radius_query(
        parcels,
        enterprises,
        radius,
        tree,
        category=industry,
        column="industry",
        origin=origin,
        weights=None,
        what="cluster_strength",
    )
    return series(counts, parcels.index, "cluster_strength")


# ---------------------------------------------------------------------------------------
# frontage
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AxisSegments:
    """Axes broken into 2-point segments with a tree over them: the intermediate of
    :func:`frontage` (build it with :func:`axis_segments`)."""

    start: FloatArray
    end: FloatArray
    geoms: GeomArray
    tree: shapely.STRtree
    n_axes: int


def _segments(layer: Layer) -> AxisSegments:
    start, end, _ = line_segments(geometry_array(layer))
    geoms = (
        shapely.linestrings(np.stack([start, end], axis=1)) if len(start) else np.empty(0, object)
    )
    return AxisSegments(
        start=start,
        end=end,
        geoms=np.asarray(geoms, dtype=object),
        tree=shapely.STRtree(geoms),
        n_axes=len(layer),
    )


def axis_segments(axes: Layer) -> AxisSegments:
    """The segments :func:`frontage` measures along; pass them as its ``segments=``.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> segments = la.measures.axis_segments(site.axes)
    >>> f = la.measures.frontage(site.parcels, site.axes, segments=segments)
    >>> f.equals(la.measures.frontage(site.parcels, site.axes))
    True
    """
    check_layers("axis_segments", axes=axes)
    return _segments(axes)


def _joints(segs: AxisSegments) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """For each axis segment, whether its start and its end meet another segment (a
    bend of the axis, or the axis going on as another); False at an axis's free ends."""
    ends = np.concatenate([segs.start, segs.end])
    _, where, counts = np.unique(ends, axis=0, return_inverse=True, return_counts=True)
    shared = counts[where.ravel()] > 1
    n = len(segs.start)
    return shared[:n], shared[n:]


@measure(
    column="frontage_m",
    layers={"axes": "axes"},
    options={"tolerance": NUMBER},
    narrows="axes",
    shared={"segments": Shared("axis segments", ("axes",), lambda axes: _segments(axes))},
)
def frontage(
    parcels: Layer,
    axes: Layer,
    *,
    tolerance: float = 15.0,
    segments: AxisSegments | None = None,
) -> pd.Series:
    """Metres of each parcel's boundary running along an axis (frontage, 临街面).

    The parts of the parcel boundary within ``tolerance`` metres of any axis, and
    alongside it (not beyond the axis's free ends), are kept, and each piece counts by its length projected on the direction of the nearest axis
    segment. So a boundary running along the axis counts in full, while the sides
    that leave the axis at a right angle add nothing (without the projection, every
    corner would add ``tolerance`` metres). A square lying on a line has the frontage
    of its shared side.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    axes : GeoDataFrame or GeoSeries
        Axes or streets (lines) in the same CRS.
    tolerance : float, default 15.0
        Metres between the boundary and the axis line still counted as frontage
        (half a typical road width plus a setback line), >= 0.
    segments : AxisSegments, optional
        From :func:`axis_segments` on the same axes (built here when None).

    Returns
    -------
    Series
        ``frontage_m``, float, aligned on ``parcels.index`` (0 away from every axis).

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> f = la.measures.frontage(site.parcels, site.axes, tolerance=25)
    >>> f.name, bool(f.max() > 0), bool((f >= 0).all())
    ('frontage_m', True, True)
    """
    check_layers("frontage", parcels=parcels, axes=axes)
    tolerance = check_positive(tolerance, what="frontage: tolerance")
    geoms = parcel_geometries(parcels, what="frontage")
    if segments is None:
        segs = _segments(axes)
    else:
        _same_source(segments, AxisSegments, "n_axes", axes, what="frontage", name="segments")
        segs = segments
    out = np.zeros(len(geoms))
    if len(segs.geoms) == 0:
        return series(out, parcels.index, "frontage_m")
    joints = _joints(segs)
    for part in chunks(len(geoms)):
        boundary = shapely.boundary(geoms[part])
        p_idx, s_idx = segs.tree.query(boundary, predicate="dwithin", distance=tolerance)
        if not len(p_idx):
            continue
        near, member = np.unique(p_idx, return_inverse=True)
        # one MultiLineString of the nearby axis segments per parcel: its buffer is
        # the union of the segments' buffers, so overlapping axes are not counted twice.
        # Flat caps: nothing counts beyond the end of an axis; where two segments
        # meet (a bend, or one axis going on as another) the joint's disc closes the
        # wedge the flat caps leave on the outer side of the bend.
        lines = shapely.multilinestrings(segs.geoms[s_idx], indices=member)
        if tolerance > 0:
            zone = shapely.buffer(lines, tolerance, cap_style="flat")
            owner_of = np.concatenate([member, member])
            ends = np.concatenate([segs.start[s_idx], segs.end[s_idx]])
            joint = np.concatenate([joints[0][s_idx], joints[1][s_idx]])
            if joint.any():
                order = np.argsort(owner_of[joint], kind="stable")
                points = shapely.points(ends[joint][order])
                gathered = np.full(len(near), None, dtype=object)
                shapely.multipoints(points, indices=owner_of[joint][order], out=gathered)
                has = ~shapely.is_missing(gathered)
                zone[has] = shapely.union(zone[has], shapely.buffer(gathered[has], tolerance))
        else:
            zone = lines
        kept = shapely.intersection(boundary[near], zone)
        start, end, owner = line_segments(kept)
        if not len(start):
            continue
        mid = shapely.points((start + end) / 2.0)
        # nearest axis segment of each kept piece, among that parcel's nearby ones
        _, nearest_seg = segs.tree.query_nearest(mid, all_matches=False)
        axis_dir = segs.end[nearest_seg] - segs.start[nearest_seg]
        piece = end - start
        axis_len = np.hypot(axis_dir[:, 0], axis_dir[:, 1])
        projected = np.abs(np.sum(piece * axis_dir, axis=1)) / axis_len
        out[part][near] += np.bincount(owner, weights=projected, minlength=len(near))
    return series(out, parcels.index, "frontage_m")


# ---------------------------------------------------------------------------------------
# constraints
# ---------------------------------------------------------------------------------------


def _constraint_mask(
    constraints: Layer, kind: str | Iterable[str] | None, hard: bool | None
) -> BoolArray:
    mask = category_mask(constraints, kind, column="kind", what="constrained_share")
    if hard is not None:
        if not isinstance(hard, bool):
            raise MeasureError(f"constrained_share: hard must be True, False or None, not {hard!r}")
        if not isinstance(constraints, gpd.GeoDataFrame) or "hard" not in constraints.columns:
            raise MeasureError(
                "constrained_share: hard= was given but the constraints have no 'hard' "
                "column; add one (true/false) or leave hard=None"
            )
        is_hard = constraints["hard"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        mask &= is_hard if hard else ~is_hard
    return mask


@dataclass(frozen=True, eq=False)
class DissolvedConstraints:
    """The union of the selected constraints as disjoint polygons with a tree: the
    intermediate of :func:`constrained_share` (build it with
    :func:`dissolve_constraints`). ``n_constraints``, ``kind`` and ``hard`` record
    what it was built from; they are checked where it is passed in."""

    parts: GeomArray
    tree: shapely.STRtree
    n_constraints: int
    kind: tuple[str, ...] | None
    hard: bool | None


def _dissolved(
    constraints: Layer, mask: BoolArray, *, kind: str | Iterable[str] | None, hard: bool | None
) -> DissolvedConstraints:
    geoms = geometry_array(constraints)[mask]
    geoms = geoms[present(geoms)]
    key = _category_key(kind)
    if not len(geoms):
        return DissolvedConstraints(
            np.empty(0, object), shapely.STRtree([]), len(constraints), key, hard
        )
    # dissolve once: the parts of the union are disjoint, so their overlaps with a
    # parcel simply add up, with no double counting where constraints overlap
    parts = shapely.get_parts(shapely.union_all(geoms))
    parts = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    return DissolvedConstraints(parts, shapely.STRtree(parts), len(constraints), key, hard)


def dissolve_constraints(
    constraints: Layer,
    *,
    kind: str | Iterable[str] | None = None,
    hard: bool | None = None,
) -> DissolvedConstraints:
    """The union :func:`constrained_share` measures against, for the same ``kind`` and
    ``hard``; pass it as its ``dissolved=``.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> red = la.measures.dissolve_constraints(site.constraints, kind="ecological_redline")
    >>> share = la.measures.constrained_share(
    ...     site.parcels, site.constraints, kind="ecological_redline", dissolved=red
    ... )
    >>> bool(share.between(0, 1).all())
    True
    """
    check_layers("dissolve_constraints", constraints=constraints)
    return _dissolved(constraints, _constraint_mask(constraints, kind, hard), kind=kind, hard=hard)


@measure(
    column="constrained_share",
    layers={"constraints": "constraints"},
    options={"kind": TEXTS, "hard": BOOL},
    shared={
        "dissolved": Shared(
            "dissolved constraints",
            ("constraints", "kind", "hard"),
            lambda constraints, kind, hard: dissolve_constraints(constraints, kind=kind, hard=hard),
        )
    },
)
def constrained_share(
    parcels: Layer,
    constraints: Layer,
    *,
    kind: str | Iterable[str] | None = None,
    hard: bool | None = None,
    dissolved: DissolvedConstraints | None = None,
) -> pd.Series:
    """Share (0–1) of each parcel's area inside constraint polygons.

    Overlapping constraints count once: the share is the area of the parcel inside the
    union of the selected constraints, divided by the parcel's area.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    constraints : GeoDataFrame or GeoSeries
        Constraint polygons (ecological red line, flood zone, ...).
    kind : str or list of str, optional
        Only the constraints whose ``kind`` column is one of these.
    hard : bool, optional
        True: only hard constraints (``hard`` column true); False: only the others;
        None (default): all.
    dissolved : DissolvedConstraints, optional
        From :func:`dissolve_constraints` with the same ``kind`` and ``hard`` (built
        here when None).

    Returns
    -------
    Series
        ``constrained_share``, float in [0, 1], aligned on ``parcels.index``.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> share = la.measures.constrained_share(site.parcels, site.constraints)
    >>> bool(share.between(0, 1).all()), bool((share > 0).any())
    (True, True)
    >>> red = la.measures.constrained_share(site.parcels, site.constraints, kind="ecological_redline")
    >>> bool((red <= share + 1e-9).all())
    True
    """
    check_layers("constrained_share", parcels=parcels, constraints=constraints)
    geoms = parcel_geometries(parcels, what="constrained_share")
    mask = _constraint_mask(constraints, kind, hard)
    if dissolved is None:
        dissolved = _dissolved(constraints, mask, kind=kind, hard=hard)
    else:
        _same_source(
            dissolved,
            DissolvedConstraints,
            "n_constraints",
            constraints,
            what="constrained_share",
            name="dissolved",
        )
        if (dissolved.kind, dissolved.hard) != (_category_key(kind), hard):
            raise MeasureError(
                f"constrained_share: dissolved was built for kind={dissolved.kind!r}, "
                f"hard={dissolved.hard!r}, not kind={_category_key(kind)!r}, hard={hard!r}; "
                "build it with the same kind and hard, or leave it out"
            )
    parts, tree = dissolved.parts, dissolved.tree
    covered = np.zeros(len(geoms))
    if len(parts):
        for part in chunks(len(geoms), CHUNK):
            p_idx, c_idx = tree.query(geoms[part], predicate="intersects")
            area = shapely.area(shapely.intersection(geoms[part][p_idx], parts[c_idx]))
            covered[part] += np.bincount(p_idx, weights=area, minlength=part.stop - part.start)
    area = shapely.area(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(area > 0, np.clip(covered / area, 0.0, 1.0), np.nan)
    return series(share, parcels.index, "constrained_share")
