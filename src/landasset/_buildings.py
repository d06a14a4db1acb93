"""Floor-area rules for building footprints (shared by Site summaries and measures).

Footprints that overlap (a building part drawn inside its building, two outlines
digitised over each other) are counted once: :func:`disjoint_footprints` gives each
building the part of its footprint that no building ranked before it covers, so the
footprints of a layer add up to the area of their union.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from landasset._topology import overlapping_pairs

__all__ = ["STOREY_HEIGHT_M", "building_floor_area", "disjoint_footprints"]

#: Storey height assumed when only a building's height is known.
STOREY_HEIGHT_M = 3.5


def _column(buildings: gpd.GeoDataFrame | gpd.GeoSeries, name: str) -> npt.NDArray[np.float64]:
    if isinstance(buildings, gpd.GeoDataFrame) and name in buildings.columns:
        return pd.to_numeric(buildings[name], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
    return np.full(len(buildings), np.nan)


def _storeys(buildings: gpd.GeoDataFrame | gpd.GeoSeries) -> npt.NDArray[np.float64]:
    """``floors``, else round(``height_m`` / 3.5), else NaN."""
    floors = _column(buildings, "floors")
    from_height = np.round(_column(buildings, "height_m") / STOREY_HEIGHT_M)
    return np.where(np.isnan(floors), from_height, floors)


def disjoint_footprints(
    buildings: gpd.GeoDataFrame | gpd.GeoSeries,
) -> npt.NDArray[np.object_]:
    """Each building's footprint less the parts covered by buildings ranked before it.

    The rank: buildings with a given ``gfa_m2`` first (their floor area is declared,
    footprint and all), then more storeys before fewer (a tower part inside a
    podium keeps its own area and the podium loses it), unknown storeys last, ties in
    layer order. Only buildings that overlap another are changed; the others keep
    their geometry object. The result's pieces do not overlap, and together they
    cover exactly the union of the footprints.

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> layer = gpd.GeoDataFrame(
    ...     {"floors": [3, 10]},
    ...     geometry=[box(0, 0, 20, 20), box(5, 5, 10, 10)],  # a 10-storey part inside
    ...     crs="EPSG:4549",
    ... )
    >>> [float(g.area) for g in disjoint_footprints(layer)]
    [375.0, 25.0]
    """
    geoms = np.asarray(buildings.geometry.to_numpy(), dtype=object).copy()
    polygonal = np.isin(
        shapely.get_type_id(geoms),
        (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON),
    )
    positions = np.flatnonzero(polygonal)
    i, j = overlapping_pairs(geoms[positions])
    if not len(i):
        return geoms
    i, j = positions[i], positions[j]
    declared = ~np.isnan(_column(buildings, "gfa_m2"))
    storeys = _storeys(buildings)
    # sort key: declared first, then storeys descending (unknown last), then position
    key = np.lexsort(
        (np.arange(len(geoms)), np.where(np.isnan(storeys), np.inf, -storeys), ~declared)
    )
    rank = np.empty(len(geoms), dtype=np.intp)
    rank[key] = np.arange(len(geoms))
    lower = np.where(rank[i] > rank[j], i, j)  # the one that gives up the overlap
    higher = np.where(rank[i] > rank[j], j, i)
    order = np.lexsort((higher, lower))
    lower, higher = lower[order], higher[order]
    original = geoms.copy()
    involved = np.unique(np.concatenate([i, j]))
    broken = involved[~shapely.is_valid(original[involved])]
    if len(broken):  # an unvalidated layer: overlay needs valid input
        original[broken] = shapely.make_valid(original[broken])
    # the k-th building ranked above each building, subtracted in one vectorised
    # pass per k (a pass per overlapping neighbour, not per building)
    starts = np.flatnonzero(np.r_[True, lower[1:] != lower[:-1]])
    counts = np.diff(np.r_[starts, len(lower)])
    rows = lower[starts]
    geoms[rows] = original[rows]
    for k in range(int(counts.max())):
        has = counts > k
        geoms[rows[has]] = shapely.difference(geoms[rows[has]], original[higher[starts[has] + k]])
    return geoms


def building_floor_area(buildings: gpd.GeoDataFrame) -> pd.Series:
    """Gross floor area of each building in m².

    ``gfa_m2`` when given; else footprint area × ``floors``; else footprint area ×
    round(``height_m`` / 3.5); else missing (NaN). The footprint is the building's
    part of :func:`disjoint_footprints`, so where footprints overlap the overlap is
    counted once, at the storeys of the taller building. Areas are taken in the
    layer's CRS, which must be metric (a :class:`~landasset.Site` guarantees it).

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> layer = gpd.GeoDataFrame(
    ...     {"floors": [3, 10]},
    ...     geometry=[box(0, 0, 20, 20), box(5, 5, 10, 10)],
    ...     crs="EPSG:4549",
    ... )
    >>> building_floor_area(layer).tolist()  # 375 m² × 3 + 25 m² × 10
    [1125.0, 250.0]
    """
    footprint = shapely.area(disjoint_footprints(buildings))
    footprint = np.asarray(footprint, dtype=float)
    gfa = footprint * _storeys(buildings)
    given = _column(buildings, "gfa_m2")
    gfa = np.where(np.isnan(given), gfa, given)
    return pd.Series(gfa, index=buildings.index, name="gfa_m2")
