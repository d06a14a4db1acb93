"""Walking distance along the street network, and the pieces it is built from.

:func:`walk_distance` answers "how far is the nearest station on foot from each
parcel" in three steps, each public so other measures can reuse them:

1. :func:`street_graph` turns the street lines into a graph whose edges are the
   streets' 2-point segments and whose nodes are their vertices (streets connect where
   they share a vertex, to the millimetre; lines that cross without a shared vertex,
   such as a bridge over a road, do not connect). Streets whose ``walkable`` column is
   False are left out. The edges are canonical: each runs from its lexicographically
   smaller end and they are sorted by their coordinates, so nothing downstream
   depends on the order of the streets' rows or the direction of their lines.
2. :func:`snap_to_edges` finds each geometry's *access points*: every street edge
   within :data:`SNAP_TIE_M` of its nearest distance to the streets (a corner parcel
   between two streets reaches both; a station at a junction reaches every edge
   there) and every edge that crosses it. A point reaches an edge at its
   perpendicular foot. A parcel reaches an edge at its nearest point, or along each
   of its sides that runs parallel to the street at that distance (the usual
   rectangular parcel beside a street: no single point is nearest), or, where the
   street crosses it, along each piece of the edge inside it (a street running into
   a railway yard is the yard's way out). The snap length is kept.
3. :func:`network_distance` inserts the targets' access points into their edges as
   virtual nodes (split-edge insertion: an edge ``u–v`` with targets at offsets
   ``a ≤ b`` becomes ``u–t1–t2–v``), hangs each off its virtual node by its snap
   length, and runs one multi-source Dijkstra in compiled code
   (``scipy.sparse.csgraph.dijkstra(min_only=True, indices=targets)``). Each origin
   access point then takes the best of: the two (split) edge-piece ends around its
   stretch, plus the way along the edge, and any target node within its stretch;
   plus its snap length. An origin's distance is the least over its access points
   (a multi-source problem on the origin side too), 0 where the parcel holds a
   target. This equals inserting the origins as virtual nodes too, without growing
   the graph by a million parcels, and a parcel's answer does not depend on which
   other parcels are measured. The targets' side (their snaps, the split graph, the
   distance from them to every node) does not depend on the parcels at all:
   :func:`target_distances` builds it once, and a
   :class:`~landasset.measures.Context` shares it between every partition.

Origins that cannot reach any target (no street within ``max_snap``, only street
components with no target) get ``inf``; so do origins farther than ``max_distance``.
One :class:`~landasset.measures.UnreachableWarning` says how many of each, and why.

Snapping parcel polygons is most of the work. ``STRtree.query_nearest`` costs 7-11 us
per polygon, so many geometries are snapped by a candidate search that gives the same
pairs and distances: a KD-tree over points spaced along the edges bounds each
geometry's distance to the streets from its first vertex, the edges whose boxes come
within that bound (plus the tie margin) of the geometry's box are the candidates, and
GEOS measures only those, keeping every edge within :data:`SNAP_TIE_M` of the least.
The snap runs in fixed chunks on a few threads (``workers``): the KD-tree query, numpy
and GEOS ``distance`` spend much of their time without the GIL. The chunks do not
depend on the number of threads, so neither do the results; the access points are
sorted by (geometry, edge, stretch) at the end, and the least over them is exact in
any order, so the answer is the same to the bit whatever the row order of the
streets and the direction of their lines.

Examples
--------
>>> import landasset as la
>>> from landasset.measures import walk_distance
>>> site = la.sample.load("yunqi")
>>> walk = walk_distance(site.parcels, site.stations, site.streets)
>>> walk.name, bool((walk[walk < float("inf")] > 0).all())
('walk_distance_m', True)
"""

from __future__ import annotations

import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from landasset._dates import DateLike, to_day_or_none
from landasset.measures._common import (
    Layer,
    MeasureError,
    UnreachableWarning,
    check_layers,
    check_positive,
    chunks,
    geometry_array,
    line_segments,
    parcel_geometries,
    present,
    series,
)
from landasset.measures._registry import DATE, OPTIONAL_NUMBER, Shared, measure

__all__ = [
    "NODE_PRECISION_M",
    "SNAP_TIE_M",
    "EdgeSnap",
    "StreetGraph",
    "TargetDistances",
    "network_distance",
    "snap_to_edges",
    "street_graph",
    "target_distances",
    "walk_distance",
]

IntArray: TypeAlias = npt.NDArray[np.intp]
FloatArray: TypeAlias = npt.NDArray[np.float64]
GeomArray: TypeAlias = npt.NDArray[np.object_]

#: Vertices closer than this (metres, after rounding) are one node of the street graph.
NODE_PRECISION_M = 1e-3

#: Edges within this many metres of a geometry's nearest distance to the streets are
#: all nearest (ties): each is an access point.
SNAP_TIE_M = 1e-6

#: Geometries snapped per chunk (bounds the temporaries of the snap; larger chunks are
#: no faster).
_SNAP_CHUNK = 16_384

#: Edge samples (for the snap's candidate search) are at most this far apart, unless
#: that would make more than ``_SAMPLES_PER_EDGE`` per edge on average.
_SAMPLE_SPACING_M = 50.0
_SAMPLES_PER_EDGE = 8

#: Up to this many geometries are snapped with ``STRtree.query_nearest`` directly
#: (the same answer as the candidate search, without building its sample tree).
_FEW_GEOMETRIES = 2_048

#: At most this many snapping threads by default (beyond it the gain is small).
_MAX_DEFAULT_WORKERS = 4


#: Threads per snapping call by default in a worker process of a partitioned
#: :func:`~landasset.measures.compute` (set to 1 there: the processes share the CPUs).
#: It changes the speed only, never a result.
_PROCESS_THREADS: int | None = None


def _default_workers() -> int:
    """Threads the snapping uses by default: the CPUs available, at most 4."""
    if _PROCESS_THREADS is not None:
        return _PROCESS_THREADS
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        available = os.cpu_count() or 1
    return max(1, min(available, _MAX_DEFAULT_WORKERS))


def _check_workers(workers: object, *, what: str) -> int:
    if workers is None:
        return _default_workers()
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise MeasureError(
            f"{what}: workers must be a whole number >= 1 (threads), or None for the "
            f"default ({_default_workers()} here), not {workers!r}"
        )
    return int(workers)


@dataclass(frozen=True, eq=False)
class StreetGraph:
    """The walkable street network as an undirected graph of straight segments.

    Attributes
    ----------
    node_xy : ndarray, shape (n_nodes, 2)
        Node coordinates (the streets' vertices).
    edge_u, edge_v : ndarray of int, shape (n_edges,)
        The nodes at the start and the end of each edge.
    edge_length : ndarray of float
        Edge lengths in metres.
    edge_street : ndarray of int
        Position, in the streets layer, of the street each edge belongs to.
    edge_start_xy, edge_end_xy : ndarray, shape (n_edges, 2)
        The segment's own end coordinates (a node's coordinates may differ from them
        by less than :data:`NODE_PRECISION_M`).
    segments : ndarray of shapely LineString
        Each edge as a 2-point line (the geometry snapped to).
    tree : shapely.STRtree
        A tree over ``segments``.
    """

    node_xy: FloatArray
    edge_u: IntArray
    edge_v: IntArray
    edge_length: FloatArray
    edge_street: IntArray
    edge_start_xy: FloatArray
    edge_end_xy: FloatArray
    segments: GeomArray
    tree: shapely.STRtree

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @cached_property
    def _samples(self) -> cKDTree:
        # the snapping's sample tree, built on first use and kept with the graph (and
        # with it in a Context sent to worker processes)
        return _edge_samples(self)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.edge_u)

    def __repr__(self) -> str:
        return f"<StreetGraph nodes={self.n_nodes:,} edges={self.n_edges:,}>"


