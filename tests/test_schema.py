import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import LineString, MultiPolygon, Point, Polygon, box

from landasset import LandassetValueError, SchemaError
from landasset.schema import LAYER_KINDS, LAYERS, empty_layer, validate

BOWTIE = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])


def layer(layer_kind="parcels", geoms=None, crs="EPSG:4549", **columns):
    geoms = geoms if geoms is not None else [box(0, 0, 10, 10)]
    spec = LAYERS[layer_kind]
    data = {spec.id_column: [f"id{i}" for i in range(len(geoms))], **columns}
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs=crs)


def problems(report, severity=None):
    return [
        (p.id, p.column, p.problem)
        for p in report.problems
        if severity is None or p.severity == severity
    ]


def test_ten_layer_kinds():
    assert LAYER_KINDS == (
        "parcels",
        "buildings",
        "axes",
        "streets",
        "transit_lines",
        "stations",
        "amenities",
        "enterprises",
        "constraints",
        "spaces",
    )


def test_clean_layer_is_ok_and_indexed_by_id(square_parcels):
    report = validate(square_parcels, "parcels")
    assert report.ok and len(report) == 0
    assert report.data.index.name == "parcel_id"
    assert list(report.data.index) == ["A-01", "A-02", "A-03"]
    assert "parcel_id" not in report.data.columns
    assert report.data["name"].tolist() == ["一号地块", "二号地块", "三号地块"]


def test_id_taken_from_index_of_that_name(square_parcels):
    report = validate(square_parcels.set_index("parcel_id"), "parcels")
    assert report.ok
    assert list(report.data.index) == ["A-01", "A-02", "A-03"]


def test_missing_id_column():
    gdf = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4549)
    report = validate(gdf, "parcels")
    assert problems(report, "error") == [(None, "parcel_id", "no 'parcel_id' column or index")]


def test_missing_ids_reported_by_row_number_and_fixable():
    gdf = layer(geoms=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    gdf.loc[1, "parcel_id"] = None
    report = validate(gdf, "parcels")
    assert problems(report, "error") == [("#1", "parcel_id", "missing id")]
    fixed = validate(gdf, "parcels", fix=True)
    assert fixed.ok
    assert list(fixed.data.index) == ["id0", "parcels-2"]
    assert problems(fixed, "repaired") == [("parcels-2", "parcel_id", "missing id")]


def test_duplicate_ids_are_errors_even_with_fix():
    gdf = layer(geoms=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)])
    gdf["parcel_id"] = ["a", "b", "a"]
    for fix in (False, True):
        report = validate(gdf, "parcels", fix=fix)
        assert problems(report, "error") == [("a", "parcel_id", "duplicate id")] * 2


def test_numeric_ids_become_strings_without_decimal_point():
    gdf = layer(geoms=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    gdf["parcel_id"] = [12.0, 13.0]
    assert list(validate(gdf, "parcels").data.index) == ["12", "13"]


def test_missing_crs_is_an_error_never_a_guess():
    report = validate(layer(crs=None), "parcels")
    assert problems(report, "error") == [(None, "geometry", "missing CRS")]
    assert "set_crs" in report.errors[0].fix


@pytest.mark.parametrize(
    ("geom", "what"),
    [(None, "null geometry"), (Polygon(), "empty geometry")],
)
def test_null_and_empty_geometry(geom, what):
    gdf = layer(geoms=[box(0, 0, 1, 1), geom])
    report = validate(gdf, "parcels")
    assert problems(report, "error") == [("id1", "geometry", what)]
    fixed = validate(gdf, "parcels", fix=True)
    assert fixed.ok
    assert list(fixed.data.index) == ["id0"]
    assert problems(fixed, "skipped") == [("id1", "geometry", what)]


def test_invalid_bowtie_reported_and_repaired_with_make_valid():
    report = validate(layer(geoms=[BOWTIE]), "parcels")
    assert problems(report, "error") == [
        ("id0", "geometry", "invalid geometry: Self-intersection[5 5]")
    ]
    fixed = validate(layer(geoms=[BOWTIE]), "parcels", fix=True)
    geom = fixed.data.geometry.iloc[0]
    assert geom.is_valid and geom.geom_type == "MultiPolygon"
    assert geom.area == pytest.approx(50.0)
    assert problems(fixed, "repaired")[0][2].startswith("invalid geometry")


def test_wrong_geometry_type():
    gdf = layer(geoms=[box(0, 0, 1, 1), LineString([(0, 0), (1, 1)])])
    report = validate(gdf, "parcels")
    assert problems(report, "error") == [
        ("id1", "geometry", "wrong geometry type (expected Polygon or MultiPolygon)")
    ]
    fixed = validate(gdf, "parcels", fix=True)
    assert list(fixed.data.index) == ["id0"]
    assert fixed.repairs[0].severity == "skipped"


def test_collection_with_a_polygon_keeps_the_polygon_with_fix():
    coll = shapely.GeometryCollection([box(0, 0, 2, 2), LineString([(5, 5), (6, 6)])])
    fixed = validate(layer(geoms=[coll]), "parcels", fix=True)
    assert fixed.ok
    assert fixed.data.geometry.iloc[0].equals(box(0, 0, 2, 2))
    assert problems(fixed, "repaired")[0][2].startswith("wrong geometry type")


def test_multipolygon_parcels_are_fine():
    mp = MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)])
    assert validate(layer(geoms=[mp]), "parcels").ok


