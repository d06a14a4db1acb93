"""Static maps (matplotlib): scores, lifecycle stages, per-mu grades, best fit, sites.

Every function draws on ``ax`` (or a new figure), returns the Axes and adds a legend, a
scale bar (metric CRS only) and a north arrow. Collections carry a ``gid`` naming what
they show (``"parcels"``, ``"excluded"``, ``"stations_planned"``, ...).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import landasset as la
>>> from landasset.viz import plot_stage_map
>>> site = la.sample.load("yunqi")
>>> ax = plot_stage_map(site, site.parcels["stage"], as_of="2025-12-31")
>>> ax.get_legend() is not None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landasset._compat import renamed
from landasset._errors import LandassetKeyError, LandassetTypeError, LandassetValueError
from landasset._vocab import MU_M2
from landasset.viz import _fonts
from landasset.viz._common import (
    GRADE_COLOURS,
    NO_DATA_COLOUR,
    STAGE_COLOURS,
    as_day,
    day_text,
    draw_context,
    drop_retired,
    finish_map,
    label_points,
    new_axes,
    require,
    retired_handle,
    stage_label,
    stage_order,
    stages_of,
)

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

    from landasset.site import Site

__all__ = [
    "FAMILY_COLOURS",
    "SCHEMES",
    "classify",
    "plot_best_fit",
    "plot_grades",
    "plot_scores",
    "plot_site",
    "plot_sites",
    "plot_stage_map",
]

#: Classification schemes of :func:`plot_scores` (``"fixed"`` needs no mapclassify).
SCHEMES: tuple[str, ...] = ("quantiles", "equal_interval", "fixed")


def _check_choice(value: str, choices: Sequence[str], what: str) -> str:
    if value not in choices:
        raise LandassetValueError(
            f"{value!r} is not {what}; use one of: " + ", ".join(map(repr, choices))
        )
    return value


def classify(
    values: pd.Series, *, scheme: str = "quantiles", k: int = 5, bins: Sequence[float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Class upper bounds and the class of every value (−1 where the value is missing).

    Parameters
    ----------
    values : Series
        The numbers to classify (NaN allowed).
    scheme : {"quantiles", "equal_interval", "fixed"}
        Quantiles or equal intervals (the class bounds of mapclassify's
        ``Quantiles`` and ``EqualInterval``, computed here with numpy, so no
        mapclassify import), or fixed ``bins`` (default: ``k`` equal steps over
        [0, 1], for scores).
    k : int, default 5
        Number of classes (fewer when the values have fewer distinct values).
    bins : sequence of float, optional
        Upper bounds for ``scheme="fixed"``.

    Returns
    -------
    (ndarray, ndarray)
        The upper bounds (ascending) and the class index of each value.

    Examples
    --------
    >>> import pandas as pd
    >>> upper, cls = classify(pd.Series([0.1, 0.5, 0.95, None]), scheme="fixed", k=2)
    >>> upper.tolist(), cls.tolist()
    ([0.5, 1.0], [0, 0, 1, -1])
    """
    _check_choice(scheme, SCHEMES, "a classification scheme")
    if k < 1:
        raise LandassetValueError(f"k must be at least 1, not {k}")
    y = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    present = np.isfinite(y)
    classes = np.full(len(y), -1, dtype=int)
    if scheme == "fixed":
        upper = np.asarray(bins if bins is not None else np.linspace(0, 1, k + 1)[1:], dtype=float)
        if present.any() and upper[-1] < y[present].max():
            upper = np.append(upper, y[present].max())
    elif not present.any():
        return np.array([], dtype=float), classes
    else:
        data = y[present]
        k_eff = int(min(k, len(np.unique(data))))
        if scheme == "quantiles":
            upper = np.unique(np.percentile(data, np.linspace(100.0 / k_eff, 100.0, k_eff)))
        else:
            lo, hi = float(data.min()), float(data.max())
            upper = lo + (hi - lo) * np.arange(1, k_eff + 1) / k_eff
            upper[-1] = hi
            upper = np.unique(upper)
    classes[present] = np.minimum(np.searchsorted(upper, y[present], side="left"), len(upper) - 1)
    return upper, classes


