"""load_profile/load_scheme by name or path, and io.check_writable before any work."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely import box

import landasset as la
from landasset.efficiency import Scheme, load_scheme
from landasset.io import check_writable, write_layer
from landasset.suitability import SuitabilityModel, load_profile, profile_path


def test_load_profile_by_name_or_path(tmp_path: Path) -> None:
    bundled = load_profile("ai")
    text = profile_path("ai").read_text(encoding="utf-8").replace("name: ai", "name: my_ai", 1)
    own = tmp_path / "my_ai.yml"
    own.write_text(text, encoding="utf-8")
    for source in (own, str(own)):
        model = load_profile(source)
        assert model.name == "my_ai"
        assert model.criterion_weights.tolist() == bundled.criterion_weights.tolist()
    assert load_profile(profile_path("ai")).to_dict() == bundled.to_dict()


def test_load_profile_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(la.LandassetIOError, match="no profile file"):
        load_profile(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    spec = load_profile("ai").to_dict()
    spec["method"] = "wlc2"
    import yaml

    bad.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(la.ProfileError) as err:
        load_profile(bad)
    assert str(err.value).startswith("profile file 'bad.yaml'")
    assert "wlc2" in str(err.value)
    # the same message as the class method gives, with the file named in front
    with pytest.raises(la.ProfileError) as direct:
        SuitabilityModel.from_yaml(bad)
    assert str(direct.value) in str(err.value)
    with pytest.raises(la.ProfileError, match=r"use one of: 'aerospace'.*or the path of a \.yaml"):
        load_profile("aerospac")


def test_load_scheme_by_name_or_path(tmp_path: Path) -> None:
    bundled = load_scheme("huangyan-2023")
    own = tmp_path / "county.yaml"
    own.write_text(bundled.to_yaml(), encoding="utf-8")
    for source in (own, str(own)):
        scheme = load_scheme(source)
        assert isinstance(scheme, Scheme)
        assert scheme.to_dict() == bundled.to_dict()
    with pytest.raises(la.LandassetIOError, match="no scheme file"):
        load_scheme(tmp_path / "none.yaml")
    with pytest.raises(la.ProfileError, match=r"or the path of a \.yaml file$"):
        load_scheme("zhejiang")


@pytest.fixture
def layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"parcel_id": ["A"]}, geometry=[box(500000, 3350000, 500100, 3350100)], crs="EPSG:4549"
    ).set_index("parcel_id")


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet", ".geojson", ".fgb", ".shp"])
def test_check_writable_says_what_write_layer_would(tmp_path, layer, suffix) -> None:
    path = tmp_path / f"out{suffix}"
    check_writable(path, layer="parcels")  # nothing there: fine
    write_layer(layer, path)
    name = "out"
    with pytest.raises(la.LandassetIOError) as early:
        check_writable(path, layer=None if suffix != ".gpkg" else name)
    with pytest.raises(la.LandassetIOError) as late:
        write_layer(layer, path)
    assert str(early.value) == str(late.value)
    assert "pass overwrite=True to replace it (CLI: --overwrite)" in str(early.value)
    check_writable(path, layer=name, overwrite=True)


def test_check_writable_gpkg_layers_and_refusals(tmp_path, layer) -> None:
    gpkg = tmp_path / "site.gpkg"
    write_layer(layer, gpkg, layer="parcels")
    check_writable(gpkg, layer="scored")  # a new layer beside the others
    with pytest.raises(la.LandassetIOError, match=r"^layer 'parcels' exists in"):
        check_writable(gpkg, layer="parcels")
    with pytest.raises(la.LandassetIOError, match=r"site.gpkg exists; pass overwrite=True"):
        check_writable(gpkg)  # the whole file
    with pytest.raises(la.LandassetIOError, match="does not exist; create it first"):
        check_writable(tmp_path / "nope" / "x.gpkg")
    with pytest.raises(la.LandassetIOError, match="are read, not written"):
        check_writable(tmp_path / "x.kml")
    with pytest.raises(la.LandassetIOError, match="cannot tell the format"):
        check_writable(tmp_path / "x.xyz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.gpkg"]
