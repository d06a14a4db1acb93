"""The interactive folium map."""

from __future__ import annotations

import sys
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pytest
from folium.plugins import MarkerCluster

import landasset as la
from landasset.viz import explore


def layers(fmap: folium.Map) -> dict[str, Any]:
    return {getattr(c, "layer_name", type(c).__name__): c for c in fmap._children.values()}


def parcel_layer(fmap: folium.Map) -> folium.GeoJson:
    found = [
        c
        for c in fmap._children.values()
        if isinstance(c, folium.GeoJson) and c.layer_name.startswith("parcels")
    ]
    assert len(found) == 1
    return found[0]


def tooltip_of(element: Any) -> Any:
    found = [
        c
        for c in element._children.values()
        if isinstance(c, (folium.Tooltip, folium.GeoJsonTooltip))
    ]
    assert len(found) == 1
    return found[0]


def test_explore_result_one_feature_per_parcel(
    scored: gpd.GeoDataFrame, sample_site: la.Site, as_of: str
) -> None:
    fmap = explore(scored, site=sample_site, as_of=as_of)
    assert isinstance(fmap, folium.Map)
    layer = parcel_layer(fmap)
    features = layer.data["features"]
    assert len(features) == len(scored)
    props = {f["properties"]["parcel_id"]: f["properties"] for f in features}
    assert set(props) == set(scored.index)
    best = scored["rank"].idxmin()
    assert props[best]["rank"] == 1
    assert props[best]["score"] == pytest.approx(float(scored.loc[best, "score"]), abs=1e-4)
    top = props[best]["top_contributions"].split(", ")
    assert len(top) == 3
    largest = scored.loc[best, [f"c_{n}" for n in ("metro", "cluster", "land_use", "size")]].astype(
        float
    )
    assert top[0].split()[0] == largest.idxmax()[2:]
    tooltip = tooltip_of(layer)
    assert {"parcel_id", "score", "rank", "top_contributions"} <= set(tooltip.fields)
    # excluded parcels are grey whatever their score
    excluded = scored.index[~scored["eligible"].astype(bool)][0]
    assert props[excluded]["_fill"] == "#9e9e9e"


def test_explore_has_context_layers_and_control(
    sample_site: la.Site, scored: gpd.GeoDataFrame
) -> None:
    fmap = explore(scored, site=sample_site, as_of="2025-12-31")
    by_name = layers(fmap)
    assert {
        "constraints 限制区",
        "axes 轴线",
        "metro 地铁",
        "amenities 配套",
        "LayerControl",
    } <= set(by_name)
    cluster = by_name["amenities 配套"]
    assert isinstance(cluster, MarkerCluster)
    assert len(cluster._children) == len(sample_site.amenities)
    assert len(by_name["constraints 限制区"].data["features"]) == len(sample_site.constraints)
    metro = by_name["metro 地铁"]
    markers = [c for c in metro._children.values() if isinstance(c, folium.CircleMarker)]
    assert len(markers) == len(sample_site.stations)
    hollow = [m for m in markers if m.options["fillColor"] == "#ffffff"]
    assert len(hollow) == 1 and "云谷北站" in tooltip_of(hollow[0]).text
    # rendering works and keeps the Chinese layer names
    page = fmap.get_root().render()
    assert "云谷北站" in page and "L.control.layers" in page


def test_explore_without_amenities(sample_site: la.Site, scored: gpd.GeoDataFrame) -> None:
    fmap = explore(scored, site=sample_site, amenities=False)
    assert "amenities 配套" not in layers(fmap)


def test_explore_site_colours_by_stage(sample_site: la.Site) -> None:
    fmap = explore(sample_site)
    layer = parcel_layer(fmap)
    assert layer.layer_name == "parcels — stage"
    assert len(layer.data["features"]) == len(sample_site.parcels)
    fills = {f["properties"]["stage"]: f["properties"]["_fill"] for f in layer.data["features"]}
    assert fills["operating"] == "#74c476"


def test_explore_amap_tiles_shift_to_gcj02(sample_site: la.Site) -> None:
    plain = parcel_layer(explore(sample_site, tiles="openstreetmap", amenities=False))
    shifted = parcel_layer(explore(sample_site, tiles="amap", amenities=False))
    a = np.asarray(plain.data["features"][0]["geometry"]["coordinates"][0][0])
    b = np.asarray(shifted.data["features"][0]["geometry"]["coordinates"][0][0])
    offset = b - a  # GCJ-02 minus WGS84 near Hangzhou: about +0.0046° lon, −0.0024° lat
    assert 0.003 < offset[0] < 0.006
    assert -0.004 < offset[1] < -0.001


def test_explore_rejects_bad_input(sample_site: la.Site, scored: gpd.GeoDataFrame) -> None:
    with pytest.raises(KeyError, match="'nope' is not a column"):
        explore(scored, column="nope")
    with pytest.raises(ValueError, match="'google' is not a base map; use one of"):
        explore(scored, tiles="google")
    with pytest.raises(TypeError, match="GeoDataFrame or a Site"):
        explore(sample_site.parcels.drop(columns="geometry"))  # type: ignore[arg-type]


def test_missing_folium_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, sample_site: la.Site
) -> None:
    monkeypatch.setitem(sys.modules, "folium", None)
    with pytest.raises(
        ImportError, match=r"explore needs 'folium'.*pip install 'landasset\[viz\]'"
    ):
        explore(sample_site)
