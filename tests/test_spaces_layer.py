"""The tenth layer, spaces (可招商空间): schema, Site, I/O, style, and the sample's
release plan."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import LineString, Point, box

import landasset as la
from landasset import io as lio
from landasset import styles
from landasset.schema import LAYERS, SPACE_STATUSES, empty_layer, validate

X0, Y0 = 514_000.0, 3_350_000.0


@pytest.fixture
def buildings() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"building_id": ["B1", "B2"], "floors": [5, 1], "gfa_m2": [5000.0, 2000.0]},
        geometry=[box(X0, Y0, X0 + 40, Y0 + 25), box(X0 + 60, Y0, X0 + 110, Y0 + 40)],
        crs="EPSG:4549",
    )


@pytest.fixture
def spaces() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "space_id": ["B1-F03", "B1-F04", "B2-F01"],
            "building_id": ["B1", "B1", "B2"],
            "floor": [3, 4, 1],
            "area_m2": [1000.0, 1000.0, 2000.0],
            "clear_height_m": [3.9, 3.9, 9.0],
            "floor_load_kn_m2": [2.5, 2.5, 10.0],
            "power_kva": [100.0, 100.0, 500.0],
            "rent_cny_m2_month": [75.0, 75.0, 32.0],
            "available_from": pd.to_datetime(["2026-01-01", "2026-07-01", "2025-10-01"]),
            "status": ["vacant", "reserved", "let"],
            "kind": ["office", "office", "plant"],
        },
        geometry=[box(X0, Y0, X0 + 40, Y0 + 25)] * 2 + [Point(X0 + 85, Y0 + 20)],
        crs="EPSG:4549",
    )


# -- schema -----------------------------------------------------------------------------


def test_the_spaces_schema():
    spec = LAYERS["spaces"]
    assert spec.id_column == "space_id"
    assert spec.required == ("building_id", "area_m2")
    assert set(spec.geometry_types) == {"Polygon", "MultiPolygon", "Point"}
    assert SPACE_STATUSES == ("vacant", "reserved", "let")
    empty = empty_layer("spaces", "EPSG:4549")
    assert str(empty["available_from"].dtype) == "datetime64[ns]"
    assert str(empty["floor"].dtype) == "Int64"
    assert empty.attrs["geometry_type"] == "MultiPolygon"


def test_a_valid_layer_is_typed_and_indexed(spaces):
    report = validate(spaces, "spaces")
    assert report.ok and not report.problems
    data = report.data
    assert data.index.name == "space_id"
    assert data.loc["B2-F01", "floor"] == 1
    assert data.geometry.geom_type.tolist() == ["Polygon", "Polygon", "Point"]


def test_bad_values_are_each_reported(spaces):
    bad = spaces.copy()
    bad.loc[0, "area_m2"] = 0.0
    bad.loc[1, "area_m2"] = -20.0
    bad.loc[2, "status"] = "free"
    bad.loc[0, "rent_cny_m2_month"] = -1.0
    found = {(p.id, p.column, p.problem, p.severity) for p in validate(bad, "spaces").problems}
    assert found == {
        ("B1-F03", "area_m2", "floor area not above zero", "error"),
        ("B1-F04", "area_m2", "floor area not above zero", "error"),
        ("B2-F01", "status", "'free' is not a space status", "error"),
        ("B1-F03", "rent_cny_m2_month", "negative value", "error"),
    }
    status = next(p for p in validate(bad, "spaces").problems if p.column == "status")
    assert status.fix == "use one of: 'vacant', 'reserved', 'let'"


def test_missing_status_and_required_columns(spaces):
    no_status = spaces.assign(status=[None, "vacant", "let"])
    problems = validate(no_status, "spaces").problems
    assert [(p.id, p.problem, p.severity) for p in problems] == [
        ("B1-F03", "missing status", "warning")
    ]
    dropped = spaces.drop(columns=["status", "building_id"])
    problems = validate(dropped, "spaces").problems
    assert {(p.column, p.problem, p.severity) for p in problems} == {
        ("building_id", "missing required column", "error"),
        ("status", "no status column", "warning"),
    }


def test_lines_are_not_spaces(spaces):
    lines = spaces.set_geometry([LineString([(X0, Y0), (X0 + 1, Y0)])] * 3, crs="EPSG:4549")
    problems = validate(lines, "spaces").errors
    assert len(problems) == 3
    assert problems[0].problem == "wrong geometry type (expected Point or Polygon or MultiPolygon)"


def test_zero_row_layer_validates():
    report = validate(empty_layer("spaces", "EPSG:4549"), "spaces")
    assert report.ok and not report.problems and len(report.data) == 0


# -- site -------------------------------------------------------------------------------


def test_site_holds_spaces(buildings, spaces):
    site = la.Site(buildings=buildings, spaces=spaces)
    assert site.spaces.index.tolist() == ["B1-F03", "B1-F04", "B2-F01"]
    assert site["spaces"] is site.spaces
    assert "spaces" in site.layers
    assert la.Site(buildings=buildings).spaces.index.name == "space_id"


def test_unknown_building_is_an_error_when_buildings_are_present(buildings, spaces):
    stray = spaces.assign(building_id=["B1", "B9", "B2"])
    with pytest.raises(
        la.SchemaError, match=r"spaces\[B1-F04\]\.building_id: unknown building 'B9'"
    ):
        la.Site(buildings=buildings, spaces=stray)
    # without buildings there is nothing to check against
    assert len(la.Site(spaces=stray).spaces) == 3
    # validate=False skips every check
    assert len(la.Site(buildings=buildings, spaces=stray, validate=False).spaces) == 3


def test_replace_checks_spaces_again(buildings, spaces):
    site = la.Site(buildings=buildings, spaces=spaces)
    with pytest.raises(la.SchemaError, match="unknown building 'B2'"):
        site.replace(buildings=buildings.iloc[:1])


# -- files ------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".gpkg", ".parquet", ".fgb", ".geojson"])
def test_spaces_round_trip(tmp_path, spaces, ext):
    layer = spaces if ext in (".gpkg", ".parquet") else spaces.iloc[:2]  # one geometry type
    path = lio.write_layer(layer.set_index("space_id"), tmp_path / f"spaces{ext}")
    back = lio.read_layer(path, "spaces")
    assert back.index.tolist() == layer["space_id"].tolist()
    assert back["available_from"].tolist() == layer["available_from"].tolist()
    assert back["status"].tolist() == layer["status"].tolist()
    assert back["floor_load_kn_m2"].tolist() == layer["floor_load_kn_m2"].tolist()


def test_shapefile_uses_short_names_and_reads_them_back(tmp_path, spaces):
    polygons = spaces.iloc[:2].set_index("space_id")
    path = lio.write_layer(polygons, tmp_path / "spaces.shp")
    import pyogrio

    fields = set(pyogrio.read_info(path)["fields"])
    assert {"clr_hgt_m", "flr_load", "rent_m2_mo", "avail_from", "bldg_id"} <= fields
    back = lio.read_layer(path, "spaces")
    assert back["clear_height_m"].tolist() == [3.9, 3.9]
    assert back["rent_cny_m2_month"].tolist() == [75.0, 75.0]
    assert back["building_id"].tolist() == ["B1", "B1"]


def test_chinese_column_names_are_read(tmp_path, spaces):
    chinese = spaces.rename(
        columns={
            "space_id": "空间编号",
            "building_id": "建筑编号",
            "floor": "楼层",
            "area_m2": "面积(㎡)",
            "clear_height_m": "净高(m)",
            "floor_load_kn_m2": "楼面荷载(kN/㎡)",
            "power_kva": "电力容量(kVA)",
            "rent_cny_m2_month": "租金(元/㎡·月)",
            "available_from": "可入驻日期",
            "status": "状态",
        }
    )
    path = lio.write_layer(chinese, tmp_path / "spaces.gpkg")
    back = lio.read_layer(path, "spaces")
    assert back.index.name == "space_id"
    assert {
        "building_id",
        "floor",
        "area_m2",
        "clear_height_m",
        "floor_load_kn_m2",
        "power_kva",
        "rent_cny_m2_month",
        "available_from",
        "status",
    } <= set(back.columns)
    assert back.loc["B2-F01", "area_m2"] == 2000.0


# -- style ------------------------------------------------------------------------------


def test_spaces_are_styled_by_status_with_chinese_aliases(spaces):
    style = styles.default_style(spaces, "spaces")
    assert style is not None and (style.kind, style.theme) == ("spaces", "status")
    root = ET.fromstring(style.qml.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "status"
    assert [c.get("value") for c in root.iter("category")] == ["vacant", "reserved", "let", ""]
    aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
    assert aliases["space_id"] == "空间编号"
    assert aliases["clear_height_m"] == "净高(m)"
    assert aliases["floor_load_kn_m2"] == "楼面荷载(kN/㎡)"
    assert aliases["rent_cny_m2_month"] == "租金(元/㎡·月)"
    assert aliases["available_from"] == "可入驻日期"
    assert aliases["status"] == "状态"
    # a mixed polygon and point layer is drawn with fills; a points-only one with markers
    points = spaces.iloc[2:]
    marker = styles.default_style(points, "spaces")
    assert marker is not None
    assert {s.get("type") for s in ET.fromstring(marker.qml.split("\n", 1)[1]).iter("symbol")} == {
        "marker"
    }
    lines = spaces.set_geometry([LineString([(0, 0), (1, 1)])] * 3, crs="EPSG:4549")
    assert styles.default_style(lines, "spaces") is None


# -- the sample's release plan -------------------------------------------------------------


def test_sample_release_plan(sample_site):
    spaces = sample_site.spaces
    assert len(spaces) == 933
    total = spaces["area_m2"].sum()
    assert 1_550_000 <= total <= 1_650_000
    years = spaces["available_from"].dt.year
    assert set(years) == {2025, 2026, 2027}
    assert all(years.value_counts() > 250)
    # every unit is in a known building, on one of its floors
    buildings = sample_site.buildings
    assert spaces["building_id"].isin(buildings.index).all()
    floors = buildings.loc[spaces["building_id"], "floors"].to_numpy(dtype=float)
    assert (spaces["floor"].to_numpy(dtype=float) <= floors).all()
    # the old park's renewal space is part of the plan, from mid-2026
    zone = sample_site.parcels["zone"].reindex(spaces["parcel_id"]).to_numpy()
    old = spaces[zone == "老园区"]
    assert 200_000 <= old["area_m2"].sum() <= 320_000
    assert (old["available_from"] >= pd.Timestamp("2026-07-01")).all()


def test_sample_units_have_realistic_figures(sample_site):
    spaces = sample_site.spaces
    office = spaces[spaces["kind"] == "office"]
    plant = spaces[spaces["kind"] == "plant"]
    assert office["clear_height_m"].between(3.6, 4.5).all()
    assert office["floor_load_kn_m2"].between(2, 3).all()
    assert office["rent_cny_m2_month"].between(40, 90).all()
    assert plant["rent_cny_m2_month"].between(25, 45).all()
    ground = plant[plant["floor"] == 1]
    assert len(ground) > 50
    assert ground["clear_height_m"].between(6, 12).all()
    assert ground["floor_load_kn_m2"].between(5, 15).all()
    assert plant["power_kva"].median() > office["power_kva"].median()
    uses = sample_site.buildings.loc[spaces["building_id"], "use"].to_numpy()
    assert set(uses[spaces["kind"] == "plant"]) <= {"industrial", "warehouse"}
    assert set(uses[spaces["kind"] != "plant"]) == {"office", "research"}
    counts = spaces["status"].value_counts()
    assert counts["vacant"] > len(spaces) / 2 and counts["reserved"] > 0 and counts["let"] > 0
    # units let or reserved before the sample's day, none let in the future
    assert (spaces.loc[spaces["status"] == "let", "available_from"] <= "2025-12-31").all()


def test_sample_build_is_deterministic_and_leaves_buildings_alone(sample_site):
    from landasset._samplegen.spaces import build_spaces

    again = build_spaces(sample_site.buildings, sample_site.parcels)
    pd.testing.assert_index_equal(again.index, sample_site.spaces.index)
    assert np.array_equal(again["area_m2"], sample_site.spaces["area_m2"])
    # parcels and buildings are those of the sample before the spaces layer came
    # (areas and summed bounds read from the file built without it)
    for kind, area, bounds in (
        ("parcels", 8_690_164.0, 3_496_458_673.72),
        ("buildings", 1_997_884.31, 7_553_862_909.9),
    ):
        layer = sample_site[kind]
        assert round(float(layer.area.sum()), 2) == area, kind
        assert round(float(layer.geometry.bounds.to_numpy().sum()), 2) == bounds, kind
    # the split floors' halves tile their building's footprint
    halves = sample_site.spaces[sample_site.spaces.index.str.endswith(("E", "W"))]
    assert len(halves) == 40
    pairs = halves.groupby(halves.index.str[:-1])
    for _, pair in pairs:
        building = sample_site.buildings.loc[pair["building_id"].iloc[0]]
        assert pair.geometry.area.sum() == pytest.approx(building.geometry.area)
