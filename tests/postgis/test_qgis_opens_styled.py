"""QGIS opens the PostGIS layers styled from the database.

The sample district is written with :meth:`landasset.Site.to_postgis`; then Debian's
QGIS (system python3, offscreen) opens layers through its ``postgres`` provider and
reports what it found: validity, feature count, the renderer it applied on opening, the
default style it finds in ``public.layer_styles``, the field aliases and the column
comments. These are compared with the QML and the Chinese aliases the library wrote.

QGIS looks a layer's style up by catalog (the database), schema, table, geometry column
and ``(type = <the URI's geometry type> OR type IS NULL)``, where a URI without
``type=`` asks for ``'Unknown geometry'``; both kinds of URI are opened here.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import landasset as la
from landasset import styles
from landasset.postgis import GEOMETRY_COLUMN, KEY_COLUMN

SYSTEM_PYTHON = "/usr/bin/python3"
LAYERS = ("parcels", "enterprises", "stations")

QGIS_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer, QgsWkbTypes

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    socket, dbname = sys.argv[1], sys.argv[2]

    def describe(layer):
        renderer = layer.renderer()
        info = {"renderer": renderer.type()}
        if renderer.type() == "singleSymbol":
            info["color"] = renderer.symbol().symbolLayer(0).properties()["color"]
        if renderer.type() == "categorizedSymbol":
            info["attr"] = renderer.classAttribute()
            info["classes"] = [
                [str(c.value()), c.label(), c.symbol().symbolLayer(0).properties()["color"]]
                for c in renderer.categories()
            ]
        if renderer.type() == "RuleRenderer":
            info["classes"] = [
                [r.label(), r.filterExpression()] for r in renderer.rootRule().children()
            ]
        return info

    def aliases(layer):
        return {
            f.name(): layer.attributeAlias(i)
            for i, f in enumerate(layer.fields())
            if layer.attributeAlias(i)
        }

    out = {}
    for name in sys.argv[3:]:
        uri = QgsDataSourceUri()
        uri.setConnection(socket, "", dbname, "postgres", "")
        uri.setDataSource("public", name, "geom", "", "fid")
        plain = QgsVectorLayer(uri.uri(False), name, "postgres")
        # the Browser's layer item names the geometry type and SRID in its URI
        typed_uri = QgsDataSourceUri(uri)
        typed_uri.setWkbType(plain.wkbType())
        typed_uri.setSrid(str(plain.crs().postgisSrid()))
        typed = QgsVectorLayer(typed_uri.uri(False), name, "postgres")
        options = QgsVectorLayer.LayerOptions(True, False)
        options.loadDefaultStyle = False
        bare = QgsVectorLayer(uri.uri(False), name, "postgres", options)
        related, ids, names, descriptions, error = plain.listStylesInDatabase()
        on_open = describe(plain)
        message, loaded = plain.loadDefaultStyle()
        out[name] = {
            "valid": plain.isValid() and typed.isValid() and bare.isValid(),
            "count": plain.featureCount(),
            "key": [plain.fields().at(i).name() for i in plain.primaryKeyAttributes()],
            "geometry": QgsWkbTypes.displayString(plain.wkbType()),
            "related_styles": list(names)[:related],
            "list_error": error,
            "on_open": on_open,
            "typed_on_open": describe(typed),
            "bare": describe(bare),
            "loaded": loaded,
            "message": message,
            "after_load": describe(plain),
            "aliases": aliases(plain),
            "typed_aliases": aliases(typed),
            "bare_aliases": aliases(bare),
            "bare_comments": {f.name(): f.comment() for f in bare.fields() if f.comment()},
        }
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
    # exitQgis() with layers still alive crashes some QGIS builds; the result is out
    os._exit(0)
    """
)


def _qgis_missing() -> str | None:
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} not found"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return "QGIS is not installed (apt-get install python3-qgis qgis-providers)"
    return None


def _require_qgis() -> None:
    reason = _qgis_missing()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs QGIS for this test: {reason} (see .ci/run)")
    pytest.skip(reason)


def _expected_from_qml(qml: str) -> dict[str, Any]:
    """What QGIS should show, read from the stored QML with a plain XML parser."""
    renderer = ET.fromstring(qml).find("renderer-v2")
    assert renderer is not None
    kind = renderer.get("type")
    info: dict[str, Any] = {"renderer": kind}
    colors = {
        symbol.get("name"): prop.get("v")
        for symbol in renderer.iterfind("symbols/symbol")
        for prop in symbol.iterfind("layer/prop[@k='color']")
    }
    if kind == "singleSymbol":
        info["color"] = colors["0"]
    if kind == "categorizedSymbol":
        info["attr"] = renderer.get("attr")
        info["classes"] = [
            [c.get("value"), c.get("label"), colors[c.get("symbol")]]
            for c in renderer.iterfind("categories/category")
        ]
    if kind == "RuleRenderer":
        info["classes"] = [
            [r.get("label"), r.get("filter")] for r in renderer.iterfind("rules/rule")
        ]
    return info


