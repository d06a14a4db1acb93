"""Walking distance: against a plain networkx Dijkstra on a graph built from raw geometry."""

from __future__ import annotations

import itertools
import warnings

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import LineString, MultiPolygon, Point, box

import landasset as la
from landasset.measures import (
    UnreachableWarning,
    network_distance,
    snap_to_edges,
    street_graph,
    walk_distance,
)

CRS = "EPSG:4549"
X0, Y0 = 514_000.0, 3_350_000.0


def _at(geom: shapely.Geometry) -> shapely.Geometry:
    """Move a geometry built around (0, 0) into Hangzhou's Gauss-Kruger zone."""
    return shapely.affinity.translate(geom, X0, Y0)


def _frame(geoms: list, prefix: str, id_name: str, **columns: list) -> gpd.GeoDataFrame:
    ids = [f"{prefix}{i}" for i in range(len(geoms))]
    gdf = gpd.GeoDataFrame(
        dict(columns), geometry=[None if g is None else _at(g) for g in geoms], crs=CRS
    )
    gdf.index = pd.Index(ids, name=id_name)
    return gdf


def grid_streets(n: int = 3, step: float = 100.0) -> gpd.GeoDataFrame:
    """An (n+1) x (n+1) street grid; every street one LineString through all junctions."""
    lines = []
    for k in range(n + 1):
        lines.append(LineString([(k * step, j * step) for j in range(n + 1)]))
        lines.append(LineString([(j * step, k * step) for j in range(n + 1)]))
    return _frame(lines, "S", "street_id")


# -- the oracle ----------------------------------------------------------------------------
#
# Built from raw shapely geometry, not from the library's graph or snapping: the streets
# are cut into 2-point segments here, every geometry's access points are found by brute
# force over all segments, the segments are split at every access point and a plain
# networkx Dijkstra runs on the result.

TIE = 1e-6


