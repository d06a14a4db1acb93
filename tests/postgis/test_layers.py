"""Layers in PostGIS: write and read, QGIS styles and Chinese aliases, import/export of a
whole site with its ledger, a split that rewrites the parcels table."""

from __future__ import annotations

import importlib
import os
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from shapely import box

import landasset as la
from landasset import LandassetIOError, LandassetValueError, TransitionError
from landasset.cli import cli
from landasset.io import read_layer as read_file_layer
from landasset.lifecycle import Ledger
from landasset.postgis import list_tables, read_layer, write_layer
from landasset.schema import LAYERS

# without the driver the tests skip, with the reason, except in CI where they must run
psycopg = (
    importlib.import_module("psycopg")
    if os.environ.get("CI", "").lower() == "true"
    else pytest.importorskip("psycopg", reason="needs psycopg: pip install 'landasset[postgis]'")
)


def test_site_round_trip(site_url: str, sample_site: la.Site) -> None:
    site = la.read_site(site_url)
    tables = list_tables(site_url)
    # every layer kind of the schema's registry, empty ones too, in the registry's order
    assert tables == [k for k in LAYERS if k in sample_site.layers]
    for kind in LAYERS:
        ours, theirs = site[kind], sample_site[kind]
        assert ours.index.equals(theirs.index), kind
        assert shapely.equals_exact(
            ours.geometry.to_numpy(), theirs.geometry.to_numpy(), tolerance=0
        ).all(), kind
        assert ours.crs == theirs.crs
    assert site.parcels["zone"].equals(sample_site.parcels["zone"])
    pd.testing.assert_series_equal(
        site.parcels["far_max"], sample_site.parcels["far_max"], check_dtype=False
    )


def test_qgis_styles_and_chinese_aliases(site_url: str) -> None:
    with psycopg.connect(site_url) as con:
        styles = con.execute(
            "SELECT f_table_schema, f_table_name, f_geometry_column, useasdefault, "
            "styleqml::text, type FROM public.layer_styles ORDER BY f_table_name"
        ).fetchall()
        comments = dict(
            con.execute(
                "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
                "WHERE a.attrelid = 'public.parcels'::regclass AND a.attnum > 0"
            ).fetchall()
        )
        table_comment = con.execute(
            "SELECT obj_description('public.parcels'::regclass, 'pg_class')"
        ).fetchone()[0]
        geom_type = con.execute(
            "SELECT type, srid FROM geometry_columns WHERE f_table_name = 'parcels'"
        ).fetchone()
    by_table = {s[1]: s for s in styles}
    assert {"parcels", "buildings", "stations"} <= set(by_table)
    parcels = by_table["parcels"]
    assert parcels[0] == "public" and parcels[2] == "geom" and parcels[3] is True
    assert parcels[4].lstrip().startswith("<qgis") and "renderer-v2" in parcels[4]
    assert parcels[5] is None  # QGIS matches it from URIs with and without a type
    assert comments["parcel_id"] == "地块编号" and comments["geom"] is None
    assert table_comment == "地块"
    assert geom_type[1] == 4549


def test_write_layer_refuses_existing_then_overwrites(pg_url: str, sample_site: la.Site) -> None:
    stations = sample_site.stations
    write_layer(stations, pg_url, layer="stations")
    with pytest.raises(LandassetIOError, match="overwrite=True"):
        write_layer(stations.iloc[:2], pg_url, layer="stations")
    write_layer(stations.iloc[:2], pg_url, layer="stations", overwrite=True)
    back = read_layer(pg_url, layer="stations")
    assert back["station_id"].tolist() == stations.index[:2].tolist()
    with psycopg.connect(pg_url) as con:
        # one default style per layer, whatever was written before
        assert con.execute(
            "SELECT count(*) FROM public.layer_styles WHERE f_table_name = 'stations'"
        ).fetchone() == (1,)


