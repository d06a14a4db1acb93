"""Which units of floor space (the ``spaces`` layer) are available to a new tenant.

A unit is available on a day when its ``status`` is ``vacant`` and its
``available_from`` is on or before that day (a vacant unit without a date is free
now). A ``reserved`` unit is held for a tenant in negotiation and a ``let`` unit is
leased: neither is available, unless ``include_reserved=True`` asks for the reserved
ones too (by the same date rule), to see what a failed negotiation would free. A unit
without status is never available (validation warns about it).

Examples
--------
>>> import landasset as la
>>> spaces = la.sample.load("yunqi").spaces
>>> free = available_spaces(spaces, as_of="2026-03-31")
>>> free.name, free.dtype.name, bool(free.any())
('available', 'bool', True)
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landasset._dates import to_day_or_none
from landasset._errors import LandassetKeyError, LandassetTypeError

__all__ = ["available_spaces"]


def available_spaces(
    spaces: gpd.GeoDataFrame | pd.DataFrame, *, as_of: Any, include_reserved: bool = False
) -> pd.Series:
    """True for each unit of floor space available on ``as_of``.

    Parameters
    ----------
    spaces : GeoDataFrame or DataFrame
        The ``spaces`` layer (``status`` and ``available_from`` columns).
    as_of : date-like or None
        The day (ISO ``"YYYY-MM-DD"``, date, datetime or Timestamp). None means no
        date: every vacant unit, whatever its ``available_from``.
    include_reserved : bool, default False
        Count reserved units too (by the same date rule).

    Returns
    -------
    Series of bool
        Named ``available``, aligned on ``spaces.index``: ``status`` is ``vacant``
        (or ``reserved`` with ``include_reserved``) and ``available_from`` is missing
        or on or before ``as_of``.

    Raises
    ------
    LandassetKeyError
        No ``status`` column, or no ``available_from`` column when ``as_of`` is given.
    LandassetValueError
        ``as_of`` is not a day.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> units = gpd.GeoDataFrame(
    ...     {
    ...         "status": ["vacant", "vacant", "reserved", "let"],
    ...         "available_from": pd.to_datetime(["2025-06-01", "2026-06-01", None, None]),
    ...     },
    ...     geometry=[Point(0, 0)] * 4,
    ...     index=pd.Index(["S1", "S2", "S3", "S4"], name="space_id"),
    ...     crs="EPSG:4549",
    ... )
    >>> available_spaces(units, as_of="2026-01-01").tolist()
    [True, False, False, False]
    >>> available_spaces(units, as_of=None).tolist()
    [True, True, False, False]
    >>> available_spaces(units, as_of="2026-01-01", include_reserved=True).tolist()
    [True, False, True, False]
    """
    if not isinstance(spaces, pd.DataFrame):
        raise LandassetTypeError(
            f"spaces is a {type(spaces).__name__}; pass the spaces layer (site.spaces)"
        )
    day = to_day_or_none(as_of)
    if "status" not in spaces.columns:
        raise LandassetKeyError(
            "the spaces layer has no 'status' column; add one (vacant, reserved or let)"
        )
    wanted = ["vacant", "reserved"] if include_reserved else ["vacant"]
    status = spaces["status"]
    free = status.isin(wanted).to_numpy(dtype=bool) & status.notna().to_numpy(dtype=bool)
    if day is not None:
        if "available_from" not in spaces.columns:
            raise LandassetKeyError(
                "the spaces layer has no 'available_from' column; add one, or pass as_of=None "
                "to count every vacant unit"
            )
        since = pd.to_datetime(spaces["available_from"])
        ready = (since.isna() | (since <= day)).to_numpy(dtype=bool)
        free &= ready
    return pd.Series(np.asarray(free, dtype=bool), index=spaces.index, name="available")