def _segments(streets: gpd.GeoDataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    walkable = (
        streets["walkable"].astype("boolean").fillna(True).to_numpy(dtype=bool)
        if "walkable" in streets.columns
        else np.ones(len(streets), dtype=bool)
    )
    for geom, ok in zip(streets.geometry, walkable, strict=True):
        if geom is None or geom.is_empty or not ok:
            continue
        for part in getattr(geom, "geoms", [geom]):
            xy = np.asarray(part.coords)[:, :2]
            for a, b in itertools.pairwise(xy):
                if np.hypot(*(b - a)) > 1e-3:
                    out.append((a, b))
    return out


def _key(xy) -> tuple[int, int]:
    return (round(float(xy[0]) * 1000), round(float(xy[1]) * 1000))


def _reach(geom, a, b, d) -> list[tuple[float, float]]:
    """Intervals of offsets along a-b at distance d from geom (d: their distance)."""
    seg = LineString([a, b])
    length = float(np.hypot(*(b - a)))
    unit = (b - a) / length

    def t_of(xy) -> float:
        return float(np.clip(np.dot(np.asarray(xy)[:2] - a, unit), 0.0, length))

    if isinstance(geom, Point):
        return [(t_of(geom.coords[0]),) * 2]
    if d == 0:
        inside = seg.intersection(geom)
        return [
            (min(map(t_of, part.coords)), max(map(t_of, part.coords)))
            for part in getattr(inside, "geoms", [inside])
            if not part.is_empty
        ]
    near = shapely.shortest_line(seg, geom).coords[0]
    out = [(t_of(near),) * 2]
    # sides of the geometry parallel to the street at distance d: the overlap
    for ring in [p.exterior for p in getattr(geom, "geoms", [geom])]:
        for p, q in itertools.pairwise(np.asarray(ring.coords)):
            side = q - p
            if abs(side[0] * unit[1] - side[1] * unit[0]) > 1e-9 * np.hypot(*side):
                continue
            off_p = abs(float(unit[0] * (p - a)[1] - unit[1] * (p - a)[0]))
            off_q = abs(float(unit[0] * (q - a)[1] - unit[1] * (q - a)[0]))
            if abs(off_p - d) > 1e-6 or abs(off_q - d) > 1e-6:
                continue
            lo = max(min(np.dot(p - a, unit), np.dot(q - a, unit)), 0.0)
            hi = min(max(np.dot(p - a, unit), np.dot(q - a, unit)), length)
            if lo <= hi:
                out.append((float(lo), float(hi)))
    return out


def _access(geom, segments) -> list[tuple[int, float, float, float]]:
    """(segment, from, to, snap length) of every nearest or crossing segment."""
    if geom is None or geom.is_empty:
        return []
    d = [float(shapely.distance(geom, LineString([a, b]))) for a, b in segments]
    if not d:
        return []
    least = min(d)
    out = []
    for i, (a, b) in enumerate(segments):
        if d[i] <= least + TIE:
            out.extend((i, lo, hi, d[i]) for lo, hi in _reach(geom, a, b, d[i]))
    return out


def oracle(parcels, targets, streets) -> np.ndarray:
    segments = _segments(streets)
    t_access = [_access(g, segments) for g in targets.geometry]
    o_access = [_access(g, segments) for g in parcels.geometry]
    cuts: dict[int, set[float]] = {}
    for access in [*t_access, *o_access]:
        for i, lo, hi, _ in access:
            cuts.setdefault(i, set()).update((lo, hi))

    def node(i: int, t: float):
        a, b = segments[i]
        length = float(np.hypot(*(b - a)))
        if t == 0.0:
            return _key(a)
        if t == length:
            return _key(b)
        return ("cut", i, t)

    g = nx.DiGraph()

    def link(p, q, w: float) -> None:
        if g.has_edge(p, q):
            w = min(w, g[p][q]["weight"])
        g.add_edge(p, q, weight=w)

    for i, (a, b) in enumerate(segments):
        length = float(np.hypot(*(b - a)))
        chain = sorted({0.0, length, *cuts.get(i, ())})
        for s, t in itertools.pairwise(chain):
            link(node(i, s), node(i, t), t - s)
            link(node(i, t), node(i, s), t - s)
    for access in t_access:
        for i, lo, hi, d in access:
            for t in (lo, hi):
                link("source", node(i, t), d)
    for k, access in enumerate(o_access):
        for i, lo, hi, d in access:
            # the parcel reaches every point of [lo, hi]; the way to the nearest target
            # is piecewise linear between the cuts, so the cuts inside are enough
            for t in cuts[i]:
                if lo <= t <= hi:
                    link(node(i, t), ("O", k), d)
    out = np.full(len(parcels), np.inf)
    if "source" in g:
        dist = nx.single_source_dijkstra_path_length(g, "source", weight="weight")
        for k in range(len(parcels)):
            out[k] = dist.get(("O", k), np.inf)
    for k, parcel in enumerate(parcels.geometry):
        if any(t is not None and parcel.intersects(t) for t in targets.geometry):
            out[k] = 0.0
    return out


def run_both(parcels, targets, streets, **kw):
    expected = oracle(parcels, targets, streets)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = walk_distance(parcels, targets, streets, **kw)
    unreachable = [w for w in caught if issubclass(w.category, UnreachableWarning)]
    return got, expected, unreachable


# -- hand-built networks -------------------------------------------------------------------


def test_target_mid_edge_and_parcel_on_edge_interior():
    streets = grid_streets()
    # the target sits 5 m off the middle of the edge (100,0)-(200,0)
    targets = _frame([Point(150, 5)], "T", "station_id")
    parcels = _frame(
        [
            # its bottom side runs 6 m above that edge's interior, past the target
            box(120, 6, 180, 60),
            # a wedge whose tip is 10 m from the street x=300, 50 m up its edge
            shapely.Polygon([(230, 40), (290, 50), (230, 60)]),
            # a wedge pointing at the interior of (100,0)-(200,0), left of the target
            shapely.Polygon([(110, 40), (130, 8), (150, 40)]),
        ],
        "P",
        "parcel_id",
    )
    got, expected, unreachable = run_both(parcels, targets, streets)
    assert not unreachable
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=0, atol=1e-6)
    # by hand, independent of the snapping code
    assert got.iloc[0] == pytest.approx(6 + 5, abs=1e-6)  # straight down to the target
    assert got.iloc[1] == pytest.approx(10 + 50 + 100 + 50 + 5, abs=1e-6)
    assert got.iloc[2] == pytest.approx(8 + 20 + 5, abs=1e-6)
    snap = snap_to_edges(street_graph(streets), parcels)
    np.testing.assert_array_equal(snap.owner, [0, 1, 2])  # one access point each
    np.testing.assert_allclose(snap.stretch_m[0], [20, 80])
    np.testing.assert_allclose(snap.stretch_m[2], [30, 30])
    assert got.name == "walk_distance_m"
    assert got.index.equals(parcels.index)


