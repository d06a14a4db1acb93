"""Tests for landasset.crs: local metric CRS, metric checks and the Chinese web datums."""

from __future__ import annotations

import math
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import GeometryCollection, LineString, MultiPolygon, Point, Polygon

from landasset._errors import CRSError, LandassetError
from landasset.crs import (
    CHINA_BOUNDS,
    _bd09_to_gcj02_one_step,
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_web_datum,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    is_metric,
    local_crs,
    require_metric,
    to_web_datum,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

Conversion = Callable[..., tuple]

ROUND_TRIP_TOL = 1e-9  # degrees
PUBLISHED_INPUT = (116.404, 39.915)
# coordtransform's README vectors for PUBLISHED_INPUT.
PUBLISHED_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
PUBLISHED_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
PUBLISHED_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)

ALL_CONVERSIONS = [
    wgs84_to_gcj02,
    gcj02_to_wgs84,
    gcj02_to_bd09,
    bd09_to_gcj02,
    wgs84_to_bd09,
    bd09_to_wgs84,
]
# (forward, inverse)
PAIRS = [
    pytest.param(wgs84_to_gcj02, gcj02_to_wgs84, id="wgs84-gcj02"),
    pytest.param(gcj02_to_bd09, bd09_to_gcj02, id="gcj02-bd09"),
    pytest.param(wgs84_to_bd09, bd09_to_wgs84, id="wgs84-bd09"),
]

china_lon = st.floats(min_value=73.7, max_value=135.0, allow_nan=False)
china_lat = st.floats(min_value=3.9, max_value=53.5, allow_nan=False)
HYPOTHESIS = settings(database=None, max_examples=300, deadline=None)


def _max_abs_diff(a: tuple, b: tuple) -> float:
    return float(
        max(np.max(np.abs(np.asarray(x) - np.asarray(y))) for x, y in zip(a, b, strict=True))
    )


# --------------------------------------------------------------------------------------
# local_crs
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lonlat", "epsg"),
    [
        ((120.155, 30.274), 4549),  # Hangzhou, CM 120
        ((87.6, 43.8), 4538),  # Urumqi, CM 87
        ((75.99, 39.47), 4534),  # Kashgar, CM 75 (first zone)
        ((134.5, 48.0), 4554),  # Fuyuan area, CM 135 (last zone)
        ((14.42, 50.09), 32633),  # Prague, UTM 33N
        ((151.21, -33.87), 32756),  # Sydney, UTM 56S
        ((-58.38, -34.60), 32721),  # Buenos Aires, UTM 21S
        ((103.85, 1.29), 32648),  # Singapore: south of China's box, UTM 48N
    ],
)
def test_local_crs_from_pair(lonlat: tuple[float, float], epsg: int) -> None:
    crs = local_crs(lonlat)
    assert isinstance(crs, pyproj.CRS)
    assert crs.to_epsg() == epsg
    assert is_metric(crs)


def test_local_crs_gauss_kruger_formula_over_china() -> None:
    for lon in np.arange(74.0, 135.0, 0.7):
        cm = 3 * math.floor(lon / 3 + 0.5)
        assert abs(lon - cm) <= 1.5
        crs = local_crs((float(lon), 35.0))
        assert crs.to_epsg() == 4534 + (cm - 75) // 3
        operation = crs.coordinate_operation
        assert operation is not None
        origin = next(p for p in operation.params if p.name == "Longitude of natural origin")
        assert math.isclose(float(origin.value), cm)


def test_local_crs_of_web_mercator_layer_around_hangzhou() -> None:
    pts = gpd.GeoSeries(
        [Point(120.10, 30.22), Point(120.20, 30.32), Point(120.16, 30.27)], crs="EPSG:4326"
    )
    layer = gpd.GeoDataFrame({"id": [1, 2, 3]}, geometry=pts.to_crs("EPSG:3857"))
    assert layer.crs.to_epsg() == 3857
    assert local_crs(layer).to_epsg() == 4549
    assert local_crs(layer.geometry).to_epsg() == 4549


