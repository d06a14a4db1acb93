"""Interactive maps (folium / Leaflet) for Jupyter.

:func:`explore` puts a scored result (or a whole site) on a slippy map with a layer
control. The page loads Leaflet and the base map tiles from the web, which is fine in
a notebook; for an offline, self-contained file use :func:`landasset.viz.report`.

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

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landasset._errors import LandassetKeyError, LandassetTypeError, LandassetValueError
from landasset.viz._common import (
    NO_DATA_COLOUR,
    STAGE_COLOURS,
    as_timestamp,
    open_mask,
    require,
)

if TYPE_CHECKING:
    import folium

    from landasset.site import Site

__all__ = ["TILES", "explore"]

#: Base maps :func:`explore` knows. ``"amap"`` (高德) and ``"tencent"`` tiles use the
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


def _colours(values: pd.Series, k: int = 5) -> tuple[list[str], Any]:
    """Colour per value and a branca colormap (numeric: quantile steps on RdYlGn)."""
    branca_cm = require("branca.colormap", what="explore")
    numeric = pd.to_numeric(values, errors="coerce").astype(float)
    present = numeric.dropna()
    if present.empty:
        return [NO_DATA_COLOUR] * len(values), None
    quantiles = np.unique(np.quantile(present.to_numpy(), np.linspace(0, 1, k + 1)))
    if len(quantiles) < 2:
        quantiles = np.array([present.min(), present.min() + 1e-9])
    base = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"]
    steps = [
        base[round(i * (len(base) - 1) / max(len(quantiles) - 2, 1))]
        for i in range(len(quantiles) - 1)
    ]
    cmap = branca_cm.StepColormap(
        steps, index=list(quantiles), vmin=float(quantiles[0]), vmax=float(quantiles[-1])
    )
    colours = [cmap(v) if np.isfinite(v) else NO_DATA_COLOUR for v in numeric.to_numpy()]
    return colours, cmap


def explore(
    result_or_site: gpd.GeoDataFrame | Site,
    *,
    column: str = "score",
    site: Site | None = None,
    as_of: Any = None,
    tiles: str = "openstreetmap",
    amenities: bool = True,
    zoom_start: int = 14,
) -> folium.Map:
    """An interactive map of scored parcels (or of a site) with a layer control.

    Layers: the parcels coloured by ``column`` (quantile steps, red = low, green =
    high; excluded parcels grey) with a tooltip of id, score, rank and the top three
    contributions; constraint areas; axes; metro lines and stations (planned ones
    dashed and hollow, as of ``as_of``); amenities, clustered.

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
        Which stations are open (default today).
    tiles : {"openstreetmap", "amap", "none"}, default "openstreetmap"
        The base map. ``"amap"`` (高德) tiles are in GCJ-02: the layers are shifted
        to GCJ-02 with :func:`landasset.crs.to_web_datum` so they line up.
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
    ...     m.save(pathlib.Path(tmp) / "scores.html")  # open it in a browser (needs the web)
    ...     page = (pathlib.Path(tmp) / "scores.html").read_text(encoding="utf-8")
    >>> "XH120205-01" in page and "云谷北站" in page
    True
    """
    folium = require("folium", what="explore")
    plugins = require("folium.plugins", what="explore")
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
    when = as_timestamp(as_of)

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
    if len(web):
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])

    # -- parcels ------------------------------------------------------------------------
    index_name = parcels.index.name or "parcel_id"
    props = pd.DataFrame(index=parcels.index)
    props[index_name] = parcels.index.astype(str)
    fields = [index_name]
    aliases = [index_name]
    values = parcels[column]
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    eligible = (
        parcels["eligible"].fillna(False).astype(bool)
        if "eligible" in parcels.columns
        else pd.Series(True, index=parcels.index)
    )
    if numeric:
        colours, cmap = _colours(values.where(eligible))
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
        cmap = None
    props["_fill"] = [
        c if ok else "#9e9e9e" for c, ok in zip(colours, eligible.to_numpy(), strict=True)
    ]
    shown = [column, "rank", "eligible", "excluded_by", "name", "land_use", "zone", "stage"]
    for name in dict.fromkeys(shown):
        if name in parcels.columns and name not in props.columns:
            props[name] = parcels[name]
            fields.append(name)
            aliases.append(name)
    contributions = _top_contributions(parcels)
    if contributions.str.len().gt(0).any():
        props["top_contributions"] = contributions
        fields.append("top_contributions")
        aliases.append("top contributions")
    props["area_mu"] = (
        (parcels.geometry.area / (2000.0 / 3.0)).round(1)
        if parcels.crs is not None and parcels.crs.is_projected
        else np.nan
    )
    fields.append("area_mu")
    aliases.append("area (mu 亩)")
    features = gpd.GeoDataFrame(_json_safe(props), geometry=web.geometry.to_numpy(), crs=web.crs)

    def parcel_style(feature: dict[str, Any]) -> dict[str, Any]:
        return {
            "fillColor": feature["properties"]["_fill"],
            "color": "#ffffff",
            "weight": 0.6,
            "fillOpacity": 0.75,
        }

    label = f"parcels — {column}"
    folium.GeoJson(
        features.__geo_interface__,
        name=label,
        style_function=parcel_style,
        highlight_function=lambda _: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, localize=True, sticky=True),
    ).add_to(fmap)
    if cmap is not None:
        cmap.caption = column
        cmap.add_to(fmap)

    # -- context ------------------------------------------------------------------------
    if site is not None:
        _add_context(folium, plugins, fmap, site, datum=datum, when=when, amenities=amenities)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def _add_context(
    folium: Any,
    plugins: Any,
    fmap: Any,
    site: Site,
    *,
    datum: str,
    when: pd.Timestamp,
    amenities: bool,
) -> None:
    def web(kind: str) -> gpd.GeoDataFrame:
        gdf = site[kind]
        gdf = gdf[~gdf.geometry.isna() & ~gdf.geometry.is_empty]
        return _to_web(gdf, datum)

    def feature_collection(gdf: gpd.GeoDataFrame, columns: list[str]) -> dict[str, Any]:
        keep = [c for c in columns if c in gdf.columns]
        props = _json_safe(gdf[keep].assign(id=gdf.index.astype(str)))
        frame = gpd.GeoDataFrame(props, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
        return dict(frame.__geo_interface__)

    if len(cons := web("constraints")):
        folium.GeoJson(
            feature_collection(cons, ["name", "kind", "hard"]),
            name="constraints 限制区",
            style_function=lambda _: {
                "color": "#2e7d32",
                "weight": 1.5,
                "fillColor": "#2e7d32",
                "fillOpacity": 0.15,
                "dashArray": "4 3",
            },
            tooltip=folium.GeoJsonTooltip(
                fields=["id", *[c for c in ("name", "kind") if c in cons.columns]]
            ),
        ).add_to(fmap)
    if len(axes := web("axes")):
        folium.GeoJson(
            feature_collection(axes, ["name", "kind"]),
            name="axes 轴线",
            style_function=lambda f: {
                "color": "#d4a017",
                "weight": 6 if f["properties"].get("kind") == "golden_axis" else 3,
                "opacity": 0.9,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=["id", *[c for c in ("name", "kind") if c in axes.columns]]
            ),
        ).add_to(fmap)
    metro = folium.FeatureGroup(name="metro 地铁")
    if len(lines := web("transit_lines")):
        is_open = open_mask(lines, when)
        collection = feature_collection(
            lines.assign(open=is_open.to_numpy()), ["name", "opening_date", "open"]
        )
        folium.GeoJson(
            collection,
            style_function=lambda f: {
                "color": "#c0392b",
                "weight": 4,
                "dashArray": None if f["properties"]["open"] else "8 6",
            },
            tooltip=folium.GeoJsonTooltip(
                fields=["id", *[c for c in ("name", "opening_date") if c in lines.columns]]
            ),
        ).add_to(metro)
    if len(stations := web("stations")):
        is_open = open_mask(stations, when)
        opening = (
            pd.to_datetime(stations.get("opening_date"), errors="coerce")
            if "opening_date" in stations.columns
            else None
        )
        for position, (ident, row) in enumerate(stations.iterrows()):
            planned = not bool(is_open.iloc[position])
            name = row.get("name") if isinstance(row.get("name"), str) else str(ident)
            note = ""
            if opening is not None and pd.notna(opening.iloc[position]):
                note = f" — {'opens' if planned else 'opened'} {opening.iloc[position]:%Y-%m-%d}"
            folium.CircleMarker(
                location=[row.geometry.y, row.geometry.x],
                radius=7,
                color="#c0392b",
                weight=2,
                dash_array="3 3" if planned else None,
                fill=True,
                fill_color="#ffffff" if planned else "#c0392b",
                fill_opacity=1.0,
                tooltip=f"{name} ({ident}){note}",
            ).add_to(metro)
    metro.add_to(fmap)
    if amenities and len(points := web("amenities")):
        cluster = plugins.MarkerCluster(name="amenities 配套")
        categories = (
            points["category"].astype(str)
            if "category" in points.columns
            else pd.Series("", index=points.index)
        )
        names = (
            points["name"].astype(object)
            if "name" in points.columns
            else pd.Series(None, index=points.index)
        )
        for x, y, cat, name in zip(
            points.geometry.x, points.geometry.y, categories, names, strict=True
        ):
            text = f"{cat}: {name}" if isinstance(name, str) and name else cat
            folium.Marker(location=[y, x], tooltip=text).add_to(cluster)
        cluster.add_to(fmap)