def test_two_targets_on_one_edge_and_parcel_between_them():
    streets = _frame([LineString([(0, 0), (1000, 0)])], "S", "street_id")
    targets = _frame([Point(100, 20), Point(900, -30)], "T", "station_id")
    parcels = _frame([box(380, 10, 420, 50), box(700, -80, 760, -40)], "P", "parcel_id")
    got, expected, _ = run_both(parcels, targets, streets)
    np.testing.assert_allclose(got.to_numpy(), expected, atol=1e-6)
    # the near end of each parcel's side along the street
    assert got.iloc[0] == pytest.approx(10 + (380 - 100) + 20, abs=1e-6)
    assert got.iloc[1] == pytest.approx(40 + (900 - 760) + 30, abs=1e-6)


def test_target_on_a_node_and_zero_length_snaps():
    streets = grid_streets(2)
    targets = _frame([Point(100, 100)], "T", "station_id")  # on a junction, snap 0
    parcels = _frame([box(100, 100, 150, 150)], "P", "parcel_id")  # touches it
    got, expected, _ = run_both(parcels, targets, streets)
    assert got.iloc[0] == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(got.to_numpy(), expected, atol=1e-6)


@pytest.mark.parametrize("seed", range(12))
def test_random_networks_equal_networkx(seed):
    rng = np.random.default_rng(seed)
    step = 100.0
    n = 5
    lines = []
    # a jittered grid with some streets removed (so components may split) and a few
    # curved, multi-vertex streets
    pts = {
        (i, j): (i * step + rng.uniform(-20, 20), j * step + rng.uniform(-20, 20))
        for i in range(n + 1)
        for j in range(n + 1)
    }
    for i in range(n + 1):
        for j in range(n + 1):
            for di, dj in ((1, 0), (0, 1)):
                if (i + di, j + dj) in pts and rng.random() > 0.3:
                    a, b = pts[(i, j)], pts[(i + di, j + dj)]
                    mid = (
                        (a[0] + b[0]) / 2 + rng.uniform(-10, 10),
                        (a[1] + b[1]) / 2 + rng.uniform(-10, 10),
                    )
                    lines.append(
                        LineString([a, mid, b]) if rng.random() < 0.5 else LineString([a, b])
                    )
    streets = _frame(lines, "S", "street_id")
    targets = _frame(
        [Point(rng.uniform(-50, 550), rng.uniform(-50, 550)) for _ in range(rng.integers(1, 4))],
        "T",
        "station_id",
    )
    parcels = []
    for _ in range(25):
        x, y = rng.uniform(-50, 550, 2)
        w, h = rng.uniform(5, 40, 2)
        parcels.append(box(x, y, x + w, y + h))
    parcels = _frame(parcels, "P", "parcel_id")
    got, expected, unreachable = run_both(parcels, targets, streets)
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=0, atol=1e-6)
    # a warning exactly when some parcel cannot reach a target, with the count
    n_inf = int(np.isinf(expected).sum())
    assert bool(unreachable) == (n_inf > 0)
    if n_inf:
        assert f"{n_inf} of 25 parcels" in str(unreachable[0].message)


