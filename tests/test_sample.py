"""The bundled Yunqi sample district and the synthetic city generator."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

import landasset as la
from landasset import sample
from landasset._buildings import building_floor_area
from landasset.landuse import land_use_family
from landasset.schema import LAYER_KINDS
from landasset.units import MU_M2

FOUR_INDUSTRIES = {
    "aerospace_information",
    "artificial_intelligence",
    "smart_manufacturing",
    "life_health",
}
CENTRE_PARCELS = ["XH120205-01", "XH120205-02"]
COMMERCIAL_AEROSPACE = ["XH120101-08", "XH120101-09"]


@pytest.fixture(scope="module")
def fresh() -> dict[str, gpd.GeoDataFrame]:
    return sample.build_yunqi()


# -- the story -----------------------------------------------------------------------


def test_layer_sizes(sample_site: la.Site) -> None:
    assert len(sample_site.parcels) >= 300
    # nine blocks of the north-east and west are the 云栖 reserve (no buildings): 983
    assert len(sample_site.buildings) >= 950
    assert len(sample_site.amenities) >= 500
    assert len(sample_site.enterprises) >= 230
    assert len(sample_site.stations) in range(5, 8)
    assert len(sample_site.streets) >= 150


def test_crs_and_centre(sample_site: la.Site) -> None:
    assert sample_site.crs.to_epsg() == 4549
    minx, miny, maxx, maxy = sample_site.parcels.total_bounds
    to_lonlat = Transformer.from_crs("EPSG:4549", "EPSG:4326", always_xy=True)
    lon, lat = to_lonlat.transform((minx + maxx) / 2, (miny + maxy) / 2)
    assert abs(lon - 120.08) < 0.05
    assert abs(lat - 30.13) < 0.05
    # a district a few kilometres across, not a continent
    assert 2_000 < maxx - minx < 6_000
    assert 2_000 < maxy - miny < 6_000


def test_every_layer_has_unique_string_ids_and_valid_geometry(sample_site: la.Site) -> None:
    for kind in LAYER_KINDS:
        gdf = sample_site[kind]
        assert len(gdf) > 0, kind
        assert gdf.index.is_unique, kind
        assert all(isinstance(i, str) for i in gdf.index), kind
        geoms = gdf.geometry.to_numpy()
        assert not shapely.is_missing(geoms).any(), kind
        assert not shapely.is_empty(geoms).any(), kind
        assert shapely.is_valid(geoms).all(), kind
    assert sample_site.report.ok
    assert not sample_site.report.warnings


def test_land_use_mixes_both_code_styles(sample_site: la.Site) -> None:
    codes = set(sample_site.parcels["land_use"])
    assert {"M0", "M1", "100101", "B2", "0902", "R2", "G1", "14"} <= codes
    assert any(c.startswith("S") for c in codes)
    families = set(land_use_family(sample_site.parcels["land_use"]))
    assert "unknown" not in families
    assert {"industrial", "commercial", "residential", "green", "public", "transport"} <= families
    industrial = land_use_family(sample_site.parcels["land_use"]) == "industrial"
    conditions = ["far_min", "far_max", "height_max_m", "coverage_min", "green_max"]
    assert sample_site.parcels.loc[industrial.to_numpy(), conditions].notna().all().all()


def test_zones(sample_site: la.Site) -> None:
    zones = set(sample_site.parcels["zone"])
    assert zones == {"云谷", "云栖", "双浦", "老园区", "转塘", "铜鉴湖"}


RESERVE_STAGES = ["planned", "acquiring", "reserved", "supply_ready"]


def test_yunqi_plans_over_3000_mu_of_industrial_land_mostly_in_reserve(
    sample_site: la.Site,
) -> None:
    # the seed: more than 3,000 mu of industrial land planned in the 云栖 area, most of
    # it in the reserve stages
    p = sample_site.parcels
    industrial = (land_use_family(p["land_use"]) == "industrial").to_numpy()
    yunqi = p[industrial & (p["zone"] == "云栖").to_numpy()]
    mu = yunqi.geometry.area / MU_M2
    assert mu.sum() > 3_000
    in_reserve = mu[yunqi["stage"].isin(RESERVE_STAGES)].sum()
    assert in_reserve > mu.sum() / 2
    assert set(yunqi["stage"]) >= set(RESERVE_STAGES)
    # the reserve is vacant: no buildings, no tenants, no supply yet
    reserve = p.index[p["stage"].isin(RESERVE_STAGES)]
    assert not sample_site.buildings["parcel_id"].isin(reserve).any()
    assert not sample_site.enterprises["parcel_id"].isin(reserve).any()
    assert p.loc[reserve, "supply_date"].isna().all()


def test_aerospace_center(sample_site: la.Site) -> None:
    parcels, buildings = sample_site.parcels, sample_site.buildings
    centre = buildings[buildings["parcel_id"].isin(CENTRE_PARCELS)]
    assert len(centre) == 7
    gfa = building_floor_area(centre).sum()
    assert gfa == pytest.approx(200_000, rel=0.05)
    assert (centre["completed_year"] == 2025).all()
    # the footprints lie on the campus parcels
    campus = parcels.loc[CENTRE_PARCELS].geometry.union_all()
    assert shapely.contains(campus, centre.geometry.to_numpy()).all()
    story = parcels.loc[CENTRE_PARCELS]
    assert (story["zone"] == "云栖").all()
    assert (story["stage"] == "operating").all()
    assert (story["supply_mode"] == "listing").all()
    assert (story["supply_date"].dt.strftime("%Y-%m") == "2022-12").all()
    assert (story["start_date"] == pd.Timestamp("2023-05-18")).all()
    assert (story["filing_date"].dt.strftime("%Y-%m") == "2025-10").all()
    within_window = story["filing_date"] - story["acceptance_date"] <= pd.Timedelta(days=15)
    assert within_window.all()
    tenants = sample_site.enterprises[sample_site.enterprises["parcel_id"].isin(CENTRE_PARCELS)]
    assert (tenants["industry"] == "aerospace_information").mean() > 0.5
    assert len(tenants) == 130
    # the tenants work in the campus's offices, labs and halls, not in the dormitory
    on_campus = sample_site.buildings.loc[tenants["building_id"]]
    assert not on_campus["use"].eq("dormitory").any()


def test_some_200_aerospace_firms_around_the_center(sample_site: la.Site) -> None:
    ent = sample_site.enterprises
    aero = ent[ent["industry"] == "aerospace_information"]
    assert 180 <= len(aero) <= 220
    assert set(aero["industry_code"]) == {"37", "39", "65"}
    # in the center's buildings or in the parks within 1 km of its campus
    campus = sample_site.parcels.loc[CENTRE_PARCELS].geometry.union_all()
    near = aero.distance(campus) <= 1_000
    assert near.mean() > 0.8
    assert aero["parcel_id"].isin(CENTRE_PARCELS).sum() > 100


def test_the_aerospace_center_history_is_legal_and_ends_operating(sample_site: la.Site) -> None:
    from landasset.lifecycle import Ledger, sample_events

    events = sample_events(sample_site)
    centre = events[events["parcel_id"].isin(CENTRE_PARCELS)]
    for _, history in centre.groupby("parcel_id"):
        assert list(history["stage"]) == [
            "reserved", "supply_ready", "supplied", "permitted",
            "under_construction", "completed", "operating",
        ]  # fmt: skip
        supplied = history.set_index("stage").loc["supplied"]
        assert supplied["mode"] == "listing" and supplied["on"] == pd.Timestamp("2022-12-26")
        completed = history.set_index("stage").loc["completed"]
        assert (completed["accepted_on"], completed["filed_on"]) == ("2025-09-26", "2025-10-10")
        operating = history.set_index("stage").loc["operating"]["on"]
        assert pd.Timestamp("2025-10-10") < operating <= sample.YUNQI_AS_OF
    with Ledger.open(":memory:") as ledger:
        ledger.record_many(centre)  # every move legal under the transition table
        assert set(ledger.stages(as_of=sample.YUNQI_AS_OF)) == {"operating"}


def test_commercial_aerospace_plots(sample_site: la.Site) -> None:
    parcels = sample_site.parcels
    plots = parcels.loc[COMMERCIAL_AEROSPACE]
    assert (land_use_family(plots["land_use"]) == "industrial").all()
    assert list(plots["land_use"]) == ["M0", "100101"]
    assert (plots["zone"] == "双浦").all()
    assert (plots["stage"] == "supply_ready").all()
    assert plots["supply_date"].isna().all()
    np.testing.assert_allclose(plots.geometry.area / MU_M2, 21.5, atol=0.1)
    # vacant: no buildings, no tenants
    assert not sample_site.buildings["parcel_id"].isin(COMMERCIAL_AEROSPACE).any()
    assert not sample_site.enterprises["parcel_id"].isin(COMMERCIAL_AEROSPACE).any()
    # the planning conditions (规划条件) are recorded when they enter supply_ready
    from landasset.lifecycle import Ledger, sample_events

    events = sample_events(sample_site)
    with Ledger.open(":memory:") as ledger:
        ledger.record_many(events[events["parcel_id"].isin(COMMERCIAL_AEROSPACE)])
        assert set(ledger.stages(as_of=sample.YUNQI_AS_OF)) == {"supply_ready"}
        history = ledger.history("XH120101-08")
    ready = history[history["stage"] == "supply_ready"].iloc[0]
    conditions = ["land_use", "far_min", "far_max", "height_max_m", "coverage_min", "green_max"]
    assert list(ready[conditions]) == ["M0", 2.0, 3.0, 80.0, 0.3, 0.15]
    # beside the planned station
    planned = sample_site.stations.loc["ST06"].geometry
    assert plots.distance(planned).max() < 300


def test_one_planned_station(sample_site: la.Site) -> None:
    stations = sample_site.stations
    assert stations["opening_date"].notna().all()
    planned = stations[stations["opening_date"] > sample.YUNQI_AS_OF]
    assert list(planned.index) == ["ST06"]
    assert planned["opening_date"].iloc[0] == pd.Timestamp("2027-12-28")
    lines = sample_site.transit_lines
    assert set(lines["mode"]) == {"metro"}
    assert lines.loc[planned["line_id"].iloc[0], "opening_date"] == pd.Timestamp("2027-12-28")
    # every station sits on its line and outside every parcel
    for sid, station in stations.iterrows():
        assert lines.loc[station["line_id"]].geometry.distance(station.geometry) < 15, sid
    assert not sample_site.parcels.intersects(stations.geometry.union_all()).any()


def test_golden_axes(sample_site: la.Site) -> None:
    golden = sample_site.axes[sample_site.axes["kind"] == "golden_axis"]
    assert set(golden["name"]) == {"荆大路", "山景路"}
    assert len(sample_site.axes) > len(golden)
    # each golden axis runs along its street
    streets = sample_site.streets
    for name in ("荆大路", "山景路"):
        axis = golden[golden["name"] == name].geometry.iloc[0]
        along = streets[streets["name"] == name].geometry.union_all()
        assert axis.hausdorff_distance(axis.intersection(along.buffer(1))) < 1


@pytest.mark.parametrize(
    ("kind", "hard"),
    [("ecological_redline", True), ("lake_park", False), ("flood_zone", False)],
)
def test_constraints_cut_into_parcels(sample_site: la.Site, kind: str, hard: bool) -> None:
    constraints = sample_site.constraints
    areas = constraints[constraints["kind"] == kind]
    assert len(areas) >= 1
    assert (areas["hard"] == hard).all()
    zone = areas.geometry.union_all()
    parcels = sample_site.parcels.geometry
    share = parcels.intersection(zone).area / parcels.area
    partly = (share > 0.01) & (share < 0.99)
    assert partly.sum() >= 3


def test_streets_are_split_and_walkable(sample_site: la.Site) -> None:
    streets = sample_site.streets
    assert set(streets.geometry.geom_type) == {"LineString"}
    not_walkable = streets[~streets["walkable"].astype(bool)]
    assert 1 <= len(not_walkable) <= 2
    # no street crosses another one except at their ends
    geoms = streets.geometry.to_numpy()
    crossing, _ = streets.sindex.query(geoms, predicate="crosses")
    assert len(crossing) == 0
    # every parcel fronts onto a street
    _, distance = streets.sindex.nearest(
        sample_site.parcels.geometry, return_distance=True, return_all=False
    )
    assert distance.max() <= 35


def test_buildings_and_enterprises_sit_where_they_say(sample_site: la.Site) -> None:
    parcels, buildings, enterprises = (
        sample_site.parcels,
        sample_site.buildings,
        sample_site.enterprises,
    )
    host = parcels.geometry.loc[buildings["parcel_id"]].to_numpy()
    assert shapely.contains(host, buildings.geometry.to_numpy()).all()
    assert (buildings[["floors", "height_m", "gfa_m2"]].notna().any(axis=1)).all()
    office = buildings.geometry.loc[enterprises["building_id"]].to_numpy()
    assert shapely.contains(office, enterprises.geometry.to_numpy()).all()
    same = buildings.loc[enterprises["building_id"], "parcel_id"].to_numpy()
    assert (same == enterprises["parcel_id"].to_numpy()).all()


def test_enterprises(sample_site: la.Site) -> None:
    ent = sample_site.enterprises
    assert set(ent["industry"]) == FOUR_INDUSTRIES | {"other"}
    assert ent["industry"].isin(FOUR_INDUSTRIES).sum() >= 230
    assert (ent["industry"] == "other").mean() < 0.2
    assert (ent["year"] == 2025).all()
    numbers = [
        "tax_10k_cny",
        "revenue_10k_cny",
        "value_added_10k_cny",
        "employees",
        "energy_tce",
        "emissions_t",
        "rnd_10k_cny",
    ]
    assert (ent[numbers] > 0).all().all()
    assert (ent["value_added_10k_cny"] < ent["revenue_10k_cny"]).all()
    for flag in ("high_tech", "zjtx", "leading_industry"):
        assert ent[flag].dtype == "boolean"
        assert ent[flag].any() and not ent[flag].all()
    assert ent["industry_code"].str.fullmatch(r"\d\d").all()
    assert set(ent.loc[ent["industry"] == "life_health", "industry_code"]) <= {"27", "35", "73"}
    with_land = ent[ent["land_mu"].notna()]
    assert 5 <= len(with_land) <= 60
    # land_mu is the whole parcel of a single-tenant plant
    assert not with_land["parcel_id"].duplicated().any()
    assert ent["parcel_id"].isin(with_land["parcel_id"]).sum() == len(with_land)
    area_mu = sample_site.parcels.area.loc[with_land["parcel_id"]].to_numpy() / MU_M2
    np.testing.assert_allclose(with_land["land_mu"], area_mu, atol=0.01)


def test_old_park_is_due_for_renewal(sample_site: la.Site) -> None:
    parcels, ent = sample_site.parcels, sample_site.enterprises
    zone = parcels["zone"].loc[ent["parcel_id"]].to_numpy()
    area_mu = parcels.area / MU_M2

    def tax_per_mu(name: str) -> float:
        hosts = parcels.index[parcels["zone"] == name].intersection(ent["parcel_id"])
        return float(ent.loc[zone == name, "tax_10k_cny"].sum() / area_mu.loc[hosts].sum())

    assert tax_per_mu("老园区") < tax_per_mu("云谷") / 5
    energy = ent.groupby(zone)[["value_added_10k_cny", "energy_tce"]].sum()
    per_tce = energy["value_added_10k_cny"] / energy["energy_tce"]
    assert per_tce["老园区"] < per_tce["云谷"] / 3
    old = parcels[parcels["zone"] == "老园区"]
    assert set(old["stage"]) == {"operating", "renewal"}
    gfa = (
        building_floor_area(sample_site.buildings).groupby(sample_site.buildings["parcel_id"]).sum()
    )
    far = gfa.reindex(old.index) / old.area
    assert (far < old["far_min"]).mean() > 0.5  # mostly below the planned minimum
    old_buildings = sample_site.buildings[sample_site.buildings["parcel_id"].isin(old.index)]
    assert old_buildings["completed_year"].max() < 2010


def test_amenity_categories(sample_site: la.Site) -> None:
    counts = sample_site.amenities["category"].value_counts()
    assert set(counts.index) == {
        "cafe",
        "convenience_store",
        "gym",
        "canteen",
        "park_entrance",
        "talent_service_center",
    }
    assert counts["talent_service_center"] >= 2
    assert sample_site.amenities["name"].notna().all()


def test_lifecycle_dates_are_ordered(sample_site: la.Site) -> None:
    p = sample_site.parcels
    chain = ["supply_date", "agreed_start", "agreed_completion"]
    for earlier, later in itertools.pairwise(chain):
        both = p[earlier].notna() & p[later].notna()
        assert (p.loc[both, earlier] < p.loc[both, later]).all()
    built = p["acceptance_date"].notna()
    assert (p.loc[built, "start_date"] < p.loc[built, "acceptance_date"]).all()
    assert (p.loc[built, "acceptance_date"] < p.loc[built, "filing_date"]).all()
    assert (p[["supply_date", "start_date", "filing_date"]].max() <= sample.YUNQI_AS_OF).all()
    idle = p[p["stage"] == "supplied"]
    assert len(idle) >= 1
    assert (idle["agreed_start"] < sample.YUNQI_AS_OF - pd.Timedelta(days=365)).all()
    late = (p["filing_date"] - p["acceptance_date"]) > pd.Timedelta(days=15)
    assert late.sum() >= 1


# -- determinism and the stored file -------------------------------------------------


def test_build_is_deterministic(fresh: dict[str, gpd.GeoDataFrame]) -> None:
    again = sample.build_yunqi()
    assert list(again) == list(LAYER_KINDS)
    for kind in LAYER_KINDS:
        assert_geodataframe_equal(fresh[kind], again[kind])


def test_stored_gpkg_equals_a_fresh_build(fresh: dict[str, gpd.GeoDataFrame]) -> None:
    path = sample.sample_path("yunqi")
    stored = la.read_site(path)
    built = la.Site(**fresh)
    for kind in LAYER_KINDS:
        assert_geodataframe_equal(stored[kind], built[kind], check_like=False)
    assert path.stat().st_size < 3 * 1024 * 1024


def test_load_builds_in_memory_without_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_site: la.Site
) -> None:
    @contextmanager
    def nothing_packaged(name: str) -> Iterator[Path | None]:
        yield None

    monkeypatch.setattr(sample, "_packaged_file", nothing_packaged)
    monkeypatch.setattr(sample, "_REPO_SAMPLE_DIR", tmp_path)
    site = sample.load("yunqi")
    for kind in LAYER_KINDS:
        assert_geodataframe_equal(site[kind], sample_site[kind])
    with pytest.raises(la.LandassetIOError, match=r"build_yunqi\.py"):
        sample.sample_path("yunqi")


def test_available_and_unknown_names() -> None:
    assert sample.available() == ["yunqi"]
    with pytest.raises(la.LandassetIOError, match=r"'atlantis'.*'yunqi'"):
        sample.load("atlantis")
    with pytest.raises(la.LandassetIOError, match="use one of: 'yunqi'"):
        sample.sample_path("atlantis")


def test_build_script_writes_the_same_layers(
    tmp_path: Path, fresh: dict[str, gpd.GeoDataFrame]
) -> None:
    import runpy

    script = Path(__file__).resolve().parents[1] / "sample_data" / "build_yunqi.py"
    main = runpy.run_path(str(script))["main"]
    out = tmp_path / "y.gpkg"
    assert main(["--out", str(out)]) == 0
    site = la.read_site(out)
    for kind in LAYER_KINDS:
        assert_geodataframe_equal(site[kind], la.Site(**fresh)[kind])


# -- synthetic city ------------------------------------------------------------------


def _components(streets: gpd.GeoDataFrame) -> int:
    geoms = streets.geometry.to_numpy()
    ends = np.concatenate(
        [
            shapely.get_coordinates(shapely.get_point(geoms, 0)),
            shapely.get_coordinates(shapely.get_point(geoms, -1)),
        ]
    )
    _, node = np.unique(ends, axis=0, return_inverse=True)
    n = len(geoms)
    graph = coo_matrix((np.ones(n), (node[:n], node[n:])), shape=(node.max() + 1,) * 2)
    count, _ = connected_components(graph, directed=False)
    return int(count)


@pytest.fixture(scope="module")
def city() -> la.Site:
    return sample.synthetic_city(2000, seed=0)


def test_synthetic_city_parcels(city: la.Site) -> None:
    parcels = city.parcels
    assert len(parcels) == 2000
    assert parcels.index.is_unique
    assert parcels.index[0] == "P0000001" and parcels.index[-1] == "P0002000"
    assert shapely.is_valid(parcels.geometry.to_numpy()).all()
    assert not shapely.is_empty(parcels.geometry.to_numpy()).any()
    area_mu = parcels.area / MU_M2
    assert area_mu.min() > 4 and area_mu.max() < 70
    assert 10 < area_mu.median() < 35
    assert city.crs.to_epsg() == 4549
    overlapping, _ = parcels.sindex.query(parcels.geometry, predicate="overlaps")
    assert len(overlapping) == 0
    assert (land_use_family(parcels["land_use"]) != "unknown").all()
    assert city.report.ok


def test_synthetic_city_other_layers(city: la.Site) -> None:
    assert 0.12 * 2000 < len(city.streets) < 0.18 * 2000
    assert set(city.streets.geometry.geom_type) == {"LineString"}
    assert not city.streets["walkable"].all()
    assert len(city.amenities) == 1000
    assert city.amenities["category"].nunique() == 6
    assert len(city.enterprises) == 600
    assert set(city.enterprises["industry"]) == FOUR_INDUSTRIES | {"other"}
    assert city.enterprises["parcel_id"].isin(city.parcels.index).all()
    assert len(city.constraints) >= 3
    assert len(city.axes) >= 2
    assert (city.stations["opening_date"] > sample.YUNQI_AS_OF).any()
    assert (city.stations["opening_date"] <= sample.YUNQI_AS_OF).any()
    assert city.stations["line_id"].isin(city.transit_lines.index).all()
    # enterprises and amenities lie in parcels
    host = city.parcels.geometry.loc[city.enterprises["parcel_id"]].to_numpy()
    assert shapely.contains(host, city.enterprises.geometry.to_numpy()).all()


def test_synthetic_street_network_has_several_components(city: la.Site) -> None:
    assert _components(city.streets) >= 2


def test_synthetic_city_is_deterministic_per_seed(city: la.Site) -> None:
    again = sample.synthetic_city(2000, seed=0)
    other = sample.synthetic_city(2000, seed=1)
    for kind in LAYER_KINDS:
        assert_geodataframe_equal(city[kind], again[kind])
    assert not city.parcels.geometry.geom_equals(other.parcels.geometry).all()
    assert len(other.parcels) == 2000


@pytest.mark.parametrize("n", [1, 13, 2001])
def test_synthetic_city_exact_size(n: int) -> None:
    site = sample.synthetic_city(n, seed=3)
    assert len(site.parcels) == n
    assert shapely.is_valid(site.parcels.geometry.to_numpy()).all()


@pytest.mark.parametrize(("n", "seed"), [(55, 55), (116, 116)])
def test_a_tiny_city_with_one_street_crossing_still_has_two_stations_on_a_line(
    n: int, seed: int
) -> None:
    # these seeds leave a single crossing of degree 2 or more outside the islands
    site = sample.synthetic_city(n, seed=seed)
    assert len(site.stations) >= 2
    assert shapely.is_valid(site.transit_lines.geometry.to_numpy()).all()
    on_line = site.stations.groupby("line_id").size()
    assert (on_line.reindex(site.transit_lines.index) >= 2).all()


@pytest.mark.parametrize(
    ("bad", "error"),
    [(0, ValueError), (-5, ValueError), (2.5, TypeError), (True, TypeError), ("10", TypeError)],
)
def test_synthetic_city_rejects_bad_sizes(bad: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="n_parcels"):
        sample.synthetic_city(bad)  # type: ignore[arg-type]


# -- what ships ------------------------------------------------------------------------


def test_loading_the_stored_sample_runs_no_generator() -> None:
    import subprocess
    import sys

    code = (
        "import sys, landasset as la\n"
        "site = la.sample.load('yunqi')\n"
        "print(len(site.parcels), sorted(m for m in sys.modules if 'samplegen' in m))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "455 []"


def test_the_in_memory_fallback_uses_the_private_builder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from landasset._samplegen import yunqi

    calls = []
    original = yunqi.build_yunqi

    def counted() -> dict[str, gpd.GeoDataFrame]:
        calls.append(1)
        return {"parcels": original()["parcels"]}

    @contextmanager
    def nothing_packaged(name: str) -> Iterator[Path | None]:
        yield None

    monkeypatch.setattr(sample, "_packaged_file", nothing_packaged)
    monkeypatch.setattr(sample, "_REPO_SAMPLE_DIR", tmp_path)
    monkeypatch.setattr(yunqi, "build_yunqi", counted)
    site = sample.load("yunqi")
    assert calls == [1]
    assert len(site.parcels) == 455 and len(site.buildings) == 0


def test_public_generator_names_are_the_private_ones() -> None:
    from landasset._samplegen import synthetic, yunqi

    assert sample.build_yunqi is yunqi.build_yunqi
    assert sample.synthetic_city is synthetic.synthetic_city
    assert pd.Timestamp("2025-12-31") == sample.YUNQI_AS_OF
    assert sample.SAMPLE_CRS == "EPSG:4549"


# -- a synthetic city written tile by tile ----------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("written")
    sample.write_synthetic_city(folder, 2600, tile_parcels=1000, seed=3)
    return folder


def _read(folder: Path) -> gpd.GeoDataFrame:
    return gpd.read_parquet(folder)


def test_written_city_files_and_ids(written: Path) -> None:
    parts = sorted(p.name for p in (written / "parts").iterdir())
    assert parts == ["part.00000.parquet", "part.00001.parquet", "part.00002.parquet"]
    parcels = _read(written / "parts")
    assert len(parcels) == 2600
    assert list(parcels.index[[0, 999, 1000, 2599]]) == [
        "P0000001",
        "P0001000",
        "P0001001",
        "P0002600",
    ]
    assert shapely.is_valid(parcels.geometry.to_numpy()).all()
    for name in ["streets", "stations", "amenities", "enterprises", "axes", "constraints"]:
        frame = _read(written / "context" / name)
        assert frame.index.is_unique, name
        assert set(frame.index.str[:7]) == {"T00000.", "T00001.", "T00002."}, name
    # amenities and enterprises as synthetic_city draws them, tile by tile
    assert len(_read(written / "context" / "amenities")) == 500 + 500 + 300
    enterprises = _read(written / "context" / "enterprises")
    assert len(enterprises) == 300 + 300 + 180
    assert enterprises["parcel_id"].isin(parcels.index).all()
    # an enterprise lies in the parcel it names, on every tile
    inside = shapely.contains(
        parcels.geometry.loc[enterprises["parcel_id"]].to_numpy(), enterprises.geometry.to_numpy()
    )
    assert inside.all()
    stations = _read(written / "context" / "stations")
    assert stations["line_id"].isin(_read(written / "context" / "transit_lines").index).all()


def test_written_city_tiles_are_apart(written: Path) -> None:
    parcels = _read(written / "parts")
    tile = (np.arange(len(parcels)) // 1000).astype(int)
    boxes = [shapely.box(*parcels[tile == k].total_bounds) for k in range(3)]
    for a, b in itertools.combinations(boxes, 2):
        assert shapely.distance(a, b) > 1000  # each tile's streets stay its own
    streets = _read(written / "context" / "streets")
    assert _components(streets) >= 3


def test_a_tile_built_alone_equals_the_same_tile_written(written: Path) -> None:
    from landasset._samplegen.synthetic import CONTEXT_LAYERS, _tile_layers

    for tile in (2, 0):
        alone = _tile_layers(2600, tile, tile_parcels=1000, seed=3)
        name = f"part.{tile:05d}.parquet"
        for layer in ("parcels", *CONTEXT_LAYERS):
            path = written / ("parts" if layer == "parcels" else f"context/{layer}") / name
            assert_geodataframe_equal(
                gpd.read_parquet(path), alone[layer], check_dtype=False, check_index_type=False
            )


def test_two_writes_with_the_same_seed_give_the_same_bytes(written: Path, tmp_path: Path) -> None:
    sample.write_synthetic_city(tmp_path / "again", 2600, tile_parcels=1000, seed=3)
    sample.write_synthetic_city(tmp_path / "other", 2600, tile_parcels=1000, seed=4)
    files = sorted(p.relative_to(written) for p in written.rglob("*.parquet"))
    assert len(files) == 3 * 8
    for f in files:
        assert (written / f).read_bytes() == (tmp_path / "again" / f).read_bytes(), f
    assert (written / files[0]).read_bytes() != (tmp_path / "other" / files[0]).read_bytes()


def test_written_partitions_are_geoparquet_1_1_with_a_bbox_covering(written: Path) -> None:
    import json

    import pyarrow.parquet as pq

    meta = json.loads(pq.read_schema(written / "parts" / "part.00001.parquet").metadata[b"geo"])
    assert meta["version"] == "1.1.0"
    assert meta["columns"]["geometry"]["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    first = _read(written / "parts" / "part.00001.parquet")
    assert meta["columns"]["geometry"]["bbox"] == pytest.approx(list(first.total_bounds))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n_parcels": 0}, ValueError),
        ({"n_parcels": 10.0}, TypeError),
        ({"n_parcels": 10, "tile_parcels": 0}, ValueError),
        ({"n_parcels": 10, "tile_parcels": True}, TypeError),
    ],
)
def test_write_synthetic_city_refuses_bad_sizes(
    tmp_path: Path, kwargs: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error, match="must be"):
        sample.write_synthetic_city(tmp_path, **kwargs)  # type: ignore[arg-type]
    assert not any(tmp_path.iterdir())


def test_a_city_of_one_tile_holds_fewer_parcels_than_a_tile(tmp_path: Path) -> None:
    files = sample.write_synthetic_city(tmp_path, 7, seed=1)
    assert [f.name for f in files] == ["part.00000.parquet"]
    assert list(gpd.read_parquet(files[0]).index) == [f"P000000{i}" for i in range(1, 8)]
