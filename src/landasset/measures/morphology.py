"""Parcel shape and built form: area, compactness, floor area, FAR and coverage.

Every function returns a Series named after the measure (units in the name) and
aligned on the parcels' index (buildings' index for :func:`assign_buildings`). The
layers must be in one projected metric CRS (a :class:`~landasset.Site` guarantees it).

=====================  ===================  =============================================
function               Series name          meaning
=====================  ===================  =============================================
:func:`area_m2`        ``area_m2``          parcel area, m²
:func:`area_mu`        ``area_mu``          parcel area, mu (亩, 2000/3 m²)
:func:`compactness`    ``compactness``      Polsby-Popper 4πA/P², 1 for a disc
:func:`assign_buildings` ``parcel_id``      parcel holding the largest share of a footprint
:func:`gross_floor_area` ``gfa_m2``         gross floor area of the parcel's buildings, m²
:func:`floor_area_ratio` ``far``            gross floor area / parcel area (容积率)
:func:`industrial_floor_area_ratio` ``far_industrial`` FAR with storeys over 8 m counted twice
:func:`building_coverage` ``building_coverage`` footprint area inside the parcel / parcel area
=====================  ===================  =============================================

Examples
--------
>>> import landasset as la
>>> from landasset.measures import area_mu, floor_area_ratio
>>> site = la.sample.load("yunqi")
>>> mu = area_mu(site.parcels)
>>> mu.name, bool((mu > 0).all())
('area_mu', True)
>>> far = floor_area_ratio(site.parcels, site.buildings)
>>> far.name, bool((far >= 0).all())
('far', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from landasset._buildings import (
    STOREY_HEIGHT_M,
    TALL_STOREY_M,
    building_floor_area,
    counted_floor_area,
    disjoint_footprints,
)
from landasset.measures._common import (
    CHUNK,
    Layer,
    MeasureError,
    check_choice,
    check_layers,
    geometry_array,
    parcel_geometries,
    present,
    series,
)
from landasset.measures._registry import CHOICE, NUMBER, Param, Shared, measure
from landasset.units import m2_to_mu

__all__ = [
    "ASSIGNMENTS",
    "BuildingOverlaps",
    "area_m2",
    "area_mu",
    "assign_buildings",
    "building_coverage",
    "building_overlaps",
    "compactness",
    "floor_area_ratio",
    "gross_floor_area",
    "industrial_floor_area_ratio",
]

#: How buildings are given to parcels for floor-area measures.
ASSIGNMENTS: tuple[str, ...] = ("auto", "parcel_id", "overlap")
Assignment = Literal["auto", "parcel_id", "overlap"]


@measure(column="area_m2")
def area_m2(parcels: Layer) -> pd.Series:
    """Parcel area in square metres.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons (MultiPolygons allowed; holes are not counted) in a metric CRS.

    Returns
    -------
    Series
        ``area_m2``, float, aligned on ``parcels.index``.

    Raises
    ------
    CRSError
        The parcels are not in a projected metric CRS.
    SchemaError
        A parcel has no geometry (None or empty).

    Examples
    --------
    >>> import landasset as la
    >>> area = la.measures.area_m2(la.sample.load("yunqi").parcels)
    >>> area.name, bool((area > 0).all())
    ('area_m2', True)
    """
    check_layers("area_m2", parcels=parcels)
    geoms = parcel_geometries(parcels, what="area_m2")
    return series(shapely.area(geoms), parcels.index, "area_m2")


@measure(column="area_mu")
def area_mu(parcels: Layer) -> pd.Series:
    """Parcel area in mu (亩; 1 mu = 2000/3 m², 15 mu = 1 ha).

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.

    Returns
    -------
    Series
        ``area_mu``, float, aligned on ``parcels.index``.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> mu = la.measures.area_mu(site.parcels)
    >>> bool(abs(mu.sum() * 2000 / 3 - la.measures.area_m2(site.parcels).sum()) < 1e-3)
    True
    """
    check_layers("area_mu", parcels=parcels)
    geoms = parcel_geometries(parcels, what="area_mu")
    return series(m2_to_mu(shapely.area(geoms)), parcels.index, "area_mu")


@measure(column="compactness")
def compactness(parcels: Layer) -> pd.Series:
    """Polsby-Popper compactness 4πA/P²: 1 for a disc, π/4 ≈ 0.785 for a square.

    The perimeter includes the rings of holes and every part of a MultiPolygon, so
    fragmented or perforated parcels score low.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.

    Returns
    -------
    Series
        ``compactness``, float in (0, 1], aligned on ``parcels.index``.

    Examples
    --------
    >>> import landasset as la
    >>> c = la.measures.compactness(la.sample.load("yunqi").parcels)
    >>> bool(((c > 0) & (c <= 1)).all())
    True
    """
    check_layers("compactness", parcels=parcels)
    geoms = parcel_geometries(parcels, what="compactness")
    area = shapely.area(geoms)
    perimeter = shapely.length(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(perimeter > 0, 4.0 * np.pi * area / perimeter**2, np.nan)
    return series(value, parcels.index, "compactness")


# -- buildings ----------------------------------------------------------------------------


def _overlaps(
    b_geoms: npt.NDArray[np.object_], parcel_geoms: npt.NDArray[np.object_]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """``(building_pos, parcel_pos, area)`` for every pair whose overlap has area > 0."""
    tree = shapely.STRtree(parcel_geoms)
    b_rows = np.flatnonzero(present(b_geoms))
    out_b, out_p, out_a = [], [], []
    for part in range(0, len(b_rows), CHUNK):
        rows = b_rows[part : part + CHUNK]
        b_idx, p_idx = tree.query(b_geoms[rows], predicate="intersects")
        area = shapely.area(shapely.intersection(b_geoms[rows][b_idx], parcel_geoms[p_idx]))
        keep = area > 0
        out_b.append(rows[b_idx[keep]])
        out_p.append(p_idx[keep])
        out_a.append(area[keep])
    if not out_b:
        return np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0)
    return (
        np.concatenate(out_b).astype(np.intp),
        np.concatenate(out_p).astype(np.intp),
        np.concatenate(out_a),
    )


def _largest_overlap(
    n_buildings: int,
    b_pos: npt.NDArray[np.intp],
    p_pos: npt.NDArray[np.intp],
    area: npt.NDArray[np.float64],
) -> npt.NDArray[np.intp]:
    """For each building the parcel position with the largest overlap (-1 if none).

    Ties go to the parcel that comes first in the parcel layer.
    """
    best = np.full(n_buildings, -1, dtype=np.intp)
    if not len(b_pos):
        return best
    order = np.lexsort((p_pos, -area, b_pos))
    first = np.ones(len(order), dtype=bool)
    first[1:] = b_pos[order][1:] != b_pos[order][:-1]
    chosen = order[first]
    best[b_pos[chosen]] = p_pos[chosen]
    return best


@dataclass(frozen=True, eq=False)
class BuildingOverlaps:
    """The overlaps of building footprints with parcels, shared by the floor-area
    measures (build it with :func:`building_overlaps`).

    Attributes
    ----------
    building, parcel : ndarray of int
        Positions in the buildings and the parcels of each pair whose overlap has
        an area > 0.
    area_m2 : ndarray of float
        The area of each overlap.
    n_buildings, n_parcels : int
        The sizes of the layers it was built from (checked where it is passed in).
    disjoint : bool
        Whether the footprints were first made disjoint (each overlap between
        footprints belongs to one building only), as :func:`building_coverage` needs.
    """

    building: npt.NDArray[np.intp]
    parcel: npt.NDArray[np.intp]
    area_m2: npt.NDArray[np.float64]
    n_buildings: int
    n_parcels: int
    disjoint: bool


def building_overlaps(
    buildings: Layer, parcels: Layer, *, disjoint: bool = False
) -> BuildingOverlaps:
    """Every (building, parcel) pair whose overlap has an area > 0.

    The intermediate of :func:`assign_buildings`, :func:`gross_floor_area` and
    :func:`floor_area_ratio` (``disjoint=False``) and of :func:`building_coverage`
    (``disjoint=True``): build it once and pass it as their ``overlaps=`` to measure
    several of them on the same layers; :func:`~landasset.measures.compute` does.

    Parameters
    ----------
    buildings : GeoDataFrame or GeoSeries
        Building footprints in the parcels' CRS.
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    disjoint : bool, default False
        Make the footprints disjoint first (the taller building keeps an overlap).

    Returns
    -------
    BuildingOverlaps

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> shared = la.measures.building_overlaps(site.buildings, site.parcels)
    >>> far = la.measures.floor_area_ratio(site.parcels, site.buildings, overlaps=shared)
    >>> far.equals(la.measures.floor_area_ratio(site.parcels, site.buildings))
    True
    """
    check_layers("building_overlaps", buildings=buildings, parcels=parcels)
    geoms = parcel_geometries(parcels, what="building_overlaps")
    footprints = disjoint_footprints(buildings) if disjoint else geometry_array(buildings)
    b_pos, p_pos, area = _overlaps(footprints, geoms)
    return BuildingOverlaps(b_pos, p_pos, area, len(buildings), len(parcels), bool(disjoint))


def _given_overlaps(
    overlaps: BuildingOverlaps | None,
    buildings: Layer,
    parcels: Layer,
    *,
    disjoint: bool,
    what: str,
) -> BuildingOverlaps:
    """``overlaps`` checked against the layers, or built when None."""
    if overlaps is None:
        return building_overlaps(buildings, parcels, disjoint=disjoint)
    if not isinstance(overlaps, BuildingOverlaps):
        raise MeasureError(
            f"{what}: overlaps must come from landasset.measures.building_overlaps, "
            f"not a {type(overlaps).__name__}"
        )
    if (overlaps.n_buildings, overlaps.n_parcels) != (len(buildings), len(parcels)):
        raise MeasureError(
            f"{what}: overlaps were built from {overlaps.n_buildings} buildings and "
            f"{overlaps.n_parcels} parcels, not these {len(buildings)} and {len(parcels)}; "
            "build them from the same layers, or leave overlaps out"
        )
    if overlaps.disjoint != disjoint:
        raise MeasureError(
            f"{what}: needs overlaps built with disjoint={disjoint}; call "
            f"building_overlaps(buildings, parcels, disjoint={disjoint})"
        )
    return overlaps


def assign_buildings(
    buildings: Layer, parcels: Layer, *, overlaps: BuildingOverlaps | None = None
) -> pd.Series:
    """The parcel holding the largest share of each building's footprint.

    Parameters
    ----------
    buildings : GeoDataFrame or GeoSeries
        Building footprints in the parcels' CRS. A ``parcel_id`` column, if any, is
        ignored: this function always decides by geometry.
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons; their index values are the answers.
    overlaps : BuildingOverlaps, optional
        From :func:`building_overlaps` on the same layers (built here when None).

    Returns
    -------
    Series
        ``parcel_id`` over ``buildings.index`` (object dtype): the id of the parcel whose
        intersection with the footprint has the largest area, ties to the parcel that
        comes first; None for a building that overlaps no parcel (touching is not
        overlapping) or has no geometry.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> owner = la.measures.assign_buildings(site.buildings, site.parcels)
    >>> owner.name, owner.index.equals(site.buildings.index)
    ('parcel_id', True)
    >>> bool(owner.dropna().isin(site.parcels.index).all())
    True
    """
    check_layers("assign_buildings", buildings=buildings, parcels=parcels)
    parcel_geometries(parcels, what="assign_buildings")
    pairs = _given_overlaps(overlaps, buildings, parcels, disjoint=False, what="assign_buildings")
    best = _largest_overlap(len(buildings), pairs.building, pairs.parcel, pairs.area_m2)
    ids = np.asarray(parcels.index.astype(str), dtype=object)
    values = np.full(len(buildings), None, dtype=object)
    values[best >= 0] = ids[best[best >= 0]]
    return pd.Series(values, index=buildings.index, name="parcel_id", dtype=object)


def _owner_positions(
    buildings: Layer,
    parcels: Layer,
    by: str,
    overlaps: BuildingOverlaps | None,
    *,
    what: str,
) -> npt.NDArray[np.intp]:
    """Position in ``parcels`` of each building's parcel (-1 if none)."""
    check_choice(by, ASSIGNMENTS, what=f"building assignment for {what}")
    has_column = isinstance(buildings, gpd.GeoDataFrame) and "parcel_id" in buildings.columns
    if by == "parcel_id" and not has_column:
        raise MeasureError(
            f"{what}: by='parcel_id' needs a 'parcel_id' column on the buildings; add one "
            "(landasset.measures.assign_buildings computes it) or use by='overlap' or 'auto'"
        )
    index = pd.Index(parcels.index.astype(str))
    if has_column:
        labels = buildings["parcel_id"]
        given = labels.notna().to_numpy(dtype=bool)
        from_column = index.get_indexer(labels.astype(str).where(given, None))
    else:
        given = np.zeros(len(buildings), dtype=bool)
        from_column = np.full(len(buildings), -1, dtype=np.intp)
    if by == "parcel_id":
        return np.asarray(from_column, dtype=np.intp)
    parcel_geometries(parcels, what=what)
    pairs = _given_overlaps(overlaps, buildings, parcels, disjoint=False, what=what)
    by_overlap = _largest_overlap(len(buildings), pairs.building, pairs.parcel, pairs.area_m2)
    if by == "overlap":
        return by_overlap
    # auto: a building's own parcel_id wins (even if that parcel is not among these
    # parcels, so a subset of parcels gives the same answers as the whole layer)
    return np.where(given, from_column, by_overlap).astype(np.intp)