# -- defined results on awkward input ------------------------------------------------------


def test_disconnected_components_give_inf_and_a_warning():
    streets = _frame(
        [LineString([(0, 0), (100, 0)]), LineString([(0, 500), (100, 500)])], "S", "street_id"
    )
    targets = _frame([Point(50, 0)], "T", "station_id")
    parcels = _frame(
        [box(10, 10, 20, 20), box(10, 510, 20, 520), box(60, 490, 80, 495)], "P", "parcel_id"
    )
    with pytest.warns(
        UnreachableWarning, match=r"2 of 3 parcels .* street component that holds no target"
    ):
        got = walk_distance(parcels, targets, streets)
    assert got.iloc[0] == pytest.approx(10 + 30, abs=1e-9)
    assert np.isinf(got.iloc[1]) and np.isinf(got.iloc[2])


def test_max_distance_cuts_with_a_warning_that_counts_them():
    streets = grid_streets()
    targets = _frame([Point(0, 0)], "T", "station_id")
    parcels = _frame(
        [box(10, 10, 20, 20), box(280, 280, 290, 290), box(180, 180, 190, 190)],
        "P",
        "parcel_id",
    )
    full = walk_distance(parcels, targets, streets)
    with pytest.warns(UnreachableWarning) as caught:
        cut = walk_distance(parcels, targets, streets, max_distance=100)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "2 of 3 parcels have no target within max_distance=100 m" in message
    assert "cannot reach any target" not in message  # all of them could, farther away
    assert cut.iloc[0] == full.iloc[0] and np.isinf(cut.iloc[1]) and np.isinf(cut.iloc[2])
    assert np.isfinite(full.iloc[1:]).all() and (full.iloc[1:] > 100).all()
    # nothing cut, no warning (warnings are errors here)
    kept = walk_distance(parcels, targets, streets, max_distance=1000)
    pd.testing.assert_series_equal(kept, full)


def test_max_distance_and_unreachable_counted_separately():
    streets = _frame(
        [LineString([(0, 0), (1000, 0)]), LineString([(0, 500), (100, 500)])], "S", "street_id"
    )
    targets = _frame([Point(0, 0)], "T", "station_id")
    parcels = _frame(
        [
            box(10, 10, 20, 20),  # 20 m: kept
            box(800, 10, 820, 20),  # 810 m: beyond the cut
            box(900, 10, 920, 20),  # 910 m: beyond the cut
            box(10, 510, 20, 520),  # on the component without a target
        ],
        "P",
        "parcel_id",
    )
    with pytest.warns(UnreachableWarning) as caught:
        got = walk_distance(parcels, targets, streets, max_distance=500)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "1 of 4 parcels cannot reach any target" in message
    assert "1 lie on a street component that holds no target" in message
    assert "2 of 4 parcels have no target within max_distance=500 m" in message
    assert got.iloc[0] == pytest.approx(20, abs=1e-6)
    assert np.isinf(got.iloc[1:]).all()


