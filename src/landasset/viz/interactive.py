"""Interactive maps (folium / Leaflet) that draw offline.

:func:`explore` puts a scored result (or a whole site) on a slippy map with a layer
control. The page carries its own copy of Leaflet and Leaflet.markercluster, inlined
from the package (``landasset/viz/_static``): it draws without a network — on an
intranet, in a notebook, or saved with ``.save("map.html")`` and opened from disk. By
default there is no base map (web tiles need the web); ``tiles="openstreetmap"`` or
``"amap"`` adds one.

Every value taken from the data (ids, names, categories, column names) is
HTML-escaped in Python before it reaches the page, and the data is embedded in the
page's script as JSON with ``<``, ``>``, ``&`` and ``'`` escaped: a name such as
``<img src=x onerror=...>`` or ``</script>`` is shown as text, never run.

Examples
--------
>>> import landasset as la
>>> from landasset.viz import explore
>>> site = la.sample.load("yunqi")
>>> m = explore(site)
>>> type(m).__name__
'Map'
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landasset._errors import LandassetKeyError, LandassetTypeError, LandassetValueError
from landasset._vocab import MU_M2
from landasset.viz._common import (
    NO_DATA_COLOUR,
    STAGE_COLOURS,
    as_day,
    drop_retired,
    open_mask,
    require,
    retired_note,
)

if TYPE_CHECKING:
    import folium

    from landasset.site import Site

__all__ = ["TILES", "explore", "js_literal"]

#: Base maps :func:`explore` knows (``"none"``, the default, needs no network). ``"amap"`` (高德) and ``"tencent"`` tiles use the
#: GCJ-02 datum: the layers are shifted to GCJ-02 so they sit on the right streets.
TILES: dict[str, dict[str, str]] = {
    "openstreetmap": {"tiles": "OpenStreetMap", "attr": "", "datum": "wgs84"},
    "amap": {
        "tiles": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "attr": "高德地图 AutoNavi",
        "datum": "gcj02",
        "subdomains": "1234",
    },
    "none": {"tiles": "", "attr": "", "datum": "wgs84"},
}

_CATEGORY_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def _to_web(gdf: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    """Reproject to WGS84 lon/lat, then shift to GCJ-02 when the tiles need it."""
    out = gdf.to_crs("EPSG:4326") if gdf.crs is not None else gdf
    if datum == "gcj02" and len(out):
        from landasset.crs import to_web_datum

        out = to_web_datum(out, "gcj02")
    return out


def _json_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns as JSON-friendly values (dates as ISO text, NaN as None)."""
    out = pd.DataFrame(index=frame.index)
    for name, col in frame.items():
        if pd.api.types.is_datetime64_any_dtype(col):
            out[name] = col.dt.strftime("%Y-%m-%d").astype(object).where(col.notna(), None)
        elif pd.api.types.is_bool_dtype(col):
            out[name] = col.astype(object)
        elif pd.api.types.is_numeric_dtype(col):
            values = col.astype(float).round(4)
            out[name] = values.astype(object).where(values.notna(), None)
        else:
            out[name] = (
                col.astype(object)
                .where(col.notna(), None)
                .map(lambda v: v if v is None or isinstance(v, (str, int, float, bool)) else str(v))
            )
    return out


def _top_contributions(result: pd.DataFrame, n: int = 3) -> pd.Series:
    """``"metro 0.21, size 0.12, services 0.08"``: the largest contributions per parcel."""
    columns = [c for c in result.columns if isinstance(c, str) and c.startswith("c_")]
    if not columns:
        return pd.Series("", index=result.index)
    values = result[columns].to_numpy(dtype=float)
    names = np.array([c[2:] for c in columns], dtype=object)
    filled = np.where(np.isnan(values), -np.inf, values)
    order = np.argsort(-filled, axis=1)[:, :n]
    top_values = np.take_along_axis(values, order, axis=1)
    top_names = names[order]
    text = []
    for row_names, row_values in zip(top_names, top_values, strict=True):
        parts = [
            f"{a} {b:.3f}" for a, b in zip(row_names, row_values, strict=True) if np.isfinite(b)
        ]
        text.append(", ".join(parts))
    return pd.Series(text, index=result.index, dtype=object)