def _socket_and_db(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parse_qs(parts.query)["host"][0], parts.path.lstrip("/")


def _stored(url: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    import psycopg

    with psycopg.connect(url) as con:
        qml = dict(
            con.execute(
                "SELECT f_table_name, styleqml::text FROM public.layer_styles "
                "WHERE useasdefault AND f_table_name = ANY(%s)",
                (list(LAYERS),),
            ).fetchall()
        )
        comments: dict[str, dict[str, str]] = {}
        for name in LAYERS:
            comments[name] = {
                column: text
                for column, text in con.execute(
                    "SELECT a.attname, col_description(a.attrelid, a.attnum) "
                    "FROM pg_attribute a WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0",
                    (f"public.{name}",),
                ).fetchall()
                if text is not None
            }
    return qml, comments


@pytest.mark.qgis
def test_qgis_opens_the_sample_styled_from_the_database(
    pg_url: str, sample_site: la.Site, tmp_path: Path
) -> None:
    _require_qgis()
    sample_site.to_postgis(pg_url)
    qml, comments = _stored(pg_url)
    socket, dbname = _socket_and_db(pg_url)
    script = tmp_path / "open_styled.py"
    script.write_text(QGIS_SCRIPT, encoding="utf-8")
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL"))
    }
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env.update(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime), HOME=str(tmp_path))
    run = subprocess.run(
        [SYSTEM_PYTHON, str(script), socket, dbname, *LAYERS],
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

    for name in LAYERS:
        got = result[name]
        gdf = sample_site[name]
        style = styles.default_style(gdf, name)
        assert style is not None, name
        columns = [str(c) for c in gdf.reset_index().columns if c != gdf.geometry.name]
        aliases = styles.field_aliases(columns, theme=style.theme)
        expected = _expected_from_qml(qml[name])

        assert got["valid"], name
        assert got["count"] == len(gdf) and got["key"] == [KEY_COLUMN], name
        # the stored style is the layer's own, found by QGIS's lookup, and the default
        assert got["related_styles"][:1] == [f"{name} ({style.theme})"], got["list_error"]
        assert got["loaded"] and got["message"] == "Loaded from Provider", got["message"]
        # QGIS applied it on opening, from a URI without and with the geometry type
        assert got["on_open"] == expected, name
        assert got["typed_on_open"] == expected, name
        assert got["after_load"] == expected, name
        # not QGIS's own default: a layer opened without its default style looks otherwise
        assert got["bare"] != expected, name

        # the Chinese aliases: the column comments hold them, QGIS 3.22 reads those as the
        # fields' comments only; the aliases it shows come from the stored style's QML
        assert comments[name] == aliases, name
        assert got["bare_comments"] == aliases, name
        assert got["bare_aliases"] == {}, name
        assert got["aliases"] == aliases and got["typed_aliases"] == aliases, name

    # the sample's own figures, as the integrator finds them in the QML
    parcels = result["parcels"]["on_open"]
    assert parcels["renderer"] == "categorizedSymbol" and parcels["attr"] == "stage"
    assert ["supply_ready", "具备供地条件 ready for supply"] in [c[:2] for c in parcels["classes"]]
    assert result["parcels"]["aliases"]["parcel_id"] == "地块编号"
    assert result["enterprises"]["on_open"] == {
        "renderer": "singleSymbol",
        "color": "90,90,200,255",
    }
    assert result["enterprises"]["aliases"]["tax_10k_cny"] == "税收(万元)"
    assert [c[0] for c in result["stations"]["on_open"]["classes"]] == [
        "已开通 open",
        "规划 planned (not yet open)",
    ]
    assert result["parcels"]["geometry"] == "Polygon"  # what the typed URI names


# QGIS 3.22's own lookup of a layer's default style (qgspostgresprovider.cpp, loadStyle),
# as it sends it: the URI's geometry type is 'Unknown geometry' when it names none
QGIS_LOOKUP = (
    "SELECT stylename FROM public.layer_styles WHERE f_table_catalog = %s "
    "AND f_table_schema = %s AND f_table_name = %s AND f_geometry_column = %s "
    "AND (type = %s OR type IS NULL) "
    "ORDER BY CASE WHEN useasdefault THEN 1 ELSE 2 END, update_time DESC LIMIT 1"
)


def test_stored_styles_answer_qgis_lookup(pg_url: str, sample_site: la.Site) -> None:
    import psycopg

    sample_site.to_postgis(pg_url)
    _, dbname = _socket_and_db(pg_url)
    # a URI without a type, and the Browser's, which names the geometry's family
    cases = {
        "parcels": ("Unknown geometry", "Polygon"),
        "stations": ("Unknown geometry", "Point"),
        "streets": ("Unknown geometry", "Line"),
    }
    with psycopg.connect(pg_url) as con:
        for layer, uri_types in cases.items():
            style = styles.default_style(sample_site[layer], layer)
            assert style is not None
            for uri_type in uri_types:
                row = con.execute(
                    QGIS_LOOKUP, (dbname, "public", layer, GEOMETRY_COLUMN, uri_type)
                ).fetchone()
                assert row == (f"{layer} ({style.theme})",), (layer, uri_type)