def test_z_coordinates_warn_and_fix_drops_them():
    zpoly = Polygon([(0, 0, 5), (1, 0, 5), (1, 1, 5), (0, 0, 5)])
    report = validate(layer(geoms=[zpoly]), "parcels")
    assert report.ok
    assert problems(report, "warning") == [("id0", "geometry", "Z coordinates")]
    fixed = validate(layer(geoms=[zpoly]), "parcels", fix=True)
    assert not shapely.has_z(fixed.data.geometry.iloc[0])


def test_wrong_dtype_reported_and_left_missing():
    gdf = layer(geoms=[box(0, 0, 1, 1), box(1, 0, 2, 1)], far_max=["2.5", "high"])
    report = validate(gdf, "parcels")
    assert problems(report, "error") == [("id1", "far_max", "not a number (float)")]
    assert report.data["far_max"].dtype == "float64"
    assert report.data["far_max"].iloc[0] == 2.5 and np.isnan(report.data["far_max"].iloc[1])


def test_fractional_floors_are_not_integers():
    b = layer("buildings", geoms=[box(0, 0, 1, 1), box(2, 0, 3, 1)], floors=[3, 2.5])
    report = validate(b, "buildings")
    assert problems(report, "error") == [("id1", "floors", "not a whole number")]
    assert str(report.data["floors"].dtype) == "Int64"


def test_unknown_land_use_is_a_warning():
    gdf = layer(geoms=[box(0, 0, 1, 1), box(1, 0, 2, 1)], land_use=["M1", "MX"])
    report = validate(gdf, "parcels")
    assert report.ok
    assert problems(report, "warning") == [("id1", "land_use", "unknown land-use code")]


@pytest.mark.parametrize(
    ("kind", "column"), [("buildings", "floors"), ("buildings", "gfa_m2"), ("parcels", "far_max")]
)
def test_negative_values(kind, column):
    gdf = layer(kind, geoms=[box(0, 0, 1, 1)], **{column: [-3]})
    report = validate(gdf, kind)
    assert ("id0", column, "negative value") in problems(report, "error")


def test_dates_that_do_not_parse():
    st = layer(
        "stations",
        geoms=[Point(0, 0), Point(1, 1), Point(2, 2)],
        opening_date=["2027-12-28", "someday", None],
    )
    report = validate(st, "stations")
    assert problems(report, "error") == [("id1", "opening_date", "date does not parse")]
    dates = report.data["opening_date"]
    assert dates.iloc[0] == pd.Timestamp("2027-12-28")
    assert dates.iloc[1:].isna().all()


def test_booleans_accept_common_spellings():
    c = layer(
        "constraints",
        geoms=[box(0, 0, 1, 1)] * 5,
        kind=["x"] * 5,
        hard=["是", "否", "yes", 0, "maybe"],
    )
    c["constraint_id"] = list("abcde")
    report = validate(c, "constraints")
    assert report.data["hard"].iloc[:4].tolist() == [True, False, True, False]
    assert problems(report, "error") == [("e", "hard", "not a yes/no value")]


