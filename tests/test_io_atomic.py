"""A failed write never costs the old data: every writer, every way a write can fail.

Each test writes a file, makes the overwrite fail (disk full midway, a read-only
folder, an exception from the data, a failing rename, a real 2 MB tmpfs), and checks
that the folder holds exactly the files it held before, byte for byte (sha256).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from landasset import io as lio
from landasset._errors import LandassetIOError
from landasset.cli import cli
from landasset.site import Site

X0, Y0 = 514_920.0, 3_350_506.0
EXTENSIONS = [".gpkg", ".parquet", ".fgb", ".geojson", ".shp", ".json"]


def parcels(n: int = 4, offset: float = 0.0) -> gpd.GeoDataFrame:
    x = X0 + (np.arange(n) % 100) * 50.0 + offset
    y = Y0 + (np.arange(n) // 100) * 50.0
    return gpd.GeoDataFrame(
        {
            "parcel_id": [f"XH{i:05d}" for i in range(n)],
            "land_use": ["M1"] * n,
            "备注": ["云栖小镇地块"] * n,
        },
        geometry=shapely.box(x, y, x + 40, y + 40),
        crs="EPSG:4549",
    ).set_index("parcel_id")


def bad_data() -> gpd.GeoDataFrame:
    """A layer whose column Arrow cannot convert (bytes beside numbers)."""
    gdf = parcels(3, offset=5.0)
    gdf["mixed"] = pd.Series([b"x", 1, 2.5], dtype=object, index=gdf.index)
    return gdf


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in a folder (hidden temporaries included) with its sha256."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


# -- failure injections ---------------------------------------------------------------------


def _disk_full_midway(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine writes (the temporary file exists), then the disk is full."""
    real_ogr, real_parquet = lio._ogr_write, lio._parquet_write

    def ogr(frame: gpd.GeoDataFrame, path: Path, **kwargs: object) -> None:
        real_ogr(frame, path, **kwargs)
        assert path.exists()
        raise OSError(errno.ENOSPC, "No space left on device")

    def parquet(frame: gpd.GeoDataFrame, path: Path) -> None:
        real_parquet(frame, path)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(lio, "_ogr_write", ogr)
    monkeypatch.setattr(lio, "_parquet_write", parquet)


def _read_only_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Creating any file fails (root ignores chmod, so the error is injected)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(lio, "_ogr_write", refuse)
    monkeypatch.setattr(lio, "_parquet_write", refuse)
    monkeypatch.setattr(lio, "_copy_sqlite", refuse)


INJECTIONS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "disk full": _disk_full_midway,
    "read-only folder": _read_only_folder,
}


# -- writers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", EXTENSIONS)
@pytest.mark.parametrize("failure", [*INJECTIONS, "bad data"])
def test_write_layer_overwrite(tmp_path, monkeypatch, ext, failure):
    path = lio.write_layer(parcels(), tmp_path / f"p{ext}")
    before = snapshot(tmp_path)
    data = parcels(2, offset=3.0)
    if failure == "bad data":
        data = bad_data()
    else:
        INJECTIONS[failure](monkeypatch)
    with pytest.raises(LandassetIOError, match="the file is as it was"):
        lio.write_layer(data, path, overwrite=True)
    assert snapshot(tmp_path) == before
    monkeypatch.undo()
    assert len(lio.read_layer(path)) == 4


@pytest.mark.parametrize("ext", EXTENSIONS)
@pytest.mark.parametrize("failure", INJECTIONS)
def test_write_layer_new_file_leaves_nothing(tmp_path, monkeypatch, ext, failure):
    INJECTIONS[failure](monkeypatch)
    with pytest.raises(LandassetIOError, match="nothing was written"):
        lio.write_layer(parcels(), tmp_path / f"p{ext}")
    assert snapshot(tmp_path) == {}


def site_file(folder: Path) -> Path:
    """A GeoPackage with two layers and a plain table (as a ledger would be)."""
    path = lio.write_layers({"parcels": parcels(), "stations": parcels(2)}, folder / "s.gpkg")
    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE notes_table (id INTEGER PRIMARY KEY, text TEXT)")
        con.execute("INSERT INTO notes_table (text) VALUES ('批次一')")
    con.close()
    return path


@pytest.mark.parametrize("layer", ["parcels", "constraints"])  # replace / add
@pytest.mark.parametrize("failure", [*INJECTIONS, "bad data"])
def test_gpkg_layer_replace_or_add_in_a_site_file(tmp_path, monkeypatch, layer, failure):
    path = site_file(tmp_path)
    before = snapshot(tmp_path)
    data = parcels(2, offset=3.0)
    if failure == "bad data":
        data = bad_data()
    else:
        INJECTIONS[failure](monkeypatch)
    with pytest.raises(LandassetIOError, match="the file is as it was"):
        lio.write_layer(data, path, layer=layer, overwrite=True)
    assert snapshot(tmp_path) == before
    monkeypatch.undo()
    assert lio.list_layers(path) == ["parcels", "stations"]
    assert len(lio.read_layer(path, layer="parcels")) == 4


