"""landasset._dates.to_day: the one way a date argument becomes a day."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landasset import LandassetError
from landasset._dates import to_day, to_day_or_none
from landasset._errors import LandassetValueError


@given(st.dates())
def test_every_form_of_a_day_gives_the_same_timestamp(day: dt.date) -> None:
    expected = pd.Timestamp(year=day.year, month=day.month, day=day.day)
    text = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    forms = [
        text,
        f" {text} ",
        day,
        dt.datetime(day.year, day.month, day.day, 23, 59, 59),
        np.datetime64(text),
    ]
    for form in forms:
        got = to_day(form)
        assert got == expected and got.tzinfo is None and got == got.normalize(), form
    if 1678 <= day.year <= 2261:  # the range of a nanosecond Timestamp
        assert to_day(pd.Timestamp(text) + pd.Timedelta(hours=7)) == expected


def test_an_aware_datetime_keeps_its_own_wall_clock_day() -> None:
    late = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert to_day(late) == pd.Timestamp("2025-12-31")
    assert to_day(pd.Timestamp(late)) == pd.Timestamp("2025-12-31")


@pytest.mark.parametrize(
    "bad",
    [
        None,
        pd.NaT,
        float("nan"),
        20251231,
        2025.5,
        "2025/12/31",
        "31-12-2025",
        "2025-12",
        "2025",
        "20251231",
        "today",
        "2025-12-31T08:00",
        "2025-02-30",
        ["2025-12-31"],
        np.datetime64("NaT"),
    ],
)
def test_anything_else_is_refused_naming_the_form(bad: object) -> None:
    with pytest.raises(LandassetValueError, match=r"when=.* is not a date.*'YYYY-MM-DD'") as info:
        to_day(bad, what="when")
    assert isinstance(info.value, LandassetError) and isinstance(info.value, ValueError)


def test_none_is_no_date() -> None:
    assert to_day_or_none(None) is None
    assert to_day_or_none("2026-03-01") == pd.Timestamp("2026-03-01")
