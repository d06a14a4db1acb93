"""Repairs that repair, and the topology checks: overlapping and duplicate polygons."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely import LineString, Point, Polygon, box

from landasset import LandassetValueError, SchemaError, Site
from landasset.cli import cli
from landasset.schema import LAYERS, validate

X0, Y0 = 514_000.0, 3_350_000.0
SLIVER = Polygon([(0, 0), (5, 5), (10, 10)])  # collinear: no area at all
BOWTIE = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])


def nan_polygon(x=0.0):
    with np.errstate(invalid="ignore"):  # shapely warns when it builds one
        return Polygon([(x, 0), (np.nan, 0), (x + 1, 1)])


def inf_polygon(x=0.0):
    with np.errstate(invalid="ignore"):
        return Polygon([(x, 0), (np.inf, 0), (x + 1, 1)])


def layer(geoms, kind="parcels", ids=None, crs="EPSG:4549", **columns):
    spec = LAYERS[kind]
    ids = ids if ids is not None else [f"p{i}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({spec.id_column: ids, **columns}, geometry=list(geoms), crs=crs)


def found(report, severity=None):
    return [
        (p.id, p.problem, p.severity)
        for p in report.problems
        if severity is None or p.severity == severity
    ]


# -- repairs that repair -------------------------------------------------------------------


def test_collinear_sliver_is_removed_and_reported_never_kept_as_repaired():
    gdf = layer([box(0, 0, 10, 10), SLIVER])
    plain = validate(gdf, "parcels")
    assert [(p.id, p.severity) for p in plain.problems] == [("p1", "error")]
    assert plain.problems[0].problem.startswith("invalid geometry")
    fixed = validate(gdf, "parcels", fix=True)
    assert [(p.id, p.severity) for p in fixed.problems] == [("p1", "skipped")]
    assert "row removed" in fixed.problems[0].fix
    assert list(fixed.data.index) == ["p0"]
    assert fixed.ok
    assert validate(fixed.data, "parcels").problems == []


def test_bowtie_is_repaired_into_two_triangles_of_its_area():
    fixed = validate(layer([BOWTIE]), "parcels", fix=True)
    assert [(p.id, p.severity) for p in fixed.problems] == [("p0", "repaired")]
    # two triangles of 10 × 5 / 2 m² each, by hand
    assert fixed.data.geometry.iloc[0].area == pytest.approx(50.0)
    assert validate(fixed.data, "parcels").problems == []


@pytest.mark.parametrize("make", [nan_polygon, inf_polygon])
def test_nan_or_inf_coordinates_are_reported_never_a_geos_exception(make):
    gdf = layer([box(0, 0, 10, 10), make()])
    plain = validate(gdf, "parcels")
    assert found(plain) == [("p1", "NaN or infinite coordinate", "error")]
    fixed = validate(gdf, "parcels", fix=True)
    assert found(fixed) == [("p1", "NaN or infinite coordinate", "skipped")]
    assert list(fixed.data.index) == ["p0"]
    assert validate(fixed.data, "parcels").problems == []


def _broken(kind):
    with np.errstate(invalid="ignore"):
        if kind == "stations":
            return Point(np.nan, 0)
        if kind == "streets":
            return LineString([(0, 0), (np.inf, 1)])
        return nan_polygon()


@pytest.mark.parametrize(
    ("kind", "geom"),
    [
        ("stations", Point(0, 0)),
        ("streets", LineString([(0, 0), (1, 1)])),
        ("buildings", box(0, 0, 1, 1)),
    ],
)
def test_nan_coordinates_in_every_geometry_family(kind, geom):
    columns = {"floors": [1, 1]} if kind == "buildings" else {}
    gdf = layer([geom, _broken(kind)], kind=kind, **columns)
    assert found(validate(gdf, kind)) == [("p1", "NaN or infinite coordinate", "error")]
    fixed = validate(gdf, kind, fix=True)
    assert list(fixed.data.index) == ["p0"]
    assert validate(fixed.data, kind).errors == []


def test_site_with_nan_coordinates_in_degrees_reports_them():
    square = box(120.0, 30.0, 120.001, 30.001)
    gdf = layer([square, nan_polygon(120.0)], crs="EPSG:4326")
    with pytest.raises(SchemaError, match=r"parcels\[p1\]\.geometry: NaN or infinite"):
        Site(parcels=gdf)
    site = Site(parcels=gdf, fix=True)
    assert site.crs.to_epsg() == 4549  # placed by the finite parcel
    assert list(site.parcels.index) == ["p0"]
    assert ("p1", "NaN or infinite coordinate", "skipped") in found(site.report)


def test_generated_ids_never_collide_with_existing_ones():
    gdf = layer([box(0, 0, 1, 1), box(2, 0, 3, 1)], ids=["parcels-2", None])
    fixed = validate(gdf, "parcels", fix=True)
    assert fixed.ok
    assert list(fixed.data.index) == ["parcels-2", "parcels-2-2"]


# -- topology checks -----------------------------------------------------------------------


def test_overlapping_parcels_reported_with_ids_and_area():
    a, b = box(0, 0, 100, 100), box(90, 0, 200, 100)  # a 10 m × 100 m overlap
    c = box(200, 0, 300, 100)  # touches b along an edge: no overlap
    report = validate(layer([a, b, c]), "parcels")
    oracle = shapely.intersection(a, b).area
    assert oracle == 1000.0
    assert found(report) == [("p0", "overlaps parcel p1 by 1000.0 m²", "warning")]
    assert "split the overlap" in report.problems[0].fix
    assert report.ok  # a warning: the layer can be used


def test_overlap_tolerance():
    a, b = box(0, 0, 100, 100), box(99.5, 0, 200, 100)  # 0.5 m × 100 m = 50 m²
    gdf = layer([a, b])
    assert found(validate(gdf, "parcels")) == [("p0", "overlaps parcel p1 by 50.0 m²", "warning")]
    assert found(validate(gdf, "parcels", overlap_tolerance_m2=50.0)) == []
    assert len(validate(gdf, "parcels", overlap_tolerance_m2=49.9).warnings) == 1
    sliver = layer([a, box(99.995, 0, 200, 100)])  # 0.5 m², below the default 1 m²
    assert found(validate(sliver, "parcels")) == []
    assert len(validate(gdf, "parcels", overlap_tolerance_m2=np.float32(49.9)).warnings) == 1
    for bad in (-1.0, float("nan"), "1", True, None):
        with pytest.raises(LandassetValueError, match="overlap_tolerance_m2"):
            validate(gdf, "parcels", overlap_tolerance_m2=bad)


def test_parcel_inside_another():
    outer, inner = box(0, 0, 100, 100), box(10, 10, 30, 40)
    report = validate(layer([inner, outer]), "parcels")
    assert found(report) == [("p0", "inside parcel p1 (600.0 m²)", "warning")]
    assert "merge the two parcels" in report.problems[0].fix


def test_duplicate_parcel_geometries():
    a = box(0, 0, 100, 100)
    same_other_start = Polygon([(100, 100), (0, 100), (0, 0), (100, 0)])  # same shape
    gdf = layer([a, box(200, 0, 300, 100), same_other_start, a], land_use=["M1"] * 4)
    report = validate(gdf, "parcels")
    assert found(report) == [
        ("p2", "same geometry as parcel p0", "error"),
        ("p3", "same geometry as parcel p0", "error"),
    ]
    fixed = validate(gdf, "parcels", fix=True)
    assert found(fixed) == [
        ("p2", "same geometry as parcel p0", "skipped"),
        ("p3", "same geometry as parcel p0", "skipped"),
    ]
    assert list(fixed.data.index) == ["p0", "p1"]
    assert validate(fixed.data, "parcels").problems == []


def test_overlapping_buildings_and_a_part_inside_its_building():
    hall = box(0, 0, 40, 20)
    tower = box(5, 5, 15, 15)  # a building part inside the hall
    annex = box(35, 0, 60, 20)  # overlaps the hall by 5 m × 20 m
    gdf = layer([hall, tower, annex], kind="buildings", floors=[2, 10, 1])
    report = validate(gdf, "buildings")
    assert sorted(found(report)) == [
        ("p0", "overlaps building p2 by 100.0 m²", "warning"),
        ("p1", "inside building p0 (100.0 m²)", "warning"),
    ]
    fixes = {p.id: p.fix for p in report.problems}
    assert "drop the part" in fixes["p1"]
    assert "drop a building part" in fixes["p0"]


def test_overlap_area_in_degrees_is_geodesic():
    a = box(120.0, 30.0, 120.002, 30.001)
    b = box(120.001, 30.0, 120.003, 30.001)
    report = validate(layer([a, b], crs="EPSG:4326"), "parcels")
    overlap = shapely.intersection(a, b)
    lon, lat = overlap.exterior.coords.xy
    oracle = abs(Geod(ellps="GRS80").polygon_area_perimeter(lon, lat)[0])
    assert 10_000 < oracle < 11_000  # about 96 m × 111 m
    assert found(report) == [("p0", f"overlaps parcel p1 by {oracle:.1f} m²", "warning")]


def test_other_layers_are_not_checked_for_overlaps():
    gdf = layer([box(0, 0, 10, 10), box(5, 5, 15, 15)], kind="constraints", kind_=None)
    gdf = gdf.drop(columns="kind_").assign(kind="green")
    assert found(validate(gdf, "constraints")) == []


def test_sample_district_has_no_overlaps(sample_site):
    problems = [p.problem for p in sample_site.report.problems]
    assert not [p for p in problems if "overlaps" in p or "inside" in p or "same geometry" in p]


# -- idempotency ---------------------------------------------------------------------------

_SHAPES = ("box", "sliver", "bowtie", "nan", "inf", "duplicate", "none", "empty")


@st.composite
def broken_layers(draw):
    n = draw(st.integers(min_value=0, max_value=12))
    geoms = []
    for _ in range(n):
        shape = draw(st.sampled_from(_SHAPES))
        x = draw(st.integers(min_value=0, max_value=40)) * 5.0
        y = draw(st.integers(min_value=0, max_value=40)) * 5.0
        w = draw(st.integers(min_value=1, max_value=8)) * 5.0
        if shape == "box" or (shape == "duplicate" and not geoms):
            geoms.append(box(x, y, x + w, y + w))
        elif shape == "sliver":
            geoms.append(Polygon([(x, y), (x + w, y + w), (x + 2 * w, y + 2 * w)]))
        elif shape == "bowtie":
            geoms.append(Polygon([(x, y), (x + w, y + w), (x + w, y), (x, y + w)]))
        elif shape == "nan":
            geoms.append(nan_polygon(x))
        elif shape == "inf":
            geoms.append(inf_polygon(x))
        elif shape == "duplicate":
            geoms.append(draw(st.sampled_from(geoms)))
        elif shape == "none":
            geoms.append(None)
        else:
            geoms.append(Polygon())
    kind = draw(st.sampled_from(["parcels", "buildings"]))
    columns = {"floors": [1] * n} if kind == "buildings" else {}
    with np.errstate(invalid="ignore"):
        moved = [None if g is None else shapely.affinity.translate(g, X0, Y0) for g in geoms]
    return kind, layer(moved, kind=kind, **columns)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_layers())
def test_validating_the_output_of_fix_reports_no_error(case):
    kind, gdf = case
    fixed = validate(gdf, kind, fix=True)
    assert fixed.ok
    again = validate(fixed.data, kind)
    assert again.errors == []
    # nothing fixable is left, and nothing changes a second time
    assert validate(fixed.data, kind, fix=True).repairs == []
    assert bool(shapely.is_valid(fixed.data.geometry.to_numpy()).all())
    assert not bool(shapely.is_empty(fixed.data.geometry.to_numpy()).any())
    # every row is in the output or reported removed: nothing silently dropped
    removed = {p.id for p in fixed.problems if p.severity == "skipped"}
    assert sorted(set(fixed.data.index) | removed) == sorted(gdf[LAYERS[kind].id_column])
    assert not set(fixed.data.index) & removed


def test_cli_fix_output_validates_without_errors(tmp_path):
    gdf = layer(
        [box(0, 0, 100, 100), SLIVER, BOWTIE, nan_polygon(), box(0, 0, 100, 100)],
        land_use=["M1"] * 5,
    )
    source = tmp_path / "parcels.gpkg"
    gdf.to_file(source, layer="parcels")
    fixed = tmp_path / "fixed.gpkg"
    first = CliRunner().invoke(cli, ["validate", str(source), "--fix", str(fixed)])
    assert first.exit_code == 0, first.output
    assert "0 error(s)" in first.stderr
    assert "4 repair(s)" in first.stderr  # sliver, NaN and duplicate removed; bow-tie repaired
    second = CliRunner().invoke(cli, ["validate", str(fixed)])
    assert second.exit_code == 0, second.output
    assert "0 error(s)" in second.stderr
    overlap = CliRunner().invoke(cli, ["validate", str(fixed), "--overlap-tolerance", "-1"])
    assert overlap.exit_code == 2
