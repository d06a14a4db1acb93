"""Tests for landasset.io: formats, engines, encodings, overwrite and atomic writes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely import MultiPolygon, Point, Polygon, box

from landasset import io as lio
from landasset._errors import CRSError, LandassetIOError, SchemaError

X0, Y0 = 514_920.0, 3_350_506.0
EXTENSIONS = [".gpkg", ".parquet", ".fgb", ".geojson", ".shp"]
ENGINES = ["pyogrio", "fiona"]


def make_parcels() -> gpd.GeoDataFrame:
    """Four parcels in EPSG:4549 with every column type the formats must carry."""
    hole = Polygon(
        [(X0 + 300, Y0), (X0 + 400, Y0), (X0 + 400, Y0 + 90), (X0 + 300, Y0 + 90)],
        holes=[
            [(X0 + 320, Y0 + 20), (X0 + 340, Y0 + 20), (X0 + 340, Y0 + 40), (X0 + 320, Y0 + 40)]
        ],
    )
    return gpd.GeoDataFrame(
        {
            "parcel_id": ["XH120101-08", "XH120101-09", "XH120101-10", "XH120102-01"],
            "备注": ["云栖小镇一号地块", "紫金港科技城", None, "荆大路东侧"],
            "land_use": ["M1", "100101", "M0", "B2"],
            "far_max": [2.5, np.nan, 3.0, 1.8],
            "floors": pd.array([3, None, 5, 12], dtype="Int64"),
            "employees": np.array([120, 0, 35, 800], dtype="int64"),
            "hard": [True, False, True, False],
            "opening_date": pd.to_datetime(["2027-06-30", "2020-01-01", None, "2031-12-31"]),
        },
        geometry=[
            box(X0, Y0, X0 + 100.25, Y0 + 80.5),
            box(X0 + 120, Y0, X0 + 260, Y0 + 75),
            hole,
            box(X0, Y0 + 150, X0 + 60.125, Y0 + 240),
        ],
        crs="EPSG:4549",
    ).set_index("parcel_id")


def expected_read(gdf: gpd.GeoDataFrame, ext: str) -> gpd.GeoDataFrame:
    """What a raw read gives back: the index as the first column, documented dtypes."""
    out = for_format(gdf, ext).reset_index()
    out["opening_date"] = out["opening_date"].astype("datetime64[ms]")
    if ext == ".geojson":
        out = out.to_crs("EPSG:4326")
    return out


def sort_rows(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    # FlatGeobuf returns rows in the order of its spatial index
    return gdf.sort_values("parcel_id").reset_index(drop=True)


def assert_same_layer(got: gpd.GeoDataFrame, want: gpd.GeoDataFrame, tolerance: float) -> None:
    got, want = sort_rows(got), sort_rows(want)
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.drop(columns="geometry")), pd.DataFrame(want.drop(columns="geometry"))
    )
    assert got.crs == want.crs
    same = shapely.equals_exact(
        oriented(got.geometry.to_numpy()), oriented(want.geometry.to_numpy()), tolerance=tolerance
    )
    assert same.all(), got.geometry[~same]


def oriented(geoms: np.ndarray) -> np.ndarray:
    """Exteriors counter-clockwise, holes clockwise, start points kept.

    Shapefile and RFC 7946 GeoJSON impose a ring orientation; reversing a ring keeps
    its first vertex, so equals_exact can then compare vertex by vertex.
    """
    return shapely.orient_polygons(geoms)


@pytest.fixture
def assert_valid_gpkg(validate_gpkg):
    """The file passes the strict validator and holds a vector layer."""

    def check(path: Path) -> None:
        report = validate_gpkg(path)
        assert "Checking vector user table" in report, report

    return check


def folder_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def parcels() -> gpd.GeoDataFrame:
    return make_parcels()


@pytest.fixture(autouse=True)
def every_geopackage_is_valid(tmp_path, assert_valid_gpkg):
    """After each test, every GeoPackage it left behind must pass validate_gpkg."""
    yield
    for path in sorted(tmp_path.glob("*.gpkg")):
        assert_valid_gpkg(path)


def for_format(gdf: gpd.GeoDataFrame, ext: str) -> gpd.GeoDataFrame:
    # opening_date has 12 bytes, over the Shapefile limit of 10, but is a schema column:
    # written as open_date (SHAPEFILE_NAMES) and renamed back on reading
    return gdf


# -- the validator these tests rely on ---------------------------------------------------


@pytest.mark.parametrize(
    ("breakage", "complaint"),
    [
        # an error of the specification (requirement 2)
        ("PRAGMA application_id = 0", "Req 2: Wrong application_id"),
        # a warning only: a BOOLEAN column holding 2
        (
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, flag BOOLEAN);"
            "INSERT INTO notes VALUES (1, 2);"
            "INSERT INTO gpkg_contents (table_name, data_type, identifier)"
            " VALUES ('notes', 'attributes', 'notes');",
            "value 2 found whereas 0 or 1 was expected",
        ),
    ],
    ids=["error", "warning"],
)
def test_the_validator_refuses_a_broken_geopackage(
    tmp_path, parcels, validate_gpkg, breakage, complaint
):
    # a subfolder, out of reach of every_geopackage_is_valid
    (tmp_path / "broken").mkdir()
    path = lio.write_layer(parcels, tmp_path / "broken" / "site.gpkg", layer="parcels")
    validate_gpkg(path)
    con = sqlite3.connect(path)
    con.executescript(breakage)
    con.close()
    with pytest.raises(AssertionError, match=complaint):
        validate_gpkg(path)


# -- formats ---------------------------------------------------------------------------


def test_formats_and_format_for():
    assert dict(lio.FORMATS) == {
        ".gpkg": "GPKG",
        ".parquet": "GeoParquet",
        ".fgb": "FlatGeobuf",
        ".geojson": "GeoJSON",
        ".shp": "ESRI Shapefile",
    }
    assert lio.format_for("a/B.SHP") == "ESRI Shapefile"
    assert lio.format_for(Path("x.parquet")) == "GeoParquet"


@pytest.mark.parametrize("name", ["parcels.xyz", "parcels.xls", "parcels"])
def test_unknown_extension_is_refused(tmp_path, parcels, name):
    path = tmp_path / name
    path.write_text("parcel_id\nA\n", encoding="utf-8")
    with pytest.raises(LandassetIOError, match=r"\.gpkg.*\.shp") as err:
        lio.read_layer(path)
    assert isinstance(err.value, OSError)
    out = tmp_path / ("out_" + name)
    with pytest.raises(LandassetIOError, match="cannot tell the format"):
        lio.write_layer(parcels, out)
    assert not out.exists()
    with pytest.raises(LandassetIOError, match="cannot tell the format"):
        lio.list_layers(path)


# -- round trips -----------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("ext", EXTENSIONS)
def test_round_trip(tmp_path, parcels, ext, engine, assert_valid_gpkg):
    path = lio.write_layer(for_format(parcels, ext), tmp_path / f"parcels{ext}")
    assert path == tmp_path / f"parcels{ext}"
    got = lio.read_layer(path, engine=engine)
    assert isinstance(got.index, pd.RangeIndex)
    assert got.columns[0] == "parcel_id"  # the named index, written first
    want = expected_read(parcels, ext)
    assert got["floors"].dtype == "Int64" and got["hard"].dtype == bool
    assert got["opening_date"].dtype == "datetime64[ms]"
    assert_same_layer(got, want, tolerance=1e-7 if ext == ".geojson" else 1e-9)
    if ext == ".gpkg":
        assert_valid_gpkg(path)


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_engines_give_equal_frames(tmp_path, parcels, ext):
    path = lio.write_layer(for_format(parcels, ext), tmp_path / f"parcels{ext}")
    by_pyogrio = lio.read_layer(path, engine="pyogrio")
    by_fiona = lio.read_layer(path, engine="fiona")
    assert_geodataframe_equal(by_pyogrio, by_fiona, check_less_precise=False)
    assert by_pyogrio.dtypes.to_dict() == by_fiona.dtypes.to_dict()


def test_nullable_bool_and_optional_columns_round_trip(tmp_path, parcels):
    parcels["hard"] = pd.array([True, None, False, True], dtype="boolean")
    parcels["floors"] = parcels["floors"].fillna(7)  # Int64 without nulls reads as int64
    for ext in (".gpkg", ".fgb", ".shp", ".parquet"):
        got = lio.read_layer(
            lio.write_layer(for_format(parcels, ext), tmp_path / f"p{ext}"), engine="fiona"
        )
        got = sort_rows(got)
        assert got["hard"].dtype == "boolean", ext
        assert got["hard"].isna().tolist() == [False, True, False, False], ext
        assert got["floors"].dtype == "int64", ext
        assert got["floors"].tolist() == [3, 7, 5, 12], ext


def test_mixed_polygon_multipolygon_is_written_as_multipolygon(tmp_path, parcels):
    parcels.loc["XH120101-08", "geometry"] = MultiPolygon(
        [box(X0, Y0, X0 + 10, Y0 + 10), box(X0 + 20, Y0, X0 + 30, Y0 + 10)]
    )
    path = lio.write_layer(parcels, tmp_path / "mixed.gpkg")
    assert pyogrio.read_info(path)["geometry_type"] == "MultiPolygon"
    got = sort_rows(lio.read_layer(path))
    assert (got.geom_type == "MultiPolygon").all()
    assert shapely.equals(got.geometry.to_numpy(), parcels.geometry.to_numpy()).all()


def test_index_handling(tmp_path, parcels):
    plain = parcels.reset_index()
    got = lio.read_layer(lio.write_layer(plain, tmp_path / "range.gpkg"))
    assert "index" not in got.columns and got.columns[0] == "parcel_id"
    filtered = plain.iloc[[1, 3]]  # unnamed integer index: positions, not data
    got = lio.read_layer(lio.write_layer(filtered, tmp_path / "filtered.gpkg"))
    assert got.columns[0] == "parcel_id" and len(got) == 2
    labelled = plain.set_index("parcel_id").rename_axis(None)  # unnamed labels are kept
    got = lio.read_layer(lio.write_layer(labelled, tmp_path / "labelled.gpkg"))
    assert got["index"].tolist() == list(parcels.index)
    clash = parcels.assign(parcel_id="x")
    with pytest.raises(LandassetIOError, match="index and a column"):
        lio.write_layer(clash, tmp_path / "clash.gpkg")


# -- GeoJSON and GeoParquet specifics --------------------------------------------------


def test_geojson_is_rfc7946_wgs84(tmp_path, parcels):
    path = lio.write_layer(parcels, tmp_path / "parcels.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "crs" not in doc
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert 120.0 < lon < 120.3 and 30.2 < lat < 30.4  # Hangzhou, lon before lat
    assert doc["features"][0]["properties"]["备注"] == "云栖小镇一号地块"
    got = lio.read_layer(path)
    assert got.crs.to_epsg() == 4326
    back = sort_rows(got).to_crs("EPSG:4549")
    # 7 decimals of a degree are ~1 cm, so back in metres the shapes agree to 2 cm
    assert shapely.equals_exact(
        oriented(back.geometry.to_numpy()),
        oriented(parcels.reset_index().geometry.to_numpy()),
        tolerance=0.02,
    ).all()


def test_parquet_is_geoparquet_1_1_with_bbox_covering(tmp_path, parcels):
    path = lio.write_layer(parcels, tmp_path / "parcels.parquet")
    schema = pq.read_schema(path)
    geo = json.loads(schema.metadata[b"geo"])
    assert geo["version"] == "1.1.0"
    column = geo["columns"][geo["primary_column"]]
    assert column["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    assert "bbox" in schema.names
    xmin = pq.read_table(path, columns=["bbox"]).column("bbox").combine_chunks().field("xmin")
    assert min(xmin.to_pylist()) == pytest.approx(X0)
    assert "bbox" not in lio.read_layer(path).columns


# -- Shapefile specifics --------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_gbk_shapefile_without_cpg(tmp_path, parcels, engine):
    path = lio.write_layer(for_format(parcels, ".shp"), tmp_path / "legacy.shp", encoding="gbk")
    cpg = path.with_suffix(".cpg")
    assert cpg.read_text(encoding="ascii").strip().upper() == "GBK"
    cpg.unlink()
    got = sort_rows(lio.read_layer(path, encoding="gbk", engine=engine))
    assert "备注" in got.columns
    assert got["备注"].tolist()[:2] == ["云栖小镇一号地块", "紫金港科技城"]
    assert got["备注"].tolist()[3] == "荆大路东侧"
    with pytest.raises(LandassetIOError, match="encoding='gbk'"):
        lio.read_layer(path, encoding="utf-8", engine=engine)
    # no .cpg and no code page: refused rather than decoded as Latin-1 mojibake
    with pytest.raises(LandassetIOError, match=r"no \.cpg"):
        lio.read_layer(path, engine=engine)


def test_shapefile_utf8_by_default_with_cpg(tmp_path, parcels):
    path = lio.write_layer(for_format(parcels, ".shp"), tmp_path / "p.shp")
    assert path.with_suffix(".cpg").read_text(encoding="ascii").strip().upper() == "UTF-8"
    assert {p.suffix for p in tmp_path.iterdir()} == {".shp", ".shx", ".dbf", ".prj", ".cpg"}
    with pytest.raises(LandassetIOError, match="Shapefiles only"):
        lio.write_layer(parcels, tmp_path / "p.gpkg", encoding="gbk")
    with pytest.raises(LandassetIOError, match="not a known text encoding"):
        lio.write_layer(parcels, tmp_path / "q.shp", encoding="klingon")


def test_shapefile_long_field_names_are_refused(tmp_path, parcels):
    parcels = for_format(parcels, ".shp")
    # height_limit_m is no schema column (height_max_m is, and has a short name)
    wide = parcels.assign(height_limit_m=24.0, 容积率上限=2.0)  # 15 bytes in UTF-8, 10 in GBK
    with pytest.raises(LandassetIOError, match="so height_limit_m, 容积率上限 would") as err:
        lio.write_layer(wide, tmp_path / "wide.shp")
    assert "'height_limit_m': 'height_lim'" in str(err.value)
    assert folder_files(tmp_path) == []
    # in GBK the Chinese name fits; the index name counts too
    with pytest.raises(
        LandassetIOError, match="limited to 10 bytes in gbk, so height_limit_m would"
    ):
        lio.write_layer(wide, tmp_path / "wide.shp", encoding="gbk")
    buildings = parcels.rename_axis("building_code")
    with pytest.raises(LandassetIOError, match="building_code"):
        lio.write_layer(buildings, tmp_path / "b.shp")
    assert folder_files(tmp_path) == []


def test_shapefile_refuses_what_it_cannot_carry(tmp_path, parcels):
    parcels = for_format(parcels, ".shp")
    timed = parcels.assign(opening_date=pd.Timestamp("2027-06-30 08:30"))
    with pytest.raises(LandassetIOError, match="dates only"):
        lio.write_layer(timed, tmp_path / "t.shp")
    long_text = parcels.assign(note="长" * 100)  # 300 bytes in UTF-8
    with pytest.raises(LandassetIOError, match="254 bytes"):
        lio.write_layer(long_text, tmp_path / "t.shp")
    with pytest.raises(LandassetIOError, match="cannot be written in latin-1"):
        lio.write_layer(parcels, tmp_path / "t.shp", encoding="latin-1")
    assert folder_files(tmp_path) == []


# -- overwrite, layers -----------------------------------------------------------------


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_overwrite_refused_then_allowed(tmp_path, parcels, ext):
    parcels = for_format(parcels, ext)
    path = lio.write_layer(parcels, tmp_path / f"p{ext}")
    before = folder_files(tmp_path)
    with pytest.raises(LandassetIOError, match=r"overwrite=True.*--overwrite"):
        lio.write_layer(parcels.iloc[:1], path)
    assert len(lio.read_layer(path)) == 4
    lio.write_layer(parcels.iloc[:1], path, overwrite=True)
    assert len(lio.read_layer(path)) == 1
    assert folder_files(tmp_path) == before  # no temporary or stale files


def test_shapefile_overwrite_removes_stale_sidecars(tmp_path, parcels):
    parcels = for_format(parcels, ".shp")
    path = lio.write_layer(parcels, tmp_path / "p.shp")
    path.with_suffix(".qix").write_bytes(b"stale spatial index")
    lio.write_layer(parcels.iloc[:2], path, overwrite=True)
    assert not path.with_suffix(".qix").exists()
    assert len(lio.read_layer(path)) == 2


def test_gpkg_layers_add_refuse_and_replace(tmp_path, parcels, assert_valid_gpkg):
    path = lio.write_layer(parcels, tmp_path / "site.gpkg", layer="parcels")
    stations = gpd.GeoDataFrame(
        {"station_id": ["S1", "S2"], "name": ["云栖站", "紫金港站"]},
        geometry=[Point(X0 + 500, Y0), Point(X0 + 900, Y0 + 50)],
        crs="EPSG:4549",
    )
    lio.write_layer(stations, path, layer="stations")
    assert lio.list_layers(path) == ["parcels", "stations"]
    assert len(lio.read_layer(path, layer="parcels")) == 4  # the first layer is kept
    with pytest.raises(LandassetIOError, match=r"layer 'parcels' exists.*overwrite=True"):
        lio.write_layer(parcels.iloc[:1], path, layer="parcels")
    lio.write_layer(parcels.iloc[:1], path, layer="parcels", overwrite=True)
    assert len(lio.read_layer(path, layer="parcels")) == 1
    assert lio.read_layer(path, layer="stations")["name"].tolist() == ["云栖站", "紫金港站"]
    assert_valid_gpkg(path)
    with pytest.raises(
        LandassetIOError, match=r"several layers: (stations, parcels|parcels, stations); name"
    ):
        lio.read_layer(path)
    with pytest.raises(LandassetIOError, match="no layer 'axes'"):
        lio.read_layer(path, layer="axes")
    # kind names the layer when the file has several
    assert list(lio.read_layer(path, "stations").index) == ["S1", "S2"]


def test_read_and_write_layers(tmp_path, parcels, assert_valid_gpkg):
    stations = gpd.GeoDataFrame(
        {"station_id": ["S1"]}, geometry=[Point(X0 + 500, Y0)], crs="EPSG:4549"
    )
    path = lio.write_layers({"parcels": parcels, "stations": stations}, tmp_path / "site.gpkg")
    assert_valid_gpkg(path)
    layers = lio.read_layers(path, engine="fiona")
    assert list(layers) == ["parcels", "stations"]
    assert_same_layer(layers["parcels"], expected_read(parcels, ".gpkg"), 1e-9)
    with pytest.raises(LandassetIOError, match="overwrite=True"):
        lio.write_layers({"stations": stations}, path)
    lio.write_layers({"stations": stations}, path, overwrite=True)
    assert lio.list_layers(path) == ["stations"]
    with pytest.raises(LandassetIOError, match="GeoPackage"):
        lio.write_layers({"stations": stations}, tmp_path / "s.fgb")
    assert folder_files(tmp_path) == ["site.gpkg"]


def test_read_with_kind_validates_and_indexes(tmp_path, parcels):
    path = lio.write_layer(parcels, tmp_path / "parcels.fgb")
    got = lio.read_layer(path, "parcels", engine="fiona")
    assert got.index.name == "parcel_id"
    assert sorted(got.index) == sorted(parcels.index)
    assert got.loc["XH120101-08", "备注"] == "云栖小镇一号地块"
    dup = parcels.reset_index().assign(parcel_id="XH120101-08")
    lio.write_layer(dup, tmp_path / "dup.gpkg")
    with pytest.raises(SchemaError, match="duplicate id"):
        lio.read_layer(tmp_path / "dup.gpkg", "parcels")


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_missing_file(tmp_path, ext):
    path = tmp_path / f"nowhere{ext}"
    with pytest.raises(LandassetIOError, match=r"nowhere.* does not exist"):
        lio.read_layer(path)
    with pytest.raises(OSError, match="does not exist"):
        lio.list_layers(path)


@pytest.mark.parametrize("ext", [".gpkg", ".parquet", ".fgb", ".geojson"])
def test_unreadable_file(tmp_path, ext):
    path = tmp_path / f"broken{ext}"
    path.write_bytes(b"this is not a geodata file")
    with pytest.raises(LandassetIOError, match="broken"):
        lio.read_layer(path)
    gdf = gpd.GeoDataFrame({"n": [1]}, geometry=[Point(X0, Y0)], crs="EPSG:4549")
    with pytest.raises(LandassetIOError, match="overwrite=True"):
        lio.write_layer(gdf, path)
    lio.write_layer(gdf, path, overwrite=True)
    assert lio.read_layer(path)["n"].tolist() == [1]


def test_bad_engine_and_missing_crs(tmp_path, parcels):
    path = lio.write_layer(parcels, tmp_path / "p.gpkg")
    with pytest.raises(LandassetIOError, match="'pyogrio', 'fiona'"):
        lio.read_layer(path, engine="gdal")
    with pytest.raises(CRSError, match="set_crs"):
        lio.write_layer(parcels.set_crs(None, allow_override=True), tmp_path / "n.gpkg")
    assert folder_files(tmp_path) == ["p.gpkg"]


# -- zero rows -----------------------------------------------------------------------------


def test_zero_row_gpkg_round_trip(tmp_path, parcels, assert_valid_gpkg):
    empty = parcels.iloc[:0]
    path = lio.write_layer(empty, tmp_path / "empty.gpkg", geometry_type="Polygon")
    assert_valid_gpkg(path)
    got = lio.read_layer(path)
    assert len(got) == 0
    assert list(got.columns) == ["parcel_id", *parcels.columns]
    assert pyogrio.read_info(path)["geometry_type"] == "Polygon"
    assert got.attrs["geometry_type"] == "Polygon"
    assert got.crs.to_epsg() == 4549
    # read → write keeps the declared geometry type without being told again
    again = lio.write_layer(got, tmp_path / "again.gpkg")
    assert pyogrio.read_info(again)["geometry_type"] == "Polygon"
    assert lio.read_layer(again).dtypes.to_dict() == got.dtypes.to_dict()


def test_zero_row_other_formats(tmp_path, parcels):
    empty = for_format(parcels, ".shp").iloc[:0]
    columns = ["parcel_id", *empty.columns]
    for ext in (".parquet", ".fgb"):
        got = lio.read_layer(lio.write_layer(empty, tmp_path / f"e{ext}", geometry_type="Polygon"))
        assert len(got) == 0 and list(got.columns) == columns, ext
    # GeoJSON has no schema: an empty FeatureCollection keeps no columns
    got = lio.read_layer(lio.write_layer(empty, tmp_path / "e.geojson"))
    assert len(got) == 0 and list(got.columns) == ["geometry"]
    with pytest.raises(LandassetIOError, match="geometry_type="):
        lio.write_layer(empty, tmp_path / "e.shp")
    got = lio.read_layer(lio.write_layer(empty, tmp_path / "e.shp", geometry_type="Polygon"))
    assert len(got) == 0 and list(got.columns) == columns


# -- atomic writes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.gpkg", "GPKG"),
        ("a.PARQUET", "GeoParquet"),
        ("a.fgb", "FlatGeobuf"),
        ("a.shp", "ESRI Shapefile"),
    ],
)
def test_writable_format_names_the_driver(name, expected):
    assert lio.writable_format(name) == expected


@pytest.mark.parametrize("name", ["a.csv", "a.xlsx", "a"])
def test_writable_format_refuses_what_is_not_written(name):
    with pytest.raises(LandassetIOError, match=r"name the file with one of|read, not written"):
        lio.writable_format(name)


def test_atomic_write_replaces_the_file_only_on_success(tmp_path, parcels):
    target = tmp_path / "site.gpkg"
    lio.write_layer(parcels.iloc[:2], target, layer="parcels")
    with (
        pytest.raises(LandassetIOError, match="half done; the file is as it was"),
        lio.atomic_write(target) as tmp,
    ):
        assert tmp.parent == tmp_path and tmp.suffix == ".gpkg" and tmp != target
        lio.write_layer(parcels, tmp, layer="parcels")
        raise ValueError("half done")
    assert folder_files(tmp_path) == ["site.gpkg"]
    assert len(lio.read_layer(target, layer="parcels")) == 2
    with lio.atomic_write(target) as tmp:
        lio.write_layer(parcels, tmp, layer="parcels")
        lio.write_layer(parcels.iloc[:1], tmp, layer="other")
    assert folder_files(tmp_path) == ["site.gpkg"]
    assert len(lio.read_layer(target, layer="parcels")) == len(parcels) > 2
    assert sorted(lio.list_layers(target)) == ["other", "parcels"]


def _failing(real):
    def write(frame, path, **kwargs):
        real(frame, path, **kwargs)  # the file exists, fully or partly written
        raise RuntimeError("disk full (simulated)")

    return write


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_failed_write_leaves_nothing(tmp_path, parcels, monkeypatch, ext):
    parcels = for_format(parcels, ext)
    monkeypatch.setattr(lio, "_ogr_write", _failing(lio._ogr_write))
    monkeypatch.setattr(lio, "_parquet_write", _failing(lio._parquet_write))
    with pytest.raises(LandassetIOError, match="disk full"):
        lio.write_layer(parcels, tmp_path / f"p{ext}")
    assert folder_files(tmp_path) == []


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_failed_overwrite_keeps_the_old_file(tmp_path, parcels, monkeypatch, ext):
    parcels = for_format(parcels, ext)
    path = lio.write_layer(parcels, tmp_path / f"p{ext}")
    before = folder_files(tmp_path)
    monkeypatch.setattr(lio, "_ogr_write", _failing(lio._ogr_write))
    monkeypatch.setattr(lio, "_parquet_write", _failing(lio._parquet_write))
    with pytest.raises(LandassetIOError, match="disk full"):
        lio.write_layer(parcels.iloc[:1], path, overwrite=True)
    assert folder_files(tmp_path) == before
    monkeypatch.undo()
    assert len(lio.read_layer(path)) == 4


def test_failed_layer_add_is_rolled_back(tmp_path, parcels, monkeypatch, assert_valid_gpkg):
    path = lio.write_layer(parcels, tmp_path / "site.gpkg", layer="parcels")
    monkeypatch.setattr(lio, "_ogr_write", _failing(lio._ogr_write))
    with pytest.raises(LandassetIOError, match="as it was"):
        lio.write_layer(parcels, path, layer="constraints")
    monkeypatch.undo()
    assert lio.list_layers(path) == ["parcels"]
    assert folder_files(tmp_path) == ["site.gpkg"]
    assert_valid_gpkg(path)


def test_failed_layer_replacement_in_a_site_file(tmp_path, parcels, monkeypatch, assert_valid_gpkg):
    parcels_only = parcels.iloc[:2]
    path = lio.write_layers({"parcels": parcels, "constraints": parcels_only}, tmp_path / "s.gpkg")
    monkeypatch.setattr(lio, "_ogr_write", _failing(lio._ogr_write))
    before = path.read_bytes()
    with pytest.raises(LandassetIOError, match="as it was"):
        lio.write_layer(parcels, path, layer="constraints", overwrite=True)
    monkeypatch.undo()
    # replaced in a copy: the old layer and every byte of the file are still there
    assert path.read_bytes() == before
    assert lio.list_layers(path) == ["parcels", "constraints"]
    assert len(lio.read_layer(path, layer="constraints")) == 2
    assert folder_files(tmp_path) == ["s.gpkg"]
    assert_valid_gpkg(path)


def test_failed_write_layers_leaves_nothing(tmp_path, parcels, monkeypatch):
    calls = []
    real = lio._ogr_write

    def second_fails(frame, path, **kwargs):
        calls.append(kwargs["layer"])
        if len(calls) == 2:
            raise RuntimeError("disk full (simulated)")
        real(frame, path, **kwargs)

    monkeypatch.setattr(lio, "_ogr_write", second_fails)
    with pytest.raises(LandassetIOError, match="disk full"):
        lio.write_layers({"parcels": parcels, "other": parcels}, tmp_path / "site.gpkg")
    assert calls == ["parcels", "other"]
    assert folder_files(tmp_path) == []


# -- Shapefile short names ---------------------------------------------------------------


def test_shapefile_names_are_unique_short_and_cover_the_schema():
    from landasset.schema import LAYERS

    shorts = list(lio.SHAPEFILE_NAMES.values())
    assert len(set(shorts)) == len(shorts)
    for long, short in lio.SHAPEFILE_NAMES.items():
        assert len(long.encode()) > 10, long
        assert short.isascii() and len(short.encode()) <= 10 and short[0].isalpha(), short
    assert not set(shorts) & set(lio.SHAPEFILE_NAMES)
    schema_names = {n for spec in LAYERS.values() for n in (spec.id_column, *spec.columns)}
    assert not set(shorts) & schema_names
    for name in schema_names:
        if len(name.encode()) > 10:
            assert name in lio.SHAPEFILE_NAMES, name


def test_sample_layers_round_trip_through_shapefiles(tmp_path, sample_site):
    for kind, layer in sample_site.layers.items():
        path = lio.write_layer(layer, tmp_path / f"{kind}.shp")
        fields = pyogrio.read_info(path)["fields"]
        assert all(len(str(f).encode()) <= 10 for f in fields)
        back = lio.read_layer(path, kind)
        assert list(back.columns) == list(layer.columns), kind
        assert back.index.name == layer.index.name
        pd.testing.assert_index_equal(back.index, layer.index, check_names=True, exact=False)
    raw = pyogrio.read_info(tmp_path / "buildings.shp")["fields"]
    assert "bldg_id" in raw and "compl_yr" in raw


def test_any_shapefile_with_short_names_reads_back_long_names(tmp_path):
    foreign = gpd.GeoDataFrame(
        {"bldg_id": ["B1"], "floors": [3], "compl_yr": [2019], "hgt_limit": [24.0]},
        geometry=[box(X0, Y0, X0 + 10, Y0 + 10)],
        crs="EPSG:4549",
    )
    foreign.to_file(tmp_path / "b.shp", engine="pyogrio")  # written by another program
    raw = lio.read_layer(tmp_path / "b.shp")
    assert list(raw.columns) == ["building_id", "floors", "completed_year", "hgt_limit", "geometry"]
    assert list(lio.read_layer(tmp_path / "b.shp", "buildings").index) == ["B1"]


def test_shapefile_long_and_short_name_clash_is_refused(tmp_path, parcels):
    both = parcels.assign(open_date=pd.Timestamp("2020-01-01"))
    with pytest.raises(LandassetIOError, match="opening_date and open_date under the same"):
        lio.write_layer(both, tmp_path / "p.shp")
    assert folder_files(tmp_path) == []


def test_gpkg_layers_carry_default_qgis_styles(tmp_path, sample_site):
    from landasset.styles import read_layer_styles

    path = sample_site.to_file(tmp_path / "site.gpkg")
    table = read_layer_styles(path)
    assert sorted(table["f_table_name"]) == sorted(sample_site.layers)
    # another name: styled only when recognised as staged/scored/graded parcels
    lio.write_layer(sample_site.parcels, path, layer="staged_copy")
    lio.write_layer(sample_site.parcels[["name", "geometry"]], path, layer="names_only")
    names = set(read_layer_styles(path)["f_table_name"])
    assert names == {*sample_site.layers, "staged_copy"}


def test_read_site_is_not_in_io_and_the_error_says_where_it_is() -> None:
    # io sits below site and never imports it; read_site lives beside Site
    import landasset
    import landasset.io as lio
    from landasset.site import read_site

    with pytest.raises(
        AttributeError, match=r"landasset\.read_site \(landasset\.site\.read_site\)"
    ):
        lio.read_site  # noqa: B018
    assert landasset.read_site is read_site
    with pytest.raises(AttributeError, match="no attribute 'no_such_function'"):
        lio.no_such_function  # noqa: B018


def test_a_result_with_its_provenance_writes_to_geoparquet(tmp_path, square_parcels):
    # a scored result carries the day it was scored for (a Timestamp) and the parcels it
    # left out; GeoParquet keeps them as JSON text in the file's metadata
    import datetime as dt

    import pandas as pd

    from landasset.io import read_layer, write_layer

    frame = square_parcels.set_index("parcel_id")
    frame.attrs = {
        "as_of": pd.Timestamp("2025-12-31"),
        "retired": pd.Index(["A-09"]),
        "at": dt.datetime(2026, 3, 1, 8, 30),
        "n": np.int64(3),
    }
    path = tmp_path / "scored.parquet"
    write_layer(frame, path)
    back = read_layer(path)
    assert back.attrs["as_of"] == "2025-12-31"
    assert back.attrs["retired"] == ["A-09"]
    assert back.attrs["at"] == "2026-03-01T08:30:00"
    assert back.attrs["n"] == 3
    assert frame.attrs["as_of"] == pd.Timestamp("2025-12-31")  # the caller's frame is as it was