def test_local_crs_of_cgcs2000_layer() -> None:
    layer = gpd.GeoSeries([Point(87.5, 43.7), Point(87.7, 43.9)], crs="EPSG:4490")
    assert local_crs(layer).to_epsg() == 4538


def test_local_crs_across_the_antimeridian() -> None:
    # Fiji-like extent; the centre is at 180.5°E = 179.5°W, UTM zone 1 south.
    layer = gpd.GeoSeries([Point(179.0, -17.0), Point(-178.0, -17.0)], crs="EPSG:4326")
    assert local_crs(layer.to_crs("EPSG:3832")).to_epsg() == 32701


def test_local_crs_without_crs_raises() -> None:
    layer = gpd.GeoDataFrame(geometry=[Point(120.1, 30.2)])
    with pytest.raises(CRSError, match="set_crs"):
        local_crs(layer)


@pytest.mark.parametrize(
    "layer",
    [
        pytest.param(gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:4326")), id="zero-rows"),
        pytest.param(gpd.GeoSeries([None, Polygon()], crs="EPSG:4326"), id="only-empty"),
    ],
)
def test_local_crs_of_empty_layer_raises(layer: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
    with pytest.raises(CRSError, match="empty"):
        local_crs(layer)


@pytest.mark.parametrize("pair", [(30.27, 120.15), (float("nan"), 30.0), (200.0, 10.0)])
def test_local_crs_rejects_invalid_pairs(pair: tuple[float, float]) -> None:
    with pytest.raises(CRSError, match="lon"):
        local_crs(pair)


def test_local_crs_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="GeoDataFrame"):
        local_crs("EPSG:4326")
    with pytest.raises(TypeError):
        local_crs((1.0, 2.0, 3.0))


@pytest.mark.parametrize(
    ("lonlat", "expected"),
    [
        ((120.15507, 30.27408), (514920.8507, 3350506.6488)),
        ((120.0, 30.0), (500000.0, 3320113.3978)),
    ],
)
def test_local_crs_check_values(lonlat: tuple[float, float], expected: tuple[float, float]) -> None:
    target = local_crs(lonlat)
    assert target.to_epsg() == 4549
    x, y = pyproj.Transformer.from_crs("EPSG:4490", target, always_xy=True).transform(*lonlat)
    assert x == pytest.approx(expected[0], abs=1e-3)
    assert y == pytest.approx(expected[1], abs=1e-3)


# --------------------------------------------------------------------------------------
# is_metric / require_metric
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("crs", "expected"),
    [
        ("EPSG:4549", True),  # CGCS2000 GK CM 120
        ("EPSG:4528", True),  # CGCS2000 GK zone-prefixed form
        ("EPSG:32633", True),  # UTM 33N
        ("EPSG:5070", True),  # Albers equal area
        ("EPSG:2056", True),  # Swiss LV95, oblique Mercator: conformal near its line
        ("EPSG:5972", True),  # compound: UTM 32N + height
        ("+proj=utm +zone=50 +ellps=GRS80 +towgs84=0,0,0 +units=m", True),  # bound CRS
        ("EPSG:3857", False),  # Web Mercator
        ("ESRI:102100", False),  # Web Mercator, ESRI code
        ("EPSG:3395", False),  # World Mercator
        ("+proj=merc +datum=WGS84", False),
        ("EPSG:4326", False),
        ("EPSG:4490", False),
        ("EPSG:2263", False),  # NY state plane, US survey feet
        (4549, True),
        (pyproj.CRS.from_epsg(3857), False),
        (None, False),
    ],
)
def test_is_metric(crs: object, expected: bool) -> None:
    assert is_metric(crs) is expected  # type: ignore[arg-type]


def test_is_metric_rejects_unreadable_crs() -> None:
    with pytest.raises(CRSError, match="not a CRS"):
        is_metric("EPSG:999999")


def test_require_metric_returns_crs() -> None:
    crs = require_metric("EPSG:4549")
    assert isinstance(crs, pyproj.CRS)
    assert crs.to_epsg() == 4549
    utm = pyproj.CRS.from_epsg(32633)
    assert require_metric(utm, what="area_mu") == utm


