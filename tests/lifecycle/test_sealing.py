"""The ledger sealed at the SQL level: no REPLACE, no upsert, whoever the client is."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landasset.lifecycle import EVENTS_TABLE, LINEAGE_TABLE, Ledger

EV = EVENTS_TABLE
LI = LINEAGE_TABLE
COLS = "event_id, parcel_id, stage, date, recorded_at, actor, data, corrects, seq"


def _history(con: sqlite3.Connection) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    events = con.execute(f"SELECT * FROM {EV} ORDER BY event_id").fetchall()
    lineage = con.execute(f"SELECT * FROM {LI} ORDER BY lineage_id").fetchall()
    return events, lineage


@pytest.fixture
def ledger_file(tmp_path: Path) -> Path:
    """A GeoPackage ledger with a correction (event 3 corrects event 2) and a split."""
    path = tmp_path / "sealed.gpkg"
    with Ledger.open(path) as led:
        led.record("A", "planned", "2020-01-01", actor="a")  # 1
        led.record("A", "acquiring", "2020-06-01", actor="a")  # 2
        led.correct(2, actor="b", reason="typo", on="2020-07-01")  # 3
        led.record("B", "reserved", "2020-01-01", actor="a")  # 4
        led.split("B", {"B1": None, "B2": None}, "2021-01-01", actor="a")  # 5, 6, 7
    con = sqlite3.connect(path)
    assert con.execute(f"SELECT corrects FROM {EV} WHERE event_id = 3").fetchone() == (2,)
    assert con.execute(f"SELECT count(*) FROM {LI}").fetchone() == (2,)
    con.close()
    return path


_EVENT = "'A', 'operating', '2019-01-01', '2019-01-01T00:00:00.000Z', 'x', NULL"
ATTACKS = {
    "insert or replace event id": f"INSERT OR REPLACE INTO {EV} ({COLS}) VALUES (1, {_EVENT}, NULL, 1)",
    "replace into event id": f"REPLACE INTO {EV} ({COLS}) VALUES (1, {_EVENT}, NULL, 1)",
    "upsert event id": (
        f"INSERT INTO {EV} ({COLS}) VALUES (1, {_EVENT}, NULL, 1) "
        "ON CONFLICT (event_id) DO UPDATE SET stage = excluded.stage"
    ),
    "upsert any conflict": (
        f"INSERT INTO {EV} ({COLS}) VALUES (1, {_EVENT}, NULL, 1) ON CONFLICT DO UPDATE SET actor = 'z'"
    ),
    # a new id, but the same corrected event: REPLACE would delete correction 3
    "insert or replace correction": (
        f"INSERT OR REPLACE INTO {EV} ({COLS}) VALUES (99, {_EVENT}, 2, 2)"
    ),
    "replace into correction": f"REPLACE INTO {EV} ({COLS}) VALUES (99, {_EVENT}, 2, 2)",
    "upsert correction": (
        f"INSERT INTO {EV} ({COLS}) VALUES (99, {_EVENT}, 2, 2) "
        "ON CONFLICT (corrects) WHERE corrects IS NOT NULL DO UPDATE SET stage = 'planned'"
    ),
    "insert or replace lineage id": (
        f"INSERT OR REPLACE INTO {LI} VALUES (1, 'X', 'Y', 'merge', '2019-01-01', 1)"
    ),
    "replace into lineage id": f"REPLACE INTO {LI} VALUES (1, 'X', 'Y', 'merge', '2019-01-01', 1)",
    # a new id, but the same parent and child: REPLACE would delete row 1
    "replace into lineage pair": (
        f"REPLACE INTO {LI} VALUES (50, 'B', 'B1', 'merge', '2019-01-01', 1)"
    ),
    "upsert lineage pair": (
        f"INSERT INTO {LI} VALUES (50, 'B', 'B1', 'merge', '2019-01-01', 1) "
        "ON CONFLICT (parent_id, child_id) DO UPDATE SET kind = 'merge'"
    ),
    "upsert lineage id": (
        f"INSERT INTO {LI} VALUES (1, 'X', 'Y', 'merge', '2019-01-01', 1) "
        "ON CONFLICT (lineage_id) DO UPDATE SET child_id = 'Y'"
    ),
}


@pytest.mark.parametrize("recursive", [False, True], ids=["plain", "recursive_triggers"])
@pytest.mark.parametrize("sql", list(ATTACKS.values()), ids=list(ATTACKS))
def test_replace_and_upsert_refused_and_history_unchanged(
    ledger_file: Path, sql: str, recursive: bool
) -> None:
    con = sqlite3.connect(ledger_file, isolation_level=None)
    con.execute(f"PRAGMA recursive_triggers = {int(recursive)}")
    before = _history(con)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute(sql)
    assert _history(con) == before
    con.close()
    # and the ledger reads the same history
    with Ledger.open(ledger_file, read_only=True) as led:
        assert led.stages().to_dict() == {
            "A": "acquiring",
            "B": "retired",
            "B1": "reserved",
            "B2": "reserved",
        }
        assert led.event(3).corrects == 2


def test_without_the_seal_replace_rewrites_history(ledger_file: Path) -> None:
    """The attacks above do rewrite history when the insert triggers are missing."""
    con = sqlite3.connect(ledger_file, isolation_level=None)
    before = _history(con)
    con.execute(f"DROP TRIGGER {EV}_no_replace")
    con.execute(f"DROP TRIGGER {LI}_no_replace")
    con.execute("BEGIN")
    con.execute(ATTACKS["replace into event id"])
    con.execute(ATTACKS["replace into lineage pair"])
    events, lineage = _history(con)
    assert events[0][2] == "operating" and before[0][0][2] == "planned"
    assert len(lineage) == len(before[1]) and lineage[-1][0] == 50 and lineage[0][0] == 2
    con.execute("ROLLBACK")
    con.close()


def test_plain_inserts_still_work_and_keys_never_repeat(ledger_file: Path) -> None:
    con = sqlite3.connect(ledger_file, isolation_level=None)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute(f"INSERT INTO {EV} ({COLS}) VALUES (1, {_EVENT}, NULL, 1)")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute(f"INSERT OR IGNORE INTO {EV} ({COLS}) VALUES (1, {_EVENT}, NULL, 1)")
    con.close()
    with Ledger.open(ledger_file) as led:
        e = led.record("C", "planned", "2022-01-01", actor="a")
        assert e.event_id == 8
        fixed = led.correct(3, actor="c", reason="again", on="2020-08-01")
        assert fixed.corrects == 3 and led.event(2).date.isoformat() == "2020-06-01"


def test_an_older_ledger_gets_the_seal_when_opened_for_writing(ledger_file: Path) -> None:
    con = sqlite3.connect(ledger_file, isolation_level=None)
    con.execute(f"DROP TRIGGER {EV}_no_replace")
    con.execute(f"DROP TRIGGER {LI}_no_replace")
    con.close()

    def triggers() -> set[str]:
        c = sqlite3.connect(ledger_file)
        names = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        c.close()
        return {n for n in names if n.startswith("landasset_")}

    with Ledger.open(ledger_file, read_only=True) as led:  # reading changes nothing
        assert len(led) == 7
    assert f"{EV}_no_replace" not in triggers()
    with Ledger.open(ledger_file):
        pass
    assert triggers() == {
        f"{t}_{w}" for t in (EV, LI) for w in ("no_update", "no_delete", "no_replace")
    }
    con = sqlite3.connect(ledger_file)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute(ATTACKS["replace into event id"])
    con.close()


_FORMS = [
    "INSERT OR REPLACE INTO {t} ({c}) VALUES ({v})",
    "REPLACE INTO {t} ({c}) VALUES ({v})",
    "INSERT OR IGNORE INTO {t} ({c}) VALUES ({v})",
    "INSERT OR FAIL INTO {t} ({c}) VALUES ({v})",
    "INSERT INTO {t} ({c}) VALUES ({v}) ON CONFLICT DO UPDATE SET {k} = excluded.{k}",
    "INSERT INTO {t} ({c}) VALUES ({v}) ON CONFLICT DO NOTHING",
]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    form=st.sampled_from(_FORMS),
    table=st.sampled_from([EV, LI]),
    key=st.integers(min_value=1, max_value=7),
    clash=st.sampled_from(["id", "other"]),
)
def test_no_insert_form_changes_history(
    ledger_file: Path, form: str, table: str, key: int, clash: str
) -> None:
    """Whatever the conflict clause, an insert meeting an existing key changes nothing."""
    con = sqlite3.connect(ledger_file, isolation_level=None)
    before = _history(con)
    if table == EV:
        # clash on the id, or on the corrected event (event 2 is corrected by event 3)
        event_id, corrects = (key, None) if clash == "id" else (100 + key, 2)
        cols, values, k = COLS, f"{event_id}, {_EVENT}, {corrects or 'NULL'}, {key}", "stage"
    else:
        lineage_id, pair = (min(key, 2), "'X', 'Y'") if clash == "id" else (100 + key, "'B', 'B2'")
        cols = "lineage_id, parent_id, child_id, kind, date, event_id"
        values, k = f"{lineage_id}, {pair}, 'merge', '2019-01-01', 1", "kind"
    sql = form.format(t=table, c=cols, v=values, k=k)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute(sql)
    assert _history(con) == before
    con.close()