_BY = Param(CHOICE, choices=ASSIGNMENTS)


def _overlaps_unless_by_column(
    parcels: Layer, buildings: Layer, by: str
) -> BuildingOverlaps | None:
    # by="parcel_id" reads the column only: no overlaps to build
    return None if by == "parcel_id" else building_overlaps(buildings, parcels)


#: The intermediate of the floor-area measures, as compute() builds it.
_OVERLAPS = Shared("building overlaps", ("parcels", "buildings", "by"), _overlaps_unless_by_column)


@measure(
    column="gfa_m2",
    layers={"buildings": "buildings"},
    options={"by": _BY, "storey_height_m": NUMBER},
    shared={"overlaps": _OVERLAPS},
)
def gross_floor_area(
    parcels: Layer,
    buildings: Layer,
    *,
    by: Assignment = "auto",
    storey_height_m: float = STOREY_HEIGHT_M,
    overlaps: BuildingOverlaps | None = None,
) -> pd.Series:
    """Gross floor area of the buildings on each parcel, in m².

    Each building's floor area is its ``gfa_m2``, else footprint × ``floors`` (or ×
    the number of its ``storey_heights``), else footprint × round(``height_m`` /
    ``storey_height_m``) (see :func:`landasset._buildings.building_floor_area`).
    A building belongs wholly to one parcel. Where footprints overlap (a building part
    inside its building) the overlap's floor area is counted once, at the storeys of
    the taller one, so a parcel's footprint-based floor area is that of the union of
    its footprints.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    buildings : GeoDataFrame
        Building footprints with ``gfa_m2``, ``floors`` or ``height_m``.
    by : {"auto", "parcel_id", "overlap"}, default "auto"
        How a building finds its parcel: its ``parcel_id`` column, the parcel with the
        largest overlap (:func:`assign_buildings`), or ``"auto"``: the column where it
        holds a value, the overlap otherwise.
    storey_height_m : float, default 3.5
        The storey height that turns a building's ``height_m`` into storeys where it
        has no ``floors`` (storeys = round(height / storey height)).
    overlaps : BuildingOverlaps, optional
        From :func:`building_overlaps` on the same layers (built here when None and
        ``by`` is not ``"parcel_id"``).

    Returns
    -------
    Series
        ``gfa_m2``, float, aligned on ``parcels.index``: 0 for a parcel without
        buildings, NaN when one of its buildings has no floor area (no ``gfa_m2``,
        ``floors`` or ``height_m`` value), so an unknown never passes for zero.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> gfa = la.measures.gross_floor_area(site.parcels, site.buildings)
    >>> gfa.name, bool(gfa.sum() > 0)
    ('gfa_m2', True)
    """
    check_layers("gross_floor_area", parcels=parcels, buildings=buildings)
    owner = _owner_positions(buildings, parcels, by, overlaps, what="gross_floor_area")
    if isinstance(buildings, gpd.GeoDataFrame):
        floor = building_floor_area(buildings, storey_height_m=storey_height_m).to_numpy(
            dtype=float
        )
    else:
        floor = np.full(len(buildings), np.nan)
    return _parcel_sum(floor, owner, parcels, "gfa_m2")


