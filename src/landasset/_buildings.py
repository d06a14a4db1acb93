"""Floor-area rules for building footprints (shared by Site summaries and measures)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["STOREY_HEIGHT_M", "building_floor_area"]

#: Storey height assumed when only a building's height is known.
STOREY_HEIGHT_M = 3.5


def building_floor_area(buildings: gpd.GeoDataFrame) -> pd.Series:
    """Gross floor area of each building in m².

    ``gfa_m2`` when given; else footprint area × ``floors``; else footprint area ×
    round(``height_m`` / 3.5); else missing (NaN). The footprint area is taken in the
    layer's CRS, which must be metric (a :class:`~landasset.Site` guarantees it).
    """
    footprint = buildings.geometry.area.to_numpy(dtype=float)
    gfa = np.full(len(buildings), np.nan)
    if "height_m" in buildings.columns:
        storeys = np.round(
            pd.to_numeric(buildings["height_m"], errors="coerce").to_numpy(dtype=float)
            / STOREY_HEIGHT_M
        )
        gfa = np.where(np.isnan(gfa), footprint * storeys, gfa)
    if "floors" in buildings.columns:
        floors = pd.to_numeric(buildings["floors"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        gfa = np.where(np.isnan(floors), gfa, footprint * floors)
    if "gfa_m2" in buildings.columns:
        given = pd.to_numeric(buildings["gfa_m2"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        gfa = np.where(np.isnan(given), gfa, given)
    return pd.Series(gfa, index=buildings.index, name="gfa_m2")
