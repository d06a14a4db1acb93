"""has_ledger and read_events_csv: the lifecycle file rules the command line calls."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landasset as la
from landasset.lifecycle import Ledger, has_ledger, read_events_csv


def test_has_ledger_reads_without_writing(tmp_path: Path) -> None:
    gpkg = tmp_path / "site.gpkg"
    assert not has_ledger(gpkg) and not gpkg.exists()  # a missing file is not created
    text = tmp_path / "notes.gpkg"
    text.write_text("not sqlite", encoding="utf-8")
    assert not has_ledger(text)
    assert text.read_text(encoding="utf-8") == "not sqlite"
    plain = tmp_path / "plain.sqlite"
    with sqlite3.connect(plain) as con:
        con.execute("CREATE TABLE other (x)")
    con.close()
    before = plain.read_bytes()
    assert not has_ledger(plain)
    assert plain.read_bytes() == before
    with Ledger.open(gpkg) as ledger:
        ledger.record("XH-01", "planned", "2024-03-01", actor="土地科")
    assert has_ledger(gpkg) and has_ledger(str(gpkg))


def _csv(tmp_path: Path, text: str, *, name: str = "events.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_read_events_csv_reads_what_record_many_takes(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "parcel_id, stage ,date,actor,land_use\n"
        " XH-01 ,planned,2024-03-01,,M1\n"
        "XH-02,planned,2024-03-02,规划科,\n",
        encoding="gbk",
    )
    frame = read_events_csv(path, actor="土地科", encoding="gbk")
    assert frame.index.name == "line" and frame.index.tolist() == [2, 3]
    assert frame["parcel_id"].tolist() == ["XH-01", "XH-02"]
    assert frame["on"].tolist() == ["2024-03-01", "2024-03-02"]
    assert frame["actor"].tolist() == ["土地科", "规划科"]
    assert frame.loc[2, "land_use"] == "M1" and pd.isna(frame.loc[3, "land_use"])
    with Ledger.open(tmp_path / "l.gpkg") as ledger:
        ids = ledger.record_many(frame)
        assert len(ids) == 2
        assert ledger.stages(as_of="2024-12-31").to_dict() == {
            "XH-01": "planned",
            "XH-02": "planned",
        }


@pytest.mark.parametrize(
    ("name", "text", "kwargs", "error", "message"),
    [
        ("events.txt", "parcel_id,stage,on\n", {}, la.LandassetIOError, "is not a .csv file"),
        ("events.csv", "x\n", {"encoding": "klingon"}, la.LandassetValueError, "not a text enc"),
        ("events.csv", "parcel_id,stage\nXH-01,planned\n", {}, la.SchemaError, "no column on"),
        ("events.csv", "parcel_id,stage,on\n", {}, la.SchemaError, "holds no events"),
        ("events.csv", "", {}, la.LandassetIOError, "not a readable CSV file"),
        (
            "events.csv",
            "parcel_id,stage,on\nXH-01,planned,2024-03-01\nXH-02,planned,03/04/2026\n",
            {},
            la.SchemaError,
            "events.csv, column on, line 3: '03/04/2026' is not a date written YYYY-MM-DD",
        ),
        (
            "events.csv",
            "parcel_id,stage,on\nXH-01,planned,2026-02-30\nXH-02,planned,2026\n",
            {},
            la.SchemaError,
            "line 2: '2026-02-30' is not a day of the calendar",
        ),
    ],
)
def test_read_events_csv_refuses_a_bad_file(tmp_path, name, text, kwargs, error, message) -> None:
    path = _csv(tmp_path, text, name=name)
    with pytest.raises(error, match=message.replace("(", r"\(").replace(".", r"\.")):
        read_events_csv(path, actor="a", **kwargs)


def test_read_events_csv_names_the_encoding_to_pass(tmp_path: Path) -> None:
    path = _csv(tmp_path, "parcel_id,stage,on\n地块,planned,2024-03-01\n", encoding="gbk")
    with pytest.raises(la.LandassetIOError, match="is not utf-8-sig text; pass its encoding"):
        read_events_csv(path, actor="a")


@settings(max_examples=60, deadline=None)
@given(st.dates(), st.text(alphabet="0123456789-/T: ", min_size=1, max_size=16))
def test_only_iso_days_are_read(tmp_path_factory, day, other) -> None:
    """A real day written YYYY-MM-DD is kept as written; anything else is refused."""
    import datetime as dt
    import re

    folder = tmp_path_factory.mktemp("days")
    good = _csv(folder, f"parcel_id,stage,on\nXH-01,planned,{day.isoformat()}\n")
    assert read_events_csv(good, actor="a")["on"].tolist() == [day.isoformat()]
    other = other.strip()
    try:
        valid = bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", other)) and bool(
            dt.date.fromisoformat(other)
        )
    except ValueError:
        valid = False
    path = _csv(folder, f"parcel_id,stage,on\nXH-01,planned,{other}\n")
    if not other:
        return  # an empty cell is missing, left to the ledger
    if valid:
        assert read_events_csv(path, actor="a")["on"].tolist() == [other]
    else:
        with pytest.raises(la.SchemaError, match="column on, line 2"):
            read_events_csv(path, actor="a")