# -- safe text ------------------------------------------------------------------------

_JS_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JS_UNSAFE = re.compile("[<>&'\u2028\u2029]")


def js_literal(value: Any) -> str:
    """``value`` as a JavaScript literal that is safe inside an HTML ``<script>``.

    JSON with ``<``, ``>``, ``&``, ``'`` and the line separators U+2028/U+2029
    written as ``\\uXXXX`` escapes: no ``</script>``, ``<!--`` or quote in the data can
    end the script or the string.

    Examples
    --------
    >>> print(js_literal({"name": "</script><b>'x'</b>"}))
    {"name":"\\u003c/script\\u003e\\u003cb\\u003e\\u0027x\\u0027\\u003c/b\\u003e"}
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return _JS_UNSAFE.sub(lambda m: _JS_ESCAPES[m.group()], text)


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cell_text(values: pd.Series) -> pd.Series:
    """Display text of a column (numbers rounded, dates as ISO, missing as "")."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), "")
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "yes", False: "no"}).astype(object)
    if pd.api.types.is_integer_dtype(values):
        return values.astype(object).map(lambda v: "" if pd.isna(v) else f"{int(v):,}")
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.astype(float)
        return numbers.map(
            lambda v: "" if not np.isfinite(v) else f"{v:,.4f}".rstrip("0").rstrip(".")
        )
    return values.astype(object).map(
        lambda v: (
            ""
            if v is None or (isinstance(v, float) and np.isnan(v))
            else str(getattr(v, "value", v))
        )
    )


def _tooltips(
    frame: pd.DataFrame, labels: dict[str, str], title: pd.Series | None = None
) -> pd.Series:
    """One escaped HTML table per row: ``labels`` maps column → shown name."""
    out = pd.Series("", index=frame.index, dtype=object)
    if title is not None:
        out = "<b>" + title.astype(str).map(_esc) + "</b>"
    rows = pd.Series("", index=frame.index, dtype=object)
    for column, shown in labels.items():
        if column not in frame.columns:
            continue
        text = _cell_text(frame[column])
        cell = "<tr><th>" + _esc(shown) + "</th><td>" + text.map(_esc) + "</td></tr>"
        rows = rows + cell.where(text != "", "")
    return out + "<table>" + rows + "</table>"


# -- offline assets ---------------------------------------------------------------------

_SCRIPTS = ("leaflet.js", "leaflet.markercluster.js")
_STYLES = ("leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css")
_PAGE_CSS = (
    ".landasset-legend{background:rgba(255,255,255,.92);padding:6px 9px;border-radius:4px;"
    "box-shadow:0 0 4px rgba(0,0,0,.3);font:12px/1.5 sans-serif;max-width:260px}"
    ".landasset-legend b{display:block;margin-bottom:2px}"
    ".landasset-legend i{display:inline-block;width:12px;height:12px;margin-right:6px;"
    "vertical-align:-2px;border:1px solid #bdbdbd}"
    ".landasset-legend .note{color:#616161;font-style:italic}"
    ".leaflet-tooltip table,.leaflet-popup-content table{border-collapse:collapse}"
    ".leaflet-tooltip th,.leaflet-popup-content th{text-align:left;padding:0 8px 0 0;"
    "font-weight:600;color:#455a64}"
)


def _static(name: str) -> bytes:
    return (resources.files("landasset.viz") / "_static" / name).read_bytes()


@functools.lru_cache(maxsize=1)
def offline_assets() -> str:
    """The ``<style>`` and ``<script>`` blocks holding Leaflet and Leaflet.markercluster.

    The CSS's ``url(images/…)`` become ``data:`` URIs and the ``sourceMappingURL``
    comments are dropped, so nothing refers to another file.
    """

    def image(match: re.Match[str]) -> str:
        data = base64.b64encode(_static(f"images/{match.group(1)}")).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    styles = []
    for name in _STYLES:
        css = _static(name).decode("utf-8")
        styles.append(re.sub(r"url\(images/([A-Za-z0-9_.-]+\.png)\)", image, css))
    scripts = []
    for name in _SCRIPTS:
        js = _static(name).decode("utf-8")
        scripts.append(re.sub(r"^//# sourceMappingURL=.*$", "", js, flags=re.MULTILINE))
    for text in (*styles, *scripts):
        # an inlined file must not be able to end its own element
        if re.search(r"</(?:script|style)|<!--", text, re.IGNORECASE):  # pragma: no cover
            raise AssertionError("a vendored asset holds '</script', '</style' or '<!--'")
    return (
        "<style>"
        + "\n".join(styles)
        + _PAGE_CSS
        + "</style>\n"
        + "".join(f"<script>{js}</script>\n" for js in scripts)
    )