def _class_labels(upper: np.ndarray, values: np.ndarray, classes: np.ndarray) -> list[str]:
    finite = values[np.isfinite(values)]
    lower = [finite.min() if finite.size else 0.0, *upper[:-1]]
    span = float(np.nanmax(np.abs(upper))) if len(upper) else 1.0
    digits = 0 if span >= 100 else 1 if span >= 10 else 2
    out = []
    for i, (lo, hi) in enumerate(zip(lower, upper, strict=True)):
        out.append(f"{lo:,.{digits}f} – {hi:,.{digits}f} ({int((classes == i).sum())})")
    return out


def _crs_of(frame: gpd.GeoDataFrame, site: Site | None) -> Any:
    if frame.crs is not None:
        return frame.crs
    return None if site is None else site.crs


def _plot_polygons(ax: Axes, frame: gpd.GeoDataFrame, gid: str, **kwargs: Any) -> Artist | None:
    """One PatchCollection for ``frame``'s polygons, tagged ``gid``.

    Per-row colours (``color``/``edgecolor`` lists of names or RGBA tuples) follow the
    rows that are drawn.
    """
    from matplotlib.colors import to_rgba_array

    keep = (~frame.geometry.isna() & ~frame.geometry.is_empty).to_numpy()
    for key in ("color", "edgecolor"):
        value = kwargs.get(key)
        if (
            isinstance(value, (list, tuple))
            and len(value) == len(frame)
            and not isinstance(value[0], (int, float))
        ):
            kwargs[key] = to_rgba_array(list(value))[keep]
    frame = frame[keep]
    if not len(frame):
        return None
    before = len(ax.collections)
    frame.plot(ax=ax, **kwargs)
    new = ax.collections[before:]
    for coll in new:
        coll.set_gid(gid)
    return new[0] if new else None


def _plot_flagged(
    ax: Axes,
    handles: list[Artist],
    frame: gpd.GeoDataFrame,
    gid: str,
    label: str,
    **style: Any,
) -> None:
    """Draw ``frame`` in one style (tagged ``gid``) and add its legend entry.

    ``style`` takes facecolor, edgecolor, hatch and linewidth, shared by the polygons
    and the legend patch, and zorder for the polygons only.
    """
    from matplotlib.patches import Patch

    _plot_polygons(ax, frame, gid, **style)
    patch_style = {k: v for k, v in style.items() if k != "zorder"}
    handles.append(Patch(label=label, **patch_style))


def _as_gdf(result: Any, what: str) -> gpd.GeoDataFrame:
    if not isinstance(result, gpd.GeoDataFrame):
        raise LandassetTypeError(
            f"{what} must be a GeoDataFrame of parcels, not {type(result).__name__}"
        )
    return result


