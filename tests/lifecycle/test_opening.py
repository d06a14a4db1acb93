"""Opening a ledger: a refused file is untouched, read-only opens write nothing beside
the file (even in a read-only folder), and paths with URI characters work everywhere."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from landasset import LandassetIOError
from landasset._sqlite import connect_read_only, sqlite_uri
from landasset.cli import cli
from landasset.io import write_layer
from landasset.lifecycle import EVENTS_TABLE, Ledger, Stage, has_ledger

from .conftest import files_beside, remount_read_only, small_parcels, tmpfs


def _snapshot(path: Path) -> tuple[dict[str, bytes], int]:
    return files_beside(path), path.stat().st_mtime_ns


def _header_modes(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:20]
    return head[18], head[19]


# -- a refused file is untouched --------------------------------------------------------------
@pytest.mark.parametrize("mode", ["delete", "wal"])
def test_refused_plain_sqlite_is_untouched(tmp_path: Path, mode: str) -> None:
    plain = tmp_path / "plain.gpkg"
    con = sqlite3.connect(plain)
    con.execute(f"PRAGMA journal_mode = {mode}")
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.close()
    before = _snapshot(plain)
    assert _header_modes(plain) == ((2, 2) if mode == "wal" else (1, 1))
    with pytest.raises(LandassetIOError, match="not a GeoPackage"):
        Ledger.open(plain)
    assert _snapshot(plain) == before  # same bytes, same journal mode, no file beside it


def test_refused_junk_is_untouched(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    before = _snapshot(junk)
    with pytest.raises(LandassetIOError, match="not a SQLite database"):
        Ledger.open(junk)
    with pytest.raises(LandassetIOError, match="not a SQLite database"):
        Ledger.open(junk, read_only=True)
    assert _snapshot(junk) == before


def test_open_and_close_without_writing_changes_nothing(parcels_gpkg: Path) -> None:
    with Ledger.open(parcels_gpkg) as led:
        led.record("A-01", "planned", "2020-01-01", actor="a")
    before = _snapshot(parcels_gpkg)
    with Ledger.open(parcels_gpkg) as led:
        assert led.stage("A-01") is Stage.planned
    with Ledger.open(parcels_gpkg, read_only=True) as led:
        assert len(led) == 1
    assert _snapshot(parcels_gpkg) == before


# -- read-only opens ------------------------------------------------------------------------
def _wal_ledger(path: Path) -> Path:
    """A ledger in a GeoPackage whose own journal mode is WAL, closed cleanly (no -wal)."""
    with Ledger.open(path) as led:
        led.record("A", "planned", "2020-01-01", actor="a")
        led.record("A", "acquiring", "2021-01-01", actor="a")
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    con.close()
    assert _header_modes(path) == (2, 2)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    return path


def test_read_only_open_of_a_wal_file_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = _wal_ledger(folder / "site.gpkg")
    before = _snapshot(path)
    # as root, 0o555 does not stop writes: what is checked is that nothing is written
    folder.chmod(0o555)
    try:
        with Ledger.open(path, read_only=True) as led:
            assert led.stages().to_dict() == {"A": "acquiring"}
            assert sorted(p.name for p in folder.iterdir()) == ["site.gpkg"]  # no -wal/-shm
        assert has_ledger(path)
    finally:
        folder.chmod(0o755)
    assert _snapshot(path) == before


def test_read_only_open_of_a_wal_file_on_a_read_only_disk(tmp_path: Path) -> None:
    """A read-only mount refuses writes even to root: the open must not need any."""
    with tmpfs(tmp_path / "mnt", "4m") as disk:
        path = _wal_ledger(disk / "site.gpkg")
        before = files_beside(path)
        remount_read_only(disk)
        with pytest.raises(OSError):
            (disk / "probe").write_bytes(b"x")
        # what the read-only open avoids: mode=ro needs to create the -shm
        con = sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)
        with pytest.raises(sqlite3.OperationalError, match="unable to open"):
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        con.close()
        with Ledger.open(path, read_only=True) as led:
            assert led.stages().to_dict() == {"A": "acquiring"}
            assert len(led.history("A")) == 2
        assert has_ledger(path)
        result = CliRunner().invoke(cli, ["lifecycle", "history", str(path), "A"])
        assert result.exit_code == 0 and "acquiring" in result.output, result.output
        with pytest.raises(LandassetIOError, match="for writing"):
            Ledger.open(path)
        assert files_beside(path) == before


def test_read_only_open_sees_events_still_in_the_wal(tmp_path: Path) -> None:
    path = _wal_ledger(tmp_path / "site.gpkg")
    with Ledger.open(path) as writer:
        writer.record("B", "planned", "2022-01-01", actor="w")
        # the writer has not folded its WAL yet: the event is only in site.gpkg-wal
        assert (tmp_path / "site.gpkg-wal").stat().st_size > 0
        with Ledger.open(path, read_only=True) as reader:
            assert reader.stages().to_dict() == {"A": "acquiring", "B": "planned"}


# -- paths with URI characters --------------------------------------------------------------
@pytest.mark.parametrize("name", ["park #2.gpkg", "what?.gpkg", "100%.gpkg", "a%23b.gpkg"])
def test_paths_with_uri_characters_work_everywhere(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "dir #1 ?x %41"
    folder.mkdir()
    path = write_layer(small_parcels(), folder / name, layer="parcels")
    decoy = tmp_path / "dir "  # what an unquoted 'file:.../dir #1...' URI would open
    with Ledger.open(path) as led:
        led.record("A-01", "planned", "2020-01-01", actor="a")
    assert sorted(p.name for p in folder.iterdir()) == [name]
    assert not decoy.exists()
    with Ledger.open(path, read_only=True) as led:
        assert led.stages().to_dict() == {"A-01": "planned"}
    assert has_ledger(path)
    con = connect_read_only(path)
    assert con.execute(f"SELECT count(*) FROM {EVENTS_TABLE}").fetchone() == (1,)
    con.close()
    result = CliRunner().invoke(cli, ["info", str(path)])
    assert "lifecycle ledger: 1 events" in result.output, result.output
    result = CliRunner().invoke(cli, ["lifecycle", "history", str(path), "A-01"])
    assert result.exit_code == 0 and "planned" in result.output, result.output


def test_sqlite_uri_round_trips_through_sqlite(tmp_path: Path) -> None:
    """The URI opens the very file named (an oracle: SQLite's own URI parsing)."""
    for name in ("a#b.db", "a?b.db", "a%b.db", "a%25b.db", "sp ace.db", "中文.db"):
        path = tmp_path / name
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE marker (name TEXT)")
        con.execute("INSERT INTO marker VALUES (?)", (name,))
        con.commit()
        con.close()
    for name in ("a#b.db", "a?b.db", "a%b.db", "a%25b.db", "sp ace.db", "中文.db"):
        con = sqlite3.connect(sqlite_uri(tmp_path / name, mode="ro"), uri=True)
        assert con.execute("SELECT name FROM marker").fetchone() == (name,)
        con.close()


def test_report_keeps_its_lifecycle_section_for_a_path_with_uri_characters(
    sample_ledger_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "园区 #2"
    folder.mkdir()
    site = folder / "yunqi?v=1%.gpkg"
    site.write_bytes(sample_ledger_path.read_bytes())
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", str(site), "-o", str(out), "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<section id="lifecycle">' in page


def test_report_from_a_wal_geopackage_on_a_read_only_disk(
    sample_ledger_path: Path, tmp_path: Path
) -> None:
    with tmpfs(tmp_path / "mnt", "8m") as disk:
        site = disk / "yunqi.gpkg"
        site.write_bytes(sample_ledger_path.read_bytes())
        con = sqlite3.connect(site)
        con.execute("PRAGMA journal_mode = WAL")
        con.close()
        before = files_beside(site)
        remount_read_only(disk)
        out = tmp_path / "report.html"
        result = CliRunner().invoke(
            cli, ["report", str(site), "-o", str(out), "--as-of", "2025-12-31"]
        )
        assert result.exit_code == 0, result.output
        assert '<section id="lifecycle">' in out.read_text(encoding="utf-8")
        assert files_beside(site) == before


# -- has_ledger -------------------------------------------------------------------------------
def test_has_ledger_answers_without_writing(tmp_path: Path) -> None:
    missing = tmp_path / "missing.gpkg"
    assert has_ledger(missing) is False
    assert not missing.exists()  # asking did not create the file
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"not a database at all" * 100)
    site = write_layer(small_parcels(), tmp_path / "site.gpkg", layer="parcels")
    plain = tmp_path / "other.sqlite"
    con = sqlite3.connect(plain)
    con.execute("CREATE TABLE landasset_lineage (x)")  # the wrong table of the two
    con.commit()
    con.close()
    before = {p: _snapshot(p) for p in (junk, site, plain)}
    assert [has_ledger(p) for p in (junk, site, plain)] == [False, False, False]
    assert {p: _snapshot(p) for p in (junk, site, plain)} == before
    with Ledger.open(site) as led:
        led.record("A-01", "planned", "2020-01-01", actor="a")
    after = _snapshot(site)
    assert has_ledger(site) is True
    assert has_ledger(str(site)) is True
    assert _snapshot(site) == after
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.gpkg", "other.sqlite", "site.gpkg"]