def test_gpkg_layer_replace_keeps_the_other_layers_and_tables(tmp_path):
    path = site_file(tmp_path)
    lio.write_layer(parcels(2, offset=3.0), path, layer="parcels", overwrite=True)
    assert sorted(lio.list_layers(path)) == ["parcels", "stations"]
    assert len(lio.read_layer(path, layer="parcels")) == 2
    assert len(lio.read_layer(path, layer="stations")) == 2
    con = sqlite3.connect(path)
    assert con.execute("SELECT text FROM notes_table").fetchall() == [("批次一",)]
    con.close()
    assert sorted(snapshot(tmp_path)) == ["s.gpkg"]


def test_gpkg_copy_failing_leaves_the_file(tmp_path, monkeypatch):
    path = site_file(tmp_path)
    before = snapshot(tmp_path)
    real = sqlite3.Connection.backup

    def full(self: sqlite3.Connection, target: sqlite3.Connection, **kwargs: object) -> None:
        real(self, target, **kwargs)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(lio, "_copy_sqlite", _copy_with(full))
    with pytest.raises(LandassetIOError, match=r"disk is full.*as it was"):
        lio.write_layer(parcels(2), path, layer="parcels", overwrite=True)
    assert snapshot(tmp_path) == before


def _copy_with(backup: Callable[..., None]) -> Callable[[Path, Path], None]:
    def copy(src: Path, dest: Path) -> None:
        source, target = sqlite3.connect(src), sqlite3.connect(dest)
        try:
            backup(source, target)
        finally:
            source.close()
            target.close()

    return copy


@pytest.mark.parametrize("failure", INJECTIONS)
def test_write_layers_and_site_to_file_overwrite(tmp_path, monkeypatch, failure):
    path = site_file(tmp_path)
    before = snapshot(tmp_path)
    site = Site(parcels=parcels(3, offset=7.0))
    INJECTIONS[failure](monkeypatch)
    with pytest.raises(LandassetIOError, match="the file is as it was"):
        lio.write_layers({"parcels": parcels(1)}, path, overwrite=True)
    assert snapshot(tmp_path) == before
    with pytest.raises(LandassetIOError, match="the file is as it was"):
        site.to_file(path, overwrite=True)
    assert snapshot(tmp_path) == before


def test_site_to_file_bad_data(tmp_path):
    path = site_file(tmp_path)
    before = snapshot(tmp_path)
    site = Site(parcels=parcels(3), validate=False, extra={"other": bad_data()})
    with pytest.raises(LandassetIOError, match="the file is as it was"):
        site.to_file(path, overwrite=True)
    assert snapshot(tmp_path) == before


def test_shapefile_rename_failing_midway_restores_the_old_files(tmp_path, monkeypatch):
    path = lio.write_layer(parcels(), tmp_path / "p.shp")
    path.with_suffix(".qix").write_bytes(b"old spatial index")  # a stale sidecar
    before = snapshot(tmp_path)
    real = os.replace

    def replace(src: object, dst: object) -> None:
        if str(src).endswith(".tmp.dbf"):  # the new .shp and .shx are already in place
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(lio.os, "replace", replace)
    with pytest.raises(LandassetIOError, match=r"Input/output error.*as it was"):
        lio.write_layer(parcels(2, offset=3.0), path, overwrite=True)
    assert snapshot(tmp_path) == before


def test_final_rename_failing_leaves_the_gpkg(tmp_path, monkeypatch):
    path = site_file(tmp_path)
    before = snapshot(tmp_path)

    def replace(src: object, dst: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(lio.os, "replace", replace)
    with pytest.raises(LandassetIOError, match=r"cross-device.*as it was"):
        lio.write_layer(parcels(2), path, layer="parcels", overwrite=True)
    assert snapshot(tmp_path) == before


# -- command-line outputs -----------------------------------------------------------------


def invoke(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stderr


@pytest.mark.parametrize("ext", [".gpkg", ".fgb", ".shp"])
@pytest.mark.parametrize("failure", INJECTIONS)
def test_cli_convert_overwrite(tmp_path, monkeypatch, ext, failure):
    source = lio.write_layer(parcels(), tmp_path / "source.gpkg", layer="parcels")
    out = tmp_path / "out"
    out.mkdir()
    target = lio.write_layer(
        parcels(2), out / f"t{ext}", layer="parcels" if ext == ".gpkg" else None
    )
    before = snapshot(out)
    INJECTIONS[failure](monkeypatch)
    code, stderr = invoke("convert", source, target, "--layer", "parcels", "--overwrite")
    assert code == 2, stderr
    assert "as it was" in stderr
    assert snapshot(out) == before


@pytest.mark.parametrize("failure", INJECTIONS)
def test_cli_validate_fix_overwrite(tmp_path, monkeypatch, failure):
    source = lio.write_layers({"parcels": parcels(), "stations": parcels(2)}, tmp_path / "in.gpkg")
    out = tmp_path / "out"
    out.mkdir()
    target = site_file(out)
    before = snapshot(out)
    INJECTIONS[failure](monkeypatch)
    code, stderr = invoke("validate", source, "--kind", "parcels", "--layer", "parcels",
                          "--fix", target, "--overwrite")  # fmt: skip
    assert code == 2, stderr
    assert "as it was" in stderr
    assert snapshot(out) == before


@pytest.fixture(scope="module")
def sample_with_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "yunqi.gpkg"
    code, stderr = invoke("sample", "yunqi", "-o", path, "--ledger")
    assert code == 0, stderr
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["score", "{site}", "-p", "aerospace", "-o", "{site}", "--output-layer", "{layer}"],
        ["efficiency", "{site}", "--year", "2025", "-o", "{site}", "--output-layer", "{layer}"],
    ],
    ids=["score", "efficiency"],
)
@pytest.mark.parametrize("layer", ["results", "parcels"])  # a new layer / the site's own
def test_cli_results_into_the_site_file(tmp_path, monkeypatch, sample_with_ledger, command, layer):
    """Writing a result layer into the site GeoPackage (with its ledger) fails cleanly."""
    site = Path(shutil.copy(sample_with_ledger, tmp_path / "site.gpkg"))
    before = snapshot(tmp_path)
    _disk_full_midway(monkeypatch)
    args = [a.format(site=site, layer=layer) for a in command]
    code, stderr = invoke(*args, "--overwrite")
    assert code == 2, stderr
    assert "as it was" in stderr
    assert snapshot(tmp_path) == before


