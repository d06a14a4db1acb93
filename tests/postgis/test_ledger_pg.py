"""What only the PostgreSQL ledger has: its URL, read-only sessions, the parcel ids of the
schema's parcels layer, the tables it creates."""

from __future__ import annotations

import importlib
import os

import pytest

from landasset import LandassetIOError, LandassetKeyError, LandassetValueError
from landasset.lifecycle import EVENTS_TABLE, Ledger

psycopg = (
    importlib.import_module("psycopg")
    if os.environ.get("CI", "").lower() == "true"
    else pytest.importorskip("psycopg", reason="needs psycopg: pip install 'landasset[postgis]'")
)


def test_read_only_session_refuses_writes(pg_url: str) -> None:
    with pytest.raises(LandassetIOError, match="holds no lifecycle ledger"):
        Ledger.open(pg_url, read_only=True)
    with Ledger.open(pg_url) as led:
        led.record("A", "planned", "2024-01-01", actor="x")
    with Ledger.open(pg_url, read_only=True) as led:
        assert led.stage("A").value == "planned"
        with pytest.raises(LandassetIOError, match="read-only"):
            led.record("A", "acquiring", "2024-02-01", actor="x")
        assert len(led) == 1


def test_parcel_ids_checked_against_the_parcels_layer(site_url: str) -> None:
    with Ledger.open(site_url) as led:
        with pytest.raises(LandassetKeyError, match="did you mean 'XH120101-08'"):
            led.record("XH12O101-08", "planned", "2024-01-01", actor="x")
        assert len(led) == 0
        led.record("XH120101-08", "planned", "2024-01-01", actor="x")
    with (
        Ledger.open(site_url, known_parcels=["ONLY"]) as led,
        pytest.raises(LandassetKeyError, match="known_parcels"),
    ):
        led.record("XH120101-09", "planned", "2024-01-01", actor="x")


def test_schema_of_its_own_and_bad_urls(pg_url: str) -> None:
    url = pg_url + "&schema=park_b"
    with Ledger.open(url) as led:
        led.record("B", "planned", "2024-01-01", actor="x")
        assert "schema=park_b" in repr(led) and "1 events" in repr(led)
    with Ledger.open(pg_url) as led:
        assert len(led) == 0  # public holds a ledger of its own
    with psycopg.connect(pg_url) as con:
        assert con.execute(f"SELECT count(*) FROM park_b.{EVENTS_TABLE}").fetchone() == (1,)
    with pytest.raises(LandassetValueError, match="plain PostgreSQL name"):
        Ledger.open(pg_url + "&schema=park-b")
    with pytest.raises(LandassetIOError, match="cannot connect"):
        Ledger.open(pg_url.replace("/t", "/no_such_db_", 1))


def test_events_table_as_created(pg_url: str) -> None:
    with Ledger.open(pg_url):
        pass
    with psycopg.connect(pg_url) as con:
        columns = con.execute(
            "SELECT column_name, data_type, col_description('landasset_events'::regclass, "
            "ordinal_position) FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position",
            (EVENTS_TABLE,),
        ).fetchall()
        rls = con.execute(
            "SELECT relrowsecurity FROM pg_class WHERE relname = %s", (EVENTS_TABLE,)
        ).fetchone()
    assert [c[:2] for c in columns] == [
        ("event_id", "bigint"),
        ("parcel_id", "text"),
        ("stage", "text"),
        ("date", "date"),
        ("recorded_at", "timestamp with time zone"),
        ("actor", "text"),
        ("data", "json"),
        ("corrects", "bigint"),
        ("seq", "bigint"),
    ]
    assert columns[1][2].startswith("地块编号")
    assert rls == (True,)