def test_missing_required_column_and_value():
    a = layer("amenities", geoms=[Point(0, 0)])
    assert problems(validate(a, "amenities"), "error") == [
        (None, "category", "missing required column")
    ]
    a2 = layer("amenities", geoms=[Point(0, 0), Point(1, 1)], category=["cafe", None])
    assert problems(validate(a2, "amenities"), "error") == [
        ("id1", "category", "missing required value")
    ]


def test_buildings_need_floors_height_or_gfa():
    b = layer("buildings", geoms=[box(0, 0, 1, 1)])
    assert validate(b, "buildings").errors[0].problem.startswith("none of the columns")
    b2 = layer("buildings", geoms=[box(0, 0, 1, 1), box(2, 2, 3, 3)], floors=[3, None])
    report = validate(b2, "buildings")
    assert report.ok
    assert problems(report, "warning") == [("id1", "floors", "no floors, height or floor area")]


def test_polygon_amenities_become_centroids():
    a = layer("amenities", geoms=[box(0, 0, 2, 2)], category=["canteen"])
    report = validate(a, "amenities")
    assert report.ok
    assert report.data.geometry.iloc[0].equals(Point(1, 1))
    assert report.repairs[0].severity == "note"


def test_unknown_columns_kept_untouched(square_parcels):
    square_parcels["owner_note"] = [1, "x", None]
    data = validate(square_parcels, "parcels").data
    assert data["owner_note"].tolist() == [1, "x", None]


def test_every_problem_listed_at_once_and_raise():
    gdf = layer(geoms=[BOWTIE, None, box(0, 0, 1, 1)], far_max=[1, 2, "x"])
    gdf.loc[2, "parcel_id"] = "id0"
    report = validate(gdf, "parcels")
    kinds = {p.problem.split(":")[0] for p in report.errors}
    assert kinds == {"duplicate id", "null geometry", "invalid geometry", "not a number (float)"}
    frame = report.to_frame()
    assert list(frame.columns) == ["kind", "id", "column", "problem", "fix", "severity"]
    assert len(frame) == len(report.errors)
    with pytest.raises(SchemaError) as info:
        report.raise_if_errors()
    assert info.value.report is report
    assert "duplicate id" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_kind_lists_choices():
    with pytest.raises(LandassetValueError, match="'parcels', 'buildings'"):
        validate(layer(), "parcel")


@pytest.mark.parametrize("n", [0, 1])
def test_zero_and_single_row_layers(n):
    gdf = layer(geoms=[box(0, 0, 1, 1)][:n])
    report = validate(gdf, "parcels")
    assert report.ok and len(report.data) == n


@pytest.mark.parametrize("kind", LAYER_KINDS)
def test_empty_layer_has_schema(kind):
    gdf = empty_layer(kind, "EPSG:4549")
    assert len(gdf) == 0
    assert gdf.index.name == LAYERS[kind].id_column
    assert set(LAYERS[kind].columns) <= set(gdf.columns)
    assert gdf.crs.to_epsg() == 4549
    assert validate(gdf.reset_index(), kind).ok


def test_report_html_is_self_contained():
    html = validate(layer(geoms=[BOWTIE]), "parcels")._repr_html_()
    assert "Self-intersection" in html
    assert "http" not in html


# -- batched row problems and string conversion ------------------------------------------------


def _invalid_shapes():
    bowtie = BOWTIE
    spike = Polygon([(0, 0), (10, 0), (10, 10), (5, 10), (5, 20), (5, 10), (0, 10)])
    ring = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (12, 2), (12, 8), (2, 8)]])
    return [bowtie, spike, ring]


@pytest.mark.parametrize("fix", [False, True])
def test_many_invalid_geometries_keep_their_own_reasons_in_row_order(monkeypatch, fix):
    from landasset import schema

    shapes = _invalid_shapes()
    geoms = []
    for i in range(300):
        # each invalid shape moved to a place of its own, so no two rows overlap
        moved = shapely.transform(shapes[i % 3], lambda xy, i=i: xy + np.array([100.0 * i, 1000.0]))
        geoms.append(moved if i % 4 else box(i, 0, i + 1, 1))
    gdf = layer(geoms=geoms)
    expected_reasons = shapely.is_valid_reason(np.array(geoms, dtype=object))
    invalid = [i for i in range(300) if i % 4]
    calls = []
    original = schema._Collector.rows_at

    def counting(self, positions, column, problems, fix_text, severity):
        calls.append((column, len(positions)))
        return original(self, positions, column, problems, fix_text, severity)

    monkeypatch.setattr(schema._Collector, "rows_at", counting)
    report = validate(gdf, "parcels", fix=fix)
    severity = "repaired" if fix else "error"
    assert problems(report, severity) == [
        (f"id{i}", "geometry", f"invalid geometry: {expected_reasons[i]}") for i in invalid
    ]
    assert len({p.problem for p in report.problems}) == 225  # each row its own reason
    # the 225 invalid rows are recorded in one batch, not one call each
    assert [n for column, n in calls if column == "geometry" and n] == [225]
    if fix:
        assert report.ok and bool(report.data.geometry.is_valid.all())
        assert report.problems[0].fix == "repaired with make_valid"
    else:
        assert report.problems[0].fix == "repair with shapely.make_valid, or pass fix=True"


