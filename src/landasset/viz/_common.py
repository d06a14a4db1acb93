"""Private helpers shared by the viz modules: optional imports, dates, colours, map
furniture (scale bar, north arrow) and the context layers of a district map."""

from __future__ import annotations

import datetime as dt
import importlib
import math
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landasset import _vocab
from landasset._dates import to_day, to_day_or_none
from landasset._errors import LandassetValueError
from landasset.viz import _fonts

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

    from landasset.site import Site

__all__ = [
    "GRADE_COLOURS",
    "STAGE_COLOURS",
    "add_north_arrow",
    "add_scale_bar",
    "as_day",
    "as_timestamp",
    "day_text",
    "draw_context",
    "drop_retired",
    "finish_map",
    "new_axes",
    "require",
    "retired_handle",
    "retired_ids",
    "retired_note",
    "stage_label",
    "stage_order",
    "stages_of",
]

VIZ_HINT = "install the viz extra: pip install 'landasset[viz]'"


def require(module: str, *, what: str = "landasset.viz") -> ModuleType:
    """Import an optional dependency, or raise ImportError naming the extra.

    >>> require("math").pi > 3
    True
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{what} needs {module.split('.')[0]!r}, which is not installed; {VIZ_HINT}"
        ) from exc


def new_axes(ax: Axes | None, *, figsize: tuple[float, float] = (10.0, 8.0)) -> Axes:
    """``ax``, or the Axes of a new pyplot figure (shown inline in Jupyter)."""
    require("matplotlib")
    if ax is not None:
        return ax
    plt = require("matplotlib.pyplot")
    _, new = plt.subplots(figsize=figsize)
    axes: Axes = new
    return axes


def as_timestamp(value: Any, *, default_today: bool = True) -> pd.Timestamp:
    """A date-like value (``"2025-12-31"``, ``date``, ``Timestamp``) as a day; None → today.

    For the ends of a time axis (charts, the report's date). What a map shows on a
    day uses :func:`as_day`, where None is no date, as in scoring.
    """
    if value is None:
        if not default_today:
            raise LandassetValueError("a date is required")
        return pd.Timestamp(dt.date.today())
    return to_day(value, what="date")


def as_day(value: Any) -> pd.Timestamp | None:
    """``as_of`` of a map: a day at midnight, or None for no date (the library's one None:
    every station counts as open and a ledger gives each parcel its latest stage).

    >>> as_day("2025-12-31"), as_day(None)
    (Timestamp('2025-12-31 00:00:00'), None)
    """
    return to_day_or_none(value, what="as_of")


def day_text(as_of: pd.Timestamp | None) -> str:
    """``"2025-12-31"``, or ``"latest"`` for no date; for map titles.

    >>> day_text(None)
    'latest'
    """
    return "latest" if as_of is None else f"{as_of:%Y-%m-%d}"


# -- lifecycle stages -------------------------------------------------------------------

#: A colour per lifecycle stage (the vocabulary's, shared with the QGIS styles): blues
#: for the reserve, oranges for development, green for operation, purple for renewal,
#: grey for retired parcels.
STAGE_COLOURS: Mapping[str, str] = _vocab.STAGE_COLOURS

#: A colour per per-mu grade (亩均效益等级).
GRADE_COLOURS: Mapping[str, str] = _vocab.GRADE_COLOURS

NO_DATA_COLOUR = _vocab.NO_DATA_COLOUR


def stage_order() -> list[str]:
    """The stage identifiers in lifecycle order."""
    return list(_vocab.STAGE_IDS)


def stage_label(stage: str) -> str:
    """``"operating 运营"`` (or ``"operating"`` when Chinese cannot be drawn)."""
    labels = _vocab.STAGE_LABELS.get(str(stage))
    if labels is None:
        return str(stage)
    return _fonts.label(str(stage), labels[0])


def stages_of(ledger: Any, as_of: pd.Timestamp | None) -> pd.Series:
    """The stage of every parcel on ``as_of``: from a ledger, or a given Series as is."""
    from landasset._stages import stage_series

    stages = stage_series(ledger, as_of)
    return stages.dropna().astype(str)


def retired_ids(stages: Any, as_of: pd.Timestamp | None) -> pd.Index:
    """The ids (as text) of the parcels whose stage is ``retired`` on ``as_of``.

    Retired parcels are the parents of a split or a merge: their land now belongs to
    their children, so a map or a table that showed them would count it twice.
    ``stages`` is a Ledger (read as of ``as_of``), a Series of stage ids by
    ``parcel_id``, or None (no parcel is retired).

    >>> import pandas as pd
    >>> retired_ids(pd.Series({"A": "retired", "A-1": "operating", "B": "planned"}), None).tolist()
    ['A']
    """
    from landasset import _stages

    if stages is None:
        return pd.Index([], dtype=object)
    return pd.Index(_stages.retired_ids(stages_of(stages, as_of)).astype(str), dtype=object)


def drop_retired(frame: Any, stages: Any, as_of: pd.Timestamp | None) -> tuple[Any, int]:
    """``frame`` without the rows of retired parcels, and how many rows were left out.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"x": [1, 2, 3]}, index=["A", "A-1", "A-2"])
    >>> kept, n = drop_retired(frame, pd.Series({"A": "retired"}), None)
    >>> kept.index.tolist(), n
    (['A-1', 'A-2'], 1)
    """
    if stages is None:
        return frame, 0
    gone = frame.index.astype(str).isin(retired_ids(stages, as_of))
    return frame[~gone], int(gone.sum())


def retired_note(n: int) -> str:
    """``"3 retired parcels (split or merged) not shown"`` for legends and notes."""
    return _fonts.label(
        f"{n} retired parcel{'s' if n != 1 else ''} (split or merged) not shown",
        "(已注销地块未显示)",
    )


def retired_handle(n: int) -> Artist:
    """An empty legend entry saying how many retired parcels were left out."""
    from matplotlib.patches import Patch

    handle = Patch(facecolor="none", edgecolor="none", label=retired_note(n))
    handle.set_gid("retired_note")
    return handle


# -- map furniture ------------------------------------------------------------------------


def _nice_length(span: float) -> float:
    """A round length (1, 2 or 5 × 10^k) of about a fifth of ``span``."""
    target = span / 5.0
    if not math.isfinite(target) or target <= 0:
        return 0.0
    exponent = math.floor(math.log10(target))
    base = 10.0**exponent
    for step in (5.0, 2.0, 1.0):
        if step * base <= target:
            return step * base
    return base


def add_scale_bar(ax: Axes, *, crs: Any) -> Artist | None:
    """A scale bar in the lower left, when the map's CRS is metric; returns the artist."""
    from landasset.crs import is_metric

    if crs is None or not is_metric(crs):
        return None
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    x0, x1 = ax.get_xlim()
    length = _nice_length(abs(x1 - x0))
    if length <= 0:
        return None
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    bar = AnchoredSizeBar(
        ax.transData,
        length,
        text,
        loc="lower left",
        pad=0.4,
        borderpad=0.6,
        sep=4,
        frameon=True,
        size_vertical=abs(x1 - x0) / 250,
        color="black",
    )
    bar.patch.set_alpha(0.8)
    bar.set_gid("scale_bar")
    ax.add_artist(bar)
    return bar