def plot_scores(
    result: gpd.GeoDataFrame,
    *,
    column: str = "score",
    site: Site | None = None,
    as_of: Any = None,
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    cmap: str = "RdYlGn",
    label_stations: bool = True,
    stages: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """A graduated choropleth of parcel scores with axes, metro and map furniture.

    Eligible parcels are coloured by class of ``column``; parcels a constraint removed
    (``eligible`` is False) are grey and hatched; parcels without a value are light
    grey. With ``site``, the streets, constraint areas, golden axes, metro lines and
    stations are drawn on top: stations and lines that open after ``as_of`` are hollow
    and dashed (with no ``as_of`` all are drawn open, as scoring counts them all).

    Parameters
    ----------
    result : GeoDataFrame
        Scored parcels (``SuitabilityModel.score``), or any parcel layer holding
        ``column``.
    column : str, default "score"
        The numeric column to map.
    site : Site, optional
        The district, for the context layers.
    as_of : date-like, optional
        The day the map describes (decides which stations are open and titles the
        map); default the day the result was scored for (``result.attrs["as_of"]``).
        None (no date): every station is open and a ledger gives the latest stages.
    scheme : {"quantiles", "equal_interval", "fixed"}, default "quantiles"
        How values are put into classes (see :func:`classify`).
    k : int, default 5
        Number of classes.
    bins : sequence of float, optional
        Upper class bounds for ``scheme="fixed"``.
    cmap : str, default "RdYlGn"
        A matplotlib colormap name (red = low, green = high).
    label_stations : bool, default True
        Write station names (or ids when Chinese cannot be drawn).
    stages : Ledger or Series, optional
        Lifecycle stages (a Ledger is read as of the map's day); retired parcels (the parents of a split or a merge)
        are left out and the legend says how many.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str, optional
        The map title (default: the column and the date).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KeyError
        ``column`` is not in ``result``.
    ValueError
        ``scheme`` is unknown (the message lists the schemes).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> parcels = site.parcels.assign(score=site.parcels.area / site.parcels.area.max())
    >>> ax = plot_scores(parcels, site=site, as_of="2025-12-31")
    >>> sorted({c.get_gid() for c in ax.collections} & {"parcels", "stations_planned"})
    ['parcels', 'stations_planned']
    """
    result = _as_gdf(result, "result")
    if column not in result.columns:
        raise LandassetKeyError(
            f"{column!r} is not a column of the result; use one of: "
            + ", ".join(repr(c) for c in result.columns if c != result.geometry.name)
        )
    mpl = require("matplotlib")
    from matplotlib.patches import Patch

    if as_of is None:
        as_of = result.attrs.get("as_of")
    when = as_day(as_of)
    result, n_retired = drop_retired(result, stages, when)
    crs = _crs_of(result, site)
    ax = new_axes(ax)
    values = pd.to_numeric(result[column], errors="coerce").astype(float)
    eligible = (
        result["eligible"].fillna(False).astype(bool)
        if "eligible" in result.columns
        else pd.Series(True, index=result.index)
    )
    scored = eligible & values.notna()
    upper, classes = classify(values[scored], scheme=scheme, k=k, bins=bins)
    colormap = mpl.colormaps[cmap]
    palette = [colormap(x) for x in np.linspace(0.05, 0.95, max(len(upper), 1))]
    handles: list[Artist] = []
    with _fonts.context():
        if scored.any():
            colours = [palette[c] for c in classes]
            _plot_polygons(
                ax,
                result[scored],
                "parcels",
                color=colours,
                edgecolor="white",
                linewidth=0.3,
                zorder=1,
            )
            labels = _class_labels(upper, values[scored].to_numpy(), classes)
            handles += [
                Patch(facecolor=palette[i], edgecolor="white", label=lab)
                for i, lab in enumerate(labels)
            ]
        excluded = ~eligible
        if excluded.any():
            _plot_flagged(
                ax,
                handles,
                result[excluded],
                "excluded",
                _fonts.label(f"excluded ({int(excluded.sum())})", "不符合约束"),
                facecolor="#bdbdbd",
                edgecolor="#8c8c8c",
                hatch="xx",
                linewidth=0.3,
                zorder=1,
            )
        missing = eligible & values.isna()
        if missing.any():
            _plot_flagged(
                ax,
                handles,
                result[missing],
                "no_data",
                _fonts.label(f"no value ({int(missing.sum())})", "无数据"),
                facecolor=NO_DATA_COLOUR,
                edgecolor="white",
                linewidth=0.3,
            )
        if n_retired:
            handles.append(retired_handle(n_retired))
    handles += draw_context(ax, site, as_of=when, crs=crs)
    if site is not None and label_stations:
        label_points(ax, site.stations.to_crs(crs) if crs is not None else site.stations)
    default = _fonts.label(f"{column} as of {day_text(when)}", "适宜性评价")
    return finish_map(ax, crs=crs, handles=handles, legend_title=column, title=title or default)


#: Colours of the land-use families (:data:`landasset.landuse.FAMILIES`).
FAMILY_COLOURS: dict[str, str] = {
    "industrial": "#b39ddb",
    "commercial": "#ef9a9a",
    "residential": "#ffe082",
    "public": "#90caf9",
    "green": "#a5d6a7",
    "transport": "#cfd8dc",
    "warehouse": "#bcaaa4",
    "other": "#eeeeee",
    "unknown": "#fafafa",
}

_FAMILY_ZH = {
    "industrial": "工业",
    "commercial": "商业",
    "residential": "居住",
    "public": "公共服务",
    "green": "绿地",
    "transport": "交通",
    "warehouse": "仓储",
    "other": "其他",
    "unknown": "未知",
}


def plot_site(
    site: Site,
    *,
    as_of: Any = None,
    amenities: bool = True,
    label_stations: bool = True,
    stages: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """An overview map of a district: parcels by land-use family, axes, metro, amenities.

    Parameters
    ----------
    site : Site
        The district.
    as_of : date-like, optional
        The day the map describes (which stations are open). None (no date): every
        station is open and a ledger gives each parcel its latest stage.
    amenities : bool, default True
        Draw the amenities as small dots (``gid="amenities"``).
    label_stations : bool, default True
        Write station names (ids when Chinese cannot be drawn).
    stages : Ledger or Series, optional
        Lifecycle stages (a Ledger is read as of ``as_of``); retired parcels (the
        parents of a split or a merge) are left out and the legend says how many.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str, optional
        The map title.

    Returns
    -------
    matplotlib.axes.Axes
        A parcel collection (``gid="parcels"``) coloured by land-use family (from
        ``land_use``; :data:`FAMILY_COLOURS`), the context layers and a legend.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> ax = plot_site(site, as_of="2025-12-31")
    >>> "amenities" in {c.get_gid() for c in ax.collections}
    True
    """
    require("matplotlib")
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from landasset.landuse import land_use_family

    when = as_day(as_of)
    parcels, n_retired = drop_retired(site.parcels, stages, when)
    if "land_use" in parcels.columns:
        family = (
            land_use_family(parcels["land_use"])
            .astype(object)
            .where(lambda f: f.notna(), "unknown")
        )
    else:
        family = pd.Series("unknown", index=parcels.index, dtype=object)
    ax = new_axes(ax)
    handles: list[Artist] = []
    with _fonts.context():
        colours = family.map(FAMILY_COLOURS).fillna(NO_DATA_COLOUR).tolist()
        _plot_polygons(
            ax, parcels, "parcels", color=colours, edgecolor="white", linewidth=0.3, zorder=1
        )
        area_mu = parcels.geometry.area / MU_M2
        for fam, colour in FAMILY_COLOURS.items():
            mask = family == fam
            if mask.any():
                handles.append(
                    Patch(
                        facecolor=colour,
                        edgecolor="#bdbdbd",
                        label=f"{_fonts.label(fam, _FAMILY_ZH[fam])} — {area_mu[mask].sum():,.0f} mu",
                    )
                )
        if n_retired:
            handles.append(retired_handle(n_retired))
    handles += draw_context(ax, site, as_of=when, crs=site.crs)
    if amenities and len(site.amenities):
        with _fonts.context():
            points = site.amenities[~site.amenities.geometry.isna()]
            before = len(ax.collections)
            points.plot(ax=ax, color="#37474f", markersize=3, alpha=0.6, zorder=5)
            for coll in ax.collections[before:]:
                coll.set_gid("amenities")
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    color="#37474f",
                    markersize=3,
                    label=_fonts.label(f"amenity ({len(points)})", "配套设施"),
                )
            )
    if label_stations:
        label_points(ax, site.stations)
    default = _fonts.label(f"District overview as of {day_text(when)}", "片区概况")
    return finish_map(
        ax,
        crs=site.crs,
        handles=handles,
        legend_title=_fonts.label("land use", "用地性质"),
        title=title or default,
    )


