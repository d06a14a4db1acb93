"""Benchmark the per-parcel measures against the usual idioms, side by side in one run.

Run by hand (it is not part of the test suite)::

    PYTHONPATH=src .venv/bin/python benchmarks/measures.py --parcels 1000000

Every figure is a ratio measured in this run on :func:`landasset.sample.synthetic_city`:

* ``count_within(radius=500)`` vs buffer + ``geopandas.sjoin`` + groupby;
* ``nearest_distance`` to the axes vs ``geopandas.sjoin_nearest(distance_col=...)``;
* ``walk_distance`` end to end vs the same snapping + scipy csgraph written out here,
  and its shortest-path pass vs networkx ``multi_source_dijkstra_path_length`` on the
  same graph; cityseer and pandana end to end when they are installed
  (``pip install landasset[bench]``);
* ``compute()`` on eight measures: peak memory vs the parcel layer's real footprint
  (the RSS growth of a fresh process building it from WKB, and deep
  ``memory_usage`` + 16 bytes per GEOS coordinate; the smaller one counts);
* ``ParcelIndex``: edits each followed by a query vs rebuilding a shapely STRtree.

Pass ``--json FILE`` to keep the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra

import landasset as la
from landasset import measures as m
from landasset.index import ParcelIndex
from landasset.measures import network as net
from landasset.measures._common import chunks

RESULTS: dict[str, Any] = {}


def timed(fn: Callable[[], Any], *, repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best = np.inf
    out = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def report(name: str, ours: float, theirs: float, target: str, *, what: str = "") -> None:
    ratio = theirs / ours if ours > 0 else float("inf")
    RESULTS[name] = {"ours_s": ours, "baseline_s": theirs, "ratio": ratio, "target": target}
    print(
        f"  {name:<44} ours {ours:9.3f} s   baseline {theirs:9.3f} s   ratio {ratio:7.1f}x  (target {target}) {what}"
    )


def rss_mb() -> float:
    """The process's RSS high-water mark (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


_FOOTPRINT_CODE = """
import gc, pickle, sys
import geopandas as gpd, shapely
def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1])
with open(sys.argv[1], "rb") as fh:
    wkb, attributes, crs = pickle.load(fh)
gc.collect()
before = rss()
layer = gpd.GeoDataFrame(attributes.copy(deep=True), geometry=shapely.from_wkb(wkb), crs=crs)
gc.collect()
print(rss() - before)
"""


def layer_footprint_mb(layer: gpd.GeoDataFrame) -> tuple[float, float]:
    """The real memory of a layer: ``(rss, estimate)`` in MB.

    ``rss``: how much a fresh Python process grows when it builds the layer from WKB
    (its GEOS geometries, their Python wrappers and the pandas columns; measured in
    a subprocess so this process's allocator state does not blur it; NaN where
    /proc is missing). ``estimate``: ``memory_usage(deep=True)`` (which counts a
    geometry as an 8-byte pointer) plus 16 bytes per coordinate held by GEOS.
    """
    import pickle
    import subprocess
    import tempfile

    estimate = (
        layer.memory_usage(deep=True).sum()
        + 16.0 * float(shapely.get_num_coordinates(layer.geometry.values).sum())
    ) / 2**20
    payload = (
        shapely.to_wkb(layer.geometry.values),
        pd.DataFrame(layer.drop(columns=layer.geometry.name)),
        layer.crs,
    )
    with tempfile.NamedTemporaryFile(suffix=".pickle") as fh:
        pickle.dump(payload, fh)
        fh.flush()
        del payload
        run = subprocess.run(
            [sys.executable, "-c", _FOOTPRINT_CODE, fh.name],
            capture_output=True,
            text=True,
            check=False,
        )
    if run.returncode != 0:
        return float("nan"), estimate
    pages = int(run.stdout.strip())
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20, estimate


# -- the baselines -------------------------------------------------------------------------


def sjoin_count(parcels: gpd.GeoDataFrame, points: gpd.GeoDataFrame, radius: float) -> np.ndarray:
    buffered = gpd.GeoDataFrame(geometry=parcels.geometry.buffer(radius), crs=parcels.crs)
    joined = gpd.sjoin(buffered, points[["geometry"]], predicate="intersects", how="inner")
    counts = joined.groupby(level=0).size()
    return counts.reindex(parcels.index, fill_value=0).to_numpy()


