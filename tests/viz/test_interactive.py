"""The interactive folium map."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landasset as la
from landasset.viz import explore


def layers(fmap: folium.Map) -> dict[str, Any]:
    return {getattr(c, "layer_name", type(c).__name__): c for c in fmap._children.values()}


def parcel_layer(fmap: folium.Map) -> Any:
    found = [
        c for c in fmap._children.values() if getattr(c, "layer_name", "").startswith("parcels")
    ]
    assert len(found) == 1
    return found[0]


def tip_text(tip: str) -> str:
    """The text a browser shows for a tooltip's HTML (tags dropped, entities decoded)."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", tip)).split())


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
    # excluded parcels are grey whatever their score
    excluded = scored.index[~scored["eligible"].astype(bool)][0]
    assert props[excluded]["_style"]["fillColor"] == "#9e9e9e"
    # the tooltip shows id, score, rank and the top contributions
    shown = tip_text(props[best]["_tip"])
    assert best in shown and " rank 1 " in shown and "top contributions " + top[0] in shown


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
    assert cluster.cluster
    assert len(cluster.data["features"]) == len(sample_site.amenities)
    assert len(by_name["constraints 限制区"].data["features"]) == len(sample_site.constraints)
    metro = by_name["metro 地铁"]
    (stations,) = [c for c in metro._children.values() if c.layer_name == "metro stations"]
    features = stations.data["features"]
    assert len(features) == len(sample_site.stations)
    hollow = [f for f in features if f["properties"]["_style"]["fillColor"] == "#ffffff"]
    assert len(hollow) == 1 and "云谷北站" in tip_text(hollow[0]["properties"]["_tip"])
    assert hollow[0]["properties"]["_style"]["dashArray"] == "3 3"
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
    fills = {
        f["properties"]["stage"]: f["properties"]["_style"]["fillColor"]
        for f in layer.data["features"]
    }
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


def legend_of(fmap: folium.Map) -> Any:
    (legend,) = [c for c in fmap._children.values() if type(c).__name__ == "Legend"]
    return legend


def test_explore_leaves_out_retired_parcels(sample_site: la.Site) -> None:
    stages = sample_site.parcels["stage"].astype(str).copy()
    stages.iloc[:5] = "retired"
    fmap = explore(sample_site, stages=stages, amenities=False)
    ids = {f["properties"]["parcel_id"] for f in parcel_layer(fmap).data["features"]}
    assert ids == set(sample_site.parcels.index[5:])
    assert "5 retired parcels (split or merged) not shown" in legend_of(fmap).html
    fmap = explore(sample_site, amenities=False)
    assert len(parcel_layer(fmap).data["features"]) == len(sample_site.parcels)
    assert "retired" not in legend_of(fmap).html.replace("retired 注销", "")


def test_explore_takes_the_scoring_day(sample_site: la.Site, scored: gpd.GeoDataFrame) -> None:
    """Stations open on the day the result was scored for, unless as_of says otherwise."""
    result = scored.copy()
    opening = sample_site.stations["opening_date"].dropna().min()
    result.attrs["as_of"] = pd.Timestamp(opening) - pd.Timedelta(days=1)

    def hollow(fmap: folium.Map) -> int:
        metro = layers(fmap)["metro 地铁"]
        (stations,) = [c for c in metro._children.values() if c.layer_name == "metro stations"]
        return sum(
            f["properties"]["_style"]["fillColor"] == "#ffffff" for f in stations.data["features"]
        )

    before = hollow(explore(result, site=sample_site, amenities=False))
    assert before == sample_site.stations["opening_date"].notna().sum()
    assert hollow(explore(result, site=sample_site, as_of="2099-01-01", amenities=False)) == 0