def test_schema_parameter_and_refusals(pg_url: str, sample_site: la.Site) -> None:
    url = pg_url + "&schema=district_a"
    write_layer(sample_site.amenities, url, layer="amenities")
    assert list_tables(url) == ["amenities"] and list_tables(pg_url) == []
    with pytest.raises(LandassetValueError, match="plain PostgreSQL name"):
        write_layer(sample_site.amenities, pg_url + "&schema=a;drop", layer="amenities")
    no_epsg = sample_site.amenities.set_crs(
        "+proj=tmerc +lon_0=120 +x_0=500000", allow_override=True
    )
    with pytest.raises(LandassetValueError, match="EPSG"):
        write_layer(no_epsg, url, layer="x")


def test_mixed_polygons_become_multipolygons(pg_url: str) -> None:
    frame = gpd.GeoDataFrame(
        {"constraint_id": ["c1", "c2"], "kind": ["flood", "farmland"]},
        geometry=[box(0, 0, 1, 1), shapely.MultiPolygon([box(2, 0, 3, 1), box(4, 0, 5, 1)])],
        crs="EPSG:4549",
    )
    write_layer(frame, pg_url, layer="constraints")
    back = read_layer(pg_url, layer="constraints")
    assert back.geom_type.tolist() == ["MultiPolygon", "MultiPolygon"]
    assert back.geometry.area.tolist() == [1.0, 2.0]


def test_split_rewrites_the_parcels_table_in_the_same_transaction(site_url: str) -> None:
    parent = "XH120101-01"
    with psycopg.connect(site_url) as con:
        zone, area = con.execute(
            "SELECT zone, ST_Area(geom) FROM parcels WHERE parcel_id = %s", (parent,)
        ).fetchone()
        minx, miny, maxx, maxy = con.execute(
            "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM parcels "
            "WHERE parcel_id = %s",
            (parent,),
        ).fetchone()
    mid = (minx + maxx) / 2
    with psycopg.connect(site_url) as con:
        geom = shapely.from_wkb(
            con.execute(
                "SELECT ST_AsBinary(geom) FROM parcels WHERE parcel_id = %s", (parent,)
            ).fetchone()[0]
        )
    left = geom.intersection(box(minx, miny, mid, maxy))
    right = geom.intersection(box(mid, miny, maxx, maxy))
    with Ledger.open(site_url) as led:
        led.record(parent, "reserved", "2024-01-01", actor="a")
        # a child id already in the layer: refused, nothing written
        with pytest.raises(TransitionError, match="already in the 'parcels' layer"):
            led.split(parent, {"XH120101-02": left, "NEW-2": right}, "2024-06-01", actor="a")
        events = led.split(parent, {"NEW-1": left, "NEW-2": right}, "2024-06-01", actor="a")
        assert [e.parcel_id for e in events] == [parent, "NEW-1", "NEW-2"]
        assert led.descendants(parent) == ["NEW-1", "NEW-2"]
        assert led.stages().loc[["NEW-1", "NEW-2", parent]].tolist() == [
            "reserved",
            "reserved",
            "retired",
        ]
        assert led.lineage()["child_id"].tolist() == ["NEW-1", "NEW-2"]
    with psycopg.connect(site_url) as con:
        rows = con.execute(
            "SELECT parcel_id, zone, ST_Area(geom) FROM parcels WHERE parcel_id LIKE 'NEW-%' "
            "ORDER BY parcel_id"
        ).fetchall()
    assert [r[:2] for r in rows] == [("NEW-1", zone), ("NEW-2", zone)]
    assert sum(r[2] for r in rows) == pytest.approx(area)


