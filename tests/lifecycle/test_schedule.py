"""The forward schedule: each basis on a hand-made ledger, the sample district, errors."""

from __future__ import annotations

import pandas as pd
import pytest

import landasset as la
from landasset.lifecycle import (
    DEFAULT_DURATIONS,
    Ledger,
    Policy,
    expected_delivery,
    forward_schedule,
)

AS_OF = "2025-12-31"
T = pd.Timestamp


def _supply(ledger: Ledger, pid: str, on: str, start: str, completion: str) -> None:
    ledger.record(
        pid,
        "supplied",
        on,
        actor="t",
        contract_id=f"C-{pid}",
        mode="listing",
        price_10k_cny=1000,
        agreed_start=start,
        agreed_completion=completion,
    )


def test_reserve_parcel_typical_durations(ledger: Ledger) -> None:
    # reserved since 2025-10-01: 365 days of the reserve stay end 2026-10-01,
    # + 120 days supply_ready → supply 2027-01-29; permit + 120 → 2027-05-29;
    # start = permit + 3 months (policy) → 2027-08-29; + 730 → 2029-08-28; + 90 → 2029-11-26
    ledger.record("R", "reserved", "2025-10-01", actor="t")
    row = forward_schedule(ledger, as_of=AS_OF).loc["R"]
    assert row.supply_date == T("2027-01-29") and row.supply_basis == "typical"
    assert row.permit_date == T("2027-05-29") and row.permit_basis == "typical"
    assert row.start_date == T("2027-08-29") and row.start_basis == "policy"
    assert row.completion_date == T("2029-08-28") and row.completion_basis == "typical"
    assert row.operation_date == T("2029-11-26") and row.operation_basis == "typical"
    assert row.delivery_date == row.supply_date
    assert pd.isna(row.idle_fee_date) and pd.isna(row.idle_fee_slack_days)


def test_overdue_stay_ends_on_as_of(ledger: Ledger) -> None:
    # reserved since 2020: the stay is overdue, so it ends on as_of, then 120 days
    ledger.record("R", "reserved", "2020-01-01", actor="t")
    row = forward_schedule(ledger, as_of=AS_OF).loc["R"]
    assert row.supply_date == T(AS_OF) + pd.Timedelta(days=120)


def test_contract_dates_and_idle_slack(ledger: Ledger) -> None:
    # supplied 2025-06-01, permit typical +120 → 2025-09-29 < as_of → 2025-12-31;
    # the agreed start 2026-03-01 is ahead → contract; fee 2027-03-01 (365 days later),
    # repossession 2028-03-01 (731 days: 2028 is a leap year)
    _supply(ledger, "S", "2025-06-01", "2026-03-01", "2028-03-01")
    row = forward_schedule(ledger, as_of=AS_OF).loc["S"]
    assert row.supply_basis == "actual" and row.supply_date == T("2025-06-01")
    assert row.permit_date == T(AS_OF) and row.permit_basis == "typical"
    assert row.start_date == T("2026-03-01") and row.start_basis == "contract"
    assert row.completion_date == T("2028-03-01") and row.completion_basis == "contract"
    assert row.operation_date == T("2028-03-01") + pd.Timedelta(days=90)
    assert row.idle_fee_date == T("2027-03-01") and row.repossession_date == T("2028-03-01")
    assert row.idle_fee_slack_days == 365 and row.repossession_slack_days == 731
    assert pd.isna(row.delivery_date)  # supplied land is not available


def test_passed_contract_start_falls_back_to_policy(ledger: Ledger) -> None:
    # permit 2025-11-15: start window ends 2026-02-15 (policy); the agreed start
    # 2025-06-01 has passed → the plan is the policy date
    _supply(ledger, "L", "2024-12-01", "2025-06-01", "2026-12-01")
    ledger.record("L", "permitted", "2025-11-15", actor="t")
    row = forward_schedule(ledger, as_of=AS_OF).loc["L"]
    assert row.permit_basis == "actual"
    assert row.start_date == T("2026-02-15") and row.start_basis == "policy"
    # fee date 2026-06-01 − 2026-02-15 = 106 days
    assert row.idle_fee_slack_days == 106
    late = forward_schedule(ledger, as_of=AS_OF, policy=Policy(permit_start_window_months=9))
    # 2025-11-15 + 9 months = 2026-08-15, past the fee date 2026-06-01 by
    # 30 (June) + 31 (July) + 14 = 75 days
    assert late.loc["L", "idle_fee_slack_days"] == -75