@dataclass(frozen=True, eq=False)
class EdgeSnap:
    """Where geometries meet the street graph: their *access points*.

    A geometry reaches the streets at every edge within :data:`SNAP_TIE_M` of its
    nearest distance to them (all the tied edges at a corner or a junction, so the
    answer does not hinge on which edge comes first) and at every edge that crosses
    it. Each access point is a row; ``owner`` says which geometry it belongs to. A
    geometry with no access point (no geometry, no street) has no row.

    Attributes
    ----------
    n_geometries : int
        Number of geometries snapped.
    owner : ndarray of int
        The geometry (its position in the input) of each access point, ascending.
    edge : ndarray of int
        The edge of each access point.
    offset_m : ndarray of float
        Distance along the edge from its ``edge_u`` node to the snap point.
    stretch_m : ndarray, shape (n_access, 2)
        The offsets ``(from, to)`` of the stretch of the edge the geometry reaches at
        the snap length: a single offset for a point; the whole overlap when a side of
        a parcel runs parallel to the street (to a micrometre); the part of the edge
        inside the parcel when the street crosses it (snap length 0; one access point
        per piece when it leaves and re-enters).
    distance_m : ndarray of float
        Snap length: from the geometry (its nearest point) to the edge.
    point_xy : ndarray, shape (n_access, 2)
        The snap point on the edge (at ``offset_m``).
    origin_xy : ndarray, shape (n_access, 2)
        The point of the geometry nearest to the edge (the point itself for points,
        a boundary point for a parcel beside a street).

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> graph = la.measures.street_graph(site.streets)
    >>> snap = la.measures.snap_to_edges(graph, site.parcels)
    >>> snap.n_geometries == len(site.parcels), bool((snap.snap_distance_m < 1e4).all())
    (True, True)
    """

    n_geometries: int
    owner: IntArray
    edge: IntArray
    offset_m: FloatArray
    stretch_m: FloatArray
    distance_m: FloatArray
    point_xy: FloatArray
    origin_xy: FloatArray

    def __len__(self) -> int:
        """Number of geometries snapped (not of access points)."""
        return self.n_geometries

    @property
    def n_access(self) -> int:
        """Number of access points."""
        return len(self.owner)

    @property
    def snap_distance_m(self) -> FloatArray:
        """Per geometry, the least snap length (inf where it has no access point)."""
        out = np.full(self.n_geometries, np.inf)
        np.minimum.at(out, self.owner, self.distance_m)
        return out

    def subset(self, rows: npt.NDArray[np.bool_] | IntArray) -> EdgeSnap:
        """The access points ``rows`` (a mask or positions), same geometries."""
        return EdgeSnap(
            self.n_geometries,
            self.owner[rows],
            self.edge[rows],
            self.offset_m[rows],
            self.stretch_m[rows],
            self.distance_m[rows],
            self.point_xy[rows],
            self.origin_xy[rows],
        )


def _no_access() -> tuple[npt.NDArray[Any], ...]:
    """The access-point arrays of :class:`EdgeSnap` with no row."""
    return (
        np.empty(0, np.intp),
        np.empty(0, np.intp),
        np.empty(0),
        np.empty((0, 2)),
        np.empty(0),
        np.empty((0, 2)),
        np.empty((0, 2)),
    )


def _empty_snap(n: int) -> EdgeSnap:
    return EdgeSnap(n, *_no_access())


def _walkable(streets: Layer) -> npt.NDArray[np.bool_]:
    if isinstance(streets, gpd.GeoDataFrame) and "walkable" in streets.columns:
        flag = streets["walkable"]
        # only an explicit False excludes a street; missing means walkable
        return np.asarray(~flag.astype("boolean").eq(False).fillna(False).to_numpy(dtype=bool))
    return np.ones(len(streets), dtype=bool)


def street_graph(streets: Layer) -> StreetGraph:
    """Build the walkable street graph.

    Parameters
    ----------
    streets : GeoDataFrame or GeoSeries
        LineStrings / MultiLineStrings in a metric CRS. With a ``walkable`` column,
        streets marked False are left out (missing values count as walkable). Streets
        without geometry are skipped.

    Returns
    -------
    StreetGraph
        One edge per straight segment; nodes are the vertices, merged when they
        coincide to the millimetre (:data:`NODE_PRECISION_M`).

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> graph = la.measures.street_graph(site.streets)
    >>> walkable = site.streets[site.streets["walkable"].fillna(True)]
    >>> graph.n_edges >= len(walkable), graph.n_nodes > 0
    (True, True)
    """
    check_layers("street_graph", streets=streets)
    geoms = geometry_array(streets)
    rows = np.flatnonzero(_walkable(streets) & present(geoms))
    start, end, owner = line_segments(geoms[rows])
    owner = rows[owner]
    # canonical edges, whatever the row order of the streets and the direction of
    # their lines: each segment runs from its lexicographically smaller end, and the
    # segments are sorted by their coordinates (the street's row breaks exact ties)
    flip = (start[:, 0] > end[:, 0]) | ((start[:, 0] == end[:, 0]) & (start[:, 1] > end[:, 1]))
    start, end = np.where(flip[:, None], end, start), np.where(flip[:, None], start, end)
    order = np.lexsort((end[:, 1], end[:, 0], start[:, 1], start[:, 0]))
    start, end, owner = start[order], end[order], owner[order]
    n = len(start)
    if n == 0:
        return StreetGraph(
            node_xy=np.empty((0, 2)),
            edge_u=np.empty(0, np.intp),
            edge_v=np.empty(0, np.intp),
            edge_length=np.empty(0),
            edge_street=np.empty(0, np.intp),
            edge_start_xy=np.empty((0, 2)),
            edge_end_xy=np.empty((0, 2)),
            segments=np.empty(0, object),
            tree=shapely.STRtree([]),
        )
    ends = np.concatenate([start, end])
    keys = np.round(ends / NODE_PRECISION_M).astype(np.int64)
    _unique_keys, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    node_xy = ends[first]
    u, v = inverse[:n].astype(np.intp), inverse[n:].astype(np.intp)
    # segments shorter than the node precision collapse to a point: drop them
    keep = u != v
    start, end, owner, u, v = start[keep], end[keep], owner[keep], u[keep], v[keep]
    segments = shapely.linestrings(np.stack([start, end], axis=1))
    return StreetGraph(
        node_xy=node_xy,
        edge_u=u,
        edge_v=v,
        edge_length=np.hypot(*(end - start).T),
        edge_street=owner.astype(np.intp),
        edge_start_xy=start,
        edge_end_xy=end,
        segments=np.asarray(segments, dtype=object),
        tree=shapely.STRtree(segments),
    )