def _parcel_sum(floor: np.ndarray, owner: np.ndarray, parcels: Layer, name: str) -> pd.Series:
    """Per-parcel sum of building floor areas: 0 without buildings, NaN if one is unknown."""
    has = owner >= 0
    total = np.bincount(owner[has], weights=np.nan_to_num(floor[has]), minlength=len(parcels))
    unknown = np.bincount(owner[has], weights=np.isnan(floor[has]), minlength=len(parcels))
    total = np.where(unknown > 0, np.nan, total)
    return series(total[: len(parcels)], parcels.index, name)


@measure(
    column="far",
    layers={"buildings": "buildings"},
    options={"by": _BY, "storey_height_m": NUMBER},
    shared={"overlaps": _OVERLAPS},
)
def floor_area_ratio(
    parcels: Layer,
    buildings: Layer,
    *,
    by: Assignment = "auto",
    storey_height_m: float = STOREY_HEIGHT_M,
    overlaps: BuildingOverlaps | None = None,
) -> pd.Series:
    """Floor area ratio (容积率): gross floor area / parcel area.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    buildings : GeoDataFrame
        Building footprints (see :func:`gross_floor_area`).
    by : {"auto", "parcel_id", "overlap"}, default "auto"
        How a building finds its parcel (see :func:`gross_floor_area`).
    storey_height_m : float, default 3.5
        Storey height for buildings known only by height (see :func:`gross_floor_area`).
    overlaps : BuildingOverlaps, optional
        From :func:`building_overlaps` (see :func:`gross_floor_area`).

    Returns
    -------
    Series
        ``far``, float, aligned on ``parcels.index``; 0 on a parcel without buildings.
        Every storey counts once, whatever its height; for the industrial land control
        rule (storeys over 8 m count twice) see :func:`industrial_floor_area_ratio`.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> far = la.measures.floor_area_ratio(site.parcels, site.buildings)
    >>> bool(far.max() > 0)
    True
    """
    check_layers("floor_area_ratio", parcels=parcels, buildings=buildings)
    gfa = gross_floor_area(
        parcels, buildings, by=by, storey_height_m=storey_height_m, overlaps=overlaps
    ).to_numpy()
    area = shapely.area(parcel_geometries(parcels, what="floor_area_ratio"))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(area > 0, gfa / area, np.nan)
    return series(ratio, parcels.index, "far")