def test_actual_dates_from_the_events(ledger: Ledger) -> None:
    _supply(ledger, "A", "2022-01-10", "2022-06-01", "2024-06-01")
    ledger.record("A", "permitted", "2022-04-01", actor="t")
    ledger.record("A", "under_construction", "2022-05-20", actor="t", started_on="2022-05-18")
    ledger.record(
        "A", "completed", "2024-05-10", actor="t", accepted_on="2024-05-01", filed_on="2024-05-10"
    )
    ledger.record("A", "operating", "2024-08-01", actor="t")
    row = forward_schedule(ledger, as_of=AS_OF).loc["A"]
    assert [
        row[f"{m}_basis"] for m in ("supply", "permit", "start", "completion", "operation")
    ] == ["actual"] * 5
    assert row.start_date == T("2022-05-18")  # started_on, not the event's day
    assert row.completion_date == T("2024-05-01")  # accepted_on
    assert row.operation_date == T("2024-08-01")


def test_unrecorded_and_series_source() -> None:
    stages = pd.Series({"O": "operating", "Q": "supply_ready", "X": "retired"})
    plan = forward_schedule(stages, as_of=AS_OF)
    assert plan.loc["O", "supply_basis"] == "unrecorded" and pd.isna(plan.loc["O", "supply_date"])
    # without an entry date the whole stay counts from as_of
    assert plan.loc["Q", "supply_date"] == T(AS_OF) + pd.Timedelta(
        days=DEFAULT_DURATIONS["supply_ready"]
    )
    assert plan.loc["X"].filter(like="_basis").isna().all()
    assert plan.attrs["as_of"] == T(AS_OF)


def test_durations_override_and_errors() -> None:
    stages = pd.Series({"Q": "supply_ready"})
    plan = forward_schedule(stages, as_of=AS_OF, durations={"supply_ready": 10})
    assert plan.loc["Q", "supply_date"] == T("2026-01-10")
    with pytest.raises(la.LandassetValueError, match="not a stage with a typical stay"):
        forward_schedule(stages, as_of=AS_OF, durations={"waiting": 3})
    with pytest.raises(la.LandassetValueError, match="permit_start_window_months"):
        forward_schedule(stages, as_of=AS_OF, durations={"permitted": 3})
    with pytest.raises(la.LandassetValueError, match="whole number"):
        forward_schedule(stages, as_of=AS_OF, durations={"reserved": -1})


def test_empty_ledger(ledger: Ledger) -> None:
    plan = forward_schedule(ledger, as_of=AS_OF)
    assert plan.empty and "delivery_date" in plan.columns


def test_expected_delivery_assembly(ledger: Ledger) -> None:
    ledger.record("A", "supply_ready", "2025-12-01", actor="t", land_use="M1", far_max=2.0)
    ledger.record("B", "reserved", "2025-12-01", actor="t")
    _supply(ledger, "C", "2025-06-01", "2026-03-01", "2028-03-01")
    single = expected_delivery(ledger, ["A", "B"], as_of=AS_OF)
    assert single.index.name == "parcel_id"
    assert single["A"] == T("2026-03-31")  # 2025-12-01 + 120 days
    assert single["B"] == T("2027-03-31")  # 2025-12-01 + 365 + 120
    by_candidate = expected_delivery(ledger, {"AB": ["A", "B"], "AC": ["A", "C"]}, as_of=AS_OF)
    assert by_candidate["AB"] == T("2027-03-31")  # the latest of the assembly
    assert pd.isna(by_candidate["AC"])  # C is supplied: the assembly cannot be delivered
    with pytest.raises(KeyError, match="ZZ"):
        expected_delivery(ledger, ["A", "ZZ"], as_of=AS_OF)