def snap_to_edges(
    graph: StreetGraph, geometries: Layer | GeomArray, *, workers: int | None = None
) -> EdgeSnap:
    """Find where geometries reach the street edges (not nodes): their access points.

    Parameters
    ----------
    graph : StreetGraph
        From :func:`street_graph`.
    geometries : GeoDataFrame, GeoSeries or array of shapely geometries
        Points reach each nearest segment at their perpendicular foot; other
        geometries (parcel polygons) from their point nearest to it, along a whole
        side where that side runs parallel to the street, and along the whole piece
        of a street that crosses them. Every edge within :data:`SNAP_TIE_M` of the
        nearest distance is an access point, and every edge that crosses the
        geometry (it is at distance 0).
    workers : int, optional
        Threads that snap chunks of geometries side by side (much of the work, the
        KD-tree query, numpy and GEOS distances, runs without holding the GIL).
        Default: the CPUs available to the process, at most 4. The result does not
        depend on it.

    Returns
    -------
    EdgeSnap
        The access points (edge, offset and stretch along it, snap length, both end
        points of the snap) with the geometry each belongs to. They do not depend on
        the order of the streets' rows nor on the direction of their lines.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> graph = la.measures.street_graph(site.streets)
    >>> snap = la.measures.snap_to_edges(graph, site.stations)
    >>> len(snap) == len(site.stations), bool(np.isfinite(snap.snap_distance_m).all())
    (True, True)
    """
    n_workers = _check_workers(workers, what="snap_to_edges")
    if isinstance(geometries, (gpd.GeoDataFrame, gpd.GeoSeries)):
        geoms = geometry_array(geometries)
    else:
        geoms = np.asarray(geometries, dtype=object)
    n = len(geoms)
    if graph.n_edges == 0 or n == 0:
        return _empty_snap(n)

    def snap_part(part: slice) -> tuple[Any, ...]:
        g = geoms[part]
        if samples is None:
            g_idx, e_idx, d = _nearest_few(graph, g)
        else:
            g_idx, e_idx, d = _nearest_edges(graph, samples, g)
        rows = _access_points(graph, g, g_idx, e_idx, d)
        # canonical order: by geometry, then edge, then stretch (the chunks cover
        # consecutive geometries, so their rows stay in that order once joined)
        pair = rows[0].astype(np.int64) * graph.n_edges + rows[1]
        order = np.lexsort((rows[3][:, 1], rows[3][:, 0], pair))
        return (rows[0][order] + part.start, *(column[order] for column in rows[1:]))

    # a few geometries (the targets): GEOS's own nearest search, no sample tree to build
    samples = graph._samples if n > _FEW_GEOMETRIES else None
    parts = list(chunks(n, _SNAP_CHUNK))
    if n_workers == 1 or len(parts) == 1:
        results = [snap_part(part) for part in parts]
    else:
        with ThreadPoolExecutor(max_workers=min(n_workers, len(parts))) as pool:
            # list(): re-raises the first exception of any chunk
            results = list(pool.map(snap_part, parts))
    owner, edge, offset, stretch, distance, point_xy, origin_xy = (
        np.concatenate(c) for c in zip(*results, strict=True)
    )
    return EdgeSnap(
        n,
        owner.astype(np.intp, copy=False),
        edge.astype(np.intp, copy=False),
        offset,
        stretch,
        distance,
        point_xy,
        origin_xy,
    )


def _along(graph: StreetGraph, edge: IntArray, xy: FloatArray) -> FloatArray:
    """Offset of points ``xy`` (on or beside their edges) along the edges, clamped."""
    a = graph.edge_start_xy[edge]
    ab = graph.edge_end_xy[edge] - a
    length = graph.edge_length[edge]
    t = np.sum((xy - a) * ab, axis=1) / length
    return np.clip(t, 0.0, length)


def _access_points(
    graph: StreetGraph, g: GeomArray, g_idx: IntArray, e_idx: IntArray, d: FloatArray
) -> tuple[Any, ...]:
    """Access point rows for the (geometry, edge, distance) pairs of one chunk.

    Returns ``(owner, edge, offset, stretch, distance, point_xy, origin_xy)``.
    """
    start_xy, end_xy = graph.edge_start_xy, graph.edge_end_xy
    src = g[g_idx]
    is_point = shapely.get_type_id(src) == shapely.GeometryType.POINT
    crossing = np.flatnonzero(~is_point & (d == 0))
    out: list[tuple[Any, ...]] = []
    if len(crossing):
        # the street crosses (or touches) the geometry: every piece of the edge inside
        # it is a stretch at snap length 0
        inside = shapely.intersection(src[crossing], graph.segments[e_idx[crossing]])
        pieces, piece_pair = shapely.get_parts(inside, return_index=True)
        coords, coord_piece = shapely.get_coordinates(pieces, return_index=True)
        if len(coords):
            pair = crossing[piece_pair[coord_piece]]
            t = _along(graph, e_idx[pair], coords)
            first = np.flatnonzero(np.r_[True, coord_piece[1:] != coord_piece[:-1]])
            lo = np.minimum.reduceat(t, first)
            hi = np.maximum.reduceat(t, first)
            p = pair[first]
            e = e_idx[p]
            a = start_xy[e]
            unit = (end_xy[e] - a) / graph.edge_length[e][:, None]
            xy = a + lo[:, None] * unit
            out.append((g_idx[p], e, lo, np.stack([lo, hi], axis=1), np.zeros(len(p)), xy, xy))
            found = np.zeros(len(g_idx), dtype=bool)
            found[p] = True
        else:
            found = np.zeros(len(g_idx), dtype=bool)
        # a touch GEOS could not cut out (rounding): measured as below
        rest = np.flatnonzero(~found & ~is_point)
    else:
        rest = np.flatnonzero(~is_point)
    points = np.flatnonzero(is_point)
    if len(points):
        origin = shapely.get_coordinates(src[points])
        e = e_idx[points]
        target = _foot(origin, start_xy[e], end_xy[e])
        along = _along(graph, e, target)
        out.append(
            (
                g_idx[points],
                e,
                along,
                np.stack([along, along], axis=1),
                np.hypot(*(origin - target).T),
                target,
                origin,
            )
        )
    if len(rest):
        e = e_idx[rest]
        lines = shapely.shortest_line(src[rest], graph.segments[e])
        coords = shapely.get_coordinates(lines).reshape(-1, 2, 2)
        origin = coords[:, 0]
        target = _foot(coords[:, 1], start_xy[e], end_xy[e])
        along = _along(graph, e, target)
        # each side parallel to the street at the snap length is a stretch of its own
        # (a U-shaped parcel reaches the street along both arms, not across the gap)
        side, lo, hi = _parallel_sides(src[rest], start_xy[e], end_xy[e], d[rest])
        side_xy = start_xy[e[side]] + lo[:, None] * (
            (end_xy[e[side]] - start_xy[e[side]]) / graph.edge_length[e[side]][:, None]
        )
        # the nearest point, where no such side covers it already
        covered = np.zeros(len(rest), dtype=bool)
        np.logical_or.at(covered, side, (lo <= along[side]) & (along[side] <= hi))
        foot = np.flatnonzero(~covered)
        out.append(
            (
                g_idx[rest[side]],
                e[side],
                lo,
                np.stack([lo, hi], axis=1),
                d[rest[side]],
                side_xy,
                side_xy,
            )
        )
        out.append(
            (
                g_idx[rest[foot]],
                e[foot],
                along[foot],
                np.stack([along[foot], along[foot]], axis=1),
                d[rest[foot]],
                target[foot],
                origin[foot],
            )
        )
    if not out:
        return _no_access()
    return tuple(np.concatenate(c) for c in zip(*out, strict=True))