def test_threads_do_not_change_the_result(monkeypatch):
    rng = np.random.default_rng(7)
    streets = grid_streets(8, 60.0)
    targets = _frame([Point(*rng.uniform(0, 480, 2)) for _ in range(3)], "T", "station_id")
    corners = rng.uniform(-20, 480, (3000, 2))
    sizes = rng.uniform(2, 30, (3000, 2))
    parcels = _frame(list(shapely.box(*corners.T, *(corners + sizes).T)), "P", "parcel_id")
    graph = street_graph(streets)
    import landasset.measures.network as net

    monkeypatch.setattr(net, "_SNAP_CHUNK", 256)  # several chunks on the threads
    assert len(parcels) > net._FEW_GEOMETRIES  # the candidate search
    one = walk_distance(parcels, targets, streets, workers=1)
    two = walk_distance(parcels, targets, streets, workers=2)
    snaps = [snap_to_edges(graph, parcels, workers=w) for w in (1, 2, 3)]
    pd.testing.assert_series_equal(one, two, check_exact=True)
    # and the same as GEOS's own nearest search
    monkeypatch.setattr(net, "_FEW_GEOMETRIES", 10**9)
    snaps.append(snap_to_edges(graph, parcels, workers=2))
    pd.testing.assert_series_equal(
        walk_distance(parcels, targets, streets, workers=2), one, check_exact=True
    )
    for other in snaps[1:]:
        for field in ("edge", "offset_m", "stretch_m", "distance_m", "point_xy", "origin_xy"):
            np.testing.assert_array_equal(getattr(other, field), getattr(snaps[0], field))


def test_snap_equals_geos_nearest_with_all_ties():
    """The candidate search finds exactly STRtree.query_nearest(all_matches=True)."""
    import landasset.measures.network as net

    rng = np.random.default_rng(3)
    streets = grid_streets(6, 80.0)
    graph = street_graph(streets)
    geoms = [
        *shapely.box(*rng.uniform(-100, 580, (200, 2)).T, *rng.uniform(0, 580, (200, 2)).T),
        *shapely.points(rng.uniform(-100, 600, (200, 2))),
        *shapely.points(rng.integers(0, 7, (20, 2)) * 80.0),  # on junctions: tied edges
        box(10, 10, 70, 70),  # inside a block, equidistant from all four sides
        MultiPolygon([box(5, 5, 10, 10), box(300, 300, 310, 310)]),
        box(-50, -50, 600, 600).difference(box(100, 100, 200, 200)),  # a hole
        None,
        shapely.Polygon(),
        shapely.Polygon([(0, 0), (50, 50), (50, 0), (0, 50)]),  # bow-tie
    ]
    geoms = np.asarray(_frame(geoms, "G", "gid").geometry.values, dtype=object)
    g_idx, e_idx, d = net._nearest_edges(graph, net._edge_samples(graph), geoms)
    few = net._nearest_few(graph, geoms)
    # brute force: every (geometry, segment) distance, kept within 1e-6 m of the least
    every = shapely.distance(geoms[:, None], graph.segments[None, :])
    least = np.nanmin(np.where(np.isnan(every), np.inf, every), axis=1)
    rg, re = np.nonzero(every <= least[:, None] + 1e-6)
    rd = every[rg, re]
    for got_g, got_e, got_d in ((g_idx, e_idx, d), few):
        ours = np.lexsort((got_e, got_g))
        np.testing.assert_array_equal(got_g[ours], rg)
        np.testing.assert_array_equal(got_e[ours], re)
        np.testing.assert_array_equal(got_d[ours], rd)
    assert len(re) > len(geoms) + 20  # ties are there to find


@pytest.mark.parametrize("workers", [0, -1, 1.5, "2", True])
def test_workers_is_checked(workers):
    streets = grid_streets()
    targets = _frame([Point(0, 0)], "T", "station_id")
    parcels = _frame([box(10, 10, 20, 20)], "P", "parcel_id")
    with pytest.raises(la.measures.MeasureError, match="workers must be a whole number"):
        walk_distance(parcels, targets, streets, workers=workers)


def test_parcel_far_from_every_street_adds_its_snap_length():
    streets = _frame([LineString([(0, 0), (100, 0)])], "S", "street_id")
    targets = _frame([Point(100, 0)], "T", "station_id")
    parcels = _frame([box(0, 5000, 10, 5010)], "P", "parcel_id")
    got = walk_distance(parcels, targets, streets)
    assert got.iloc[0] == pytest.approx(5000 + 90, abs=1e-6)


