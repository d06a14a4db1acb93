"""The fiscal appraisal: hand-computed cash flows, NPV against the annuity formula,
price and tax sources in their order, floor space, validation."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely import box

import landasset as la
from landasset.fiscal import (
    Appraisal,
    FiscalPolicy,
    appraise,
    appraise_many,
    appraise_spaces,
)
from landasset.lifecycle import Ledger

X0, Y0 = 514_000.0, 3_350_000.0


Commitments = la.Commitments


def Project(**fields: Any) -> la.Project:
    """A landasset.Project for the appraisal: a 15-mu aerospace demand unless told."""
    fields.setdefault("id", "P")
    fields.setdefault("industry", "aerospace")
    if not any(k.startswith(("area_mu", "floor_area_m2")) for k in fields):
        fields["area_mu_min"] = 15.0
    return la.Project(**fields)


def land(zones: list[str], land_use: str = "M1") -> gpd.GeoDataFrame:
    """100 m × 100 m parcels (15 mu each) in a row."""
    return gpd.GeoDataFrame(
        {"zone": zones, "land_use": [land_use] * len(zones)},
        geometry=[box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(len(zones))],
        crs="EPSG:4549",
        index=pd.Index([f"P{i}" for i in range(len(zones))], name="parcel_id"),
    )


TINY = FiscalPolicy(
    discount_rate=0.1,
    horizon_years=6,
    acquisition_cost_10k_cny_per_mu=30.0,
    servicing_cost_10k_cny_per_mu=10.0,
    local_tax_share=0.5,
    rampup_years=2,
)


def test_hand_computed_cash_flow_npv_payback() -> None:
    # 15 mu at 20 万元/亩 = 300 revenue; cost (30 + 10) × 15 = 600 → year 0 = −300.
    # Tax 10 万元/亩 × 15 × 0.5 = 75 a year at 达产, reached in year 2: 37.5, 75, 75, …
    # cumulative: −300, −262.5, −187.5, −112.5, −37.5, +37.5 → payback in year 5.
    project = Project(commitments=Commitments(tax_per_mu_10k_cny=10.0))
    a = appraise(land(["Z"]), project, policy=TINY, prices={"Z": 20.0})
    assert a.area_mu == pytest.approx(15.0)
    assert a.land_revenue_10k_cny == pytest.approx(300.0)
    assert a.cost_10k_cny == pytest.approx(600.0)
    assert a.cash_flow.tolist() == pytest.approx([-300, 37.5, 75, 75, 75, 75, 75])
    assert a.payback_years == 5.0
    # closed form: an annuity of 75 for 6 years, less half of year 1, less 300
    annuity = 75 * (1 - 1.1**-6) / 0.1
    assert a.npv_10k_cny == pytest.approx(-300 + annuity - 37.5 / 1.1)
    # and term by term, written out
    terms = [-300, 37.5 / 1.1, 75 / 1.1**2, 75 / 1.1**3, 75 / 1.1**4, 75 / 1.1**5, 75 / 1.1**6]
    assert a.npv_10k_cny == pytest.approx(sum(terms))


def test_never_paid_back_within_horizon_is_inf() -> None:
    project = Project(commitments=Commitments(tax_per_mu_10k_cny=10.0))
    short = FiscalPolicy(**{**TINY.__dict__, "horizon_years": 3})
    a = appraise(land(["Z"]), project, policy=short, prices={"Z": 20.0})
    assert math.isinf(a.payback_years)
    assert a.explanation.set_index("item").loc["payback", "value"] == math.inf


def test_production_year_sets_the_rampup() -> None:
    project = Project(commitments=Commitments(tax_per_mu_10k_cny=10.0, production_year=2029))
    a = appraise(land(["Z"]), project, policy=TINY, prices={"Z": 20.0}, year0=2026)
    # 达产 2029 − year 0 2026 = 3 years: 25, 50, 75
    assert a.cash_flow.iloc[1:4].tolist() == pytest.approx([25, 50, 75])
    b = appraise(land(["Z"]), project, policy=TINY, prices={"Z": 20.0})
    assert "year0 is not given" in b.explanation.set_index("item").loc["ramp-up", "source"]


def test_no_price_is_nan_and_said() -> None:
    a = appraise(land(["Z"]), Project(commitments=Commitments(tax_per_mu_10k_cny=10.0)))
    assert a.price_source == "none" and math.isnan(a.price_10k_cny_per_mu)
    assert math.isnan(a.npv_10k_cny) and math.isnan(a.payback_years)
    assert "no price" in a.explanation.set_index("item").loc["price per mu", "source"]


def test_no_tax_is_nan_and_said() -> None:
    a = appraise(land(["Z"]), Project(), prices={"Z": 20.0})
    assert a.tax_source == "none" and math.isnan(a.tax_10k_cny_per_mu)
    assert math.isnan(a.npv_10k_cny)


@pytest.fixture
def comparables_ledger() -> tuple[Ledger, gpd.GeoDataFrame]:
    # Z1: three parcels at 20, 30, 40 万元/亩; Z2: one at 60; allocation and
    # commercial land are not comparables
    district = land(["Z1", "Z1", "Z1", "Z2", "Z1"])
    district.loc["P5"] = [
        "Z1",
        "B1",
        box(X0, Y0 + 200, X0 + 100, Y0 + 300),
    ]
    ledger = Ledger.open(":memory:")
    for pid, price, mode in [
        ("P0", 300, "listing"),
        ("P1", 450, "listing"),
        ("P2", 600, "tender"),
        ("P3", 900, "listing"),
        ("P4", 0, "allocation"),
        ("P5", 9000, "listing"),
    ]:
        ledger.record(
            pid,
            "supplied",
            "2024-01-01",
            actor="t",
            contract_id=pid,
            mode=mode,
            price_10k_cny=price,
            agreed_start="2024-06-01",
            agreed_completion="2026-06-01",
        )
    return ledger, district


def test_ledger_price_same_zone_else_all(
    comparables_ledger: tuple[Ledger, gpd.GeoDataFrame],
) -> None:
    ledger, district = comparables_ledger
    project = Project(commitments=Commitments(tax_per_mu_10k_cny=10.0))
    in_z1 = appraise(land(["Z1"]), project, ledger=ledger, district=district)
    assert in_z1.price_source == "ledger_zone" and in_z1.price_10k_cny_per_mu == pytest.approx(30)
    # Z2 has one comparable (< 3): the median of all four (20, 30, 40, 60) = 35
    in_z2 = appraise(land(["Z2"]), project, ledger=ledger, district=district)
    assert in_z2.price_source == "ledger_all" and in_z2.price_10k_cny_per_mu == pytest.approx(35)
    assert "zone 'Z2' has 1 < 3" in in_z2.explanation.source.str.cat()
    with pytest.raises(la.LandassetValueError, match="district="):
        appraise(land(["Z1"]), project, ledger=ledger)
    ledger.close()


def test_price_precedence(comparables_ledger: tuple[Ledger, gpd.GeoDataFrame]) -> None:
    ledger, district = comparables_ledger
    project = Project(budget_10k_cny_per_mu=99.0, commitments=Commitments(tax_per_mu_10k_cny=10.0))
    kw = {"ledger": ledger, "district": district}
    assert appraise(land(["Z1"]), project, prices={"Z1": 50}, **kw).price_source == "prices"
    # a zone missing from the table falls through to the ledger
    assert appraise(land(["Z1"]), project, prices={"Q": 50}, **kw).price_source == "ledger_zone"
    assert appraise(land(["Z1"]), project).price_source == "budget"
    table = pd.DataFrame({"zone": ["Z1"], "price_10k_cny_per_mu": [44.0]})
    assert appraise(land(["Z1"]), project, prices=table).price_10k_cny_per_mu == 44.0
    ledger.close()


def test_tax_from_the_evaluation() -> None:
    evaluation = pd.DataFrame(
        {
            "industry": ["aerospace_information"] * 3
            + ["smart_manufacturing", "aerospace_information"],
            "tax_per_mu_10k_cny": [10.0, 30.0, 20.0, 99.0, 500.0],
            "grade": ["A", "B", "C", "A", None],  # the ungraded one is left out
        }
    )
    a = appraise(land(["Z"]), Project(), prices={"Z": 20.0}, evaluation=evaluation)
    assert a.tax_source == "evaluation" and a.tax_10k_cny_per_mu == 20.0
    # the commitment comes first
    committed = Project(commitments=Commitments(tax_per_mu_10k_cny=7.0))
    assert appraise(land(["Z"]), committed, prices={"Z": 1}, evaluation=evaluation).tax_source == (
        "commitment"
    )
    with pytest.raises(la.SchemaError, match="grade"):
        appraise(land(["Z"]), Project(), evaluation=evaluation.drop(columns="grade"))


def test_sample_evaluation_tax_and_ledger_price(sample_site: la.Site) -> None:
    evaluation = la.efficiency.evaluate(
        sample_site.enterprises, sample_site.parcels, year=2025, buildings=sample_site.buildings
    )
    graded = evaluation[
        (evaluation["industry"] == "aerospace_information") & evaluation["grade"].notna()
    ]
    with Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
        a = appraise(
            sample_site.parcels.loc[["XH120101-08", "XH120101-09"]],
            Project(),
            ledger=ledger,
            district=sample_site.parcels,
            evaluation=evaluation,
        )
    assert a.tax_10k_cny_per_mu == pytest.approx(graded["tax_per_mu_10k_cny"].median())
    # 双浦 has no supplied parcel: the district's median
    assert a.price_source == "ledger_all"


def test_spaces_growing_annuity() -> None:
    units = pd.DataFrame({"area_m2": [1000.0, 500.0], "rent_cny_m2_month": [50.0, 60.0]})
    policy = FiscalPolicy(discount_rate=0.08, horizon_years=10, rent_growth=0.03)
    a = appraise_spaces(units, Project(), policy=policy)
    c = (50 * 1000 + 60 * 500) * 12 / 10_000  # 96 万元 in year 1
    assert a.kind == "space" and a.rent_10k_cny_per_year == pytest.approx(c)
    assert a.floor_area_m2 == 1500.0 and math.isnan(a.area_mu)
    # growing annuity: C / (r − g) × (1 − ((1 + g) / (1 + r))^n)
    expected = c / (0.08 - 0.03) * (1 - (1.03 / 1.08) ** 10)
    assert a.npv_10k_cny == pytest.approx(expected)
    assert a.payback_years == 0.0  # nothing is spent in year 0
    missing = units.assign(rent_cny_m2_month=[50.0, None])
    assert math.isnan(appraise_spaces(missing, Project()).npv_10k_cny)
    with pytest.raises(la.SchemaError, match="rent_cny_m2_month"):
        appraise_spaces(units.drop(columns="rent_cny_m2_month"), Project())


def test_appraise_many_table() -> None:
    project = Project(commitments=Commitments(tax_per_mu_10k_cny=10.0))
    table = appraise_many(
        {"one": land(["Z"]), "two": land(["Z", "Z"])}, project, policy=TINY, prices={"Z": 20.0}
    )
    assert table.index.tolist() == ["one", "two"] and table.index.name == "candidate"
    assert table["area_mu"].tolist() == pytest.approx([15.0, 30.0])
    # twice the area: twice the NPV (every flow scales with the area)
    assert table.loc["two", "npv_10k_cny"] == pytest.approx(2 * table.loc["one", "npv_10k_cny"])
    assert appraise_many({}, project).empty


def test_explanation_traces_every_figure() -> None:
    project = Project(commitments=Commitments(tax_per_mu_10k_cny=10.0))
    a = appraise(land(["Z"]), project, policy=TINY, prices={"Z": 20.0})
    assert isinstance(a, Appraisal)
    assert list(a.explanation.columns) == ["item", "value", "unit", "source"]
    values = a.explanation.set_index("item")["value"]
    assert values["land revenue"] == pytest.approx(a.land_revenue_10k_cny)
    assert values["NPV"] == pytest.approx(a.npv_10k_cny)
    assert a.to_series()["npv_10k_cny"] == pytest.approx(a.npv_10k_cny)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("discount_rate", -0.1),
        ("discount_rate", 1.5),
        ("local_tax_share", 2),
        ("rent_growth", True),
        ("horizon_years", 0),
        ("rampup_years", -1),
        ("rampup_years", 1.5),
        ("acquisition_cost_10k_cny_per_mu", -5),
        ("servicing_cost_10k_cny_per_mu", float("inf")),
        ("min_comparables", 0),
    ],
)
def test_policy_validation_names_the_field(field: str, value: object) -> None:
    with pytest.raises(la.LandassetValueError, match=field):
        FiscalPolicy(**{field: value})  # type: ignore[arg-type]


def test_geographic_crs_is_refused() -> None:
    with pytest.raises(la.CRSError):
        appraise(land(["Z"]).to_crs("EPSG:4490"), Project(), prices={"Z": 1})


def test_empty_candidate_is_refused() -> None:
    with pytest.raises(la.LandassetValueError, match="empty"):
        appraise(land([]), Project(), prices={"Z": 1})


@given(
    price=st.floats(0, 500),
    tax=st.floats(0.01, 200),  # a commitment is above 0 (landasset.Commitments)
    rate=st.floats(0, 0.3),
)
def test_npv_rises_with_price_and_tax(price: float, tax: float, rate: float) -> None:
    policy = FiscalPolicy(discount_rate=rate, horizon_years=5)
    base = appraise(
        land(["Z"]),
        Project(commitments=Commitments(tax_per_mu_10k_cny=tax)),
        policy=policy,
        prices={"Z": price},
    )
    more = appraise(
        land(["Z"]),
        Project(commitments=Commitments(tax_per_mu_10k_cny=tax + 1)),
        policy=policy,
        prices={"Z": price + 1},
    )
    assert more.npv_10k_cny > base.npv_10k_cny
    # payback is the first year the cumulative cash flow is ≥ 0
    cum = np.cumsum(base.cash_flow.to_numpy())
    if math.isinf(base.payback_years):
        assert (cum < 0).all()
    else:
        assert cum[int(base.payback_years)] >= 0 and (cum[: int(base.payback_years)] < 0).all()