def _edge_samples(graph: StreetGraph) -> cKDTree:
    """A KD-tree over points spaced along every edge (its ends included).

    The distance from any point to the nearest sample is an upper bound on its
    distance to the nearest edge, within half the spacing of it.
    """
    length = graph.edge_length
    spacing = max(_SAMPLE_SPACING_M, float(length.sum()) / (_SAMPLES_PER_EDGE * len(length)))
    pieces = np.maximum(np.ceil(length / spacing), 1).astype(np.intp)
    edge = np.repeat(np.arange(len(length)), pieces + 1)
    step = np.arange(len(edge)) - np.repeat(np.r_[0, np.cumsum(pieces + 1)[:-1]], pieces + 1)
    f = (step / np.repeat(pieces, pieces + 1))[:, None]
    a, b = graph.edge_start_xy[edge], graph.edge_end_xy[edge]
    return cKDTree(a + f * (b - a))


def _nearest_edges(
    graph: StreetGraph, samples: cKDTree, geoms: GeomArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """The edges within :data:`SNAP_TIE_M` of each geometry's nearest, from a KD-tree.

    The same pairs and distances as :func:`_nearest_few` (GEOS ``distance`` on the same pairs; the tree query
    itself costs 7-11 us per parcel polygon). Each geometry's first vertex gives an
    upper bound ``U`` on its distance to the streets (the nearest edge sample, see
    :func:`_edge_samples`); every edge at the nearest distance (plus the tie margin)
    lies within ``U`` of the geometry's bounding box, so the candidates are the edges
    whose boxes come within ``U`` of it, and GEOS measures only those.

    A fast kernel: :func:`_nearest_few` is its plain reference path (used as is for
    up to :data:`_FEW_GEOMETRIES` geometries), and tests/measures/test_network.py
    checks that both give the same access points.
    """
    ok = np.flatnonzero(present(geoms))
    if not len(ok):
        return np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0)
    kept = geoms[ok]
    coords, owner = shapely.get_coordinates(kept, return_index=True)
    first = np.searchsorted(owner, np.arange(len(kept)))
    bound, _ = samples.query(coords[first])
    # margin for the rounding of the samples and of the distances, and the ties
    bound = bound * (1 + 1e-9) + 1e-6 + SNAP_TIE_M
    box = shapely.bounds(kept)
    grown = shapely.box(box[:, 0] - bound, box[:, 1] - bound, box[:, 2] + bound, box[:, 3] + bound)
    g_idx, e_idx = graph.tree.query(grown)
    # the Euclidean gap between the boxes is a lower bound on the distance
    a, b = graph.edge_start_xy[e_idx], graph.edge_end_xy[e_idx]
    gb = box[g_idx]
    gap_x = np.maximum(
        0.0,
        np.maximum(
            gb[:, 0] - np.maximum(a[:, 0], b[:, 0]), np.minimum(a[:, 0], b[:, 0]) - gb[:, 2]
        ),
    )
    gap_y = np.maximum(
        0.0,
        np.maximum(
            gb[:, 1] - np.maximum(a[:, 1], b[:, 1]), np.minimum(a[:, 1], b[:, 1]) - gb[:, 3]
        ),
    )
    near = np.hypot(gap_x, gap_y) <= bound[g_idx]
    g_idx, e_idx = g_idx[near], e_idx[near]
    d = shapely.distance(kept[g_idx], graph.segments[e_idx])
    least = np.full(len(kept), np.inf)
    np.minimum.at(least, g_idx, d)
    tie = d <= least[g_idx] + SNAP_TIE_M
    return ok[g_idx[tie]], e_idx[tie], d[tie]


def _nearest_few(graph: StreetGraph, geoms: GeomArray) -> tuple[IntArray, IntArray, FloatArray]:
    """The edges within :data:`SNAP_TIE_M` of each geometry's nearest, from GEOS's trees.

    For a few geometries: ``STRtree.query_nearest`` gives the nearest distance, a
    ``dwithin`` query the edges up to it plus the tie margin.
    """
    ok = np.flatnonzero(present(geoms))
    if not len(ok):
        return np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0)
    kept = geoms[ok]
    (g_idx, _), d = graph.tree.query_nearest(kept, return_distance=True)
    least = np.full(len(kept), np.inf)
    least[g_idx] = d
    reach = least * (1 + 1e-9) + 1e-6 + SNAP_TIE_M
    g_idx, e_idx = graph.tree.query(kept, predicate="dwithin", distance=reach)
    d = shapely.distance(kept[g_idx], graph.segments[e_idx])
    least = np.full(len(kept), np.inf)
    np.minimum.at(least, g_idx, d)
    tie = d <= least[g_idx] + SNAP_TIE_M
    return ok[g_idx[tie]], e_idx[tie], d[tie]


