"""The lifecycle ledger: an append-only event log in the site's GeoPackage.

Every change of a parcel's stage is an *event* (parcel, stage, date, who recorded
it, data). Events are only ever appended: triggers raise ``ABORT`` on UPDATE and
DELETE of the events table and on an INSERT that meets an existing key (``INSERT OR
REPLACE``, ``REPLACE INTO``, upserts), and a mistake is fixed by a correction, a new
event that replaces an earlier one. The stage of every parcel on any date is a
query over the log; parcel splits and merges keep their lineage.

Storage
-------
``landasset_events``
    ``event_id`` INTEGER PRIMARY KEY, ``parcel_id`` TEXT, ``stage`` TEXT, ``date``
    DATE (``YYYY-MM-DD``), ``recorded_at`` DATETIME (UTC, ``…T…Z``), ``actor``
    TEXT, ``data`` TEXT (JSON object, or NULL), ``corrects`` INTEGER (the event this
    one replaces), ``seq`` INTEGER (the event's place among the parcel's events: its
    own id, or for a correction the place of the event it replaces).
``landasset_lineage``
    ``lineage_id`` INTEGER PRIMARY KEY, ``parent_id``, ``child_id``, ``kind``
    (``split`` or ``merge``), ``date``, ``event_id`` (the parent's retiring event).

In a GeoPackage both tables are registered in ``gpkg_contents`` as ``attributes``
tables (QGIS lists them) and described in ``gpkg_data_columns`` (Chinese aliases, the
JSON mime type of ``data``, the stages as an enum constraint); the file still passes
the GeoPackage validator. A ``.sqlite`` file holds the same two tables and nothing
else.

Concurrency: the file keeps its own journal mode (a rollback journal, unless the file
is in WAL mode), with a busy timeout; each write is one ``BEGIN IMMEDIATE``
transaction that re-reads the parcels' current stages under the write lock, and a
write that still meets ``SQLITE_BUSY`` is retried with back-off. A crash (even
SIGKILL) mid-write leaves nothing of the batch behind, and so does a full disk: the
write is rolled back, the file keeps its old bytes, and the error names the disk.
Opening a file changes nothing in it until something is recorded.

Examples
--------
>>> import tempfile, pathlib
>>> from landasset.lifecycle import Ledger
>>> tmp = tempfile.TemporaryDirectory()
>>> ledger = Ledger.open(pathlib.Path(tmp.name) / "ledger.gpkg")
>>> _ = ledger.record("XH-01", "reserved", "2023-01-10", actor="储备中心")
>>> _ = ledger.record(
...     "XH-01", "supply_ready", "2023-06-01", actor="规划科", land_use="M1", far_max=2.5
... )
>>> ledger.stage("XH-01"), ledger.stage("XH-01", as_of="2023-03-01")
(<Stage.supply_ready: 'supply_ready'>, <Stage.reserved: 'reserved'>)
>>> ledger.record("XH-01", "operating", "2023-07-01", actor="x")
Traceback (most recent call last):
...
landasset._errors.TransitionError: 1 of 1 events refused, nothing was recorded:
  row 0, parcel 'XH-01' on 2023-07-01: cannot go from 'supply_ready' to 'operating'; allowed from 'supply_ready': reserved (needs reason), supplied (needs contract_id, ...), retired (needs reason)
>>> ledger.close(); tmp.cleanup()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import errno
import html
import json
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from shapely.geometry.base import BaseGeometry

from landasset._errors import (
    LandassetIOError,
    LandassetKeyError,
    LandassetTypeError,
    SchemaError,
    TransitionError,
)
from landasset._sqlite import connect_read_only, is_wal_file
from landasset.landuse import is_known_land_use
from landasset.lifecycle import _gpkg
from landasset.lifecycle.stages import (
    FIELDS,
    MODES,
    TRANSITIONS,
    Stage,
    describe_allowed,
    describe_move,
)

__all__ = ["EVENTS_TABLE", "LINEAGE_TABLE", "Event", "Ledger"]

#: Name of the events table.
EVENTS_TABLE = "landasset_events"
#: Name of the lineage table.
LINEAGE_TABLE = "landasset_lineage"

_T = TypeVar("_T")
_STAGES: tuple[Stage, ...] = tuple(Stage)
_STAGE_VALUES: tuple[str, ...] = tuple(s.value for s in Stage)
_CODE = {s.value: i for i, s in enumerate(Stage)}
_STAGE_INDEX = pd.Index(_STAGE_VALUES, dtype=object)
_NEW = len(_STAGES)  # code of "no earlier event" (a parcel's first event)
_RETIRED = _CODE["retired"]

# allowed[source_code, target_code]; source _NEW is a first event
_ALLOWED = np.zeros((_NEW + 1, _NEW), dtype=bool)
_REQUIRED: dict[tuple[int, int], tuple[str, ...]] = {}
for _t in TRANSITIONS:
    _src = _NEW if _t.source is None else _CODE[_t.source.value]
    _ALLOWED[_src, _CODE[_t.target.value]] = True
    _REQUIRED[(_src, _CODE[_t.target.value])] = _t.required

#: Columns of the events table; data keys may not use these names.
_RESERVED_KEYS = frozenset(
    {
        "event_id",
        "parcel_id",
        "stage",
        "date",
        "on",
        "recorded_at",
        "actor",
        "data",
        "corrects",
        "seq",
    }
)
_FRAME_COLUMNS = ("parcel_id", "stage", "on", "actor")
_SUGGEST = {
    "date": "on",
    "day": "on",
    "recorded_by": "actor",
    "user": "actor",
    "parcel": "parcel_id",
}

_EVENT_COLUMNS = [
    _gpkg.Column("event_id", "事件编号", "event id; corrections refer to it"),
    _gpkg.Column("parcel_id", "地块编号", "parcel id"),
    _gpkg.Column("stage", "阶段", "lifecycle stage entered", constraint="landasset_stage"),
    _gpkg.Column("date", "日期", "date the stage was entered"),
    _gpkg.Column("recorded_at", "记录时间", "when the event was recorded (UTC)"),
    _gpkg.Column("actor", "记录人", "who recorded the event"),
    _gpkg.Column("data", "数据", "event data (JSON object)", mime_type="application/json"),
    _gpkg.Column("corrects", "更正事件", "event_id this event corrects and replaces"),
    _gpkg.Column("seq", "顺序", "place among the parcel's events"),
]
_LINEAGE_COLUMNS = [
    _gpkg.Column("lineage_id", "编号", "row id"),
    _gpkg.Column("parent_id", "原地块", "parcel split or merged away"),
    _gpkg.Column("child_id", "新地块", "parcel created"),
    _gpkg.Column("kind", "方式", "split (分割) or merge (合并)"),
    _gpkg.Column("date", "日期", "date of the split or merge"),
    _gpkg.Column("event_id", "注销事件", "the parent's retiring event"),
]

_SCHEMA = [
    f"""CREATE TABLE IF NOT EXISTS {EVENTS_TABLE} (
        event_id INTEGER PRIMARY KEY,
        parcel_id TEXT NOT NULL CHECK (length(parcel_id) > 0),
        stage TEXT NOT NULL CHECK (stage IN ({", ".join(f"'{v}'" for v in _STAGE_VALUES)})),
        date DATE NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
        recorded_at DATETIME NOT NULL,
        actor TEXT NOT NULL,
        data TEXT,
        corrects INTEGER REFERENCES {EVENTS_TABLE} (event_id),
        seq INTEGER NOT NULL
    )""",
    # covering index for "latest event per parcel on or before a date"
    f"CREATE INDEX IF NOT EXISTS {EVENTS_TABLE}_parcel_date "
    f"ON {EVENTS_TABLE} (parcel_id, date, seq, stage)",
    # an event is corrected at most once: corrections form chains, never forks
    f"CREATE UNIQUE INDEX IF NOT EXISTS {EVENTS_TABLE}_corrects "
    f"ON {EVENTS_TABLE} (corrects) WHERE corrects IS NOT NULL",
    f"""CREATE TRIGGER IF NOT EXISTS {EVENTS_TABLE}_no_update BEFORE UPDATE ON {EVENTS_TABLE}
        BEGIN SELECT RAISE(ABORT, '{EVENTS_TABLE} is append-only: events cannot be changed; record a correction (Ledger.correct) instead'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {EVENTS_TABLE}_no_delete BEFORE DELETE ON {EVENTS_TABLE}
        BEGIN SELECT RAISE(ABORT, '{EVENTS_TABLE} is append-only: events cannot be deleted; record a correction (Ledger.correct) instead'); END""",
    # INSERT OR REPLACE / REPLACE INTO delete the row holding the key without firing the
    # DELETE trigger (unless recursive_triggers is on in the writer's connection): an
    # insert that meets an existing key is refused before it can replace anything
    f"""CREATE TRIGGER IF NOT EXISTS {EVENTS_TABLE}_no_replace BEFORE INSERT ON {EVENTS_TABLE}
        WHEN EXISTS (SELECT 1 FROM {EVENTS_TABLE} WHERE event_id = NEW.event_id)
          OR (NEW.corrects IS NOT NULL
              AND EXISTS (SELECT 1 FROM {EVENTS_TABLE} WHERE corrects = NEW.corrects))
        BEGIN SELECT RAISE(ABORT, '{EVENTS_TABLE} is append-only: an event id or a corrected event cannot be recorded twice (no INSERT OR REPLACE, REPLACE INTO or upsert); record a new event or a correction (Ledger.correct) instead'); END""",
    f"""CREATE TABLE IF NOT EXISTS {LINEAGE_TABLE} (
        lineage_id INTEGER PRIMARY KEY,
        parent_id TEXT NOT NULL,
        child_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('split', 'merge')),
        date DATE NOT NULL,
        event_id INTEGER NOT NULL REFERENCES {EVENTS_TABLE} (event_id),
        UNIQUE (parent_id, child_id)
    )""",
    f"CREATE INDEX IF NOT EXISTS {LINEAGE_TABLE}_child ON {LINEAGE_TABLE} (child_id)",
    f"""CREATE TRIGGER IF NOT EXISTS {LINEAGE_TABLE}_no_update BEFORE UPDATE ON {LINEAGE_TABLE}
        BEGIN SELECT RAISE(ABORT, '{LINEAGE_TABLE} is append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {LINEAGE_TABLE}_no_delete BEFORE DELETE ON {LINEAGE_TABLE}
        BEGIN SELECT RAISE(ABORT, '{LINEAGE_TABLE} is append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {LINEAGE_TABLE}_no_replace BEFORE INSERT ON {LINEAGE_TABLE}
        WHEN EXISTS (SELECT 1 FROM {LINEAGE_TABLE} WHERE lineage_id = NEW.lineage_id)
          OR EXISTS (SELECT 1 FROM {LINEAGE_TABLE}
                     WHERE parent_id = NEW.parent_id AND child_id = NEW.child_id)
        BEGIN SELECT RAISE(ABORT, '{LINEAGE_TABLE} is append-only: a lineage row cannot be recorded twice (no INSERT OR REPLACE, REPLACE INTO or upsert)'); END""",
]
#: Triggers every ledger has (a ledger written by an older version gets the missing ones
#: when it is next opened for writing).
_TRIGGERS = frozenset(
    f"{table}_{what}"
    for table in (EVENTS_TABLE, LINEAGE_TABLE)
    for what in ("no_update", "no_delete", "no_replace")
)

_EFFECTIVE = f"event_id NOT IN (SELECT corrects FROM {EVENTS_TABLE} WHERE corrects IS NOT NULL)"


def _effective(con: sqlite3.Connection) -> str:
    """SQL condition keeping events no correction replaced (trivial while there is none)."""
    any_correction = con.execute(
        f"SELECT 1 FROM {EVENTS_TABLE} WHERE corrects IS NOT NULL LIMIT 1"
    ).fetchone()
    return _EFFECTIVE if any_correction else "1 = 1"


# -- values ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    """One recorded event.

    Attributes
    ----------
    event_id : int
        Its id in the ledger.
    parcel_id : str
    stage : Stage
        The stage entered.
    date : datetime.date
        The day the stage was entered.
    recorded_at : datetime.datetime
        When it was recorded (UTC, timezone-aware).
    actor : str
        Who recorded it.
    data : mapping
        Its data (contract id, dates, …).
    corrects : int or None
        The event it replaces, for a correction.
    """

    event_id: int
    parcel_id: str
    stage: Stage
    date: dt.date
    recorded_at: dt.datetime
    actor: str
    data: Mapping[str, Any] = field(default_factory=dict)
    corrects: int | None = None


DateLike = str | dt.date | dt.datetime | pd.Timestamp


def _as_day(value: object, what: str = "date") -> np.datetime64:
    """One date (ISO string, date, datetime, Timestamp) as datetime64[D]."""
    days = _to_days(np.array([value], dtype=object))
    if np.isnat(days[0]):
        raise TransitionError(
            f"{what} {value!r} is not a date; give an ISO date such as '2024-05-01', "
            "a datetime.date or a datetime"
        )
    return days[0]


def _to_days(values: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """Dates as datetime64[D]; NaT for missing values and for what does not parse.

    Strings must start with a full ``YYYY-MM-DD`` date (``"2024"`` or ``"2024-05"``
    are not days); numbers are never dates.
    """
    if values.dtype.kind == "M":
        return values.astype("datetime64[D]")
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
    present = np.flatnonzero(np.asarray(pd.notna(values), dtype=bool))
    if not len(present):
        return out
    given = values[present]
    if all(
        (isinstance(v, str) and len(v) >= 10 and v[4] == "-" and v[7] == "-")
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


def _event_id(event_id: object) -> int:
    if isinstance(event_id, (int, np.integer)) and not isinstance(event_id, bool):
        return int(event_id)
    raise LandassetTypeError(
        f"event ids are whole numbers (Event.event_id, such as 3), not "
        f"{type(event_id).__name__} {event_id!r}"
    )


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
        text = v.strip()
        if len(text) < 10 or text[4] != "-" or text[7] != "-":
            return nat
        try:
            return np.datetime64(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date(), "D")
        except ValueError:
            return nat
    return nat


def _iso(days: npt.NDArray[np.datetime64]) -> npt.NDArray[np.object_]:
    return np.datetime_as_string(days, unit="D").astype(object)


def _utc_now() -> str:
    now = dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF) == sqlite3.SQLITE_FULL:
            return True
        return "disk is full" in str(exc).lower()
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


#: Room kept free beyond the estimate of what a write needs in WAL mode (and the least
#: room a WAL file is opened for writing with).
_ROOM_MARGIN = 256 * 1024
#: Room a fold (checkpoint) needs beyond the file's growth (the -shm, file-system blocks).
_FOLD_MARGIN = 64 * 1024
#: The ledger folds its WAL into the file after this many writes, or once the file
#: would grow by this much (SQLite's automatic checkpoint is off), and on close.
_FOLD_EVERY_WRITES = 100
_FOLD_AT_GROWTH_BYTES = 4 * 1024 * 1024


def _free_bytes(folder: Path) -> int:
    """Bytes free for the ledger's files on the disk holding ``folder``."""
    return int(shutil.disk_usage(folder).free)


def _checkpoint(con: sqlite3.Connection) -> None:
    """Copy the committed pages of the WAL into the database file (PASSIVE: never waits)."""
    con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _no_checkpoint_on_close(con: sqlite3.Connection) -> None:
    """Keep SQLite from folding the WAL into the file on close (Python 3.12+)."""
    flag = getattr(sqlite3, "SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE", None)
    if flag is not None:
        with contextlib.suppress(sqlite3.Error, AttributeError):
            con.setconfig(flag, True)  # type: ignore[attr-defined,unused-ignore]


def _cannot_open(path: Path, exc: sqlite3.OperationalError) -> LandassetIOError:
    """The error for a file that cannot be opened for writing (a full disk named as such)."""
    try:
        free = _free_bytes(path.parent)
    except OSError:
        free = None
    if _is_disk_full(exc) or (free is not None and free < _ROOM_MARGIN):
        return LandassetIOError(
            f"the disk holding {path.parent.resolve()} is full ({free:,} bytes free): cannot "
            f"open {path.name} for writing ({exc}); nothing was changed. Free space on that "
            "disk, or open it with read_only=True to query it"
        )
    return LandassetIOError(
        f"cannot open {path} for writing ({exc}); copy it somewhere writable, or open it "
        "with read_only=True to query it"
    )


def _known_index(known_parcels: Iterable[str] | None) -> pd.Index | None:
    if known_parcels is None:
        return None
    if isinstance(known_parcels, (str, bytes)):
        raise LandassetTypeError(
            f"known_parcels is a collection of parcel ids, not one id {known_parcels!r}; "
            f"give a list, a set or an Index, e.g. known_parcels=[{known_parcels!r}]"
        )
    ids = pd.Index(list(known_parcels), dtype=object)
    if ids.hasnans:
        raise LandassetTypeError("known_parcels holds a missing id (None or NaN); drop it")
    return ids.astype(str).unique()


def _undo(con: sqlite3.Connection, *, restore: bool) -> None:
    """Roll back the open transaction, whatever went wrong.

    With ``restore``, read once afterwards: after an I/O error (a full disk) SQLite may
    leave the rollback journal for the next reader to play back, and this reader puts
    the file itself back now.
    """
    if con.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            con.execute("ROLLBACK")
    if restore:
        with contextlib.suppress(sqlite3.Error):
            con.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()


# -- batches --------------------------------------------------------------------------------
@dataclass
class _Batch:
    """Events ready to check and insert, sorted by parcel then date then input order."""

    labels: npt.NDArray[Any]  # the caller's row labels, sorted order
    position: npt.NDArray[np.intp]  # row position in the caller's frame, sorted order
    parcel: npt.NDArray[np.object_]
    stage: npt.NDArray[np.intp]
    day: npt.NDArray[np.datetime64]
    actor: npt.NDArray[np.object_]
    data: dict[str, npt.NDArray[Any]]  # normalised values (object arrays, None = absent)
    json_keys: frozenset[str]  # columns whose values are JSON text (bind with json(?))
    corrects: npt.NDArray[Any] | None = None
    seq: npt.NDArray[Any] | None = None

    def __len__(self) -> int:
        return len(self.parcel)


class _Problems:
    """Problems found in a batch, by row; raised together as one TransitionError."""

    def __init__(self, batch: _Batch) -> None:
        self.batch = batch
        self.rows: list[tuple[int, str]] = []  # (sorted position, message), the first ones
        self.refused = np.zeros(len(batch), dtype=bool)

    def add(self, mask: npt.NDArray[np.bool_], message: str | Callable[[int], str]) -> None:
        self.refused |= mask
        for i in np.flatnonzero(mask)[:50]:
            self.rows.append((int(i), message(int(i)) if callable(message) else message))
        extra = int(mask.sum()) - 50
        if extra > 0:
            self.rows.append((int(np.flatnonzero(mask)[50]), f"… and {extra} more like it"))

    def raise_if_any(self) -> None:
        if not self.rows:
            return
        b = self.batch
        ordered = sorted(self.rows, key=lambda r: (int(b.position[r[0]]), r[1]))[:20]
        shown = []
        for i, message in ordered:
            day = "an unknown date" if np.isnat(b.day[i]) else str(b.day[i])
            shown.append(f"  row {b.labels[i]!r}, parcel {b.parcel[i]!r} on {day}: {message}")
        hidden = int(self.refused.sum()) - len({i for i, _ in ordered})
        if hidden > 0:
            shown.append(f"  … and {hidden} more refused events")
        raise TransitionError(
            f"{int(self.refused.sum())} of {len(b)} events refused, nothing was recorded:\n"
            + "\n".join(shown)
        )


def _normalise(
    frame: pd.DataFrame | Mapping[str, Any], labels: Sequence[Any] | None = None
) -> _Batch:
    """Check the shape and values of events (not the moves) and sort them."""
    if isinstance(frame, pd.DataFrame):
        columns = {str(c): frame[c] for c in frame.columns}
        if len(set(columns)) != frame.shape[1]:
            raise TransitionError("the events frame has duplicate column names; make them unique")
        row_labels = np.asarray(frame.index, dtype=object)
        n = len(frame)
    else:
        columns = {str(k): v for k, v in frame.items()}
        n = len(next(iter(columns.values()))) if columns else 0
        row_labels = np.asarray(labels if labels is not None else range(n), dtype=object)
    missing = [c for c in _FRAME_COLUMNS if c not in columns]
    if missing:
        hints = [f"{k!r} → {v!r}" for k, v in _SUGGEST.items() if k in columns and v in missing]
        raise TransitionError(
            f"the events frame lacks the column(s) {missing}; it needs {list(_FRAME_COLUMNS)} "
            "and every other column becomes event data"
            + (f" (rename {', '.join(hints)})" if hints else "")
        )
    clash = sorted((set(columns) - set(_FRAME_COLUMNS)) & _RESERVED_KEYS)
    if clash:
        hints = [f"{k!r} → {_SUGGEST[k]!r}" for k in clash if k in _SUGGEST]
        raise TransitionError(
            f"{clash} cannot be event data: these names belong to the events table; "
            + (f"rename {', '.join(hints)}" if hints else "rename or drop them")
        )

    def values(name: str) -> npt.NDArray[Any]:
        col = columns[name]
        arr = (
            col.to_numpy(dtype=object)
            if isinstance(col, pd.Series)
            else np.asarray(col, dtype=object)
        )
        if arr.ndim != 1 or len(arr) != n:
            raise TransitionError(f"column {name!r} has {len(arr)} values for {n} events")
        return arr

    parcel_raw = values("parcel_id")
    stage_raw = values("stage")
    actor_raw = values("actor")
    on_col = columns["on"]
    on_raw = (
        on_col.to_numpy()
        if isinstance(on_col, pd.Series) and on_col.dtype.kind == "M"
        else values("on")
    )

    parcel_null = np.asarray(pd.isna(parcel_raw), dtype=bool)
    parcel = _as_text(parcel_raw, parcel_null, _is_text_column(columns["parcel_id"]))
    # vectorised lookup (Stage members hash and compare like their identifiers)
    stage_code = np.asarray(
        _STAGE_INDEX.get_indexer(pd.Index(stage_raw, dtype=object)), dtype=np.intp
    )
    day = _to_days(on_raw)
    actor_null = np.asarray(pd.isna(actor_raw), dtype=bool)
    actor = _as_text(actor_raw, actor_null, _is_text_column(columns["actor"]))

    data: dict[str, npt.NDArray[Any]] = {}
    json_keys: set[str] = set()
    field_problems: list[tuple[npt.NDArray[np.bool_], str | Callable[[int], str]]] = []
    for name, col in columns.items():
        if name in _FRAME_COLUMNS:
            continue
        arr, is_json, probs = _normalise_field(name, col, n)
        if arr is None:
            continue
        data[name] = arr
        if is_json:
            json_keys.add(name)
        field_problems.extend(probs)
    field_problems.extend(_cross_checks(data))

    # sort: by parcel, then date, then input order (events of a parcel may come in any order)
    codes, _ = pd.factorize(parcel)
    day_int = day.astype(np.int64)
    order = np.lexsort((np.arange(n), day_int, codes))
    batch = _Batch(
        labels=row_labels[order],
        position=order,
        parcel=parcel[order],
        stage=stage_code[order],
        day=day[order],
        actor=actor[order],
        data={k: v[order] for k, v in data.items()},
        json_keys=frozenset(json_keys),
    )
    problems = _Problems(batch)

    def sorted_mask(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        return mask[order]

    problems.add(sorted_mask(parcel_null | (parcel == "")), "parcel_id is missing")
    bad_stage = sorted_mask(stage_code < 0)
    problems.add(
        bad_stage,
        lambda i: (
            f"{stage_raw[order[i]]!r} is not a stage; use one of: " + ", ".join(_STAGE_VALUES)
        ),
    )
    problems.add(
        sorted_mask(np.isnat(day)),
        lambda i: (
            f"'on' = {on_raw[order[i]]!r} is not a date (give an ISO date such as '2024-05-01')"
        ),
    )
    problems.add(
        sorted_mask(actor_null | (actor == "")), "actor is missing: say who records the event"
    )
    for mask, message in field_problems:
        if callable(message):
            problems.add(sorted_mask(mask), _by_input_row(message, order))
        else:
            problems.add(sorted_mask(mask), message)
    problems.raise_if_any()
    return batch


def _is_text_column(col: Any) -> bool:
    return isinstance(col, pd.Series) and isinstance(col.dtype, pd.StringDtype)


def _as_text(
    values: npt.NDArray[Any], null: npt.NDArray[np.bool_], all_text: bool = False
) -> npt.NDArray[np.object_]:
    """Values as Python strings ("" where null); strings pass through untouched."""
    out = values.copy()
    out[null] = ""
    if all_text:  # a string column: every value present is a str already
        return out
    other = np.fromiter((type(v) is not str for v in out), dtype=bool, count=len(out))
    if other.any():
        out[other] = [str(v) for v in out[other]]
    return out


def _by_input_row(
    message: Callable[[int], str], order: npt.NDArray[np.intp]
) -> Callable[[int], str]:
    """A message taking a sorted position, from one taking an input row position."""
    return lambda i: message(int(order[i]))


def _normalise_field(
    name: str, col: Any, n: int
) -> tuple[
    npt.NDArray[Any] | None, bool, list[tuple[npt.NDArray[np.bool_], str | Callable[[int], str]]]
]:
    """One data column: values to store (None where absent), JSON flag, problems."""
    series = col if isinstance(col, pd.Series) else pd.Series(list(col), dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    raw = series.to_numpy(dtype=object)
    null = np.asarray(pd.isna(raw), dtype=bool)
    if null.all():
        return None, False, []
    spec = FIELDS.get(name)
    out = np.full(n, None, dtype=object)
    problems: list[tuple[npt.NDArray[np.bool_], str | Callable[[int], str]]] = []
    present = ~null
    if spec is not None and spec.kind == "date":
        src = series.to_numpy() if series.dtype.kind == "M" else raw
        days = _to_days(src)
        bad = present & np.isnat(days)
        problems.append((bad, lambda i: f"{name} = {raw[i]!r} is not a date"))
        ok = present & ~bad
        given = raw[ok]
        if all(type(v) is str and len(v) == 10 for v in given):
            out[ok] = given  # parsed fine and already canonical: YYYY-MM-DD
        else:
            out[ok] = _iso(days[ok])
        return out, False, problems
    if spec is not None and spec.kind == "number":
        nums = pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = present & (~np.isfinite(nums) | (nums < 0))
        problems.append((bad, lambda i: f"{name} = {raw[i]!r} is not a number ≥ 0"))
        ok = present & ~bad
        out[ok] = nums[ok].tolist()
        return out, False, problems
    if spec is not None and spec.kind in ("text", "mode", "land_use"):
        text = np.full(n, None, dtype=object)
        text[present] = [str(v).strip() for v in raw[present]]
        if spec.kind == "mode":
            bad = present & ~np.isin(text, list(MODES))
            problems.append(
                (
                    bad,
                    lambda i: (
                        f"mode {raw[i]!r} is not a supply mode; use one of: " + ", ".join(MODES)
                    ),
                )
            )
        elif spec.kind == "land_use":
            known = is_known_land_use(pd.Series(text)).to_numpy()
            bad = present & ~known
            problems.append(
                (
                    bad,
                    lambda i: (
                        f"land_use {raw[i]!r} is not a known land-use code (see landasset.landuse.LAND_USE_CODES)"
                    ),
                )
            )
        else:
            bad = present & (text == "")
            problems.append((bad, f"{name} is empty"))
        out[present] = text[present]
        return out, False, problems
    # a field the ledger does not know: store it as given, as JSON
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        out[present] = [t.isoformat() for t in raw[present]]
        return out, False, problems
    if series.dtype.kind == "M":
        days = series.to_numpy()
        midnight = (days.astype("datetime64[D]") == days)[present].all()
        text = (
            np.datetime_as_string(days[present], unit="D")
            if midnight
            else np.datetime_as_string(days[present], unit="s")
        )
        out[present] = text.astype(object)
        return out, False, problems
    if series.dtype.kind in "iuf":
        out[present] = [v.item() if isinstance(v, np.generic) else v for v in raw[present]]
        return out, False, problems
    if series.dtype.kind != "b" and all(isinstance(v, str) for v in raw[present]):
        out[present] = raw[present]
        return out, False, problems
    # booleans, lists, mappings, mixed values: encoded here, bound with json(?)
    encoded = np.full(n, None, dtype=object)
    bad = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(present):
        try:
            encoded[i] = json.dumps(_plain(raw[i]), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            bad[i] = True
    problems.append((bad, lambda i: f"{name} = {raw[i]!r} cannot be stored as JSON"))
    return encoded, True, problems


def _plain(value: Any) -> Any:
    """A JSON-ready version of ``value`` (numpy scalars, dates, containers)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    return value


def _cross_checks(
    data: Mapping[str, npt.NDArray[Any]],
) -> list[tuple[npt.NDArray[np.bool_], str | Callable[[int], str]]]:
    out: list[tuple[npt.NDArray[np.bool_], str | Callable[[int], str]]] = []
    for low, high, what in (
        ("agreed_start", "agreed_completion", "agreed_completion is before agreed_start"),
        ("accepted_on", "filed_on", "filed_on is before accepted_on (filing follows acceptance)"),
        ("far_min", "far_max", "far_min is above far_max"),
    ):
        if low in data and high in data:
            a, b = data[low], data[high]
            both = np.asarray(pd.notna(a) & pd.notna(b), dtype=bool)
            bad = np.zeros(len(a), dtype=bool)
            if both.any():
                bad[both] = np.array(
                    [x > y for x, y in zip(a[both], b[both], strict=True)], dtype=bool
                )
            out.append((bad, what))
    return out


def _check_moves(
    batch: _Batch,
    state_stage: Mapping[str, int],
    state_day: Mapping[str, np.datetime64],
) -> None:
    """Check transitions, dates and required fields against the parcels' current state."""
    n = len(batch)
    first = np.ones(n, dtype=bool)
    first[1:] = batch.parcel[1:] != batch.parcel[:-1]
    prev_stage = np.empty(n, dtype=np.intp)
    prev_day = np.empty(n, dtype="datetime64[D]")
    prev_stage[1:] = batch.stage[:-1]
    prev_day[1:] = batch.day[:-1]
    starts = np.flatnonzero(first)
    start_ids = batch.parcel[starts]
    prev_stage[starts] = [state_stage.get(p, _NEW) for p in start_ids]
    prev_day[starts] = [state_day.get(p, np.datetime64("NaT")) for p in start_ids]

    problems = _Problems(batch)
    allowed = _ALLOWED[prev_stage, batch.stage]
    illegal = ~allowed
    problems.add(
        illegal,
        lambda i: (
            describe_move(_stage_of(prev_stage[i]), _STAGES[batch.stage[i]])
            + "; "
            + describe_allowed(_stage_of(prev_stage[i]))
        ),
    )
    early = ~np.isnat(prev_day) & (batch.day < prev_day)
    problems.add(
        early & allowed,
        lambda i: (
            f"the date is before the parcel's previous event ({prev_day[i]}); events of a "
            "parcel are recorded in date order (fix an earlier event with Ledger.correct)"
        ),
    )
    pair = prev_stage * (_NEW + 1) + batch.stage
    present = {k: np.asarray(pd.notna(arr), dtype=bool) for k, arr in batch.data.items()}
    for code in np.unique(pair[allowed]):
        src, tgt = divmod(int(code), _NEW + 1)
        need = _REQUIRED[(src, tgt)]
        if not need:
            continue
        rows = pair == code
        for name in need:
            lacking = rows & ~present.get(name, np.zeros(n, dtype=bool))
            if lacking.any():
                move = "a first event" if src == _NEW else f"going from {_STAGES[src].value!r}"
                problems.add(
                    lacking,
                    f"{move} to {_STAGES[tgt].value!r} needs {', '.join(need)}; {name} is missing",
                )
    problems.raise_if_any()


def _stage_of(code: int) -> Stage | None:
    return None if code == _NEW else _STAGES[code]


# -- the ledger ------------------------------------------------------------------------------
class Ledger:
    """An append-only lifecycle event log in a GeoPackage or SQLite file.

    Open one with :meth:`Ledger.open`; use it as a context manager or call
    :meth:`close`. A ledger holds one database connection and is meant for one
    thread; open one per process or thread (they coordinate through the file).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> with Ledger.open(pathlib.Path(tmp.name) / "events.sqlite") as ledger:
    ...     e = ledger.record("A-01", "planned", "2022-03-01", actor="储备中心")
    ...     _ = ledger.record("A-01", "acquiring", "2022-09-01", actor="储备中心")
    ...     ledger.stages().to_dict()
    {'A-01': 'acquiring'}
    >>> tmp.cleanup()
    """

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path | None,
        *,
        geopackage: bool,
        journal_mode: str,
    ) -> None:
        self._con = connection
        self._path = path
        self._geopackage = geopackage
        self._journal_mode = journal_mode
        self._retry_seconds = 120.0
        self._json1 = _has_json1(connection)
        self._read_only = False
        self._writes_since_fold = 0
        # the parcel ids events may name: None = not read yet (from the parcels layer),
        # or no check when _known_from is None too
        self._known: pd.Index | None = None
        self._known_from: str | None = "layer" if geopackage else None

    # -- opening and closing -----------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        read_only: bool = False,
        known_parcels: Iterable[str] | None = None,
    ) -> Ledger:
        """Open (or create) the ledger in a ``.gpkg`` or ``.sqlite`` file.

        Parameters
        ----------
        path : str or path-like
            A GeoPackage (``.gpkg``; created as an empty GeoPackage when missing, the
            ledger tables are added to an existing one) or a plain SQLite file
            (``.sqlite``, ``.sqlite3`` or ``.db``). ``":memory:"`` opens a throw-away
            ledger.
        timeout : float, default 30
            Seconds to wait for another writer's lock before retrying.
        read_only : bool, default False
            Open an existing ledger for queries only (nothing in the file changes, so a
            read-only file or folder is fine); recording then raises
            :class:`~landasset.LandassetIOError`.
        known_parcels : iterable of str, optional
            The parcel ids events may name; :meth:`record` and :meth:`record_many`
            refuse any other (a typo such as ``XH12O101-08``). By default the ids of
            the GeoPackage's ``parcels`` layer (read once, on the first write, and again
            when an id is missing, in case the layer gained parcels), and no check when
            the file has no such layer. Parcels created by :meth:`split` and
            :meth:`merge` are added.

        Raises
        ------
        LandassetIOError
            Unknown extension; the file is not a GeoPackage/SQLite database; it cannot
            be opened for writing; with ``read_only``, it is missing or holds no ledger.
            A file that is refused is left as it was.

        Examples
        --------
        >>> with Ledger.open(":memory:", known_parcels=["XH120101-08"]) as ledger:
        ...     ledger.record("XH12O101-08", "planned", "2024-01-01", actor="x")
        Traceback (most recent call last):
        ...
        landasset._errors.LandassetKeyError: 1 parcel id is not in known_parcels, nothing was recorded: 'XH12O101-08' (did you mean 'XH120101-08'?); correct the id, or add the parcel first
        """
        known = _known_index(known_parcels)
        text = os.fspath(path)
        if text == ":memory:":
            con = sqlite3.connect(":memory:", isolation_level=None)
            ledger = cls(con, None, geopackage=False, journal_mode="memory")
            ledger._setup()
            ledger._set_known(known)
            return ledger
        p = Path(text)
        ext = p.suffix.lower()
        if ext not in (".gpkg", ".sqlite", ".sqlite3", ".db"):
            raise LandassetIOError(
                f"a ledger lives in a GeoPackage (.gpkg) or a SQLite file (.sqlite, .sqlite3, .db), "
                f"not {p.suffix or 'a file without extension'!r}; name the file accordingly"
            )
        gpkg = ext == ".gpkg"
        if read_only:
            ledger = cls._open_read_only(p, timeout=timeout, geopackage=gpkg)
            ledger._set_known(known)
            return ledger
        if not p.parent.is_dir():
            raise LandassetIOError(f"the folder {p.parent} does not exist; create it first")
        existed = p.exists() and p.stat().st_size > 0
        if existed and is_wal_file(p) and _free_bytes(p.parent) < _ROOM_MARGIN:
            # opening a WAL file creates its -shm and -wal: on a full disk they would be
            # left half-made beside it
            raise _cannot_open(p, sqlite3.OperationalError("database or disk is full"))
        try:
            con = sqlite3.connect(p, timeout=timeout, isolation_level=None)
        except sqlite3.DatabaseError as exc:
            raise LandassetIOError(
                f"{p} is not a SQLite database or cannot be opened: {exc}"
            ) from None
        try:
            # everything that can refuse the file only reads it: a refused file is untouched
            try:
                mode = str(con.execute("PRAGMA journal_mode").fetchone()[0]).lower()
                is_gpkg = existed and _gpkg.is_geopackage(con)
            except sqlite3.OperationalError as exc:
                raise _cannot_open(p, exc) from None
            except sqlite3.DatabaseError as exc:
                raise LandassetIOError(
                    f"{p} is not a SQLite database or cannot be opened: {exc}"
                ) from None
            if gpkg and existed and not is_gpkg:
                raise LandassetIOError(
                    f"{p} is a SQLite database but not a GeoPackage (no gpkg_contents); "
                    "open it under a .sqlite name, or give a .gpkg written by GDAL/landasset"
                )
        except BaseException:
            con.close()
            raise
        ledger = cls(con, p, geopackage=gpkg, journal_mode=mode)
        try:
            con.execute("PRAGMA synchronous = FULL")
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA temp_store = MEMORY")
            # a REPLACE that deletes a row fires the DELETE triggers on this connection
            con.execute("PRAGMA recursive_triggers = ON")
            # the ledger folds the WAL itself, after checking the disk has room (_fold)
            con.execute("PRAGMA wal_autocheckpoint = 0")
            if gpkg:
                _gpkg.register_functions(con)
            ledger._setup()
        except sqlite3.OperationalError as exc:
            ledger._abandon()
            raise _cannot_open(p, exc) from None
        except BaseException:
            ledger._abandon()
            raise
        ledger._set_known(known)
        return ledger

    # -- known parcel ids ------------------------------------------------------------------
    def _set_known(self, known: pd.Index | None) -> None:
        if known is not None:
            self._known, self._known_from = known, "given"

    def _known_ids(self, con: sqlite3.Connection, *, refresh: bool = False) -> pd.Index | None:
        """The parcel ids events may name (None: no check)."""
        if self._known_from != "layer" or (self._known is not None and not refresh):
            return self._known
        layer = _gpkg.find_parcel_layer(con)
        if layer is None:
            self._known_from = None  # no parcels layer: nothing to check against
            return None
        rows = con.execute(
            f"SELECT parcel_id FROM {_gpkg.quote_identifier(layer.table)} WHERE parcel_id IS NOT NULL"
        ).fetchall()
        ids = pd.DataFrame.from_records(rows, columns=["parcel_id"])["parcel_id"]
        self._known = pd.Index(ids.astype(str).unique(), dtype=object)
        return self._known

    def _check_known(self, con: sqlite3.Connection, parcels: npt.NDArray[np.object_]) -> None:
        """Refuse parcel ids that are not known (inside the write transaction)."""
        known = self._known_ids(con)
        if known is None:
            return
        unique = pd.Index(pd.unique(parcels), dtype=object)
        missing = unique[~unique.isin(known)]
        if len(missing) and self._known_from == "layer":  # the layer may have gained parcels
            known = self._known_ids(con, refresh=True)
            assert known is not None
            missing = unique[~unique.isin(known)]
        if not len(missing):
            return
        where = (
            "known_parcels"
            if self._known_from == "given"
            else f"the parcels layer of {self._path.name if self._path else 'the file'}"
        )
        shown = []
        candidates = known.tolist() if len(known) <= 200_000 else []
        for i, pid in enumerate(missing[:20]):
            close = difflib.get_close_matches(str(pid), candidates, n=2) if i < 3 else []
            hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
            shown.append(f"{pid!r}{hint}")
        more = f", … and {len(missing) - 20} more" if len(missing) > 20 else ""
        count = f"{len(missing)} parcel id{'s are' if len(missing) > 1 else ' is'}"
        raise LandassetKeyError(
            f"{count} not in {where}, nothing was recorded: {', '.join(shown)}{more}; "
            "correct the id, or add the parcel first"
        )

    @classmethod
    def _open_read_only(cls, p: Path, *, timeout: float, geopackage: bool) -> Ledger:
        if not p.is_file():
            raise LandassetIOError(f"{p} does not exist; there is no ledger to read")
        try:
            con = connect_read_only(p, timeout=timeout)
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        except (sqlite3.DatabaseError, OSError) as exc:
            raise LandassetIOError(
                f"{p} is not a SQLite database or cannot be read: {exc}"
            ) from None
        if not {EVENTS_TABLE, LINEAGE_TABLE} <= names:
            con.close()
            raise LandassetIOError(
                f"{p} holds no lifecycle ledger; open it without read_only=True to create one"
            )
        con.execute("PRAGMA temp_store = MEMORY")
        if geopackage:
            _gpkg.register_functions(con)
        ledger = cls(con, p, geopackage=geopackage, journal_mode="read-only")
        ledger._read_only = True
        return ledger

    def _setup(self) -> None:
        def work(con: sqlite3.Connection) -> None:
            have = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            if self._geopackage and "gpkg_contents" not in have:
                _gpkg.create_geopackage(con)
            for sql in _SCHEMA:
                con.execute(sql)
            if self._geopackage:
                stage_enum = {s.value: f"{s.label_zh} {s.label}" for s in Stage}
                _gpkg.register_table(
                    con,
                    EVENTS_TABLE,
                    description="landasset lifecycle events (append-only) 地块生命周期事件",
                    columns=_EVENT_COLUMNS,
                    enums={"landasset_stage": stage_enum},
                )
                _gpkg.register_table(
                    con,
                    LINEAGE_TABLE,
                    description="landasset parcel lineage: splits and merges 地块分割合并谱系",
                    columns=_LINEAGE_COLUMNS,
                )

        have = {r[0] for r in self._con.execute("SELECT name FROM sqlite_master")}
        registered = True
        if self._geopackage and "gpkg_contents" in have:
            registered = bool(
                self._con.execute(
                    "SELECT count(*) FROM gpkg_contents WHERE table_name IN (?, ?)",
                    (EVENTS_TABLE, LINEAGE_TABLE),
                ).fetchone()[0]
                == 2
            )
        if {EVENTS_TABLE, LINEAGE_TABLE} <= have and registered and _TRIGGERS.issubset(have):
            return
        self._write(work)

    def close(self) -> None:
        """Close the connection (folding a WAL into the file first, when the file is in WAL mode).

        Raises
        ------
        LandassetIOError
            The disk cannot hold the events still in the file's ``-wal``: they stay
            there (the file itself keeps its earlier, consistent content).
        """
        con = self._con
        if con is None:
            return
        error: LandassetIOError | None = None
        try:
            if self._path is not None and not self._read_only:
                try:
                    self._fold()
                except LandassetIOError as exc:
                    error = exc
        finally:
            if error is not None:
                _no_checkpoint_on_close(con)
            con.close()
            self._con = None  # type: ignore[assignment]
        if error is not None:
            raise error

    def _abandon(self) -> None:
        """Close after a failed open; never raises."""
        with contextlib.suppress(Exception):
            self.close()
        con = self._con
        if con is not None:
            con.close()
            self._con = None  # type: ignore[assignment]

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        con = getattr(self, "_con", None)
        if con is not None:
            con.close()

    @property
    def path(self) -> Path | None:
        """The file the ledger lives in (None for an in-memory ledger)."""
        return self._path

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying SQLite connection (read freely; never write around the ledger)."""
        if self._con is None:
            raise LandassetIOError("the ledger is closed; open it again with Ledger.open")
        return self._con

    # -- transactions --------------------------------------------------------------------
    def _retry(self, action: Callable[[], _T]) -> _T:
        deadline = time.monotonic() + self._retry_seconds
        delay = 0.01
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)

    def _write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work`` in one BEGIN IMMEDIATE transaction, retried while the file is busy."""
        con = self.connection

        def attempt() -> _T:
            con.execute("BEGIN IMMEDIATE")
            try:
                result = work(con)
                self._check_room(con)
                con.execute("COMMIT")
            except BaseException as exc:
                # an I/O error (a full disk) may leave the rollback journal for the next
                # reader to play back; a busy lock or a refused batch does not
                _undo(
                    con,
                    restore=isinstance(exc, sqlite3.DatabaseError)
                    and not (isinstance(exc, sqlite3.OperationalError) and _is_busy(exc)),
                )
                raise
            return result

        try:
            result = self._retry(attempt)
        except sqlite3.IntegrityError as exc:
            raise TransitionError(f"the database refused the events: {exc}") from None
        except sqlite3.OperationalError as exc:
            if self._read_only:
                raise LandassetIOError(
                    f"the ledger in {self._path} was opened read-only; open it again without "
                    "read_only=True to record events"
                ) from None
            if self._out_of_room(exc):
                raise self._disk_full(0, committed=False) from None
            raise LandassetIOError(f"cannot write to {self._path}: {exc}") from None
        self._writes_since_fold += 1
        if self._journal_mode == "wal" and (
            self._writes_since_fold >= _FOLD_EVERY_WRITES
            or self._growth(con) >= _FOLD_AT_GROWTH_BYTES
        ):
            self._fold()
        return result

    # -- room on the disk ------------------------------------------------------------------
    # In WAL mode a commit only appends to the -wal; the database file itself changes
    # when the WAL is folded into it (a checkpoint), and a checkpoint that runs out of
    # disk half-way leaves a file that is malformed without its -wal. So a write is
    # committed only when the disk can hold both its WAL pages and the file's growth,
    # and the ledger folds the WAL itself (never SQLite's automatic checkpoint), each
    # time after checking that the growth fits.
    def _growth(self, con: sqlite3.Connection) -> int:
        """Bytes the database file grows by when the (committed or pending) WAL is folded."""
        assert self._path is not None
        page_size = int(con.execute("PRAGMA page_size").fetchone()[0])
        pages = int(con.execute("PRAGMA page_count").fetchone()[0])
        try:
            size = os.path.getsize(self._path)
        except OSError:
            size = 0
        return max(0, pages * page_size - size)

    def _out_of_room(self, exc: sqlite3.OperationalError) -> bool:
        """Whether ``exc`` comes from a full disk (SQLITE_FULL, or an I/O error such as a
        ``-shm`` that cannot grow, met with next to nothing free)."""
        if _is_disk_full(exc):
            return True
        if self._path is None or "i/o error" not in str(exc).lower():
            return False
        try:
            return _free_bytes(self._path.parent) < _ROOM_MARGIN
        except OSError:
            return False

    def _disk_full(self, need: int, *, committed: bool) -> LandassetIOError:
        assert self._path is not None
        folder = self._path.parent.resolve()
        try:
            free = f"{_free_bytes(folder):,} bytes free"
        except OSError:
            free = "free space unknown"
        wanted = f", about {need:,} needed" if need else ""
        name = self._path.name
        if committed:
            return LandassetIOError(
                f"the disk holding {folder} is full ({free}{wanted}): the new events are "
                f"recorded in {name}-wal but cannot be folded into {name}, which keeps its "
                f"earlier content. Free space on that disk and open the ledger again to fold "
                f"them in; until then keep {name}-wal beside {name} (copy both)"
            )
        return LandassetIOError(
            f"the disk holding {folder} is full ({free}{wanted}): nothing was recorded and "
            f"{name} is unchanged; free space on that disk (or move the file to a disk with "
            "room) and record again"
        )

    def _check_room(self, con: sqlite3.Connection) -> None:
        """Refuse (before COMMIT) a write whose WAL pages and file growth the disk cannot hold."""
        if self._path is None or self._journal_mode != "wal":
            return  # a rollback journal undoes a write that runs out of disk by itself
        growth = self._growth(con)
        if not growth:
            return
        # COMMIT writes the pages still in the page cache to the -wal (those that did not
        # fit in the cache are there already, their room taken): at most the cache, and
        # about the pages the write adds, with their frame headers and the few pages it
        # changes (measured: 1.01-1.03 x the growth, plus 12-16 KB). Then the file must
        # be able to grow by `growth` when the -wal is folded into it (_fold).
        page_size = int(con.execute("PRAGMA page_size").fetchone()[0])
        cache = int(con.execute("PRAGMA cache_size").fetchone()[0])
        cache_bytes = -cache * 1024 if cache < 0 else cache * page_size
        flush = min(2 * cache_bytes, growth + growth // 16 + 64 * page_size)
        need = flush + growth + _FOLD_MARGIN + _ROOM_MARGIN
        if _free_bytes(self._path.parent) < need:
            raise self._disk_full(need, committed=False)

    def _fold(self) -> None:
        """Fold the committed WAL into the database file when the disk can hold it."""
        if self._path is None or self._journal_mode != "wal":
            return
        con = self.connection
        self._writes_since_fold = 0
        growth = self._growth(con)
        need = growth + _FOLD_MARGIN
        if growth and _free_bytes(self._path.parent) < need:
            raise self._disk_full(need, committed=True)
        try:
            _checkpoint(con)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                return  # another connection is folding it
            if self._out_of_room(exc):
                raise self._disk_full(need, committed=True) from None
            raise LandassetIOError(f"cannot write to {self._path}: {exc}") from None

    # -- recording -------------------------------------------------------------------------
    def record(
        self, parcel_id: str, stage: Stage | str, on: DateLike, *, actor: str, **data: Any
    ) -> Event:
        """Record that ``parcel_id`` entered ``stage`` on ``on``.

        Parameters
        ----------
        parcel_id : str
        stage : Stage or str
        on : str, date or datetime
            The day the stage was entered (an ISO string such as ``"2024-05-01"``).
        actor : str
            Who records the event.
        **data
            The event's data: the fields :data:`~landasset.lifecycle.TRANSITIONS`
            requires for the move, and any others (stored as JSON).

        Returns
        -------
        Event

        Raises
        ------
        TransitionError
            The move is not allowed from the parcel's current stage, a required field is
            missing or invalid, or the date is before the parcel's last event.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> e = ledger.record(
        ...     "B-07", "supplied", "2024-02-01", actor="土地科",
        ...     contract_id="3301-2024-007", mode="listing", price_10k_cny=5200,
        ...     agreed_start="2024-08-01", agreed_completion="2026-08-01",
        ... )
        >>> e.stage, e.date, e.data["mode"]
        (<Stage.supplied: 'supplied'>, datetime.date(2024, 2, 1), 'listing')
        >>> ledger.record("B-07", "under_construction", "2024-09-01", actor="x")
        Traceback (most recent call last):
        ...
        landasset._errors.TransitionError: ... cannot go from 'supplied' to 'under_construction'; allowed from 'supplied': permitted, reserved (needs reason), retired (needs reason)
        >>> ledger.close(); tmp.cleanup()
        """
        columns: dict[str, Any] = {
            "parcel_id": [parcel_id],
            "stage": [stage],
            "on": [on],
            "actor": [actor],
        }
        for key, value in data.items():
            if key in _RESERVED_KEYS:
                raise TransitionError(
                    f"{key!r} cannot be event data: the name belongs to the events table"
                )
            columns[key] = [value]
        ids = self._record(_normalise(columns, labels=[0]))
        return self.event(int(ids[0]))

    def record_many(self, frame: pd.DataFrame) -> pd.Series:
        """Record many events in one transaction: all of them or none.

        Parameters
        ----------
        frame : DataFrame
            Columns ``parcel_id``, ``stage``, ``on`` and ``actor``; every other column
            is event data (null cells are left out of each event's data). Events of one
            parcel may come in any row order: they are taken in date order (rows of the
            same date in frame order).

        Returns
        -------
        Series
            ``event_id`` of each row, aligned on ``frame.index``.

        Raises
        ------
        TransitionError
            Any row is invalid; the message lists the rows (by index label) and what is
            wrong, and nothing is recorded.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.gpkg")
        >>> events = pd.DataFrame({
        ...     "parcel_id": ["P1", "P1", "P2"],
        ...     "stage": ["reserved", "supply_ready", "operating"],
        ...     "on": ["2021-01-05", "2022-03-01", "2015-06-30"],
        ...     "actor": "建账",
        ...     "land_use": [None, "M1", None],
        ...     "far_max": [None, 2.0, None],
        ... })
        >>> ledger.record_many(events).tolist()
        [1, 2, 3]
        >>> ledger.stages().to_dict()
        {'P1': 'supply_ready', 'P2': 'operating'}
        >>> ledger.close(); tmp.cleanup()
        """
        if not isinstance(frame, pd.DataFrame):
            raise TransitionError(
                f"record_many takes a DataFrame, not {type(frame).__name__}; "
                "use record() for a single event"
            )
        if len(frame) == 0:
            return pd.Series([], index=frame.index, name="event_id", dtype="int64")
        batch = _normalise(frame)
        ids = self._record(batch)
        out = np.empty(len(frame), dtype=np.int64)
        out[batch.position] = ids
        return pd.Series(out, index=frame.index, name="event_id")

    def _record(self, batch: _Batch) -> npt.NDArray[np.int64]:
        def work(con: sqlite3.Connection) -> npt.NDArray[np.int64]:
            self._check_known(con, batch.parcel)
            stage_now, day_now = self._state(con, batch.parcel)
            _check_moves(batch, stage_now, day_now)
            return self._insert(con, batch)

        return self._write(work)

    def _state(
        self, con: sqlite3.Connection, parcels: npt.NDArray[np.object_]
    ) -> tuple[dict[str, int], dict[str, np.datetime64]]:
        """Current stage code and last date of the given parcels (inside a transaction)."""
        if con.execute(f"SELECT 1 FROM {EVENTS_TABLE} LIMIT 1").fetchone() is None:
            return {}, {}
        unique = pd.unique(parcels)
        if len(unique) <= 200:
            marks = ", ".join("?" for _ in unique)
            rows = con.execute(
                f"SELECT parcel_id, stage, date, max(seq) FROM {EVENTS_TABLE} "
                f"WHERE parcel_id IN ({marks}) AND {_effective(con)} GROUP BY parcel_id",
                list(unique),
            ).fetchall()
        else:
            con.execute(
                "CREATE TEMP TABLE IF NOT EXISTS landasset_batch_ids (parcel_id TEXT PRIMARY KEY)"
            )
            con.execute("DELETE FROM temp.landasset_batch_ids")
            con.executemany(
                "INSERT OR IGNORE INTO temp.landasset_batch_ids VALUES (?)", ((p,) for p in unique)
            )
            rows = con.execute(
                # CROSS JOIN: loop over the batch's ids and seek each in the index
                f"SELECT e.parcel_id, e.stage, e.date, max(e.seq) FROM temp.landasset_batch_ids b "
                f"CROSS JOIN {EVENTS_TABLE} e ON e.parcel_id = b.parcel_id WHERE {_effective(con)} "
                "GROUP BY e.parcel_id"
            ).fetchall()
            con.execute("DELETE FROM temp.landasset_batch_ids")
        stage = {r[0]: _CODE[r[1]] for r in rows}
        day = {r[0]: np.datetime64(r[2], "D") for r in rows}
        return stage, day

    def _insert(self, con: sqlite3.Connection, batch: _Batch) -> npt.NDArray[np.int64]:
        first = (
            int(con.execute(f"SELECT coalesce(max(event_id), 0) FROM {EVENTS_TABLE}").fetchone()[0])
            + 1
        )
        n = len(batch)
        ids = np.arange(first, first + n, dtype=np.int64)
        recorded = _utc_now()
        stage = np.array(_STAGE_VALUES, dtype=object)[batch.stage]
        day = _iso(batch.day)
        corrects = batch.corrects if batch.corrects is not None else np.full(n, None, dtype=object)
        seq = batch.seq if batch.seq is not None else ids.astype(object)
        keys = list(batch.data)
        if keys:
            present = np.column_stack(
                [np.asarray(pd.notna(batch.data[k]), dtype=bool) for k in keys]
            )
            if len(keys) < 63:  # one integer key per null pattern: far faster than unique rows
                bits = present.astype(np.int64) @ (
                    np.int64(1) << np.arange(len(keys), dtype=np.int64)
                )
                codes, inverse = np.unique(bits, return_inverse=True)
                patterns = ((codes[:, None] >> np.arange(len(keys))) & 1).astype(bool)
            else:
                patterns, inverse = np.unique(present, axis=0, return_inverse=True)
            inverse = inverse.reshape(-1)
        else:
            patterns = np.zeros((1, 0), dtype=bool)
            inverse = np.zeros(n, dtype=np.intp)
        base = [ids, batch.parcel, stage, day, batch.actor, corrects, np.asarray(seq, dtype=object)]
        # events with different data fields go in with different statements; a large
        # batch is staged in memory first so that the table and its index are written in
        # one ordered pass (several passes spill the page cache to the WAL again and again)
        staged = len(patterns) > 1 and n > 5_000
        target = EVENTS_TABLE
        if staged:
            con.execute(
                "CREATE TEMP TABLE IF NOT EXISTS landasset_staging AS "
                f"SELECT * FROM main.{EVENTS_TABLE} WHERE 0"
            )
            con.execute("DELETE FROM temp.landasset_staging")
            target = "temp.landasset_staging"
        for g, pattern in enumerate(patterns):
            rows = np.flatnonzero(inverse == g)
            cols = [k for k, on in zip(keys, pattern, strict=True) if on]
            if self._json1:
                parts = []
                for j, k in enumerate(cols):
                    marker = f"?{8 + j}"
                    value = f"json({marker})" if k in batch.json_keys else marker
                    parts.append("'" + k.replace("'", "''") + "', " + value)
                data_sql = f"json_object({', '.join(parts)})" if cols else "NULL"
                params = [b[rows].tolist() for b in base] + [
                    batch.data[k][rows].tolist() for k in cols
                ]
            else:
                data_sql = "?8"
                encoded = (
                    [
                        _encode_row({k: batch.data[k][i] for k in cols}, batch.json_keys)
                        for i in rows
                    ]
                    if cols
                    else [None] * len(rows)
                )
                params = [b[rows].tolist() for b in base] + [encoded]
            sql = (
                f"INSERT INTO {target} (event_id, parcel_id, stage, date, recorded_at, actor, data, corrects, seq) "
                f"VALUES (?1, ?2, ?3, ?4, '{recorded}', ?5, {data_sql}, ?6, ?7)"
            )
            con.executemany(sql, zip(*params, strict=True))
        if staged:
            # one pass over the table and its index, in event order
            con.execute(f"INSERT INTO {EVENTS_TABLE} SELECT * FROM {target} ORDER BY event_id")
            con.execute(f"DELETE FROM {target}")
        if self._geopackage:
            _gpkg.touch(con, EVENTS_TABLE)
        return ids

    # -- corrections ---------------------------------------------------------------------------
    def correct(self, event_id: int, *, actor: str, reason: str, **changes: Any) -> Event:
        """Replace event ``event_id`` by a corrected copy (a new event; nothing is edited).

        Parameters
        ----------
        event_id : int
            The event to correct (the latest of a chain of corrections).
        actor : str
            Who corrects it.
        reason : str
            Why; stored as ``correction_reason`` in the new event's data.
        **changes
            ``stage=`` and ``on=`` change the stage and date; other keywords change data
            fields (``None`` removes one). The parcel's whole corrected history must
            still follow :data:`~landasset.lifecycle.TRANSITIONS`.

        Returns
        -------
        Event
            The replacement; from now on it stands in the parcel's history where the
            corrected event stood.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> e = ledger.record("C-3", "operating", "2020-01-01", actor="a")
        >>> fixed = ledger.correct(e.event_id, actor="b", reason="typo", on="2019-12-01")
        >>> fixed.corrects == e.event_id, ledger.stage("C-3", as_of="2019-12-15")
        (True, <Stage.operating: 'operating'>)
        >>> ledger.close(); tmp.cleanup()
        """
        if not isinstance(reason, str) or not reason.strip():
            raise TransitionError("a correction needs a reason: say why the event was wrong")
        unknown = {
            "parcel_id",
            "event_id",
            "recorded_at",
            "actor",
            "corrects",
            "seq",
            "data",
            "date",
        } & set(changes)
        if unknown:
            hint = " (use on= for the date)" if "date" in unknown else ""
            raise TransitionError(
                f"a correction cannot change {sorted(unknown)}{hint}; to move an event to another "
                "parcel, correct it to the right stage history and record it on that parcel"
            )

        def work(con: sqlite3.Connection) -> int:
            original = self._event_row(con, event_id)
            if original is None:
                raise TransitionError(f"there is no event {event_id} in the ledger")
            later = con.execute(
                f"SELECT event_id FROM {EVENTS_TABLE} WHERE corrects = ?", (event_id,)
            ).fetchone()
            if later is not None:
                raise TransitionError(
                    f"event {event_id} was already corrected by event {later[0]}; correct event "
                    f"{later[0]} instead"
                )
            linked = con.execute(
                f"SELECT 1 FROM {LINEAGE_TABLE} WHERE event_id = ?", (event_id,)
            ).fetchone()
            if linked is not None and "stage" in changes:
                raise TransitionError(
                    f"event {event_id} retired its parcel in a split or merge; its stage cannot be corrected"
                )
            data = dict(original.data)
            for key, value in changes.items():
                if key in ("stage", "on"):
                    continue
                if value is None:
                    data.pop(key, None)
                else:
                    data[key] = value
            data["correction_reason"] = reason
            new_stage = Stage.parse(changes.get("stage", original.stage))
            new_day = changes.get("on", original.date)
            # the parcel's corrected history, checked from its first event
            history = self._effective_rows(con, original.parcel_id)
            rows = []
            for ev in history:
                if ev.event_id == original.event_id:
                    rows.append(
                        {
                            "parcel_id": ev.parcel_id,
                            "stage": new_stage.value,
                            "on": new_day,
                            "actor": actor,
                            **data,
                        }
                    )
                else:
                    rows.append(
                        {
                            "parcel_id": ev.parcel_id,
                            "stage": ev.stage.value,
                            "on": ev.date,
                            "actor": ev.actor,
                            **ev.data,
                        }
                    )
            frame = pd.DataFrame(rows)
            labels = [ev.event_id for ev in history]
            frame.index = pd.Index(labels, name="event_id")
            full = _normalise(frame)
            if not np.array_equal(full.labels.astype(np.int64), np.array(labels, dtype=np.int64)):
                raise TransitionError(
                    f"the corrected date {new_day!r} would move event {event_id} past other events "
                    "of the parcel; correct those events too, one at a time"
                )
            _check_moves(full, {}, {})
            single = _normalise(
                pd.DataFrame(
                    [
                        {
                            "parcel_id": original.parcel_id,
                            "stage": new_stage.value,
                            "on": new_day,
                            "actor": actor,
                            **data,
                        }
                    ]
                )
            )
            single.corrects = np.array([original.event_id], dtype=object)
            single.seq = np.array([self._seq(con, original.event_id)], dtype=object)
            return int(self._insert(con, single)[0])

        return self.event(self._write(work))

    def _seq(self, con: sqlite3.Connection, event_id: int) -> int:
        return int(
            con.execute(
                f"SELECT seq FROM {EVENTS_TABLE} WHERE event_id = ?", (event_id,)
            ).fetchone()[0]
        )

    # -- reading -------------------------------------------------------------------------------
    def event(self, event_id: int) -> Event:
        """The event with id ``event_id``.

        Raises
        ------
        LandassetKeyError
            (a ``KeyError``) The ledger has no event ``event_id``.
        LandassetTypeError
            (a ``TypeError``) ``event_id`` is not a whole number.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> e = ledger.record("A", "reserved", "2020-01-01", actor="a")
        >>> ledger.event(e.event_id).stage
        <Stage.reserved: 'reserved'>
        >>> ledger.event(99)
        Traceback (most recent call last):
        ...
        landasset._errors.LandassetKeyError: there is no event 99 in the ledger ...
        >>> ledger.close(); tmp.cleanup()
        """
        found = self._event_row(self.connection, event_id)
        if found is None:
            raise LandassetKeyError(
                f"there is no event {event_id} in the ledger (it holds {len(self)}); "
                "find event ids in the index of ledger.events() or ledger.history(parcel_id)"
            )
        return found

    def _event_row(self, con: sqlite3.Connection, event_id: int) -> Event | None:
        row = con.execute(
            f"SELECT event_id, parcel_id, stage, date, recorded_at, actor, data, corrects "
            f"FROM {EVENTS_TABLE} WHERE event_id = ?",
            (_event_id(event_id),),
        ).fetchone()
        return None if row is None else _event(row)

    def _effective_rows(self, con: sqlite3.Connection, parcel_id: str) -> list[Event]:
        rows = con.execute(
            f"SELECT event_id, parcel_id, stage, date, recorded_at, actor, data, corrects "
            f"FROM {EVENTS_TABLE} WHERE parcel_id = ? AND {_effective(con)} ORDER BY seq",
            (parcel_id,),
        ).fetchall()
        return [_event(r) for r in rows]

    def __len__(self) -> int:
        """Number of events recorded (corrected ones included)."""
        return int(self.connection.execute(f"SELECT count(*) FROM {EVENTS_TABLE}").fetchone()[0])

    def parcel_ids(self) -> pd.Index:
        """Every parcel the ledger has an event for, sorted."""
        rows = self.connection.execute(
            f"SELECT DISTINCT parcel_id FROM {EVENTS_TABLE} ORDER BY parcel_id"
        ).fetchall()
        return pd.Index([r[0] for r in rows], name="parcel_id", dtype=object)

    def stage(self, parcel_id: str, as_of: DateLike | None = None) -> Stage | None:
        """The stage of one parcel on ``as_of`` (default: after its latest event).

        Returns None when the parcel's first event is after ``as_of``.

        Raises
        ------
        LandassetKeyError
            (a ``KeyError``) The ledger has no event for ``parcel_id``.
        """
        con = self.connection
        where, params = self._as_of_clause(as_of)
        row = con.execute(
            f"SELECT stage, max(seq) FROM {EVENTS_TABLE} WHERE parcel_id = ? {where} "
            f"AND {_effective(con)}",
            (str(parcel_id), *params),
        ).fetchone()
        if row is None or row[0] is None:
            if con.execute(
                f"SELECT 1 FROM {EVENTS_TABLE} WHERE parcel_id = ? LIMIT 1", (str(parcel_id),)
            ).fetchone():
                return None
            raise LandassetKeyError(self._unknown(parcel_id))
        return Stage(row[0])

    def _unknown(self, parcel_id: str) -> str:
        close = difflib.get_close_matches(str(parcel_id), self.parcel_ids().tolist(), n=3)
        hint = (
            f"; did you mean {', '.join(map(repr, close))}?"
            if close
            else "; check the id (ledger.parcel_ids() lists the parcels it knows)"
        )
        return f"the ledger has no event for parcel {parcel_id!r}{hint}"

    @staticmethod
    def _as_of_clause(as_of: DateLike | None) -> tuple[str, tuple[str, ...]]:
        if as_of is None:
            return "", ()
        return "AND date <= ?", (str(_as_day(as_of, "as_of")),)

    def stages(self, as_of: DateLike | None = None) -> pd.Series:
        """The stage of every parcel on ``as_of`` (default: after the latest events).

        Parcels whose first event is after ``as_of`` are left out. Corrections are
        applied: a corrected event's replacement counts, never the event itself.

        Returns
        -------
        Series
            ``stage``, categorical with the eleven stages as categories in lifecycle
            order, indexed by ``parcel_id`` (sorted).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> _ = ledger.record("A", "operating", "2020-01-01", actor="a")
        >>> _ = ledger.record("A", "renewal", "2024-01-01", actor="a")
        >>> _ = ledger.record("B", "planned", "2023-01-01", actor="a")
        >>> ledger.stages("2023-06-30").to_dict()
        {'A': 'operating', 'B': 'planned'}
        >>> ledger.stages("2021-01-01").to_dict()
        {'A': 'operating'}
        >>> ledger.close(); tmp.cleanup()
        """
        where, params = self._as_of_clause(as_of)
        rows = self.connection.execute(
            f"SELECT parcel_id, stage, max(seq) FROM {EVENTS_TABLE} "
            f"WHERE {_effective(self.connection)} {where} GROUP BY parcel_id",
            params,
        ).fetchall()
        if rows:
            ids, stage, _ = zip(*rows, strict=True)
        else:
            ids, stage = (), ()
        codes = np.fromiter((_CODE[s] for s in stage), dtype=np.int64, count=len(stage))
        cat = pd.Categorical.from_codes(codes, categories=pd.Index(_STAGE_VALUES))
        return pd.Series(
            cat, index=pd.Index(list(ids), name="parcel_id", dtype=object), name="stage"
        )

    def events(
        self,
        *,
        as_of: DateLike | None = None,
        parcels: Iterable[str] | None = None,
        stages: Iterable[Stage | str] | None = None,
        effective: bool = True,
    ) -> pd.DataFrame:
        """Events as a table with their data fields as columns.

        Parameters
        ----------
        as_of : date-like, optional
            Only events dated on or before this day.
        parcels : iterable of str, optional
            Only these parcels.
        stages : iterable of Stage or str, optional
            Only events entering these stages.
        effective : bool, default True
            Leave out events replaced by a correction (their replacements stay).

        Returns
        -------
        DataFrame
            ``event_id`` (index), ``parcel_id``, ``stage``, ``date`` (datetime64),
            ``recorded_at`` (UTC), ``actor``, ``corrects``, ``seq``, then one column per
            data key (dates stay ISO strings), ordered by parcel and place.
        """
        clauses = ["1 = 1"]
        params: list[Any] = []
        if effective:
            clauses.append(_effective(self.connection))
        if as_of is not None:
            clauses.append("date <= ?")
            params.append(str(_as_day(as_of, "as_of")))
        if stages is not None:
            values = [Stage.parse(s).value for s in stages]
            clauses.append(f"stage IN ({', '.join('?' for _ in values)})")
            params.extend(values)
        con = self.connection
        source = EVENTS_TABLE
        if parcels is not None:
            ids = list(dict.fromkeys(str(p) for p in parcels))
            con.execute(
                "CREATE TEMP TABLE IF NOT EXISTS landasset_query_ids (parcel_id TEXT PRIMARY KEY)"
            )
            con.execute("DELETE FROM temp.landasset_query_ids")
            con.executemany(
                "INSERT OR IGNORE INTO temp.landasset_query_ids VALUES (?)", ((p,) for p in ids)
            )
            clauses.append("parcel_id IN (SELECT parcel_id FROM temp.landasset_query_ids)")
        rows = con.execute(
            f"SELECT event_id, parcel_id, stage, date, recorded_at, actor, corrects, seq, data "
            f"FROM {source} WHERE {' AND '.join(clauses)} ORDER BY parcel_id, seq, event_id",
            params,
        ).fetchall()
        return _events_frame(rows)

    def history(self, parcel_id: str) -> pd.DataFrame:
        """Every event of one parcel, corrected ones included, in the order they stand.

        A correction stands right after the event it replaces. Columns as
        :meth:`events` plus ``superseded_by`` (the correcting event, if any) and
        ``effective`` (False for an event that a correction replaced).

        Raises
        ------
        LandassetKeyError
            (a ``KeyError``) The ledger has no event for ``parcel_id``.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> e = ledger.record("A", "reserved", "2020-01-01", actor="a", note="first")
        >>> _ = ledger.correct(e.event_id, actor="b", reason="wrong day", on="2020-02-01")
        >>> ledger.history("A")[["stage", "date", "effective", "superseded_by"]]
                     stage       date  effective  superseded_by
        event_id
        1         reserved 2020-01-01      False              2
        2         reserved 2020-02-01       True           <NA>
        >>> ledger.close(); tmp.cleanup()
        """
        frame = self.events(parcels=[parcel_id], effective=False)
        if frame.empty:
            raise LandassetKeyError(self._unknown(parcel_id))
        by = frame["corrects"].dropna().astype("int64")
        superseded = pd.Series(by.index.to_numpy(), index=by.to_numpy())
        frame["superseded_by"] = superseded.reindex(frame.index).astype("Int64")
        frame["effective"] = frame["superseded_by"].isna().to_numpy()
        front = [
            "parcel_id",
            "stage",
            "date",
            "recorded_at",
            "actor",
            "corrects",
            "superseded_by",
            "effective",
            "seq",
        ]
        return frame[front + [c for c in frame.columns if c not in front]]

    def timeline(self, *, as_of: DateLike | None = None) -> pd.DataFrame:
        """Each parcel's stays in each stage, with ``valid_from`` and ``valid_to``.

        ``valid_to`` is the date of the parcel's next event (NaT for the stay that is
        still open). Joined to the parcel layer on ``parcel_id``, the table drives
        QGIS's temporal controller (start and end fields).

        Returns
        -------
        DataFrame
            Columns ``parcel_id``, ``stage`` (categorical), ``valid_from``,
            ``valid_to`` (datetime64) and ``event_id``, ordered by parcel and time.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> _ = ledger.record("A", "completed", "2021-01-01", actor="a",
        ...                   accepted_on="2020-12-20", filed_on="2021-01-01")
        >>> _ = ledger.record("A", "operating", "2021-03-01", actor="a")
        >>> ledger.timeline()[["stage", "valid_from", "valid_to"]]
               stage valid_from   valid_to
        0  completed 2021-01-01 2021-03-01
        1  operating 2021-03-01        NaT
        >>> ledger.close(); tmp.cleanup()
        """
        where, params = self._as_of_clause(as_of)
        rows = self.connection.execute(
            f"SELECT parcel_id, stage, date, event_id FROM {EVENTS_TABLE} "
            f"WHERE {_effective(self.connection)} {where} ORDER BY parcel_id, seq",
            params,
        ).fetchall()
        frame = pd.DataFrame(rows, columns=["parcel_id", "stage", "valid_from", "event_id"])
        frame["valid_from"] = pd.to_datetime(frame["valid_from"], format="%Y-%m-%d")
        same = frame["parcel_id"].eq(frame["parcel_id"].shift(-1))
        frame["valid_to"] = frame["valid_from"].shift(-1).where(same)
        frame["stage"] = pd.Categorical(frame["stage"], categories=list(_STAGE_VALUES))
        frame["parcel_id"] = frame["parcel_id"].astype(object)
        return frame[["parcel_id", "stage", "valid_from", "valid_to", "event_id"]]

    # -- lineage ---------------------------------------------------------------------------
    def split(
        self,
        parcel_id: str,
        into: Mapping[str, BaseGeometry | None],
        on: DateLike,
        *,
        actor: str,
    ) -> list[Event]:
        """Split a parcel: it becomes ``retired`` and the new parcels take its stage.

        The new parcels' first events carry the parent's data (planning conditions,
        contract) with ``price_10k_cny`` shared by area (evenly when geometries are
        missing) and ``split_from``. When the ledger lives in a GeoPackage with a
        ``parcels`` layer, the new parcels are added to that layer (attributes copied
        from the parent, the given geometries, in the layer's CRS) in the same
        transaction; the parent stays in the layer so its history can still be mapped
        (its stage, ``retired``, comes from the ledger).

        Parameters
        ----------
        parcel_id : str
            The parcel to split.
        into : mapping of str to shapely geometry
            The new parcel ids and their polygons (None only when the file has no
            parcel layer).
        on : date-like
        actor : str

        Returns
        -------
        list of Event
            The parent's retiring event, then the new parcels' first events.
        """
        if not isinstance(into, Mapping) or len(into) < 2:
            raise TransitionError(
                "a split needs at least two new parcels: into={new_id: geometry, ...}"
            )
        return self._lineage("split", [str(parcel_id)], dict(into), on, actor)

    def merge(
        self,
        parcel_ids: Sequence[str],
        into: tuple[str, BaseGeometry | None],
        on: DateLike,
        *,
        actor: str,
    ) -> list[Event]:
        """Merge parcels into one: they become ``retired``, the new parcel takes their stage.

        The parcels must all be in the same stage. The new parcel's first event carries
        the first parcel's data with ``price_10k_cny`` summed and ``merged_from``. With
        a GeoPackage parcel layer the new parcel is added (attributes of the first
        parcel; geometry ``into[1]``, or the union of the parents' polygons when None).

        Returns
        -------
        list of Event
            The parents' retiring events, then the new parcel's first event.
        """
        ids = [str(p) for p in parcel_ids]
        if len(ids) < 2 or len(set(ids)) != len(ids):
            raise TransitionError("a merge needs two or more different parcels")
        if not isinstance(into, tuple) or len(into) != 2:
            raise TransitionError("into= is a pair (new_id, geometry); geometry may be None")
        return self._lineage("merge", ids, {str(into[0]): into[1]}, on, actor)

    def _lineage(
        self,
        kind: str,
        parents: list[str],
        children: dict[str, BaseGeometry | None],
        on: DateLike,
        actor: str,
    ) -> list[Event]:
        day = _as_day(on, "on")
        for geom in children.values():
            if geom is not None and (
                not isinstance(geom, BaseGeometry)
                or geom.is_empty
                or geom.geom_type not in ("Polygon", "MultiPolygon")
                or not geom.is_valid
            ):
                raise SchemaError(
                    f"new parcels need valid, non-empty polygons; got {getattr(geom, 'wkt', geom)!r:.80}"
                )

        def work(con: sqlite3.Connection) -> list[int]:
            stage_now, _ = self._state(con, np.array(parents, dtype=object))
            missing = [p for p in parents if p not in stage_now]
            if missing:
                raise TransitionError(
                    f"the ledger has no event for {missing}; record them before a {kind}"
                )
            stages = {p: _STAGES[stage_now[p]] for p in parents}
            if any(s is Stage.retired for s in stages.values()):
                raise TransitionError(
                    f"{[p for p, s in stages.items() if s is Stage.retired]} are already retired"
                )
            if len(set(stages.values())) > 1:
                listing = ", ".join(f"{p}: {s.value}" for p, s in stages.items())
                raise TransitionError(
                    f"parcels merged into one must be in the same stage; they are {listing}. "
                    "Bring them to one stage first"
                )
            stage = next(iter(stages.values()))
            taken = con.execute(
                f"SELECT DISTINCT parcel_id FROM {EVENTS_TABLE} WHERE parcel_id IN ({', '.join('?' for _ in children)})",
                list(children),
            ).fetchall()
            if taken:
                raise TransitionError(
                    f"{sorted(r[0] for r in taken)} already have events; new parcels need new ids"
                )
            layer = _gpkg.find_parcel_layer(con) if self._geopackage else None
            templates: dict[str, dict[str, Any]] = {}
            geoms = dict(children)
            if layer is not None:
                templates = layer.rows(con, parents)
                absent = [p for p in parents if p not in templates]
                if absent:
                    raise TransitionError(
                        f"{absent} are not in the {layer.table!r} layer of {self._path}; "
                        "a split or merge edits that layer, so the parcels must be in it"
                    )
                clash = layer.rows(con, list(children))
                if clash:
                    raise TransitionError(
                        f"{sorted(clash)} are already in the {layer.table!r} layer; choose new ids"
                    )
                for cid, geom in geoms.items():
                    if geom is None and kind == "merge":
                        from shapely import union_all

                        parts = [layer.geometry(templates[p]) for p in parents]
                        geoms[cid] = union_all([g for g in parts if g is not None])
                    elif geom is None:
                        raise SchemaError(
                            f"new parcel {cid!r} needs a polygon: the file has a parcel layer"
                        )
            profiles = {p: self._profile(con, p) for p in parents}
            base = dict(profiles[parents[0]])
            if kind == "merge":
                prices = [profiles[p].get("price_10k_cny") for p in parents]
                if all(v is not None for v in prices):
                    base["price_10k_cny"] = float(sum(float(v) for v in prices if v is not None))
                base["merged_from"] = list(parents)
                shares = dict.fromkeys(children, 1.0)
            else:
                base["split_from"] = parents[0]
                areas = _gpkg.areas(list(geoms.values()))
                if np.all(np.isfinite(areas)) and areas.sum() > 0:
                    shares = dict(zip(children, (areas / areas.sum()).tolist(), strict=True))
                else:
                    shares = {cid: 1.0 / len(children) for cid in children}
            rows: list[dict[str, Any]] = []
            into_value: Any = list(children) if kind == "split" else next(iter(children))
            for p in parents:
                rows.append(
                    {
                        "parcel_id": p,
                        "stage": "retired",
                        "on": day,
                        "actor": actor,
                        "reason": "split" if kind == "split" else "merged",
                        "into": into_value,
                    }
                )
            for cid in children:
                data = dict(base)
                if "price_10k_cny" in data and kind == "split":
                    data["price_10k_cny"] = round(float(data["price_10k_cny"]) * shares[cid], 6)
                rows.append(
                    {"parcel_id": cid, "stage": stage.value, "on": day, "actor": actor, **data}
                )
            frame = pd.DataFrame(rows)
            batch = _normalise(frame)
            stage_all, day_all = self._state(con, batch.parcel)
            _check_moves(batch, stage_all, day_all)
            ids = self._insert(con, batch)
            by_row = np.empty(len(frame), dtype=np.int64)
            by_row[batch.position] = ids
            retire = {p: int(by_row[i]) for i, p in enumerate(parents)}
            con.executemany(
                f"INSERT INTO {LINEAGE_TABLE} (parent_id, child_id, kind, date, event_id) VALUES (?, ?, ?, ?, ?)",
                [(p, c, kind, str(day), retire[p]) for p in parents for c in children],
            )
            if self._geopackage:
                _gpkg.touch(con, LINEAGE_TABLE)
            if layer is not None:
                for cid, geom in geoms.items():
                    assert geom is not None
                    layer.insert(con, templates[parents[0]], cid, geom)
            return by_row.tolist()

        ids = self._write(work)
        if self._known is not None:
            self._known = self._known.append(pd.Index(list(children), dtype=object)).unique()
        return [self.event(i) for i in ids]

    def _profile(self, con: sqlite3.Connection, parcel_id: str) -> dict[str, Any]:
        """The latest value of each data field over the parcel's effective events."""
        skip = {"reason", "correction_reason", "into", "split_from", "merged_from"}
        out: dict[str, Any] = {}
        for ev in self._effective_rows(con, parcel_id):
            out.update({k: v for k, v in ev.data.items() if k not in skip})
        return out

    def ancestors(self, parcel_id: str) -> list[str]:
        """Parcels that ``parcel_id`` was split or merged from, nearest first.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from shapely import box
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> _ = ledger.record("P", "reserved", "2020-01-01", actor="a")
        >>> _ = ledger.split("P", {"P-1": box(0, 0, 1, 1), "P-2": box(1, 0, 2, 1)}, "2021-01-01", actor="a")
        >>> _ = ledger.merge(["P-1", "P-2"], ("Q", None), "2022-01-01", actor="a")
        >>> ledger.ancestors("Q"), ledger.descendants("P")
        (['P-1', 'P-2', 'P'], ['P-1', 'P-2', 'Q'])
        >>> ledger.stages().to_dict()
        {'P': 'retired', 'P-1': 'retired', 'P-2': 'retired', 'Q': 'reserved'}
        >>> ledger.close(); tmp.cleanup()
        """
        return self._walk(parcel_id, "child_id", "parent_id")

    def descendants(self, parcel_id: str) -> list[str]:
        """Parcels made from ``parcel_id`` by splits and merges, nearest first."""
        return self._walk(parcel_id, "parent_id", "child_id")

    def _walk(self, parcel_id: str, key: str, other: str) -> list[str]:
        rows = self.connection.execute(
            f"""WITH RECURSIVE walk(id, depth) AS (
                    SELECT {other}, 1 FROM {LINEAGE_TABLE} WHERE {key} = ?
                    UNION
                    SELECT l.{other}, w.depth + 1 FROM {LINEAGE_TABLE} l JOIN walk w ON l.{key} = w.id
                )
                SELECT id, min(depth) AS d FROM walk GROUP BY id ORDER BY d, id""",
            (str(parcel_id),),
        ).fetchall()
        return [r[0] for r in rows]

    def lineage(self) -> pd.DataFrame:
        """The lineage table: ``parent_id``, ``child_id``, ``kind``, ``date``, ``event_id``."""
        rows = self.connection.execute(
            f"SELECT parent_id, child_id, kind, date, event_id FROM {LINEAGE_TABLE} ORDER BY lineage_id"
        ).fetchall()
        frame = pd.DataFrame(rows, columns=["parent_id", "child_id", "kind", "date", "event_id"])
        frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
        return frame

    # -- display ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        if self._con is None:
            return "<Ledger (closed)>"
        where = str(self._path) if self._path else ":memory:"
        return f"<Ledger {where}: {len(self):,} events>"

    def _repr_html_(self) -> str:
        if self._con is None:
            return "<div><strong>Ledger</strong> (closed)</div>"
        counts = self.stages().value_counts(sort=False)
        last = self.connection.execute(
            f"SELECT max(recorded_at), max(date) FROM {EVENTS_TABLE}"
        ).fetchone()
        body = "".join(
            f"<tr><td>{html.escape(s.label_zh)}</td><td><code>{s.value}</code></td>"
            f"<td style='text-align:right'>{int(counts.get(s.value, 0)):,}</td></tr>"
            for s in Stage
        )
        where = html.escape(str(self._path) if self._path else ":memory:")
        return (
            f"<div><strong>Ledger</strong> <code>{where}</code> — {len(self):,} events, "
            f"{int(counts.sum()):,} parcels; latest event {html.escape(str(last[1] or '—'))}, "
            f"last recorded {html.escape(str(last[0] or '—'))}"
            "<table><thead><tr><th>阶段</th><th>stage</th><th>parcels</th></tr></thead>"
            f"<tbody>{body}</tbody></table></div>"
        )


def _has_json1(con: sqlite3.Connection) -> bool:
    try:
        con.execute("SELECT json_object('a', json('1'))").fetchone()
    except sqlite3.OperationalError:
        return False
    return True


def _encode_row(values: Mapping[str, Any], json_keys: frozenset[str]) -> str | None:
    out = {k: (json.loads(v) if k in json_keys else v) for k, v in values.items()}
    return json.dumps(out, ensure_ascii=False) if out else None


def _event(row: Sequence[Any]) -> Event:
    event_id, parcel_id, stage, date, recorded_at, actor, data, corrects = row
    return Event(
        event_id=int(event_id),
        parcel_id=parcel_id,
        stage=Stage(stage),
        date=dt.date.fromisoformat(date),
        recorded_at=dt.datetime.fromisoformat(recorded_at.replace("Z", "+00:00")),
        actor=actor,
        data=json.loads(data) if data else {},
        corrects=None if corrects is None else int(corrects),
    )


def _events_frame(rows: list[Any]) -> pd.DataFrame:
    columns = ["event_id", "parcel_id", "stage", "date", "recorded_at", "actor", "corrects", "seq"]
    base = pd.DataFrame([r[:8] for r in rows], columns=columns)
    base["date"] = pd.to_datetime(base["date"], format="%Y-%m-%d")
    base["recorded_at"] = pd.to_datetime(base["recorded_at"], format="ISO8601", utc=True)
    base["corrects"] = base["corrects"].astype("Int64")
    base["stage"] = pd.Categorical(base["stage"], categories=list(_STAGE_VALUES))
    base["parcel_id"] = base["parcel_id"].astype(object)
    base["actor"] = base["actor"].astype(object)
    data = pd.DataFrame.from_records(
        [json.loads(r[8]) if r[8] else {} for r in rows], index=base.index
    )
    for col in data.columns:
        if col not in base.columns:
            base[col] = data[col]
    return base.set_index("event_id")
