"""Lifecycle files: whether a GeoPackage holds a ledger, and events from a CSV file.

:func:`has_ledger` looks into a file without writing to it; :func:`read_events_csv`
reads an events table exported from a spreadsheet into the frame
:meth:`~landasset.lifecycle.Ledger.record_many` takes, refusing what a person could
read two ways before anything reaches the append-only ledger.

Examples
--------
>>> import tempfile, pathlib
>>> from landasset.lifecycle import Ledger, has_ledger, read_events_csv
>>> tmp = tempfile.TemporaryDirectory()
>>> csv = pathlib.Path(tmp.name) / "events.csv"
>>> _ = csv.write_text(
...     "parcel_id,stage,date,land_use\\nXH-01,planned,2024-03-01,M1\\n", encoding="utf-8"
... )
>>> events = read_events_csv(csv, actor="土地科")
>>> events.loc[2, ["parcel_id", "stage", "on", "actor", "land_use"]].tolist()
['XH-01', 'planned', '2024-03-01', '土地科', 'M1']
>>> gpkg = pathlib.Path(tmp.name) / "site.gpkg"
>>> has_ledger(gpkg)
False
>>> with Ledger.open(gpkg) as ledger:
...     _ = ledger.record_many(events)
>>> has_ledger(gpkg)
True
>>> tmp.cleanup()
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import sqlite3
from pathlib import Path

import pandas as pd

from landasset._errors import LandassetIOError, LandassetValueError, SchemaError

__all__ = ["EVENTS_CSV_COLUMNS", "has_ledger", "read_events_csv"]

#: Columns an events CSV must have (a ``date`` column is read as ``on``).
EVENTS_CSV_COLUMNS = ("parcel_id", "stage", "on")

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def has_ledger(path: str | os.PathLike[str]) -> bool:
    """True when the file holds a lifecycle ledger; the file is opened read-only.

    A missing file, a file that is not SQLite (a Shapefile, a text file) and a
    GeoPackage without the events table all give False; nothing is created.

    Parameters
    ----------
    path : str or PathLike
        A GeoPackage (or any file).

    Returns
    -------
    bool

    Examples
    --------
    >>> has_ledger("no-such-file.gpkg")
    False
    """
    from landasset._sqlite import connect_read_only
    from landasset.lifecycle.ledger import EVENTS_TABLE

    if not Path(path).is_file():
        return False
    try:
        con = connect_read_only(path)
    except (sqlite3.Error, OSError):
        return False
    try:
        found = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (EVENTS_TABLE,)
        ).fetchone()
    except sqlite3.DatabaseError:
        return False
    finally:
        con.close()
    return found is not None


def read_events_csv(
    path: str | os.PathLike[str], *, actor: str, encoding: str = "utf-8-sig"
) -> pd.DataFrame:
    """Read an events CSV file as the frame :meth:`Ledger.record_many` takes.

    Columns: ``parcel_id``, ``stage``, ``on`` (or ``date``), optionally ``actor``;
    every other column is event data. Cells are stripped and empty cells become
    missing (so the ledger leaves them out). The index is the CSV line number
    (``line``, the header being line 1), so a refused row is named by its line.

    Parameters
    ----------
    path : str or PathLike
        A ``.csv`` file.
    actor : str
        Who records the events, for rows whose ``actor`` is empty (or with no such
        column).
    encoding : str, default "utf-8-sig"
        The text encoding (``"gbk"`` for a file saved by a Chinese Excel).

    Returns
    -------
    DataFrame
        Every column as text, indexed by ``line``.

    Raises
    ------
    LandassetIOError
        Not a ``.csv`` file, not text in ``encoding``, or not readable as CSV.
    LandassetValueError
        ``encoding`` is not a text encoding.
    SchemaError
        A required column is missing, the file holds no events, or a day is not
        written ``YYYY-MM-DD`` (``03/04/2026``, ``2026-03``, ``2026-03-01T23:00``
        could each be read more than one way).
    """
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise LandassetIOError(f"{path.name} is not a .csv file; export the events as CSV")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise LandassetValueError(
            f"{encoding!r} is not a text encoding; use utf-8 or gbk"
        ) from None
    if not path.is_file():
        raise LandassetIOError(f"no events file {str(path)!r}; check the path")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
    except UnicodeDecodeError:
        raise LandassetIOError(
            f"{path.name} is not {encoding} text; pass its encoding, e.g. --encoding gbk"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "empty"
        raise LandassetIOError(f"{path.name} is not a readable CSV file: {reason}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if "on" not in frame.columns and "date" in frame.columns:
        frame = frame.rename(columns={"date": "on"})
    missing = [c for c in EVENTS_CSV_COLUMNS if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{path.name} has no column {', '.join(missing)}; an events CSV needs the "
            f"columns {', '.join(EVENTS_CSV_COLUMNS)} (and optionally actor plus event data)"
        )
    if len(frame) == 0:
        raise SchemaError(f"{path.name} holds no events")
    frame = frame.apply(lambda col: col.str.strip()).replace("", None)
    if "actor" not in frame.columns:
        frame["actor"] = actor
    else:
        frame["actor"] = frame["actor"].fillna(actor)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")  # CSV line numbers
    _require_iso_days(frame["on"], path)
    return frame


def _require_iso_days(days: pd.Series, path: Path) -> None:
    """Refuse a day the ledger could read but a person could mean otherwise."""
    bad = []
    for line, value in days.dropna().items():
        problem = _day_problem(value)
        if problem:
            bad.append(f"line {line}: {problem}")
    if bad:
        more = f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""
        raise SchemaError(f"{path.name}, column on, {bad[0]}{more}; nothing was recorded")


def _day_problem(value: str) -> str | None:
    if not _ISO_DAY.fullmatch(value):
        return f"{value!r} is not a date written YYYY-MM-DD, such as 2026-03-01"
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a day of the calendar; write a real date as YYYY-MM-DD"
    return None