@pytest.fixture(scope="module")
def sample_plan() -> pd.DataFrame:
    with Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
        return forward_schedule(ledger, as_of=AS_OF)


def test_sample_reserve_plots(sample_plan: pd.DataFrame) -> None:
    # XH120101-08 supply-ready since 2025-08-18, -09 since 2025-05-29: 120 typical days
    # of supply_ready end before 2025-12-31, and a planned date is never before as_of,
    # so supply (delivery) = 2025-12-31; then 120 days (supplied) to the permit,
    # 2026-04-30, and the permit's 3-month start window (建筑法 §9): 2026-07-30
    for pid in ("XH120101-08", "XH120101-09"):
        row = sample_plan.loc[pid]
        assert row.stage == "supply_ready"
        assert row.delivery_date == T(AS_OF) and row.supply_basis == "typical"
        assert row.permit_date == T("2026-04-30") and row.permit_basis == "typical"
        assert row.start_date == T("2026-07-30") and row.start_basis == "policy"


def test_sample_aerospace_center(sample_plan: pd.DataFrame) -> None:
    # supplied 2022-12-26, started 2023-05-18, accepted 2025-09-26, filed 2025-10-10,
    # tenants in from 2025-12-24/25; agreed start 2023-06-30 → fee date 2024-06-30,
    # 409 days after the start
    for pid, operating in (("XH120205-01", "2025-12-25"), ("XH120205-02", "2025-12-24")):
        row = sample_plan.loc[pid]
        assert row.stage == "operating"
        assert row.supply_date == T("2022-12-26") and row.supply_basis == "actual"
        assert row.start_date == T("2023-05-18") and row.start_basis == "actual"
        assert row.completion_date == T("2025-09-26") and row.completion_basis == "actual"
        assert row.operation_date == T(operating) and row.operation_basis == "actual"
        assert row.idle_fee_slack_days == 409
        assert pd.isna(row.delivery_date)


def test_sample_idle_land_is_late(sample_plan: pd.DataFrame) -> None:
    # XH120304-01: agreed start 2023-09-30, not started: repossession date has passed
    row = sample_plan.loc["XH120304-01"]
    assert row.repossession_date == T("2025-09-30")
    assert row.repossession_slack_days < 0 and row.idle_fee_slack_days < 0


def test_sample_every_parcel_once(sample_plan: pd.DataFrame) -> None:
    assert sample_plan.index.is_unique and len(sample_plan) == 455
    in_reserve = sample_plan["stage"].isin(["planned", "acquiring", "reserved", "supply_ready"])
    assert sample_plan.loc[in_reserve, "delivery_date"].notna().all()
    assert sample_plan.loc[~in_reserve, "delivery_date"].isna().all()
    # planned dates are never before as_of
    for m in ("supply", "permit", "start", "completion", "operation"):
        planned = sample_plan[f"{m}_basis"].isin(["contract", "policy", "typical"])
        assert (sample_plan.loc[planned, f"{m}_date"] >= T(AS_OF)).all()


def test_only_the_current_cycle_counts(ledger: Ledger) -> None:
    # supplied in 2019, repossessed as idle land, supplied again in 2025 with a new
    # contract: the schedule reads the new supply and contract, not the old ones
    _supply(ledger, "C", "2019-01-01", "2019-06-01", "2021-06-01")
    ledger.record("C", "reserved", "2021-07-01", actor="t", reason="idle land repossessed")
    ledger.record("C", "supply_ready", "2024-01-01", actor="t", land_use="M1", far_max=2.0)
    _supply(ledger, "C", "2025-09-01", "2026-06-01", "2028-06-01")
    row = forward_schedule(ledger, as_of=AS_OF).loc["C"]
    assert row.supply_date == T("2025-09-01")
    assert row.agreed_start == T("2026-06-01") and row.start_basis == "contract"
    assert row.idle_fee_date == T("2027-06-01")
    # as of 2022 the parcel was back in the reserve: supply is planned again
    old = forward_schedule(ledger, as_of="2022-01-01").loc["C"]
    assert old.stage == "reserved" and old.supply_basis == "typical"
    assert pd.isna(old.agreed_start) and old.delivery_date == old.supply_date
