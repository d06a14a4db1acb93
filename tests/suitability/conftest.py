"""Fixtures for the suitability tests: a small hand-built site and measure frame."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from landasset.suitability import Criterion, SuitabilityModel, large, linear, logistic


def grid_parcels(n: int = 6, size: float = 100.0) -> gpd.GeoDataFrame:
    """``n`` 100 m squares in a row (15 mu each), ids P0..P{n-1}."""
    x0, y0 = 514_000.0, 3_350_000.0
    return gpd.GeoDataFrame(
        {"land_use": ["M1"] * n, "far_max": np.linspace(1.0, 4.0, n)},
        geometry=[box(x0 + size * i, y0, x0 + size * (i + 1), y0 + size) for i in range(n)],
        index=pd.Index([f"P{i}" for i in range(n)], name="parcel_id"),
        crs="EPSG:4549",
    )


def three_criteria_model(**kwargs: object) -> SuitabilityModel:
    criteria = [
        Criterion(
            "metro", {"measure": "walk_distance", "targets": "stations"}, linear(300, 2000), 0.5
        ),
        Criterion("size", {"measure": "area_mu"}, logistic(30, 0.2), 0.3),
        Criterion(
            "services",
            {"measure": "count_within", "points": "amenities", "radius": 500},
            large(10, 3),
            0.2,
        ),
    ]
    return SuitabilityModel(criteria, name="three", **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def model() -> SuitabilityModel:
    return three_criteria_model()


@pytest.fixture
def parcels() -> gpd.GeoDataFrame:
    return grid_parcels(6)


@pytest.fixture
def measures() -> pd.DataFrame:
    """A measure frame for :func:`three_criteria_model` over :func:`grid_parcels` (6 rows)."""
    return pd.DataFrame(
        {
            "walk_distance(targets=stations)": [300.0, 800.0, 1500.0, 2500.0, 600.0, 1000.0],
            "area_mu": [40.0, 25.0, 60.0, 12.0, 30.0, 8.0],
            "count_within(points=amenities, radius=500)": [20, 5, 0, 12, 8, 30],
        },
        index=pd.Index([f"P{i}" for i in range(6)], name="parcel_id"),
    )