def test_station_off_the_network_is_snapped_with_its_length():
    streets = _frame([LineString([(0, 0), (100, 0)])], "S", "street_id")
    targets = _frame([Point(70, -40)], "T", "station_id")
    parcels = _frame([box(0, 10, 20, 30)], "P", "parcel_id")
    got = walk_distance(parcels, targets, streets)
    # parcel corner (20, 10): 10 down, 50 along, 40 across to the station
    assert got.iloc[0] == pytest.approx(10 + 50 + 40, abs=1e-6)


def test_multipolygon_parcel_uses_its_nearest_part():
    streets = _frame([LineString([(0, 0), (1000, 0)])], "S", "street_id")
    targets = _frame([Point(900, 0)], "T", "station_id")
    parcels = _frame(
        [MultiPolygon([box(0, 300, 10, 310), box(850, 20, 860, 30)])], "P", "parcel_id"
    )
    got = walk_distance(parcels, targets, streets)
    assert got.iloc[0] == pytest.approx(20 + 40, abs=1e-6)


def test_one_parcel_and_empty_layers():
    streets = grid_streets(1)
    targets = _frame([Point(0, 0)], "T", "station_id")
    one = _frame([box(10, 10, 20, 20)], "P", "parcel_id")
    assert walk_distance(one, targets, streets).iloc[0] == pytest.approx(20.0)
    no_targets = targets.iloc[:0]
    with pytest.warns(UnreachableWarning, match="no target"):
        got = walk_distance(one, no_targets, streets)
    assert np.isinf(got).all()
    with pytest.warns(UnreachableWarning, match="no walkable street"):
        got = walk_distance(one, targets, streets.iloc[:0])
    assert np.isinf(got).all()
    empty = walk_distance(one.iloc[:0], targets, streets)
    assert len(empty) == 0 and empty.name == "walk_distance_m"


def test_unwalkable_streets_are_left_out():
    # a short cut that is not walkable (an expressway) and a long way round
    streets = _frame(
        [
            LineString([(0, 0), (100, 0)]),
            LineString([(0, 0), (0, 300), (100, 300), (100, 0)]),
        ],
        "S",
        "street_id",
        walkable=[False, pd.NA],
    )
    streets["walkable"] = streets["walkable"].astype("boolean")
    targets = _frame([Point(100, 0)], "T", "station_id")
    parcels = _frame([box(-20, -20, -10, -10)], "P", "parcel_id")
    got = walk_distance(parcels, targets, streets)
    corner = np.hypot(10, 10)
    assert got.iloc[0] == pytest.approx(corner + 700, abs=1e-6)
    streets["walkable"] = True
    assert walk_distance(parcels, targets, streets).iloc[0] == pytest.approx(corner + 100, abs=1e-6)


def test_as_of_counts_targets_from_their_opening_date():
    streets = _frame([LineString([(0, 0), (1000, 0)])], "S", "street_id")
    targets = _frame(
        [Point(0, 0), Point(1000, 0)],
        "T",
        "station_id",
        opening_date=pd.to_datetime(["2010-01-01", "2030-06-30"]),
    )
    parcels = _frame([box(900, 10, 950, 50)], "P", "parcel_id")
    before = walk_distance(parcels, targets, streets, as_of="2030-06-29")
    on_the_day = walk_distance(parcels, targets, streets, as_of=pd.Timestamp("2030-06-30"))
    every = walk_distance(parcels, targets, streets)  # None: all count
    assert before.iloc[0] == pytest.approx(10 + 900)
    assert on_the_day.iloc[0] == pytest.approx(10 + 50) == every.iloc[0]
    with pytest.raises(la.measures.MeasureError, match="not a date"):
        walk_distance(parcels, targets, streets, as_of="someday")