def test_cli_sample_with_ledger_overwrite(tmp_path, monkeypatch):
    from landasset.lifecycle import Ledger

    target = site_file(tmp_path)
    before = snapshot(tmp_path)

    def fail(self: Ledger, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Ledger, "record_many", fail)
    code, stderr = invoke("sample", "yunqi", "-o", target, "--ledger", "--overwrite")
    assert code == 2, stderr
    assert "as it was" in stderr
    assert snapshot(tmp_path) == before
    monkeypatch.undo()
    code, stderr = invoke("sample", "yunqi", "-o", target, "--ledger", "--overwrite")
    assert code == 0, stderr
    assert sorted(snapshot(tmp_path)) == ["s.gpkg"]  # no journal or temporary left
    with Ledger.open(target) as book:
        assert len(book.events()) > 2000


# -- a real small disk ----------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (needs root and permission to mount; skipped otherwise)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    run = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {run.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_real_disk_full_layer_replace(small_disk):
    big = parcels(5000)
    path = lio.write_layers({"parcels": big, "stations": parcels(2)}, small_disk / "s.gpkg")
    assert 1_000_000 < path.stat().st_size < 1_900_000  # a copy cannot fit beside it
    before = snapshot(small_disk)
    with pytest.raises(LandassetIOError, match="as it was"):
        lio.write_layer(big, path, layer="parcels", overwrite=True)
    assert snapshot(small_disk) == before
    assert len(lio.read_layer(path, layer="parcels")) == 5000


@pytest.mark.parametrize("ext", [".gpkg", ".fgb", ".shp"])
def test_real_disk_full_overwrite(small_disk, ext):
    big = parcels(4500)
    path = lio.write_layer(big, small_disk / f"p{ext}")
    assert 1_000_000 < sum(p.stat().st_size for p in small_disk.iterdir()) < 1_900_000
    before = snapshot(small_disk)
    with pytest.raises(LandassetIOError, match="as it was"):
        lio.write_layer(big, path, overwrite=True)
    assert snapshot(small_disk) == before
    assert len(lio.read_layer(path)) == 4500


# -- a full disk is named as such, at whatever depth of nested temporary files ------------
@pytest.mark.parametrize(
    "failure",
    [
        sqlite3.OperationalError("database or disk is full"),
        OSError(errno.ENOSPC, "No space left on device"),
    ],
    ids=["sqlite-full", "enospc"],
)
def test_disk_full_inside_a_nested_write_names_the_disk_once(tmp_path, failure):
    target = tmp_path / "out.gpkg"
    with (
        pytest.raises(LandassetIOError) as info,
        lio._atomic(target, "GPKG") as outer,
        lio._atomic(outer, "GPKG"),
    ):
        raise failure
    message = str(info.value)
    assert message.startswith(f"could not write {target}: the disk holding {tmp_path.resolve()}")
    assert "is full" in message
    assert message.count("nothing was written") == 1
    assert message.count("could not write") == 1
    assert list(tmp_path.iterdir()) == []


def test_other_failure_inside_a_nested_write_keeps_its_words(tmp_path):
    target = tmp_path / "out.gpkg"
    with (
        pytest.raises(LandassetIOError) as info,
        lio._atomic(target, "GPKG") as outer,
        lio._atomic(outer, "GPKG"),
    ):
        raise ValueError("column 'x' has mixed types")
    assert str(info.value) == (
        f"could not write {target}: column 'x' has mixed types; nothing was written"
    )
