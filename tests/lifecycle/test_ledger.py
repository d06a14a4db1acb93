"""The ledger: recording, validation, corrections, queries, GeoPackage storage, lineage."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely import box

from landasset import (
    LandassetIOError,
    LandassetKeyError,
    LandassetTypeError,
    SchemaError,
    TransitionError,
)
from landasset.lifecycle import EVENTS_TABLE, LINEAGE_TABLE, Ledger, Stage

X0, Y0 = 514_000.0, 3_350_000.0  # the corner of the parcels of conftest.small_parcels

SUPPLY = {
    "contract_id": "3301-2024-01",
    "mode": "listing",
    "price_10k_cny": 1200.0,
    "agreed_start": "2024-06-01",
    "agreed_completion": "2026-06-01",
}


# -- opening ----------------------------------------------------------------------------------
def test_new_geopackage_registers_attribute_tables(tmp_path: Path) -> None:
    path = tmp_path / "new.gpkg"
    with Ledger.open(path) as led:
        led.record("A", "reserved", "2024-01-01", actor="a")
    con = sqlite3.connect(path)
    rows = con.execute(
        "SELECT table_name, data_type, identifier, description FROM gpkg_contents ORDER BY table_name"
    ).fetchall()
    assert [r[:3] for r in rows] == [
        (EVENTS_TABLE, "attributes", EVENTS_TABLE),
        (LINEAGE_TABLE, "attributes", LINEAGE_TABLE),
    ]
    assert all(r[3] for r in rows)
    assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
    aliases = dict(
        con.execute(
            "SELECT column_name, name FROM gpkg_data_columns WHERE table_name = ?", (EVENTS_TABLE,)
        ).fetchall()
    )
    assert aliases["stage"] == "阶段" and aliases["parcel_id"] == "地块编号"
    # the journal mode is back to the file's own once the ledger is closed
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    con.close()
    assert not (tmp_path / "new.gpkg-wal").exists()


def test_gdal_reads_the_events_as_a_table_with_json(parcels_gpkg: Path) -> None:
    with Ledger.open(parcels_gpkg) as led:
        led.record("A-01", "reserved", "2024-01-01", actor="储备中心", note="入库")
    layers = dict(pyogrio.list_layers(parcels_gpkg).tolist())
    assert layers[EVENTS_TABLE] is None and layers["parcels"] == "Polygon"
    info = pyogrio.read_info(parcels_gpkg, layer=EVENTS_TABLE)
    subtypes = dict(zip(info["fields"], info["ogr_subtypes"], strict=True))
    assert subtypes["data"] == "OFSTJSON"
    frame = pyogrio.read_dataframe(parcels_gpkg, layer=EVENTS_TABLE)
    assert frame.loc[0, "parcel_id"] == "A-01"
    data = frame.loc[0, "data"]  # GDAL knows the column is JSON; pyogrio may parse it
    assert (json.loads(data) if isinstance(data, str) else data) == {"note": "入库"}


@pytest.mark.parametrize("name", ["ledger.txt", "ledger", "ledger.shp"])
def test_unknown_extension_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(LandassetIOError, match=r"\.gpkg.*\.sqlite"):
        Ledger.open(tmp_path / name)


def test_sqlite_file_that_is_not_a_geopackage(tmp_path: Path) -> None:
    plain = tmp_path / "plain.gpkg"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(LandassetIOError, match="not a GeoPackage"):
        Ledger.open(plain)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(LandassetIOError, match="not a SQLite database"):
        Ledger.open(junk)
    with pytest.raises(LandassetIOError, match="does not exist"):
        Ledger.open(tmp_path / "missing" / "l.gpkg")


def test_sqlite_ledger_has_only_the_ledger_tables(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.sqlite") as led:
        led.record("A", "planned", "2024-01-01", actor="a")
    names = {
        r[0]
        for r in sqlite3.connect(tmp_path / "l.sqlite").execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
        )
    }
    assert names == {EVENTS_TABLE, LINEAGE_TABLE}


def test_reopen_keeps_events_and_closed_ledger_refuses(tmp_path: Path) -> None:
    path = tmp_path / "l.gpkg"
    led = Ledger.open(path)
    led.record("A", "planned", "2024-01-01", actor="a")
    led.close()
    led.close()  # twice is fine
    with pytest.raises(LandassetIOError, match="closed"):
        led.stages()
    with Ledger.open(path) as again:
        assert len(again) == 1 and again.stage("A") is Stage.planned
        assert "1 events" in repr(again)


def test_read_only_ledger(tmp_path: Path, parcels_gpkg: Path) -> None:
    path = tmp_path / "l.gpkg"
    with Ledger.open(path) as led:
        led.record("A", "planned", "2024-01-01", actor="a")
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        with Ledger.open(path, read_only=True) as led:
            assert led.stages().to_dict() == {"A": "planned"}
            assert len(led.events(parcels=["A"])) == 1
            with pytest.raises(LandassetIOError, match="opened read-only"):
                led.record("A", "acquiring", "2024-02-01", actor="a")
    finally:
        path.chmod(0o644)
    assert path.read_bytes() == before
    with pytest.raises(LandassetIOError, match="no lifecycle ledger"):
        Ledger.open(parcels_gpkg, read_only=True)
    with pytest.raises(LandassetIOError, match="does not exist"):
        Ledger.open(tmp_path / "none.gpkg", read_only=True)


# -- recording --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "on",
    [
        "2024-05-01",
        dt.date(2024, 5, 1),
        dt.datetime(2024, 5, 1, 17, 30),
        pd.Timestamp("2024-05-01 08:00"),
        np.datetime64("2024-05-01"),
    ],
)
def test_dates_accepted(ledger: Ledger, on: object) -> None:
    event = ledger.record("A", "reserved", on, actor="a")  # type: ignore[arg-type]
    assert event.date == dt.date(2024, 5, 1)


@pytest.mark.parametrize(
    "on",
    [
        "2024-13-01",
        "2024",
        "2024-05",
        "May 1st",
        20240501,
        None,
        "2024-02-30",
        "2024-05-01T23:00",  # text with a time: the same ISO-day rule as to_day
        "2024-05-01 23:00+08:00",
    ],
)
def test_bad_dates_refused(ledger: Ledger, on: object) -> None:
    with pytest.raises(TransitionError, match="not a date"):
        ledger.record("A", "reserved", on, actor="a")  # type: ignore[arg-type]
    assert len(ledger) == 0


def test_timezone_aware_dates_keep_their_wall_clock_day(ledger: Ledger) -> None:
    late_evening = pd.Timestamp("2024-05-01 23:30", tz="Asia/Shanghai")  # 15:30 UTC
    event = ledger.record("A", "reserved", late_evening, actor="a", seen=late_evening)
    assert event.date == dt.date(2024, 5, 1)
    frame = pd.DataFrame(
        {
            "parcel_id": ["B"],
            "stage": ["planned"],
            "on": [late_evening],
            "actor": ["a"],
            "at": [late_evening],
        }
    )
    other = ledger.event(int(ledger.record_many(frame).iloc[0]))
    assert other.date == dt.date(2024, 5, 1) and other.data["at"] == "2024-05-01T23:30:00+08:00"


def test_event_carries_its_data(ledger: Ledger) -> None:
    event = ledger.record("B-7", "supplied", "2024-01-10", actor="土地科", **SUPPLY)
    assert event.stage is Stage.supplied and event.actor == "土地科"
    assert dict(event.data) == SUPPLY
    assert event.recorded_at.tzinfo is not None
    assert ledger.event(event.event_id) == event


def test_illegal_move_names_allowed_next(ledger: Ledger) -> None:
    ledger.record("A", "reserved", "2024-01-01", actor="a")
    with pytest.raises(TransitionError) as err:
        ledger.record("A", "operating", "2024-02-01", actor="a")
    message = str(err.value)
    assert "cannot go from 'reserved' to 'operating'" in message
    assert (
        "supply_ready (needs land_use, far_max)" in message and "retired (needs reason)" in message
    )
    assert ledger.stage("A") is Stage.reserved and len(ledger) == 1


def test_missing_field_named(ledger: Ledger) -> None:
    ledger.record("A", "reserved", "2024-01-01", actor="a")
    with pytest.raises(TransitionError, match="needs land_use, far_max; far_max is missing"):
        ledger.record("A", "supply_ready", "2024-02-01", actor="a", land_use="M1")
    with pytest.raises(TransitionError, match="a first event to 'supplied' needs contract_id"):
        ledger.record("B", "supplied", "2024-02-01", actor="a", contract_id="X")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mode", "lottery", "not a supply mode; use one of: auction, tender, listing"),
        ("price_10k_cny", -5, "not a number ≥ 0"),
        ("price_10k_cny", "cheap", "not a number ≥ 0"),
        ("agreed_start", "soon", "agreed_start = 'soon' is not a date"),
        ("agreed_completion", "2023-01-01", "agreed_completion is before agreed_start"),
    ],
)
def test_field_values_checked(ledger: Ledger, field: str, value: object, message: str) -> None:
    with pytest.raises(TransitionError, match=message):
        ledger.record("A", "supplied", "2024-01-01", actor="a", **{**SUPPLY, field: value})


def test_land_use_and_far_checked(ledger: Ledger) -> None:
    with pytest.raises(TransitionError, match="not a known land-use code"):
        ledger.record("A", "supply_ready", "2024-01-01", actor="a", land_use="Q7", far_max=2)
    with pytest.raises(TransitionError, match="far_min is above far_max"):
        ledger.record(
            "A", "supply_ready", "2024-01-01", actor="a", land_use="M1", far_min=3, far_max=2
        )
    with pytest.raises(TransitionError, match="filed_on is before accepted_on"):
        ledger.record(
            "A",
            "completed",
            "2024-01-01",
            actor="a",
            accepted_on="2024-01-01",
            filed_on="2023-12-01",
        )


def test_date_before_last_event_refused(ledger: Ledger) -> None:
    ledger.record("A", "planned", "2024-03-01", actor="a")
    with pytest.raises(TransitionError, match=r"before the parcel's previous event \(2024-03-01\)"):
        ledger.record("A", "acquiring", "2024-02-28", actor="a")
    ledger.record("A", "acquiring", "2024-03-01", actor="a")  # the same day is fine


def test_actor_and_parcel_required(ledger: Ledger) -> None:
    with pytest.raises(TransitionError, match="actor is missing"):
        ledger.record("A", "planned", "2024-01-01", actor="")
    with pytest.raises(TransitionError, match="parcel_id is missing"):
        ledger.record("", "planned", "2024-01-01", actor="a")
    with pytest.raises(TransitionError, match="'date' cannot be event data"):
        ledger.record("A", "planned", "2024-01-01", actor="a", date="x")


def test_retired_is_final(ledger: Ledger) -> None:
    ledger.record("A", "reserved", "2024-01-01", actor="a")
    ledger.record("A", "retired", "2024-02-01", actor="a", reason="cancelled")
    with pytest.raises(TransitionError, match="'retired' is final"):
        ledger.record("A", "reserved", "2024-03-01", actor="a")


# -- record_many ------------------------------------------------------------------------------
def history_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "parcel_id": ["P1", "P2", "P1", "P1"],
            "stage": ["supply_ready", "operating", "reserved", "supplied"],
            "on": ["2021-03-01", "2015-06-30", "2020-01-05", "2021-09-01"],
            "actor": "建账",
            "land_use": ["M1", None, None, None],
            "far_max": [2.0, None, None, None],
            **{k: [None, None, None, v] for k, v in SUPPLY.items()},
        },
        index=["r1", "r2", "r3", "r4"],
    )


def test_record_many_sorts_by_date_and_aligns_ids(ledger: Ledger) -> None:
    ids = ledger.record_many(history_frame())
    assert ids.index.tolist() == ["r1", "r2", "r3", "r4"] and ids.name == "event_id"
    # P1's events get ids in date order: reserved, supply_ready, supplied
    assert ids["r3"] < ids["r1"] < ids["r4"]
    assert ledger.stages().to_dict() == {"P1": "supplied", "P2": "operating"}
    # null cells are not data
    assert dict(ledger.event(int(ids["r3"])).data) == {}
    assert dict(ledger.event(int(ids["r1"])).data) == {"land_use": "M1", "far_max": 2.0}


def test_record_many_all_or_nothing(ledger: Ledger) -> None:
    frame = history_frame()
    frame.loc["r4", "mode"] = "raffle"
    frame.loc["r2", "stage"] = "built"
    with pytest.raises(TransitionError) as err:
        ledger.record_many(frame)
    message = str(err.value)
    assert message.startswith("2 of 4 events refused, nothing was recorded")
    assert "row 'r2'" in message and "row 'r4'" in message
    assert len(ledger) == 0
    # a legal batch behind a refused one still goes in whole
    assert len(ledger.record_many(history_frame())) == 4 and len(ledger) == 4


def test_record_many_checks_against_the_stored_stage(ledger: Ledger) -> None:
    ledger.record("P1", "reserved", "2020-01-01", actor="a")
    frame = pd.DataFrame(
        {
            "parcel_id": ["P1"],
            "stage": ["completed"],
            "on": ["2021-01-01"],
            "actor": ["a"],
            "accepted_on": ["2021-01-01"],
            "filed_on": ["2021-01-01"],
        }
    )
    with pytest.raises(TransitionError, match="cannot go from 'reserved' to 'completed'"):
        ledger.record_many(frame)


def test_record_many_column_errors(ledger: Ledger) -> None:
    frame = history_frame().rename(columns={"on": "date"})
    with pytest.raises(
        TransitionError, match=r"lacks the column\(s\) \['on'\].*rename 'date' → 'on'"
    ):
        ledger.record_many(frame)
    empty = ledger.record_many(history_frame().iloc[:0])
    assert len(empty) == 0 and len(ledger) == 0
    with pytest.raises(TransitionError, match="takes a DataFrame"):
        ledger.record_many([("A", "planned", "2024-01-01", "a")])  # type: ignore[arg-type]


def test_large_batch_with_mixed_data_is_staged_and_ordered(tmp_path: Path) -> None:
    n = 3_000  # 6,000 events with two data layouts: the staged insert
    ids = [f"L{i:05d}" for i in range(n)]
    frame = pd.DataFrame(
        {
            "parcel_id": ids * 2,
            "stage": ["reserved"] * n + ["supply_ready"] * n,
            "on": ["2020-01-01"] * n + ["2021-01-01"] * n,
            "actor": "a",
            "land_use": [None] * n + ["M1"] * n,
            "far_max": [None] * n + [1.5 + i / 1000 for i in range(n)],
        }
    )
    with Ledger.open(tmp_path / "big.gpkg") as led:
        event_ids = led.record_many(frame)
        assert event_ids.is_unique and len(led) == 2 * n
        assert set(led.stages().astype(str)) == {"supply_ready"}
        assert led.event(int(event_ids.iloc[n + 7])).data == {"land_use": "M1", "far_max": 1.507}
        assert led.event(int(event_ids.iloc[7])).data == {}
        # a parcel's events have increasing ids in date order
        assert (event_ids.iloc[:n].to_numpy() < event_ids.iloc[n:].to_numpy()).all()
        again = frame.assign(parcel_id=[f"M{i:05d}" for i in range(n)] * 2)
        assert len(led.record_many(again)) == 2 * n and len(led) == 4 * n
    validate_after = sqlite3.connect(tmp_path / "big.gpkg")
    assert validate_after.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    validate_after.close()


def test_data_values_round_trip(ledger: Ledger) -> None:
    frame = pd.DataFrame(
        {
            "parcel_id": ["A", "B"],
            "stage": ["planned", "planned"],
            "on": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "actor": ["a", "b"],
            "count": [3, 4],
            "share": [0.25, np.nan],
            "flag": [True, False],
            "tags": [["x", "y"], None],
            "quote": ['say "hi" \\ 你好', "it's"],
            "when": pd.to_datetime(["2024-01-01", "2024-02-01 10:30"], format="ISO8601"),
            "empty": [None, None],
        }
    )
    ids = ledger.record_many(frame)
    a, b = (ledger.event(int(i)).data for i in ids)
    assert a == {
        "count": 3,
        "share": 0.25,
        "flag": True,
        "tags": ["x", "y"],
        "quote": 'say "hi" \\ 你好',
        "when": "2024-01-01T00:00:00",
    }
    assert b == {"count": 4, "flag": False, "quote": "it's", "when": "2024-02-01T10:30:00"}
    raw = ledger.connection.execute(f"SELECT data FROM {EVENTS_TABLE}").fetchall()
    # SQLite gives the JSON text; psycopg parses PostgreSQL's json type itself
    assert all(json.loads(r[0]) if isinstance(r[0], str) else r[0] for r in raw)


def test_python_json_fallback_gives_the_same_data(ledger: Ledger) -> None:
    frame = pd.DataFrame(
        {
            "parcel_id": ["A"],
            "stage": ["planned"],
            "on": ["2024-01-01"],
            "actor": ["a"],
            "n": [1],
            "tags": [["t"]],
            "note": ["备注"],
        }
    )
    ledger._store.json1 = False  # as on a SQLite build without the JSON functions
    event = ledger.event(int(ledger.record_many(frame).iloc[0]))
    assert event.data == {"n": 1, "tags": ["t"], "note": "备注"}


# -- corrections ------------------------------------------------------------------------------
def test_correction_replaces_the_event_in_place(ledger: Ledger) -> None:
    first = ledger.record("A", "supplied", "2024-01-10", actor="a", **SUPPLY)
    ledger.record("A", "permitted", "2024-01-10", actor="a")  # the same day, after it
    fixed = ledger.correct(first.event_id, actor="b", reason="price typo", price_10k_cny=1300)
    assert fixed.corrects == first.event_id and fixed.data["price_10k_cny"] == 1300.0
    assert fixed.data["correction_reason"] == "price typo"
    # the replacement stands where the original stood: still before 'permitted'
    assert ledger.stage("A") is Stage.permitted
    assert ledger.events()["stage"].tolist() == ["supplied", "permitted"]
    history = ledger.history("A")
    assert history["effective"].tolist() == [False, True, True]
    assert history["superseded_by"].iloc[0] == fixed.event_id


def test_correction_must_keep_history_valid() -> None:
    with Ledger.open(":memory:") as led:
        e1 = led.record("A", "planned", "2024-01-01", actor="a")
        led.record("A", "acquiring", "2024-06-01", actor="a")
        with pytest.raises(TransitionError, match="cannot go from 'reserved' to 'acquiring'"):
            led.correct(e1.event_id, actor="b", reason="x", stage="reserved")
        with pytest.raises(TransitionError, match="past other events"):
            led.correct(e1.event_id, actor="b", reason="x", on="2024-07-01")
        fixed = led.correct(e1.event_id, actor="b", reason="earlier", on="2023-12-01")
        assert led.stage("A", as_of="2023-12-15") is Stage.planned
        assert led.stage("A", as_of="2023-11-30") is None
        with pytest.raises(TransitionError, match=f"already corrected by event {fixed.event_id}"):
            led.correct(e1.event_id, actor="b", reason="again")
        again = led.correct(fixed.event_id, actor="c", reason="chain", note="n")
        assert led.events().loc[again.event_id, "note"] == "n"
        assert len(led.events()) == 2 and len(led) == 4
        with pytest.raises(TransitionError, match="needs a reason"):
            led.correct(again.event_id, actor="c", reason=" ")
        with pytest.raises(TransitionError, match="use on= for the date"):
            led.correct(again.event_id, actor="c", reason="r", date="2024-01-01")
        with pytest.raises(TransitionError, match="no event 99"):
            led.correct(99, actor="c", reason="r")


# -- queries ----------------------------------------------------------------------------------
def test_stage_queries(ledger: Ledger) -> None:
    ledger.record("XH-01", "operating", "2020-01-01", actor="a")
    ledger.record("XH-01", "renewal", "2024-01-01", actor="a")
    assert ledger.stage("XH-01", as_of="2023-12-31") is Stage.operating
    assert ledger.stage("XH-01", as_of=dt.date(2019, 1, 1)) is None
    with pytest.raises(KeyError, match="did you mean 'XH-01'"):
        ledger.stage("XH-10")
    stages = ledger.stages(as_of="2023-01-01")
    assert isinstance(stages.dtype, pd.CategoricalDtype)
    assert list(stages.cat.categories) == [s.value for s in Stage]
    assert stages.index.name == "parcel_id" and stages.name == "stage"
    assert ledger.stages(as_of="2019-01-01").empty


def test_unknown_parcel_or_event_raises_landasset_key_error(ledger: Ledger) -> None:
    ledger.record("XH-01", "operating", "2020-01-01", actor="a")
    for call in (lambda: ledger.stage("XH-10"), lambda: ledger.history("XH-10")):
        with pytest.raises(
            LandassetKeyError, match="no event for parcel 'XH-10'; did you mean 'XH-01'"
        ) as e:
            call()
        assert isinstance(e.value, KeyError)  # existing ``except KeyError`` keeps working
    with pytest.raises(LandassetKeyError, match=r"'ZZ-99'; check the id \(ledger.parcel_ids\(\)"):
        ledger.history("ZZ-99")
    with pytest.raises(
        LandassetKeyError, match=r"no event 99 in the ledger.*ledger.events\(\)"
    ) as e:
        ledger.event(99)
    assert isinstance(e.value, KeyError) and str(e.value).startswith("there is no event 99")
    with pytest.raises(
        LandassetTypeError, match=r"event ids are whole numbers.*not str 'one'"
    ) as t:
        ledger.event("one")  # type: ignore[arg-type]
    assert isinstance(t.value, TypeError)
    with pytest.raises(LandassetTypeError, match="event ids are whole numbers"):
        ledger.correct(1.5, actor="b", reason="r")  # type: ignore[arg-type]
    assert ledger.event(np.int64(1)).parcel_id == "XH-01"


def test_timeline_for_the_temporal_controller(ledger: Ledger) -> None:
    ledger.record("A", "planned", "2021-01-01", actor="a")
    ledger.record("A", "acquiring", "2021-05-01", actor="a")
    ledger.record("B", "reserved", "2022-01-01", actor="a")
    tl = ledger.timeline()
    assert tl[["parcel_id", "stage"]].to_numpy().tolist() == [
        ["A", "planned"],
        ["A", "acquiring"],
        ["B", "reserved"],
    ]
    assert (
        tl["valid_to"].iloc[0] == pd.Timestamp("2021-05-01")
        and tl["valid_to"].iloc[1:].isna().all()
    )
    assert len(ledger.timeline(as_of="2021-02-01")) == 1


def test_events_filters(ledger: Ledger) -> None:
    ledger.record_many(history_frame())
    assert set(ledger.events(stages=["supplied"]).parcel_id) == {"P1"}
    assert set(ledger.events(parcels=["P2"]).stage) == {"operating"}
    assert len(ledger.events(as_of="2020-12-31")) == 2
    assert ledger.parcel_ids().tolist() == ["P1", "P2"]


def test_repr_html_is_self_contained(ledger: Ledger) -> None:
    ledger.record("A", "planned", "2021-01-01", actor="<script>")
    page = ledger._repr_html_()
    assert "储备计划" in page and "http" not in page and "<script>" not in page


# -- lineage and the parcel layer ------------------------------------------------------------
def test_split_updates_the_parcel_layer_in_the_same_file(parcels_gpkg: Path) -> None:
    left, right = box(X0, Y0, X0 + 40, Y0 + 100), box(X0 + 40, Y0, X0 + 100, Y0 + 100)
    with Ledger.open(parcels_gpkg) as led:
        led.record("A-01", "supplied", "2023-01-01", actor="a", **SUPPLY)
        events = led.split("A-01", {"A-01-1": left, "A-01-2": right}, "2024-01-01", actor="规划科")
        assert [e.stage for e in events] == [Stage.retired, Stage.supplied, Stage.supplied]
        assert events[0].data["reason"] == "split"
        # the contract comes along; the price is shared by area
        assert events[1].data["contract_id"] == SUPPLY["contract_id"]
        assert events[1].data["price_10k_cny"] == pytest.approx(480.0)
        assert events[2].data["price_10k_cny"] == pytest.approx(720.0)
        assert led.ancestors("A-01-2") == ["A-01"] and led.descendants("A-01") == [
            "A-01-1",
            "A-01-2",
        ]
        assert led.lineage()["kind"].tolist() == ["split", "split"]
    parcels = pyogrio.read_dataframe(parcels_gpkg, layer="parcels")
    assert parcels["parcel_id"].tolist() == ["A-01", "A-02", "A-03", "A-01-1", "A-01-2"]
    new = parcels.set_index("parcel_id").loc["A-01-2"]
    assert new["name"] == "一号地块" and new["land_use"] == "M1"  # attributes of the parent
    assert shapely.equals(new.geometry, right)
    # the spatial index (rtree kept by GDAL's triggers) finds the new parcels
    found = pyogrio.read_dataframe(
        parcels_gpkg, layer="parcels", bbox=(X0 + 60, Y0 + 10, X0 + 70, Y0 + 20)
    )
    assert set(found["parcel_id"]) == {"A-01", "A-01-2"}
    con = sqlite3.connect(parcels_gpkg)
    assert con.execute("SELECT count(*) FROM rtree_parcels_geom").fetchone()[0] == 5
    assert (
        con.execute(
            "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name='parcels'"
        ).fetchone()[0]
        == 5
    )
    con.close()


def test_merge_takes_the_union_and_the_common_stage(parcels_gpkg: Path) -> None:
    with Ledger.open(parcels_gpkg) as led:
        led.record("A-02", "reserved", "2023-01-01", actor="a")
        led.record("A-03", "reserved", "2023-02-01", actor="a")
        led.record("A-01", "planned", "2023-02-01", actor="a")
        with pytest.raises(TransitionError, match="must be in the same stage"):
            led.merge(["A-01", "A-02"], ("M", None), "2024-01-01", actor="a")
        with pytest.raises(TransitionError, match="before the parcel's previous event"):
            led.merge(["A-02", "A-03"], ("M", None), "2023-01-15", actor="a")
        events = led.merge(["A-02", "A-03"], ("M-1", None), "2024-01-01", actor="a")
        assert [e.parcel_id for e in events] == ["A-02", "A-03", "M-1"]
        assert led.stages().to_dict() == {
            "A-01": "planned",
            "A-02": "retired",
            "A-03": "retired",
            "M-1": "reserved",
        }
        assert led.ancestors("M-1") == ["A-02", "A-03"]
    merged = pyogrio.read_dataframe(parcels_gpkg, layer="parcels").set_index("parcel_id").loc["M-1"]
    assert merged.geometry.area == pytest.approx(20_000.0)


def test_failed_split_leaves_nothing_behind(parcels_gpkg: Path) -> None:
    two_parts = shapely.MultiPolygon(
        [box(X0, Y0, X0 + 10, Y0 + 10), box(X0 + 50, Y0, X0 + 60, Y0 + 10)]
    )
    with Ledger.open(parcels_gpkg) as led:
        led.record("A-01", "reserved", "2023-01-01", actor="a")
        # the parcel layer holds Polygons: the second child cannot go in, after the events did
        with pytest.raises(SchemaError, match="one polygon per parcel"):
            led.split(
                "A-01",
                {"A-01-1": box(X0, Y0, X0 + 50, Y0 + 100), "A-01-2": two_parts},
                "2024-01-01",
                actor="a",
            )
        assert len(led) == 1 and led.stage("A-01") is Stage.reserved and led.lineage().empty
        with pytest.raises(TransitionError, match="already in the 'parcels' layer"):
            led.split(
                "A-01",
                {"A-02": box(X0, Y0, X0 + 5, Y0 + 5), "Z": box(X0, Y0, X0 + 5, Y0 + 5)},
                "2024-01-01",
                actor="a",
            )
        with pytest.raises(LandassetKeyError, match=r"parcels layer of site\.gpkg.*'NOPE'"):
            led.record("NOPE", "reserved", "2023-01-01", actor="a")
        # a parcel the ledger knows but the layer does not (given by an embedding app)
        with Ledger.open(parcels_gpkg, known_parcels=["NOPE"]) as phantom:
            phantom.record("NOPE", "reserved", "2023-01-01", actor="a")
        with pytest.raises(TransitionError, match="not in the 'parcels' layer"):
            led.split(
                "NOPE", {"N1": box(0, 0, 1, 1), "N2": box(1, 0, 2, 1)}, "2024-01-01", actor="a"
            )
        with pytest.raises(SchemaError, match="valid, non-empty polygons"):
            led.split(
                "A-01", {"B1": box(0, 0, 1, 1), "B2": shapely.Point(0, 0)}, "2024-01-01", actor="a"
            )
    assert len(pyogrio.read_dataframe(parcels_gpkg, layer="parcels")) == 3


def test_split_refuses_ids_in_use_and_single_children(ledger: Ledger) -> None:
    ledger.record("P", "reserved", "2020-01-01", actor="a")
    ledger.record("Q", "reserved", "2020-01-01", actor="a")
    with pytest.raises(TransitionError, match="already have events"):
        ledger.split("P", {"Q": None, "P-2": None}, "2021-01-01", actor="a")
    with pytest.raises(TransitionError, match="at least two"):
        ledger.split("P", {"P-1": None}, "2021-01-01", actor="a")
    with pytest.raises(TransitionError, match="no event for"):
        ledger.split("X", {"X-1": None, "X-2": None}, "2021-01-01", actor="a")
    events = ledger.split("P", {"P-1": None, "P-2": None}, "2021-01-01", actor="a")
    assert len(events) == 3
    with pytest.raises(TransitionError, match="already retired"):
        ledger.split("P", {"P-3": None, "P-4": None}, "2022-01-01", actor="a")
    assert ledger.descendants("P-1") == [] and ledger.ancestors("P") == []


def test_sample_geopackage_split_keeps_it_valid(sample_ledger_path: Path, tmp_path: Path) -> None:
    import shutil

    path = tmp_path / "copy.gpkg"
    shutil.copyfile(sample_ledger_path, path)
    geom = pyogrio.read_dataframe(
        path, layer="parcels", where="parcel_id = 'XH120101-08'"
    ).geometry.iloc[0]
    minx, miny, maxx, maxy = geom.bounds
    mid = (minx + maxx) / 2
    west = shapely.intersection(geom, box(minx, miny, mid, maxy))
    east = shapely.intersection(geom, box(mid, miny, maxx, maxy))
    with Ledger.open(path) as led:
        led.split(
            "XH120101-08",
            {"XH120101-08A": west, "XH120101-08B": east},
            "2025-12-31",
            actor="规划科",
        )
        assert led.stage("XH120101-08A") is Stage.supply_ready
    found = pyogrio.read_dataframe(
        path, layer="parcels", bbox=(mid + 1, miny + 1, mid + 2, miny + 2)
    )
    assert {"XH120101-08", "XH120101-08B"} <= set(found["parcel_id"])
