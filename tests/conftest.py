"""Shared fixtures: the sample district, loaded once per test session, and the
GeoPackage validator."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import settings
from shapely import box

import landasset as la

# Tests never assert on wall time: a property's examples may take as long as a loaded
# machine needs (hypothesis' default 200 ms deadline would fail correct code there).
settings.register_profile("landasset", deadline=None)
settings.load_profile("landasset")


@pytest.fixture(scope="session")
def sample_site() -> la.Site:
    """The bundled Yunqi sample district."""
    return la.sample.load("yunqi")


@pytest.fixture
def square_parcels() -> gpd.GeoDataFrame:
    """Three 100 m × 100 m parcels in EPSG:4549 near Hangzhou."""
    x0, y0 = 514_000.0, 3_350_000.0
    return gpd.GeoDataFrame(
        {
            "parcel_id": ["A-01", "A-02", "A-03"],
            "land_use": ["M1", "100101", "B2"],
            "far_max": [2.0, 2.5, 4.0],
            "name": ["一号地块", "二号地块", "三号地块"],
        },
        geometry=[box(x0 + 100 * i, y0, x0 + 100 * (i + 1), y0 + 100) for i in range(3)],
        crs="EPSG:4549",
    )


# -- the GeoPackage validator -----------------------------------------------------------

HAS_VALIDATOR = importlib.util.find_spec("osgeo_utils") is not None


def _validate_gpkg(path: Path) -> str:
    """Run GDAL's ``validate_gpkg`` (gdal-utils) on ``path``; return its report.

    Strict: the extra checks run and a warning counts as an error. The validator runs
    in a child process, so nothing the test holds open can hide a problem. Without
    gdal-utils the test is skipped, except under CI, where ``make test`` installs it and
    its absence is a failure.
    """
    if not HAS_VALIDATOR:
        message = "osgeo_utils (gdal-utils) is not installed, cannot run validate_gpkg"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "osgeo_utils.samples.validate_gpkg",
            "-v",
            "--extra",
            "--warning-as-error",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Req " not in done.stdout and "Warning" not in done.stdout, done.stdout
    assert "Checking gpkg_contents" in done.stdout, done.stdout  # it read the file
    return done.stdout


@pytest.fixture(scope="session")
def validate_gpkg() -> Callable[[Path], str]:
    """``validate_gpkg(path)``: the file passes GDAL's strict GeoPackage validator; its
    verbose report is returned (skipped without gdal-utils, a failure under CI)."""
    return _validate_gpkg