def _parallel_sides(
    geoms: GeomArray, a: FloatArray, b: FloatArray, d: FloatArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """The sides of each geometry parallel to ``a–b`` at distance ``d``, as offsets.

    A side counts when both its ends lie at ``d`` (to a micrometre) from the street's
    line and its projection overlaps the segment. Returns ``(pair, from, to)``: the
    position of the (geometry, segment) pair and the offsets of the overlap.
    """
    p, q, owner = _boundary_segments(geoms)
    if not len(p):
        return np.empty(0, np.intp), np.empty(0), np.empty(0)
    ab = b - a
    length = np.hypot(ab[:, 0], ab[:, 1])
    unit = ab / length[:, None]
    u = unit[owner]
    normal = np.stack([-u[:, 1], u[:, 0]], axis=1)
    pa = p - a[owner]
    qa = q - a[owner]
    tol = 1e-6 + 1e-9 * d[owner]
    at_d = (np.abs(np.abs(np.sum(pa * normal, axis=1)) - d[owner]) <= tol) & (
        np.abs(np.abs(np.sum(qa * normal, axis=1)) - d[owner]) <= tol
    )
    tp = np.sum(pa * u, axis=1)
    tq = np.sum(qa * u, axis=1)
    start = np.maximum(np.minimum(tp, tq), 0.0)
    end = np.minimum(np.maximum(tp, tq), length[owner])
    ok = at_d & (start <= end)
    return owner[ok], start[ok], end[ok]


def _boundary_segments(geoms: GeomArray) -> tuple[FloatArray, FloatArray, IntArray]:
    """:func:`line_segments` of polygons, without building their rings as geometries.

    The coordinates of a Polygon without holes are its exterior ring in order, so its
    segments are the pairs of consecutive coordinates; the other geometries go
    through :func:`line_segments`. Same segments, same order per geometry.
    """
    simple = (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON) & (
        shapely.get_num_interior_rings(geoms) == 0
    )
    rest = np.flatnonzero(~simple)
    coords, owner = shapely.get_coordinates(geoms[simple], return_index=True)
    owner = np.flatnonzero(simple)[owner]
    same = np.flatnonzero(owner[:-1] == owner[1:])
    start, end, seg_owner = coords[same], coords[same + 1], owner[same]
    nonzero = np.any(start != end, axis=1)
    start, end, seg_owner = start[nonzero], end[nonzero], seg_owner[nonzero]
    if len(rest):
        r_start, r_end, r_owner = line_segments(geoms[rest])
        start = np.concatenate([start, r_start])
        end = np.concatenate([end, r_end])
        seg_owner = np.concatenate([seg_owner, rest[r_owner]])
    return start, end, seg_owner.astype(np.intp)


def _foot(p: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """Perpendicular foot of points ``p`` on segments ``a–b`` (clamped to the segment)."""
    ab = b - a
    t = np.sum((p - a) * ab, axis=1) / np.sum(ab * ab, axis=1)
    t = np.clip(t, 0.0, 1.0)
    return a + t[:, None] * ab


@dataclass(frozen=True, eq=False)
class _SplitGraph:
    """The street graph with the targets inserted (see :func:`_split`)."""

    matrix: sp.csr_matrix
    sources: IntArray  # one node per target (the target itself, off the street)
    # targets sorted by (edge, offset): their edge, offset and virtual node
    t_edge: IntArray
    t_offset: FloatArray
    t_node: IntArray
    edge_has_target: npt.NDArray[np.bool_]


def _split(graph: StreetGraph, targets: EdgeSnap) -> _SplitGraph:
    """Insert the target snaps as virtual nodes into their edges.

    Each access point of a target is inserted at both ends of its stretch (once where
    they coincide): a target reaches the street anywhere on it, and a walker coming
    along the edge meets it at the nearer end. Node numbering: the graph's nodes, then
    one virtual node per inserted position on its edge, then one node per position
    hanging off its virtual node by the snap length (the sources).
    """
    n_nodes = graph.n_nodes
    lo, hi = targets.stretch_m[:, 0], targets.stretch_m[:, 1]
    two = hi > lo
    p_edge = np.r_[targets.edge, targets.edge[two]]
    p_offset = np.r_[lo, hi[two]]
    p_dist = np.r_[targets.distance_m, targets.distance_m[two]]
    order = np.lexsort((p_dist, p_offset, p_edge))
    k = len(order)
    t_edge = p_edge[order]
    t_offset = p_offset[order]
    t_dist = p_dist[order]
    t_node = n_nodes + np.arange(k, dtype=np.intp)
    source = n_nodes + k + np.arange(k, dtype=np.intp)
    edge_has_target = np.zeros(graph.n_edges, dtype=bool)
    edge_has_target[t_edge] = True

    same_as_prev = np.zeros(k, dtype=bool)
    same_as_prev[1:] = t_edge[1:] == t_edge[:-1]
    last_on_edge = np.ones(k, dtype=bool)
    last_on_edge[:-1] = ~same_as_prev[1:]
    prev_node = np.where(same_as_prev, np.r_[-1, t_node[:-1]], graph.edge_u[t_edge])
    prev_offset = np.where(same_as_prev, np.r_[0.0, t_offset[:-1]], 0.0)

    keep = ~edge_has_target
    rows = [graph.edge_u[keep], prev_node, t_node[last_on_edge], t_node]
    cols = [graph.edge_v[keep], t_node, graph.edge_v[t_edge[last_on_edge]], source]
    weights = [
        graph.edge_length[keep],
        t_offset - prev_offset,
        graph.edge_length[t_edge[last_on_edge]] - t_offset[last_on_edge],
        t_dist,
    ]
    u = np.concatenate(rows)
    v = np.concatenate(cols)
    w = np.maximum(np.concatenate(weights), 0.0)
    # undirected: one entry per node pair, the shortest of parallel edges (a sparse
    # matrix would add duplicates up)
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    pick = np.lexsort((w, hi, lo))
    first = np.ones(len(pick), dtype=bool)
    first[1:] = (lo[pick][1:] != lo[pick][:-1]) | (hi[pick][1:] != hi[pick][:-1])
    pick = pick[first]
    size = n_nodes + 2 * k
    # explicit zeros are kept: csgraph treats a stored 0 as a zero-length edge
    matrix = sp.csr_matrix((w[pick], (lo[pick], hi[pick])), shape=(size, size))
    return _SplitGraph(matrix, source, t_edge, t_offset, t_node, edge_has_target)


def _count_before(
    t_edge: IntArray,
    t_offset: FloatArray,
    q_edge: IntArray,
    q_offset: FloatArray,
    *,
    inclusive: bool,
) -> IntArray:
    """How many (sorted) targets come before each query in (edge, offset) order.

    ``inclusive``: targets at the query's own position count as before it.
    """
    k = len(t_edge)
    is_query = np.r_[np.zeros(k, bool), np.ones(len(q_edge), bool)]
    tie = is_query if inclusive else ~is_query
    order = np.lexsort((tie, np.r_[t_offset, q_offset], np.r_[t_edge, q_edge]))
    before = np.cumsum(~is_query[order])
    out = np.empty(len(q_edge), dtype=np.intp)
    queries = is_query[order]
    out[order[queries] - k] = before[queries]
    return out


def _origin_distance(
    split: _SplitGraph,
    graph: StreetGraph,
    dist: FloatArray,
    edge: IntArray,
    lo: FloatArray,
    hi: FloatArray,
) -> FloatArray:
    """Network distance from the stretch ``[lo, hi]`` of each edge to the nearest target.

    On an edge without targets: the better of its two ends. On an edge with targets
    inserted: the better of the split piece's ends outside the stretch, and of every
    target node inside it.

    A fast kernel: it stands for inserting every origin into the graph as a virtual
    node too (a million more nodes for a million parcels); the plain reference path
    is a networkx Dijkstra on the graph with both inserted, which
    tests/measures/test_network.py compares to.
    """
    length = graph.edge_length[edge]
    out = np.minimum(dist[graph.edge_u[edge]] + lo, dist[graph.edge_v[edge]] + (length - hi))
    rows = np.flatnonzero(split.edge_has_target[edge])
    if not len(rows):
        return out
    k = len(split.t_edge)
    e, a0, a1 = edge[rows], lo[rows], hi[rows]
    first_in = _count_before(split.t_edge, split.t_offset, e, a0, inclusive=False)
    first_after = _count_before(split.t_edge, split.t_offset, e, a1, inclusive=True)
    prev = np.maximum(first_in - 1, 0)
    has_prev = (first_in > 0) & (split.t_edge[prev] == e)
    low_node = np.where(has_prev, split.t_node[prev], graph.edge_u[e])
    low_off = np.where(has_prev, split.t_offset[prev], 0.0)
    nxt = np.minimum(first_after, k - 1)
    has_next = (first_after < k) & (split.t_edge[nxt] == e)
    high_node = np.where(has_next, split.t_node[nxt], graph.edge_v[e])
    high_off = np.where(has_next, split.t_offset[nxt], length[rows])
    best = np.minimum(dist[low_node] + (a0 - low_off), dist[high_node] + (high_off - a1))
    count = first_after - first_in
    inside = np.flatnonzero(count > 0)
    if len(inside):
        # the target nodes within the stretch: gather them per origin, take the least
        n_in = count[inside]
        group_start = np.r_[0, np.cumsum(n_in)[:-1]]
        flat = np.repeat(first_in[inside] - group_start, n_in) + np.arange(n_in.sum())
        least = np.minimum.reduceat(dist[split.t_node[flat]], group_start)
        best[inside] = np.minimum(best[inside], least)
    out[rows] = best
    return out


@dataclass(frozen=True)
class _Reach:
    distance: FloatArray
    unreachable: int
    no_street: int
    no_target: bool
    empty_network: bool = False
    #: reachable parcels whose nearest target is farther than ``max_distance``
    beyond: int = 0
    max_distance: float | None = None
    max_snap: float | None = None


def _per_owner_min(owner: IntArray, values: FloatArray, n: int) -> FloatArray:
    """Least of ``values`` per owner (``owner`` ascending); inf for owners with none."""
    out = np.full(n, np.inf)
    if len(owner):
        first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        out[owner[first]] = np.minimum.reduceat(values, first)
    return out


@dataclass(frozen=True, eq=False)
class TargetDistances:
    """The open targets on a street graph, and the network distance from the nearest
    of them to every node: the part of :func:`walk_distance` that does not depend on
    the parcels (build it with :func:`target_distances`).

    :func:`~landasset.measures.compute` builds it once per call (a
    :class:`~landasset.measures.Context` once, whatever the partitions), so a
    partition of the parcels only snaps its own parcels and reads the distances.

    Attributes
    ----------
    graph : StreetGraph
        The graph it was built on.
    n_targets : int
        Rows of the targets layer it was built from (open or not).
    as_of : Timestamp or None
        The day the targets were open on (None: all of them).
    max_distance, max_snap : float or None
        As :func:`walk_distance`.
    open_geometries : ndarray of shapely geometries
        The open targets (a parcel that holds one is at 0).
    snap : EdgeSnap
        Their access points (within ``max_snap``).
    """

    graph: StreetGraph
    n_targets: int
    as_of: pd.Timestamp | None
    max_distance: float | None
    max_snap: float | None
    open_geometries: GeomArray
    snap: EdgeSnap
    # the graph with the targets inserted and the distance from them to every node;
    # None when the graph has no edge or no target reaches it
    _split: _SplitGraph | None = None
    _dist: FloatArray | None = None
    # with max_distance: whether each node's component holds a target
    _served: npt.NDArray[np.bool_] | None = None

    def __repr__(self) -> str:
        return (
            f"<TargetDistances targets={len(self.open_geometries):,} open of "
            f"{self.n_targets:,} on {self.graph!r}>"
        )


def _target_distances(
    graph: StreetGraph,
    snap: EdgeSnap,
    *,
    max_distance: float | None,
    max_snap: float | None = None,
    open_geometries: GeomArray | None = None,
    n_targets: int | None = None,
    as_of: pd.Timestamp | None = None,
) -> TargetDistances:
    if max_snap is not None:
        snap = snap.subset(snap.distance_m <= max_snap)
    geoms = np.empty(0, dtype=object) if open_geometries is None else open_geometries
    n = snap.n_geometries if n_targets is None else n_targets
    if graph.n_edges == 0 or snap.n_access == 0:
        return TargetDistances(graph, n, as_of, max_distance, max_snap, geoms, snap)
    split = _split(graph, snap)
    limit = np.inf if max_distance is None else max_distance
    dist = dijkstra(split.matrix, directed=False, indices=split.sources, min_only=True, limit=limit)
    served = None
    if max_distance is not None:
        # inf for two reasons: no target on a parcel's street component, or the
        # nearest one beyond max_distance; the components tell them apart
        _, labels = connected_components(split.matrix, directed=False)
        reached = np.zeros(labels.max() + 1, dtype=bool)
        reached[labels[split.sources]] = True
        served = reached[labels[: graph.n_nodes]]
    return TargetDistances(
        graph, n, as_of, max_distance, max_snap, geoms, snap, split, dist, served
    )


def _network_distance(
    graph: StreetGraph,
    targets: EdgeSnap | TargetDistances,
    origins: EdgeSnap,
    *,
    max_distance: float | None,
    max_snap: float | None = None,
    at_target: npt.NDArray[np.bool_] | None = None,
) -> _Reach:
    """Distances and the reasons for inf.

    ``targets``: snapped (the distances from them are computed here), or their
    :class:`TargetDistances` on ``graph``. ``at_target``: origins that hold a target
    (distance 0 whatever the streets).
    """
    field = (
        targets
        if isinstance(targets, TargetDistances)
        else _target_distances(graph, targets, max_distance=max_distance)
    )
    n = origins.n_geometries
    zero = np.zeros(n, dtype=bool) if at_target is None else at_target
    has_access = np.zeros(n, dtype=bool)
    has_access[origins.owner] = True
    no_street = int((~has_access & ~zero).sum())
    out = np.where(zero, 0.0, np.inf)
    split, dist = field._split, field._dist
    if split is None or dist is None:
        n_out = int((~zero).sum())
        empty = graph.n_edges == 0
        return _Reach(out, n_out, n_out if empty else no_street, not empty, empty)
    m = origins.n_access
    access = np.empty(m)
    # access points in chunks: the per-point temporaries stay bounded
    for part in chunks(m, _SNAP_CHUNK):
        access[part] = (
            _origin_distance(
                split,
                graph,
                dist,
                origins.edge[part],
                origins.stretch_m[part, 0],
                origins.stretch_m[part, 1],
            )
            + origins.distance_m[part]
        )
    out = np.minimum(out, _per_owner_min(origins.owner, access, n))
    if max_distance is not None:
        out[out > max_distance] = np.inf
    unreachable = ~has_access & ~zero
    beyond = 0
    if np.isinf(out).any():
        if field._served is None:
            unreachable |= np.isinf(out)
        else:
            ok = field._served[graph.edge_u[origins.edge]].astype(float)
            served = _per_owner_min(origins.owner, -ok, n) < 0
            unreachable |= ~served & ~zero
            beyond = int((np.isinf(out) & ~unreachable).sum())
    return _Reach(
        out,
        int(unreachable.sum()),
        no_street,
        False,
        beyond=beyond,
        max_distance=max_distance,
        max_snap=max_snap,
    )


def network_distance(
    graph: StreetGraph,
    targets: EdgeSnap,
    origins: EdgeSnap,
    *,
    max_distance: float | None = None,
) -> FloatArray:
    """Network distance from each origin to its nearest target, both snapped.

    Parameters
    ----------
    graph : StreetGraph
        From :func:`street_graph`.
    targets, origins : EdgeSnap
        From :func:`snap_to_edges` on the same graph.
    max_distance : float, optional
        Stop searching beyond this many metres; farther origins get ``inf``.

    Returns
    -------
    ndarray of float
        Metres per origin: the least, over the origin's and the targets' access
        points, of origin snap length + path along the streets + target snap length;
        ``inf`` when no target can be reached (or it is beyond
        ``max_distance``). No warning is given here (see :func:`walk_distance`).

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> graph = la.measures.street_graph(site.streets)
    >>> stations = la.measures.snap_to_edges(graph, site.stations)
    >>> parcels = la.measures.snap_to_edges(graph, site.parcels)
    >>> d = la.measures.network_distance(graph, stations, parcels)
    >>> d.shape == (len(site.parcels),)
    True
    """
    if max_distance is not None:
        max_distance = check_positive(max_distance, what="max_distance")
    return _network_distance(graph, targets, origins, max_distance=max_distance).distance


def _as_of(as_of: Any, *, what: str) -> pd.Timestamp | None:
    """``as_of`` as a day (``landasset._dates.to_day``); None stays None (every target counts)."""
    from landasset._errors import LandassetValueError

    try:
        return to_day_or_none(as_of)
    except LandassetValueError as exc:
        raise MeasureError(f"{what}: {exc}") from None


def open_targets(
    targets: Layer, as_of: Any, *, what: str = "walk_distance"
) -> npt.NDArray[np.bool_]:
    """Mask of the targets open on ``as_of`` (all of them when ``as_of`` is None)."""
    stamp = _as_of(as_of, what=what)
    mask = np.ones(len(targets), dtype=bool)
    if (
        stamp is None
        or not isinstance(targets, gpd.GeoDataFrame)
        or "opening_date" not in targets.columns
    ):
        return mask
    dates = targets["opening_date"]
    if not pd.api.types.is_datetime64_any_dtype(dates.dtype):
        parsed = pd.to_datetime(dates, errors="coerce", format="mixed")
        if (parsed.isna() & dates.notna()).any():
            bad = dates[parsed.isna() & dates.notna()].iloc[0]
            raise MeasureError(
                f"{what}: opening_date {bad!r} does not parse; write dates as YYYY-MM-DD"
            )
        dates = parsed
    elif getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert(None)
    # a missing opening date means open
    return np.asarray(~(dates > stamp).to_numpy(dtype=bool))


def _unreachable_message(reach: _Reach, n: int, *, what: str) -> str | None:
    sentences = []
    if reach.unreachable:
        sentences.append(_no_target_sentence(reach, n))
    if reach.beyond:
        sentences.append(
            f"{reach.beyond} of {n} parcels have no target within "
            f"max_distance={reach.max_distance:g} m and get inf (raise max_distance, or "
            "leave it out, to measure them)"
        )
    if not sentences:
        return None
    return f"{what}: " + ". ".join(sentences)


def _no_target_sentence(reach: _Reach, n: int) -> str:
    if reach.empty_network:
        why = "there is no walkable street (the street layer is empty, or every street is walkable=False)"
    elif reach.no_target:
        why = (
            "there is no target to reach (the target layer is empty, has no geometry, "
            "no street to snap to, or no target is open by as_of)"
        )
    else:
        parts = []
        if reach.no_street:
            if reach.max_snap is None:
                parts.append(f"{reach.no_street} have no walkable street to snap to")
            else:
                parts.append(
                    f"{reach.no_street} have no walkable street within "
                    f"max_snap={reach.max_snap:g} m (raise max_snap, or add the streets "
                    "that serve them)"
                )
        rest = reach.unreachable - reach.no_street
        if rest:
            parts.append(
                f"{rest} lie on a street component that holds no target (connect that "
                "component to the rest of the network, e.g. add the missing links at "
                "junctions, or add a target on it)"
            )
        why = "; ".join(parts)
    return (
        f"{reach.unreachable} of {n} parcels cannot reach any target along the "
        f"streets and get inf: {why}"
    )


def _holds_target(geoms: GeomArray, targets: GeomArray) -> npt.NDArray[np.bool_]:
    """Which geometries hold (intersect) a target."""
    out = np.zeros(len(geoms), dtype=bool)
    kept = targets[present(targets)]
    if len(kept) and len(geoms):
        tree = shapely.STRtree(kept)
        hit, _ = tree.query(geoms, predicate="intersects")
        out[hit] = True
    return out


def _build_target_distances(
    graph: StreetGraph,
    targets: Layer,
    *,
    as_of: Any,
    max_distance: float | None,
    max_snap: float | None,
    workers: int | None = 1,
) -> TargetDistances:
    stamp = _as_of(as_of, what="walk_distance")
    open_geoms = geometry_array(targets)[open_targets(targets, stamp)]
    # the targets are few (stations): one snapping thread is enough
    snap = snap_to_edges(graph, open_geoms, workers=workers)
    return _target_distances(
        graph,
        snap,
        max_distance=max_distance,
        max_snap=max_snap,
        open_geometries=open_geoms,
        n_targets=len(targets),
        as_of=stamp,
    )


def _check_target_distances(
    given: object,
    graph: StreetGraph,
    targets: Layer,
    *,
    as_of: Any,
    max_distance: float | None,
    max_snap: float | None,
) -> None:
    """Refuse target distances built from other targets, another graph or other options."""
    if not isinstance(given, TargetDistances):
        raise MeasureError(
            "walk_distance: from_targets must be the TargetDistances of "
            "landasset.measures.target_distances(graph, targets, ...), not a "
            f"{type(given).__name__}"
        )
    stamp = _as_of(as_of, what="walk_distance")
    wrong = [
        what
        for what, same in (
            ("graph", given.graph is graph),
            ("targets", given.n_targets == len(targets)),
            ("as_of", given.as_of == stamp),
            ("max_distance", given.max_distance == max_distance),
            ("max_snap", given.max_snap == max_snap),
        )
        if not same
    ]
    if wrong:
        raise MeasureError(
            f"walk_distance: from_targets was built with another {', '.join(wrong)}; build "
            "it with target_distances(graph, targets, as_of=..., max_distance=..., "
            "max_snap=...) with the same graph and options as this call, or leave it out"
        )


def target_distances(
    graph: StreetGraph,
    targets: Layer,
    *,
    as_of: DateLike | None = None,
    max_distance: float | None = None,
    max_snap: float | None = None,
) -> TargetDistances:
    """Snap the open targets to the streets and find the distance from them to every
    node: the shared part of :func:`walk_distance`, built once for many parcels.

    Pass it as ``from_targets=`` (with the same ``graph`` and options) to measure
    several parcel layers, or the partitions of one, against the same targets;
    :func:`~landasset.measures.compute` does, once per call.

    Parameters
    ----------
    graph : StreetGraph
        From :func:`street_graph`.
    targets : GeoDataFrame or GeoSeries
        The targets (stations); with ``opening_date``, only those open on ``as_of``
        count.
    as_of, max_distance, max_snap
        As :func:`walk_distance`.

    Returns
    -------
    TargetDistances

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> graph = la.measures.street_graph(site.streets)
    >>> served = la.measures.target_distances(graph, site.stations, as_of="2030-01-01")
    >>> d = la.measures.walk_distance(
    ...     site.parcels, site.stations, site.streets, as_of="2030-01-01",
    ...     graph=graph, from_targets=served,
    ... )
    >>> d.equals(la.measures.walk_distance(
    ...     site.parcels, site.stations, site.streets, as_of="2030-01-01"))
    True
    """
    check_layers("target_distances", targets=targets)
    if not isinstance(graph, StreetGraph):
        raise MeasureError(
            "target_distances: graph must be a StreetGraph from "
            f"landasset.measures.street_graph(streets), not a {type(graph).__name__}"
        )
    if max_distance is not None:
        max_distance = check_positive(max_distance, what="target_distances: max_distance")
    if max_snap is not None:
        max_snap = check_positive(max_snap, what="target_distances: max_snap")
    return _build_target_distances(
        graph, targets, as_of=as_of, max_distance=max_distance, max_snap=max_snap
    )


def _walk_distance(
    parcels: Layer,
    targets: Layer,
    streets: Layer,
    *,
    max_distance: float | None,
    as_of: Any,
    workers: int | None = None,
    max_snap: float | None = None,
    graph: StreetGraph | None = None,
    snapped: EdgeSnap | None = None,
    from_targets: TargetDistances | None = None,
) -> tuple[pd.Series, _Reach]:
    if max_distance is not None:
        max_distance = check_positive(max_distance, what="walk_distance: max_distance")
    if max_snap is not None:
        max_snap = check_positive(max_snap, what="walk_distance: max_snap")
    n_workers = _check_workers(workers, what="walk_distance")
    geoms = parcel_geometries(parcels, what="walk_distance")
    if graph is None and from_targets is not None:
        graph = from_targets.graph
    if graph is None:
        graph = street_graph(streets)
    elif not isinstance(graph, StreetGraph):
        raise MeasureError(
            f"walk_distance: graph must be a StreetGraph from "
            f"landasset.measures.street_graph(streets), not a {type(graph).__name__}"
        )
    if snapped is None:
        origin = snap_to_edges(graph, geoms, workers=n_workers)
    elif not isinstance(snapped, EdgeSnap) or snapped.n_geometries != len(geoms):
        what = (
            f"{snapped.n_geometries} geometries"
            if isinstance(snapped, EdgeSnap)
            else f"a {type(snapped).__name__}"
        )
        raise MeasureError(
            f"walk_distance: snapped must be snap_to_edges(graph, parcels) for these "
            f"{len(geoms)} parcels, not {what}; snap the same parcels on the same graph, "
            "or leave snapped out"
        )
    else:
        origin = snapped
    if from_targets is None:
        from_targets = _build_target_distances(
            graph, targets, as_of=as_of, max_distance=max_distance, max_snap=max_snap
        )
    else:
        _check_target_distances(
            from_targets, graph, targets, as_of=as_of, max_distance=max_distance, max_snap=max_snap
        )
    at_target = _holds_target(geoms, from_targets.open_geometries)
    if max_snap is not None:
        origin = origin.subset(origin.distance_m <= max_snap)
    reach = _network_distance(
        graph,
        from_targets,
        origin,
        max_distance=max_distance,
        max_snap=max_snap,
        at_target=at_target,
    )
    return series(reach.distance, parcels.index, "walk_distance_m"), reach


def _unreachable_warning(reach: _Reach, n: int) -> UnreachableWarning | None:
    """The warning for ``reach`` over ``n`` parcels (None: nothing to say); it keeps
    both, so that the warnings of several partitions can be added up
    (:func:`merged_unreachable`)."""
    message = _unreachable_message(reach, n, what="walk_distance")
    if message is None:
        return None
    warning = UnreachableWarning(message)
    warning.reach = reach  # type: ignore[attr-defined]
    warning.n_parcels = n  # type: ignore[attr-defined]
    return warning


def merged_unreachable(warnings_: list[Warning], n: int) -> UnreachableWarning | None:
    """One warning for ``n`` parcels from the walk_distance warnings of their
    partitions: the counts added up, as if measured in one call."""
    reaches = [w.reach for w in warnings_]  # type: ignore[attr-defined]
    first = reaches[0]
    total = replace(
        first,
        unreachable=sum(r.unreachable for r in reaches),
        no_street=sum(r.no_street for r in reaches),
        beyond=sum(r.beyond for r in reaches),
    )
    return _unreachable_warning(total, n)


def _graph_of(streets: Layer) -> StreetGraph:
    # looked up when called, so the street_graph a test counts is the one used
    return street_graph(streets)


def _targets_of(
    targets: Layer, as_of: Any, max_distance: float | None, graph: StreetGraph
) -> TargetDistances:
    if max_distance is not None:
        max_distance = check_positive(max_distance, what="walk_distance: max_distance")
    return _build_target_distances(
        graph, targets, as_of=as_of, max_distance=max_distance, max_snap=None
    )


def _snap_parcels(parcels: Layer, graph: StreetGraph) -> EdgeSnap:
    return snap_to_edges(graph, parcel_geometries(parcels, what="walk_distance"))


@measure(
    column="walk_distance_m",
    layers={"targets": "stations", "streets": "streets"},
    options={"max_distance": OPTIONAL_NUMBER, "as_of": DATE},
    shared={
        "graph": Shared("street graph", ("streets",), _graph_of),
        "snapped": Shared(
            "parcels snapped", ("parcels",), _snap_parcels, uses=("graph",), per_parcel=True
        ),
        "from_targets": Shared(
            "targets on the graph",
            ("targets", "as_of", "max_distance"),
            _targets_of,
            uses=("graph",),
        ),
    },
)
def walk_distance(
    parcels: Layer,
    targets: Layer,
    streets: Layer,
    *,
    max_distance: float | None = None,
    as_of: DateLike | None = None,
    workers: int | None = None,
    max_snap: float | None = None,
    graph: StreetGraph | None = None,
    snapped: EdgeSnap | None = None,
    from_targets: TargetDistances | None = None,
) -> pd.Series:
    """Walking distance in metres from each parcel to its nearest target along streets.

    Parcels and targets reach the streets at their access points (see
    :func:`snap_to_edges`): every nearest street *edge* (all of them where several
    are equally near, as at a corner parcel) and every street that crosses the
    parcel. The distance is the least, over the parcel's and the target's access
    points, of parcel snap length + shortest path along the streets + target snap
    length; 0 for a parcel that holds a target. It does not depend on the order of
    the streets' rows nor on the direction of their lines (see the module notes for
    the method).

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    targets : GeoDataFrame or GeoSeries
        Stations or any other features (points, or polygons from their nearest point).
        With an ``opening_date`` column, ``as_of`` decides which count.
    streets : GeoDataFrame or GeoSeries
        Street lines; ``walkable == False`` rows are left out.
    max_distance : float, optional
        Metres; parcels farther than this get ``inf`` (the warning counts them) and
        the search stops there, which is faster.
    as_of : date-like, optional
        Only targets with no ``opening_date`` or one on or before this date count, so
        a planned station counts from its opening day. None (default) counts every
        target whatever its date: pass a date to model "today" or a planning horizon.
    workers : int, optional
        Threads for snapping the parcels (see :func:`snap_to_edges`). Default: the
        CPUs available to the process, at most 4; pass 1 to stay on one core. The
        result does not depend on it.
    max_snap : float, optional
        Metres; parcels and targets farther than this from every walkable street do
        not reach the network (parcels get ``inf``, counted in the warning). None
        (default): any distance.
    graph : StreetGraph, optional
        ``street_graph(streets)``, built once and shared between calls on the same
        streets (built here when None); it must come from ``streets``.
    snapped : EdgeSnap, optional
        ``snap_to_edges(graph, parcels)``: the parcels' access points on ``graph``,
        most of the work on many parcels, shared between calls on the same parcels
        and streets (built here when None).
    from_targets : TargetDistances, optional
        ``target_distances(graph, targets, as_of=..., max_distance=..., max_snap=...)``
        with this call's graph and options: the open targets snapped and the
        distance from them to every node, shared between calls on other parcels
        (built here when None).

    Returns
    -------
    Series
        ``walk_distance_m``, float, aligned on ``parcels.index``; ``inf`` when no
        target can be reached.

    Warns
    -----
    UnreachableWarning
        Some parcels get ``inf``: they cannot reach any target (no walkable street
        within ``max_snap``, only street components with no target, or no target at
        all), or the nearest target
        is beyond ``max_distance``. One warning says how many of each and why; when
        you cut on purpose, filter it with ``warnings.catch_warnings()``.

    Raises
    ------
    CRSError
        A layer is not in a metric CRS, or the layers' CRSs differ.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> streets, stations = site.streets, site.stations
    >>> before = la.measures.walk_distance(site.parcels, stations, streets, as_of="2026-01-01")
    >>> after = la.measures.walk_distance(site.parcels, stations, streets, as_of="2028-06-30")
    >>> bool((after <= before).all()), bool((after < before).any())
    (True, True)
    """
    check_layers("walk_distance", parcels=parcels, targets=targets, streets=streets)
    result, reach = _walk_distance(
        parcels,
        targets,
        streets,
        max_distance=max_distance,
        as_of=as_of,
        workers=workers,
        max_snap=max_snap,
        graph=graph,
        snapped=snapped,
        from_targets=from_targets,
    )
    warning = _unreachable_warning(reach, len(result))
    if warning is not None:
        warnings.warn(warning, stacklevel=2)
    return result
