"""Legality of supply (mode by land use and date), investment minima, penalty clauses,
in-stage events (progress, permit extensions) and the policy parameters behind them.

Each case follows from the text of the rule: 城市房地产管理法 §13 (transfer by auction,
tender, listing or agreement; commercial land by auction or tender), §23/§24
(allocation only for public uses), 国发〔2006〕31号 (industrial land by auction, tender
or listing from 2007-01-01), 国土资发〔2008〕24号 (minimum investment intensity),
建筑法 §9 (at most two permit extensions), 闲置土地处置办法 §2 (shares developed and
invested).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landasset import LandassetValueError, TransitionError
from landasset.investment import example_investment_minimums, read_investment_minimums
from landasset.lifecycle import (
    DEFAULT_LOW_EFFICIENCY_STAGES,
    IN_STAGE_EVENTS,
    LOW_EFFICIENCY,
    Ledger,
    Policy,
    durations,
)


def supply(
    ledger: Ledger, pid: str, on: str, mode: str, land_use: str | None = "M1", **extra: Any
) -> Any:
    data: dict[str, Any] = {
        "contract_id": f"C-{pid}",
        "mode": mode,
        "price_10k_cny": 1000,
        "agreed_start": on,
        "agreed_completion": "2099-01-01",
        **extra,
    }
    if land_use is not None:
        data["land_use"] = land_use
    return ledger.record(pid, "supplied", on, actor="土地科", **data)


# -- supply modes -------------------------------------------------------------------------
def test_industrial_land_by_agreement_until_2007_then_only_auction_tender_listing(ledger):
    supply(ledger, "A", "2006-12-31", "agreement")  # the day before 国发〔2006〕31号 applies
    with pytest.raises(TransitionError, match="国发〔2006〕31号") as err:
        supply(ledger, "B", "2007-01-01", "agreement")
    message = str(err.value)
    assert "may go by auction, tender, listing" in message and "supply_exception" in message
    for mode in ("auction", "tender", "listing"):
        supply(ledger, f"B-{mode}", "2007-01-01", mode)
    assert "B" not in ledger.parcel_ids()


def test_a_documented_exception_is_recorded_with_the_event(ledger):
    event = supply(
        ledger, "A", "2012-05-01", "agreement", supply_exception="省政府批准的重大产业项目协议出让"
    )
    assert event.data["supply_exception"] == "省政府批准的重大产业项目协议出让"
    with pytest.raises(TransitionError, match="supply_exception is empty"):
        supply(ledger, "B", "2012-05-01", "agreement", supply_exception="  ")


def test_commercial_land_by_auction_or_tender_only(ledger):
    # §13: commercial land by auction or tender (the law is in force from 1995-01-01)
    for i, mode in enumerate(("listing", "agreement", "allocation")):
        with pytest.raises(TransitionError, match="commercial land"):
            supply(ledger, f"X{i}", "2015-06-01", mode, land_use="B1")
    supply(ledger, "B-a", "2015-06-01", "auction", land_use="B1")
    supply(ledger, "B-t", "2015-06-01", "tender", land_use="0902")  # 2020 code, same family
    supply(ledger, "B-old", "1990-06-01", "agreement", land_use="B1")  # before the law


def test_allocation_only_for_public_uses(ledger):
    # §23/§24: allocation for public, infrastructure and like uses, never industrial land
    with pytest.raises(TransitionError, match="industrial land"):
        supply(ledger, "M", "2020-01-01", "allocation")
    with pytest.raises(TransitionError, match="residential land"):
        supply(ledger, "R", "2020-01-01", "allocation", land_use="R2")
    for pid, use in (("G", "G1"), ("A", "A3"), ("S", "S1")):
        supply(ledger, pid, "2020-01-01", "allocation", land_use=use)


def test_land_use_comes_from_earlier_events_then_the_parcels_layer(parcels_gpkg: Path):
    with Ledger.open(parcels_gpkg) as ledger:
        # A-01 is M1 in the layer: agreement after 2007 is refused with no land_use given
        with pytest.raises(TransitionError, match=r"industrial land \(M1\)"):
            supply(ledger, "A-01", "2010-01-01", "agreement", land_use=None)
        # an earlier event's land use beats the layer's
        ledger.record("A-02", "reserved", "2009-01-01", actor="a")
        ledger.record("A-02", "supply_ready", "2009-06-01", actor="a", land_use="B1", far_max=3.0)
        with pytest.raises(TransitionError, match=r"commercial land \(B1\)"):
            supply(ledger, "A-02", "2010-01-01", "listing", land_use=None)
        supply(ledger, "A-02", "2010-01-01", "auction", land_use=None)
        # within one batch the supply_ready row's land use counts
        events = pd.DataFrame(
            {
                "parcel_id": ["A-03", "A-03", "A-03"],
                "stage": ["reserved", "supply_ready", "supplied"],
                "on": ["2009-01-01", "2009-02-01", "2009-03-01"],
                "actor": "a",
                "land_use": [None, "B2", None],
                "far_max": [None, 2.0, None],
                "contract_id": [None, None, "C"],
                "mode": [None, None, "listing"],
                "price_10k_cny": [None, None, 10.0],
                "agreed_start": [None, None, "2009-06-01"],
                "agreed_completion": [None, None, "2010-06-01"],
            }
        )
        with pytest.raises(TransitionError, match=r"commercial land \(B2\)"):
            ledger.record_many(events)


def test_unknown_land_use_is_not_judged(ledger):
    supply(ledger, "A", "2015-01-01", "agreement", land_use=None)
    assert ledger.stage("A") == "supplied"


def test_a_policy_sets_other_modes_and_dates():
    county = Policy(
        supply_modes={
            "industrial": [
                (None, ["auction", "tender", "listing", "agreement"]),
                ("2010-01-01", ["listing"]),
            ]
        }
    )
    assert county.allowed_modes("M1", "2009-12-31") == ("auction", "tender", "listing", "agreement")
    assert county.allowed_modes("M2", "2010-01-01") == ("listing",)
    assert county.allowed_modes("B1", "2010-01-01") == ("auction", "tender")  # default kept
    with Ledger.open(":memory:", policy=county) as ledger:
        supply(ledger, "A", "2008-01-01", "agreement")
        with pytest.raises(TransitionError, match="may go by listing"):
            supply(ledger, "B", "2011-01-01", "auction")
        ledger.policy = Policy()
        supply(ledger, "B", "2011-01-01", "auction")


def test_corrections_check_the_corrected_event_only(ledger):
    event = supply(ledger, "A", "2010-01-01", "listing")
    with pytest.raises(TransitionError, match="not allowed"):
        ledger.correct(event.event_id, actor="b", reason="typo", mode="agreement")
    fixed = ledger.correct(
        event.event_id, actor="b", reason="typo", mode="agreement", supply_exception="批准文件"
    )
    assert fixed.data["mode"] == "agreement"


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
    mode=st.sampled_from(["auction", "tender", "listing", "agreement", "allocation"]),
    use=st.sampled_from(["M1", "M2", "B1", "R2", "G1", "A3", "W1", "S1"]),
)
def test_the_ledger_accepts_exactly_the_allowed_modes(day, mode, use):
    policy = Policy()
    with Ledger.open(":memory:") as ledger:
        try:
            supply(ledger, "P", day.isoformat(), mode, land_use=use)
            accepted = True
        except TransitionError:
            accepted = False
    assert accepted == (mode in policy.allowed_modes(use, day))


# -- investment intensity -------------------------------------------------------------------
# The bundled example table (made-up figures): class "1" sets 39 → 450 and 26 → 350;
# "*" (any region) sets 39 → 400 and "*" (any industry) → 250.
@pytest.fixture
def controlled() -> Ledger:
    with Ledger.open(
        ":memory:", policy=Policy(investment_minimums=example_investment_minimums())
    ) as ledger:
        yield ledger


def test_below_the_minimum_is_refused_naming_the_minimum_and_the_entry(controlled):
    with pytest.raises(TransitionError) as err:
        supply(
            controlled, "A", "2020-01-01", "listing",
            investment_intensity_10k_cny_per_mu=449.9, region_class="1", industry_code="3911",
        )  # fmt: skip
    message = str(err.value)
    assert "minimum 450 万元/亩" in message and "minimums.1.39" in message
    assert "'investment-minimums-example'" in message
    assert "below_minimum_reason='...'" in message
    supply(
        controlled,
        "A",
        "2020-01-01",
        "listing",
        investment_intensity_10k_cny_per_mu=450,
        region_class="1",
        industry_code="3911",
    )  # fmt: skip  (exactly the minimum is enough)
    supply(
        controlled, "B", "2020-01-01", "listing", investment_intensity_10k_cny_per_mu=200,
        region_class="1", industry_code="2611", below_minimum_reason="县政府专题会议纪要",
    )  # fmt: skip
    # another region class, industry 39: the "*" region's 39 row (400) applies ...
    with pytest.raises(TransitionError, match=r"minimum 400 .*minimums\.\*\.39"):
        supply(
            controlled, "C", "2020-01-01", "listing",
            investment_intensity_10k_cny_per_mu=399, region_class="elsewhere", industry_code="C3911",
        )  # fmt: skip
    # ... and for industry 26 the general "*"/"*" row (250)
    with pytest.raises(TransitionError, match=r"minimum 250 .*minimums\.\*\.\*"):
        supply(
            controlled, "C", "2020-01-01", "listing",
            investment_intensity_10k_cny_per_mu=249, region_class="elsewhere", industry_code="26",
        )  # fmt: skip


def test_a_table_by_region_class_needs_the_contracts_region_class(controlled):
    with pytest.raises(TransitionError, match="give region_class"):
        supply(
            controlled, "A", "2020-01-01", "listing",
            investment_intensity_10k_cny_per_mu=500, industry_code="3911",
        )  # fmt: skip
    # a contract without an investment commitment is not standard land: not checked
    supply(controlled, "A", "2020-01-01", "listing")


def test_a_table_without_an_applying_entry_checks_nothing():
    table = read_investment_minimums(
        'version: 1\nname: t\nunit: 10k CNY per mu\nminimums: {"1": {"39": 450}}\n'
    )
    with Ledger.open(":memory:", policy=Policy(investment_minimums=table)) as ledger:
        supply(
            ledger, "A", "2020-01-01", "listing",
            investment_intensity_10k_cny_per_mu=1, region_class="1", industry_code="2611",
        )  # fmt: skip
        assert ledger.stage("A") == "supplied"


def test_the_policy_refuses_what_is_not_a_table():
    with pytest.raises(LandassetValueError, match=r"InvestmentMinimums.*read_investment_minimums"):
        Policy(investment_minimums=pd.DataFrame())  # type: ignore[arg-type]


# -- penalty clauses ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("penalty", "message"),
    [
        ({"basis": "interest"}, "not known"),
        ({"basis": "tax_shortfall"}, "needs rate"),
        ({"basis": "fixed", "amount_10k_cny": -5}, "needs amount_10k_cny"),
        ({"basis": "price_share", "rate": 0.1, "commitments": ["area"]}, "list of commitments"),
        ("pay a lot", "not a clause"),
    ],
)
def test_penalty_clauses_are_checked(ledger, penalty, message):
    with pytest.raises(TransitionError, match=message):
        supply(ledger, "A", "2020-01-01", "listing", penalty=penalty)


def test_penalty_clauses_are_stored(ledger):
    clauses = [
        {"basis": "tax_shortfall", "rate": 1.0},
        {"basis": "fixed", "amount_10k_cny": 50, "commitments": ["energy_tce_per_10k_cny"]},
    ]
    assert supply(ledger, "A", "2020-01-01", "listing", penalty=clauses).data["penalty"] == clauses


def test_commitment_values_are_checked(ledger):
    with pytest.raises(TransitionError, match=r"production_year = 2024\.5 is not a year"):
        supply(ledger, "A", "2020-01-01", "listing", production_year=2024.5)
    with pytest.raises(TransitionError, match="tax_per_mu_10k_cny = -3 is not a number"):
        supply(ledger, "A", "2020-01-01", "listing", tax_per_mu_10k_cny=-3)
    event = supply(ledger, "A", "2020-01-01", "listing", production_year=2024.0)
    assert event.data["production_year"] == 2024


# -- in-stage events ------------------------------------------------------------------------
def test_progress_events_keep_the_stage_and_the_stay(ledger):
    supply(ledger, "A", "2020-01-01", "listing")
    ledger.record("A", "permitted", "2020-03-01", actor="a")
    ledger.record("A", "under_construction", "2020-05-01", actor="a", started_on="2020-05-01")
    progress = ledger.record(
        "A", "under_construction", "2020-11-01", actor="a", developed_share=0.2, invested_share=0.1
    )
    assert progress.stage == "under_construction" and ledger.stage("A") == "under_construction"
    timeline = ledger.timeline()
    assert timeline["stage"].astype(str).tolist() == ["supplied", "permitted", "under_construction"]
    assert durations(ledger, as_of="2021-05-01").loc["A", "under_construction"] == 365.0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"developed_share": 0.2}, "in-stage event"),  # both shares are needed
        ({"developed_share": 1.5, "invested_share": 0.1}, "not a share in"),
        ({"developed_share": -0.1, "invested_share": 0.1}, "not a share in"),
        ({"developed_share": True, "invested_share": 0.1}, "not a share in"),
        ({}, "in-stage event"),
    ],
)
def test_progress_events_are_checked(ledger, data, message):
    ledger.record("A", "under_construction", "2020-05-01", actor="a", started_on="2020-05-01")
    with pytest.raises(TransitionError, match=message):
        ledger.record("A", "under_construction", "2020-11-01", actor="a", **data)


def test_progress_only_where_the_table_allows_it(ledger):
    supply(ledger, "A", "2020-01-01", "listing")
    with pytest.raises(TransitionError, match="cannot go from 'supplied' to 'supplied'"):
        ledger.record(
            "A", "supplied", "2020-06-01", actor="a", developed_share=0.1, invested_share=0.1
        )
    assert set(IN_STAGE_EVENTS) == {"under_construction", "permitted"}


def test_permit_extensions_at_most_two(ledger):
    ledger.record("A", "permitted", "2024-01-31", actor="a")
    ledger.record("A", "permitted", "2024-04-20", actor="a", permit_extensions=1)
    ledger.record("A", "permitted", "2024-07-20", actor="a", permit_extensions=2)
    with pytest.raises(TransitionError, match="建筑法 §9"):
        ledger.record("A", "permitted", "2024-10-20", actor="a", permit_extensions=3)
    with pytest.raises(TransitionError, match="whole number"):
        ledger.record("A", "permitted", "2024-10-20", actor="a", permit_extensions=1.5)


# -- policy parameters ----------------------------------------------------------------------
def test_stage_parameters_refuse_unknown_stages_listing_the_valid_ones():
    with pytest.raises(LandassetValueError, match=r"'built'.*'planned', 'acquiring'"):
        Policy(idle_stages=["supplied", "built"])
    with pytest.raises(LandassetValueError, match="stalled_stages"):
        Policy(stalled_stages="under_construction")  # a string is not a list of stages
    with pytest.raises(LandassetValueError, match="one or the other"):
        Policy(stalled_stages=["under_construction", "permitted"])
    with pytest.raises(LandassetValueError, match="not a low-efficiency category"):
        Policy(low_efficiency_stages={"idle": ["supplied"]})
    with pytest.raises(LandassetValueError, match="unknown stage"):
        Policy(low_efficiency_stages={"built_not_operating": ["done"]})
    p = Policy(low_efficiency_stages={"built_not_operating": ["completed", "renewal"]})
    assert p.low_efficiency_stages["built_not_operating"] == ("completed", "renewal")
    assert p.low_efficiency_stages["approved_not_supplied"] == ("reserved", "supply_ready")


def test_default_low_efficiency_stages_match_the_categories():
    assert {k: v[2] for k, v in LOW_EFFICIENCY.items()} == dict(DEFAULT_LOW_EFFICIENCY_STAGES)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stalled_developed_share": 1.2}, "stalled_developed_share"),
        ({"stalled_invested_share": -0.1}, "stalled_invested_share"),
        ({"built_not_operating_grace_days": -1}, "built_not_operating_grace_days"),
        ({"stalled_after_years": 0.5}, "stalled_after_years"),
        ({"supply_modes": {"industrial": [(None, ["barter"])]}}, "unknown mode"),
        ({"supply_modes": {"factory": [(None, ["auction"])]}}, "not a land-use family"),
        ({"supply_modes": {"industrial": ["auction"]}}, "pairs"),
        ({"supply_modes": {"industrial": [("2007-13-01", ["auction"])]}}, "not a date"),
    ],
)
def test_policy_values_are_checked(kwargs, message):
    with pytest.raises(LandassetValueError, match=message):
        Policy(**kwargs)
