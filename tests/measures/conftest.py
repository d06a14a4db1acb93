"""Helpers for the measure tests: small layers in EPSG:4549 near Hangzhou."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

CRS = "EPSG:4549"
X0, Y0 = 514_000.0, 3_350_000.0

Frame = Callable[..., gpd.GeoDataFrame]


def make_frame(
    geoms: Sequence[Any], prefix: str = "F", id_name: str = "id", **columns: Sequence[Any]
) -> gpd.GeoDataFrame:
    """A layer from geometries drawn around (0, 0), moved to (X0, Y0) in EPSG:4549."""
    moved = [None if g is None else shapely.affinity.translate(g, X0, Y0) for g in geoms]
    gdf = gpd.GeoDataFrame(dict(columns), geometry=moved, crs=CRS)
    gdf.index = pd.Index([f"{prefix}{i}" for i in range(len(geoms))], name=id_name)
    return gdf


@pytest.fixture
def frame() -> Frame:
    """``frame(geoms, prefix, id_name, **columns)`` builds a small layer."""
    return make_frame
