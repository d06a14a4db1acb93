"""KPIs on a hand-built ledger (hand-computed values) and on the sample district's history."""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

import landasset as la
from landasset import SchemaError
from landasset.lifecycle import (
    LOW_EFFICIENCY,
    SAMPLE_AS_OF,
    Ledger,
    Policy,
    duration_summary,
    durations,
    idle_land,
    late_against_contract,
    low_efficiency,
    pipeline,
    sample_events,
)

X0, Y0 = 514_000.0, 3_350_000.0
AS_OF = "2025-03-10"


def contract(start: str, completion: str, price: float) -> dict[str, object]:
    return {
        "contract_id": f"C-{start}",
        "mode": "listing",
        "price_10k_cny": price,
        "agreed_start": start,
        "agreed_completion": completion,
    }


@pytest.fixture
def site() -> la.Site:
    """K1–K6 and K8: 100 m × 100 m (15 mu); K3 has far_min 1.0 on the parcel layer."""
    ids = ["K1", "K2", "K3", "K4", "K5", "K6", "K8"]
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ids,
            "land_use": "M1",
            "far_min": [np.nan, np.nan, 1.0, np.nan, 1.0, 1.0, np.nan],
        },
        geometry=[box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(len(ids))],
        crs="EPSG:4549",
    )
    # buildings: K3 7,500 m² (FAR 0.75), K5 30,000 m² (3.0), K6 20,000 m² (2.0)
    xs = {"K3": 2, "K5": 4, "K6": 5}
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["B3", "B5", "B6"],
            "parcel_id": list(xs),
            "gfa_m2": [7_500.0, 30_000.0, 20_000.0],
        },
        geometry=[box(X0 + 100 * i + 10, Y0 + 10, X0 + 100 * i + 60, Y0 + 60) for i in xs.values()],
        crs="EPSG:4549",
    )
    return la.Site(parcels=parcels, buildings=buildings)


@pytest.fixture
def kled() -> Iterator[Ledger]:
    with Ledger.open(":memory:") as led:
        # K1: supplied, agreed start 2024-03-01, never started
        led.record(
            "K1", "supplied", "2024-01-15", actor="a", **contract("2024-03-01", "2026-03-01", 1000)
        )
        # K2: permitted, agreed start 2024-06-01
        led.record(
            "K2", "supplied", "2024-02-01", actor="a", **contract("2024-06-01", "2026-06-01", 500)
        )
        led.record("K2", "permitted", "2024-05-01", actor="a")
        # K3: the whole way, late on every count
        led.record(
            "K3", "supplied", "2022-01-01", actor="a", **contract("2022-06-01", "2023-12-31", 800)
        )
        led.record("K3", "permitted", "2022-05-01", actor="a")
        led.record("K3", "under_construction", "2022-09-10", actor="a", started_on="2022-09-10")
        led.record(
            "K3",
            "completed",
            "2024-02-20",
            actor="a",
            accepted_on="2024-01-20",
            filed_on="2024-02-20",
        )
        led.record("K3", "operating", "2024-04-01", actor="a")
        led.record("K4", "reserved", "2023-01-01", actor="a")
        led.record(
            "K5",
            "completed",
            "2024-12-01",
            actor="a",
            accepted_on="2024-11-25",
            filed_on="2024-12-01",
        )
        led.record("K6", "operating", "2020-01-01", actor="a")
        led.record("K7", "planned", "2024-01-01", actor="a")  # not on the parcel layer
        yield led


# -- idle land ------------------------------------------------------------------------------
def test_idle_land_hand_computed(kled: Ledger) -> None:
    table = idle_land(kled, as_of=AS_OF)
    assert table.index.tolist() == ["K1", "K2"]
    k1 = table.loc["K1"]
    assert k1.stage == "supplied"
    assert k1.days_past_start == 374  # 2024-03-01 → 2025-03-10 (2024 is a leap year)
    assert k1.fee_due_10k_cny == pytest.approx(200.0)  # 20 % of 1000
    assert k1.fee_date == pd.Timestamp("2025-03-01")
    assert k1.repossession_date == pd.Timestamp("2026-03-01")
    assert (k1.days_to_fee, k1.days_to_repossession, k1.status) == (-9, 356, "fee_due")
    k2 = table.loc["K2"]
    assert (k2.stage, k2.days_past_start, k2.days_to_fee, k2.fee_due_10k_cny, k2.status) == (
        "permitted", 282, 83, 0.0, "warning",
    )  # fmt: skip