def add_north_arrow(ax: Axes) -> Artist:
    """A north arrow in the upper right (grid north of the projected map)."""
    arrow = ax.annotate(
        "N",
        xy=(0.95, 0.97),
        xytext=(0.95, 0.87),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="center",
        fontsize=12,
        fontweight="bold",
        arrowprops={"facecolor": "black", "width": 4, "headwidth": 11, "headlength": 9},
    )
    arrow.set_gid("north_arrow")
    return arrow


def finish_map(
    ax: Axes,
    *,
    crs: Any,
    handles: Sequence[Artist],
    legend_title: str | None,
    title: str | None,
) -> Axes:
    """Legend (outside, on the right), scale bar, north arrow, title; axis frame off."""
    with _fonts.context():
        ax.set_aspect("equal")
        ax.set_axis_off()
        add_scale_bar(ax, crs=crs)
        add_north_arrow(ax)
        if handles:
            legend = ax.legend(
                handles=list(handles),
                title=legend_title,
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                fontsize=8,
                title_fontsize=9,
                frameon=False,
            )
            legend.set_gid("legend")
        if title:
            ax.set_title(title)
    _fonts.style_axes(ax)
    return ax


# -- context layers -------------------------------------------------------------------------


def _opening(layer: gpd.GeoDataFrame) -> pd.Series:
    if "opening_date" not in layer.columns:
        return pd.Series(pd.NaT, index=layer.index, dtype="datetime64[ns]")
    return pd.to_datetime(layer["opening_date"], errors="coerce")


def open_mask(layer: gpd.GeoDataFrame, as_of: pd.Timestamp | None) -> pd.Series:
    """True where a station/line is open on ``as_of`` (no opening date → open; no
    ``as_of`` → all open), the same test scoring's walking distance makes."""
    from landasset.measures.network import open_targets

    return pd.Series(open_targets(layer, as_of, what="map"), index=layer.index)


