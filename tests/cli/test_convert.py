"""convert: formats, CRS, Chinese web datums and Shapefile names."""

from __future__ import annotations

import json

import pyogrio
import pyproj
import pytest

from landasset.io import read_layer
from landasset.styles import read_layer_styles

# the published GCJ-02 vector: WGS84 (116.404, 39.915) → GCJ-02 below
WGS84 = (116.404, 39.915)
GCJ02 = (116.41024449916938, 39.91640428150164)


def test_gcj02_geojson_to_gpkg_in_epsg4549(run, tmp_path):
    source = tmp_path / "amap.geojson"
    feature = {
        "type": "Feature",
        "properties": {"station_id": "S1", "name": "天安门东"},
        "geometry": {"type": "Point", "coordinates": list(GCJ02)},
    }
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    target = tmp_path / "stations.gpkg"
    result = run(
        "convert",
        source,
        target,
        "--from-datum",
        "gcj02",
        "--crs",
        "EPSG:4549",
        "--layer",
        "stations",
    )
    assert result.exit_code == 0, result.output
    layer = read_layer(target, "stations")
    assert layer.crs.to_epsg() == 4549
    x, y = layer.geometry.iloc[0].x, layer.geometry.iloc[0].y
    to_wgs = pyproj.Transformer.from_crs("EPSG:4549", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(x, y)
    assert lon == pytest.approx(WGS84[0], abs=1e-7) and lat == pytest.approx(WGS84[1], abs=1e-7)
    ex, ey = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True).transform(*WGS84)
    assert x == pytest.approx(ex, abs=0.01) and y == pytest.approx(ey, abs=0.01)
    # the datum shift is hundreds of metres: without --from-datum the point lands elsewhere
    plain = tmp_path / "plain.gpkg"
    assert run("convert", source, plain, "--crs", "EPSG:4549").exit_code == 0
    off = read_layer(plain).geometry.iloc[0]
    assert 400 < off.distance(layer.geometry.iloc[0]) < 800
    assert list(read_layer_styles(target)["f_table_name"]) == ["stations"]


def test_sample_layers_convert_to_shapefiles_and_back(run, site_gpkg, tmp_path):
    for kind in ("parcels", "buildings", "stations", "enterprises"):
        shp = tmp_path / f"{kind}.shp"
        result = run("convert", site_gpkg, shp, "--layer", kind)
        assert result.exit_code == 0, result.output
        assert all(len(f.encode()) <= 10 for f in pyogrio.read_info(shp)["fields"])
        back_gpkg = tmp_path / f"{kind}_back.gpkg"
        assert run("convert", shp, back_gpkg, "--layer", kind).exit_code == 0
        original = read_layer(site_gpkg, kind)
        back = read_layer(back_gpkg, kind)
        assert list(back.columns) == list(original.columns)
        assert list(back.index) == list(original.index)


def test_convert_gbk_shapefile(run, site_gpkg, tmp_path, one_line_error):
    shp = tmp_path / "axes.shp"
    assert run("convert", site_gpkg, shp, "--layer", "axes", "--encoding", "gbk").exit_code == 0
    shp.with_suffix(".cpg").unlink()  # a legacy file that does not say its encoding
    one_line_error(run("convert", shp, tmp_path / "a.gpkg"), contains="encoding")
    assert run("convert", shp, tmp_path / "a.gpkg", "--encoding", "gbk").exit_code == 0
    assert "荆大路" in set(read_layer(tmp_path / "a.gpkg")["name"])


def test_convert_refusals(run, site_gpkg, tmp_path, one_line_error, files_in):
    one_line_error(run("convert", site_gpkg, tmp_path / "x.gpkg"), contains="several layers")
    one_line_error(
        run("convert", site_gpkg, tmp_path / "x.kml", "--layer", "axes"), contains=".gpkg"
    )
    one_line_error(
        run("convert", site_gpkg, tmp_path / "x.fgb", "--layer", "axes", "--crs", "EPSG:99999"),
        contains="not a CRS",
    )
    one_line_error(
        run("convert", site_gpkg, tmp_path / "x.fgb", "--layer", "axes", "--from-datum", "gcj02"),
        contains="gcj02",
    )
    one_line_error(
        run("convert", site_gpkg, tmp_path / "x.fgb", "--layer", "nope"), contains="no layer 'nope'"
    )
    assert files_in(tmp_path) == []