def test_idle_land_thresholds_move_with_the_date_and_policy(kled: Ledger) -> None:
    assert idle_land(kled, as_of="2026-03-01").loc["K1", "status"] == "repossessable"
    assert idle_land(kled, as_of="2024-12-15").loc["K1", "status"] == "warning"  # 76 days to go
    assert "K1" not in idle_land(kled, as_of="2024-10-01").index  # 151 days to go
    assert (
        idle_land(kled, as_of="2024-10-01", policy=Policy(idle_warning_days=200)).loc[
            "K1", "status"
        ]
        == "warning"
    )
    lenient = idle_land(
        kled, as_of=AS_OF, policy=Policy(idle_fee_rate=0.1, repossession_after_years=3)
    )
    assert lenient.loc["K1", "fee_due_10k_cny"] == pytest.approx(100.0)
    assert lenient.loc["K1", "repossession_date"] == pd.Timestamp("2027-03-01")
    assert idle_land(kled, as_of="2023-01-01").empty


def test_as_of_by_position_still_works_for_one_release(kled: Ledger, site: la.Site) -> None:
    # as_of became keyword-only; by position it gives the same answer and a FutureWarning
    with pytest.warns(FutureWarning, match=r"idle_land: pass as_of='2025-03-10' by keyword"):
        old = idle_land(kled, AS_OF)
    pd.testing.assert_frame_equal(old, idle_land(kled, as_of=AS_OF))
    with pytest.warns(FutureWarning, match=r"Ledger.stages: pass as_of="):
        assert kled.stages(AS_OF).equals(kled.stages(as_of=AS_OF))
    with pytest.warns(FutureWarning, match=r"pipeline: pass as_of="):
        pipeline(kled, site, AS_OF)
    with pytest.raises(TypeError, match="multiple values for as_of"):
        idle_land(kled, AS_OF, as_of=AS_OF)


def test_started_land_is_not_idle(kled: Ledger) -> None:
    kled.record("K1", "permitted", "2025-03-11", actor="a")
    kled.record("K1", "under_construction", "2025-03-12", actor="a", started_on="2025-03-12")
    assert "K1" not in idle_land(kled, as_of="2025-06-01").index
    assert "K1" in idle_land(kled, as_of="2025-03-11").index  # permitted, still not started


# -- pipeline and durations -----------------------------------------------------------------
def test_pipeline_hand_computed(kled: Ledger, site: la.Site) -> None:
    table = pipeline(kled, site, as_of=AS_OF)
    assert table.loc["supplied", ["parcels", "area_mu"]].tolist() == [1, pytest.approx(15.0)]
    assert table.loc["operating", ["parcels", "area_mu"]].tolist() == [2, pytest.approx(30.0)]
    assert table.loc["unrecorded", ["parcels", "area_mu"]].tolist() == [
        1,
        pytest.approx(15.0),
    ]  # K8
    assert table.loc["planned", "parcels"] == 1 and np.isnan(table.loc["planned", "area_mu"])  # K7
    assert table.loc["retired", ["parcels", "area_mu"]].tolist() == [0, 0.0]
    assert table["parcels"].sum() == 8
    assert table.loc["renewal", "label_zh"] == "更新改造(腾笼换鸟)"
    before = pipeline(kled, site, as_of="2023-06-30")
    assert before.loc["supplied", "parcels"] == 0 and before.loc["operating", "parcels"] == 1


def test_durations_hand_computed(kled: Ledger) -> None:
    table = durations(kled, as_of=AS_OF)
    k3 = table.loc["K3"]
    assert k3[["supplied", "permitted", "under_construction", "completed", "operating"]].tolist() == [
        120.0, 132.0, 528.0, 41.0, 343.0,
    ]  # fmt: skip
    assert np.isnan(k3["reserved"])
    assert table.loc["K4", "reserved"] == 799.0  # 2023-01-01 → 2025-03-10, still open
    summary = duration_summary(kled, as_of=AS_OF)
    assert summary.loc["permitted", "stays"] == 1  # K3's; K2 is still there
    assert summary.loc["permitted", "open_stays"] == 1
    assert summary.loc["permitted", "median_open_days"] == 313.0  # 2024-05-01 → 2025-03-10
    assert summary.loc["under_construction", "median_days"] == 528.0


