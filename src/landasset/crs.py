"""Coordinate reference systems for land in China: local metric CRSs and web datums.

Three jobs live here:

* :func:`local_crs` picks a metric CRS for a layer or a point: the CGCS2000 3-degree
  Gauss-Kruger zone (EPSG:4534-4554, central-meridian form) inside China, the WGS84
  UTM zone elsewhere.
* :func:`is_metric` / :func:`require_metric` say whether a CRS is fit for areas and
  distances (projected, metres, not Mercator) and raise a helpful error if not.
* The Chinese web datums GCJ-02 (Amap, Tencent) and BD-09 (Baidu), which have no EPSG
  code: scalar/array conversions (:func:`wgs84_to_gcj02` and friends) and whole-layer
  conversions (:func:`from_web_datum`, :func:`to_web_datum`).

The web-datum formulas are the standard public ones (Krasovsky ``a = 6378245``,
``ee = 0.00669342162296594323``, offsets evaluated at ``(lon - 105, lat - 35)``), and
apply only inside China's bounding box (lon 73.66-135.05, lat 3.86-53.55); points
outside it, and NaN, pass through unchanged. The inverse conversions are exact
inverses of the forward ones (to better than 1e-12 degrees), found by a vectorised
fixed-point iteration started from the usual one-step public formula.

Examples
--------
>>> from landasset.crs import local_crs, wgs84_to_gcj02, gcj02_to_wgs84
>>> local_crs((120.155, 30.274)).to_epsg()
4549
>>> lon, lat = wgs84_to_gcj02(116.404, 39.915)
>>> round(lon, 6), round(lat, 6)
(116.410244, 39.916404)
>>> back = gcj02_to_wgs84(lon, lat)
>>> round(back[0], 9), round(back[1], 9)
(116.404, 39.915)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Final, Literal, TypeAlias, TypeVar, overload

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyproj
import shapely

from landasset._errors import CRSError, LandassetTypeError

__all__ = [
    "CHINA_BOUNDS",
    "WEB_DATUMS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "from_web_datum",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "is_metric",
    "local_crs",
    "require_metric",
    "to_web_datum",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
#: Anything :meth:`pyproj.CRS.from_user_input` accepts ("EPSG:4549", 4549, a CRS, ...).
CRSLike: TypeAlias = "pyproj.CRS | str | int | dict[str, Any]"
GeoT = TypeVar("GeoT", gpd.GeoDataFrame, gpd.GeoSeries)
WebDatum: TypeAlias = Literal["gcj02", "bd09"]

#: China's bounding box ``(minx, miny, maxx, maxy)`` in lon/lat degrees. It decides both
#: the Gauss-Kruger/UTM choice in :func:`local_crs` and where the web-datum offsets apply.
CHINA_BOUNDS: Final[tuple[float, float, float, float]] = (73.66, 3.86, 135.05, 53.55)
#: Web datums understood by :func:`from_web_datum` and :func:`to_web_datum`.
WEB_DATUMS: Final[tuple[str, ...]] = ("gcj02", "bd09")

_WGS84: Final = "EPSG:4326"
# GCJ-02 constants (Krasovsky 1940 ellipsoid, as in the public formula).
_A: Final = 6378245.0
_EE: Final = 0.00669342162296594323
# BD-09 constant.
_X_PI: Final = math.pi * 3000.0 / 180.0
# Fixed-point inversion: stop when every point reproduces its target within _TOL degrees.
_INVERSE_TOL: Final = 1e-12
_INVERSE_MAX_ITER: Final = 30


# --------------------------------------------------------------------------------------
# Local metric CRS
# --------------------------------------------------------------------------------------


def _in_china(lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]:
    """Boolean mask of points inside :data:`CHINA_BOUNDS` (NaN counts as outside)."""
    minx, miny, maxx, maxy = CHINA_BOUNDS
    return (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)


def _layer_centre_lonlat(obj: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[float, float]:
    """Centre of a layer's bounds, in WGS84 lon/lat degrees."""
    if obj.crs is None:
        msg = (
            "cannot choose a local CRS: the layer has no CRS. If you know it, set it first, "
            "e.g. gdf = gdf.set_crs('EPSG:4326') for lon/lat degrees."
        )
        raise CRSError(msg)
    geoms = obj.geometry.values if isinstance(obj, gpd.GeoDataFrame) else obj.values
    if len(obj) == 0 or bool(np.all(shapely.is_missing(geoms) | shapely.is_empty(geoms))):
        msg = (
            "cannot choose a local CRS for an empty layer (no rows, or only empty/None geometries)."
        )
        raise CRSError(msg)
    minx, miny, maxx, maxy = (float(v) for v in obj.total_bounds)
    transformer = pyproj.Transformer.from_crs(obj.crs, _WGS84, always_xy=True)
    west, south, east, north = transformer.transform_bounds(minx, miny, maxx, maxy, densify_pts=21)
    if west > east:  # the bounds cross the antimeridian
        east += 360.0
    lon = (west + east) / 2.0
    lon = (lon + 180.0) % 360.0 - 180.0
    return lon, (south + north) / 2.0


