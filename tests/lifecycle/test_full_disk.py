"""A write the disk cannot hold costs nothing: an error naming the disk, and the file
keeps its old bytes (on a real, small tmpfs when one can be mounted, else by injection)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from landasset import LandassetIOError
from landasset.cli import cli
from landasset.lifecycle import EVENTS_TABLE, Ledger
from landasset.lifecycle import _store as store_module

from .conftest import files_beside, fill, tmpfs


def _batch(n: int, prefix: str = "P") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "parcel_id": [f"{prefix}{i:06d}" for i in range(n)],
            "stage": "planned",
            "on": "2020-01-01",
            "actor": "a",
            "note": "an event with some data " * 2,
        }
    )


def _ledger(path: Path, mode: str) -> Path:
    with Ledger.open(path) as led:
        led.record("A", "planned", "2020-01-01", actor="a")
    if mode == "wal":
        con = sqlite3.connect(path)
        con.execute("PRAGMA journal_mode = WAL")
        con.close()
    return path


def _alone(path: Path) -> tuple[str, int]:
    """integrity_check and the event count of the file read on its own (no -wal, no journal)."""
    con = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        check = con.execute("PRAGMA integrity_check").fetchone()[0]
        count = con.execute(f"SELECT count(*) FROM {EVENTS_TABLE}").fetchone()[0]
    finally:
        con.close()
    return check, count


# -- a real full disk ---------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["delete", "wal"])
@pytest.mark.parametrize("leave_kib", [0, 48, 200, 500])
def test_full_tmpfs_keeps_the_old_bytes(tmp_path: Path, mode: str, leave_kib: int) -> None:
    with tmpfs(tmp_path / "mnt", "4m") as disk:
        path = _ledger(disk / "site.gpkg", mode)
        before = files_beside(path)
        filler = fill(disk, leave_kib * 1024)
        if mode == "wal" and leave_kib * 1024 < store_module._ROOM_MARGIN:
            # a WAL file is not opened for writing without room for its -shm and -wal
            with pytest.raises(LandassetIOError, match=r"the disk holding .*mnt is full"):
                Ledger.open(path)
        else:
            led = Ledger.open(path)
            with pytest.raises(LandassetIOError, match=r"the disk holding .*mnt is full") as info:
                led.record_many(_batch(5_000))
            assert "nothing was recorded" in str(info.value)
            assert len(led) == 1  # the ledger goes on, with its old events
            led.close()
        after = files_beside(path)
        after.pop(filler.name)
        before.pop(filler.name, None)
        assert after == before  # same bytes, and no -journal, -wal or -shm left beside it
        assert _alone(path) == ("ok", 1)
        # the disk, not the batch, was the problem: with room the same batch goes in
        filler.unlink()
        with Ledger.open(path) as led:
            assert len(led.record_many(_batch(5_000))) == 5_000
        assert _alone(path) == ("ok", 5_001)


def test_sample_on_a_full_tmpfs_fails_and_leaves_nothing(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "1300k") as disk:
        out = disk / "yunqi.gpkg"
        result = CliRunner().invoke(cli, ["sample", "yunqi", "-o", str(out)])
        assert result.exit_code != 0
        assert "disk holding" in result.output and "is full" in result.output, result.output
        assert list(disk.iterdir()) == []


# -- injected failures (no mount needed) ----------------------------------------------------
def test_write_failing_with_disk_full_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _ledger(tmp_path / "site.gpkg", "delete")
    before = files_beside(path)
    real_insert = store_module.Store.insert

    def insert_then_fail(
        self: store_module.Store, con: sqlite3.Connection, batch: object
    ) -> object:
        real_insert(self, con, batch)  # type: ignore[arg-type]
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_module.Store, "insert", insert_then_fail)
    with Ledger.open(path) as led:
        with pytest.raises(
            LandassetIOError, match=r"disk holding .* is full.*nothing was recorded"
        ):
            led.record_many(_batch(5_000))
        assert len(led) == 1
    assert files_beside(path) == before


def test_wal_write_refused_before_commit_when_the_fold_would_not_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _ledger(tmp_path / "site.gpkg", "wal")
    before = files_beside(path)
    monkeypatch.setattr(store_module, "_free_bytes", lambda folder: 300_000)
    with Ledger.open(path) as led:
        with pytest.raises(LandassetIOError, match=r"300,000 bytes free, about [\d,]+ needed"):
            led.record_many(_batch(5_000))
        led.record("A", "acquiring", "2020-02-01", actor="a")  # a small write still fits
        assert len(led) == 2
    assert _alone(path) == ("ok", 2)
    monkeypatch.undo()
    assert set(files_beside(path)) == set(before)


def test_a_failed_fold_is_an_error_and_the_file_keeps_its_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _ledger(tmp_path / "site.gpkg", "wal")
    before = path.read_bytes()

    def full(con: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_module, "_checkpoint", full)
    monkeypatch.setattr(store_module, "_FOLD_EVERY_WRITES", 1)
    # another reader keeps SQLite from folding the WAL itself when the ledger closes
    reader = sqlite3.connect(path)
    reader.execute("SELECT 1 FROM sqlite_master").fetchall()
    led = Ledger.open(path)
    with pytest.raises(LandassetIOError, match=r"recorded in site\.gpkg-wal but cannot be folded"):
        led.record_many(_batch(2_000))
    with pytest.raises(LandassetIOError, match="cannot be folded"):
        led.close()
    assert path.read_bytes() == before  # the file itself: its old, consistent bytes
    assert _alone(path) == ("ok", 1)
    # the events are safe in the -wal, and fold in once the disk has room again
    assert reader.execute(f"SELECT count(*) FROM {EVENTS_TABLE}").fetchone() == (2_001,)
    reader.close()
    monkeypatch.undo()
    with Ledger.open(path) as led:
        assert len(led) == 2_001
    assert _alone(path) == ("ok", 2_001)


def test_sample_cli_removes_everything_when_the_ledger_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_insert = store_module.Store.insert

    def insert_then_fail(
        self: store_module.Store, con: sqlite3.Connection, batch: object
    ) -> object:
        real_insert(self, con, batch)  # type: ignore[arg-type]
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_module.Store, "insert", insert_then_fail)
    out = tmp_path / "out" / "yunqi.gpkg"
    out.parent.mkdir()
    result = CliRunner().invoke(cli, ["sample", "yunqi", "-o", str(out)])
    assert result.exit_code == 2
    assert "the sample was not written" in result.output
    assert "disk holding" in result.output and "is full" in result.output
    assert list(out.parent.iterdir()) == []


def test_lifecycle_import_on_a_full_disk_exits_2_and_keeps_the_file(
    parcels_gpkg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger.open(parcels_gpkg) as led:
        led.record("A-01", "planned", "2020-01-01", actor="a")
    before = files_beside(parcels_gpkg)
    (tmp_path / "in").mkdir()
    events = tmp_path / "in" / "events.csv"
    events.write_text("parcel_id,stage,on\nA-02,planned,2020-01-01\nA-03,planned,2020-01-01\n")
    real_insert = store_module.Store.insert

    def insert_then_fail(
        self: store_module.Store, con: sqlite3.Connection, batch: object
    ) -> object:
        real_insert(self, con, batch)  # type: ignore[arg-type]
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_module.Store, "insert", insert_then_fail)
    result = CliRunner().invoke(cli, ["lifecycle", "import", str(parcels_gpkg), str(events)])
    assert result.exit_code == 2
    assert "disk holding" in result.output and "nothing was recorded" in result.output
    assert files_beside(parcels_gpkg) == before


def test_lifecycle_record_exits_2_when_the_last_fold_fails(
    parcels_gpkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger.open(parcels_gpkg) as led:
        led.record("A-01", "planned", "2020-01-01", actor="a")
    con = sqlite3.connect(parcels_gpkg)
    con.execute("PRAGMA journal_mode = WAL")
    con.close()

    def full(con: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_module, "_checkpoint", full)
    result = CliRunner().invoke(
        cli,
        ["lifecycle", "record", str(parcels_gpkg), "A-02", "--to", "planned", "--on", "2020-01-01"],
    )
    assert result.exit_code == 2, result.output
    assert "disk holding" in result.output and "cannot be folded" in result.output