# -- lateness -----------------------------------------------------------------------------------
def test_late_against_contract_hand_computed(kled: Ledger) -> None:
    table = late_against_contract(kled, as_of=AS_OF)
    assert set(table.index) == {"K1", "K2", "K3"}
    k3 = table.loc["K3"]
    assert (k3.start_delay_days, k3.completion_delay_days, k3.filing_delay_days) == (101, 20, 31)
    assert k3.started_on == pd.Timestamp("2022-09-10") and k3.accepted_on == pd.Timestamp(
        "2024-01-20"
    )
    assert k3.permit_start_deadline == pd.Timestamp("2022-08-01")
    assert bool(
        k3.start_late and k3.completion_late and k3.filing_late and k3.permit_window_exceeded
    )
    k1 = table.loc["K1"]
    assert k1.start_delay_days == 374 and not k1.completion_late and pd.isna(k1.started_on)
    assert bool(table.loc["K2", "permit_window_exceeded"])
    # a 15-day window: 31 days is late, a 40-day window is not
    assert not late_against_contract(kled, as_of=AS_OF, policy=Policy(filing_window_days=40)).loc[
        "K3", "filing_late"
    ]


# -- low efficiency ---------------------------------------------------------------------------
def test_low_efficiency_five_categories(kled: Ledger, site: la.Site) -> None:
    evaluation = pd.DataFrame({"parcel_id": ["K6", "K3"], "grade": ["D", "B"]})
    # K5 was filed 2024-12-01, 99 days before AS_OF: past a 90-day grace period
    short = Policy(built_not_operating_grace_days=90)
    table = low_efficiency(kled, site, as_of=AS_OF, evaluation=evaluation, policy=short)
    flags = table[list(LOW_EFFICIENCY)]
    expected = {
        "K4": "approved_not_supplied",
        "K1": "supplied_not_used",
        "K2": "supplied_not_used",
        "K3": "used_not_fully",
        "K5": "built_not_operating",
        "K6": "operating_below_standard",
    }
    assert set(table.index) == set(expected)
    for pid, column in expected.items():
        assert flags.loc[pid].sum() == 1 and flags.loc[pid, column], pid
    assert table.loc["K3", "far"] == pytest.approx(0.75) and table.loc["K3", "far_min"] == 1.0
    assert table.loc["K6", "categories"] == "投而未达标"
    assert table.loc["K4", "since"] == pd.Timestamp("2023-01-01")
    # without an evaluation nobody is below standard; before K1's agreed start it is not 供而未用
    plain = low_efficiency(kled, site, as_of="2024-02-15")
    assert not plain["operating_below_standard"].any()
    assert "K1" not in plain.index
    with pytest.raises(SchemaError, match="'grade' column"):
        low_efficiency(kled, site, as_of=AS_OF, evaluation=pd.DataFrame({"score": [1]}))


# -- the sample district ----------------------------------------------------------------------
def test_every_sample_parcel_has_its_stage(sample_ledger: Ledger, sample_site: la.Site) -> None:
    stages = sample_ledger.stages(as_of=SAMPLE_AS_OF)
    parcels = sample_site.parcels
    assert stages.index.sort_values().tolist() == parcels.index.sort_values().tolist()
    assert (stages.astype(str) == parcels["stage"].reindex(stages.index).astype(str)).all()
    assert set(stages.astype(str)) >= {
        "reserved",
        "supply_ready",
        "supplied",
        "under_construction",
        "completed",
        "operating",
        "renewal",
    }