def test_merge_writes_the_union_into_the_parcels_table_in_the_same_transaction(
    site_url: str,
) -> None:
    parents = ["XH120101-01", "XH120101-02"]  # side by side in the first row of the block
    with psycopg.connect(site_url) as con:
        rows = con.execute(
            "SELECT zone, ST_Area(geom) FROM parcels WHERE parcel_id = ANY(%s) ORDER BY parcel_id",
            (parents,),
        ).fetchall()
    assert len(rows) == 2 and rows[0][0] == rows[1][0]
    with Ledger.open(site_url) as led:
        led.record(parents[0], "reserved", "2024-01-01", actor="a")
        led.record(parents[1], "planned", "2024-01-01", actor="a")
        # different stages: refused, nothing written to the events or the layer
        with pytest.raises(TransitionError, match="must be in the same stage"):
            led.merge(parents, ("M-1", None), "2024-06-01", actor="a")
        assert len(led) == 2
        led.record(parents[1], "acquiring", "2024-02-01", actor="a")
        led.record(parents[1], "reserved", "2024-03-01", actor="a")
        events = led.merge(parents, ("M-1", None), "2024-06-01", actor="a")
        assert [e.parcel_id for e in events] == [*parents, "M-1"]
        assert led.stages().loc[[*parents, "M-1"]].tolist() == ["retired", "retired", "reserved"]
        assert led.ancestors("M-1") == parents
    with psycopg.connect(site_url) as con:
        merged = con.execute(
            "SELECT zone, ST_Area(geom) FROM parcels WHERE parcel_id = 'M-1'"
        ).fetchall()
    assert len(merged) == 1 and merged[0][0] == rows[0][0]
    assert merged[0][1] == pytest.approx(rows[0][1] + rows[1][1])


def test_import_export_round_trip_layers_and_every_event(tmp_path: Path, pg_url: str) -> None:
    from landasset.sample import sample_path

    source = tmp_path / "source.gpkg"
    source.write_bytes(sample_path("yunqi").read_bytes())  # layers and the sample ledger
    with Ledger.open(source) as led:
        # corrections and lineage come along too
        first = int(led.events().index[0])
        led.correct(first, actor="校对", reason="日期笔误", note="更正")
        pid = led.stages().index[led.stages() == "reserved"][0]
        geom = read_file_layer(source, layer="parcels").set_index("parcel_id").geometry[pid]
        minx, miny, maxx, maxy = geom.bounds
        mid = (minx + maxx) / 2
        led.split(
            pid,
            {
                "S-1": geom.intersection(box(minx, miny, mid, maxy)),
                "S-2": geom.intersection(box(mid, miny, maxx, maxy)),
            },
            "2025-12-01",
            actor="a",
        )
    out = tmp_path / "back.gpkg"
    for args in (["db", "import", source, pg_url], ["db", "export", pg_url, out]):
        result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == 0, result.output

    def rows(path: Path, table: str, order: str) -> list[tuple[object, ...]]:
        con = sqlite3.connect(path)
        try:
            return con.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
        finally:
            con.close()

    events = rows(source, "landasset_events", "event_id")
    assert len(events) > 2000
    assert rows(out, "landasset_events", "event_id") == events  # every byte of every event
    assert rows(out, "landasset_lineage", "lineage_id") == rows(
        source, "landasset_lineage", "lineage_id"
    )
    with Ledger.open(pg_url) as led:
        assert len(led) == len(events)
        assert led.descendants(pid) == ["S-1", "S-2"]
    for kind in LAYERS:
        try:
            a = read_file_layer(source, layer=kind)
        except Exception:
            continue
        b = read_file_layer(out, layer=kind)
        assert a.columns.tolist() == b.columns.tolist(), kind
        assert len(a) == len(b) and a.crs == b.crs, kind
        assert shapely.equals_exact(
            a.geometry.to_numpy(), b.geometry.to_numpy(), tolerance=0
        ).all(), kind
        attrs = [c for c in a.columns if c != a.geometry.name]
        pd.testing.assert_frame_equal(
            pd.DataFrame(a[attrs]), pd.DataFrame(b[attrs]), check_dtype=False, obj=kind
        )
    # the copy opens styled: the GeoPackage got its QGIS styles again
    assert rows(out, "layer_styles", "f_table_name")
    # importing twice is refused: the database's ledger is no longer empty
    again = CliRunner().invoke(cli, ["db", "import", str(source), pg_url, "--overwrite"])
    assert again.exit_code == 2 and "already holds events" in again.output


def test_zero_row_layer_round_trips(pg_url: str) -> None:
    from landasset.schema import empty_layer

    empty = empty_layer("stations", crs="EPSG:4549")
    write_layer(empty, pg_url, layer="stations")
    back = read_layer(pg_url, layer="stations")
    assert len(back) == 0 and back.crs == empty.crs
    assert set(back.columns) - {"geometry"} == set(empty.reset_index().columns) - {
        empty.geometry.name
    }
