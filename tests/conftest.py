"""Shared fixtures: the sample district is loaded once per test session."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import box

import landasset as la


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
