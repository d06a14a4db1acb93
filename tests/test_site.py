import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely import Point, Polygon, box

import landasset as la
from landasset import CRSError, SchemaError, Site
from landasset.schema import LAYER_KINDS, LAYERS

GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid


def geodesic_area_m2(gdf_4326):
    return np.array([abs(GEOD.geometry_area_perimeter(g)[0]) for g in gdf_4326.geometry])


def test_site_indexes_layers_and_fills_absent_ones(square_parcels):
    site = Site(parcels=square_parcels)
    assert site.crs.to_epsg() == 4549
    assert list(site.parcels.index) == ["A-01", "A-02", "A-03"]
    for kind in LAYER_KINDS:
        layer = site[kind]
        assert layer.index.name == LAYERS[kind].id_column
        assert layer.crs == site.crs
    assert len(site.stations) == 0
    assert "opening_date" in site.stations.columns


def test_geographic_and_web_mercator_input_reprojected_with_the_same_areas(square_parcels):
    reference = Site(parcels=square_parcels).parcels.area
    for epsg in (4326, 3857, 4490):
        site = Site(parcels=square_parcels.to_crs(epsg))
        assert site.crs.to_epsg() == 4549
        np.testing.assert_allclose(site.parcels.area, reference, rtol=1e-7)
        assert site.report.repairs[0].problem == f"reprojected from EPSG:{epsg} to EPSG:4549"


def test_web_mercator_would_inflate_areas_so_it_is_never_used(square_parcels):
    merc = square_parcels.to_crs(3857)
    inflated = merc.area.to_numpy() / square_parcels.area.to_numpy()
    # sec²(lat) on the sphere; the ellipsoid adds a further ~0.3 % at this latitude
    assert inflated.mean() == pytest.approx(1 / np.cos(np.radians(30.27)) ** 2, rel=5e-3)
    with pytest.raises(CRSError, match="not one"):
        Site(parcels=square_parcels, crs=3857)
    with pytest.raises(CRSError):
        Site(parcels=square_parcels, crs=4326)


def test_projected_metric_input_keeps_its_crs(square_parcels):
    utm = square_parcels.to_crs(32651)
    assert Site(parcels=utm).crs.to_epsg() == 32651
    other = Site(parcels=utm, crs="EPSG:4549")
    np.testing.assert_allclose(other.parcels.area, square_parcels.area, rtol=1e-6)


def test_layers_in_other_crs_are_brought_to_the_site_crs(square_parcels):
    stations = gpd.GeoDataFrame(
        {"station_id": ["S1"], "name": ["云栖站"], "opening_date": ["2027-12-28"]},
        geometry=[Point(120.16, 30.27)],
        crs=4326,
    )
    site = Site(parcels=square_parcels, stations=stations)
    assert site.stations.crs.to_epsg() == 4549
    assert site.stations.geometry.iloc[0].x == pytest.approx(515_400, abs=200)
    assert site.stations["opening_date"].iloc[0] == pd.Timestamp("2027-12-28")


def test_missing_crs_is_an_error(square_parcels):
    with pytest.raises(CRSError, match="set_crs"):
        Site(parcels=square_parcels.set_crs(None, allow_override=True))
    amen = gpd.GeoDataFrame({"amenity_id": ["a"], "category": ["cafe"]}, geometry=[Point(0, 0)])
    with pytest.raises(CRSError, match="amenities"):
        Site(parcels=square_parcels, amenities=amen)


def test_validation_errors_raise_with_the_whole_report(square_parcels):
    bad = square_parcels.copy()
    bad.loc[1, "parcel_id"] = "A-01"
    bad.loc[2, "geometry"] = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    with pytest.raises(SchemaError) as info:
        Site(parcels=bad)
    problems = {p.problem.split(":")[0] for p in info.value.report.errors}
    assert problems == {"duplicate id", "invalid geometry"}


def test_fix_repairs_and_reports(square_parcels):
    bad = square_parcels.copy()
    bad.loc[2, "geometry"] = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    site = Site(parcels=bad, fix=True)
    assert site.parcels.geometry.is_valid.all()
    assert [p.severity for p in site.report.repairs] == ["repaired"]


def test_no_layers_needs_an_explicit_crs():
    with pytest.raises(CRSError, match="crs="):
        Site()
    assert Site(crs="EPSG:4549").crs.to_epsg() == 4549


def test_not_a_geodataframe():
    with pytest.raises(SchemaError, match="not a GeoDataFrame"):
        Site(parcels=pd.DataFrame({"parcel_id": ["a"]}))


def test_replace_and_getitem(square_parcels):
    site = Site(parcels=square_parcels)
    smaller = site.replace(parcels=site.parcels.iloc[:1])
    assert list(smaller.parcels.index) == ["A-01"]
    with pytest.raises(KeyError, match="'parcels'"):
        site["parcel"]
    with pytest.raises(SchemaError):
        site.replace(parcel=site.parcels)


def test_summary_counts_mu_and_gfa(square_parcels):
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["b1", "b2", "b3"],
            "floors": [4, None, None],
            "height_m": [None, 14.0, None],
            "gfa_m2": [None, None, 999.0],
        },
        # three 20 m × 20 m footprints side by side (overlapping ones would count once)
        geometry=[box(514_010 + 30 * i, 3_350_010, 514_030 + 30 * i, 3_350_030) for i in range(3)],
        crs=4549,
    )
    table = Site(parcels=square_parcels, buildings=buildings).summary()
    assert table.loc["parcels", "rows"] == 3
    assert table.loc["parcels", "area_mu"] == pytest.approx(45.0)
    # 400 m² × 4 floors + 400 m² × round(14 / 3.5) + 999 m²
    assert table.loc["buildings", "gfa_m2"] == pytest.approx(1600 + 1600 + 999)
    assert table.loc["parcels", "geometry_types"] == "Polygon"
    assert table.loc["parcels", "minx"] == pytest.approx(514_000)


def test_validate_false_skips_checks_but_indexes(square_parcels):
    site = Site(parcels=square_parcels.to_crs(4326), validate=False)
    assert site.parcels.index.name == "parcel_id"
    assert len(site.report.errors) == 0


def test_repr_html_is_self_contained(square_parcels):
    html = Site(parcels=square_parcels)._repr_html_()
    assert "parcels" in html and "45.0" in html
    assert "http" not in html and "//" not in html.replace("</", "")


# -- the sample district --------------------------------------------------------------


def test_sample_parcel_areas_equal_geodesic_areas(sample_site):
    parcels = sample_site.parcels
    geodesic = geodesic_area_m2(parcels.to_crs(4490))
    np.testing.assert_allclose(parcels.area.to_numpy(), geodesic, rtol=1e-3)


@pytest.mark.parametrize("epsg", [3857, 4326])
def test_sample_parcels_from_other_crs_get_the_same_areas(sample_site, epsg):
    parcels = sample_site.parcels
    site = Site(parcels=parcels.to_crs(epsg))
    assert site.crs.to_epsg() == 4549
    np.testing.assert_allclose(site.parcels.area, parcels.area, rtol=1e-6)


def test_sample_round_trips_through_a_geopackage(sample_site, tmp_path):
    path = sample_site.to_file(tmp_path / "yunqi.gpkg")
    again = la.read_site(path)
    for kind in LAYER_KINDS:
        assert len(again[kind]) == len(sample_site[kind]), kind
    assert again.parcels.geom_equals_exact(sample_site.parcels.geometry, tolerance=1e-6).all()