def _pair_lonlat(obj: object) -> tuple[float, float]:
    """Validate a ``(lon, lat)`` pair in WGS84 degrees."""
    if not isinstance(obj, Sequence) or isinstance(obj, str) or len(obj) != 2:
        msg = (
            "local_crs expects a GeoDataFrame, a GeoSeries or a (lon, lat) pair in WGS84 "
            f"degrees, not {type(obj).__name__}."
        )
        raise LandassetTypeError(msg)
    lon, lat = float(obj[0]), float(obj[1])
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        msg = (
            f"({lon}, {lat}) is not a (lon, lat) pair in WGS84 degrees: lon must be in "
            "[-180, 180] and lat in [-90, 90] (lon comes first)."
        )
        raise CRSError(msg)
    return lon, lat


def local_crs(obj: gpd.GeoDataFrame | gpd.GeoSeries | tuple[float, float]) -> pyproj.CRS:
    """Choose a metric, area-faithful CRS for a layer or a point.

    The centre of the data's bounds is taken in WGS84 lon/lat (the bounds are
    reprojected with ``always_xy=True``). Inside China's bounding box
    (:data:`CHINA_BOUNDS`) the answer is the CGCS2000 3-degree Gauss-Kruger zone, in
    central-meridian form, that holds the centre: ``CM = 3 * round(lon / 3)`` (halves
    round east) and ``EPSG = 4534 + (CM - 75) / 3`` (EPSG:4534-4554). Elsewhere it is the
    WGS84 UTM zone (EPSG:326xx north of the equator, 327xx south).

    Parameters
    ----------
    obj : GeoDataFrame, GeoSeries or (float, float)
        A layer in any CRS (it must have one), or a ``(lon, lat)`` pair in WGS84 degrees.

    Returns
    -------
    pyproj.CRS
        A projected CRS in metres.

    Raises
    ------
    CRSError
        If the layer has no CRS (call ``set_crs`` first), is empty, or the pair is not
        valid lon/lat degrees.
    TypeError
        If ``obj`` is none of the accepted kinds.

    Examples
    --------
    >>> local_crs((120.155, 30.274)).to_epsg()  # Hangzhou, CM 120°E
    4549
    >>> local_crs((87.6, 43.8)).to_epsg()  # Urumqi, CM 87°E
    4538
    >>> local_crs((14.42, 50.09)).to_epsg()  # Prague, UTM 33N
    32633
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> site = gpd.GeoSeries([Point(13375000, 3538000)], crs="EPSG:3857")
    >>> local_crs(site).to_epsg()
    4549
    """
    if isinstance(obj, (gpd.GeoDataFrame, gpd.GeoSeries)):
        lon, lat = _layer_centre_lonlat(obj)
    else:
        lon, lat = _pair_lonlat(obj)
    if bool(_in_china(np.asarray(lon), np.asarray(lat))):
        central_meridian = 3 * math.floor(lon / 3.0 + 0.5)
        return pyproj.CRS.from_epsg(4534 + (central_meridian - 75) // 3)
    zone = min(max(math.floor((lon + 180.0) / 6.0) + 1, 1), 60)
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


# --------------------------------------------------------------------------------------
# Metric checks
# --------------------------------------------------------------------------------------


def _as_crs(crs: CRSLike) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as err:
        msg = f"{crs!r} is not a CRS pyproj understands: {err}"
        raise CRSError(msg) from err


def _horizontal(crs: pyproj.CRS) -> pyproj.CRS:
    """The horizontal part of a bound or compound CRS."""
    if crs.is_bound and crs.source_crs is not None:
        crs = crs.source_crs
    if crs.is_compound and crs.sub_crs_list:
        crs = crs.sub_crs_list[0]
        if crs.is_bound and crs.source_crs is not None:
            crs = crs.source_crs
    return crs


def _unfit_reason(crs: pyproj.CRS) -> str | None:
    """Why ``crs`` is unfit for metric measures, or None if it is fit."""
    horizontal = _horizontal(crs)
    if not horizontal.is_projected:
        return "it is not a projected CRS (its coordinates are not metres on a plane)"
    units = {axis.unit_name for axis in horizontal.axis_info[:2]}
    if units != {"metre"}:
        return f"its axis unit is {', '.join(sorted(units))}, not metre"
    operation = horizontal.coordinate_operation
    method = operation.method_name.lower() if operation is not None else ""
    if "mercator" in method and "transverse" not in method and "oblique" not in method:
        return (
            f"it is a Mercator projection ({operation.method_name if operation else ''}), "
            "which inflates areas by 1/cos²(lat)"
        )
    return None


def _describe(crs: pyproj.CRS) -> str:
    authority = crs.to_authority()
    code = f"{authority[0]}:{authority[1]}" if authority else None
    return f"{code} ({crs.name})" if code else repr(crs.name)


def is_metric(crs: CRSLike | None) -> bool:
    """Whether a CRS is fit for areas and distances in metres.

    True for a projected CRS whose horizontal axes are in metres and whose projection is
    not a (normal-aspect) Mercator: Web Mercator (EPSG:3857) and other Mercator methods
    inflate areas by 1/cos²(lat), ×1.34 at Hangzhou. Transverse and oblique Mercator
    (Gauss-Kruger, UTM, Swiss LV95) are fit. Bound and compound CRSs are judged by their
    horizontal part.

    Parameters
    ----------
    crs : pyproj.CRS, str, int, dict or None
        Anything :meth:`pyproj.CRS.from_user_input` accepts; None gives False.

    Returns
    -------
    bool

    Raises
    ------
    CRSError
        If ``crs`` is not None and pyproj cannot read it.

    Examples
    --------
    >>> is_metric("EPSG:4549"), is_metric("EPSG:32633")
    (True, True)
    >>> is_metric("EPSG:3857"), is_metric("EPSG:4326"), is_metric("EPSG:2263")
    (False, False, False)
    """
    if crs is None:
        return False
    return _unfit_reason(_as_crs(crs)) is None


def require_metric(crs: CRSLike | None, *, what: str = "this measure") -> pyproj.CRS:
    """Return ``crs`` as a :class:`pyproj.CRS` if it is metric, else raise a helpful error.

    Parameters
    ----------
    crs : pyproj.CRS, str, int, dict or None
        The CRS to check, typically ``gdf.crs``.
    what : str, optional
        What needs the metric CRS, used in the message (e.g. ``"area_mu"``).

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    CRSError
        If ``crs`` is None (the layer has no CRS: call ``set_crs`` if you know it) or is
        not metric in the sense of :func:`is_metric` (reproject with ``to_crs``).

    Examples
    --------
    >>> require_metric("EPSG:4549").to_epsg()
    4549
    >>> require_metric("EPSG:4326", what="area_mu")
    Traceback (most recent call last):
    ...
    landasset.CRSError: area_mu needs a projected CRS in metres, but EPSG:4326 ...
    """
    if crs is None:
        msg = (
            f"{what} needs a projected CRS in metres, but the layer has no CRS. If you know "
            "the CRS, set it with gdf.set_crs(...) (e.g. gdf.set_crs('EPSG:4490') for "
            "CGCS2000 lon/lat), then reproject with gdf.to_crs(landasset.crs.local_crs(gdf)) "
            "or use landasset.Site, which reprojects."
        )
        raise CRSError(msg)
    parsed = _as_crs(crs)
    reason = _unfit_reason(parsed)
    if reason is not None:
        msg = (
            f"{what} needs a projected CRS in metres, but {_describe(parsed)} is unfit: "
            f"{reason}. Reproject first: use landasset.Site, which reprojects, or "
            "gdf.to_crs(landasset.crs.local_crs(gdf))."
        )
        raise CRSError(msg)
    return parsed


# --------------------------------------------------------------------------------------
# GCJ-02 / BD-09 kernels (unmasked, vectorised over 1-D float arrays)
# --------------------------------------------------------------------------------------


def _gcj02_offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 minus WGS84, in degrees, evaluated at a WGS84 point (no box check)."""
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat = dlat + common
    dlat = dlat + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat = dlat + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon = dlon + common
    dlon = dlon + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon = dlon + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    return dlon, dlat


def _wgs84_to_gcj02_kernel(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    dlon, dlat = _gcj02_offset(lon, lat)
    return lon + dlon, lat + dlat


def _gcj02_to_wgs84_one_step(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The public one-step GCJ-02 → WGS84 formula (off by up to ~5e-5 degrees, ~6 m)."""
    dlon, dlat = _gcj02_offset(lon, lat)
    return lon - dlon, lat - dlat


def _gcj02_to_bd09_kernel(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    z = np.sqrt(lon * lon + lat * lat) + 2e-5 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 3e-6 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_to_gcj02_one_step(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The public one-step BD-09 → GCJ-02 formula (coordtransform's ``bd09_to_gcj02``).

    It is not an exact inverse of :func:`_gcj02_to_bd09_kernel` (round trips are off by
    up to ~2e-6 degrees, about 0.2 m); :func:`bd09_to_gcj02` uses it as the start of a
    fixed-point iteration.
    """
    x = lon - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 2e-5 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 3e-6 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


_Kernel: TypeAlias = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]


def _invert(
    forward: _Kernel, start: _Kernel, lon: FloatArray, lat: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Solve ``forward(x) == (lon, lat)`` by fixed-point iteration from ``start``.

    ``x ← x − (forward(x) − target)``; the forward maps are the identity plus a small,
    slowly varying offset, so each step shrinks the error by orders of magnitude.
    """
    x, y = start(lon, lat)
    for _ in range(_INVERSE_MAX_ITER):
        fx, fy = forward(x, y)
        ex, ey = fx - lon, fy - lat
        if x.size == 0 or max(float(np.max(np.abs(ex))), float(np.max(np.abs(ey)))) < _INVERSE_TOL:
            break
        x, y = x - ex, y - ey
    return x, y


def _gcj02_to_wgs84_kernel(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _invert(_wgs84_to_gcj02_kernel, _gcj02_to_wgs84_one_step, lon, lat)


def _bd09_to_gcj02_kernel(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _invert(_gcj02_to_bd09_kernel, _bd09_to_gcj02_one_step, lon, lat)


def _masked(kernel: _Kernel, lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Apply ``kernel`` to the points inside China; the rest (and NaN) are copied."""
    out_lon = np.array(lon, dtype=np.float64, copy=True)
    out_lat = np.array(lat, dtype=np.float64, copy=True)
    inside = _in_china(out_lon, out_lat)
    if bool(np.any(inside)):
        new_lon, new_lat = kernel(out_lon[inside], out_lat[inside])
        out_lon[inside] = new_lon
        out_lat[inside] = new_lat
    return out_lon, out_lat


def _as_arrays(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray, bool]:
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    scalar = lon_a.ndim == 0 and lat_a.ndim == 0
    lon_b, lat_b = np.broadcast_arrays(lon_a, lat_a)
    return lon_b, lat_b, scalar


def _wgs84_to_gcj02_arrays(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _masked(_wgs84_to_gcj02_kernel, lon, lat)


def _gcj02_to_wgs84_arrays(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _masked(_gcj02_to_wgs84_kernel, lon, lat)


def _gcj02_to_bd09_arrays(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _masked(_gcj02_to_bd09_kernel, lon, lat)


def _bd09_to_gcj02_arrays(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _masked(_bd09_to_gcj02_kernel, lon, lat)


def _wgs84_to_bd09_arrays(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _gcj02_to_bd09_arrays(*_wgs84_to_gcj02_arrays(lon, lat))


def _bd09_to_wgs84_arrays(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _gcj02_to_wgs84_arrays(*_bd09_to_gcj02_arrays(lon, lat))


def _convert(
    arrays: _Kernel, lon: npt.ArrayLike, lat: npt.ArrayLike
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    lon_a, lat_a, scalar = _as_arrays(lon, lat)
    out_lon, out_lat = arrays(lon_a, lat_a)
    if scalar:
        return float(out_lon), float(out_lat)
    return out_lon, out_lat


# --------------------------------------------------------------------------------------
# Public point conversions
# --------------------------------------------------------------------------------------


@overload
def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]: ...
def wgs84_to_gcj02(
    lon: npt.ArrayLike, lat: npt.ArrayLike
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Convert WGS84 lon/lat to GCJ-02 (the datum of Amap and Tencent maps).

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 degrees. Arrays broadcast against each other.

    Returns
    -------
    (float, float) or (ndarray, ndarray)
        GCJ-02 degrees: Python floats for scalar input, float64 arrays of the
        broadcast shape otherwise. Points outside :data:`CHINA_BOUNDS` and NaN pass
        through unchanged.

    Examples
    --------
    >>> wgs84_to_gcj02(116.404, 39.915)
    (116.41024449916938, 39.91640428150164)
    >>> wgs84_to_gcj02(14.42, 50.09)  # Prague: outside China, unchanged
    (14.42, 50.09)
    """
    return _convert(_wgs84_to_gcj02_arrays, lon, lat)


@overload
def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]: ...
def gcj02_to_wgs84(
    lon: npt.ArrayLike, lat: npt.ArrayLike
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 lon/lat to WGS84, exactly inverting :func:`wgs84_to_gcj02`.

    The usual public one-step formula (subtract the offset evaluated at the GCJ-02
    point) is off by up to ~5e-5 degrees (several metres); this function starts from it and iterates
    ``x ← x − (wgs84_to_gcj02(x) − target)`` until every point reproduces its target
    within 1e-12 degrees. Whether a point is "in China" is decided on the GCJ-02 input,
    so within a few hundred metres of the edge of :data:`CHINA_BOUNDS` the round trip
    can differ from the identity.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 degrees. Arrays broadcast against each other.

    Returns
    -------
    (float, float) or (ndarray, ndarray)
        WGS84 degrees, floats for scalar input, arrays otherwise. Points outside China
        and NaN pass through unchanged.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(116.41024449916938, 39.91640428150164)
    >>> abs(lon - 116.404) < 1e-12 and abs(lat - 39.915) < 1e-12
    True
    """
    return _convert(_gcj02_to_wgs84_arrays, lon, lat)


@overload
def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]: ...
def gcj02_to_bd09(
    lon: npt.ArrayLike, lat: npt.ArrayLike
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 lon/lat to BD-09 (the datum of Baidu maps).

    ``x_pi = π·3000/180``, ``z = √(x²+y²) + 2e-5·sin(y·x_pi)``,
    ``θ = atan2(y, x) + 3e-6·cos(x·x_pi)``, ``lon = z·cos θ + 0.0065``,
    ``lat = z·sin θ + 0.006``. Applied only inside :data:`CHINA_BOUNDS`, like the
    GCJ-02 offset, so that outside China every web datum equals WGS84.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 degrees. Arrays broadcast against each other.

    Returns
    -------
    (float, float) or (ndarray, ndarray)
        BD-09 degrees, floats for scalar input, arrays otherwise.

    Examples
    --------
    >>> gcj02_to_bd09(116.404, 39.915)
    (116.41036949371029, 39.92133699351021)
    """
    return _convert(_gcj02_to_bd09_arrays, lon, lat)


@overload
def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def bd09_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]: ...
def bd09_to_gcj02(
    lon: npt.ArrayLike, lat: npt.ArrayLike
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Convert BD-09 lon/lat to GCJ-02, exactly inverting :func:`gcj02_to_bd09`.

    Decision on the published vector: the widely copied one-step formula
    (coordtransform's ``bd09_to_gcj02``: ``x = lon − 0.0065``, ``y = lat − 0.006``,
    ``z = √(x²+y²) − 2e-5·sin(y·x_pi)``, ``θ = atan2(y, x) − 3e-6·cos(x·x_pi)``) is
    *not* an exact inverse: it returns (116.39762729119315, 39.90865673957631) for
    (116.404, 39.915), and feeding that back through :func:`gcj02_to_bd09` misses the
    input by 4e-7 degrees (up to 2e-6 degrees, ~0.2 m, across China). This function
    therefore returns the exact
    inverse: it starts from the one-step result and iterates
    ``x ← x − (gcj02_to_bd09(x) − target)`` until every point reproduces its target
    within 1e-12 degrees (four or five steps). For the published input it returns
    (116.39762708785722, 39.90865633947842), which differs from the published vector by
    4e-7 degrees, the error of the one-step formula; the one-step formula itself is kept
    as the private helper ``_bd09_to_gcj02_one_step`` and reproduces the published
    vector to 1e-9 degrees.

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 degrees. Arrays broadcast against each other.

    Returns
    -------
    (float, float) or (ndarray, ndarray)
        GCJ-02 degrees, floats for scalar input, arrays otherwise. Points outside
        China and NaN pass through unchanged.

    Examples
    --------
    >>> lon, lat = bd09_to_gcj02(116.41036949371029, 39.92133699351021)
    >>> abs(lon - 116.404) < 1e-12 and abs(lat - 39.915) < 1e-12
    True
    """
    return _convert(_bd09_to_gcj02_arrays, lon, lat)


@overload
def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]: ...
def wgs84_to_bd09(
    lon: npt.ArrayLike, lat: npt.ArrayLike
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Convert WGS84 lon/lat to BD-09: :func:`wgs84_to_gcj02` then :func:`gcj02_to_bd09`.

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 degrees. Arrays broadcast against each other.

    Returns
    -------
    (float, float) or (ndarray, ndarray)
        BD-09 degrees, floats for scalar input, arrays otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> lon, lat = wgs84_to_bd09(np.array([116.404, 0.0]), np.array([39.915, 0.0]))
    >>> lon.round(6).tolist(), lat.round(6).tolist()
    ([116.416627, 0.0], [39.9227, 0.0])
    """
    return _convert(_wgs84_to_bd09_arrays, lon, lat)


@overload
def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def bd09_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]: ...
def bd09_to_wgs84(
    lon: npt.ArrayLike, lat: npt.ArrayLike
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Convert BD-09 lon/lat to WGS84, exactly inverting :func:`wgs84_to_bd09`.

    :func:`bd09_to_gcj02` then :func:`gcj02_to_wgs84`, both exact inverses.

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 degrees. Arrays broadcast against each other.

    Returns
    -------
    (float, float) or (ndarray, ndarray)
        WGS84 degrees, floats for scalar input, arrays otherwise.

    Examples
    --------
    >>> lon, lat = bd09_to_wgs84(*wgs84_to_bd09(120.155, 30.274))
    >>> abs(lon - 120.155) < 1e-12 and abs(lat - 30.274) < 1e-12
    True
    """
    return _convert(_bd09_to_wgs84_arrays, lon, lat)


# --------------------------------------------------------------------------------------
# Whole layers
# --------------------------------------------------------------------------------------

# datum -> (datum to WGS84, WGS84 to datum)
_LAYER_CONVERSIONS: Final[dict[str, tuple[_Kernel, _Kernel]]] = {
    "gcj02": (_gcj02_to_wgs84_arrays, _wgs84_to_gcj02_arrays),
    "bd09": (_bd09_to_wgs84_arrays, _wgs84_to_bd09_arrays),
}


def _check_datum(datum: str) -> None:
    if datum not in _LAYER_CONVERSIONS:
        choices = ", ".join(repr(d) for d in WEB_DATUMS)
        msg = f"{datum!r} is not a web datum; use one of: {choices}"
        raise CRSError(msg)


def _transform_vertices(geoms: npt.NDArray[np.object_], arrays: _Kernel) -> npt.NDArray[np.object_]:
    """Convert every vertex of every geometry at once, keeping Z."""

    def on_coords(coords: FloatArray) -> FloatArray:
        out = np.array(coords, dtype=np.float64, copy=True)
        out[:, 0], out[:, 1] = arrays(coords[:, 0], coords[:, 1])
        return out

    result = np.array(geoms, dtype=object, copy=True)
    has_z = shapely.has_z(result)
    flat = ~has_z
    if bool(np.any(flat)):
        result[flat] = shapely.transform(result[flat], on_coords, include_z=False)
    if bool(np.any(has_z)):
        result[has_z] = shapely.transform(result[has_z], on_coords, include_z=True)
    return result


def _replace_geometry(data: GeoT, geoms: npt.NDArray[np.object_]) -> GeoT:
    series = gpd.GeoSeries(geoms, index=data.index, crs=_WGS84)
    if isinstance(data, gpd.GeoSeries):
        return series.rename(data.name)
    out = data.copy()
    out[data.geometry.name] = series
    return out.set_crs(_WGS84, allow_override=True)


def from_web_datum(gdf: GeoT, datum: WebDatum) -> GeoT:
    """Convert a layer whose lon/lat are in a Chinese web datum to true WGS84.

    Coordinates copied from Amap/Tencent (GCJ-02) or Baidu (BD-09) are lon/lat degrees
    that files and GeoDataFrames label as EPSG:4326 although they are offset by
    hundreds of metres. Every vertex of every geometry of the active geometry column
    (points, lines, polygons with holes, multi-parts, collections; Z kept) is converted
    in one vectorised :func:`shapely.transform` call.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Lon/lat in ``datum``. Its CRS must be set and geographic (normally EPSG:4326,
        the label web-datum coordinates are stored under; EPSG:4490 is accepted too).
    datum : {"gcj02", "bd09"}
        The web datum of the coordinates.

    Returns
    -------
    GeoDataFrame or GeoSeries
        A copy in EPSG:4326 (true WGS84), same index and columns.

    Raises
    ------
    CRSError
        If ``datum`` is unknown, or the layer has no CRS or a projected one.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> amap = gpd.GeoSeries([Point(116.41024449916938, 39.91640428150164)], crs="EPSG:4326")
    >>> wgs = from_web_datum(amap, "gcj02")
    >>> round(float(wgs.x.iloc[0]), 9), round(float(wgs.y.iloc[0]), 9), wgs.crs.to_epsg()
    (116.404, 39.915, 4326)
    """
    _check_datum(datum)
    if gdf.crs is None:
        msg = (
            f"the layer has no CRS. {datum} coordinates are lon/lat degrees, stored labelled "
            "as EPSG:4326; if that is what this layer holds, call "
            "gdf.set_crs('EPSG:4326') first."
        )
        raise CRSError(msg)
    crs = pyproj.CRS.from_user_input(gdf.crs)
    if not crs.is_geographic:
        msg = (
            f"{datum} coordinates are lon/lat degrees, stored labelled as EPSG:4326, but this "
            f"layer is in {_describe(crs)}. If its coordinates really are {datum} lon/lat, "
            "relabel it with gdf.set_crs('EPSG:4326', allow_override=True); to put WGS84 "
            f"data into {datum}, use to_web_datum."
        )
        raise CRSError(msg)
    to_wgs84, _ = _LAYER_CONVERSIONS[datum]
    geoms = np.asarray(gdf.geometry.values if isinstance(gdf, gpd.GeoDataFrame) else gdf.values)
    return _replace_geometry(gdf, _transform_vertices(geoms, to_wgs84))


def to_web_datum(gdf: GeoT, datum: WebDatum) -> GeoT:
    """Convert a layer to lon/lat in a Chinese web datum (for Amap, Tencent or Baidu maps).

    The layer is reprojected to EPSG:4326 first, then every vertex of every geometry of
    the active geometry column is moved into ``datum`` (Z kept). The result is labelled
    EPSG:4326, as web-datum coordinates conventionally are, although it is offset from
    true WGS84 by hundreds of metres in China: do not overlay it on WGS84 layers.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        A layer in any CRS (it must have one).
    datum : {"gcj02", "bd09"}
        The web datum wanted.

    Returns
    -------
    GeoDataFrame or GeoSeries
        A copy holding ``datum`` lon/lat, labelled EPSG:4326.

    Raises
    ------
    CRSError
        If ``datum`` is unknown or the layer has no CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> wgs = gpd.GeoSeries([Point(116.404, 39.915)], crs="EPSG:4326")
    >>> baidu = to_web_datum(wgs, "bd09")
    >>> round(float(baidu.x.iloc[0]), 6), round(float(baidu.y.iloc[0]), 6)
    (116.416627, 39.9227)
    """
    _check_datum(datum)
    if gdf.crs is None:
        msg = (
            "the layer has no CRS, so it cannot be reprojected to lon/lat before converting "
            f"to {datum}. If you know its CRS, call gdf.set_crs(...) first "
            "(e.g. gdf.set_crs('EPSG:4326') for WGS84 lon/lat)."
        )
        raise CRSError(msg)
    wgs84 = gdf.to_crs(_WGS84)
    _, from_wgs84 = _LAYER_CONVERSIONS[datum]
    geoms = np.asarray(
        wgs84.geometry.values if isinstance(wgs84, gpd.GeoDataFrame) else wgs84.values
    )
    return _replace_geometry(wgs84, _transform_vertices(geoms, from_wgs84))
