"""Table rows as JSON-ready records, numbers at full precision.

pandas' ``to_json`` rounds floats to 10 significant digits by default (15 at most);
a score or an area sent over HTTP should read back as the library computed it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def plain(value: Any) -> Any:
    """One value as JSON-ready Python: None for missing, days as YYYY-MM-DD."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None and value == value.normalize():
            return value.strftime("%Y-%m-%d")
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if value is pd.NA:
        return None
    if hasattr(value, "isoformat"):  # date, datetime
        return value.isoformat()
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` (its index left out) as JSON-ready dicts."""
    columns = [str(c) for c in frame.columns]
    return [
        dict(zip(columns, (plain(v) for v in row), strict=True))
        for row in frame.itertuples(index=False, name=None)
    ]