def test_explore_page_loads_nothing_from_the_web(
    sample_site: la.Site, scored: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "map.html"
    explore(scored, site=sample_site).save(path)
    page = path.read_text(encoding="utf-8")
    assert _resources(page) == []
    for host in (
        "cdn.jsdelivr.net",
        "cdnjs.cloudflare.com",
        "code.jquery.com",
        "tile.openstreetmap",
    ):
        assert host not in page, host
    assert 'L.version="1.9.4"' in page.replace("t.version", "L.version")
    assert "L.markerClusterGroup" in page or "markerClusterGroup=function" in page
    # a base map is still there when asked for
    explore(scored, tiles="openstreetmap").save(path)
    assert "tile.openstreetmap.org" in path.read_text(encoding="utf-8")


def test_js_literal_cannot_end_a_script() -> None:
    from landasset.viz.interactive import js_literal

    text = "</script><!-- '\u2028' \u2028\u2029 & ${x} `y`"
    out = js_literal({"k": text})
    assert "<" not in out and ">" not in out and "&" not in out and "'" not in out
    assert "\u2028" not in out and "\u2029" not in out  # only as escapes
    assert json.loads(out) == {"k": text}


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_round_trips_as_text(text: str) -> None:
    """Whatever the text, the script literal holds no markup character and decodes back,
    and the tooltip HTML shows exactly the text (no tag of its own)."""
    from landasset.viz.interactive import _tooltips, js_literal

    out = js_literal([text])
    assert not set(out) & set("<>&'\u2028\u2029")
    assert json.loads(out) == [text]
    tip = _tooltips(pd.DataFrame({"name": [text]}), {"name": "name"}).iloc[0]
    cells = re.findall(r"<td>(.*?)</td>", tip, flags=re.DOTALL)
    if text:
        assert [html.unescape(c) for c in cells] == [text]
        assert "<" not in cells[0] and ">" not in cells[0] and '"' not in cells[0]
    else:
        assert cells == []  # an empty value gets no row


# -- offline and safe, in a real browser ------------------------------------------------

OPEN_EVERYTHING = """
(async () => {
    const map = window[%s];
    const seen = new Set();
    const layers = [];
    const visit = (layer) => {
        if (seen.has(layer)) return;
        seen.add(layer);
        layers.push(layer);
        if (layer.getLayers) layer.getLayers().forEach(visit);
    };
    map.eachLayer(visit);
    const where = (layer) => layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
    const tips = [];
    const popups = [];
    for (const layer of layers) {
        const tip = layer.getTooltip && layer.getTooltip();
        if (tip) {
            let shown = tip;
            if (layer._map) layer.openTooltip(where(layer));
            else {  // a clustered marker: what hovering shows once zoomed in
                shown = L.tooltip().setContent(tip.getContent());
                map.openTooltip(shown, where(layer));
            }
            tips.push(shown.getElement().textContent);
        }
        const popup = layer.getPopup && layer.getPopup();
        if (popup) {
            let shown = popup;
            if (layer._map) layer.openPopup(where(layer));
            else {
                shown = L.popup().setContent(popup.getContent());
                map.openPopup(shown, where(layer));
            }
            popups.push(shown.getElement().textContent);
        }
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return {
        tips: tips,
        popups: popups,
        pwned: window.__pwned,
        paths: document.querySelectorAll("path.leaflet-interactive").length,
        clusters: document.querySelectorAll(".marker-cluster").length,
        legend: document.querySelector(".landasset-legend").textContent,
        control: document.querySelector(".leaflet-control-layers").textContent,
        leaflet: typeof L === "object" && typeof L.markerClusterGroup === "function",
    };
})()
"""


def _resources(page: str) -> list[str]:
    """Every script/style/image a page would load (from its markup)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name in ("src", "href") and tag in ("script", "link", "img", "iframe"):
                    found.append(f"{tag} {value}")

    Collect().feed(page)
    return found


@pytest.mark.browser
def test_explore_draws_offline_and_runs_no_payload(
    hostile_site: la.Site, payload: str, tmp_path: Path, chromium: Any
) -> None:
    site = hostile_site
    column = f"score {payload}"
    parcels = site.parcels.assign(**{column: site.parcels.area / site.parcels.area.max()})
    fmap = explore(parcels, column=column, site=site, as_of="2025-12-31")
    path = tmp_path / "map.html"
    fmap.save(path)
    page = path.read_text(encoding="utf-8")
    # nothing is loaded from elsewhere: the only resources are inline
    assert _resources(page) == []
    assert "<script src" not in page.lower() and "<link" not in page.lower()

    browser = chromium
    url = path.resolve().as_uri()
    session = browser.open_page(url, before_load="window.__pwned = [];")
    found = browser.evaluate(session, OPEN_EVERYTHING % json.dumps(fmap.get_name()))

    assert found["pwned"] == []
    assert browser.page_errors(session) == []
    assert [u for u in browser.requested_urls(session) if u != url] == []
    assert found["leaflet"]
    # every feature has a tooltip and a popup, and each shows the payload as text
    n_features = sum(
        len(site[k]) for k in ("parcels", "constraints", "axes", "transit_lines", "stations")
    ) + len(site.amenities)
    assert len(found["tips"]) == n_features
    assert len(found["popups"]) == n_features
    assert all(payload in text for text in found["tips"])
    assert all(payload in text for text in found["popups"])
    # every layer drew: a path per polygon, line and station, clusters for amenities
    n_paths = sum(len(site[k]) for k in ("parcels", "constraints", "axes", "transit_lines"))
    assert found["paths"] >= n_paths + len(site.stations)
    assert found["clusters"] > 0
    # the legend and the layer control show the column name as text
    assert payload in found["legend"]
    assert f"parcels — {payload}" in found["control"].replace("score ", "", 1)
