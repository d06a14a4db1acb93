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

from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from landasset._buildings import building_floor_area, disjoint_footprints
from landasset.measures._common import (
    CHUNK,
    Cache,
    Layer,
    MeasureError,
    check_choice,
    check_layers,
    geometry_array,
    parcel_geometries,
    present,
    series,
)
from landasset.units import m2_to_mu

__all__ = [
    "ASSIGNMENTS",
    "area_m2",
    "area_mu",
    "assign_buildings",
    "building_coverage",
    "compactness",
    "floor_area_ratio",
    "gross_floor_area",
]

#: How buildings are given to parcels for floor-area measures.
ASSIGNMENTS: tuple[str, ...] = ("auto", "parcel_id", "overlap")
Assignment = Literal["auto", "parcel_id", "overlap"]


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


def _overlaps_cached(
    cache: Cache, buildings: Layer, parcels: Layer, parcel_geoms: npt.NDArray[np.object_]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    cache.hold(buildings, parcels)
    return cache.get(
        ("overlaps", id(buildings), id(parcels)),
        lambda: _overlaps(geometry_array(buildings), parcel_geoms),
    )


def _footprint_overlaps_cached(
    cache: Cache, buildings: Layer, parcels: Layer, parcel_geoms: npt.NDArray[np.object_]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """As :func:`_overlaps_cached` for the buildings' disjoint footprints (each
    overlap between footprints belongs to one building only)."""
    cache.hold(buildings, parcels)
    return cache.get(
        ("footprint overlaps", id(buildings), id(parcels)),
        lambda: _overlaps(disjoint_footprints(buildings), parcel_geoms),
    )


def assign_buildings(buildings: Layer, parcels: Layer) -> pd.Series:
    """The parcel holding the largest share of each building's footprint.

    Parameters
    ----------
    buildings : GeoDataFrame or GeoSeries
        Building footprints in the parcels' CRS. A ``parcel_id`` column, if any, is
        ignored: this function always decides by geometry.
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons; their index values are the answers.

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
    return _assign_buildings(Cache(), buildings, parcels)


def _assign_buildings(cache: Cache, buildings: Layer, parcels: Layer) -> pd.Series:
    geoms = parcel_geometries(parcels, what="assign_buildings")
    b_pos, p_pos, area = _overlaps_cached(cache, buildings, parcels, geoms)
    best = _largest_overlap(len(buildings), b_pos, p_pos, area)
    ids = np.asarray(parcels.index.astype(str), dtype=object)
    values = np.full(len(buildings), None, dtype=object)
    values[best >= 0] = ids[best[best >= 0]]
    return pd.Series(values, index=buildings.index, name="parcel_id", dtype=object)


def _owner_positions(
    cache: Cache, buildings: Layer, parcels: Layer, by: str, *, what: str
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
    geoms = parcel_geometries(parcels, what=what)
    b_pos, p_pos, area = _overlaps_cached(cache, buildings, parcels, geoms)
    by_overlap = _largest_overlap(len(buildings), b_pos, p_pos, area)
    if by == "overlap":
        return by_overlap
    # auto: a building's own parcel_id wins (even if that parcel is not among these
    # parcels, so a subset of parcels gives the same answers as the whole layer)
    return np.where(given, from_column, by_overlap).astype(np.intp)


def gross_floor_area(parcels: Layer, buildings: Layer, *, by: Assignment = "auto") -> pd.Series:
    """Gross floor area of the buildings on each parcel, in m².

    Each building's floor area is its ``gfa_m2``, else footprint × ``floors``, else
    footprint × round(``height_m`` / 3.5) (see :func:`landasset._buildings.building_floor_area`).
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
    return _gross_floor_area(Cache(), parcels, buildings, by=by)


def _gross_floor_area(cache: Cache, parcels: Layer, buildings: Layer, *, by: str) -> pd.Series:
    owner = _owner_positions(cache, buildings, parcels, by, what="gross_floor_area")
    if isinstance(buildings, gpd.GeoDataFrame):
        floor = building_floor_area(buildings).to_numpy(dtype=float)
    else:
        floor = np.full(len(buildings), np.nan)
    has = owner >= 0
    total = np.bincount(owner[has], weights=np.nan_to_num(floor[has]), minlength=len(parcels))
    unknown = np.bincount(owner[has], weights=np.isnan(floor[has]), minlength=len(parcels))
    total = np.where(unknown > 0, np.nan, total)
    return series(total[: len(parcels)], parcels.index, "gfa_m2")


def floor_area_ratio(parcels: Layer, buildings: Layer, *, by: Assignment = "auto") -> pd.Series:
    """Floor area ratio (容积率): gross floor area / parcel area.

    Parameters
    ----------
    parcels : GeoDataFrame or GeoSeries
        Parcel polygons in a metric CRS.
    buildings : GeoDataFrame
        Building footprints (see :func:`gross_floor_area`).
    by : {"auto", "parcel_id", "overlap"}, default "auto"
        How a building finds its parcel (see :func:`gross_floor_area`).

    Returns
    -------
    Series
        ``far``, float, aligned on ``parcels.index``; 0 on a parcel without buildings.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> far = la.measures.floor_area_ratio(site.parcels, site.buildings)
    >>> bool(far.max() > 0)
    True
    """
    check_layers("floor_area_ratio", parcels=parcels, buildings=buildings)
    return _floor_area_ratio(Cache(), parcels, buildings, by=by)


def _floor_area_ratio(cache: Cache, parcels: Layer, buildings: Layer, *, by: str) -> pd.Series:
    gfa = _gross_floor_area(cache, parcels, buildings, by=by).to_numpy()
    area = shapely.area(parcel_geometries(parcels, what="floor_area_ratio"))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(area > 0, gfa / area, np.nan)
    return series(ratio, parcels.index, "far")


def building_coverage(parcels: Layer, buildings: Layer) -> pd.Series:
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
    return _building_coverage(Cache(), parcels, buildings)


def _building_coverage(cache: Cache, parcels: Layer, buildings: Layer) -> pd.Series:
    geoms = parcel_geometries(parcels, what="building_coverage")
    _, p_pos, area = _footprint_overlaps_cached(cache, buildings, parcels, geoms)
    covered = np.bincount(p_pos, weights=area, minlength=len(parcels))
    parcel_area = shapely.area(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        # the disjoint pieces add up to their union's area within rounding: a parcel
        # built over entirely may sum to 1 + 1e-16
        share = np.where(parcel_area > 0, np.minimum(covered / parcel_area, 1.0), np.nan)
    return series(share, parcels.index, "building_coverage")