def sjoin_nearest_distance(parcels: gpd.GeoDataFrame, features: gpd.GeoDataFrame) -> np.ndarray:
    joined = gpd.sjoin_nearest(parcels[["geometry"]], features[["geometry"]], distance_col="d")
    return joined.groupby(level=0)["d"].min().reindex(parcels.index).to_numpy()


def direct_walk(
    parcels: gpd.GeoDataFrame, stations: gpd.GeoDataFrame, streets: gpd.GeoDataFrame
) -> np.ndarray:
    """The plain way: snap both layers to the nearest segment, insert every snap point
    (parcels and stations) into its edge as a node, one csgraph Dijkstra."""
    walk = (
        streets[streets["walkable"].fillna(True).astype(bool)] if "walkable" in streets else streets
    )
    parts = shapely.get_parts(walk.geometry.values)
    coords, which = shapely.get_coordinates(parts, return_index=True)
    same = which[:-1] == which[1:]
    a, b = coords[:-1][same], coords[1:][same]
    keep = np.any(a != b, axis=1)
    a, b = a[keep], b[keep]
    ends = np.round(np.concatenate([a, b]) * 1000).astype(np.int64)
    _, first, inv = np.unique(ends, axis=0, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    n_seg, n_nodes = len(a), len(first)
    u, v = inv[:n_seg], inv[n_seg:]
    length = np.hypot(*(b - a).T)
    segs = shapely.linestrings(np.stack([a, b], axis=1))
    tree = shapely.STRtree(segs)

    def snap(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        (gi, ei), d = tree.query_nearest(geoms, return_distance=True)
        line = shapely.shortest_line(geoms[gi], segs[ei])
        q = shapely.get_coordinates(line).reshape(-1, 2, 2)[:, 1]
        off = np.hypot(*(q - a[ei]).T)
        out_e = np.full(len(geoms), -1)
        out_o = np.zeros(len(geoms))
        out_d = np.full(len(geoms), np.inf)
        out_e[gi], out_o[gi], out_d[gi] = ei, np.minimum(off, length[ei]), d
        return out_e, out_o, out_d

    pe, po, pd_ = snap(parcels.geometry.values)
    se, so, sd = snap(stations.geometry.values)
    n_p, n_s = len(pe), len(se)
    # virtual nodes: parcels, then stations, then each station's own node
    vnode = np.r_[n_nodes + np.arange(n_p), n_nodes + n_p + np.arange(n_s)]
    ve = np.r_[pe, se]
    vo = np.r_[po, so]
    ok = ve >= 0
    vnode, ve, vo = vnode[ok], ve[ok], vo[ok]
    order = np.lexsort((vo, ve))
    vnode, ve, vo = vnode[order], ve[order], vo[order]
    same_prev = np.r_[False, ve[1:] == ve[:-1]]
    last = np.r_[ve[1:] != ve[:-1], True]
    prev_node = np.where(same_prev, np.r_[-1, vnode[:-1]], u[ve])
    prev_off = np.where(same_prev, np.r_[0.0, vo[:-1]], 0.0)
    split = np.zeros(n_seg, bool)
    split[ve] = True
    src_node = n_nodes + n_p + n_s + np.arange(n_s)
    rows = np.r_[u[~split], prev_node, vnode[last], n_nodes + n_p + np.arange(n_s)]
    cols = np.r_[v[~split], vnode, v[ve[last]], src_node]
    w = np.r_[length[~split], vo - prev_off, length[ve[last]] - vo[last], sd]
    size = n_nodes + n_p + 2 * n_s
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    pick = np.lexsort((w, hi, lo))
    firsts = np.r_[True, (lo[pick][1:] != lo[pick][:-1]) | (hi[pick][1:] != hi[pick][:-1])]
    pick = pick[firsts]
    matrix = sp.csr_matrix((np.maximum(w[pick], 0), (lo[pick], hi[pick])), shape=(size, size))
    dist = dijkstra(matrix, directed=False, indices=src_node[se >= 0], min_only=True)
    out = np.full(n_p, np.inf)
    good = pe >= 0
    out[good] = dist[n_nodes + np.arange(n_p)[good]] + pd_[good]
    return out


# -- sections ------------------------------------------------------------------------------


PROFILE = [
    "area_mu",
    {"measure": "walk_distance", "name": "metro_walk_m"},
    {"measure": "count_within", "radius": 500, "name": "amenities_500m"},
    {"measure": "count_within", "radius": 1000, "category": "cafe", "name": "cafes_1km"},
    {"measure": "nearest_distance", "features": "axes", "name": "axis_m"},
    {"measure": "frontage", "tolerance": 25},
    {"measure": "cluster_strength", "industry": "artificial_intelligence", "radius": 1000},
    {"measure": "constrained_share"},
]


def bench_compute_memory(site: la.Site) -> None:
    print("compute(): eight measures of a typical profile")
    parcels_mb = site.parcels.memory_usage(deep=True).sum() / 2**20
    geometry_mb = (
        float(shapely.get_num_coordinates(site.parcels.geometry.values).sum()) * 16 / 2**20
    )
    rss_before = rss_mb()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", m.UnreachableWarning)
        gc.collect()
        tracemalloc.start()
        start = time.perf_counter()
        table = m.compute(site, PROFILE, as_of="2026-01-01")
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        t_plain, _ = timed(lambda: m.compute(site, PROFILE, as_of="2026-01-01"))
    rss_after = rss_mb()
    footprint_mb, estimate_mb = layer_footprint_mb(site.parcels)
    peak_mb = peak / 2**20
    grown_mb = rss_after - rss_before
    # against the smaller of the two footprints: the ratio is not flattered
    footprint = float(np.nanmin([footprint_mb, estimate_mb]))
    ratio = peak_mb / footprint
    RESULTS["compute_memory"] = {
        "parcels_memory_usage_deep_mb": parcels_mb,
        "parcel_coordinates_mb": geometry_mb,
        "parcel_layer_footprint_rss_mb": footprint_mb,
        "parcel_layer_footprint_estimate_mb": estimate_mb,
        "tracemalloc_peak_mb": peak_mb,
        "ratio": ratio,
        "ratio_to_memory_usage_deep": peak_mb / parcels_mb,
        "rss_high_water_growth_mb": grown_mb,
        "rss_growth_ratio": grown_mb / footprint,
        "compute_s": t_plain,
        "compute_s_under_tracemalloc": seconds,
        "target": "<= 3x",
    }
    print(
        f"  parcels.memory_usage(deep=True) {parcels_mb:8.1f} MB (+ {geometry_mb:.1f} MB of GEOS coordinates it does not count)\n"
        f"  parcel layer footprint          {footprint_mb:8.1f} MB (RSS growth of a fresh process building it from WKB);"
        f" estimate {estimate_mb:.1f} MB (deep memory_usage + 16 B per coordinate)\n"
        f"  compute() peak (tracemalloc)    {peak_mb:8.1f} MB   ratio {ratio:5.2f}x the smaller footprint (target <= 3x); {peak_mb / parcels_mb:.2f}x memory_usage(deep=True)\n"
        f"  process RSS high-water growth   {grown_mb:8.1f} MB   ratio {grown_mb / footprint:5.2f}x the smaller footprint (GEOS allocations included)\n"
        f"  compute() time                  {t_plain:8.2f} s for {len(table.columns)} measures"
    )


def bench_count(site: la.Site, *, skip_baseline: bool) -> None:
    parcels, amenities = site.parcels, site.amenities
    t_ours, ours = timed(lambda: m.count_within(parcels, amenities, 500))
    points = m.point_tree(amenities)

    def strtree_path() -> np.ndarray:
        """The plain alternative to the grid kernel: STRtree ``dwithin`` pairs."""
        tree = shapely.STRtree(points.geoms)
        geoms = parcels.geometry.values
        counts = np.zeros(len(parcels), dtype=np.int64)
        for part in chunks(len(parcels)):
            i, _ = tree.query(geoms[part], predicate="dwithin", distance=500.0)
            counts[part] += np.bincount(i, minlength=part.stop - part.start)
        return counts

    t_tree, tree_counts = timed(strtree_path)
    t_centroid, _ = timed(lambda: m.count_within(parcels, amenities, 500, origin="centroid"))
    print(
        f"count_within(radius=500): {len(amenities):,} amenities, {int(ours.sum()):,} parcel-amenity pairs"
    )
    report("count_within grid vs STRtree dwithin", t_ours, t_tree, "pick the faster")
    assert np.array_equal(ours.to_numpy(), tree_counts)
    print(f"  count_within(origin='centroid') {t_centroid:.3f} s")
    RESULTS["count_within_centroid_s"] = t_centroid
    if skip_baseline:
        return
    t_sjoin, theirs = timed(lambda: sjoin_count(parcels, amenities, 500))
    t_centroid_sjoin = t_sjoin / t_centroid if t_centroid > 0 else float("inf")
    print(f"  count_within(origin='centroid') vs buffer+sjoin+groupby: {t_centroid_sjoin:.1f}x")
    differ = int((theirs != ours.to_numpy()).sum())
    report(
        "count_within vs buffer+sjoin+groupby",
        t_ours,
        t_sjoin,
        ">= 10x",
        what=f"[{differ} parcels differ: buffer arcs are polygons]",
    )


def bench_nearest(site: la.Site, *, skip_baseline: bool) -> None:
    parcels, axes = site.parcels, site.axes
    t_ours, ours = timed(lambda: m.nearest_distance(parcels, axes))
    print(
        f"nearest_distance to {len(axes)} axes ({int(shapely.get_num_coordinates(axes.geometry.values).sum())} vertices)"
    )
    if skip_baseline:
        RESULTS["nearest_distance_s"] = t_ours
        print(f"  nearest_distance {t_ours:.3f} s")
        return
    t_theirs, theirs = timed(lambda: sjoin_nearest_distance(parcels, axes))
    assert np.allclose(ours.to_numpy(), theirs, atol=1e-6)
    report("nearest_distance vs sjoin_nearest", t_ours, t_theirs, ">= 1.5x")


def bench_walk(site: la.Site, *, with_networkx: bool, cutoff: float) -> None:
    parcels, stations, streets = site.parcels, site.stations, site.streets
    print(f"walk_distance: {len(streets):,} streets, {len(stations):,} stations")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", m.UnreachableWarning)
        t_ours, ours = timed(lambda: m.walk_distance(parcels, stations, streets))
        t_cut, _ = timed(lambda: m.walk_distance(parcels, stations, streets, max_distance=cutoff))
        # on one thread, like the direct version below (which is plain single-threaded
        # GEOS: STRtree.query_nearest, the way one would write it by hand)
        t_one, one = timed(lambda: m.walk_distance(parcels, stations, streets, workers=1))
        # the street rows reversed and every line turned round: the same answer, to the bit
        turned = streets.iloc[::-1].copy()
        turned["geometry"] = shapely.reverse(turned.geometry.values)
        t_turned, other = timed(lambda: m.walk_distance(parcels, stations, turned))
    assert np.array_equal(one.to_numpy(), ours.to_numpy())
    changed = int((other.to_numpy() != ours.to_numpy()).sum())
    print(
        f"  street rows reversed and lines turned round: {changed:,} of {len(ours):,} walk "
        f"distances change ({t_turned:.3f} s)"
    )
    RESULTS["walk_distance_changed_by_street_order"] = changed
    t_direct, direct = timed(lambda: direct_walk(parcels, stations, streets))
    report(
        "walk_distance vs direct snapping + csgraph",
        t_ours,
        t_direct,
        "ours <= 1.5x theirs",
        what="(ratio >= 0.67 meets it)",
    )
    finite = np.isfinite(direct) & np.isfinite(ours.to_numpy())
    shorter = float(np.mean(ours.to_numpy()[finite] <= direct[finite] + 1e-6))
    print(
        f"  ours <= direct on {shorter:.1%} of parcels (ours lets a parcel side along a street reach it anywhere)"
    )
    print(f"  walk_distance(max_distance={cutoff:.0f}) {t_cut:.3f} s")
    RESULTS["walk_distance_cutoff_s"] = t_cut
    print(
        f"  walk_distance(workers=1) {t_one:.3f} s (same answer; default workers="
        f"{net._default_workers()}: {t_ours:.3f} s); direct / ours on one thread: {t_direct / t_one:.2f}x"
    )
    RESULTS["walk_distance_one_thread_s"] = t_one
    RESULTS["walk_distance_workers"] = net._default_workers()

    # the shortest-path pass alone, on the very graph walk_distance searches
    graph = net.street_graph(streets)
    open_ = net.open_targets(stations, None)
    t_snap = net.snap_to_edges(graph, stations.geometry.values[open_])
    split = net._split(graph, t_snap)
    t_sci, dist = timed(
        lambda: dijkstra(split.matrix, directed=False, indices=split.sources, min_only=True),
        repeat=5,
    )
    print(f"  split graph: {split.matrix.shape[0]:,} nodes, {split.matrix.nnz:,} edges")
    if with_networkx:
        import networkx as nx

        t_build, g = timed(
            lambda: nx.from_scipy_sparse_array(split.matrix, edge_attribute="weight")
        )
        t_nx, nx_dist = timed(
            lambda: nx.multi_source_dijkstra_path_length(
                g, set(split.sources.tolist()), weight="weight"
            )
        )
        keys = np.fromiter(nx_dist.keys(), dtype=np.int64)
        assert np.allclose(dist[keys], np.fromiter(nx_dist.values(), dtype=float))
        report(
            "shortest-path pass: csgraph vs networkx",
            t_sci,
            t_nx,
            ">= 20x",
            what=f"(networkx graph build {t_build:.2f} s not counted)",
        )
        RESULTS["networkx_graph_build_s"] = t_build


def _agreement(name: str, ours: np.ndarray, theirs: np.ndarray) -> None:
    """How far another tool's answers are from ours (it snaps parcel centroids to nodes)."""
    both = np.isfinite(ours) & np.isfinite(theirs)
    if both.any():
        diff = np.abs(ours[both] - theirs[both])
        print(
            f"  {name}: median |difference| from ours {np.median(diff):.0f} m over {both.sum():,} parcels reached by both"
        )


def bench_cityseer_pandana(site: la.Site, cutoff: float) -> None:
    parcels, stations, streets = site.parcels, site.stations, site.streets
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", m.UnreachableWarning)
        t_ours, ours = timed(
            lambda: m.walk_distance(parcels, stations, streets, max_distance=cutoff)
        )
    centroids = shapely.get_coordinates(parcels.geometry.centroid.values)
    try:
        import pandana
    except ImportError:
        print("  pandana: not installed (pip install landasset[bench]); skipped")
        RESULTS["pandana"] = "not installed"
    else:

        def run_pandana() -> np.ndarray:
            graph = net.street_graph(streets)
            network = pandana.Network(
                graph.node_xy[:, 0],
                graph.node_xy[:, 1],
                graph.edge_u,
                graph.edge_v,
                pd.DataFrame({"length": graph.edge_length}),
                twoway=True,
            )
            xy = shapely.get_coordinates(stations.geometry.values)
            network.set_pois("stations", cutoff, 1, pd.Series(xy[:, 0]), pd.Series(xy[:, 1]))
            per_node = network.nearest_pois(cutoff, "stations", num_pois=1)
            node = network.get_node_ids(pd.Series(centroids[:, 0]), pd.Series(centroids[:, 1]))
            return per_node[1].reindex(node.to_numpy()).to_numpy()

        t_pd, theirs = timed(run_pandana)
        _agreement("pandana", ours.to_numpy(), theirs)
        report(
            "walk_distance vs pandana (end to end)",
            t_ours,
            t_pd,
            ">= 3x",
            what=f"(max_distance={cutoff:.0f} m for both)",
        )
    try:
        from cityseer.metrics import layers as cs_layers
        from cityseer.tools import io as cs_io
    except ImportError:
        print("  cityseer: not installed (pip install landasset[bench]); skipped")
        RESULTS["cityseer"] = "not installed"
    else:

        def run_cityseer() -> np.ndarray:
            lines = streets[streets["walkable"].fillna(True).astype(bool)][["geometry"]].explode(
                index_parts=False
            )
            g = cs_io.nx_from_generic_geopandas(lines.reset_index(drop=True))
            nodes_gdf, _, structure = cs_io.network_structure_from_nx(g)
            data = stations[["geometry"]].reset_index(drop=True).assign(kind="station")
            nodes_gdf = cs_layers.compute_accessibilities(
                data,
                landuse_column_label="kind",
                accessibility_keys=["station"],
                nodes_gdf=nodes_gdf,
                network_structure=structure,
                distances=[int(cutoff)],
            )
            column = next(c for c in nodes_gdf.columns if "station" in c and "nearest" in c)
            node_xy = shapely.get_coordinates(nodes_gdf.geometry.values)
            from scipy.spatial import cKDTree

            _, near = cKDTree(node_xy).query(centroids)
            return nodes_gdf[column].to_numpy()[near]

        import logging

        logging.getLogger("cityseer").setLevel(logging.WARNING)
        t_cs, theirs = timed(run_cityseer)
        _agreement("cityseer", ours.to_numpy(), theirs)
        report(
            "walk_distance vs cityseer (end to end)",
            t_ours,
            t_cs,
            ">= 3x",
            what=f"(max_distance={cutoff:.0f} m for both)",
        )


def bench_index(n: int, edits: int, baseline_edits: int, seed: int) -> None:
    parcels = la.sample.synthetic_city(n, seed=seed + 1).parcels
    geoms = np.asarray(parcels.geometry.values, dtype=object).copy()
    ids = np.asarray(parcels.index, dtype=object)
    rng = np.random.default_rng(seed)
    positions = rng.integers(0, n, edits)
    shifts = rng.uniform(-20, 20, (edits, 2))
    new = np.array(
        [
            shapely.affinity.translate(geoms[p], dx, dy)
            for p, (dx, dy) in zip(positions, shifts, strict=True)
        ],
        dtype=object,
    )
    t_build, index = timed(lambda: ParcelIndex.from_frame(parcels))

    def ours() -> list[int]:
        hits = []
        for k in range(edits):
            index.update(ids[positions[k]], new[k])
            hits.append(len(index.query(new[k], predicate="intersects")))
        return hits

    t_ours, hits = timed(ours)
    work = geoms.copy()

    def theirs() -> list[int]:
        out = []
        for k in range(baseline_edits):
            work[positions[k]] = new[k]
            tree = shapely.STRtree(work)
            out.append(len(tree.query(new[k], predicate="intersects")))
        return out

    t_theirs, their_hits = timed(theirs)
    assert their_hits == hits[:baseline_edits]
    per_ours = t_ours / edits
    per_theirs = t_theirs / baseline_edits
    print(
        f"ParcelIndex: {n:,} parcels (bulk load {t_build:.2f} s), {edits:,} edits each followed by a query;"
        f" STRtree rebuilt after each of the first {baseline_edits:,} edits (extrapolated)"
    )
    report(
        "ParcelIndex edit+query vs STRtree rebuild",
        t_ours,
        per_theirs * edits,
        ">= 10x",
        what=f"({per_ours * 1e6:.0f} us vs {per_theirs * 1e3:.1f} ms per edit)",
    )


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("CITYSEER_QUIET_MODE", "true")  # no progress bars
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--index-parcels", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--baseline-edits", type=int, default=200)
    parser.add_argument(
        "--cutoff", type=float, default=3000.0, help="metres, for the cityseer/pandana comparison"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["memory", "count", "sjoin", "nearest", "walk", "networkx", "external", "index"],
    )
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)

    print(
        f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or 'cpu ?'}; "
        f"numpy {np.__version__}, shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), "
        f"geopandas {gpd.__version__}, scipy {scipy.__version__}"
    )
    t_city, site = timed(lambda: la.sample.synthetic_city(args.parcels, seed=args.seed))
    print(f"synthetic_city({args.parcels:,}) in {t_city:.1f} s: {site!r}")
    RESULTS["sizes"] = {k: len(v) for k, v in site.layers.items()}
    RESULTS["machine"] = {
        "python": platform.python_version(),
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "geopandas": gpd.__version__,
        "scipy": scipy.__version__,
        "numpy": np.__version__,
    }
    # memory first, before any baseline raises the process's high-water mark
    if "memory" not in args.skip:
        bench_compute_memory(site)
    if "count" not in args.skip:
        bench_count(site, skip_baseline="sjoin" in args.skip)
    if "nearest" not in args.skip:
        bench_nearest(site, skip_baseline="sjoin" in args.skip)
    if "walk" not in args.skip:
        bench_walk(site, with_networkx="networkx" not in args.skip, cutoff=args.cutoff)
    if "external" not in args.skip:
        bench_cityseer_pandana(site, args.cutoff)
    if "index" not in args.skip:
        bench_index(args.index_parcels, args.edits, args.baseline_edits, args.seed)
    print(f"peak RSS of the whole run: {rss_mb():,.0f} MB")
    RESULTS["peak_rss_mb"] = rss_mb()
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(RESULTS, fh, indent=2, default=float)
    return 0


if __name__ == "__main__":
    sys.exit(main())
