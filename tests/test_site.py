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
    with pytest.raises(la.LandassetValueError, match="not layer kinds"):
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


# -- summary with lifecycle stages: retired parcels are not counted twice ------------------


@pytest.fixture
def split_site(square_parcels, tmp_path):
    """The three 15-mu squares in a GeoPackage whose ledger split A-01 into 40 % and 60 %."""
    from landasset.lifecycle import Ledger

    path = Site(parcels=square_parcels).to_file(tmp_path / "split.gpkg")
    x0, y0 = 514_000.0, 3_350_000.0
    with Ledger.open(path) as ledger:
        ledger.record("A-01", "planned", "2023-01-01", actor="规划科")
        ledger.record("A-02", "planned", "2023-01-01", actor="规划科")
        ledger.split(
            "A-01",
            {
                "A-01-1": box(x0, y0, x0 + 40, y0 + 100),
                "A-01-2": box(x0 + 40, y0, x0 + 100, y0 + 100),
            },
            "2024-06-01",
            actor="规划科",
        )
    return path


def test_summary_with_a_ledger_leaves_out_split_parents(split_site):
    from landasset import RetiredParcelsWarning
    from landasset.lifecycle import Ledger

    site = la.read_site(split_site)
    assert sorted(site.parcels.index) == ["A-01", "A-01-1", "A-01-2", "A-02", "A-03"]
    # without stages the parent's ground is counted twice: 3 × 15 mu + the parent's 15 mu
    assert site.summary().loc["parcels", "area_mu"] == pytest.approx(60.0)
    with Ledger.open(split_site) as ledger:
        with pytest.warns(RetiredParcelsWarning, match=r"1 retired parcel\(s\).*'A-01'"):
            table = site.summary(stages=ledger)
        # before the split nothing is retired: no warning, the layer as it is
        before = site.summary(stages=ledger, as_of="2024-05-31")
    # 10 000 m² per square, 1 mu = 10 000 / 15 m²: the district stays 45 mu
    assert table.loc["parcels", "area_mu"] == pytest.approx(45.0)
    assert table.loc["parcels", "rows"] == 4
    assert table.attrs["retired"] == ["A-01"]
    assert before.attrs["retired"] == []
    assert before.loc["parcels", "rows"] == 5


def test_summary_reads_a_series_of_stages_and_checks_its_values(square_parcels):
    from landasset import RetiredParcelsWarning

    site = Site(parcels=square_parcels)
    stages = pd.Series(["retired", "operating"], index=["A-02", "A-03"])
    with pytest.warns(RetiredParcelsWarning, match="'A-02'"):
        table = site.summary(stages=stages)
    assert table.loc["parcels", "area_mu"] == pytest.approx(30.0)
    with pytest.raises(SchemaError, match="'gone' is not a lifecycle stage"):
        site.summary(stages=pd.Series(["gone"], index=["A-01"]))
    with pytest.raises(la.LandassetTypeError, match="stages must be a Ledger"):
        site.summary(stages=["retired"])
