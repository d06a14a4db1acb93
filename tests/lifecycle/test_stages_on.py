"""lifecycle.stages_on: the stage of each parcel on a day, from a ledger or a Series."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import landasset as la
from landasset.lifecycle import Ledger, Stage, stages_on


def _as_text(stages: pd.Series) -> pd.Series:
    return stages.map(lambda s: None if s is None or pd.isna(s) else str(getattr(s, "value", s)))


@pytest.mark.parametrize(
    "as_of", ["2021-01-01", "2023-06-30", dt.date(2025, 12, 31), pd.Timestamp("2025-12-31 17:00")]
)
def test_a_ledger_is_read_on_the_day(sample_ledger: Ledger, as_of: object) -> None:
    day = pd.Timestamp(str(as_of)[:10])
    got = stages_on(sample_ledger, as_of=as_of)
    # the oracle: each parcel's last event on or before the day, from the raw history
    events = sample_ledger.events().sort_values(["date", "seq"], kind="mergesort")
    assert events["corrects"].isna().all()  # the sample has no corrections
    events = events[pd.to_datetime(events["date"]) <= day]
    expected = events.groupby("parcel_id", sort=False)["stage"].last()
    got = got.dropna()
    assert got.index.sort_values().tolist() == expected.index.sort_values().tolist()
    assert (got.astype(str) == _as_text(expected).reindex(got.index)).all()


def test_none_is_the_latest_stage(sample_ledger: Ledger) -> None:
    latest = stages_on(sample_ledger)
    events = sample_ledger.events().sort_values(["date", "seq"], kind="mergesort")
    expected = events.groupby("parcel_id", sort=False)["stage"].last()
    assert (latest.dropna().astype(str) == _as_text(expected).reindex(latest.dropna().index)).all()
    early = stages_on(sample_ledger, as_of="2021-01-01").dropna()
    assert not early.equals(latest.dropna())


def test_a_series_is_taken_as_it_is() -> None:
    given = pd.Series([Stage("operating"), "retired", None], index=["A", "B", "C"])
    for as_of in (None, "2025-12-31"):
        got = stages_on(given, as_of=as_of)
        assert got.tolist() == ["operating", "retired", None]
        assert got.index.tolist() == ["A", "B", "C"] and got.name == "stage"


@pytest.mark.parametrize("bad", ["2025/12/31", "today", 2025])
def test_a_bad_day_is_refused_for_either_source(sample_ledger: Ledger, bad: object) -> None:
    for source in (sample_ledger, pd.Series({"A": "operating"})):
        with pytest.raises(la.LandassetValueError, match="is not a date"):
            stages_on(source, as_of=bad)


def test_a_value_that_is_not_a_stage_is_refused() -> None:
    with pytest.raises(la.SchemaError, match="'built' is not a lifecycle stage"):
        stages_on(pd.Series({"A": "built"}))