@measure(
    column="far_industrial",
    layers={"buildings": "buildings"},
    options={"by": _BY, "storey_height_m": NUMBER, "tall_storey_m": NUMBER},
    shared={"overlaps": _OVERLAPS},
)
def industrial_floor_area_ratio(
    parcels: Layer,
    buildings: Layer,
    *,
    by: Assignment = "auto",
    storey_height_m: float = STOREY_HEIGHT_M,
    tall_storey_m: float = TALL_STOREY_M,
    overlaps: BuildingOverlaps | None = None,
) -> pd.Series:
    """FAR as the industrial land control indicators count it: storeys over 8 m twice.

    工业项目建设用地控制指标 (国土资发〔2008〕24号): 容积率 = total floor area / site
    area, and the floor area of a storey higher than 8 m counts twice. The rule belongs
    to industrial land; :func:`floor_area_ratio` is the plain ratio for any land.

    A storey's height comes from the building's ``storey_heights`` (a list such as
    ``[4.5, 9, 4.5]`` or text ``"4.5;9;4.5"``, ground storey first), else from
    ``height_m / floors`` (every storey equally high: a single-storey 12 m plant counts
    its floor area twice), else from ``height_m`` and ``storey_height_m`` (the storeys
    :func:`gross_floor_area` assumes); a building with only ``floors`` or ``gfa_m2``
    has no known storey height and counts once. See
    :func:`landasset._buildings.counted_floor_area`.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    buildings : GeoDataFrame
        Building footprints with ``gfa_m2``, ``floors``, ``height_m`` or
        ``storey_heights``.
    by : {"auto", "parcel_id", "overlap"}, default "auto"
        How a building finds its parcel (see :func:`gross_floor_area`).
    storey_height_m : float, default 3.5
        Storey height for buildings known only by height.
    tall_storey_m : float, default 8.0
        A storey higher than this (strictly) counts twice; 8 m is the national rule.
    overlaps : BuildingOverlaps, optional
        From :func:`building_overlaps` (see :func:`gross_floor_area`).

    Returns
    -------
    Series
        ``far_industrial``, float, aligned on ``parcels.index``; 0 on a parcel without
        buildings, NaN where a building's floor area is unknown. Never below ``far``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import landasset as la
    >>> from shapely import box
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["P1"]}, geometry=[box(0, 0, 100, 100)], crs="EPSG:4549"
    ... ).set_index("parcel_id")
    >>> plant = gpd.GeoDataFrame(  # one storey, 12 m high, 4000 m² on a 10000 m² site
    ...     {"floors": [1], "height_m": [12.0], "parcel_id": ["P1"]},
    ...     geometry=[box(0, 0, 80, 50)], crs="EPSG:4549",
    ... )
    >>> float(la.measures.floor_area_ratio(parcels, plant).iloc[0])
    0.4
    >>> float(la.measures.industrial_floor_area_ratio(parcels, plant).iloc[0])
    0.8
    """
    check_layers("industrial_floor_area_ratio", parcels=parcels, buildings=buildings)
    owner = _owner_positions(buildings, parcels, by, overlaps, what="industrial_floor_area_ratio")
    if isinstance(buildings, gpd.GeoDataFrame):
        floor = counted_floor_area(
            buildings, storey_height_m=storey_height_m, tall_storey_m=tall_storey_m
        ).to_numpy(dtype=float)
    else:
        floor = np.full(len(buildings), np.nan)
    gfa = _parcel_sum(floor, owner, parcels, "far_industrial").to_numpy()
    area = shapely.area(parcel_geometries(parcels, what="industrial_floor_area_ratio"))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(area > 0, gfa / area, np.nan)
    return series(ratio, parcels.index, "far_industrial")