def test_require_metric_none_mentions_set_crs() -> None:
    with pytest.raises(CRSError, match="set_crs") as info:
        require_metric(None, what="area_mu")
    assert "no CRS" in str(info.value)
    assert "area_mu" in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, LandassetError)


@pytest.mark.parametrize(
    ("crs", "reason"),
    [
        ("EPSG:3857", "Mercator"),
        ("EPSG:4326", "not a projected CRS"),
        ("EPSG:2263", "US survey foot"),
    ],
)
def test_require_metric_unfit_message(crs: str, reason: str) -> None:
    with pytest.raises(CRSError) as info:
        require_metric(crs, what="area_mu")
    message = str(info.value)
    assert crs in message
    assert reason in message
    assert message.startswith("area_mu needs")
    assert "landasset.Site" in message
    assert "to_crs(landasset.crs.local_crs(gdf))" in message


# --------------------------------------------------------------------------------------
# Web datums: published vectors
# --------------------------------------------------------------------------------------


def test_published_wgs84_to_gcj02() -> None:
    lon, lat = wgs84_to_gcj02(*PUBLISHED_INPUT)
    assert lon == pytest.approx(PUBLISHED_WGS84_TO_GCJ02[0], abs=1e-9)
    assert lat == pytest.approx(PUBLISHED_WGS84_TO_GCJ02[1], abs=1e-9)


def test_published_gcj02_to_bd09() -> None:
    lon, lat = gcj02_to_bd09(*PUBLISHED_INPUT)
    assert lon == pytest.approx(PUBLISHED_GCJ02_TO_BD09[0], abs=1e-9)
    assert lat == pytest.approx(PUBLISHED_GCJ02_TO_BD09[1], abs=1e-9)


def test_published_bd09_to_gcj02_is_the_one_step_formula() -> None:
    lon, lat = _bd09_to_gcj02_one_step(
        np.array([PUBLISHED_INPUT[0]]), np.array([PUBLISHED_INPUT[1]])
    )
    assert lon[0] == pytest.approx(PUBLISHED_BD09_TO_GCJ02[0], abs=1e-9)
    assert lat[0] == pytest.approx(PUBLISHED_BD09_TO_GCJ02[1], abs=1e-9)


def test_exact_bd09_to_gcj02_against_published_one_step_vector() -> None:
    exact = bd09_to_gcj02(*PUBLISHED_INPUT)
    # Within the one-step formula's error (≤ 2e-6° across China), but measurably apart:
    # the published vector does not map back onto its input, the exact inverse does.
    gap = _max_abs_diff(exact, PUBLISHED_BD09_TO_GCJ02)
    assert 1e-8 < gap < 2e-6
    assert _max_abs_diff(gcj02_to_bd09(*exact), PUBLISHED_INPUT) < 1e-12
    assert _max_abs_diff(gcj02_to_bd09(*PUBLISHED_BD09_TO_GCJ02), PUBLISHED_INPUT) > 1e-8


def test_gcj02_offset_is_hundreds_of_metres_in_beijing() -> None:
    lon, lat = wgs84_to_gcj02(*PUBLISHED_INPUT)
    geod = pyproj.Geod(ellps="WGS84")
    _, _, dist = geod.inv(PUBLISHED_INPUT[0], PUBLISHED_INPUT[1], lon, lat)
    assert 300 < dist < 800


# --------------------------------------------------------------------------------------
# Web datums: round trips and pass-through
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("forward", "inverse"), PAIRS)
@HYPOTHESIS
@given(lon=china_lon, lat=china_lat)
def test_round_trip_scalar(
    forward: Conversion, inverse: Conversion, lon: float, lat: float
) -> None:
    there = forward(lon, lat)
    assert _max_abs_diff(there, (lon, lat)) > 1e-6  # the datums really differ here
    assert _max_abs_diff(inverse(*there), (lon, lat)) < ROUND_TRIP_TOL
    # and the other way round: the inverse is exact, not the one-step approximation
    assert _max_abs_diff(forward(*inverse(lon, lat)), (lon, lat)) < ROUND_TRIP_TOL


