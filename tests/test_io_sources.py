"""Chinese source data as it arrives: column aliases, web datums, GDB/KML/JSON/CSV,
incomplete and mis-encoded Shapefiles."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest
from click.testing import CliRunner
from geopandas.testing import assert_geodataframe_equal
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, box

from landasset import io as lio
from landasset._errors import CRSError, LandassetIOError, LandassetValueError
from landasset.cli import cli
from landasset.site import Site, read_site

ENGINES = ["pyogrio", "fiona"]
# the published GCJ-02 vector: WGS84 (116.404, 39.915) is GCJ-02 below
WGS84 = (116.404, 39.915)
GCJ02 = (116.41024449916938, 39.91640428150164)
X0, Y0 = 514_920.0, 3_350_506.0


def chinese_parcels() -> gpd.GeoDataFrame:
    """Parcels as a Chinese planning bureau ships them."""
    return gpd.GeoDataFrame(
        {
            "地块编号": ["XH-01", "XH-02"],
            "用地性质": ["M1", "B2"],
            "容积率上限": [2.5, 3.0],
            "建筑限高（米）": [24.0, 50.0],  # full-width brackets
            "备注": ["一期", None],
        },
        geometry=[box(X0, Y0, X0 + 100, Y0 + 80), box(X0 + 120, Y0, X0 + 260, Y0 + 75)],
        crs="EPSG:4549",
    )


# -- column aliases ---------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_chinese_aliases_are_renamed_with_notes(tmp_path, engine):
    path = lio.write_layer(chinese_parcels(), tmp_path / "dk.gpkg", layer="dk")
    got = lio.read_layer(path, engine=engine)
    assert list(got.columns) == [
        "parcel_id",
        "land_use",
        "far_max",
        "height_max_m",
        "备注",
        "geometry",
    ]
    assert got["parcel_id"].tolist() == ["XH-01", "XH-02"]
    assert got["height_max_m"].tolist() == [24.0, 50.0]
    assert got.attrs["notes"] == [
        "column 地块编号 renamed to parcel_id (Chinese alias)",
        "column 用地性质 renamed to land_use (Chinese alias)",
        "column 容积率上限 renamed to far_max (Chinese alias)",
        "column 建筑限高（米） renamed to height_max_m (Chinese alias)",
    ]
    # the same file validates as parcels, indexed by the renamed id
    checked = lio.read_layer(path, "parcels", engine=engine)
    assert list(checked.index) == ["XH-01", "XH-02"]
    assert checked.loc["XH-02", "land_use"] == "B2"
    assert len(checked.attrs["notes"]) == 4


def test_common_source_spellings(tmp_path):
    gdf = chinese_parcels().rename(columns={"地块编号": "地块编码", "用地性质": "用地代码"})
    got = lio.read_layer(lio.write_layer(gdf, tmp_path / "a.fgb"))
    assert {"parcel_id", "land_use"} <= set(got.columns)
    assert "column 地块编码 renamed to parcel_id (Chinese alias)" in got.attrs["notes"]


def test_aliases_table_reuses_the_style_aliases():
    from landasset.styles import ALIASES

    assert lio.COLUMN_ALIASES["地块编号"] == "parcel_id"
    assert lio.COLUMN_ALIASES["用地性质"] == "land_use"
    assert lio.COLUMN_ALIASES["地块编码"] == "parcel_id"
    # every unambiguous style alias maps back to its column
    counts = pd.Series(list(ALIASES.values())).value_counts()
    for column, alias in ALIASES.items():
        if counts[alias] == 1:
            assert lio.COLUMN_ALIASES[alias] == column


NAMES = st.sampled_from(
    [
        "地块编号",
        "地块编码",
        "用地性质",
        "用地代码",
        "名称",
        "备注",
        "far_max",
        "name",
        "说明x",
        "parcel_id",
    ]
)


@settings(database=None, max_examples=200, deadline=None)
@given(
    columns=st.lists(NAMES, min_size=1, max_size=6, unique=True),
    user=st.dictionaries(NAMES, NAMES, max_size=3),
    aliases=st.booleans(),
)
def test_renaming_never_drops_or_merges_columns(columns, user, aliases):
    """Either an error, or every column kept once, in order, with its values."""
    gdf = gpd.GeoDataFrame(
        {c: [i] for i, c in enumerate(columns)}, geometry=[Point(0, 0)], crs="EPSG:4549"
    )
    notes: list[str] = []
    try:
        out = lio._rename_columns(gdf, user, aliases, Path("x.gpkg"), notes)
    except LandassetIOError as err:
        # refused only for a reason the message names
        assert any(c in str(err) for c in [*columns, *user])
        return
    assert not set(user) - set(columns)  # an unknown key is always refused
    names = [c for c in out.columns if c != "geometry"]
    assert len(names) == len(set(names)) == len(columns)
    assert out.drop(columns="geometry").iloc[0].tolist() == list(range(len(columns)))
    for old, new in zip(columns, names, strict=True):
        if old in user:
            assert new == user[old]
        elif not aliases:
            assert new == old
        else:
            assert new == lio.COLUMN_ALIASES.get(old, old)
        assert (old != new) == (f"column {old} renamed to {new}" in " ".join(notes))


def test_user_columns_win_and_collisions_are_errors(tmp_path):
    path = lio.write_layer(chinese_parcels(), tmp_path / "dk.gpkg")
    got = lio.read_layer(path, columns={"用地性质": "land_use_cn", "备注": "remark"})
    assert list(got.columns)[:5] == [
        "parcel_id",
        "land_use_cn",
        "far_max",
        "height_max_m",
        "remark",
    ]
    assert "column 用地性质 renamed to land_use_cn (columns=)" in got.attrs["notes"]
    # a column mapped to itself keeps its name
    kept = lio.read_layer(path, columns={"用地性质": "用地性质"})
    assert "用地性质" in kept.columns and "land_use" not in kept.columns
    # aliases=False renames nothing
    raw = lio.read_layer(path, aliases=False)
    assert list(raw.columns) == list(chinese_parcels().columns)
    assert raw.attrs["notes"] == []
    with pytest.raises(LandassetIOError, match=r"备注 .* already has a column 用地性质"):
        lio.read_layer(path, columns={"备注": "用地性质", "用地性质": "用地性质"})
    # a swap is not a collision: 用地性质 leaves for land_use, 备注 takes its name
    swapped = lio.read_layer(path, columns={"备注": "用地性质"})
    assert swapped["用地性质"].tolist()[0] == "一期"
    with pytest.raises(LandassetIOError, match=r"备注 and 用地性质 .* both be renamed to land_use"):
        lio.read_layer(path, columns={"备注": "land_use"})
    with pytest.raises(LandassetIOError, match=r"renames 地块号, but .* no such column"):
        lio.read_layer(path, columns={"地块号": "parcel_id"})


def test_default_alias_colliding_with_an_existing_column(tmp_path):
    gdf = chinese_parcels()
    gdf["parcel_id"] = ["A", "B"]
    path = lio.write_layer(gdf, tmp_path / "dk.gpkg")
    with pytest.raises(LandassetIOError, match=r"地块编号 .* already has a column parcel_id"):
        lio.read_layer(path)
    got = lio.read_layer(path, columns={"地块编号": "地块编号"})
    assert got["parcel_id"].tolist() == ["A", "B"]


def test_read_site_reports_renames_as_notes(tmp_path):
    path = lio.write_layers({"parcels": chinese_parcels()}, tmp_path / "site.gpkg")
    site = read_site(path)
    assert list(site.parcels.index) == ["XH-01", "XH-02"]
    notes = [p.problem for p in site.report.problems if p.severity == "note"]
    assert "column 地块编号 renamed to parcel_id (Chinese alias)" in notes


# -- web datums --------------------------------------------------------------------------


def amap_points(tmp_path: Path, coords: list[tuple[float, float]]) -> Path:
    path = tmp_path / "amap.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"station_id": f"S{i}"},
            "geometry": {"type": "Point", "coordinates": list(xy)},
        }
        for i, xy in enumerate(coords)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_read_layer_gcj02(tmp_path, engine):
    path = amap_points(tmp_path, [GCJ02])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = lio.read_layer(path, datum="gcj02", engine=engine)
    point = got.geometry.iloc[0]
    assert point.x == pytest.approx(WGS84[0], abs=1e-9)
    assert point.y == pytest.approx(WGS84[1], abs=1e-9)
    assert got.crs.to_epsg() == 4326
    assert got.attrs["notes"] == ["coordinates converted from gcj02 to WGS84 (EPSG:4326)"]


def test_read_layer_bd09(tmp_path):
    from landasset.crs import wgs84_to_bd09

    bd = wgs84_to_bd09(*WGS84)
    # BD-09 is GCJ-02 shifted by about 0.0065 degrees east and 0.006 north
    assert bd[0] - GCJ02[0] == pytest.approx(0.0065, abs=0.001)
    got = lio.read_layer(amap_points(tmp_path, [bd]), datum="bd09")
    assert got.geometry.iloc[0].x == pytest.approx(WGS84[0], abs=1e-9)
    assert got.geometry.iloc[0].y == pytest.approx(WGS84[1], abs=1e-9)


def test_datum_outside_china_warns_and_leaves_points(tmp_path):
    prague = (14.42, 50.09)
    path = amap_points(tmp_path, [GCJ02, prague])
    with pytest.warns(lio.OutsideChinaWarning, match=r"1 of 2 points .* left unchanged"):
        got = lio.read_layer(path, datum="gcj02")
    assert (got.geometry.iloc[1].x, got.geometry.iloc[1].y) == prague
    assert got.geometry.iloc[0].x == pytest.approx(WGS84[0], abs=1e-9)
    assert issubclass(lio.OutsideChinaWarning, UserWarning)


def test_datum_needs_epsg4326_and_a_known_name(tmp_path):
    projected = lio.write_layer(chinese_parcels(), tmp_path / "p.gpkg")
    with pytest.raises(CRSError, match=r"EPSG:4549.*set_crs\('EPSG:4326'"):
        lio.read_layer(projected, datum="gcj02")
    with pytest.raises(LandassetValueError, match="'gcj02', 'bd09'"):
        lio.read_layer(projected, datum="wgs84")


def test_site_datum(tmp_path):
    stations = gpd.GeoDataFrame({"station_id": ["S1"]}, geometry=[Point(*GCJ02)], crs="EPSG:4326")
    site = Site(stations=stations, datum="gcj02", crs="EPSG:4549")
    expected = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True).transform(
        *WGS84
    )
    got = site.stations.geometry.iloc[0]
    assert got.x == pytest.approx(expected[0], abs=0.01)
    assert got.y == pytest.approx(expected[1], abs=0.01)
    notes = [(p.kind, p.problem) for p in site.report.problems if p.severity == "note"]
    assert ("stations", "coordinates converted from gcj02 to WGS84 (EPSG:4326)") in notes
    with pytest.raises(CRSError, match="EPSG:4326"):
        Site(stations=stations.to_crs("EPSG:4549"), datum="gcj02")
    # read_site too
    path = lio.write_layers({"stations": stations}, tmp_path / "amap.gpkg")
    again = read_site(path, datum="gcj02", crs="EPSG:4549")
    assert again.stations.geometry.iloc[0].distance(got) < 1e-6


# -- formats GDAL reads --------------------------------------------------------------------


def wgs_parcels() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"地块编号": ["A-01", "A-02"], "用地性质": ["M1", "M0"], "far_max": [2.0, 3.5]},
        geometry=[box(120.10, 30.30, 120.11, 30.31), box(120.12, 30.30, 120.13, 30.31)],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_file_geodatabase(tmp_path, engine):
    gdb = tmp_path / "plan.gdb"
    pyogrio.write_dataframe(wgs_parcels(), gdb, driver="OpenFileGDB", layer="DK")
    pyogrio.write_dataframe(wgs_parcels().iloc[:1], gdb, driver="OpenFileGDB", layer="JZ")
    assert gdb.is_dir()
    assert lio.format_for(gdb) == "OpenFileGDB"
    assert lio.list_layers(gdb) == ["DK", "JZ"]
    with pytest.raises(LandassetIOError, match="several layers"):
        lio.read_layer(gdb, engine=engine)
    got = lio.read_layer(gdb, layer="DK", engine=engine)
    assert got["parcel_id"].tolist() == ["A-01", "A-02"]
    assert got["far_max"].tolist() == [2.0, 3.5]
    assert got.crs.to_epsg() == 4326
    assert got.geometry.iloc[0].bounds == pytest.approx((120.10, 30.30, 120.11, 30.31))
    assert got.geometry.iloc[0].area == pytest.approx(1e-4)
    both = lio.read_layers(gdb, engine=engine)
    assert {k: len(v) for k, v in both.items()} == {"DK": 2, "JZ": 1}
    with pytest.raises(LandassetIOError, match=r"read, not written.*\.gpkg"):
        lio.write_layer(wgs_parcels(), tmp_path / "out.gdb")


def test_kml(tmp_path):
    kml = tmp_path / "parcels.kml"
    pyogrio.write_dataframe(wgs_parcels(), kml, driver="KML", layer="parcels")
    frames = [lio.read_layer(kml, engine=engine) for engine in ENGINES]
    assert_geodataframe_equal(frames[0], frames[1])
    got = frames[0]
    assert got["parcel_id"].tolist() == ["A-01", "A-02"]
    assert got["land_use"].tolist() == ["M1", "M0"]
    assert got.crs.to_epsg() == 4326
    assert got.geometry.iloc[1].bounds == pytest.approx((120.12, 30.30, 120.13, 30.31))
    with pytest.raises(LandassetIOError, match="read, not written"):
        lio.write_layer(wgs_parcels(), tmp_path / "out.kml")


@pytest.mark.parametrize("engine", ENGINES)
def test_json_is_geojson_both_ways(tmp_path, engine):
    path = lio.write_layer(wgs_parcels(), tmp_path / "p.json")
    assert json.loads(path.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    got = lio.read_layer(path, engine=engine)
    assert got["parcel_id"].tolist() == ["A-01", "A-02"]
    assert got.geometry.iloc[0].bounds == pytest.approx((120.10, 30.30, 120.11, 30.31))


@pytest.mark.parametrize("engine", ENGINES)
def test_csv_lon_lat(tmp_path, engine):
    path = tmp_path / "poi.csv"
    path.write_text(
        "地块编号,名称,Lon,Lat,employees\nA-01,云栖,120.1,30.3,12\nA-02,,120.25,30.45,\n",
        encoding="utf-8",
    )
    got = lio.read_layer(path, engine=engine)
    assert list(got.columns) == ["parcel_id", "name", "employees", "geometry"]
    assert got.crs.to_epsg() == 4326
    assert [(p.x, p.y) for p in got.geometry] == [(120.1, 30.3), (120.25, 30.45)]
    assert got["name"].iloc[0] == "云栖" and pd.isna(got["name"].iloc[1])
    assert got["employees"].iloc[0] == 12 and pd.isna(got["employees"].iloc[1])
    assert got.attrs["notes"][0] == "coordinates from columns Lon/Lat read as lon/lat in EPSG:4326"
    with pytest.raises(LandassetIOError, match="read, not written"):
        lio.write_layer(got, tmp_path / "out.csv")


def test_csv_x_y_needs_a_crs(tmp_path):
    path = tmp_path / "xy.csv"
    path.write_text(f"id;x;y\nP1;{X0};{Y0}\n", encoding="utf-8")
    with pytest.raises(CRSError, match=r"columns x and y .* crs='EPSG:4549'"):
        lio.read_layer(path)
    got = lio.read_layer(path, crs="EPSG:4549")
    assert got.crs.to_epsg() == 4549
    assert (got.geometry.iloc[0].x, got.geometry.iloc[0].y) == (X0, Y0)
    assert got.attrs["notes"] == []


def test_csv_refusals(tmp_path):
    projected = tmp_path / "p.csv"
    projected.write_text(f"lon,lat\n{X0},{Y0}\n", encoding="utf-8")
    with pytest.raises(CRSError, match="look projected"):
        lio.read_layer(projected)
    none = tmp_path / "n.csv"
    none.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(LandassetIOError, match="no coordinate columns"):
        lio.read_layer(none)
    both = tmp_path / "b.csv"
    both.write_text("lon,lat,x,y\n120,30,1,2\n", encoding="utf-8")
    with pytest.raises(LandassetIOError, match="both lon/lat"):
        lio.read_layer(both)
    gbk = tmp_path / "g.csv"
    gbk.write_bytes("名称,lon,lat\n云栖,120,30\n".encode("gbk"))
    with pytest.raises(LandassetIOError, match="not UTF-8"):
        lio.read_layer(gbk)


def test_crs_argument_against_a_declared_crs(tmp_path):
    path = lio.write_layer(chinese_parcels(), tmp_path / "p.fgb")
    with pytest.raises(CRSError, match=r"declares its CRS .*EPSG:4549"):
        lio.read_layer(path, crs="EPSG:4326")
    assert lio.read_layer(path, crs="EPSG:4549").crs.to_epsg() == 4549


# -- Shapefiles: missing parts, wrong encoding ------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("part", [".dbf", ".shx"])
def test_shapefile_without_a_part_is_refused(tmp_path, engine, part):
    path = lio.write_layer(chinese_parcels()[["备注", "geometry"]], tmp_path / "dk.shp")
    path.with_suffix(part).unlink()
    with pytest.raises(LandassetIOError, match=rf"dk\{part} .* is missing"):
        lio.read_layer(path, engine=engine)
    code, stderr = cli_run("convert", path, tmp_path / "out.gpkg")
    assert code == 2 and f"dk{part}" in stderr
    assert not (tmp_path / "out.gpkg").exists()


def gbk_shapefile(tmp_path: Path, cpg: str | None) -> Path:
    gdf = chinese_parcels()[["地块编号", "用地性质", "备注", "geometry"]]
    path = lio.write_layer(gdf, tmp_path / "legacy.shp", encoding="gbk")
    if cpg is None:
        path.with_suffix(".cpg").unlink()
    else:
        path.with_suffix(".cpg").write_text(cpg, encoding="ascii")
    return path


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("cpg", [None, "UTF-8"])
def test_gbk_shapefile_read_as_utf8_is_refused(tmp_path, engine, cpg):
    path = gbk_shapefile(tmp_path, cpg)
    with pytest.raises(LandassetIOError, match=r"not utf-8 .* encoding='gbk' .*--encoding gbk"):
        lio.read_layer(path, encoding="utf-8", engine=engine)
    got = lio.read_layer(path, encoding="gbk", engine=engine)
    assert got["parcel_id"].tolist() == ["XH-01", "XH-02"]
    assert got["备注"].tolist()[0] == "一期"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("cpg", [None, "GBK", "936"])
def test_utf8_shapefile_read_as_gbk_is_refused(tmp_path, engine, cpg):
    gdf = chinese_parcels()[["备注", "geometry"]]
    path = lio.write_layer(gdf, tmp_path / "u.shp")  # UTF-8, 备注 is 6 bytes
    if cpg is None:
        path.with_suffix(".cpg").unlink()
        kwargs = {"encoding": "gbk"}
    else:
        path.with_suffix(".cpg").write_text(cpg, encoding="ascii")
        kwargs = {}
    # decoded as GBK the bytes give 澶囨敞-style mojibake, which GDAL only warns about
    with pytest.raises(LandassetIOError, match=r"is UTF-8, not .* encoding='utf-8'"):
        lio.read_layer(path, engine=engine, **kwargs)
    got = lio.read_layer(path, engine=engine, encoding="utf-8")
    assert got["备注"].tolist()[0] == "一期"


# -- command line -------------------------------------------------------------------------


def cli_run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


def test_cli_info_and_validate_take_encoding_and_rename(tmp_path):
    path = gbk_shapefile(tmp_path, None)
    code, out = cli_run("info", path)
    assert code == 2 and "encoding" in out
    code, out = cli_run("info", path, "--encoding", "gbk")
    assert code == 0, out
    assert "地块编号 renamed to parcel_id" in out
    code, out = cli_run(
        "validate", path, "--kind", "parcels", "--encoding", "gbk", "--rename", "备注=remark"
    )
    assert code == 0, out
    assert "备注 renamed to remark (columns=)" in out
    code, out = cli_run("validate", path, "--kind", "parcels", "--rename", "nonsense")
    assert code == 2 and "OLD=NEW" in out
    site = lio.write_layers({"parcels": chinese_parcels(), "other": chinese_parcels()},
                            tmp_path / "site.gpkg")  # fmt: skip
    code, out = cli_run("info", site, "--rename", "备注=remark")
    assert code == 0, out
    assert out.count("备注 renamed to remark") == 2
    code, out = cli_run("info", site, "--rename", "地块号=parcel_id")
    assert code == 2 and "no layer of site.gpkg has such a column" in out


def test_cli_convert_rename_datum_and_gdb(tmp_path):
    gdb = tmp_path / "plan.gdb"
    gcj = wgs_parcels()
    gcj["地块号"] = ["G1", "G2"]
    gcj = gcj.drop(columns="地块编号")
    pyogrio.write_dataframe(gcj, gdb, driver="OpenFileGDB", layer="DK")
    target = tmp_path / "parcels.gpkg"
    code, out = cli_run(
        "convert", gdb, target, "--layer", "DK", "--rename", "地块号=parcel_id",
        "--from-datum", "gcj02", "--crs", "EPSG:4549",
    )  # fmt: skip
    assert code == 0, out
    assert "column 地块号 renamed to parcel_id (columns=)" in out
    got = lio.read_layer(target, "parcels")
    assert list(got.index) == ["G1", "G2"]
    assert got.crs.to_epsg() == 4549
    # the datum moved every vertex by a GCJ-02 offset (hundreds of metres in Hangzhou)
    plain = lio.read_layer(gdb, layer="DK", columns={"地块号": "parcel_id"}).to_crs(4549)
    shift = np.hypot(
        got.geometry.iloc[0].centroid.x - plain.geometry.iloc[0].centroid.x,
        got.geometry.iloc[0].centroid.y - plain.geometry.iloc[0].centroid.y,
    )
    assert 300 < shift < 800


def test_cli_convert_datum_outside_china_warns(tmp_path):
    path = amap_points(tmp_path, [(14.42, 50.09)])
    code, out = cli_run("convert", path, tmp_path / "o.gpkg", "--from-datum", "gcj02")
    assert code == 0, out
    assert "warning: 1 of 1 points" in out and "left unchanged" in out
