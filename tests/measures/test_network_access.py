"""Walking distance from every access point: ties, streets through parcels, row order.

Expected values are worked out by hand, or come from the networkx oracle of
``test_network.py``, which builds its graph from raw shapely geometry.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, box

import landasset as la
from landasset.measures import (
    UnreachableWarning,
    network_distance,
    snap_to_edges,
    street_graph,
    walk_distance,
)
from landasset.measures.network import SNAP_TIE_M

# the oracle and the layer helper of test_network.py, loaded from its file (the tests
# folder is not a package)
_spec = importlib.util.spec_from_file_location(
    "_network_oracle", Path(__file__).with_name("test_network.py")
)
assert _spec is not None and _spec.loader is not None
_oracle_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_oracle_module)
_frame, oracle, run_both = _oracle_module._frame, _oracle_module.oracle, _oracle_module.run_both

# -- the corner parcel -----------------------------------------------------------------

SOUTH = LineString([(-10, -10), (300, -10)])
WEST = LineString([(-10, -10), (-10, 300)])


@pytest.mark.parametrize(
    "lines",
    [[SOUTH, WEST], [WEST, SOUTH], [SOUTH.reverse(), WEST], [WEST.reverse(), SOUTH.reverse()]],
    ids=["A,B", "B,A", "A reversed", "both reversed, B first"],
)
def test_corner_parcel_walks_along_the_street_that_leads_to_the_station(lines):
    # a 100 x 100 m parcel 10 m from a south and a west street; the station 5 m off the
    # south street, 20 m past the parcel's east side
    streets = _frame(lines, "S", "street_id")
    parcels = _frame([box(0, 0, 100, 100)], "P", "parcel_id")
    stations = _frame([Point(120, -15)], "T", "station_id")
    got = walk_distance(parcels, stations, streets)
    # 10 m down to the south street at x = 100, 20 m along it, 5 m to the station;
    # by the west street it would be 10 + 10 + 130 + 5 = 155 m
    assert got.iloc[0] == 10 + 20 + 5
    snap = snap_to_edges(street_graph(streets), parcels)
    assert snap.n_access == 2  # both streets, 10 m away
    np.testing.assert_array_equal(snap.distance_m, [10.0, 10.0])


def test_station_equidistant_from_two_streets_reaches_both():
    streets = _frame([SOUTH, WEST], "S", "street_id")
    stations = _frame([Point(0, 0)], "T", "station_id")  # 10 m from each street
    # the parcel lies along the west street only: 90 m up it, 10 m across
    parcels = _frame([box(-40, 200, -20, 260)], "P", "parcel_id")
    got = walk_distance(parcels, stations, streets)
    assert got.iloc[0] == pytest.approx(10 + 200 + 10, abs=1e-9)
    assert snap_to_edges(street_graph(streets), stations).n_access == 2


# -- streets inside parcels ------------------------------------------------------------


def test_street_running_into_a_parcel_is_its_way_out():
    # a railway yard: a spur from the middle of the parcel leaves by its north side;
    # the station is 5 m off the spur, 30 m past the parcel
    streets = _frame(
        [LineString([(50, 50), (50, 200)]), LineString([(-100, -10), (300, -10)])],
        "S",
        "street_id",
    )
    parcels = _frame([box(0, 0, 100, 100)], "P", "parcel_id")
    stations = _frame([Point(55, 130)], "T", "station_id")
    got = walk_distance(parcels, stations, streets, max_snap=1000)
    assert got.iloc[0] == pytest.approx(30 + 5, abs=1e-9)
    snap = snap_to_edges(street_graph(streets), parcels)
    assert snap.n_access == 1 and snap.distance_m[0] == 0
    np.testing.assert_allclose(snap.stretch_m[0], [0, 50])  # the spur from y=50 to 100


def test_street_crossing_a_parcel_from_side_to_side():
    streets = _frame([LineString([(-50, 50), (150, 50)])], "S", "street_id")
    parcels = _frame([box(0, 0, 100, 100)], "P", "parcel_id")
    stations = _frame([Point(140, 55), Point(-45, 40)], "T", "station_id")
    got = walk_distance(parcels, stations, streets)
    # out by the east side (x = 100): 40 m along, 5 m across; west: 45 + 10 = 55 m
    assert got.iloc[0] == pytest.approx(40 + 5, abs=1e-9)


def test_street_leaving_and_reentering_a_parcel_counts_each_piece():
    # a U-shaped parcel; the street crosses both arms, the station faces the gap
    u_shape = box(0, 0, 100, 100).difference(box(30, 30, 70, 101))
    streets = _frame([LineString([(-50, 60), (150, 60)])], "S", "street_id")
    parcels = _frame([u_shape], "P", "parcel_id")
    stations = _frame([Point(50, 65)], "T", "station_id")
    got, expected, _ = run_both(parcels, stations, streets)
    # from the inner side of either arm (x = 30 or 70): 20 m along, 5 m across
    assert got.iloc[0] == pytest.approx(20 + 5, abs=1e-9)
    assert expected[0] == pytest.approx(25, abs=1e-9)
    snap = snap_to_edges(street_graph(streets), parcels)
    np.testing.assert_allclose(snap.stretch_m, [[50, 80], [120, 150]])


@pytest.mark.parametrize(
    ("station", "expected"),
    [
        (Point(20, 20), 0.0),  # inside the parcel
        (Point(100, 40), 0.0),  # on its boundary
        (box(90, 90, 120, 120), 0.0),  # a station building overlapping it
        (Point(130, 40), 10 + 30 + 50),  # outside: down to the street and back up
    ],
)
def test_parcel_holding_a_target_is_at_zero(station, expected):
    streets = _frame([LineString([(-100, -10), (300, -10)])], "S", "street_id")
    parcels = _frame([box(0, 0, 100, 100), box(200, 0, 220, 20)], "P", "parcel_id")
    stations = _frame([station], "T", "station_id")
    got = walk_distance(parcels, stations, streets)
    assert got.iloc[0] == pytest.approx(expected, abs=1e-9)
    assert got.iloc[1] > 0


def test_parcel_touching_a_connected_footway_reaches_the_station():
    # the footway touches the parcel's east side at one point and joins a street
    streets = _frame(
        [
            LineString([(100, 50), (200, 50)]),  # footway
            LineString([(200, -100), (200, 50), (200, 200)]),  # a vertex at the joint
            LineString([(-100, -300), (-100, 300)]),  # a street without a station
        ],
        "S",
        "street_id",
    )
    parcels = _frame([box(0, 0, 100, 100)], "P", "parcel_id")
    stations = _frame([Point(205, 150)], "T", "station_id")
    got = walk_distance(parcels, stations, streets)  # warnings are errors here
    assert got.iloc[0] == pytest.approx(0 + 100 + 100 + 5, abs=1e-9)
    got = walk_distance(parcels, stations, streets, max_distance=1000)
    assert got.iloc[0] == pytest.approx(205, abs=1e-9)


# -- the warning's reasons -------------------------------------------------------------


def test_warning_names_max_snap_and_components_apart():
    streets = _frame(
        [LineString([(0, 0), (1000, 0)]), LineString([(0, 500), (100, 500)])], "S", "street_id"
    )
    stations = _frame([Point(0, 0)], "T", "station_id")
    parcels = _frame(
        [box(10, 10, 20, 20), box(10, 510, 20, 520), box(5000, 5000, 5010, 5010)],
        "P",
        "parcel_id",
    )
    with pytest.warns(UnreachableWarning) as caught:
        got = walk_distance(parcels, stations, streets, max_snap=200)
    message = str(caught[0].message)
    assert "2 of 3 parcels cannot reach any target" in message
    assert "1 have no walkable street within max_snap=200 m (raise max_snap" in message
    assert "1 lie on a street component that holds no target (connect" in message
    assert got.iloc[0] == pytest.approx(20) and np.isinf(got.iloc[1:]).all()
    # without max_snap the far parcel walks in from 5 km away: only the component
    with pytest.warns(UnreachableWarning) as caught:
        got = walk_distance(parcels, stations, streets)
    message = str(caught[0].message)
    assert "1 of 3 parcels cannot reach any target" in message
    assert "max_snap" not in message and "street component" in message
    assert np.isfinite(got.iloc[2])
    with pytest.raises(la.measures.MeasureError, match="max_snap"):
        walk_distance(parcels, stations, streets, max_snap=-1)


def test_a_parcel_with_one_served_street_is_not_unreachable():
    # tied at 10 m: a street with no station (its own component) and one with a station
    streets = _frame(
        [LineString([(-10, -100), (-10, 300)]), LineString([(0, -10), (500, -10)])],
        "S",
        "street_id",
    )
    stations = _frame([Point(400, -10)], "T", "station_id")
    parcels = _frame([box(0, 0, 50, 50)], "P", "parcel_id")
    for kw in ({}, {"max_distance": 1000}):
        got = walk_distance(parcels, stations, streets, **kw)
        assert got.iloc[0] == pytest.approx(10 + 350, abs=1e-9)


# -- row order and line direction ------------------------------------------------------


def _random_layers(rng: np.random.Generator, n_parcels: int = 30):
    """Axis-parallel streets (corners tie), a diagonal or two, spurs into blocks."""
    step, n = 100.0, 4
    lines = []
    for k in range(n + 1):
        for j in range(n):
            if rng.random() > 0.1:
                # a vertex half-way, where the spurs start
                lines.append(
                    LineString(
                        [
                            (k * step, j * step),
                            (k * step, j * step + 50),
                            (k * step, (j + 1) * step),
                        ]
                    )
                )
            if rng.random() > 0.1:
                lines.append(LineString([(j * step, k * step), ((j + 1) * step, k * step)]))
    for _ in range(2):
        i, j = rng.integers(0, n, 2)
        lines.append(LineString([(i * step, j * step), ((i + 1) * step, (j + 1) * step)]))
    # spurs: from a junction into the block, ending inside a parcel (a yard)
    spur_ends = []
    for _ in range(4):
        i, j = rng.integers(0, n, 2)
        end = (i * step + rng.integers(30, 70), j * step + 50.0)
        lines.append(LineString([(i * step, j * step + 50.0), end]))
        spur_ends.append(end)
    # several streets in one multi-vertex line
    lines.append(LineString([(0, 0), (0, -100), (200, -100), (200, 0)]))
    parcels = []
    for _ in range(n_parcels):
        i, j = rng.integers(0, n, 2)
        x0, y0 = i * step, j * step
        kind = rng.integers(0, 3)
        if kind == 0:  # a corner parcel, g m from two streets
            g = float(rng.integers(5, 20))
            w, h = rng.integers(20, 60, 2)
            parcels.append(box(x0 + g, y0 + g, x0 + g + w, y0 + g + h))
        elif kind == 1 and spur_ends:  # a yard around a spur's end
            ex, ey = spur_ends[rng.integers(0, len(spur_ends))]
            parcels.append(box(ex - 10, ey - 20, ex + 15, ey + 10))
        else:
            x, y = rng.integers(-40, 440, 2)
            w, h = rng.integers(5, 40, 2)
            parcels.append(box(x, y, x + w, y + h))
    stations = []
    for _ in range(rng.integers(1, 4)):
        kind = rng.integers(0, 3)
        i, j = rng.integers(0, n + 1, 2)
        if kind == 0:  # at a junction
            stations.append(Point(i * step, j * step))
        elif kind == 1:  # equidistant from two streets
            g = float(rng.integers(1, 10))
            stations.append(Point(min(i, n - 1) * step + g, min(j, n - 1) * step + g))
        else:
            stations.append(Point(*rng.integers(-30, 430, 2)))
    return (
        _frame(parcels, "P", "parcel_id"),
        _frame(stations, "T", "station_id"),
        _frame(lines, "S", "street_id"),
    )


def _quiet(parcels, stations, streets, **kw) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        return walk_distance(parcels, stations, streets, **kw)


@pytest.mark.parametrize("seed", range(10))
def test_random_networks_with_corners_yards_and_junction_stations_equal_networkx(seed):
    parcels, stations, streets = _random_layers(np.random.default_rng(seed))
    expected = oracle(parcels, stations, streets)
    got = _quiet(parcels, stations, streets)
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=0, atol=1e-6)
    assert np.isfinite(expected).sum() > len(parcels) // 2  # not a vacuous comparison


@settings(max_examples=40, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1), order_seed=st.integers(0, 2**32 - 1))
def test_row_order_and_line_direction_do_not_change_a_bit(seed, order_seed):
    parcels, stations, streets = _random_layers(np.random.default_rng(seed), n_parcels=20)
    rng = np.random.default_rng(order_seed)
    shuffled = streets.iloc[rng.permutation(len(streets))].copy()
    flip = rng.random(len(shuffled)) < 0.5
    shuffled.loc[flip, "geometry"] = shapely.reverse(shuffled.geometry.values[flip])
    for kw in ({}, {"max_distance": 250.0}):
        one = _quiet(parcels, stations, streets, **kw)
        two = _quiet(parcels, stations, shuffled, **kw)
        np.testing.assert_array_equal(one.to_numpy(), two.to_numpy())
    # the pieces too: the same graph, the same access points
    g1, g2 = street_graph(streets), street_graph(shuffled)
    np.testing.assert_array_equal(g1.edge_start_xy, g2.edge_start_xy)
    np.testing.assert_array_equal(g1.edge_end_xy, g2.edge_end_xy)
    s1, s2 = snap_to_edges(g1, parcels), snap_to_edges(g2, parcels)
    for field in ("owner", "edge", "stretch_m", "distance_m"):
        np.testing.assert_array_equal(getattr(s1, field), getattr(s2, field))
    t1, t2 = snap_to_edges(g1, stations), snap_to_edges(g2, stations)
    np.testing.assert_array_equal(network_distance(g1, t1, s1), network_distance(g2, t2, s2))


def test_sample_district_does_not_depend_on_street_rows(sample_site):
    site = sample_site
    before = walk_distance(site.parcels, site.stations, site.streets)
    streets = site.streets.iloc[::-1].copy()
    after = walk_distance(site.parcels, site.stations, streets)
    assert int((before != after).sum()) == 0
    streets["geometry"] = shapely.reverse(streets.geometry.values)
    flipped = walk_distance(site.parcels, site.stations, streets)
    assert int((before != flipped).sum()) == 0
    assert np.isfinite(before).all()


def test_tie_margin_is_a_micrometre():
    assert SNAP_TIE_M == 1e-6
    # two streets 10 m and 10 m + 0.5 um from the parcel: both tie; + 2 um: one
    for gap, n_access in ((0.5e-6, 2), (2e-6, 1)):
        streets = _frame(
            [
                LineString([(-10, -50), (-10, 300)]),
                LineString([(-50, -10 - gap), (300, -10 - gap)]),
            ],
            "S",
            "street_id",
        )
        parcels = _frame([box(0, 0, 100, 100)], "P", "parcel_id")
        assert snap_to_edges(street_graph(streets), parcels).n_access == n_access


def test_parcel_with_two_arms_along_a_street_reaches_it_from_each_arm():
    # a U open towards the street: both arms end 10 m from it, the station faces the gap
    u_shape = box(0, 0, 100, 100).difference(box(30, -1, 70, 70))
    streets = _frame([LineString([(-50, -10), (150, -10)])], "S", "street_id")
    parcels = _frame([u_shape], "P", "parcel_id")
    stations = _frame([Point(50, -15)], "T", "station_id")
    got, expected, _ = run_both(parcels, stations, streets)
    # 10 m down from the inner corner of an arm (x = 30 or 70), 20 m along, 5 m across
    assert got.iloc[0] == pytest.approx(10 + 20 + 5, abs=1e-9)
    assert expected[0] == pytest.approx(35, abs=1e-9)
    snap = snap_to_edges(street_graph(streets), parcels)
    np.testing.assert_allclose(snap.stretch_m, [[50, 80], [120, 150]])