def test_rows_without_ids_are_named_by_row_number_in_a_batch():
    gdf = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), BOWTIE, None], crs="EPSG:4549")
    report = validate(gdf, "parcels")
    assert problems(report, "error")[1:] == [
        ("#2", "geometry", "null geometry"),
        ("#1", "geometry", "invalid geometry: Self-intersection[5 5]"),
    ]


def test_rows_at_takes_one_problem_or_one_per_position():
    from landasset.schema import _Collector

    col = _Collector("parcels", np.array(["a", None, "c"], dtype=object))
    col.rows_at(np.array([2, 1]), "geometry", ["first", "second"], "do x", "error")
    col.rows_at(np.array([0]), None, "same", "do y", "warning")
    col.rows_at(np.array([], dtype=int), None, "never", "none", "error")
    assert [(p.id, p.column, p.problem, p.fix, p.severity) for p in col.problems] == [
        ("c", "geometry", "first", "do x", "error"),
        ("#1", "geometry", "second", "do x", "error"),
        ("a", None, "same", "do y", "warning"),
    ]


def _old_text(values):
    # the per-value conversion the vectorised one replaced
    from landasset.schema import _id_str

    out = values.astype("object").where(~pd.isna(values), None)
    return out.map(lambda v: v if v is None or isinstance(v, str) else _id_str(v))


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(
            ["A-01", 12.0, 12.5, 7, True, None, np.nan, pd.NA, np.float64(3.0), 2**70], dtype=object
        ),
        pd.Series([12.0, np.nan, 0.1, -0.0, 1e16, 2.0**63, np.inf, 123456.0]),
        pd.Series([1.5, 12.0, np.nan], dtype="float32"),
        pd.Series([3, -4, 2**62]),
        pd.Series([2**64 - 1, 0], dtype="uint64"),
        pd.Series([1, None], dtype="Int64"),
        pd.Series([True, None], dtype="boolean"),
        pd.Series(["a", None, "b"], dtype=object),
        pd.Series(["a", None], dtype="string"),
        pd.Series([1.0, None], dtype="category"),
        pd.Series(pd.to_datetime(["2024-01-01", None])),
        pd.Series([None, np.nan], dtype=object),
        pd.Series([], dtype=float),
    ],
    ids=lambda s: str(s.dtype),
)
def test_string_columns_convert_as_before(values):
    gdf = layer(geoms=[box(i, 0, i + 1, 1) for i in range(len(values))])
    gdf["name"] = values.set_axis(gdf.index)
    got = validate(gdf, "parcels").data["name"]
    want = _old_text(values)
    assert got.dtype == want.dtype
    assert [type(v) for v in got] == [type(v) for v in want]
    assert got.isna().tolist() == want.isna().tolist()
    assert got.dropna().tolist() == want.dropna().tolist()


def test_string_column_numbers_lose_a_spreadsheet_decimal_point():
    gdf = layer(geoms=[box(i, 0, i + 1, 1) for i in range(5)])
    gdf["zone"] = pd.Series(["north", 12.0, 12.5, None, 7], dtype=object)
    gdf["name"] = [1.0, 2.5, np.nan, 1e20, -0.0]
    data = validate(gdf, "parcels").data
    assert data["zone"].tolist()[:3] == ["north", "12", "12.5"] and pd.isna(data["zone"].iloc[3])
    assert data["zone"].iloc[4] == "7"
    assert data["name"].tolist()[:2] == ["1", "2.5"] and pd.isna(data["name"].iloc[2])
    assert data["name"].tolist()[3:] == ["100000000000000000000", "0"]
