"""Proximity measures against brute-force shapely loops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, MultiPolygon, Point, Polygon, box

import landasset as la
from landasset.measures import (
    MeasureError,
    cluster_strength,
    constrained_share,
    count_within,
    frontage,
    nearest_distance,
    nearest_id,
    sum_within,
)

CATEGORIES = ["cafe", "gym", "canteen"]


def random_parcels(rng: np.random.Generator, n: int) -> list:
    """Boxes, concave U shapes (centroid outside) and two-part MultiPolygons."""
    out = []
    for _ in range(n):
        x, y = rng.uniform(0, 2000, 2)
        w, h = rng.uniform(10, 150, 2)
        kind = rng.integers(0, 3)
        if kind == 0:
            out.append(box(x, y, x + w, y + h))
        elif kind == 1:
            t = min(w, h) / 4
            out.append(
                Polygon(
                    [
                        (x, y),
                        (x + w, y),
                        (x + w, y + h),
                        (x + w - t, y + h),
                        (x + w - t, y + t),
                        (x + t, y + t),
                        (x + t, y + h),
                        (x, y + h),
                    ]
                )
            )
        else:
            out.append(
                MultiPolygon([box(x, y, x + w / 3, y + h), box(x + w, y, x + 1.5 * w, y + h / 2)])
            )
    return out


def brute_distances(parcels, features) -> np.ndarray:
    """(n_parcels, n_features) distances with one shapely call per pair."""
    p = parcels.geometry.values
    f = features.geometry.values
    return np.array(
        [[shapely.distance(a, b) if b is not None else np.inf for b in f] for a in p]
    ).reshape(len(p), len(f))


# -- nearest -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_nearest_distance_and_id_equal_brute_force(frame, seed):
    rng = np.random.default_rng(seed)
    parcels = frame(random_parcels(rng, 40), "P", "parcel_id")
    feats = []
    for _ in range(15):
        x, y = rng.uniform(-200, 2200, 2)
        kind = rng.integers(0, 4)
        if kind == 0:
            feats.append(Point(x, y))
        elif kind == 1:
            feats.append(
                LineString(
                    [(x, y), (x + rng.uniform(-500, 500), y + rng.uniform(-500, 500)), (x + 300, y)]
                )
            )
        elif kind == 2:
            feats.append(box(x, y, x + rng.uniform(50, 400), y + rng.uniform(50, 400)))
        else:
            feats.append(shapely.MultiPoint([(x, y), (x + 200, y - 100)]))
    feats.append(None)
    features = frame(feats, "F", "axis_id")
    d = nearest_distance(parcels, features)
    ids = nearest_id(parcels, features)
    brute = brute_distances(parcels, features)
    np.testing.assert_allclose(d.to_numpy(), brute.min(axis=1), rtol=0, atol=1e-9)
    assert d.name == "nearest_distance_m" and ids.name == "nearest_id"
    for i in range(len(parcels)):
        best = np.flatnonzero(brute[i] <= brute[i].min() + 1e-9)
        # among features at the same distance (0 when overlapping), the first one
        assert ids.iloc[i] == features.index[best[0]]


def test_nearest_distance_is_zero_inside_and_touching(frame):
    parcels = frame([box(0, 0, 10, 10), box(100, 100, 110, 110), box(300, 0, 310, 10)], "P")
    features = frame(
        [box(-50, -50, 50, 50), LineString([(110, 100), (120, 90)]), Point(320, 5)], "F"
    )
    d = nearest_distance(parcels, features)
    assert d.tolist() == [0.0, 0.0, 10.0]
    assert nearest_id(parcels, features).tolist() == ["F0", "F1", "F2"]


def test_nearest_on_empty_features(frame):
    parcels = frame([box(0, 0, 10, 10)], "P")
    empty = frame([], "F")
    assert np.isinf(nearest_distance(parcels, empty)).all()
    assert nearest_id(parcels, empty).tolist() == [None]
    assert len(nearest_distance(parcels.iloc[:0], frame([Point(0, 0)], "F"))) == 0


# -- within a radius ---------------------------------------------------------------------


def random_points(rng: np.random.Generator, frame, n: int):
    pts = [Point(*rng.uniform(-300, 2300, 2)) for _ in range(n)]
    return frame(
        pts,
        "A",
        "amenity_id",
        category=list(rng.choice(CATEGORIES, n)),
        employees=list(rng.integers(0, 100, n).astype(float)),
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("radius", [0.0, 75.0, 400.0])
def test_count_and_sum_within_equal_brute_force(frame, seed, radius):
    rng = np.random.default_rng(seed)
    parcels = frame(random_parcels(rng, 60), "P", "parcel_id")
    points = random_points(rng, frame, 150)
    points.loc[points.index[:5], "employees"] = np.nan  # missing counts as 0
    brute = brute_distances(parcels, points)
    centroids = parcels.geometry.centroid.values
    brute_c = np.array(
        [[shapely.distance(c, p) for p in points.geometry.values] for c in centroids]
    )
    weights = np.nan_to_num(points["employees"].to_numpy())
    cafe = (points["category"] == "cafe").to_numpy()
    for origin, dist in (("edge", brute), ("centroid", brute_c)):
        within = dist <= radius
        got = count_within(parcels, points, radius, origin=origin)
        assert got.dtype == np.int64 and got.name == "count_within"
        np.testing.assert_array_equal(got.to_numpy(), within.sum(axis=1))
        got = count_within(parcels, points, radius, origin=origin, category="cafe")
        np.testing.assert_array_equal(got.to_numpy(), (within & cafe).sum(axis=1))
        got = sum_within(parcels, points, "employees", radius, origin=origin)
        np.testing.assert_allclose(got.to_numpy(), (within * weights).sum(axis=1))
        got = sum_within(
            parcels, points, "employees", radius, origin=origin, category=["cafe", "gym"]
        )
        mask = points["category"].isin(["cafe", "gym"]).to_numpy()
        np.testing.assert_allclose(got.to_numpy(), (within * weights * mask).sum(axis=1))


def varied_parcels(rng: np.random.Generator, n: int) -> list:
    """Rotated rectangles (both orientations), stars, triangles, holes, big parcels."""
    out = []
    for k in range(n):
        x, y = rng.uniform(0, 1500, 2)
        kind = k % 5
        if kind == 0:
            w, h = rng.uniform(5, 200, 2)
            rect = shapely.affinity.rotate(box(x, y, x + w, y + h), rng.uniform(0, 180))
            out.append(rect if k % 2 else shapely.reverse(rect))
        elif kind == 1:
            angles = np.linspace(0, 2 * np.pi, 11)[:-1]
            radii = np.where(np.arange(10) % 2, 20.0, 90.0)
            out.append(Polygon(np.c_[x + radii * np.cos(angles), y + radii * np.sin(angles)]))
        elif kind == 2:
            out.append(Polygon([(x, y), (x + 120, y + 5), (x + 30, y + 70)]))
        elif kind == 3:
            out.append(
                box(x, y, x + 150, y + 150).difference(box(x + 40, y + 40, x + 110, y + 110))
            )
        else:
            # larger than twice the radius: points inside, far from the edges
            out.append(shapely.affinity.rotate(box(x, y, x + 900, y + 700), rng.uniform(0, 90)))
    return out


@pytest.mark.parametrize("radius", [0.0, 30.0, 250.0])
def test_count_within_exact_on_varied_shapes(frame, radius):
    rng = np.random.default_rng(11)
    parcels = frame(varied_parcels(rng, 40), "P", "parcel_id")
    # points on a grid (many on or near edges) plus scattered ones
    grid = [Point(x, y) for x in range(-200, 2800, 40) for y in range(-200, 2400, 40)]
    scatter = [Point(p) for p in rng.uniform(-300, 2500, (800, 2))]
    pts = grid + scatter
    points = frame(pts, "A", employees=list(rng.integers(0, 50, len(pts)).astype(float)))
    dist = np.array(
        [[shapely.distance(g, p) for p in points.geometry.values] for g in parcels.geometry.values]
    )
    within = dist <= radius
    got = count_within(parcels, points, radius)
    np.testing.assert_array_equal(got.to_numpy(), within.sum(axis=1))
    got = sum_within(parcels, points, "employees", radius)
    np.testing.assert_allclose(
        got.to_numpy(), (within * points["employees"].to_numpy()).sum(axis=1)
    )


def test_grid_path_equals_strtree_path(frame):
    # the plain reference path of the grid kernel: GEOS dwithin pairs from an STRtree
    rng = np.random.default_rng(7)
    parcels = frame(random_parcels(rng, 200), "P", "parcel_id")
    points = random_points(rng, frame, 500)
    counts = count_within(parcels, points, 250).to_numpy()
    tree = shapely.STRtree(points.geometry.values)
    i, _ = tree.query(parcels.geometry.values, predicate="dwithin", distance=250)
    np.testing.assert_array_equal(counts, np.bincount(i, minlength=len(parcels)))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    corner=st.tuples(st.integers(-50, 50), st.integers(-50, 50)),
    size=st.tuples(st.integers(1, 60), st.integers(1, 60)),
    pts=st.lists(st.tuples(st.integers(-120, 120), st.integers(-120, 120)), max_size=25),
    radius=st.integers(0, 80),
)
def test_count_within_is_inclusive_on_integer_grids(frame, corner, size, pts, radius):
    # integer coordinates put points exactly on the radius: they count
    (x, y), (w, h) = corner, size
    parcels = frame([box(x, y, x + w, y + h)], "P")
    points = frame([Point(p) for p in pts], "A", category=["cafe"] * len(pts))
    expected = sum(shapely.distance(parcels.geometry.iloc[0], p) <= radius for p in points.geometry)
    assert count_within(parcels, points, radius).iloc[0] == expected


def test_points_given_as_polygons_count_at_their_centroid(frame):
    parcels = frame([box(0, 0, 10, 10)], "P")
    points = frame([box(40, 0, 60, 10), Point(70, 0), None], "A", category=["park_entrance"] * 3)
    assert count_within(parcels, points, 40).iloc[0] == 1  # centroid (50, 5) is 40 m away


def test_radius_queries_on_empty_layers(frame):
    parcels = frame([box(0, 0, 10, 10), box(20, 0, 30, 10)], "P")
    empty = frame([], "A", category=[], employees=[])
    assert count_within(parcels, empty, 100).tolist() == [0, 0]
    assert sum_within(parcels, empty, "employees", 100).tolist() == [0.0, 0.0]
    assert cluster_strength(parcels, frame([], "E", industry=[]), "life_health", 100).tolist() == [
        0,
        0,
    ]
    none = count_within(parcels.iloc[:0], frame([Point(0, 0)], "A", category=["gym"]), 10)
    assert len(none) == 0 and none.dtype == np.int64


def test_radius_options_are_validated(frame):
    parcels = frame([box(0, 0, 10, 10)], "P")
    points = frame([Point(0, 0)], "A", category=["gym"], employees=[3])
    with pytest.raises(MeasureError, match=r"'middle' is not a valid origin.*'edge', 'centroid'"):
        count_within(parcels, points, 10, origin="middle")
    with pytest.raises(MeasureError, match="radius must be a finite number >= 0"):
        count_within(parcels, points, -1)
    with pytest.raises(MeasureError, match="radius must be a number"):
        count_within(parcels, points, "500")
    with pytest.raises(MeasureError, match="no column 'jobs'; use one of: 'category', 'employees'"):
        sum_within(parcels, points, "jobs", 10)
    with pytest.raises(MeasureError, match="no 'category' column"):
        count_within(parcels, points.drop(columns="category"), 10, category="gym")


# -- frontage ----------------------------------------------------------------------------


def test_frontage_of_a_square_on_a_line_is_the_shared_side(frame):
    axes = frame([LineString([(-500, 0), (500, 0)])], "X", "axis_id")
    parcels = frame(
        [
            box(0, 0, 100, 100),  # lies on the line
            box(200, 10, 260, 70),  # 10 m back from it, within the tolerance
            box(0, 200, 100, 300),  # far away
            box(-600, -50, -520, 50),  # beyond the line's end: 20 m from it
        ],
        "P",
    )
    got = frontage(parcels, axes)
    assert got.name == "frontage_m"
    np.testing.assert_allclose(got.to_numpy(), [100.0, 60.0, 0.0, 0.0], atol=1e-9)
    # the same axis drawn twice (or two overlapping axes) is not counted twice
    twice = frame([LineString([(-500, 0), (500, 0)]), LineString([(500, 0), (-500, 0)])], "X")
    np.testing.assert_allclose(
        frontage(parcels, twice).to_numpy(), [100.0, 60.0, 0.0, 0.0], atol=1e-9
    )
    # two streets along two sides of a corner parcel
    corner = frame([LineString([(-500, 0), (500, 0)]), LineString([(100, -500), (100, 500)])], "X")
    assert frontage(parcels.iloc[:1], corner).iloc[0] == pytest.approx(200.0)


@pytest.mark.parametrize("reverse", [False, True])
def test_frontage_stops_at_the_end_of_the_axis(frame, reverse):
    # the top side of a 100 m square runs 5 m from an axis that ends at x = 60: 60 m of
    # it lie alongside the axis; beyond the end, a round cap of 15 m would add
    # sqrt(15² - 5²) = 14.1 m more (74.1 m)
    def along(*lines):
        coords = [line[::-1] if reverse else line for line in lines]
        axes = frame([LineString(c) for c in coords], "X", "axis_id")
        return frontage(frame([box(0, 0, 100, 100)], "P"), axes, tolerance=15.0).iloc[0]

    assert along([(-50, 105), (60, 105)]) == pytest.approx(60.0)
    # a vertex in the middle of the axis, or the axis going on as another one, is no end
    assert along([(-50, 105), (60, 105), (110, 105)]) == pytest.approx(100.0)
    assert along([(-50, 105), (60, 105)], [(60, 105), (200, 105)]) == pytest.approx(100.0)
    # an axis bending round the corner runs along two sides
    assert along([(-50, 105), (105, 105), (105, -50)]) == pytest.approx(200.0)
    # an axis ending short of the parcel on both sides: only the part alongside counts
    assert along([(20, 105), (70, 105)]) == pytest.approx(50.0)


def test_frontage_with_zero_tolerance_and_empty_axes(frame):
    axes = frame([LineString([(30, 0), (80, 0)])], "X")
    parcels = frame([box(0, 0, 100, 100)], "P")
    assert frontage(parcels, axes, tolerance=0).iloc[0] == pytest.approx(50.0)
    assert frontage(parcels, frame([], "X")).iloc[0] == 0.0
    with pytest.raises(MeasureError, match="tolerance"):
        frontage(parcels, axes, tolerance=-1)


# -- clusters and constraints ------------------------------------------------------------


def test_cluster_strength_counts_one_industry(frame):
    parcels = frame([box(0, 0, 100, 100)], "P")
    enterprises = frame(
        [Point(50, 50), Point(150, 50), Point(50, 450), Point(60, 60)],
        "E",
        "enterprise_id",
        industry=[
            "artificial_intelligence",
            "artificial_intelligence",
            "artificial_intelligence",
            "life_health",
        ],
    )
    got = cluster_strength(parcels, enterprises, "artificial_intelligence", 100)
    assert got.name == "cluster_strength" and got.tolist() == [2]
    both = cluster_strength(parcels, enterprises, ["artificial_intelligence", "life_health"], 100)
    assert both.tolist() == [3]


def test_constrained_share_counts_overlaps_once(frame):
    parcels = frame([box(0, 0, 100, 100), box(200, 0, 300, 100), box(400, 0, 500, 100)], "P")
    constraints = frame(
        [box(-50, -50, 50, 150), box(25, -50, 75, 150), box(150, 0, 400, 50)],
        "C",
        "constraint_id",
        kind=["ecological_redline", "flood_zone", "flood_zone"],
        hard=[True, False, False],
    )
    got = constrained_share(parcels, constraints)
    assert got.name == "constrained_share"
    np.testing.assert_allclose(got.to_numpy(), [0.75, 0.5, 0.0])
    np.testing.assert_allclose(
        constrained_share(parcels, constraints, kind="flood_zone").to_numpy(), [0.5, 0.5, 0.0]
    )
    np.testing.assert_allclose(
        constrained_share(parcels, constraints, hard=True).to_numpy(), [0.5, 0.0, 0.0]
    )
    np.testing.assert_allclose(
        constrained_share(parcels, constraints, hard=False).to_numpy(), [0.5, 0.5, 0.0]
    )
    assert constrained_share(parcels, frame([], "C", kind=[])).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(MeasureError, match="hard"):
        constrained_share(parcels, constraints.drop(columns="hard"), hard=True)


@pytest.mark.parametrize("seed", range(3))
def test_constrained_share_equals_brute_force(frame, seed):
    rng = np.random.default_rng(seed)
    parcels = frame(random_parcels(rng, 40), "P")
    cons = [box(*rng.uniform(0, 1500, 2), *rng.uniform(1500, 2100, 2)) for _ in range(2)]
    cons += [Point(*rng.uniform(0, 2000, 2)).buffer(rng.uniform(50, 400)) for _ in range(4)]
    constraints = frame(cons, "C", kind=["flood_zone"] * len(cons))
    union = shapely.union_all(constraints.geometry.values)
    expected = [p.intersection(union).area / p.area for p in parcels.geometry]
    np.testing.assert_allclose(
        constrained_share(parcels, constraints).to_numpy(), expected, atol=1e-9
    )


# -- shared checks -----------------------------------------------------------------------


def test_crs_and_geometry_checks(frame):
    parcels = frame([box(0, 0, 10, 10)], "P")
    points = frame([Point(0, 0)], "A", category=["gym"])
    with pytest.raises(la.CRSError, match=r"count_within \(points layer\).*Site.*to_crs"):
        count_within(parcels, points.to_crs("EPSG:4326"), 10)
    with pytest.raises(la.CRSError, match=r"EPSG:3857"):
        nearest_distance(parcels.to_crs("EPSG:3857"), points)
    with pytest.raises(la.CRSError, match="one CRS"):
        nearest_distance(parcels, points.to_crs("EPSG:32650"))
    broken = frame([box(0, 0, 10, 10), shapely.Polygon()], "P")
    with pytest.raises(la.SchemaError, match="'P1'"):
        count_within(broken, points, 10)
    with pytest.raises(MeasureError, match="not a GeoDataFrame"):
        count_within(parcels, pd.DataFrame({"x": [1]}), 10)


def test_one_parcel_and_geoseries_input(frame):
    parcels = frame([box(0, 0, 10, 10)], "P").geometry
    points = frame([Point(15, 5)], "A").geometry
    assert count_within(parcels, points, 5).tolist() == [1]
    assert nearest_distance(parcels, points).tolist() == [5.0]


def test_subset_gives_the_same_answers(sample_site):
    site = sample_site
    full = count_within(site.parcels, site.amenities, 500)
    part = count_within(site.parcels.iloc[5::9], site.amenities, 500)
    pd.testing.assert_series_equal(part, full.iloc[5::9])
    full = constrained_share(site.parcels, site.constraints)
    pd.testing.assert_series_equal(
        constrained_share(site.parcels.iloc[::4], site.constraints), full.iloc[::4]
    )
