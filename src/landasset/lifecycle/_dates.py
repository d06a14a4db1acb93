"""Dates of the ledger: what a date argument may be and how it becomes a day.

Every date the ledger takes (``on``, ``as_of``, date fields of the event data) goes
through :func:`to_days` (many at once, vectorised) or :func:`as_day` (one, refused
when it is not a date); stored dates are ISO ``YYYY-MM-DD`` text (:func:`iso`).
``DateLike`` and :func:`to_day` (one day as a Timestamp, for the readers such as the
KPI functions) are the library's own, from ``landasset._dates``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from landasset._dates import DateLike, is_iso_day_text, to_day
from landasset._errors import TransitionError

__all__ = ["DateLike", "as_day", "iso", "to_day", "to_days", "utc_now"]


def as_day(value: object, what: str = "date") -> np.datetime64:
    """One date (ISO string, date, datetime, Timestamp) as datetime64[D]."""
    days = to_days(np.array([value], dtype=object))
    if np.isnat(days[0]):
        raise TransitionError(
            f"{what} {value!r} is not a date; give an ISO date such as '2024-05-01', "
            "a datetime.date or a datetime"
        )
    return days[0]


def to_days(values: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """Dates as datetime64[D]; NaT for missing values and for what does not parse.

    Strings must be written ``YYYY-MM-DD`` and nothing more, as for every date of the
    library (``"2024"``, ``"2024-05"`` and ``"2024-05-01T23:00"`` are not days: a
    time could move the day); numbers are never dates.
    """
    if values.dtype.kind == "M":
        return values.astype("datetime64[D]")
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
    present = np.flatnonzero(np.asarray(pd.notna(values), dtype=bool))
    if not len(present):
        return out
    given = values[present]
    if all(
        (isinstance(v, str) and is_iso_day_text(v))
        or isinstance(v, np.datetime64)
        # a timezone-aware datetime keeps its own wall-clock date (numpy would shift it)
        or (isinstance(v, dt.date) and getattr(v, "tzinfo", None) is None)
        for v in given
    ):
        try:
            out[present] = np.array(given, dtype="datetime64[D]")
            return out
        except (ValueError, TypeError, OverflowError):
            pass
    for i in present:
        out[i] = _one_day(values[i])
    return out


def _one_day(v: object) -> np.datetime64:
    nat = np.datetime64("NaT")
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return nat
    if isinstance(v, dt.datetime):
        return np.datetime64(v.date(), "D")
    if isinstance(v, dt.date):
        return np.datetime64(v, "D")
    if isinstance(v, np.datetime64):
        return v.astype("datetime64[D]")
    if isinstance(v, str):
        if not is_iso_day_text(v):
            return nat
        try:
            return np.datetime64(dt.date.fromisoformat(v.strip()), "D")
        except ValueError:
            return nat
    return nat


def iso(days: npt.NDArray[np.datetime64]) -> npt.NDArray[np.object_]:
    return np.datetime_as_string(days, unit="D").astype(object)


def utc_now() -> str:
    now = dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