def plot_stage_map(
    site: Site,
    ledger: Any,
    *,
    as_of: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Parcels coloured by lifecycle stage on a date, with axes and metro.

    Parameters
    ----------
    site : Site
        The district.
    ledger : Ledger or Series
        A :class:`landasset.lifecycle.Ledger` (its ``stages(as_of)`` is mapped), or a
        Series of stage identifiers indexed by ``parcel_id`` (such as the sample's
        ``parcels["stage"]`` column).
    as_of : date-like, optional
        The day to map; stations that open later are drawn hollow. None (no date):
        each parcel's latest stage, every station open.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str, optional
        The map title.

    Returns
    -------
    matplotlib.axes.Axes
        One collection (``gid="parcels"``) with a colour per stage, a legend entry
        per stage present (with its parcel count and area in mu), parcels without a
        record in light grey. Retired parcels (the parents of a split or a merge)
        are left out, and the legend says how many.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> ax = plot_stage_map(site, site.parcels["stage"], as_of="2025-12-31")
    >>> any("operating" in t.get_text() for t in ax.get_legend().get_texts())
    True
    """
    require("matplotlib")
    from matplotlib.patches import Patch

    when = as_day(as_of)
    stages = stages_of(ledger, when)
    parcels, n_retired = drop_retired(site.parcels, stages, when)
    current = stages.reindex(parcels.index.astype(str)).to_numpy()
    stage_col = pd.Series(current, index=parcels.index, dtype=object)
    area_mu = parcels.geometry.area / MU_M2
    ax = new_axes(ax)
    handles: list[Artist] = []
    colours = stage_col.map(STAGE_COLOURS).fillna(NO_DATA_COLOUR).tolist()
    with _fonts.context():
        _plot_polygons(
            ax, parcels, "parcels", color=colours, edgecolor="white", linewidth=0.3, zorder=1
        )
        for stage in stage_order():
            mask = stage_col == stage
            if mask.any():
                handles.append(
                    Patch(
                        facecolor=STAGE_COLOURS[stage],
                        label=f"{stage_label(stage)} — {int(mask.sum())}, {area_mu[mask].sum():,.0f} mu",
                    )
                )
        unknown = stage_col.isna()
        if unknown.any():
            handles.append(
                Patch(
                    facecolor=NO_DATA_COLOUR,
                    label=_fonts.label(f"no record ({int(unknown.sum())})", "无记录"),
                )
            )
        if n_retired:
            handles.append(retired_handle(n_retired))
    handles += draw_context(ax, site, as_of=when, crs=site.crs, constraints=False)
    default = _fonts.label(f"Lifecycle stages as of {day_text(when)}", "地块生命周期阶段")
    return finish_map(
        ax,
        crs=site.crs,
        handles=handles,
        legend_title=_fonts.label("stage", "阶段"),
        title=title or default,
    )


def plot_grades(
    evaluation: pd.DataFrame,
    parcels: gpd.GeoDataFrame,
    *,
    site: Site | None = None,
    stages: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Per-mu efficiency grades (亩均效益 A–D) on a map of the parcels.

    Each parcel takes the grade holding most of its tenants' land (ties go to the worse
    grade); parcels with a D-graded tenant get a dark red outline (a renewal signal);
    parcels whose tenants are not graded are light grey, parcels without tenants white.

    Parameters
    ----------
    evaluation : DataFrame
        :func:`landasset.efficiency.evaluate`'s result (``parcel_id``, ``land_mu``,
        ``grade``).
    parcels : GeoDataFrame
        Parcels indexed by ``parcel_id``.
    site : Site, optional
        The district, for axes and metro.
    stages : Ledger or Series, optional
        Lifecycle stages (a Ledger is read on the result's ``attrs["as_of"]``; without one, its latest stages); retired parcels (the
        parents of a split or a merge) are left out and the legend says how many.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str, optional
        The map title.

    Returns
    -------
    matplotlib.axes.Axes
        Collections ``gid="parcels"`` (fill) and ``gid="grade_D"`` (outlines, when a
        tenant grades D); a legend entry per grade present.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import landasset as la
    >>> from landasset.efficiency import evaluate
    >>> site = la.sample.load("yunqi")
    >>> ev = evaluate(site.enterprises, site.parcels, year=2025, buildings=site.buildings)
    >>> ax = plot_grades(ev, site.parcels)
    >>> [t.get_text()[0] for t in ax.get_legend().get_texts()][:4]
    ['A', 'B', 'C', 'D']
    """
    require("matplotlib")
    from matplotlib.patches import Patch

    parcels = _as_gdf(parcels, "parcels")
    when = as_day(parcels.attrs.get("as_of"))
    parcels, n_retired = drop_retired(parcels, stages, when)
    grades = [str(g) for g in (evaluation.attrs.get("grades") or sorted(GRADE_COLOURS))]
    from landasset.efficiency import by_parcel

    # the grade of the tenants holding most of each parcel's land
    dominant = by_parcel(evaluation, parcels)["grade"]
    tenants = evaluation["parcel_id"].dropna().astype(str)
    has_tenant = parcels.index.astype(str).isin(tenants)
    d_grades = (
        evaluation.loc[evaluation["grade"].astype(str) == grades[-1], "parcel_id"]
        .dropna()
        .astype(str)
    )
    has_d = parcels.index.astype(str).isin(d_grades)
    colour_of = {g: GRADE_COLOURS.get(g, "#9e9e9e") for g in grades}
    fill = [
        colour_of[g] if isinstance(g, str) else (NO_DATA_COLOUR if t else "white")
        for g, t in zip(dominant.to_numpy(), has_tenant, strict=True)
    ]
    ax = new_axes(ax)
    crs = _crs_of(parcels, site)
    handles: list[Artist] = []
    with _fonts.context():
        _plot_polygons(
            ax, parcels, "parcels", color=fill, edgecolor="#bdbdbd", linewidth=0.3, zorder=1
        )
        counts = dominant.value_counts()
        for g in grades:
            n = int(counts.get(g, 0))
            handles.append(Patch(facecolor=colour_of[g], label=f"{g} ({n})"))
        handles.append(Patch(facecolor=NO_DATA_COLOUR, label=_fonts.label("not graded", "未评价")))
        handles.append(
            Patch(facecolor="white", edgecolor="#bdbdbd", label=_fonts.label("no tenant", "无企业"))
        )
        if has_d.any():
            _plot_flagged(
                ax,
                handles,
                parcels[has_d],
                f"grade_{grades[-1]}",
                _fonts.label(f"has a {grades[-1]} tenant ({int(has_d.sum())})", "含D类企业"),
                facecolor="none",
                edgecolor="#67000d",
                linewidth=1.4,
                zorder=2,
            )
        if n_retired:
            handles.append(retired_handle(n_retired))
    handles += draw_context(ax, site, as_of=when, crs=crs, streets=False, constraints=False)
    scheme = evaluation.attrs.get("scheme")
    year = evaluation.attrs.get("year")
    default = _fonts.label(
        "Per-mu efficiency grades" + (f", {scheme} {year}" if scheme else ""), "亩均效益评价"
    )
    return finish_map(
        ax,
        crs=crs,
        handles=handles,
        legend_title=_fonts.label("grade", "等级"),
        title=title or default,
    )


def _best_fit_columns(frame: pd.DataFrame) -> tuple[str, str | None, str | None]:
    best = next((c for c in ("best", "best_profile", "profile") if c in frame.columns), None)
    if best is None:
        raise LandassetKeyError(
            "the best-fit frame has no 'best' column; pass landasset.suitability.best_fit's result"
        )
    score = next((c for c in ("best_score", "score") if c in frame.columns), None)
    conflict = "conflict" if "conflict" in frame.columns else None
    return best, score, conflict


def plot_best_fit(
    best_fit_frame: pd.DataFrame,
    parcels: gpd.GeoDataFrame,
    *,
    site: Site | None = None,
    stages: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """The best-fitting industry profile per parcel; conflicts hatched.

    Parameters
    ----------
    best_fit_frame : DataFrame
        :func:`landasset.suitability.best_fit`'s result, indexed by ``parcel_id``,
        with the best profile (``best``), and ``conflict`` when two profiles are within
        the margin. Parcels with no best profile (eligible for none) are light grey.
    parcels : GeoDataFrame
        Parcels indexed by ``parcel_id`` (geometry).
    site : Site, optional
        The district, for axes and metro.
    stages : Ledger or Series, optional
        Lifecycle stages (a Ledger is read on the result's ``attrs["as_of"]``; without one, its latest stages); retired parcels (the
        parents of a split or a merge) are left out and the legend says how many.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str, optional
        The map title.

    Returns
    -------
    matplotlib.axes.Axes
        Collections ``gid="parcels"`` and ``gid="conflict"`` (hatched overlay); a
        legend entry per profile.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd, landasset as la
    >>> site = la.sample.load("yunqi")
    >>> ids = site.parcels.index
    >>> frame = pd.DataFrame({"best": ["ai", "aerospace"] * (len(ids) // 2) + ["ai"] * (len(ids) % 2),
    ...                       "conflict": False}, index=ids)
    >>> ax = plot_best_fit(frame, site.parcels)
    >>> len(ax.get_legend().get_texts())
    2
    """
    mpl = require("matplotlib")
    from matplotlib.patches import Patch

    parcels = _as_gdf(parcels, "parcels")
    when = as_day(parcels.attrs.get("as_of"))
    parcels, n_retired = drop_retired(parcels, stages, when)
    best_col, _, conflict_col = _best_fit_columns(best_fit_frame)
    best = best_fit_frame[best_col].reindex(parcels.index)
    profiles = sorted(best.dropna().astype(str).unique())
    tab = mpl.colormaps["tab10"]
    colour_of = {p: tab(i % 10) for i, p in enumerate(profiles)}
    fill = [colour_of[str(p)] if isinstance(p, str) else NO_DATA_COLOUR for p in best.to_numpy()]
    ax = new_axes(ax)
    crs = _crs_of(parcels, site)
    handles: list[Artist] = []
    counts = best.value_counts()
    with _fonts.context():
        _plot_polygons(
            ax, parcels, "parcels", color=fill, edgecolor="white", linewidth=0.3, zorder=1
        )
        handles += [
            Patch(facecolor=colour_of[p], label=f"{p} ({int(counts.get(p, 0))})") for p in profiles
        ]
        if conflict_col is not None:
            conflict = (
                best_fit_frame[conflict_col].reindex(parcels.index).fillna(False).astype(bool)
            )
            if conflict.any():
                _plot_flagged(
                    ax,
                    handles,
                    parcels[conflict],
                    "conflict",
                    _fonts.label(f"conflict ({int(conflict.sum())})", "多产业竞争"),
                    facecolor="none",
                    edgecolor="#424242",
                    hatch="///",
                    linewidth=0.4,
                    zorder=2,
                )
        if best.isna().any():
            handles.append(
                Patch(facecolor=NO_DATA_COLOUR, label=_fonts.label("eligible for none", "均不适宜"))
            )
        if n_retired:
            handles.append(retired_handle(n_retired))
    handles += draw_context(ax, site, as_of=when, crs=crs, streets=False, constraints=False)
    default = _fonts.label("Best-fitting industry per parcel", "产业适配")
    return finish_map(
        ax,
        crs=crs,
        handles=handles,
        legend_title=_fonts.label("profile", "产业"),
        title=title or default,
    )


def plot_sites(
    assembled_sites: gpd.GeoDataFrame,
    result: gpd.GeoDataFrame,
    *,
    top_k: int = 5,
    column: str = "score",
    site: Site | None = None,
    stages: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
    top: int | None = None,
) -> Axes:
    """Candidate sites assembled from adjacent parcels, over the parcel scores in grey.

    Parameters
    ----------
    assembled_sites : GeoDataFrame
        :func:`landasset.suitability.assemble`'s result, best first (dissolved geometry,
        ``area_mu``, ``score``, the parcel ids).
    result : GeoDataFrame
        The scored parcels (background, in shades of grey by ``column``).
    top_k : int, default 5
        How many candidate sites to draw (in the given order).
    column : str, default "score"
        The background column.
    site : Site, optional
        The district, for axes and metro.
    stages : Ledger or Series, optional
        Lifecycle stages (a Ledger is read on the result's ``attrs["as_of"]``; without one, its latest stages); retired parcels (the
        parents of a split or a merge) are left out and the legend says how many.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str, optional
        The map title.
    top : int, optional
        Deprecated spelling of ``top_k`` (FutureWarning); removed in the next release.

    Returns
    -------
    matplotlib.axes.Axes
        Collections ``gid="parcels"`` (background) and ``gid="candidates"`` (one
        outlined polygon per site), a legend entry and a ``#n`` label per site.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import geopandas as gpd, landasset as la
    >>> site = la.sample.load("yunqi")
    >>> parcels = site.parcels.assign(score=0.5)
    >>> two = gpd.GeoDataFrame({"area_mu": [120.0, 101.5], "score": [0.8, 0.7]},
    ...                        geometry=parcels.geometry.iloc[[0, 5]].to_numpy(), crs=parcels.crs)
    >>> ax = plot_sites(two, parcels)
    >>> len(ax.get_legend().get_texts())
    2
    """
    top_k = renamed(top, top_k, old="top", new="top_k", where="plot_sites")
    mpl = require("matplotlib")
    from matplotlib.patches import Patch

    assembled_sites = _as_gdf(assembled_sites, "assembled_sites")
    result = _as_gdf(result, "result")
    when = as_day(result.attrs.get("as_of"))
    result, n_retired = drop_retired(result, stages, when)
    crs = _crs_of(result, site)
    shown = assembled_sites.head(top_k)
    if crs is not None and shown.crs is not None and shown.crs != crs:
        shown = shown.to_crs(crs)
    ax = new_axes(ax)
    handles: list[Artist] = []
    tab = mpl.colormaps["tab10"]
    with _fonts.context():
        if column in result.columns:
            values = pd.to_numeric(result[column], errors="coerce")
            greys = mpl.colormaps["Greys"]
            span = float(values.max() - values.min()) if values.notna().any() else 0.0
            norm = ((values - values.min()) / span) if span > 0 else values * 0
            fill = [
                greys(0.1 + 0.45 * v) if np.isfinite(v) else "white"
                for v in norm.to_numpy(dtype=float)
            ]
        else:
            fill = ["#eeeeee"] * len(result)
        _plot_polygons(
            ax, result, "parcels", color=fill, edgecolor="white", linewidth=0.3, zorder=1
        )
        edge = [tab(i % 10) for i in range(len(shown))]
        if len(shown):
            _plot_polygons(
                ax, shown, "candidates", facecolor="none", edgecolor=edge, linewidth=2.4, zorder=3
            )
        for i, (_, row) in enumerate(shown.iterrows()):
            parts = [f"#{i + 1}"]
            if "area_mu" in shown.columns:
                parts.append(f"{row['area_mu']:,.1f} mu")
            if "score" in shown.columns:
                parts.append(f"score {row['score']:.3f}")
            if "n_parcels" in shown.columns:
                parts.append(f"{int(row['n_parcels'])} parcels")
            handles.append(
                Patch(facecolor="none", edgecolor=edge[i], linewidth=2.4, label=", ".join(parts))
            )
            point = row.geometry.representative_point()
            ax.annotate(
                f"#{i + 1}",
                xy=(point.x, point.y),
                ha="center",
                va="center",
                fontsize=10,
                fontweight="bold",
                color=edge[i],
                zorder=8,
                bbox={
                    "boxstyle": "round,pad=0.2",
                    "facecolor": "white",
                    "alpha": 0.8,
                    "edgecolor": "none",
                },
            )
        if n_retired:
            handles.append(retired_handle(n_retired))
    handles += draw_context(ax, site, as_of=when, crs=crs, streets=False, constraints=False)
    default = _fonts.label("Candidate sites", "地块组合候选")
    return finish_map(
        ax,
        crs=crs,
        handles=handles,
        legend_title=_fonts.label("site", "候选"),
        title=title or default,
    )
