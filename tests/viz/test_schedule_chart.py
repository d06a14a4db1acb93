"""The forward-schedule Gantt: bars read back from the artists, and an image."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

import landasset as la
from landasset.lifecycle import Ledger, forward_schedule
from landasset.viz import plot_schedule


def collection(ax: Any, kind: str) -> Any:
    (found,) = [c for c in ax.collections if c.get_gid() == f"schedule_{kind}"]
    return found


def extents(coll: Any) -> list[tuple[float, float]]:
    return sorted((p.vertices[:, 0].min(), p.vertices[:, 0].max()) for p in coll.get_paths())


@pytest.fixture
def plan() -> pd.DataFrame:
    with Ledger.open(":memory:") as ledger:
        # A: supplied with a contract, permitted; B: reserved
        ledger.record(
            "A",
            "supplied",
            "2025-03-01",
            actor="t",
            contract_id="C",
            mode="listing",
            price_10k_cny=100,
            agreed_start="2026-03-01",
            agreed_completion="2028-03-01",
        )
        ledger.record("A", "permitted", "2025-11-01", actor="t")
        ledger.record("B", "reserved", "2025-10-01", actor="t")
        return forward_schedule(ledger, as_of="2025-12-31")


def test_bars_and_extents(plan: pd.DataFrame, draw: Callable[[Any], None]) -> None:
    ax = plot_schedule(plan)
    draw(ax)
    d = mdates.date2num
    t = pd.Timestamp
    # A: supply → permit recorded (1 actual bar); permit → start → completion →
    # operation planned (3 bars); B: four planned steps; one contract bar (A)
    assert extents(collection(ax, "actual")) == [(d(t("2025-03-01")), d(t("2025-11-01")))]
    planned = extents(collection(ax, "planned"))
    assert len(planned) == 7
    a_steps = [
        (d(t("2025-11-01")), d(t("2026-03-01"))),
        (d(t("2026-03-01")), d(t("2028-03-01"))),
        (d(t("2028-03-01")), d(t("2028-05-30"))),
    ]
    assert set(a_steps) <= set(planned)
    b = plan.loc["B"]
    assert (d(b.supply_date), d(b.permit_date)) in planned
    assert extents(collection(ax, "contract")) == [(d(t("2026-03-01")), d(t("2028-03-01")))]
    assert [tick.get_text() for tick in ax.get_yticklabels()] == ["A", "B"]


def test_parcels_subset_and_errors(plan: pd.DataFrame) -> None:
    ax = plot_schedule(plan, parcels=["B"])
    assert len(collection(ax, "planned").get_paths()) == 4
    assert len(collection(ax, "contract").get_paths()) == 0
    with pytest.raises(KeyError, match="ZZ"):
        plot_schedule(plan, parcels=["ZZ"])
    with pytest.raises(la.SchemaError, match="forward_schedule"):
        plot_schedule(plan.drop(columns="start_basis"))


def test_sample_image(tmp_path: Path, fonts: str) -> None:
    with Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
        plan = forward_schedule(ledger, as_of="2025-12-31")
    ids = ["XH120205-01", "XH120205-02", "XH120101-08", "XH120101-09", "XH120304-01"]
    ax = plot_schedule(plan, parcels=ids)
    out = tmp_path / "schedule.png"
    ax.figure.savefig(out, dpi=60)
    assert out.stat().st_size > 5_000
    image = ax.figure.canvas.buffer_rgba()
    assert np.asarray(image).std() > 0
    # the aerospace center's steps up to operation are recorded: 4 actual bars each
    assert len(collection(ax, "actual").get_paths()) == 8