def test_sample_aerospace_center(sample_ledger: Ledger) -> None:
    center = ["XH120205-01", "XH120205-02"]
    assert (
        sample_ledger.stages(as_of="2024-06-30").loc[center].tolist() == ["under_construction"] * 2
    )
    assert sample_ledger.stages(as_of="2023-05-01").loc[center].tolist() == ["permitted"] * 2
    for day in ["2025-10-10", "2025-11-01", "2026-11-26"]:
        assert set(sample_ledger.stages(as_of=day).loc[center]) <= {"completed", "operating"}
    history = sample_ledger.history("XH120205-01")
    started = history.loc[history.stage == "under_construction"].iloc[0]
    assert (started.date, started.started_on) == (pd.Timestamp("2023-05-18"), "2023-05-18")
    done = history.loc[history.stage == "completed"].iloc[0]
    assert (done.accepted_on, done.filed_on) == ("2025-09-26", "2025-10-10")


def test_sample_idle_land(sample_ledger: Ledger) -> None:
    today = idle_land(sample_ledger, as_of="2026-11-26")
    assert today.loc["XH120306-04", "status"] == "fee_due"
    assert today.loc["XH120304-01", "status"] == "repossessable"
    assert today.loc["XH120306-04", "agreed_start"] < pd.Timestamp("2025-11-26")
    at_as_of = idle_land(sample_ledger, as_of=SAMPLE_AS_OF)
    assert at_as_of.index.tolist() == ["XH120304-01", "XH120306-04"]


def test_sample_old_park_and_other_kpis(sample_ledger: Ledger, sample_site: la.Site) -> None:
    stages = sample_ledger.stages(as_of=SAMPLE_AS_OF)
    zone = sample_site.parcels["zone"]
    renewal = stages.index[stages == "renewal"]
    assert len(renewal) == 23 and set(zone.loc[renewal]) == {"老园区"}
    old_park = stages.loc[zone.index[zone == "老园区"]]
    assert set(old_park.astype(str)) == {"operating", "renewal"}
    # renewal came after decades of operation
    assert sample_ledger.stages(as_of="2023-01-01").loc[renewal].eq("operating").all()
    late = late_against_contract(sample_ledger, as_of=SAMPLE_AS_OF)
    assert (
        late.loc["XH120104-02", "filing_delay_days"] == 45
        and late.loc["XH120104-02", "filing_late"]
    )
    table = pipeline(sample_ledger, sample_site, as_of=SAMPLE_AS_OF)
    assert (
        table["parcels"].sum() == len(sample_site.parcels)
        and table.loc["unrecorded", "parcels"] == 0
    )
    low = low_efficiency(sample_ledger, sample_site, as_of=SAMPLE_AS_OF)
    assert low.loc["XH120101-08", "approved_not_supplied"]
    for column in (
        "approved_not_supplied",
        "supplied_not_used",
        "used_not_fully",
    ):
        assert low[column].any(), column
    # the one completed parcel (XH120508-04, filed 2025-02-17) has a tenant: it is not
    # 建而未投, not even with no grace period at all (the aerospace center is operating)
    completed = sample_ledger.stages(as_of=SAMPLE_AS_OF).eq("completed")
    assert completed[completed].index.tolist() == ["XH120508-04"]
    assert not low["built_not_operating"].any()
    no_grace = low_efficiency(
        sample_ledger,
        sample_site,
        as_of=SAMPLE_AS_OF,
        policy=Policy(built_not_operating_grace_days=0),
    )
    assert not no_grace["built_not_operating"].any()
    summary = duration_summary(sample_ledger, as_of=SAMPLE_AS_OF)
    assert summary.loc["under_construction", "stays"] > 100


def test_sample_events_deterministic_and_for_the_sample_only(sample_site: la.Site) -> None:
    a, b = sample_events(sample_site), sample_events(sample_site)
    pd.testing.assert_frame_equal(a, b)
    assert (a["on"] <= SAMPLE_AS_OF).all()
    other = la.Site(parcels=sample_site.parcels[["geometry"]].iloc[:3])
    with pytest.raises(SchemaError, match="lacks"):
        sample_events(other)


def test_bundled_sample_ledger_holds_the_sample_history(sample_site: la.Site) -> None:
    from landasset.sample import sample_path

    events = sample_events(sample_site)
    with Ledger.open(sample_path("yunqi"), read_only=True) as stored:
        assert len(stored.events()) == len(events)
        with Ledger.open(":memory:") as fresh:
            fresh.record_many(events)
            pd.testing.assert_series_equal(
                stored.stages(as_of="2025-12-31").sort_index(),
                fresh.stages(as_of="2025-12-31").sort_index(),
            )