@measure(
    column="building_coverage",
    layers={"buildings": "buildings"},
    shared={
        "overlaps": Shared(
            "disjoint building overlaps",
            ("parcels", "buildings"),
            lambda parcels, buildings: building_overlaps(buildings, parcels, disjoint=True),
        )
    },
)
def building_coverage(
    parcels: Layer, buildings: Layer, *, overlaps: BuildingOverlaps | None = None
) -> pd.Series:
    """Building coverage (建筑密度): footprint area inside the parcel / parcel area.

    Geometric: the area of the union of the footprints that lies inside the parcel,
    so a building straddling two parcels adds to both in proportion, and footprints
    that overlap each other (a building part inside its building) count once: the
    coverage never exceeds 1.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    buildings : GeoDataFrame or GeoSeries
        Building footprints in the same CRS.
    overlaps : BuildingOverlaps, optional
        From ``building_overlaps(buildings, parcels, disjoint=True)`` (built here
        when None).

    Returns
    -------
    Series
        ``building_coverage``, float in [0, 1], aligned on ``parcels.index``.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> cov = la.measures.building_coverage(site.parcels, site.buildings)
    >>> cov.name, bool(cov.between(0, 1).all())
    ('building_coverage', True)
    """
    check_layers("building_coverage", parcels=parcels, buildings=buildings)
    geoms = parcel_geometries(parcels, what="building_coverage")
    pairs = _given_overlaps(overlaps, buildings, parcels, disjoint=True, what="building_coverage")
    covered = np.bincount(pairs.parcel, weights=pairs.area_m2, minlength=len(parcels))
    parcel_area = shapely.area(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        # the disjoint pieces add up to their union's area within rounding: a parcel
        # built over entirely may sum to 1 + 1e-16
        share = np.where(parcel_area > 0, np.minimum(covered / parcel_area, 1.0), np.nan)
    return series(share, parcels.index, "building_coverage")
