"""QGIS default styles: the layer_styles table, the QML, the Chinese aliases, and QGIS itself."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import subprocess
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely import LineString, Point, box

from landasset import io as lio
from landasset import styles
from landasset.schema import LAYERS

SYSTEM_PYTHON = "/usr/bin/python3"
QGIS_COLUMNS = [
    "id",
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
]
X0, Y0 = 514_920.0, 3_350_506.0


def parcels_with(**columns: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"parcel_id": ["P1", "P2", "P3"], "area_mu": [15.0, 15.0, 15.0], **columns},
        geometry=[box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(3)],
        crs="EPSG:4549",
    ).set_index("parcel_id")


def stations() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "station_id": ["S1", "S2"],
            "name": ["云栖站", "云谷北站"],
            "opening_date": pd.to_datetime(["2021-12-30", "2099-12-28"]),
        },
        geometry=[Point(X0, Y0), Point(X0 + 500, Y0)],
        crs="EPSG:4549",
    ).set_index("station_id")


@pytest.fixture
def site_file(tmp_path) -> Path:
    layers = {
        "parcels": parcels_with(stage=["reserved", "operating", "renewal"]),
        "stations": stations(),
        "axes": gpd.GeoDataFrame(
            {"axis_id": ["AX01"], "name": ["荆大路"]},
            geometry=[LineString([(X0, Y0), (X0, Y0 + 900)])],
            crs="EPSG:4549",
        ).set_index("axis_id"),
        "scratch": gpd.GeoDataFrame(geometry=[Point(X0, Y0)], crs="EPSG:4549"),
    }
    return lio.write_layers(layers, tmp_path / "site.gpkg")


# -- the layer_styles table ---------------------------------------------------------------


def test_layer_styles_table_has_qgis_schema_and_is_registered(site_file, validate_gpkg):
    con = sqlite3.connect(site_file)
    try:
        info = con.execute("PRAGMA table_info(layer_styles)").fetchall()
        contents = con.execute(
            "SELECT data_type, identifier, srs_id FROM gpkg_contents "
            "WHERE table_name = 'layer_styles'"
        ).fetchone()
    finally:
        con.close()
    assert [row[1] for row in info] == QGIS_COLUMNS
    types = {row[1]: row[2] for row in info}
    assert types["id"] == "INTEGER" and types["useAsDefault"] == "BOOLEAN"
    assert types["f_table_name"] == "TEXT(256)" and types["update_time"] == "DATETIME"
    assert contents == ("attributes", "layer_styles", None)
    table = styles.read_layer_styles(site_file)
    # one default style per known layer kind; 'scratch' is no kind and gets none
    assert sorted(table["f_table_name"]) == ["axes", "parcels", "stations"]
    assert (table["f_table_schema"] == "").all() and (table["f_table_catalog"] == "").all()
    assert (table["f_geometry_column"] == "geom").all()
    assert (table["styleName"] == styles.STYLE_NAME).all()
    assert (table["useAsDefault"] == 1).all()
    assert table["update_time"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$").all()
    # the style table is not a layer
    assert lio.list_layers(site_file) == ["parcels", "stations", "axes", "scratch"]
    validate_gpkg(site_file)


def test_geometry_column_is_the_real_one(tmp_path):
    parcels = parcels_with(score=[0.1, 0.5, 0.9]).rename_geometry("shape")
    path = lio.write_layer(parcels, tmp_path / "scored.gpkg", layer="parcels")
    con = sqlite3.connect(path)
    try:
        real = con.execute("SELECT column_name FROM gpkg_geometry_columns").fetchone()[0]
    finally:
        con.close()
    table = styles.read_layer_styles(path)
    assert table.loc[0, "f_geometry_column"] == real


def test_qml_parses_and_carries_aliases(site_file):
    table = styles.read_layer_styles(site_file).set_index("f_table_name")
    for name, qml in table["styleQML"].items():
        assert qml.startswith("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>")
        root = ET.fromstring(qml.split("\n", 1)[1])
        assert root.tag == "qgis"
        aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
        if name == "parcels":
            assert aliases["area_mu"] == "面积(亩)"
            assert aliases["parcel_id"] == "地块编号"
            assert aliases["stage"] == "生命周期阶段"
            renderer = root.find("renderer-v2")
            assert renderer is not None and renderer.get("type") == "categorizedSymbol"
            labels = {c.get("value"): c.get("label") for c in renderer.iter("category")}
            assert labels["reserved"] == "入库储备 in the reserve"
            assert labels["renewal"] == "更新改造(腾笼换鸟) in renewal"
        if name == "stations":
            assert aliases == {
                "station_id": "站点编号",
                "name": "名称",
                "opening_date": "开通日期",
            }


def test_replacing_a_layer_replaces_its_style_and_keeps_user_styles(site_file, validate_gpkg):
    con = sqlite3.connect(site_file)
    with con:
        con.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui) VALUES ('', '', 'parcels', 'geom', 'mine', '<qgis/>', '', 1, '', '', '')"
        )
    con.close()
    lio.write_layer(parcels_with(score=[0.2, 0.4, 0.9]), site_file, layer="parcels", overwrite=True)
    table = styles.read_layer_styles(site_file)
    rows = table[table["f_table_name"] == "parcels"].set_index("styleName")
    assert sorted(rows.index) == ["landasset", "mine"]
    assert "graduatedSymbol" in rows.loc["landasset", "styleQML"]
    assert rows["useAsDefault"].to_dict() == {"landasset": 1, "mine": 0}
    # replaced by a layer of no known kind: the stale landasset style goes
    plain = gpd.GeoDataFrame(geometry=[Point(X0, Y0)], crs="EPSG:4549")
    lio.write_layer(plain, site_file, layer="axes", overwrite=True)
    assert "axes" not in set(styles.read_layer_styles(site_file)["f_table_name"])
    validate_gpkg(site_file)


def test_whole_day_dates_are_gpkg_dates_and_the_file_validates_strictly(tmp_path, validate_gpkg):
    path = lio.write_layer(stations(), tmp_path / "stations.gpkg", layer="stations")
    con = sqlite3.connect(path)
    try:
        kind = {r[1]: r[2] for r in con.execute("PRAGMA table_info(stations)")}
    finally:
        con.close()
    assert kind["opening_date"] == "DATE"
    back = lio.read_layer(path).set_index("station_id")
    assert back["opening_date"].dtype == "datetime64[ms]"
    assert back.loc["S2", "opening_date"] == pd.Timestamp("2099-12-28")
    validate_gpkg(path)


def test_failed_style_write_leaves_no_file(tmp_path, monkeypatch):
    def broken(path, found):
        raise sqlite3.OperationalError("database is locked (simulated)")

    monkeypatch.setattr(styles, "write_layer_styles", broken)
    with pytest.raises(lio.LandassetIOError, match="QGIS styles"):
        lio.write_layer(stations(), tmp_path / "s.gpkg", layer="stations")
    assert list(tmp_path.iterdir()) == []


# -- choosing the style --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "layer", "kind", "theme"),
    [
        ({"score": [0.1, 0.5, 0.9]}, "parcels", "parcels", "score"),
        ({"score": [0.1, 0.5, 0.9]}, "scored_ai", "parcels", "score"),
        ({"stage": ["reserved"] * 3}, "staged", "parcels", "stage"),
        ({"grade": ["A", "B", "D"], "score": [90.0, 60.0, 10.0]}, "graded", "parcels", "grade"),
        ({}, "parcels", "parcels", "single"),
        ({}, "my_polygons", None, None),
        ({"score": [0.1, 0.5, 0.9]}, "stations", None, None),  # polygons named stations
    ],
)
def test_style_follows_the_columns(columns, layer, kind, theme):
    style = styles.default_style(parcels_with(**columns), layer)
    if kind is None:
        assert style is None
    else:
        assert style is not None
        assert (style.kind, style.theme, style.table) == (kind, theme, layer)


def test_every_layer_kind_has_a_style_with_the_right_symbol():
    symbol = {"polygon": "fill", "line": "line", "point": "marker"}
    families = {"polygon_or_point": ("polygon", "point")}  # spaces: footprints or points
    for kind, spec in LAYERS.items():
        for family in families.get(spec.geometry, (spec.geometry,)):
            qml = styles.layer_qml(kind, "single", [spec.id_column], family=family)
            root = ET.fromstring(qml.split("\n", 1)[1])
            assert {s.get("type") for s in root.iter("symbol")} == {symbol[family]}, kind


def test_graduated_score_ranges_cover_zero_to_one():
    qml = styles.layer_qml("parcels", "score", ["parcel_id", "score"], family="polygon")
    ranges = ET.fromstring(qml.split("\n", 1)[1]).findall("renderer-v2/ranges/range")
    bounds = [(float(r.get("lower", "nan")), float(r.get("upper", "nan"))) for r in ranges]
    assert bounds[0][0] == 0.0 and bounds[-1][1] == 1.0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))


def test_grade_and_amenity_categories():
    grade = styles.layer_qml("enterprises", "grade", ["grade", "score"], family="point")
    root = ET.fromstring(grade.split("\n", 1)[1])
    assert [c.get("value") for c in root.iter("category")] == ["A", "B", "C", "D", ""]
    assert {a.get("field"): a.get("name") for a in root.iter("alias")}[
        "score"
    ] == "亩均效益综合得分"
    amenities = gpd.GeoDataFrame(
        {"amenity_id": ["A1", "A2"], "category": ["cafe", "bakery"]},
        geometry=[Point(0, 0), Point(1, 1)],
        crs="EPSG:4549",
    )
    style = styles.default_style(amenities, "amenities")
    assert style is not None and style.theme == "category"
    root = ET.fromstring(style.qml.split("\n", 1)[1])
    labels = [c.get("label") for c in root.iter("category")]
    assert labels == ["bakery", "咖啡馆 cafe", "其他 other"]


def test_planned_stations_are_dashed():
    qml = styles.layer_qml("stations", "planned", ["station_id", "opening_date"], family="point")
    root = ET.fromstring(qml.split("\n", 1)[1])
    rules = {r.get("label"): r.get("symbol") for r in root.iter("rule")}
    planned = root.find(
        f"renderer-v2/symbols/symbol[@name='{rules['规划 planned (not yet open)']}']"
    )
    assert planned is not None
    props = {p.get("k"): p.get("v") for p in planned.iter("prop")}
    assert props["outline_style"] == "dash"


def test_aliases_cover_every_schema_column_and_the_outputs():
    for spec in LAYERS.values():
        for column in (spec.id_column, *spec.columns):
            assert column in styles.ALIASES, (spec.kind, column)
    for column in ("score", "rank", "eligible", "excluded_by", "stage", "grade", "area_mu"):
        assert column in styles.ALIASES
    assert styles.ALIASES["area_mu"] == "面积(亩)" and styles.ALIASES["score"] == "适宜性得分"
    from landasset.efficiency import INDICATORS

    for name in INDICATORS:
        assert name in styles.ALIASES
        assert f"{name}_points" in styles.field_aliases([f"{name}_points"])


def test_stage_labels_match_the_lifecycle_stages():
    from landasset.lifecycle.stages import Stage

    assert list(styles.STAGE_LABELS) == [s.value for s in Stage]
    for stage in Stage:
        assert styles.STAGE_LABELS[stage.value] == (stage.label_zh, stage.label)


def test_layer_qml_refuses_unknown_theme_and_family():
    with pytest.raises(ValueError, match="not a style theme; use one of"):
        styles.layer_qml("parcels", "rainbow", [], family="polygon")
    with pytest.raises(ValueError, match="not a geometry family"):
        styles.layer_qml("parcels", "single", [], family="raster")


def test_style_functions_name_a_missing_or_foreign_file(tmp_path):
    from landasset import LandassetIOError

    missing = tmp_path / "nowhere" / "site.gpkg"
    for call in (
        lambda: styles.read_layer_styles(missing),
        lambda: styles.write_layer_styles(missing, [styles.default_style(stations(), "stations")]),
        lambda: styles.remove_layer_styles(missing, ["stations"]),
    ):
        with pytest.raises(LandassetIOError, match="does not exist") as caught:
            call()
        assert isinstance(caught.value, OSError)  # ``except OSError`` callers still catch it
        assert str(missing) in str(caught.value) and "existing GeoPackage" in str(caught.value)
    assert not missing.parent.exists()  # sqlite3 did not create an empty file
    text = tmp_path / "notes.gpkg"
    text.write_text("not a database, only words " * 100)
    with pytest.raises(
        LandassetIOError, match=r"cannot read the styles of .*notes\.gpkg.*GeoPackage"
    ):
        styles.read_layer_styles(text)
    bare = tmp_path / "bare.gpkg"
    styles.remove_layer_styles(bare, [])  # nothing to remove: no file needed, none created
    assert not bare.exists()


# -- QGIS itself ----------------------------------------------------------------------------

QGIS_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from qgis.core import QgsApplication, QgsExpression, QgsExpressionContext
    from qgis.core import QgsExpressionContextUtils, QgsVectorLayer

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    out = {}
    for name in sys.argv[2:]:
        layer = QgsVectorLayer(f"{sys.argv[1]}|layername={name}", name, "ogr")
        message, loaded = layer.loadDefaultStyle()
        renderer = layer.renderer()
        info = {
            "valid": layer.isValid(),
            "loaded": loaded,
            "message": message,
            "renderer": renderer.type(),
            "aliases": {
                f.name(): layer.attributeAlias(i)
                for i, f in enumerate(layer.fields())
                if layer.attributeAlias(i)
            },
        }
        if renderer.type() == "categorizedSymbol":
            info["classes"] = [[str(c.value()), c.label()] for c in renderer.categories()]
        if renderer.type() == "graduatedSymbol":
            info["classes"] = [[r.lowerValue(), r.upperValue()] for r in renderer.ranges()]
        if renderer.type() == "RuleRenderer":
            matched = {}
            for rule in renderer.rootRule().children():
                expression = QgsExpression(rule.filterExpression())
                context = QgsExpressionContext(
                    QgsExpressionContextUtils.globalProjectLayerScopes(layer)
                )
                ids = []
                for feature in layer.getFeatures():
                    context.setFeature(feature)
                    if expression.evaluate(context):
                        ids.append(feature[layer.fields().indexOf("station_id")])
                style = rule.symbol().symbolLayer(0).properties()["outline_style"]
                matched[rule.label()] = [sorted(ids), style]
            info["rules"] = matched
        out[name] = info
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
    # exitQgis() with layers still alive crashes some QGIS builds; the result is out
    os._exit(0)
    """
)


