"""Private helpers shared by the measure modules: checks and geometry arrays."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeAlias, TypeVar

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS

from landasset._errors import (
    CRSError,
    MeasureError,
    SchemaError,
    UnreachableWarning,
)
from landasset.crs import require_metric

__all__ = [
    "CHUNK",
    "Layer",
    "MeasureError",
    "UnreachableWarning",
    "category_mask",
    "check_choice",
    "check_layers",
    "check_positive",
    "chunks",
    "geometry_array",
    "line_segments",
    "parcel_geometries",
    "point_array",
    "present",
]

#: A layer: a GeoDataFrame or a GeoSeries.
Layer: TypeAlias = "gpd.GeoDataFrame | gpd.GeoSeries"
GeomArray: TypeAlias = npt.NDArray[np.object_]
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]
T = TypeVar("T")

#: Parcels are processed in chunks of this many rows by the measures that build
#: pairwise intermediates, so peak memory stays bounded on a million parcels.
CHUNK = 65_536


# -- argument checks -------------------------------------------------------------------


def check_choice(value: object, choices: Sequence[str], *, what: str) -> str:
    """Return ``value`` if it is one of ``choices``, else raise listing them."""
    if not isinstance(value, str) or value not in choices:
        raise MeasureError(
            f"{value!r} is not a valid {what}; use one of: " + ", ".join(map(repr, choices))
        )
    return value


def check_positive(value: object, *, what: str, allow_zero: bool = True) -> float:
    """Return ``value`` as a finite float >= 0 (> 0 when ``allow_zero`` is False)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise MeasureError(f"{what} must be a number of metres, not {value!r}")
    number = float(value)
    if not np.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise MeasureError(f"{what} must be a finite number {bound} (metres), not {value!r}")
    return number


def _crs_label(crs: Any) -> str:
    parsed = CRS.from_user_input(crs)
    epsg = parsed.to_epsg()
    return f"EPSG:{epsg}" if epsg else parsed.name


def check_layers(what: str, **layers: Layer | None) -> CRS | None:
    """Check that every layer is metric and that they all share one CRS.

    Empty layers without a CRS are accepted (they hold nothing to measure against).
    Returns the common CRS (None when no layer has one).
    """
    seen: dict[str, CRS] = {}
    for name, layer in layers.items():
        if layer is None:
            continue
        if not isinstance(layer, (gpd.GeoDataFrame, gpd.GeoSeries)):
            raise MeasureError(
                f"{what}: the {name} layer is a {type(layer).__name__}, not a GeoDataFrame "
                "or GeoSeries; build one with geopandas.GeoDataFrame(..., geometry=..., crs=...)"
            )
        if layer.crs is None and len(layer) == 0:
            continue
        seen[name] = require_metric(layer.crs, what=f"{what} ({name} layer)")
    distinct = set(seen.values())
    if len(distinct) > 1:
        listing = ", ".join(f"{name} in {_crs_label(crs)}" for name, crs in seen.items())
        first = next(iter(seen))
        raise CRSError(
            f"{what} needs all its layers in one CRS, but they differ: {listing}. "
            f"Reproject the others with layer.to_crs({first}.crs), or use landasset.Site, "
            "which puts every layer in one metric CRS."
        )
    return next(iter(seen.values()), None)


# -- geometry arrays --------------------------------------------------------------------


def geometry_array(layer: Layer) -> GeomArray:
    """The layer's geometries as a numpy object array (None for missing)."""
    series = layer.geometry if isinstance(layer, gpd.GeoDataFrame) else layer
    return np.asarray(series.array, dtype=object)


def present(geoms: GeomArray) -> npt.NDArray[np.bool_]:
    """Mask of geometries that are neither None nor empty."""
    return ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))


def parcel_geometries(parcels: Layer, *, what: str) -> GeomArray:
    """Parcel geometries, raising :class:`SchemaError` if any is None or empty."""
    geoms = geometry_array(parcels)
    ok = present(geoms)
    if not ok.all():
        bad = parcels.index[~ok]
        shown = ", ".join(map(repr, map(str, bad[:5]))) + (", ..." if len(bad) > 5 else "")
        raise SchemaError(
            f"{what}: {len(bad)} parcel(s) have no geometry (None or empty): {shown}. "
            "A parcel without a shape cannot be measured; drop them first, e.g. "
            "parcels[~(parcels.geometry.isna() | parcels.geometry.is_empty)], or repair "
            "them (landasset.validate(parcels, 'parcels') lists every problem)."
        )
    return geoms


def point_array(layer: Layer) -> tuple[FloatArray, IntArray]:
    """``(xy, rows)``: one point per present feature (non-points use their centroid)."""
    geoms = geometry_array(layer)
    rows = np.flatnonzero(present(geoms))
    kept = geoms[rows]
    is_point = shapely.get_type_id(kept) == shapely.GeometryType.POINT
    if not is_point.all():
        kept = kept.copy()
        kept[~is_point] = shapely.centroid(kept[~is_point])
    xy = shapely.get_coordinates(kept) if len(kept) else np.empty((0, 2))
    return np.ascontiguousarray(xy, dtype=float), rows


def line_segments(geoms: GeomArray) -> tuple[FloatArray, FloatArray, IntArray]:
    """Explode lines (and polygon rings) into 2-point segments.

    Returns ``(start, end, owner)``: the (n, 2) segment start and end coordinates and
    the position of the input geometry each segment comes from. Zero-length
    segments are dropped.
    """
    kept = np.flatnonzero(present(geoms))
    if not len(kept):
        return np.empty((0, 2)), np.empty((0, 2)), np.empty(0, dtype=np.intp)
    parts, part_owner = shapely.get_parts(geoms[kept], return_index=True)
    # polygons contribute their rings
    poly = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    if poly.any():
        rings, ring_owner = shapely.get_rings(parts[poly], return_index=True)
        parts = np.concatenate([parts[~poly], rings])
        part_owner = np.concatenate([part_owner[~poly], part_owner[poly][ring_owner]])
    coords, coord_part = shapely.get_coordinates(parts, return_index=True)
    if len(coords) < 2:
        return np.empty((0, 2)), np.empty((0, 2)), np.empty(0, dtype=np.intp)
    same = coord_part[:-1] == coord_part[1:]
    start = coords[:-1][same]
    end = coords[1:][same]
    owner = kept[part_owner[coord_part[:-1][same]]]
    nonzero = np.any(start != end, axis=1)
    return start[nonzero], end[nonzero], owner[nonzero].astype(np.intp)


def category_mask(
    layer: Layer, category: str | Iterable[str] | None, *, column: str, what: str
) -> npt.NDArray[np.bool_]:
    """Rows whose ``column`` is ``category`` (or one of several); all rows when None."""
    if category is None:
        return np.ones(len(layer), dtype=bool)
    if not isinstance(layer, gpd.GeoDataFrame) or column not in layer.columns:
        raise MeasureError(
            f"{what}: a {column} filter was given but the layer has no {column!r} column; "
            f"add one or leave the filter out"
        )
    wanted = [category] if isinstance(category, str) else list(category)
    if not all(isinstance(c, str) for c in wanted):
        raise MeasureError(
            f"{what}: {column} must be a string or a list of strings, not {category!r}"
        )
    return np.asarray(layer[column].isin(wanted).to_numpy(dtype=bool))


def chunks(n: int, size: int = CHUNK) -> Iterator[slice]:
    """Consecutive slices covering ``range(n)``."""
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def series(values: Any, index: pd.Index, name: str) -> pd.Series:
    """A named Series aligned on ``index``."""
    return pd.Series(values, index=index, name=name)
