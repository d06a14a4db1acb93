"""The ledger's tables: names, SQL schema, column descriptions, stage codes, rows.

The events and lineage tables, their indexes and the append-only triggers; how a row
of the events table becomes an :class:`~landasset.lifecycle.Event` or a frame; and the
integer code of each stage that the batch checks and the queries share.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from landasset.lifecycle import _gpkg
from landasset.lifecycle.stages import Stage

__all__ = [
    "CODE",
    "EVENTS_TABLE",
    "EVENT_COLUMNS",
    "LINEAGE_COLUMNS",
    "LINEAGE_TABLE",
    "NEW",
    "RESERVED_KEYS",
    "SCHEMA",
    "STAGES",
    "STAGE_INDEX",
    "STAGE_VALUES",
    "TRIGGERS",
    "Event",
    "effective_clause",
    "encode_row",
    "event_from_row",
    "events_frame",
    "has_json1",
]

#: Name of the events table.
EVENTS_TABLE = "landasset_events"
#: Name of the lineage table.
LINEAGE_TABLE = "landasset_lineage"

#: The stages in lifecycle order; a stage's code is its place here.
STAGES: tuple[Stage, ...] = tuple(Stage)
STAGE_VALUES: tuple[str, ...] = tuple(s.value for s in Stage)
CODE = {s.value: i for i, s in enumerate(Stage)}
STAGE_INDEX = pd.Index(STAGE_VALUES, dtype=object)
NEW = len(STAGES)  # code of "no earlier event" (a parcel's first event)

#: Columns of the events table; data keys may not use these names.
RESERVED_KEYS = frozenset(
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

EVENT_COLUMNS = [
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
LINEAGE_COLUMNS = [
    _gpkg.Column("lineage_id", "编号", "row id"),
    _gpkg.Column("parent_id", "原地块", "parcel split or merged away"),
    _gpkg.Column("child_id", "新地块", "parcel created"),
    _gpkg.Column("kind", "方式", "split (分割) or merge (合并)"),
    _gpkg.Column("date", "日期", "date of the split or merge"),
    _gpkg.Column("event_id", "注销事件", "the parent's retiring event"),
]

SCHEMA = [
    f"""CREATE TABLE IF NOT EXISTS {EVENTS_TABLE} (
        event_id INTEGER PRIMARY KEY,
        parcel_id TEXT NOT NULL CHECK (length(parcel_id) > 0),
        stage TEXT NOT NULL CHECK (stage IN ({", ".join(f"'{v}'" for v in STAGE_VALUES)})),
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
TRIGGERS = frozenset(
    f"{table}_{what}"
    for table in (EVENTS_TABLE, LINEAGE_TABLE)
    for what in ("no_update", "no_delete", "no_replace")
)

_EFFECTIVE = f"event_id NOT IN (SELECT corrects FROM {EVENTS_TABLE} WHERE corrects IS NOT NULL)"


def effective_clause(con: sqlite3.Connection) -> str:
    """SQL condition keeping events no correction replaced (trivial while there is none)."""
    any_correction = con.execute(
        f"SELECT 1 FROM {EVENTS_TABLE} WHERE corrects IS NOT NULL LIMIT 1"
    ).fetchone()
    return _EFFECTIVE if any_correction else "1 = 1"


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


# documented, and pickled, where users import it from
Event.__module__ = "landasset.lifecycle.ledger"


def has_json1(con: sqlite3.Connection) -> bool:
    try:
        con.execute("SELECT json_object('a', json('1'))").fetchone()
    except sqlite3.OperationalError:
        return False
    return True


def encode_row(values: Mapping[str, Any], json_keys: frozenset[str]) -> str | None:
    out = {k: (json.loads(v) if k in json_keys else v) for k, v in values.items()}
    return json.dumps(out, ensure_ascii=False) if out else None


def event_from_row(row: Sequence[Any]) -> Event:
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


def events_frame(rows: list[Any]) -> pd.DataFrame:
    columns = ["event_id", "parcel_id", "stage", "date", "recorded_at", "actor", "corrects", "seq"]
    base = pd.DataFrame([r[:8] for r in rows], columns=columns)
    base["date"] = pd.to_datetime(base["date"], format="%Y-%m-%d")
    base["recorded_at"] = pd.to_datetime(base["recorded_at"], format="ISO8601", utc=True)
    base["corrects"] = base["corrects"].astype("Int64")
    base["stage"] = pd.Categorical(base["stage"], categories=list(STAGE_VALUES))
    base["parcel_id"] = base["parcel_id"].astype(object)
    base["actor"] = base["actor"].astype(object)
    data = pd.DataFrame.from_records(
        [json.loads(r[8]) if r[8] else {} for r in rows], index=base.index
    )
    for col in data.columns:
        if col not in base.columns:
            base[col] = data[col]
    return base.set_index("event_id")