@pytest.mark.parametrize(("forward", "inverse"), PAIRS)
def test_round_trip_arrays_keep_shape(forward: Conversion, inverse: Conversion) -> None:
    rng = np.random.default_rng(42)
    lon = rng.uniform(73.7, 135.0, size=(40, 25))
    lat = rng.uniform(3.9, 53.5, size=(40, 25))
    there = forward(lon, lat)
    assert all(isinstance(a, np.ndarray) and a.shape == (40, 25) for a in there)
    back = inverse(*there)
    assert all(isinstance(a, np.ndarray) and a.shape == (40, 25) for a in back)
    assert _max_abs_diff(back, (lon, lat)) < ROUND_TRIP_TOL
    assert _max_abs_diff(forward(*inverse(lon, lat)), (lon, lat)) < ROUND_TRIP_TOL


@pytest.mark.parametrize(("forward", "inverse"), PAIRS)
def test_array_matches_scalar(forward: Conversion, inverse: Conversion) -> None:
    lon = np.array([116.404, 120.155, 87.6, 14.42])
    lat = np.array([39.915, 30.274, 43.8, 50.09])
    for fn in (forward, inverse):
        arr_lon, arr_lat = fn(lon, lat)
        for i in range(lon.size):
            assert (arr_lon[i], arr_lat[i]) == pytest.approx(fn(lon[i], lat[i]), abs=1e-12)


@pytest.mark.parametrize("fn", ALL_CONVERSIONS)
@pytest.mark.parametrize("point", [(14.42, 50.09), (0.0, 0.0), (-74.0, 40.7), (103.85, 1.29)])
def test_outside_china_unchanged(fn: Conversion, point: tuple[float, float]) -> None:
    assert fn(*point) == point


@pytest.mark.parametrize("fn", ALL_CONVERSIONS)
def test_mixed_inside_outside_array(fn: Conversion) -> None:
    lon = np.array([14.42, 116.404, 0.0])
    lat = np.array([50.09, 39.915, 0.0])
    out_lon, out_lat = fn(lon, lat)
    assert out_lon[[0, 2]].tolist() == [14.42, 0.0]
    assert out_lat[[0, 2]].tolist() == [50.09, 0.0]
    assert (out_lon[1], out_lat[1]) == pytest.approx(fn(116.404, 39.915), abs=1e-12)
    assert (out_lon[1], out_lat[1]) != (116.404, 39.915)
    # inputs are not modified in place
    assert lon.tolist() == [14.42, 116.404, 0.0]


def test_offsets_stop_at_chinas_box() -> None:
    minx, miny, maxx, maxy = CHINA_BOUNDS
    assert wgs84_to_gcj02(maxx + 1e-6, 30.0) == (maxx + 1e-6, 30.0)
    assert wgs84_to_gcj02(maxx - 1e-3, 30.0) != (maxx - 1e-3, 30.0)
    assert wgs84_to_gcj02(100.0, maxy + 1e-6) == (100.0, maxy + 1e-6)
    assert wgs84_to_gcj02(100.0, miny - 1e-6) == (100.0, miny - 1e-6)
    assert wgs84_to_gcj02(minx - 1e-6, 40.0) == (minx - 1e-6, 40.0)


@pytest.mark.parametrize("fn", ALL_CONVERSIONS)
def test_nan_passes_through(fn: Conversion) -> None:
    lon, lat = fn(float("nan"), float("nan"))
    assert isinstance(lon, float)
    assert math.isnan(lon)
    assert math.isnan(lat)
    arr_lon, arr_lat = fn(np.array([np.nan, 116.404, 120.0]), np.array([np.nan, 39.915, np.nan]))
    assert np.isnan(arr_lon[0]) and np.isnan(arr_lat[0])
    assert np.isnan(arr_lat[2]) and arr_lon[2] == 120.0  # NaN lat: not "in China"
    assert (arr_lon[1], arr_lat[1]) == pytest.approx(fn(116.404, 39.915), abs=1e-12)