def _make_offline(fmap: Any) -> None:
    """Replace the map's CDN links by the inlined, packaged Leaflet."""
    from branca.element import Element

    fmap.default_js = []
    fmap.default_css = []
    fmap.get_root().header.add_child(Element(offline_assets()), name="landasset_leaflet")


@functools.lru_cache(maxsize=1)
def _elements() -> tuple[type, type]:
    """The two folium elements :func:`explore` draws with (built on first use)."""
    folium = require("folium", what="explore")
    from branca.element import MacroElement
    from jinja2 import Template

    class Features(folium.map.Layer):  # type: ignore[name-defined]
        """A GeoJSON layer whose per-feature style and escaped HTML tooltip ride in
        the features' ``_style`` and ``_tip`` properties."""

        _template = Template(
            """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = {{ "L.markerClusterGroup()" if this.cluster else "L.featureGroup()" }};
L.geoJSON({{ this.data_js }}, {
    style: function (feature) { return feature.properties._style; },
    pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, feature.properties._style);
    },
    onEachFeature: function (feature, layer) {
        var tip = feature.properties._tip;
        if (tip) {
            layer.bindTooltip(tip, {sticky: true});
            layer.bindPopup(tip, {maxWidth: 420});
        }
        {%- if this.highlight %}
        layer.on("mouseover", function () { layer.setStyle({weight: 2.5, color: "#000000"}); });
        layer.on("mouseout", function () { layer.setStyle(feature.properties._style); });
        {%- endif %}
    }
}).eachLayer(function (layer) { {{ this.get_name() }}.addLayer(layer); });
{% endmacro %}
"""
        )

        def __init__(
            self,
            data: dict[str, Any],
            *,
            name: str,
            cluster: bool = False,
            highlight: bool = False,
            control: bool = True,
        ) -> None:
            super().__init__(name=_esc(name), overlay=True, control=control, show=True)
            self._name = "Features"
            self.data = data
            self.cluster = cluster
            self.highlight = highlight

        @property
        def data_js(self) -> str:
            return js_literal(self.data)

    class Legend(MacroElement):
        """A legend box (bottom right) from already escaped HTML."""

        _template = Template(
            """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "bottomright"});
{{ this.get_name() }}.onAdd = function () {
    var div = L.DomUtil.create("div", "landasset-legend");
    div.innerHTML = {{ this.html_js }};
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
        )

        def __init__(self, title: str, entries: list[tuple[str, str]], notes: list[str]) -> None:
            super().__init__()
            self._name = "Legend"
            self.title = title
            self.entries = entries
            self.notes = notes

        @property
        def html(self) -> str:
            parts = [f"<b>{_esc(self.title)}</b>"]
            parts += [
                f'<div><i style="background:{_esc(colour)}"></i>{_esc(text)}</div>'
                for colour, text in self.entries
            ]
            parts += [f'<div class="note">{_esc(n)}</div>' for n in self.notes]
            return "".join(parts)

        @property
        def html_js(self) -> str:
            return js_literal(self.html)

    return Features, Legend


def _collection(
    gdf: gpd.GeoDataFrame, props: pd.DataFrame, styles: list[dict[str, Any]], tips: pd.Series
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``gdf``'s geometry with JSON-safe properties."""
    frame = _json_safe(props)
    frame["_tip"] = tips.to_numpy()
    frame["_style"] = pd.Series(styles, index=frame.index, dtype=object)
    out = gpd.GeoDataFrame(frame, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    return dict(out.__geo_interface__)


# -- colours ------------------------------------------------------------------------------

_STEPS = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")


def _numeric_colours(values: pd.Series, k: int = 5) -> tuple[list[str], list[tuple[str, str]]]:
    """Quantile steps on red → green: a colour per value and the legend entries."""
    numeric = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    present = numeric[np.isfinite(numeric)]
    if present.size == 0:
        return [NO_DATA_COLOUR] * len(values), []
    bounds = np.unique(np.quantile(present, np.linspace(0, 1, k + 1)))
    if len(bounds) < 2:
        bounds = np.array([present.min(), present.min()])
    n = len(bounds) - 1
    steps = [_STEPS[round(i * (len(_STEPS) - 1) / max(n - 1, 1))] for i in range(n)]
    cls = np.clip(np.searchsorted(bounds, numeric, side="right") - 1, 0, n - 1)
    colours = [
        steps[c] if np.isfinite(v) else NO_DATA_COLOUR for c, v in zip(cls, numeric, strict=True)
    ]
    digits = 3 if float(np.abs(bounds).max()) < 10 else 1
    entries = [
        (steps[i], f"{bounds[i]:,.{digits}f} – {bounds[i + 1]:,.{digits}f}") for i in range(n)
    ]
    return colours, entries


def explore(
    result_or_site: gpd.GeoDataFrame | Site,
    *,
    column: str = "score",
    site: Site | None = None,
    as_of: Any = None,
    stages: Any = None,
    tiles: str = "none",
    amenities: bool = True,
    zoom_start: int = 14,
) -> folium.Map:
    """An interactive map of scored parcels (or of a site) with a layer control.

    Layers: the parcels coloured by ``column`` (quantile steps, red = low, green =
    high; excluded parcels grey) with a tooltip and popup of id, score, rank and the
    top three contributions, and a legend; constraint areas; axes; metro lines and
    stations (planned ones dashed and hollow, as of ``as_of``); amenities, clustered.

    The page draws offline: Leaflet is inlined from the package, and no base map is
    loaded unless ``tiles`` asks for one. Text from the data is escaped.

    Parameters
    ----------
    result_or_site : GeoDataFrame or Site
        ``SuitabilityModel.score``'s result, any parcel layer, or a :class:`Site`.
        For a site without ``column`` the parcels are coloured by lifecycle stage
        when they have a ``stage`` column, else by land use.
    column : str, default "score"
        The column that colours the parcels (numeric: quantile steps; text:
        categories).
    site : Site, optional
        The district, for the context layers (taken from ``result_or_site`` when it
        is a Site).
    as_of : date-like, optional
        Which stations are open: default the day the result was scored for
        (``result.attrs["as_of"]``); None (no date): every station open, latest stages.
    stages : Ledger or Series, optional
        Lifecycle stages (a Ledger is read as of ``as_of``): retired parcels (the
        parents of a split or a merge) are left out, and the legend says how many.
    tiles : {"none", "openstreetmap", "amap"}, default "none"
        The base map; ``"none"`` needs no network. ``"amap"`` (高德) tiles are in
        GCJ-02: the layers are shifted to GCJ-02 with
        :func:`landasset.crs.to_web_datum` so they line up.
    amenities : bool, default True
        Add the amenities layer (clustered markers).
    zoom_start : int, default 14
        Initial zoom.

    Returns
    -------
    folium.Map
        Display it in Jupyter, or ``.save("map.html")``.

    Raises
    ------
    KeyError
        ``column`` is not a column of the given parcels (and is not the default).
    ValueError
        ``tiles`` is unknown (the message lists the choices).

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> parcels = site.parcels.assign(score=site.parcels.area / site.parcels.area.max())
    >>> m = explore(parcels, site=site, as_of="2025-12-31")
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     m.save(pathlib.Path(tmp) / "scores.html")  # opens offline in any browser
    ...     page = (pathlib.Path(tmp) / "scores.html").read_text(encoding="utf-8")
    >>> "XH120205-01" in page and "云谷北站" in page
    True
    >>> "<script src=" in page or "cdn." in page
    False
    """
    folium = require("folium", what="explore")
    from landasset.site import Site

    key = tiles.lower().replace(" ", "").replace("_", "")
    if key not in TILES:
        raise LandassetValueError(
            f"{tiles!r} is not a base map; use one of: " + ", ".join(map(repr, TILES))
        )
    base = TILES[key]
    datum = base["datum"]
    if isinstance(result_or_site, Site):
        site = result_or_site
        parcels: gpd.GeoDataFrame = result_or_site.parcels
    elif isinstance(result_or_site, gpd.GeoDataFrame):
        parcels = result_or_site
    else:
        raise LandassetTypeError(
            f"explore takes a scored GeoDataFrame or a Site, not {type(result_or_site).__name__}"
        )
    if column not in parcels.columns:
        if column != "score" or not isinstance(result_or_site, Site):
            raise LandassetKeyError(
                f"{column!r} is not a column of the parcels; use one of: "
                + ", ".join(repr(c) for c in parcels.columns if c != parcels.geometry.name)
            )
        column = "stage" if "stage" in parcels.columns else "land_use"
    if as_of is None:
        as_of = parcels.attrs.get("as_of")
    when = as_day(as_of)
    parcels, n_retired = drop_retired(parcels, stages, when)
    Features, Legend = _elements()

    web = _to_web(parcels, datum)
    minx, miny, maxx, maxy = web.total_bounds if len(web) else (120.0, 30.0, 120.0, 30.0)
    centre = [(miny + maxy) / 2, (minx + maxx) / 2]
    map_kw: dict[str, Any] = {"location": centre, "zoom_start": zoom_start, "control_scale": True}
    if key == "none":
        map_kw["tiles"] = None
    elif key == "amap":
        map_kw.update(tiles=base["tiles"], attr=base["attr"], subdomains=base["subdomains"])
    else:
        map_kw["tiles"] = base["tiles"]
    fmap = folium.Map(**map_kw)
    # the clustered amenities need a maximum zoom even without a tile layer
    fmap.options["max_zoom"] = 18
    _make_offline(fmap)
    if len(web):
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])

    # -- parcels ------------------------------------------------------------------------
    index_name = str(parcels.index.name or "parcel_id")
    props = pd.DataFrame(index=parcels.index)
    props[index_name] = parcels.index.astype(str)
    values = parcels[column]
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    eligible = (
        parcels["eligible"].fillna(False).astype(bool)
        if "eligible" in parcels.columns
        else pd.Series(True, index=parcels.index)
    )
    if numeric:
        colours, entries = _numeric_colours(values.where(eligible))
    else:
        text = (
            values.astype(object)
            .where(values.notna(), None)
            .map(lambda v: None if v is None else str(getattr(v, "value", v)))
        )
        cats = sorted({v for v in text if v is not None})
        palette = {
            c: STAGE_COLOURS.get(c, _CATEGORY_PALETTE[i % len(_CATEGORY_PALETTE)])
            for i, c in enumerate(cats)
        }
        colours = [
            palette.get(v, NO_DATA_COLOUR) if v is not None else NO_DATA_COLOUR for v in text
        ]
        entries = [(colour, cat) for cat, colour in palette.items()]
    fill = [c if ok else "#9e9e9e" for c, ok in zip(colours, eligible.to_numpy(), strict=True)]
    shown = [column, "rank", "eligible", "excluded_by", "name", "land_use", "zone", "stage"]
    labels = {index_name: index_name}
    for name in dict.fromkeys(shown):
        if name in parcels.columns and name not in props.columns:
            props[name] = parcels[name]
            labels[name] = str(name)
    contributions = _top_contributions(parcels)
    if contributions.str.len().gt(0).any():
        props["top_contributions"] = contributions
        labels["top_contributions"] = "top contributions"
    props["area_mu"] = (
        (parcels.geometry.area / MU_M2).round(1)
        if parcels.crs is not None and parcels.crs.is_projected
        else np.nan
    )
    labels["area_mu"] = "area (mu 亩)"
    styles = [
        {"fillColor": f, "color": "#ffffff", "weight": 0.6, "fillOpacity": 0.75} for f in fill
    ]
    Features(
        _collection(web, props, styles, _tooltips(props, labels)),
        name=f"parcels — {column}",
        highlight=True,
    ).add_to(fmap)
    notes = []
    if not eligible.all():
        entries.append(("#9e9e9e", f"excluded ({int((~eligible).sum())})"))
    if n_retired:
        notes.append(retired_note(n_retired))
    Legend(str(column), entries, notes).add_to(fmap)

    # -- context ------------------------------------------------------------------------
    if site is not None:
        _add_context(Features, fmap, site, datum=datum, when=when, amenities=amenities)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def _add_context(
    Features: Any,
    fmap: Any,
    site: Site,
    *,
    datum: str,
    when: pd.Timestamp | None,
    amenities: bool,
) -> None:
    import folium

    def web(kind: str) -> gpd.GeoDataFrame:
        gdf = site[kind]
        gdf = gdf[~gdf.geometry.isna() & ~gdf.geometry.is_empty]
        return _to_web(gdf, datum)

    def props_of(gdf: gpd.GeoDataFrame, columns: list[str]) -> pd.DataFrame:
        keep = [c for c in columns if c in gdf.columns]
        return gdf[keep].assign(id=gdf.index.astype(str))

    def labelled(gdf: gpd.GeoDataFrame, columns: list[str]) -> dict[str, str]:
        return {"id": "id", **{c: c for c in columns if c in gdf.columns}}

    if len(cons := web("constraints")):
        props = props_of(cons, ["name", "kind", "hard"])
        style = {
            "color": "#2e7d32",
            "weight": 1.5,
            "fillColor": "#2e7d32",
            "fillOpacity": 0.15,
            "dashArray": "4 3",
        }
        Features(
            _collection(
                cons, props, [style] * len(cons), _tooltips(props, labelled(cons, ["name", "kind"]))
            ),
            name="constraints 限制区",
        ).add_to(fmap)
    if len(axes := web("axes")):
        props = props_of(axes, ["name", "kind"])
        golden = (
            axes["kind"].astype(str).eq("golden_axis").to_numpy()
            if "kind" in axes.columns
            else np.ones(len(axes), dtype=bool)
        )
        styles: list[dict[str, Any]] = [
            {"color": "#d4a017", "weight": 6 if g else 3, "opacity": 0.9} for g in golden
        ]
        Features(
            _collection(axes, props, styles, _tooltips(props, labelled(axes, ["name", "kind"]))),
            name="axes 轴线",
        ).add_to(fmap)
    metro = folium.FeatureGroup(name="metro 地铁")
    if len(lines := web("transit_lines")):
        is_open = open_mask(lines, when).to_numpy()
        props = props_of(lines, ["name", "opening_date"]).assign(open=is_open)
        styles = [
            {"color": "#c0392b", "weight": 4, "dashArray": None if o else "8 6"} for o in is_open
        ]
        tips = _tooltips(props, labelled(lines, ["name", "opening_date"]))
        Features(_collection(lines, props, styles, tips), name="metro lines", control=False).add_to(
            metro
        )
    if len(stations := web("stations")):
        is_open = open_mask(stations, when).to_numpy()
        props = props_of(stations, ["name", "opening_date"]).assign(open=is_open)
        styles = [
            {
                "radius": 7,
                "color": "#c0392b",
                "weight": 2,
                "dashArray": None if o else "3 3",
                "fill": True,
                "fillColor": "#c0392b" if o else "#ffffff",
                "fillOpacity": 1.0,
            }
            for o in is_open
        ]
        title = (
            stations["name"]
            .astype(object)
            .where(stations["name"].notna(), stations.index.astype(str))
            if "name" in stations.columns
            else pd.Series(stations.index.astype(str), index=stations.index)
        )
        state = pd.Series(np.where(is_open, "open", "planned"), index=stations.index)
        tips = _tooltips(
            props.assign(state=state),
            {"id": "id", "state": "state", "opening_date": "opening_date"},
            title=title,
        )
        Features(
            _collection(stations, props, styles, tips), name="metro stations", control=False
        ).add_to(metro)
    metro.add_to(fmap)
    if amenities and len(points := web("amenities")):
        props = props_of(points, ["name", "category"])
        style = {
            "radius": 4,
            "color": "#37474f",
            "weight": 1,
            "fill": True,
            "fillColor": "#37474f",
            "fillOpacity": 0.7,
        }
        tips = _tooltips(props, labelled(points, ["category", "name"]))
        Features(
            _collection(points, props, [style] * len(points), tips),
            name="amenities 配套",
            cluster=True,
        ).add_to(fmap)
