"""Areas, compactness, building assignment, floor area, FAR and coverage."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import MultiPolygon, Polygon, box

import landasset as la
from landasset._buildings import building_floor_area, counted_floor_area
from landasset.measures import (
    MeasureError,
    area_m2,
    area_mu,
    assign_buildings,
    building_coverage,
    compactness,
    floor_area_ratio,
    gross_floor_area,
    industrial_floor_area_ratio,
)


@pytest.fixture
def two_parcels(frame):
    return frame([box(0, 0, 100, 100), box(100, 0, 200, 100)], "P", "parcel_id")


def test_areas_and_compactness(frame):
    parcels = frame(
        [
            box(0, 0, 100, 100),
            MultiPolygon([box(0, 200, 10, 210), box(20, 200, 30, 210)]),
            shapely.Point(500, 500).buffer(50, quad_segs=256),
            Polygon([(0, 0, 5), (30, 0, 5), (30, 30, 5), (0, 30, 5)]),  # with Z
        ],
        "P",
        "parcel_id",
    )
    assert area_m2(parcels).tolist() == pytest.approx([10_000, 200, math.pi * 2500, 900], rel=1e-4)
    assert area_mu(parcels).iloc[0] == pytest.approx(15.0)
    c = compactness(parcels)
    assert c.name == "compactness"
    assert c.iloc[0] == pytest.approx(math.pi / 4)
    assert c.iloc[1] == pytest.approx(4 * math.pi * 200 / 80**2)
    assert c.iloc[2] == pytest.approx(1.0, abs=1e-4)
    assert area_m2(parcels.iloc[:0]).name == "area_m2"


def test_building_straddling_two_parcels_goes_to_the_larger_overlap(frame, two_parcels):
    buildings = frame(
        [
            box(80, 10, 130, 60),  # 20 m in the first parcel, 30 m in the second
            box(10, 10, 30, 30),  # wholly in the first
            box(200, 10, 220, 30),  # touches the second only along a line
            box(500, 500, 510, 510),  # on no parcel
            None,
        ],
        "B",
        "building_id",
        floors=[2, 3, 1, 1, 1],
    )
    owner = assign_buildings(buildings, two_parcels)
    assert owner.name == "parcel_id"
    assert owner.index.equals(buildings.index)
    assert owner.tolist() == ["P1", "P0", None, None, None]


def test_ties_go_to_the_first_parcel(frame, two_parcels):
    buildings = frame([box(90, 0, 110, 10)], "B", floors=[1])
    assert assign_buildings(buildings, two_parcels).tolist() == ["P0"]


def test_floor_area_far_and_coverage_by_hand(frame, two_parcels):
    buildings = frame(
        [
            box(80, 10, 130, 60),  # 2500 m² footprint, 2 floors -> P1 by overlap
            box(10, 10, 30, 30),  # 400 m², gfa given
            box(140, 60, 160, 80),  # 400 m², height 14 m -> 4 storeys
        ],
        "B",
        "building_id",
        floors=pd.array([2, pd.NA, pd.NA], dtype="Int64"),
        gfa_m2=[np.nan, 1000.0, np.nan],
        height_m=[np.nan, np.nan, 14.0],
    )
    rule = building_floor_area(buildings)
    assert rule.tolist() == [5000.0, 1000.0, 1600.0]
    gfa = gross_floor_area(two_parcels, buildings)
    assert gfa.name == "gfa_m2"
    assert gfa.tolist() == [1000.0, 5000.0 + 1600.0]
    far = floor_area_ratio(two_parcels, buildings)
    assert far.name == "far"
    assert far.tolist() == pytest.approx([0.1, 0.66])
    cov = building_coverage(two_parcels, buildings)
    assert cov.name == "building_coverage"
    # geometric: 20x50 of the straddling one is in P0, 30x50 in P1
    assert cov.tolist() == pytest.approx([(1000 + 400) / 10_000, (1500 + 400) / 10_000])


def test_assignment_modes(frame, two_parcels):
    buildings = frame(
        [box(10, 10, 20, 20), box(110, 10, 120, 20), box(150, 50, 160, 60)],
        "B",
        "building_id",
        floors=[1, 1, 1],
        parcel_id=["P1", None, "elsewhere"],
    )
    # auto: the column where given (even a parcel not measured here), overlap otherwise
    assert gross_floor_area(two_parcels, buildings).tolist() == [0.0, 200.0]
    assert gross_floor_area(two_parcels, buildings, by="overlap").tolist() == [100.0, 200.0]
    assert gross_floor_area(two_parcels, buildings, by="parcel_id").tolist() == [0.0, 100.0]
    with pytest.raises(
        MeasureError,
        match=r"'nearest' is not a valid building assignment.*'auto', 'parcel_id', 'overlap'",
    ):
        gross_floor_area(two_parcels, buildings, by="nearest")
    with pytest.raises(MeasureError, match="needs a 'parcel_id' column"):
        gross_floor_area(two_parcels, buildings.drop(columns="parcel_id"), by="parcel_id")


def test_unknown_floor_area_is_not_zero(frame, two_parcels):
    buildings = frame(
        [box(10, 10, 20, 20), box(30, 30, 40, 40)], "B", floors=pd.array([2, pd.NA], dtype="Int64")
    )
    gfa = gross_floor_area(two_parcels, buildings)
    assert np.isnan(gfa.iloc[0]) and gfa.iloc[1] == 0.0


def test_no_buildings(frame, two_parcels):
    empty = frame([], "B", floors=[])
    assert gross_floor_area(two_parcels, empty).tolist() == [0.0, 0.0]
    assert floor_area_ratio(two_parcels, empty).tolist() == [0.0, 0.0]
    assert building_coverage(two_parcels, empty).tolist() == [0.0, 0.0]
    assert assign_buildings(empty, two_parcels).tolist() == []


def test_checks(frame, two_parcels):
    with pytest.raises(la.CRSError, match="area_mu"):
        area_mu(two_parcels.to_crs("EPSG:4326"))
    with pytest.raises(la.SchemaError, match="no geometry"):
        area_m2(frame([box(0, 0, 1, 1), None], "P"))


def test_on_the_sample(sample_site):
    site = sample_site
    owner = assign_buildings(site.buildings, site.parcels)
    # the sample's own parcel_id column agrees with the geometry
    given = site.buildings["parcel_id"].notna()
    assert (owner[given] == site.buildings.loc[given, "parcel_id"]).mean() > 0.95
    far = floor_area_ratio(site.parcels, site.buildings)
    assert far.between(0, 10).all() and far.max() > 1


# -- overlapping footprints count once -----------------------------------------------------


def test_building_part_inside_its_building_is_not_counted_twice(frame, two_parcels):
    buildings = frame(
        [
            box(10, 10, 50, 30),  # a 40 m × 20 m hall, 2 floors
            box(20, 15, 30, 25),  # a 10 m × 10 m tower part inside it, 12 floors
            box(60, 60, 80, 80),  # a separate 20 m × 20 m building, 1 floor
            box(70, 70, 90, 90),  # overlaps the last by 10 m × 10 m, 3 floors
        ],
        "B",
        "building_id",
        floors=[2, 12, 1, 3],
    )
    # by hand: the hall keeps 800 - 100 m², the tower its 100 m²; the 3-floor one keeps
    # its 400 m² and the 1-floor one 400 - 100 m²
    assert building_floor_area(buildings).tolist() == [1400.0, 1200.0, 300.0, 1200.0]
    assert gross_floor_area(two_parcels, buildings).tolist() == [4100.0, 0.0]
    union = shapely.union_all(buildings.geometry.to_numpy()).area
    assert union == 800 + 400 + 400 - 100
    cov = building_coverage(two_parcels, buildings)
    assert cov.tolist() == [pytest.approx(union / 10_000), 0.0]
    far = floor_area_ratio(two_parcels, buildings)
    assert far.iloc[0] == pytest.approx(4100.0 / 10_000)


def test_declared_floor_area_claims_its_footprint(frame, two_parcels):
    buildings = frame(
        [box(10, 10, 30, 30), box(10, 10, 20, 20)],
        "B",
        floors=[20, 30],
        gfa_m2=[5000.0, np.nan],
    )
    # the part inside a building whose floor area is declared adds nothing
    assert building_floor_area(buildings).tolist() == [5000.0, 0.0]


@st.composite
def footprints(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    boxes = []
    for _ in range(n):
        x = draw(st.integers(min_value=-20, max_value=190))
        y = draw(st.integers(min_value=-20, max_value=90))
        w = draw(st.integers(min_value=1, max_value=60))
        h = draw(st.integers(min_value=1, max_value=60))
        boxes.append(box(x, y, x + w, y + h))
    floors = draw(st.lists(st.integers(1, 30), min_size=n, max_size=n))
    return boxes, floors


# the fixtures are stateless layer builders, safe to share between examples
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(footprints())
def test_coverage_is_the_union_of_footprints_and_never_above_one(frame, two_parcels, case):
    boxes, floors = case
    buildings = frame(boxes, "B", floors=floors)
    cov = building_coverage(two_parcels, buildings)
    union = shapely.union_all(buildings.geometry.to_numpy())
    oracle = [shapely.intersection(union, p).area / p.area for p in two_parcels.geometry]
    assert cov.tolist() == pytest.approx(oracle, abs=1e-9)
    assert bool((cov <= 1 + 1e-12).all())
    # footprint-based floor area: each point of the union counts once, at the largest
    # number of floors among the footprints that cover it (rasterised on a 1 m grid,
    # exact for boxes on whole metres)
    xs, ys = np.meshgrid(np.arange(-20, 260) + 0.5, np.arange(-20, 160) + 0.5)
    top = np.zeros(xs.shape)
    for geom, f in zip(boxes, floors, strict=True):  # as drawn, before the move
        x0, y0, x1, y1 = geom.bounds
        inside = (xs > x0) & (xs < x1) & (ys > y0) & (ys < y1)
        top = np.where(inside, np.maximum(top, f), top)
    assert building_floor_area(buildings).sum() == pytest.approx(top.sum())


# -- industrial FAR: a storey higher than 8 m counts twice (国土资发〔2008〕24号) -----------


def test_single_storey_12_m_plant_counts_twice(frame, two_parcels):
    # the rule's own case: one storey of 12 m > 8 m, so its 4000 m² count as 8000 m²
    plant = frame([box(0, 0, 80, 50)], "B", "building_id", floors=[1], height_m=[12.0])
    assert floor_area_ratio(two_parcels, plant).tolist() == [0.4, 0.0]
    far = industrial_floor_area_ratio(two_parcels, plant)
    assert far.name == "far_industrial"
    assert far.tolist() == [0.8, 0.0]


@pytest.mark.parametrize(
    ("storeys", "plain", "counted"),
    [
        ("4.5;9;4.5", 3000.0, 4000.0),  # text, the 9 m storey twice
        ([4.5, 9.0, 4.5], 3000.0, 4000.0),  # a list
        ((10, 10), 2000.0, 4000.0),  # a tuple, both tall
        (" 8 ; 8 ", 2000.0, 2000.0),  # exactly 8 m is not "higher than 8 m"
        ("8.01", 1000.0, 2000.0),
    ],
)
def test_listed_storey_heights(frame, two_parcels, storeys, plain, counted):
    building = frame([box(0, 0, 40, 25)], "B", "building_id", storey_heights=[storeys])
    assert building_floor_area(building).tolist() == [plain]  # storeys from the list
    assert counted_floor_area(building).tolist() == [counted]
    assert industrial_floor_area_ratio(two_parcels, building).tolist() == [
        counted / 10_000,
        0.0,
    ]


def test_storey_height_rule_for_height_only_buildings(frame, two_parcels):
    # 24 m and no floors: round(24 / 3.5) = 7 storeys of 3.43 m; with 6 m storeys: 4;
    # with 12 m storeys: 2 storeys of 12 m, both counted twice
    tower = frame([box(0, 0, 10, 10)], "B", "building_id", height_m=[24.0])
    assert gross_floor_area(two_parcels, tower).tolist() == [700.0, 0.0]
    assert gross_floor_area(two_parcels, tower, storey_height_m=6.0).tolist() == [400.0, 0.0]
    assert floor_area_ratio(two_parcels, tower, storey_height_m=6.0).tolist() == [0.04, 0.0]
    assert industrial_floor_area_ratio(two_parcels, tower).tolist() == [0.07, 0.0]
    assert industrial_floor_area_ratio(two_parcels, tower, storey_height_m=12.0).tolist() == [
        0.04,
        0.0,
    ]


def test_unknown_storey_heights_count_once_and_declared_area_spreads(frame, two_parcels):
    buildings = frame(
        [box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10)],
        "B",
        "building_id",
        floors=[3.0, 2.0, np.nan],
        height_m=[np.nan, 20.0, np.nan],
        gfa_m2=[np.nan, 5000.0, 900.0],
    )
    # floors only: 300; declared 5000 over 2 storeys of 10 m: 10000; declared alone: 900
    assert counted_floor_area(buildings).tolist() == [300.0, 10_000.0, 900.0]
    assert industrial_floor_area_ratio(two_parcels, buildings).tolist() == [1.12, 0.0]


def test_tall_storey_threshold_is_a_parameter(frame, two_parcels):
    hall = frame([box(0, 0, 10, 10)], "B", "building_id", floors=[1], height_m=[7.0])
    assert counted_floor_area(hall).tolist() == [100.0]
    assert counted_floor_area(hall, tall_storey_m=6.0).tolist() == [200.0]


def test_bad_storey_heights_are_refused(frame, two_parcels):
    text = frame([box(0, 0, 10, 10)], "B", "building_id", storey_heights=["4.5;x"])
    with pytest.raises(la.SchemaError, match=r"'B0'.*'4.5;9;4.5'"):
        counted_floor_area(text)
    negative = frame([box(0, 0, 10, 10)], "B", "building_id", storey_heights=[[4.0, -1.0]])
    with pytest.raises(la.SchemaError, match="positive height"):
        building_floor_area(negative)
    clash = frame([box(0, 0, 10, 10)], "B", "building_id", floors=[3], storey_heights=["4;4"])
    with pytest.raises(la.SchemaError, match="floors differs"):
        industrial_floor_area_ratio(two_parcels, clash)
    with pytest.raises(la.SchemaError, match="storey_height_m"):
        gross_floor_area(two_parcels, text.drop(columns="storey_heights"), storey_height_m=0)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    floors=st.lists(st.integers(1, 12), min_size=1, max_size=4),
    storey=st.floats(2.5, 16.0),
)
def test_industrial_far_is_between_far_and_twice_far(frame, two_parcels, floors, storey):
    n = len(floors)
    buildings = frame(
        [box(10 * i, 0, 10 * i + 8, 8) for i in range(n)],
        "B",
        "building_id",
        floors=floors,
        height_m=[f * storey for f in floors],
    )
    plain = floor_area_ratio(two_parcels, buildings).to_numpy()
    counted = industrial_floor_area_ratio(two_parcels, buildings).to_numpy()
    expected = plain * (2.0 if storey > 8.0 else 1.0)
    np.testing.assert_allclose(counted, expected, rtol=1e-12)
