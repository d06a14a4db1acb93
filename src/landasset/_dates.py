"""What a date argument may be, and how it becomes a day.

Every ``as_of`` (and every other day a caller gives) goes through :func:`to_day`:
an ISO ``YYYY-MM-DD`` string, a :class:`datetime.date`, a :class:`datetime.datetime`
(its own wall-clock date) or a :class:`pandas.Timestamp` becomes a Timestamp at
midnight, without a time zone. Anything else is refused with a message naming the
form expected. ``as_of=None`` is not a day: it means "no date" (every recorded event
counts, every station is open) and callers keep it as None (:func:`to_day_or_none`).
pandas is imported only when a helper is called.

Examples
--------
>>> import datetime as dt
>>> to_day("2025-12-31")
Timestamp('2025-12-31 00:00:00')
>>> to_day(dt.datetime(2025, 12, 31, 17, 30))
Timestamp('2025-12-31 00:00:00')
>>> to_day_or_none(None) is None
True
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:  # pragma: no cover - typing only
    import numpy as np
    import pandas as pd

__all__ = ["DateLike", "is_iso_day_text", "to_day", "to_day_or_none"]

#: What a date argument may be (a numpy datetime64 is taken as its day too).
DateLike = Union[str, dt.date, dt.datetime, "pd.Timestamp", "np.datetime64"]

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _refuse(value: object, what: str, why: str = "is not a date") -> Exception:
    from landasset._errors import LandassetValueError

    return LandassetValueError(
        f"{what}={value!r} {why}; give a day as an ISO string 'YYYY-MM-DD' (such as "
        "'2025-12-31'), a datetime.date, a datetime or a pandas Timestamp"
    )


def is_iso_day_text(text: str) -> bool:
    """True when ``text`` (spaces around it aside) is written ``YYYY-MM-DD`` and nothing
    more: the one written form of a day everywhere in landasset.

    >>> is_iso_day_text("2026-03-01"), is_iso_day_text("2026-03-01T23:00")
    (True, False)
    """
    return _ISO_DAY.fullmatch(text.strip()) is not None


def to_day(value: object, *, what: str = "as_of") -> pd.Timestamp:
    """One day as a pandas Timestamp at midnight (no time zone).

    Parameters
    ----------
    value : str, date, datetime or Timestamp
        An ISO ``YYYY-MM-DD`` string, a date, a datetime or a Timestamp (a time of
        day is dropped; an aware value keeps its own wall-clock date).
    what : str
        The argument's name, for the message.

    Returns
    -------
    Timestamp

    Raises
    ------
    LandassetValueError
        ``value`` is None, missing, a number, a string in another form or not a day
        of the calendar.

    Examples
    --------
    >>> import datetime as dt
    >>> to_day(dt.date(2026, 3, 1))
    Timestamp('2026-03-01 00:00:00')
    >>> to_day("2026-02-30")
    Traceback (most recent call last):
    ...
    landasset.LandassetValueError: as_of='2026-02-30' is not a date (no such day in the calendar); ...
    """
    import numpy as np
    import pandas as pd

    if isinstance(value, str):
        text = value.strip()
        if not is_iso_day_text(text):
            raise _refuse(value, what, "is not a date written YYYY-MM-DD")
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise _refuse(value, what, "is not a date (no such day in the calendar)") from None
        return pd.Timestamp(day)
    if value is pd.NaT:
        raise _refuse(value, what, "is not a date (it is missing)")
    if isinstance(value, pd.Timestamp):
        return pd.Timestamp(value.date())
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value.date())
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    if isinstance(value, np.datetime64) and not np.isnat(value):
        return pd.Timestamp(value.astype("datetime64[D]"))
    raise _refuse(value, what)


def to_day_or_none(value: object, *, what: str = "as_of") -> pd.Timestamp | None:
    """:func:`to_day`, with None kept as None ("no date": nothing is filtered by date).

    >>> to_day_or_none("2026-03-01")
    Timestamp('2026-03-01 00:00:00')
    """
    return None if value is None else to_day(value, what=what)