def test_missing_geometries():
    streets = _frame([LineString([(0, 0), (100, 0)]), None], "S", "street_id")
    targets = _frame([Point(100, 0), None], "T", "station_id")
    parcels = _frame([box(0, 10, 10, 20)], "P", "parcel_id")
    got = walk_distance(parcels, targets, streets)  # missing features are ignored
    assert got.iloc[0] == pytest.approx(10 + 90)
    bad = _frame([box(0, 10, 10, 20), None], "P", "parcel_id")
    with pytest.raises(la.SchemaError, match=r"1 parcel\(s\) have no geometry.*'P1'"):
        walk_distance(bad, targets, streets)


def test_crs_checks():
    streets = grid_streets(1)
    targets = _frame([Point(0, 0)], "T", "station_id")
    parcels = _frame([box(10, 10, 20, 20)], "P", "parcel_id")
    with pytest.raises(la.CRSError, match=r"walk_distance \(parcels layer\).*to_crs"):
        walk_distance(parcels.to_crs("EPSG:4326"), targets, streets)
    with pytest.raises(la.CRSError, match="Site"):
        walk_distance(parcels, targets.to_crs("EPSG:3857"), streets)
    with pytest.raises(la.CRSError, match="one CRS"):
        walk_distance(parcels, targets, streets.to_crs("EPSG:32650"))


def test_street_graph_merges_shared_vertices_and_snaps_to_edges():
    streets = _frame(
        [LineString([(0, 0), (100, 0)]), LineString([(100, 0.0004), (100, 100)])], "S", "street_id"
    )
    graph = street_graph(streets)
    assert graph.n_nodes == 3 and graph.n_edges == 2  # 0.4 mm apart: one node
    snap = snap_to_edges(graph, np.array([_at(Point(30, 7)), None], dtype=object))
    assert len(snap) == 2 and snap.n_access == 1  # no geometry: no access point
    assert snap.owner[0] == 0 and snap.edge[0] == 0
    assert snap.offset_m[0] == pytest.approx(30) and snap.distance_m[0] == pytest.approx(7)
    assert np.isinf(snap.snap_distance_m[1])
    d = network_distance(graph, snap_to_edges(graph, np.array([_at(Point(100, 100))])), snap)
    # the second street is 0.4 mm shorter than 100 m: lengths come from the lines
    assert d[0] == pytest.approx(7 + 70 + 99.9996, abs=1e-6) and np.isinf(d[1])


def test_subset_gives_the_same_answers(sample_site):
    site = sample_site
    full = walk_distance(site.parcels, site.stations, site.streets)
    part = walk_distance(site.parcels.iloc[::7], site.stations, site.streets)
    pd.testing.assert_series_equal(part, full.iloc[::7])


def test_planned_station_on_the_sample(sample_site):
    site = sample_site
    planned = site.stations[site.stations["opening_date"] > pd.Timestamp("2026-01-01")]
    assert len(planned) == 1
    before = walk_distance(site.parcels, site.stations, site.streets, as_of="2026-01-01")
    after = walk_distance(
        site.parcels, site.stations, site.streets, as_of=planned["opening_date"].iloc[0]
    )
    near = la.measures.nearest_distance(site.parcels, planned) < 200
    assert near.sum() > 0
    assert (after[near] < before[near]).all()
    assert (after <= before + 1e-9).all()


@pytest.mark.slow
def test_random_larger_network_equals_networkx():
    rng = np.random.default_rng(99)
    streets = grid_streets(20, 50.0)
    targets = _frame([Point(*rng.uniform(0, 1000, 2)) for _ in range(10)], "T", "station_id")
    corners = rng.uniform(0, 1000, (400, 2))
    parcels = _frame([box(x, y, x + 10, y + 10) for x, y in corners], "P", "parcel_id")
    got, expected, _ = run_both(parcels, targets, streets)
    np.testing.assert_allclose(got.to_numpy(), expected, atol=1e-6)