@pytest.mark.parametrize("fn", ALL_CONVERSIONS)
def test_scalar_in_float_out(fn: Conversion) -> None:
    for lon, lat in [(116.404, 39.915), (np.float64(116.404), np.float64(39.915)), (116, 40)]:
        out = fn(lon, lat)
        assert isinstance(out, tuple)
        assert type(out[0]) is float
        assert type(out[1]) is float


@pytest.mark.parametrize("fn", ALL_CONVERSIONS)
def test_array_in_array_out(fn: Conversion) -> None:
    out_lon, out_lat = fn([116.404, 120.155], [39.915, 30.274])
    assert isinstance(out_lon, np.ndarray) and out_lon.dtype == np.float64
    assert out_lon.shape == out_lat.shape == (2,)
    # broadcasting a scalar latitude against an array of longitudes
    b_lon, b_lat = fn(np.array([116.404, 116.5, 116.6]), 39.915)
    assert b_lon.shape == b_lat.shape == (3,)
    assert (b_lon[0], b_lat[0]) == pytest.approx(fn(116.404, 39.915), abs=1e-12)
    # empty arrays
    e_lon, e_lat = fn(np.array([]), np.array([]))
    assert e_lon.shape == e_lat.shape == (0,)


# --------------------------------------------------------------------------------------
# Whole layers
# --------------------------------------------------------------------------------------


def _mixed_layer() -> gpd.GeoDataFrame:
    shell = [(120.10, 30.20), (120.20, 30.20), (120.20, 30.30), (120.10, 30.30)]
    hole = [(120.13, 30.23), (120.16, 30.23), (120.16, 30.26), (120.13, 30.26)]
    geoms = [
        Point(116.404, 39.915),
        LineString([(121.47, 31.23), (121.50, 31.25), (121.52, 31.20)]),
        Polygon(shell, [hole]),
        MultiPolygon(
            [
                Polygon([(113.9, 22.5), (114.0, 22.5), (114.0, 22.6)]),
                Polygon([(114.1, 22.5), (114.2, 22.5), (114.2, 22.6)]),
            ]
        ),
        GeometryCollection([Point(104.06, 30.67), LineString([(104.0, 30.6), (104.1, 30.7)])]),
        Point(108.94, 34.34, 412.5),
        Point(14.42, 50.09),  # Prague, outside China
        None,
        Polygon(),
    ]
    return gpd.GeoDataFrame(
        {"name": [f"g{i}" for i in range(len(geoms))]},
        geometry=geoms,
        crs="EPSG:4326",
        index=range(10, 10 + len(geoms)),
    )


def _scalar_expected(geoms: gpd.GeoSeries, fn: Conversion) -> np.ndarray:
    coords = shapely.get_coordinates(geoms.values, include_z=True)
    expected = coords.copy()
    for i, (lon, lat, _) in enumerate(coords):
        expected[i, 0], expected[i, 1] = fn(float(lon), float(lat))
    return expected


@pytest.mark.parametrize(
    ("datum", "to_wgs84", "from_wgs84"),
    [("gcj02", gcj02_to_wgs84, wgs84_to_gcj02), ("bd09", bd09_to_wgs84, wgs84_to_bd09)],
)
def test_layer_vertices_match_scalar_functions(
    datum: str, to_wgs84: Conversion, from_wgs84: Conversion
) -> None:
    layer = _mixed_layer()
    original = layer.copy()

    web = to_web_datum(layer, datum)  # type: ignore[arg-type]
    np.testing.assert_allclose(
        shapely.get_coordinates(web.geometry.values, include_z=True),
        _scalar_expected(layer.geometry, from_wgs84),
        rtol=0,
        atol=1e-12,
    )
    wgs = from_web_datum(layer, datum)  # type: ignore[arg-type]
    np.testing.assert_allclose(
        shapely.get_coordinates(wgs.geometry.values, include_z=True),
        _scalar_expected(layer.geometry, to_wgs84),
        rtol=0,
        atol=1e-12,
    )

    for out in (web, wgs):
        assert isinstance(out, gpd.GeoDataFrame)
        assert out.crs.to_epsg() == 4326
        assert out.index.tolist() == layer.index.tolist()
        assert out["name"].tolist() == layer["name"].tolist()
        assert out.geom_type.tolist() == layer.geom_type.tolist()
        assert out.has_z.tolist() == layer.has_z.tolist()
        assert out.geometry.iloc[7] is None
        assert out.geometry.iloc[8].is_empty
        assert len(out.geometry.iloc[2].interiors) == 1  # the hole survives
        assert out.geometry.iloc[5].z == 412.5  # Z kept, not converted
        assert out.geometry.iloc[6].equals(Point(14.42, 50.09))  # outside China: unchanged
        assert not out.geometry.iloc[0].equals(layer.geometry.iloc[0])

    # the input is untouched
    assert layer.geometry.geom_equals_exact(original.geometry, tolerance=0).iloc[:7].all()


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_layer_round_trip(datum: str) -> None:
    layer = _mixed_layer()
    back = from_web_datum(to_web_datum(layer, datum), datum)  # type: ignore[arg-type]
    np.testing.assert_allclose(
        shapely.get_coordinates(back.geometry.values, include_z=True),
        shapely.get_coordinates(layer.geometry.values, include_z=True),
        rtol=0,
        atol=ROUND_TRIP_TOL,
    )