def draw_context(
    ax: Axes,
    site: Site | None,
    *,
    as_of: pd.Timestamp | None,
    crs: Any,
    streets: bool = True,
    constraints: bool = True,
) -> list[Artist]:
    """Draw streets, constraint areas, axes, transit lines and stations; legend handles back.

    Planned lines (opening after ``as_of``) are dashed and planned stations hollow;
    with ``as_of`` None every line and station is drawn open.
    Every collection drawn gets a ``gid`` (``"streets"``, ``"axes"``, ``"stations_open"``,
    ``"stations_planned"``, ...) so callers and tests can find it.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Artist] = []
    if site is None:
        return handles

    def layer(name: str) -> gpd.GeoDataFrame:
        gdf = site[name]
        if crs is not None and gdf.crs is not None and len(gdf) and gdf.crs != crs:
            gdf = gdf.to_crs(crs)
        return gdf[~gdf.geometry.isna() & ~gdf.geometry.is_empty]

    def plot(gdf: gpd.GeoDataFrame, gid: str, **kwargs: Any) -> None:
        before = len(ax.collections)
        gdf.plot(ax=ax, **kwargs)
        for coll in ax.collections[before:]:
            coll.set_gid(gid)

    with _fonts.context():
        if streets and len(st := layer("streets")):
            plot(st, "streets", color="#b0b0b0", linewidth=0.4, zorder=2)
        if constraints and len(cons := layer("constraints")):
            plot(
                cons,
                "constraints",
                facecolor="none",
                edgecolor="#2e7d32",
                hatch="///",
                linewidth=0.8,
                zorder=3,
            )
            handles.append(
                Patch(
                    facecolor="none",
                    edgecolor="#2e7d32",
                    hatch="///",
                    label=_fonts.label("constraint area", "限制区"),
                )
            )
        if len(axes := layer("axes")):
            golden = (
                axes["kind"].astype(str).eq("golden_axis")
                if "kind" in axes.columns
                else pd.Series(True, index=axes.index)
            )
            if golden.any():
                plot(axes[golden], "axes", color="#d4a017", linewidth=3.2, zorder=4)
                handles.append(
                    Line2D(
                        [],
                        [],
                        color="#d4a017",
                        linewidth=3.2,
                        label=_fonts.label("golden axis", "金轴"),
                    )
                )
            if (~golden).any():
                plot(axes[~golden], "axes", color="#e6c35c", linewidth=1.8, zorder=4)
                handles.append(
                    Line2D(
                        [],
                        [],
                        color="#e6c35c",
                        linewidth=1.8,
                        label=_fonts.label("other axis", "轴线"),
                    )
                )
        if len(lines := layer("transit_lines")):
            is_open = open_mask(lines, as_of)
            if is_open.any():
                plot(lines[is_open], "lines_open", color="#c0392b", linewidth=2.0, zorder=5)
            if (~is_open).any():
                plot(
                    lines[~is_open],
                    "lines_planned",
                    color="#c0392b",
                    linewidth=2.0,
                    linestyle="--",
                    zorder=5,
                )
        if len(stations := layer("stations")):
            is_open = open_mask(stations, as_of)
            if is_open.any():
                plot(
                    stations[is_open],
                    "stations_open",
                    color="#c0392b",
                    markersize=45,
                    edgecolor="white",
                    linewidth=0.8,
                    zorder=6,
                )
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker="o",
                        linestyle="-",
                        color="#c0392b",
                        markeredgecolor="white",
                        markersize=8,
                        label=_fonts.label("metro (open)", "地铁(已开通)"),
                    )
                )
            if (~is_open).any():
                plot(
                    stations[~is_open],
                    "stations_planned",
                    facecolor="white",
                    edgecolor="#c0392b",
                    markersize=45,
                    linewidth=1.4,
                    linestyle="--",
                    zorder=6,
                )
                first = _opening(stations)[~is_open].min()
                when = "" if pd.isna(first) else f", opens {first:%Y-%m-%d}"
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker="o",
                        linestyle="--",
                        color="#c0392b",
                        markerfacecolor="white",
                        markersize=8,
                        label=_fonts.label(f"metro (planned{when})", "地铁(规划)"),
                    )
                )
    return handles


def plain_text(value: object, *, limit: int = 40) -> str:
    """Text as matplotlib draws it literally: ``$`` escaped (no mathtext), cut at ``limit``.

    >>> print(plain_text("a $x$ b"))
    a \\$x\\$ b
    >>> len(plain_text("x" * 100))
    40
    """
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("$", r"\$")


def label_points(
    ax: Axes, layer: gpd.GeoDataFrame, *, column: str = "name", fontsize: float = 7.0
) -> None:
    """Write ``column`` (or the id when it cannot be drawn) beside each point."""
    if not len(layer):
        return
    with _fonts.context():
        for ident, row in layer.iterrows():
            geom = row.geometry
            if geom is None or geom.is_empty:
                continue
            value = row.get(column)
            name = (
                ident if value is None or (isinstance(value, float) and np.isnan(value)) else value
            )
            note = ax.annotate(
                plain_text(_fonts.text(name, ident)),
                xy=(geom.x, geom.y),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=fontsize,
                color="#7b241c",
                zorder=7,
            )
            note.set_in_layout(False)  # a long name must not shrink the map
