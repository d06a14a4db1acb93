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

from landasset._errors import SchemaError
from landasset._topology import overlapping_pairs

__all__ = [
    "STOREY_HEIGHT_M",
    "TALL_STOREY_M",
    "building_floor_area",
    "counted_floor_area",
    "disjoint_footprints",
    "storey_heights",
]

#: Storey height assumed when only a building's height is known (the default of every
#: ``storey_height_m`` parameter).
STOREY_HEIGHT_M = 3.5

#: A storey higher than this counts its floor area twice in the industrial FAR
#: (国土资发〔2008〕24号: 层高超过 8 米的, 该层建筑面积加倍计算).
TALL_STOREY_M = 8.0


def _column(buildings: gpd.GeoDataFrame | gpd.GeoSeries, name: str) -> npt.NDArray[np.float64]:
    if isinstance(buildings, gpd.GeoDataFrame) and name in buildings.columns:
        return pd.to_numeric(buildings[name], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
    return np.full(len(buildings), np.nan)


def _storeys(
    buildings: gpd.GeoDataFrame | gpd.GeoSeries, storey_height_m: float = STOREY_HEIGHT_M
) -> npt.NDArray[np.float64]:
    """``floors``, else the number of ``storey_heights``, else round(``height_m`` /
    ``storey_height_m``), else NaN."""
    _check_storey_height(storey_height_m)
    floors = _column(buildings, "floors")
    listed = storey_heights(buildings)
    counted = listed.groupby(level=0).size().reindex(range(len(buildings))).to_numpy(dtype=float)
    floors = np.where(np.isnan(floors), counted, floors)
    from_height = np.round(_column(buildings, "height_m") / storey_height_m)
    return np.where(np.isnan(floors), from_height, floors)


def _check_storey_height(value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise SchemaError(
            f"storey_height_m must be a positive number of metres (such as 3.5), not {value!r}"
        )


def storey_heights(buildings: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """The ``storey_heights`` column as one row per storey: height in m, by building position.

    A building's storey heights are a list or tuple of numbers (``[4.5, 9, 4.5]``), or
    text with the heights separated by semicolons (``"4.5;9;4.5"``), ground storey
    first; missing (None/NaN) when unknown. The result is indexed by the building's
    position in the layer (0, 1, ...), one row per storey; buildings without the
    column or without a value have no rows.

    Raises
    ------
    SchemaError
        A height is not a positive number, or a building gives a ``floors`` value that
        differs from its number of storey heights.

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> layer = gpd.GeoDataFrame(
    ...     {"storey_heights": ["4.5;9", [12.0], None]},
    ...     geometry=[box(0, 0, 1, 1)] * 3, crs="EPSG:4549",
    ... )
    >>> heights = storey_heights(layer)
    >>> heights.index.tolist(), heights.tolist()
    ([0, 0, 1], [4.5, 9.0, 12.0])
    """
    empty = pd.Series(dtype=float, index=pd.Index([], dtype=np.int64), name="storey_height_m")
    if not isinstance(buildings, gpd.GeoDataFrame) or "storey_heights" not in buildings.columns:
        return empty
    raw = pd.Series(buildings["storey_heights"].to_numpy(dtype=object), dtype=object)
    listed = raw[~raw.isna().to_numpy(dtype=bool)]  # a list cell is never "missing"
    split = listed.str.split(";")  # text → pieces; lists and tuples → NaN here
    items = split.where(split.notna(), listed).explode()
    heights = pd.to_numeric(items.astype(str).str.strip(), errors="coerce").astype(float)
    bad = heights.isna() | ~(heights > 0)
    if bad.any():
        ids = buildings.index.astype(str).to_numpy()[np.unique(heights.index[bad.to_numpy()])]
        raise SchemaError(
            "buildings "
            + ", ".join(map(repr, ids[:5]))
            + (" ..." if len(ids) > 5 else "")
            + ": storey_heights holds a value that is not a positive height in metres; give "
            "a list of numbers or text such as '4.5;9;4.5' (ground storey first)"
        )
    heights.index = heights.index.astype(np.int64)
    floors = _column(buildings, "floors")
    count = heights.groupby(level=0).size()
    given = floors[count.index.to_numpy()]
    clash = ~np.isnan(given) & (given != count.to_numpy())
    if clash.any():
        ids = buildings.index.astype(str).to_numpy()[count.index.to_numpy()[clash]]
        raise SchemaError(
            "buildings "
            + ", ".join(map(repr, ids[:5]))
            + (" ..." if len(ids) > 5 else "")
            + ": floors differs from the number of storey_heights; correct one of them "
            "(or leave floors empty: the storey heights then give it)"
        )
    return heights.rename("storey_height_m")


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


def building_floor_area(
    buildings: gpd.GeoDataFrame, *, storey_height_m: float = STOREY_HEIGHT_M
) -> pd.Series:
    """Gross floor area of each building in m².

    ``gfa_m2`` when given; else footprint area × ``floors`` (or × the number of
    ``storey_heights``); else footprint area × round(``height_m`` /
    ``storey_height_m``), 3.5 m by default; else missing (NaN). The footprint is the building's
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
    gfa = footprint * _storeys(buildings, storey_height_m)
    given = _column(buildings, "gfa_m2")
    gfa = np.where(np.isnan(given), gfa, given)
    return pd.Series(gfa, index=buildings.index, name="gfa_m2")


def counted_floor_area(
    buildings: gpd.GeoDataFrame,
    *,
    storey_height_m: float = STOREY_HEIGHT_M,
    tall_storey_m: float = TALL_STOREY_M,
) -> pd.Series:
    """Floor area of each building as the industrial FAR counts it, in m².

    国土资发〔2008〕24号: a storey higher than ``tall_storey_m`` (8 m) counts its floor
    area twice. Each storey's height is, in this order:

    1. its entry in ``storey_heights`` (see :func:`storey_heights`);
    2. ``height_m / floors`` when both are known (every storey equally high: a
       single-storey 12 m plant counts its floor area twice);
    3. ``height_m / round(height_m / storey_height_m)`` when only the height is known
       (the storeys that :func:`building_floor_area` assumes);
    4. unknown when only ``floors`` (or only ``gfa_m2``) is given: counted once.

    The counted area is the building's floor area (:func:`building_floor_area`) × the
    counted storeys / its storeys, i.e. a declared ``gfa_m2`` is taken as spread evenly
    over the storeys. A storey of exactly 8 m is not "higher than 8 m" and counts once.

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> layer = gpd.GeoDataFrame(
    ...     {"floors": [1, 3, None], "height_m": [12.0, 12.0, None],
    ...      "storey_heights": [None, None, "9;4"]},
    ...     geometry=[box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10)],
    ...     crs="EPSG:4549",
    ... )
    >>> counted_floor_area(layer).tolist()  # 100 m² × 2; 3 × 100 m² of 4 m; 2 × 100 + 100
    [200.0, 300.0, 300.0]
    """
    _check_storey_height(tall_storey_m)
    n = len(buildings)
    base = building_floor_area(buildings, storey_height_m=storey_height_m).to_numpy(dtype=float)
    storeys = _storeys(buildings, storey_height_m)
    # counted storeys: from the listed heights where given ...
    listed = storey_heights(buildings)
    tall_listed = (listed > tall_storey_m).groupby(level=0).sum()
    counted = np.full(n, np.nan)
    has_list = np.zeros(n, dtype=bool)
    if len(listed):
        rows = tall_listed.index.to_numpy()
        counted[rows] = storeys[rows] + tall_listed.to_numpy(dtype=float)
        has_list[rows] = True
    # ... else from the height shared evenly by the storeys
    height = _column(buildings, "height_m")
    with np.errstate(divide="ignore", invalid="ignore"):
        per_storey = np.where(storeys > 0, height / storeys, np.nan)
    even = np.where(per_storey > tall_storey_m, 2.0 * storeys, storeys)
    counted = np.where(has_list, counted, even)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(storeys > 0, counted / storeys, 1.0)
    factor = np.where(np.isnan(factor), 1.0, factor)
    return pd.Series(base * factor, index=buildings.index, name="counted_gfa_m2")