def _qgis_available() -> str | None:
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} not found"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return "QGIS is not installed (apt-get install python3-qgis qgis-providers)"
    return None


@pytest.mark.qgis
def test_qgis_loads_default_styles_and_aliases(tmp_path):
    reason = _qgis_available()
    if reason is not None:
        pytest.skip(reason)
    path = lio.write_layers(
        {
            "parcels": parcels_with(score=[0.15, 0.55, 0.95]),
            "staged": parcels_with(stage=["reserved", "operating", "renewal"]),
            "stations": stations(),
        },
        tmp_path / "qgis.gpkg",
    )
    script = tmp_path / "check.py"
    script.write_text(QGIS_SCRIPT, encoding="utf-8")
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL"))
    }
    env.update(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp_path))
    run = subprocess.run(
        [SYSTEM_PYTHON, str(script), str(path), "parcels", "staged", "stations"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert run.returncode == 0 and lines, run.stdout + run.stderr
    result = json.loads(lines[0][len("RESULT ") :])

    parcels = result["parcels"]
    assert parcels["valid"] and parcels["loaded"], parcels["message"]
    assert parcels["renderer"] == "graduatedSymbol"
    assert parcels["classes"][0] == [0.0, 0.2] and parcels["classes"][-1] == [0.8, 1.0]
    assert parcels["aliases"] == {
        "parcel_id": "地块编号",
        "area_mu": "面积(亩)",
        "score": "适宜性得分",
    }

    staged = result["staged"]
    assert staged["renderer"] == "categorizedSymbol"
    assert ["supply_ready", "具备供地条件 ready for supply"] in staged["classes"]
    assert staged["aliases"]["stage"] == "生命周期阶段"

    rules = result["stations"]["rules"]
    assert rules["已开通 open"] == [["S1"], "solid"]
    assert rules["规划 planned (not yet open)"] == [["S2"], "dash"]
    assert result["stations"]["aliases"]["opening_date"] == "开通日期"
