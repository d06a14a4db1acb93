"""A site from cadastral plots and footprints of Bubeneč, Prague, as momepy ships them.

407 plots and 144 buildings in Web Mercator (EPSG:3857), which inflates areas there
by 1/cos²(50.1°) ≈ 2.43: the site must reproject them to a local metric CRS. The
plots meet with digitising slivers (23 pairs, all under 0.03 m²) that the default
overlap tolerance of 1 m² rightly leaves out.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

import landasset as la
from landasset.schema import validate


@pytest.fixture(scope="module")
def site(bubenec):
    return la.Site(parcels=bubenec["parcels"], buildings=bubenec["buildings"])


def geodesic_areas(gdf):
    geod = Geod(ellps="WGS84")
    return np.array([abs(geod.geometry_area_perimeter(g)[0]) for g in gdf.to_crs(4326).geometry])


def test_site_from_web_mercator_gets_true_areas(bubenec, site):
    plots = bubenec["parcels"]
    assert plots.crs.to_epsg() == 3857 and len(plots) == 407
    assert site.crs.to_epsg() == 32633  # UTM 33N
    assert [p.problem for p in site.report.problems] == [
        "reprojected from EPSG:3857 to EPSG:32633"
    ] * 2  # parcels and buildings; nothing else to report on clean cadastral data
    geodesic = geodesic_areas(plots)
    mercator = plots.area.to_numpy() / geodesic
    assert mercator.min() > 2.42 and mercator.max() < 2.43
    assert site.parcels.area.to_numpy() == pytest.approx(geodesic, rel=1e-3)
    assert la.measures.area_m2(site.parcels).to_numpy() == pytest.approx(geodesic, rel=1e-3)


def test_sliver_overlaps_are_below_the_tolerance(site, oracle):
    parcels = site.parcels
    everything = oracle.overlaps(parcels.geometry, parcels.index, site.crs, 0.0)
    assert len(everything) == 23
    assert max(everything.values()) < 0.03
    assert oracle.reported(site.report, "parcels") == {}
    report = validate(parcels, "parcels", overlap_tolerance_m2=0.0)
    found = oracle.reported(report, "parcels")
    assert found.keys() == everything.keys()
    for pair, area in everything.items():
        assert found[pair] == pytest.approx(area, abs=oracle.tolerance(area))


def test_no_duplicate_plots_and_no_overlapping_buildings(site, oracle):
    problems = validate(site.parcels, "parcels", overlap_tolerance_m2=0.0).problems
    assert not [p for p in problems if p.problem.startswith("same geometry")]
    buildings = site.buildings
    assert oracle.overlaps(buildings.geometry, buildings.index, site.crs, 0.0) == {}
    assert validate(buildings, "buildings", overlap_tolerance_m2=0.0).problems == []


def test_coverage_on_cadastral_plots(site, oracle):
    cov = la.measures.building_coverage(site.parcels, site.buildings)
    assert bool(cov.between(0, 1).all())
    assert cov.to_numpy() == pytest.approx(oracle.coverage(site.parcels, site.buildings), abs=1e-9)
    assert int((cov > 0).sum()) == 174
    assert cov.max() == pytest.approx(0.9994, abs=1e-4)  # a plot built over entirely
    # one floor each: a plot's floor area is the footprints given to it whole
    far = la.measures.floor_area_ratio(site.parcels, site.buildings)
    assert far.max() < 1.01
    assert float(shapely.area(site.buildings.geometry.to_numpy()).sum()) == pytest.approx(
        la.measures.gross_floor_area(site.parcels, site.buildings, by="overlap").sum()
    )
