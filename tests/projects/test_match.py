"""la.match on hand-built sites: the best candidate of each kind, one failed condition
named exactly, what is offered at all, ranking, row order, the result's faces."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import box

import landasset as la
from landasset.fiscal import FiscalPolicy, appraise, appraise_spaces
from landasset.projects import CONDITIONS, MatchResult, match

X0, Y0 = 514_000.0, 3_350_000.0
MU = 2000 / 3  # m² per mu
AS_OF = "2025-12-31"

# a profile reading only parcel attributes: the score is the parcel's 'quality', and
# a parcel with redline > 0 is excluded
PROFILE = """
version: 1
name: handmade
criteria:
  - name: quality
    measure: {measure: attribute, column: quality}
    transform: {linear: {best: 1, worst: 0}}
    weight: 1
constraints:
  - {measure: {measure: attribute, column: redline}, op: "<=", value: 0}
"""


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("profile") / "handmade.yaml"
    path.write_text(PROFILE, encoding="utf-8")
    return str(path)


# -- the hand-built site -------------------------------------------------------------------
#
# Parcels (100 m deep, in a row with 50 m gaps unless adjacent), all in a reserve stage:
#   A  40 mu, quality 0.90                 — the best single parcel
#   B  40 mu, quality 0.50                 — passes too, lower score
#   C  20 mu, quality 0.80 ┐ adjacent:     — the best assembly (C+D = 40 mu)
#   D  20 mu, quality 0.80 ┘
#   E  40 mu, quality 0.99, supplied       — land supplied to another: never offered
#   F  30 mu, operating, holds buildings H1, H2 (floor space)
# Floor space (vacant unless said), demand 2,500–3,500 m²:
#   H1: U1 3,000 m² (the best unit), U2 1,000 m²
#   H2: V1 1,500 + V2 1,500 m² (a set of two), V3 3,000 m² let (never offered)


def _width(mu: float) -> float:
    return mu * MU / 100.0


PARCELS: dict[str, dict[str, Any]] = {
    "A": {"mu": 40, "quality": 0.90, "stage": "supply_ready", "gap": True},
    "B": {"mu": 40, "quality": 0.50, "stage": "supply_ready", "gap": True},
    "C": {"mu": 20, "quality": 0.80, "stage": "supply_ready", "gap": True},
    "D": {"mu": 20, "quality": 0.80, "stage": "supply_ready", "gap": False},
    "E": {"mu": 40, "quality": 0.99, "stage": "supplied", "gap": True},
    "F": {"mu": 30, "quality": 0.60, "stage": "operating", "gap": True},
}

UNITS: dict[str, dict[str, Any]] = {
    "U1": {"building_id": "H1", "area_m2": 3000.0},
    "U2": {"building_id": "H1", "area_m2": 1000.0},
    "V1": {"building_id": "H2", "area_m2": 1500.0},
    "V2": {"building_id": "H2", "area_m2": 1500.0},
    "V3": {"building_id": "H2", "area_m2": 3000.0, "status": "let"},
}


def make_site(
    parcels: dict[str, dict[str, Any]] | None = None,
    units: dict[str, dict[str, Any]] | None = None,
    *,
    order: list[int] | None = None,
    unit_order: list[int] | None = None,
) -> tuple[la.Site, pd.Series]:
    """The hand-built site and its stages; overrides are merged into the defaults."""
    rows, x = [], X0
    for pid, spec in PARCELS.items():
        spec = {**spec, **(parcels or {}).get(pid, {})}
        if spec["gap"]:
            x += 50.0
        width = _width(spec["mu"])
        rows.append(
            {
                "parcel_id": pid,
                "land_use": spec.get("land_use", "M1"),
                "zone": spec.get("zone", "Z"),
                "far_min": spec.get("far_min", 1.2),
                "far_max": spec.get("far_max", 2.5),
                "height_max_m": spec.get("height_max_m", 50.0),
                "quality": spec["quality"],
                "redline": spec.get("redline", 0.0),
                "stage": spec["stage"],
                "geometry": box(x, Y0, x + width, Y0 + 100.0),
            }
        )
        x += width
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4549")
    stages = pd.Series(frame["stage"].to_numpy(), index=frame["parcel_id"].to_numpy())
    frame = frame.drop(columns="stage")
    f_box = frame.loc[frame["parcel_id"] == "F", "geometry"].iloc[0]
    fx = f_box.bounds[0]
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["H1", "H2"],
            "parcel_id": ["F", "F"],
            "floors": [4, 4],
        },
        geometry=[
            box(fx + 10, Y0 + 10, fx + 60, Y0 + 60),
            box(fx + 100, Y0 + 10, fx + 150, Y0 + 60),
        ],
        crs="EPSG:4549",
    )
    unit_rows = []
    for sid, spec in UNITS.items():
        spec = {**spec, **(units or {}).get(sid, {})}
        footprint = buildings.loc[buildings["building_id"] == spec["building_id"], "geometry"]
        unit_rows.append(
            {
                "space_id": sid,
                "building_id": spec["building_id"],
                "area_m2": spec["area_m2"],
                "clear_height_m": spec.get("clear_height_m", 4.5),
                "floor_load_kn_m2": spec.get("floor_load_kn_m2", 6.0),
                "power_kva": spec.get("power_kva", 400.0),
                "rent_cny_m2_month": spec.get("rent_cny_m2_month", 60.0),
                "available_from": pd.Timestamp(spec.get("available_from", "2026-01-01")),
                "status": spec.get("status", "vacant"),
                "parcel_id": "F",
                "geometry": footprint.iloc[0],
            }
        )
    spaces = gpd.GeoDataFrame(unit_rows, geometry="geometry", crs="EPSG:4549")
    if order is not None:
        frame = frame.iloc[order]
    if unit_order is not None:
        spaces = spaces.iloc[unit_order]
    site = la.Site(parcels=frame, buildings=buildings, spaces=spaces)
    return site, stages


def land_project(profile: str, **fields: Any) -> la.Project:
    spec: dict[str, Any] = {
        "id": "plant",
        "industry": profile,
        "area_mu_min": 35.0,
        "area_mu_max": 45.0,
        "far_min": 1.0,
        "far_max": 2.5,
        "height_max_m": 40.0,
        "pollution_class": "M1",
        "budget_10k_cny_per_mu": 150.0,
        "wanted_by": "2026-09-30",
        "commitments": la.Commitments(tax_per_mu_10k_cny=50.0, production_year=2029),
    }
    spec.update(fields)
    return la.Project(**spec)


def space_project(profile: str, **fields: Any) -> la.Project:
    spec: dict[str, Any] = {
        "id": "office",
        "industry": profile,
        "floor_area_m2_min": 2500.0,
        "floor_area_m2_max": 3500.0,
        "clear_height_m": 4.0,
        "floor_load_kn_m2": 5.0,
        "power_kva": 300.0,
        "rent_max_cny_m2_month": 80.0,
        "wanted_by": "2026-03-31",
    }
    spec.update(fields)
    return la.Project(**spec)


PRICES = {"Z": 100.0, "ZX": 200.0}


def run(project: la.Project, site: la.Site, stages: pd.Series, **options: Any) -> MatchResult:
    options.setdefault("prices", PRICES)
    return match(project, site, as_of=AS_OF, stages=stages, **options)


# -- the best candidate of each kind -------------------------------------------------------


def test_best_land_candidates(profile: str) -> None:
    site, stages = make_site()
    result = run(land_project(profile), site, stages)
    table = result.candidates
    assert table.index[0] == "parcel:A"
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    best_assembly = table[table["kind"] == "assembly"].index[0]
    assert best_assembly == "assembly:C+D"
    assert table.loc["assembly:C+D", "parcel_ids"] == "C,D"
    assert table.loc["assembly:C+D", "area_mu"] == pytest.approx(40.0)
    assert table.loc["assembly:C+D", "score"] == pytest.approx(0.8)
    # passing first: A (0.9), C+D (0.8), B (0.5); then the near-misses (C, D alone: area)
    passing = table.index[table["passes"]].tolist()
    assert passing == ["parcel:A", "assembly:C+D", "parcel:B"]
    assert table.loc["parcel:C", "failed"].startswith("area: needs land 35–45 mu; has 20 mu")
    assert table.loc["parcel:A", "failed"] == ""
    # fit: 40 mu against the middle of 35–45
    assert table.loc["parcel:A", "fit"] == pytest.approx(1.0)
    assert table.loc["parcel:A", "waste_share"] == pytest.approx(0.0)


def test_best_space_candidate(profile: str) -> None:
    site, stages = make_site()
    result = run(space_project(profile), site, stages)
    table = result.candidates
    assert table["kind"].tolist() == ["spaces", "spaces"]
    # both buildings stand on F (same score); H1 offers U1 alone (3,000 m², fit 1.0),
    # H2 the two 1,500 m² units (V3 is let)
    assert table.index.tolist() == ["spaces:H1", "spaces:H2"]
    assert table.loc["spaces:H1", "space_ids"] == "U1"
    assert table.loc["spaces:H2", "space_ids"] == "V1,V2"
    assert table.loc["spaces:H2", "floor_area_m2"] == 3000.0
    assert table["score"].tolist() == pytest.approx([0.6, 0.6])
    assert table["passes"].all()
    assert table.loc["spaces:H1", "delivery_date"] == pd.Timestamp("2026-01-01")


def test_a_larger_unit_wins_when_it_fits_better(profile: str) -> None:
    site, stages = make_site(units={"U1": {"area_m2": 2600.0}})
    table = run(space_project(profile), site, stages).candidates
    # H2's 3,000 m² set fits the 3,000 m² middle better than U1's 2,600 m²
    assert table.index.tolist() == ["spaces:H2", "spaces:H1"]


# -- one condition failed, named exactly --------------------------------------------------

LAND_FAILURES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # condition: (overrides of parcel A, fields of the project)
    "available": ({"stage": "reserved"}, {}),  # 365 + 120 days: 2027-04-30
    "area": ({}, {"area_mu_min": 41.0}),
    "far": ({"far_min": 3.0, "far_max": 4.0}, {}),
    "height": ({"height_max_m": 24.0}, {}),
    "pollution_class": ({"land_use": "B1"}, {}),
    "budget": ({"zone": "ZX"}, {}),
    "eligible": ({"redline": 1.0}, {}),
}

SPACE_FAILURES: dict[str, dict[str, Any]] = {
    "available": {"available_from": "2026-06-01"},
    "area": {"area_m2": 2400.0},
    "clear_height": {"clear_height_m": 3.5},
    "floor_load": {"floor_load_kn_m2": 4.0},
    "power": {"power_kva": 200.0},
    "budget": {"rent_cny_m2_month": 90.0},
}


def test_every_condition_is_tested() -> None:
    assert set(LAND_FAILURES) | set(SPACE_FAILURES) == set(CONDITIONS)


@pytest.mark.parametrize("condition", list(LAND_FAILURES))
def test_a_parcel_failing_one_condition_names_it(profile: str, condition: str) -> None:
    parcel, fields = LAND_FAILURES[condition]
    site, stages = make_site({"A": parcel})
    if "stage" in parcel:
        stages["A"] = parcel["stage"]
    result = run(land_project(profile, **fields), site, stages, limit=None)
    row = result.candidates.loc["parcel:A"]
    assert not row["passes"] and row["n_failed"] == 1
    failed_flags = [name for name in CONDITIONS if not row[f"ok_{name}"]]
    assert failed_flags == [condition]
    assert row["failed"].startswith(f"{condition}: needs ")
    assert row["failed"].count(": needs ") == 1
    table = result.explain("parcel:A").conditions
    assert table.index[table["status"] == "fail"].tolist() == [condition]
    # B passes on every such site: only A was changed (or the project, for area 41+)
    if condition != "area":
        assert result.candidates.loc["parcel:B", "passes"]


@pytest.mark.parametrize("condition", list(SPACE_FAILURES))
def test_spaces_failing_one_condition_name_it(profile: str, condition: str) -> None:
    # H1 holds U1 only (U2 removed from the demand by its size); U1 fails one condition
    site, stages = make_site(units={"U1": SPACE_FAILURES[condition], "U2": {"status": "let"}})
    result = run(space_project(profile), site, stages, limit=None)
    row = result.candidates.loc["spaces:H1"]
    assert row["space_ids"] == "U1"
    assert [name for name in CONDITIONS if not row[f"ok_{name}"]] == [condition]
    assert row["failed"].startswith(f"{condition}: needs ")
    assert result.candidates.loc["spaces:H2", "passes"]
    assert result.candidates.index[0] == "spaces:H2"  # the passing one ranks first


def test_the_reason_says_what_is_needed_and_what_there_is(profile: str) -> None:
    site, stages = make_site({"A": {"height_max_m": 24.0}})
    row = run(land_project(profile), site, stages).candidates.loc["parcel:A"]
    assert row["failed"] == "height: needs up to 40 m; has height limit 24 m"
    site, stages = make_site(units={"U1": {"clear_height_m": 3.5}, "U2": {"status": "let"}})
    row = run(space_project(profile), site, stages).candidates.loc["spaces:H1"]
    assert row["failed"] == "clear_height: needs ≥ 4 m; has lowest unit 3.5 m"


def test_a_unit_meeting_the_conditions_is_taken_first(profile: str) -> None:
    # U1 is too low; U2 and V-units are fine: H1 must use U1 to reach 2,500 m², and
    # says so; a building with good units never takes a bad one
    site, stages = make_site(units={"U1": {"clear_height_m": 3.5}})
    row = run(space_project(profile), site, stages).candidates.loc["spaces:H1"]
    assert row["space_ids"] == "U1,U2" and not row["ok_clear_height"]


def test_not_stated_conditions_pass(profile: str) -> None:
    site, stages = make_site({"A": {"height_max_m": 24.0, "far_min": 3.0}})
    project = land_project(
        profile,
        height_max_m=None,
        far_min=None,
        far_max=None,
        budget_10k_cny_per_mu=None,
        clear_height_m=12.0,  # stated, but a plant builds its own: not applicable to land
    )
    result = run(project, site, stages)
    row = result.candidates.loc["parcel:A"]
    assert row["passes"]
    conditions = result.explain("parcel:A").conditions
    assert conditions.loc["height", "status"] == "not stated"
    assert conditions.loc["budget", "status"] == "not stated"
    assert conditions.loc["clear_height", "status"] == "not applicable"
    assert result.conditions.loc["height", "demand"] == "not stated"
    assert not result.conditions.loc["height", "stated"]


def test_total_budget(profile: str) -> None:
    # 40 mu at 100 万元/亩 = 4,000 万元 > 3,500: A and B fail, C+D too
    site, stages = make_site()
    result = run(land_project(profile, budget_10k_cny=3500.0), site, stages)
    assert not result.candidates.loc["parcel:A", "ok_budget"]
    assert "4,000 万元 for 40 mu" in result.candidates.loc["parcel:A", "failed"]


# -- what is offered ------------------------------------------------------------------------


def test_only_available_land_and_space_is_offered(profile: str) -> None:
    site, stages = make_site()
    land = run(land_project(profile), site, stages, limit=None)
    members = {p for ids in land.candidates["parcel_ids"] for p in ids.split(",")}
    assert "E" not in members and "F" not in members  # supplied, operating
    assert land.offered["parcels"] == 4
    stages["A"] = "retired"
    land = run(land_project(profile), site, stages, limit=None)
    assert not any("A" in ids.split(",") for ids in land.candidates["parcel_ids"])
    space = run(space_project(profile), site, stages, limit=None)
    units = {u for ids in space.candidates["space_ids"] for u in ids.split(",")}
    assert "V3" not in units  # let
    assert space.offered["units"] == 4


def test_land_without_stages_is_refused(profile: str) -> None:
    site, _ = make_site()
    with pytest.raises(la.LandassetValueError, match="give stages="):
        match(land_project(profile), site, as_of=AS_OF)
    # floor space needs no stages
    assert len(match(space_project(profile), site, as_of=AS_OF))


def test_bad_arguments(profile: str) -> None:
    site, stages = make_site()
    with pytest.raises(la.LandassetTypeError, match=r"landasset\.Project"):
        match("plant", site, as_of=AS_OF, stages=stages)  # type: ignore[arg-type]
    with pytest.raises(la.LandassetValueError, match="limit"):
        run(land_project(profile), site, stages, limit=0)
    with pytest.raises(la.LandassetValueError, match="as_of"):
        match(land_project(profile), site, as_of="2025-13-01", stages=stages)


def test_limit_bounds_the_rows_and_keeps_the_order(profile: str) -> None:
    site, stages = make_site()
    everything = run(land_project(profile), site, stages, limit=None)
    two = run(land_project(profile), site, stages, limit=2)
    assert two.candidates.index.tolist() == everything.candidates.index[:2].tolist()
    assert everything.offered["candidates"] == len(everything)


def test_no_profile_no_score(tmp_path: Path) -> None:
    site, stages = make_site()
    project = la.Project(id="p", area_mu_min=35, area_mu_max=45)
    table = match(project, site, as_of=AS_OF, stages=stages).candidates
    assert table["score"].isna().all()
    assert set(table.index[table["passes"]]) == {"parcel:A", "parcel:B", "assembly:C+D"}


def test_either_kind_ranks_land_and_space_together(profile: str) -> None:
    site, stages = make_site()
    project = land_project(profile, floor_area_m2_min=2500.0, floor_area_m2_max=3500.0)
    table = run(project, site, stages, limit=None).candidates
    assert {"parcel", "assembly", "spaces"} <= set(table["kind"])
    assert table.loc["spaces:H1", "passes"]  # land-only conditions do not apply


# -- delivery and appraisal ----------------------------------------------------------------


def test_delivery_and_appraisal_agree_with_their_functions(profile: str) -> None:
    site, stages = make_site()
    project = land_project(profile)
    result = run(project, site, stages, limit=None)
    row = result.candidates.loc["parcel:A"]
    # supply_ready: the typical 120 days from as_of
    assert row["delivery_date"] == pd.Timestamp("2026-04-30")
    direct = appraise(site.parcels.loc[["A"]], project, prices=PRICES, year0=2026)
    assert row["price_10k_cny_per_mu"] == 100.0 and row["price_source"] == "prices"
    assert row["land_revenue_10k_cny"] == pytest.approx(4000.0)
    assert row["npv_10k_cny"] == pytest.approx(direct.npv_10k_cny)
    assert row["payback_years"] == direct.payback_years
    space = run(space_project(profile), site, stages).candidates.loc["spaces:H1"]
    units = site.spaces.loc[["U1"]]
    assert space["npv_10k_cny"] == pytest.approx(appraise_spaces(units, project).npv_10k_cny)
    # 3,000 m² × 60 元 × 12 / 10,000
    assert space["rent_10k_cny_per_year"] == pytest.approx(216.0)


def test_fiscal_policy_is_passed_on(profile: str) -> None:
    site, stages = make_site()
    cheap = run(
        land_project(profile),
        site,
        stages,
        fiscal_policy=FiscalPolicy(acquisition_cost_10k_cny_per_mu=0.0),
    ).candidates.loc["parcel:A", "cost_10k_cny"]
    assert cheap == pytest.approx(30.0 * 40)


# -- explain and the faces -----------------------------------------------------------------


def test_explain(profile: str) -> None:
    site, stages = make_site()
    result = run(land_project(profile), site, stages)
    single = result.explain("parcel:A")
    assert single.passes and single.kind == "parcel"
    assert single.suitability.loc["quality", "contribution"] == pytest.approx(0.9)
    assembly = result.explain("assembly:C+D")
    assert assembly.suitability.loc["quality", "value"] == pytest.approx(0.8)
    assert assembly.appraisal["area_mu"] == pytest.approx(40.0)
    assert result.candidates.loc["parcel:A", "explanation"] == "quality 0.90"
    assert "passes" in repr(single)
    assert "<table" in single._repr_html_()
    with pytest.raises(la.LandassetKeyError, match="no candidate 'parcel:Z'"):
        result.explain("parcel:Z")


def test_reprs(profile: str) -> None:
    site, stages = make_site()
    result = run(land_project(profile), site, stages)
    assert repr(result).startswith("<MatchResult 'plant' on 2025-12-31:")
    page = result._repr_html_()
    assert "parcel:A" in page and "<table" in page


def test_to_file_writes_a_styled_shortlist(profile: str, tmp_path: Path) -> None:
    site, stages = make_site()
    result = run(land_project(profile), site, stages)
    path = result.to_file(tmp_path / "shortlist.gpkg")
    back = (
        la.read_layer(path, layer="shortlist") if False else gpd.read_file(path, layer="shortlist")
    )
    assert back["candidate_id"].tolist() == result.candidates.index.tolist()
    assert back["delivery_date"].astype(str).tolist()[0] == "2026-04-30"
    with sqlite3.connect(path) as con:
        (qml,) = con.execute(
            "SELECT styleQML FROM layer_styles WHERE f_table_name = 'shortlist'"
        ).fetchone()
    assert "候选编号" in qml and "是否满足全部条件" in qml


def test_empty_match(profile: str) -> None:
    site, stages = make_site()
    stages[:] = "operating"
    result = run(land_project(profile), site, stages)
    assert len(result) == 0 and list(result.candidates.columns)[:2] == ["kind", "parcel_ids"]
    assert "0 candidates" in repr(result)


# -- invariants -----------------------------------------------------------------------------


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(list(range(len(PARCELS)))),
    unit_order=st.permutations(list(range(len(UNITS)))),
)
def test_row_order_does_not_change_the_result(
    profile: str, order: list[int], unit_order: list[int]
) -> None:
    project = land_project(profile, floor_area_m2_min=2500.0, floor_area_m2_max=3500.0)
    site, stages = make_site()
    base = run(project, site, stages, limit=None).candidates
    site2, stages2 = make_site(order=order, unit_order=unit_order)
    other = run(project, site2, stages2.iloc[order], limit=None).candidates
    assert other.index.tolist() == base.index.tolist()
    columns = [c for c in base.columns if c != "geometry"]
    pd.testing.assert_frame_equal(pd.DataFrame(other[columns]), pd.DataFrame(base[columns]))
    assert np.allclose(other.geometry.area, base.geometry.area)


def test_sample_projects_give_shortlists() -> None:
    site = la.sample.load("yunqi")
    with la.Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
        for name in la.projects.list_projects():
            result = match(la.load_project(name), site, as_of=AS_OF, stages=ledger, limit=5)
            assert len(result) == 5 and result.candidates["passes"].iloc[0], name
            assert not math.isnan(result.candidates["npv_10k_cny"].iloc[0])


def test_to_file_by_extension(profile: str, tmp_path: Path) -> None:
    site, stages = make_site()
    result = run(land_project(profile), site, stages)
    shp = gpd.read_file(result.to_file(tmp_path / "shortlist.shp"))
    # the Shapefile's short field names (landasset.io.SHAPEFILE_NAMES)
    assert shp["cand_id"].tolist() == result.candidates.index.tolist()
    assert "npv_10k" in shp.columns and "ok_avail" in shp.columns
    parquet = gpd.read_parquet(result.to_file(tmp_path / "shortlist.parquet"))
    assert parquet["candidate_id"].tolist() == result.candidates.index.tolist()


def test_a_park_offers_units_of_several_buildings(profile: str) -> None:
    # 5,000–6,500 m²: H1 (4,000) and H2 (3,000, V3 let) fall short alone; the park on
    # parcel F offers U1 + V1 + V2 = 6,000 m² across both buildings
    site, stages = make_site()
    project = space_project(profile, floor_area_m2_min=5000.0, floor_area_m2_max=6500.0)
    result = run(project, site, stages)
    table = result.candidates
    assert table.index[0] == "spaces:park:F"
    best = table.loc["spaces:park:F"]
    assert best["passes"] and best["space_ids"] == "U1,V1,V2"
    assert best["building_id"] == "H1,H2" and best["floor_area_m2"] == 6000.0
    assert result.explain("spaces:park:F").conditions.loc["power", "offered"] == "1,200 kVA in all"
    assert not table.loc["spaces:H1", "ok_area"] and not table.loc["spaces:H2", "ok_area"]
    # a park whose best set lies in one building is that building's candidate, not twice
    plain = run(space_project(profile), site, stages).candidates
    assert not plain.index.str.startswith("spaces:park:").any()


def test_workers_do_not_change_the_match() -> None:
    # enough parcels for two partitions: the scores come from worker processes
    city = la.sample.synthetic_city(20_500, seed=5)
    stages = pd.Series("reserved", index=city.parcels.index)
    plant = la.load_project("aerospace_plant")
    with pytest.warns(la.measures.UnreachableWarning):
        one = match(plant, city, as_of="2030-01-01", stages=stages, limit=50, workers=1)
    with pytest.warns(la.measures.UnreachableWarning):
        two = match(plant, city, as_of="2030-01-01", stages=stages, limit=50, workers=2)
    assert len(one.candidates) == 50 and one.candidates["score"].notna().all()
    pd.testing.assert_frame_equal(one.candidates, two.candidates, check_exact=True)
