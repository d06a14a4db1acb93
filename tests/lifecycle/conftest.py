"""Fixtures for the lifecycle tests: ledgers, a small parcel GeoPackage, the sample history."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import box

import landasset as la
from landasset.lifecycle import Ledger

X0, Y0 = 514_000.0, 3_350_000.0


@pytest.fixture(params=["sqlite", "postgres"])
def ledger(request: pytest.FixtureRequest) -> Iterator[Ledger]:
    """A throw-away ledger: in memory (SQLite), and in a fresh PostgreSQL database (the
    same tests run against both back ends)."""
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        with Ledger.open(url) as led:
            yield led
    else:
        with Ledger.open(":memory:") as led:
            yield led


@pytest.fixture
def sqlite_ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "ledger.sqlite") as led:
        yield led


def small_parcels() -> gpd.GeoDataFrame:
    """Three 100 m × 100 m parcels (15 mu each) in EPSG:4549, indexed by parcel_id."""
    return gpd.GeoDataFrame(
        {
            "parcel_id": ["A-01", "A-02", "A-03"],
            "land_use": ["M1", "M1", "M2"],
            "far_min": [1.0, 1.0, 1.2],
            "name": ["一号地块", "二号地块", "三号地块"],
        },
        geometry=[box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(3)],
        crs="EPSG:4549",
    ).set_index("parcel_id")


@pytest.fixture
def parcels_gpkg(tmp_path: Path) -> Path:
    """A GeoPackage with a ``parcels`` layer written by landasset.io (GDAL)."""
    from landasset.io import write_layer

    return write_layer(small_parcels(), tmp_path / "site.gpkg", layer="parcels")


@pytest.fixture(scope="session")
def sample_ledger_path(tmp_path_factory: pytest.TempPathFactory, sample_site: la.Site) -> Path:
    """A copy of the sample GeoPackage, whose ledger holds the sample history."""
    from landasset.sample import sample_path

    path = tmp_path_factory.mktemp("sample") / "yunqi.gpkg"
    shutil.copyfile(sample_path("yunqi"), path)
    return path


@pytest.fixture
def sample_ledger(sample_ledger_path: Path) -> Iterator[Ledger]:
    with Ledger.open(sample_ledger_path) as led:
        yield led


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A small tmpfs mounted on ``folder`` (a real full disk); skips when it cannot be
    mounted (not root, no mount permission in a container)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def remount_read_only(folder: Path) -> None:
    """Make a tmpfs from :func:`tmpfs` read-only (refused even to root)."""
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)


def fill(folder: Path, leave: int) -> Path:
    """Fill the disk holding ``folder`` until about ``leave`` bytes are free."""
    filler = folder / "filler.bin"
    free = shutil.disk_usage(folder).free
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))
    return filler


def files_beside(path: Path) -> dict[str, bytes]:
    """Every file in ``path``'s folder, by name, with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir()) if p.is_file()}