def test_to_web_datum_reprojects_first() -> None:
    layer = _mixed_layer().iloc[:6]
    projected = layer.to_crs("EPSG:4549")
    direct = to_web_datum(layer, "gcj02")
    via_projected = to_web_datum(projected, "gcj02")
    np.testing.assert_allclose(
        shapely.get_coordinates(via_projected.geometry.values),
        shapely.get_coordinates(direct.geometry.values),
        rtol=0,
        atol=1e-8,
    )
    assert via_projected.crs.to_epsg() == 4326


def test_web_datum_on_geoseries() -> None:
    series = gpd.GeoSeries([Point(116.404, 39.915), None], crs="EPSG:4326", name="site")
    web = to_web_datum(series, "gcj02")
    assert isinstance(web, gpd.GeoSeries)
    assert web.name == "site"
    assert (web.iloc[0].x, web.iloc[0].y) == pytest.approx(PUBLISHED_WGS84_TO_GCJ02, abs=1e-9)
    back = from_web_datum(web, "gcj02")
    assert isinstance(back, gpd.GeoSeries)
    assert (back.iloc[0].x, back.iloc[0].y) == pytest.approx(PUBLISHED_INPUT, abs=1e-9)
    assert back.iloc[1] is None


def test_from_web_datum_accepts_cgcs2000_label() -> None:
    series = gpd.GeoSeries([Point(*PUBLISHED_WGS84_TO_GCJ02)], crs="EPSG:4490")
    out = from_web_datum(series, "gcj02")
    assert out.crs.to_epsg() == 4326
    assert (out.iloc[0].x, out.iloc[0].y) == pytest.approx(PUBLISHED_INPUT, abs=1e-9)


def test_web_datum_on_empty_layer() -> None:
    empty = gpd.GeoDataFrame({"a": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    for out in (to_web_datum(empty, "bd09"), from_web_datum(empty, "bd09")):
        assert len(out) == 0
        assert out.crs.to_epsg() == 4326


@pytest.mark.parametrize("fn", [from_web_datum, to_web_datum])
@pytest.mark.parametrize("datum", ["wgs84", "GCJ02", "bd-09", ""])
def test_wrong_datum_lists_choices(fn: Callable[..., object], datum: str) -> None:
    with pytest.raises(CRSError, match="'gcj02', 'bd09'") as info:
        fn(_mixed_layer(), datum)
    assert repr(datum) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("fn", [from_web_datum, to_web_datum])
def test_web_datum_without_crs_raises(fn: Callable[..., object]) -> None:
    layer = gpd.GeoDataFrame(geometry=[Point(116.404, 39.915)])
    with pytest.raises(CRSError, match="set_crs"):
        fn(layer, "gcj02")


def test_from_web_datum_rejects_projected_layer() -> None:
    layer = _mixed_layer().iloc[:2].to_crs("EPSG:4549")
    with pytest.raises(CRSError, match="EPSG:4326") as info:
        from_web_datum(layer, "gcj02")
    assert "EPSG:4549" in str(info.value)