# -- the targets' side, built once ---------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"as_of": "2030-06-29"},
        {"max_distance": 150.0},
        {"max_snap": 20.0, "max_distance": 400.0, "as_of": "2030-06-30"},
    ],
)
def test_target_distances_give_the_same_answer_as_a_plain_call(options):
    streets = grid_streets(4)
    streets = pd.concat(
        [streets, _frame([LineString([(900, 900), (1000, 900)])], "X", "street_id")]
    )  # a component without a station
    targets = _frame(
        [Point(0, 5), Point(400, 210), Point(200, 60)],
        "T",
        "station_id",
        opening_date=pd.to_datetime(["2010-01-01", "2030-06-30", None]),
    )
    rng = np.random.default_rng(3)
    corners = rng.uniform(-50, 1000, size=(60, 2))
    parcels = _frame([box(x, y, x + 15, y + 12) for x, y in corners], "P", "parcel_id")
    graph = street_graph(streets)
    served = la.measures.target_distances(graph, targets, **options)
    with warnings.catch_warnings(record=True) as plain_warned:
        warnings.simplefilter("always")
        plain = walk_distance(parcels, targets, streets, **options)
    with warnings.catch_warnings(record=True) as shared_warned:
        warnings.simplefilter("always")
        shared = walk_distance(
            parcels, targets, streets, graph=graph, from_targets=served, **options
        )
        # the graph comes with the target distances when not given
        alone = walk_distance(parcels, targets, streets, from_targets=served, **options)
    pd.testing.assert_series_equal(plain, shared, check_exact=True)
    pd.testing.assert_series_equal(plain, alone, check_exact=True)
    assert np.isinf(plain).any() and np.isfinite(plain).any()
    assert [str(w.message) for w in plain_warned] * 2 == [str(w.message) for w in shared_warned]
    assert "TargetDistances" in repr(served)


def test_target_distances_from_other_options_are_refused():
    streets = grid_streets(2)
    targets = _frame([Point(0, 0), Point(200, 200)], "T", "station_id")
    parcels = _frame([box(90, 10, 110, 30)], "P", "parcel_id")
    graph = street_graph(streets)
    served = la.measures.target_distances(graph, targets, max_distance=500)
    with pytest.raises(la.measures.MeasureError, match="another max_distance"):
        walk_distance(parcels, targets, streets, graph=graph, from_targets=served)
    with pytest.raises(la.measures.MeasureError, match="another graph"):
        walk_distance(
            parcels,
            targets,
            streets,
            graph=street_graph(streets),
            from_targets=served,
            max_distance=500,
        )
    with pytest.raises(la.measures.MeasureError, match="another targets, as_of"):
        walk_distance(
            parcels,
            targets.iloc[:1],
            streets,
            graph=graph,
            from_targets=served,
            max_distance=500,
            as_of="2030-01-01",
        )
    with pytest.raises(la.measures.MeasureError, match="must be the TargetDistances"):
        walk_distance(parcels, targets, streets, graph=graph, from_targets=graph)
    with pytest.raises(la.measures.MeasureError, match="must be a StreetGraph"):
        la.measures.target_distances(streets, targets)
    with pytest.raises(la.measures.MeasureError, match="max_distance"):
        la.measures.target_distances(graph, targets, max_distance=-1)


def test_no_street_or_no_open_target_gives_inf_with_shared_distances():
    streets = grid_streets(1)
    targets = _frame([Point(0, 0)], "T", "station_id", opening_date=pd.to_datetime(["2040-01-01"]))
    parcels = _frame([box(10, 10, 20, 20)], "P", "parcel_id")
    graph = street_graph(streets)
    served = la.measures.target_distances(graph, targets, as_of="2030-01-01")
    with pytest.warns(UnreachableWarning, match="no target"):
        d = walk_distance(
            parcels, targets, streets, as_of="2030-01-01", graph=graph, from_targets=served
        )
    assert np.isinf(d.iloc[0])
    empty = street_graph(streets.iloc[:0])
    with pytest.warns(UnreachableWarning):
        d = walk_distance(
            parcels,
            targets,
            streets.iloc[:0],
            graph=empty,
            from_targets=la.measures.target_distances(empty, targets),
        )
    assert np.isinf(d.iloc[0])
