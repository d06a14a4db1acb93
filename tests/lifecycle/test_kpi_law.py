"""KPIs of the law on hand-made ledgers: both idle-land definitions (闲置土地处置办法 §2),
建而未投 with its grace period and tenants, land-use terms and the renewal notice
(暂行条例 §12, 城市房地产管理法 §22), permit extensions (建筑法 §9) and standard-land
contract compliance (浙江省土地管理条例 §35)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Point, box

import landasset as la
from landasset import LandassetValueError, SchemaError
from landasset.lifecycle import (
    COMPLIANCE_STATUSES,
    Ledger,
    Policy,
    contract_compliance,
    idle_land,
    late_against_contract,
    low_efficiency,
    terms_expiring,
)

X0, Y0 = 514_000.0, 3_350_000.0


def contract(start: str = "2021-01-01", **extra: Any) -> dict[str, Any]:
    return {
        "contract_id": f"C-{start}",
        "mode": "listing",
        "price_10k_cny": 1000,
        "agreed_start": start,
        "agreed_completion": "2024-01-01",
        **extra,
    }


def build(ledger: Ledger, pid: str, shares: list[tuple[str, float, float]]) -> None:
    """Supplied 2020-06-01, started 2021-01-01, then the progress events given."""
    ledger.record(pid, "supplied", "2020-06-01", actor="a", **contract())
    ledger.record(pid, "permitted", "2020-10-01", actor="a")
    ledger.record(pid, "under_construction", "2021-01-01", actor="a", started_on="2021-01-01")
    for day, dev, inv in shares:
        ledger.record(
            pid, "under_construction", day, actor="a", developed_share=dev, invested_share=inv
        )


# -- idle land: the second definition ------------------------------------------------------
@pytest.fixture
def works(ledger: Ledger) -> Ledger:
    # S1: 20 % developed, 30 % invested on 2021-06-01, nothing more a year later: stalled
    build(ledger, "S1", [("2021-06-01", 0.2, 0.3), ("2022-06-01", 0.2, 0.3)])
    # S2: 40 % developed but only 20 % invested (< 25 %), the last rise on 2022-03-01
    build(ledger, "S2", [("2021-06-01", 0.3, 0.1), ("2022-03-01", 0.4, 0.2)])
    # S3: 40 % and 30 %: neither threshold, never idle under §2
    build(ledger, "S3", [("2021-06-01", 0.4, 0.3)])
    # S4: started, no progress recorded: shares unknown, not judged
    build(ledger, "S4", [])
    # N1: supplied, never started (the first definition)
    ledger.record("N1", "supplied", "2020-06-01", actor="a", **contract())
    return ledger


def test_stalled_works_hand_computed(works: Ledger):
    table = idle_land(works, as_of="2022-12-31")
    assert set(table.index) == {"S1", "S2", "N1"}
    s1 = table.loc["S1"]
    assert s1.definition == "stalled"
    assert (s1.developed_share, s1.invested_share) == (0.2, 0.3)
    assert s1.stalled_since == pd.Timestamp("2021-06-01")  # the last rise of a share
    assert s1.fee_date == pd.Timestamp("2022-06-01")  # stopped one full year
    assert s1.repossession_date == pd.Timestamp("2023-06-01")
    assert (s1.status, s1.fee_due_10k_cny, s1.days_to_fee) == ("fee_due", 200.0, -213)
    s2 = table.loc["S2"]
    assert (s2.stalled_since, s2.fee_date) == (
        pd.Timestamp("2022-03-01"),
        pd.Timestamp("2023-03-01"),
    )
    assert (s2.status, s2.days_to_fee, s2.fee_due_10k_cny) == ("warning", 60, 0.0)
    n1 = table.loc["N1"]
    assert (n1.definition, n1.fee_date) == ("not_started", pd.Timestamp("2022-01-01"))
    assert pd.isna(n1.developed_share) and pd.isna(n1.stalled_since)
    assert table.index.tolist() == ["N1", "S1", "S2"]  # most overdue first


def test_stalled_works_move_with_policy_and_date(works: Ledger):
    # 91 days before S1's fee date it is not yet listed; 90 days before, it is
    assert "S1" not in idle_land(works, as_of="2022-03-02").index
    assert idle_land(works, as_of="2022-03-03").loc["S1", "status"] == "warning"
    assert idle_land(works, as_of="2023-06-01").loc["S1", "status"] == "repossessable"
    # S3 is idle when the threshold is half of the area
    lax = Policy(stalled_developed_share=0.5)
    assert idle_land(works, as_of="2022-12-31", policy=lax).loc["S3", "definition"] == "stalled"
    # stages are parameters: no stage examined for stalled works, or for not started land
    assert set(idle_land(works, as_of="2022-12-31", policy=Policy(stalled_stages=[])).index) == {
        "N1"
    }
    assert "N1" not in idle_land(works, as_of="2022-12-31", policy=Policy(idle_stages=[])).index


def test_a_later_rise_restarts_the_clock(works: Ledger):
    works.record(
        "S1",
        "under_construction",
        "2022-09-01",
        actor="a",
        developed_share=0.25,
        invested_share=0.3,
    )
    row = idle_land(works, as_of="2023-08-01").loc["S1"]
    assert row.stalled_since == pd.Timestamp("2022-09-01") and row.status == "warning"
    # a share of 1/3 or more and 25 % or more ends it
    works.record(
        "S1",
        "under_construction",
        "2023-08-02",
        actor="a",
        developed_share=1 / 3,
        invested_share=0.25,
    )
    assert "S1" not in idle_land(works, as_of="2023-09-01").index


def test_no_idle_land_gives_an_empty_table(ledger: Ledger):
    table = idle_land(ledger, as_of="2024-01-01")
    assert table.empty and "definition" in table.columns


# -- 建而未投 --------------------------------------------------------------------------------
def _site(with_tenant: bool) -> la.Site:
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["D1", "D2"], "land_use": "M1"},
        geometry=[box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 100, Y0, X0 + 200, Y0 + 100)],
        crs="EPSG:4549",
    )
    ents = gpd.GeoDataFrame(
        {"enterprise_id": ["E1"], "parcel_id": ["D2"], "year": [2025], "industry": ["x"]},
        geometry=[Point(X0 + 150, Y0 + 50)],
        crs="EPSG:4549",
    )
    return la.Site(parcels=parcels, enterprises=ents if with_tenant else ents.iloc[:0])


@pytest.fixture
def completed(ledger: Ledger) -> Ledger:
    for pid in ("D1", "D2"):
        ledger.record(
            pid,
            "completed",
            "2024-03-01",
            actor="a",
            accepted_on="2024-02-20",
            filed_on="2024-03-01",
        )
    return ledger


def test_built_not_operating_after_the_grace_period_without_tenants(completed: Ledger):
    site = _site(with_tenant=True)
    # 365 days after filing (2024-03-01 + 365 d = 2025-03-01): not yet; a day later: yes
    early = low_efficiency(completed, site, as_of="2025-03-01")
    assert not early["built_not_operating"].any() if len(early) else True
    late = low_efficiency(completed, site, as_of="2025-03-02")
    assert late["built_not_operating"].to_dict() == {"D1": True}  # D2 has a tenant
    assert (late.loc["D1", "tenants"], late.loc["D1", "filed_on"]) == (
        0,
        pd.Timestamp("2024-03-01"),
    )
    short = low_efficiency(
        completed, site, as_of="2025-01-01", policy=Policy(built_not_operating_grace_days=90)
    )
    assert short["built_not_operating"].to_dict() == {"D1": True}
    # a tenant whose data start after as_of does not count yet
    empty = _site(with_tenant=False)
    both = low_efficiency(completed, empty, as_of="2025-06-01")
    assert both["built_not_operating"].sum() == 2
    before = low_efficiency(
        completed, site, as_of="2024-12-31", policy=Policy(built_not_operating_grace_days=0)
    )
    assert before["built_not_operating"].sum() == 2  # E1's data are for 2025


def test_category_stages_are_policy_parameters(completed: Ledger):
    completed.record("R1", "reserved", "2024-01-01", actor="a")
    site = _site(with_tenant=False)
    table = low_efficiency(completed, site, as_of="2025-06-01")
    assert table.loc["R1", "approved_not_supplied"]
    narrow = Policy(low_efficiency_stages={"approved_not_supplied": ["supply_ready"]})
    assert "R1" not in low_efficiency(completed, site, as_of="2025-06-01", policy=narrow).index


# -- terms and renewal notice -------------------------------------------------------------
def test_terms_expiring_hand_computed(ledger: Ledger):
    def sup(pid: str, on: str, use: str | None, mode: str = "agreement", **extra: Any) -> None:
        data = {**contract(on), "mode": mode, **extra}
        if use:
            data["land_use"] = use
        ledger.record(pid, "supplied", on, actor="a", **data)

    sup("M", "1976-07-01", "M1")  # 50 years → 2026-07-01, notice by 2025-07-01
    sup("B", "1986-03-01", "B1")  # 40 years → 2026-03-01, notice by 2025-03-01
    sup("R", "1958-01-01", "R2")  # 70 years → 2028-01-01
    sup("G", "1990-01-01", "G1", mode="allocation")  # allocated: no term
    sup("T", "2000-01-01", "M1", mode="listing", term_years=20)  # the contract's own term
    sup("U", "2001-01-01", None, mode="listing")  # no land use: unknown term
    sup("L", "2010-01-01", "M1", mode="listing")  # 2060: beyond the window
    table = terms_expiring(ledger, as_of="2025-06-01", within_years=3)
    assert table.index.tolist() == ["T", "B", "M", "R", "U"]
    assert table.loc["M", "expires_on"] == pd.Timestamp("2026-07-01")
    assert table.loc["M", "renewal_notice_by"] == pd.Timestamp("2025-07-01")
    assert (table.loc["M", "days_to_notice"], table.loc["M", "status"]) == (30, "notice_due")
    assert table.loc["B", "status"] == "notice_overdue"
    assert (table.loc["T", "term_years"], table.loc["T", "status"]) == (20, "expired")
    assert table.loc["R", "term_years"] == 70 and table.loc["U", "status"] == "term_unknown"
    notice_2 = terms_expiring(
        ledger, as_of="2025-06-01", within_years=3, policy=Policy(term_renewal_notice_years=2)
    )
    assert notice_2.loc["M", "status"] == "notice_overdue"
    assert terms_expiring(ledger, as_of="2025-06-01", within_years=0).index.tolist() == ["T", "U"]
    with pytest.raises(LandassetValueError, match="within_years"):
        terms_expiring(ledger, as_of="2025-06-01", within_years=-1)


# -- permit extensions ---------------------------------------------------------------------
def test_extensions_move_the_start_deadline(ledger: Ledger):
    for pid in ("P0", "P1"):
        ledger.record(
            pid,
            "supplied",
            "2023-06-01",
            actor="a",
            **{**contract("2024-09-01"), "agreed_completion": "2026-09-01"},
        )
        ledger.record(pid, "permitted", "2024-01-31", actor="a")
    ledger.record("P1", "permitted", "2024-04-15", actor="a", permit_extensions=1)
    for pid in ("P0", "P1"):
        ledger.record(pid, "under_construction", "2024-06-15", actor="a", started_on="2024-06-15")
    table = late_against_contract(ledger, as_of="2024-12-31")
    # 3 months: 2024-04-30; with one 3-month extension: 2024-07-31
    assert table.loc["P0", "permit_start_deadline"] == pd.Timestamp("2024-04-30")
    assert table.loc["P0", "permit_window_exceeded"]
    assert "P1" not in table.index  # started in time, and before the agreed start
    assert late_against_contract(ledger, as_of="2024-12-31").loc["P0", "permit_extensions"] == 0


# -- contract compliance -----------------------------------------------------------------
@pytest.fixture
def contracts(ledger: Ledger) -> Ledger:
    common = {"mode": "listing", "land_use": "M1", "price_10k_cny": 2000,
              "agreed_start": "2020-09-01", "agreed_completion": "2022-09-01"}  # fmt: skip
    ledger.record(
        "K1", "supplied", "2020-03-01", actor="a", contract_id="K1-BZD", production_year=2024,
        tax_per_mu_10k_cny=30, output_per_mu_10k_cny=300, energy_tce_per_10k_cny=0.1,
        investment_intensity_10k_cny_per_mu=400, holder="甲公司",
        penalty=[{"basis": "tax_shortfall", "rate": 1.0},
                 {"basis": "price_share", "rate": 0.05, "commitments": ["energy_tce_per_10k_cny"]}],
        **common,
    )  # fmt: skip
    ledger.record(
        "K2", "supplied", "2020-03-01", actor="a", contract_id="K2-BZD", production_year=2026,
        tax_per_mu_10k_cny=30, **common,
    )  # fmt: skip
    ledger.record(
        "K3", "supplied", "2020-03-01", actor="a", contract_id="K3-BZD", tax_per_mu_10k_cny=30,
        production_year=2024,
        area_mu=12.0, penalty={"basis": "fixed", "amount_10k_cny": 50}, **common,
    )  # fmt: skip
    ledger.record(
        "K4", "supplied", "2020-03-01", actor="a", contract_id="K4-BZD", production_year=2024,
        tax_per_mu_10k_cny=30, penalty={"basis": "fixed", "amount_10k_cny": 50}, **common,
    )  # fmt: skip
    ledger.record(
        "K5", "supplied", "2020-03-01", actor="a", contract_id="K5-BZD", tax_per_mu_10k_cny=30,
        **common,
    )  # fmt: skip
    ledger.record("K6", "supplied", "2020-03-01", actor="a", contract_id="K6", **common)
    return ledger


@pytest.fixture
def evaluation() -> pd.DataFrame:
    # K1: E1 20 mu, tax 20/mu, VA 200/mu (4,000), VA per tce 8 (500 tce);
    #     E2 10 mu, tax 40/mu, VA 500/mu (5,000), VA per tce 12.5 (400 tce)
    frame = pd.DataFrame(
        {
            "parcel_id": ["K1", "K1", "K2", "K3", "K5"],
            "land_mu": [20.0, 10.0, 15.0, 10.0, 8.0],
            "tax_per_mu_10k_cny": [20.0, 40.0, 50.0, np.nan, 10.0],
            "value_added_per_mu_10k_cny": [200.0, 500.0, 300.0, np.nan, 100.0],
            "value_added_per_tce_10k_cny": [8.0, 12.5, 10.0, np.nan, 10.0],
        },
        index=pd.Index(["E1", "E2", "E3", "E4", "E5"], name="enterprise_id"),
    )
    frame.attrs["year"] = 2025
    return frame


def test_contract_compliance_hand_computed(contracts: Ledger, evaluation: pd.DataFrame):
    table = contract_compliance(contracts, evaluation, year=2025)
    assert set(table["status"]) <= set(COMPLIANCE_STATUSES)
    rows = table.set_index(["parcel_id", "commitment"])
    tax = rows.loc[("K1", "tax_per_mu_10k_cny")]
    # (20 × 20 + 40 × 10) / 30 = 26.67 < 30: breached; shortfall 3.33 × rate 1 × 30 mu = 100
    assert tax.actual == pytest.approx(80 / 3) and tax.status == "breached"
    assert tax.gap == pytest.approx(80 / 3 - 30) and tax.penalty_10k_cny == pytest.approx(100.0)
    assert (tax.duty_bearers, tax.tenants, tax.holder, tax.mu) == ("E1, E2", 2, "甲公司", 30.0)
    output = rows.loc[("K1", "output_per_mu_10k_cny")]
    # value added per mu: (200 × 20 + 500 × 10) / 30 = 300: met (no clause applies: 0)
    assert output.actual == pytest.approx(300.0) and output.status == "met"
    assert output.measure == "value_added_per_mu_10k_cny" and output.penalty_10k_cny == 0.0
    energy = rows.loc[("K1", "energy_tce_per_10k_cny")]
    # energy: 4000 / 8 + 5000 / 12.5 = 900 tce over 9000 VA = 0.1 tce per 10k CNY: met (≤)
    assert energy.actual == pytest.approx(0.1) and energy.status == "met"
    invest = rows.loc[("K1", "investment_intensity_10k_cny_per_mu")]
    assert invest.status == "no_data" and invest.measure == ""
    assert rows.loc[("K2", "tax_per_mu_10k_cny"), "status"] == "not_due"  # 达产 2026
    assert rows.loc[("K3", "tax_per_mu_10k_cny"), "status"] == "no_data"  # E4 has no tax
    assert rows.loc[("K5", "tax_per_mu_10k_cny"), "status"] == "no_production_year"
    k4 = rows.loc[("K4", "tax_per_mu_10k_cny")]
    assert (k4.status, k4.tenants, k4.duty_bearers) == ("no_tenants", 0, "")
    assert "K6" not in table["parcel_id"].tolist()  # a contract without commitments
    assert len(table) == 4 + 1 + 1 + 1 + 1


def test_energy_breach_and_price_share_penalty(contracts: Ledger, evaluation: pd.DataFrame):
    worse = evaluation.copy()
    worse.loc["E2", "value_added_per_tce_10k_cny"] = 5.0  # E2 1000 tce: (500 + 1000) / 9000
    rows = contract_compliance(contracts, worse, year=2025).set_index(["parcel_id", "commitment"])
    energy = rows.loc[("K1", "energy_tce_per_10k_cny")]
    assert energy.actual == pytest.approx(1500 / 9000) and energy.status == "breached"
    assert energy.penalty_10k_cny == pytest.approx(0.05 * 2000)  # 5 % of the price
    assert energy.gap == pytest.approx(1500 / 9000 - 0.1)


def test_a_fixed_penalty_and_the_contract_area(contracts: Ledger, evaluation: pd.DataFrame):
    ev = evaluation.copy()
    ev.loc["E4", "tax_per_mu_10k_cny"] = 10.0  # E4 holds 10 mu of the 12 the contract names
    contracts.record("K3", "permitted", "2020-06-01", actor="a")  # still under contract
    table = contract_compliance(contracts, ev, year=2025).set_index(["parcel_id", "commitment"])
    row = table.loc[("K3", "tax_per_mu_10k_cny")]
    assert (row.mu, row.status, row.actual) == (12.0, "breached", 10.0)
    assert row.penalty_10k_cny == 50.0 and row.penalty_basis == "fixed 50"
    # an in-stage event (a permit extension) leaves the contract the latest one
    contracts.record("K3", "permitted", "2020-07-01", actor="a", permit_extensions=1)
    again = contract_compliance(contracts, ev, year=2025)
    assert again.loc[again["parcel_id"] == "K3", "contract_id"].tolist() == ["K3-BZD"]


def test_compliance_argument_errors(contracts: Ledger, evaluation: pd.DataFrame):
    with pytest.raises(LandassetValueError, match="for 2025, not 2024"):
        contract_compliance(contracts, evaluation, year=2024)
    with pytest.raises(SchemaError, match="land_mu"):
        contract_compliance(contracts, evaluation.drop(columns="land_mu"), year=2025)
    with pytest.raises(LandassetValueError, match="year"):
        contract_compliance(contracts, evaluation, year="2025")  # type: ignore[arg-type]


def test_compliance_before_any_contract(ledger: Ledger, evaluation: pd.DataFrame):
    assert contract_compliance(ledger, evaluation, year=2025).empty


def test_duty_passes_to_the_tenants_of_the_year(contracts: Ledger, evaluation: pd.DataFrame):
    # the parcel changed hands: new tenants carry the same commitment (§35)
    ev = evaluation.copy()
    ev.loc["E1", "parcel_id"] = "elsewhere"
    ev.loc["E9"] = ["K1", 20.0, 35.0, 300.0, 10.0]
    row = (
        contract_compliance(contracts, ev, year=2025)
        .set_index(["parcel_id", "commitment"])
        .loc[("K1", "tax_per_mu_10k_cny")]
    )
    assert row.duty_bearers == "E2, E9"
    # a buyer recorded later is the holder now
    contracts.record("K1", "permitted", "2021-01-01", actor="a", holder="乙公司")
    again = contract_compliance(contracts, ev, year=2025)
    assert set(again.loc[again["parcel_id"] == "K1", "holder"]) == {"乙公司"}
    # (40 × 10 + 35 × 20) / 30 = 36.67 ≥ 30: met
    assert row.actual == pytest.approx(1100 / 30) and row.status == "met"
