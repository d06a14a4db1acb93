"""Charts (matplotlib): a score explained, rank stability, the pipeline, a stage Gantt.

Every function draws on ``ax`` (or a new figure) and returns the Axes.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> from landasset.viz import plot_timeline
>>> timeline = pd.DataFrame({
...     "parcel_id": ["A", "A", "B"],
...     "stage": ["supplied", "under_construction", "reserved"],
...     "valid_from": pd.to_datetime(["2023-01-01", "2023-09-01", "2022-05-01"]),
...     "valid_to": pd.to_datetime(["2023-09-01", None, None]),
... })
>>> ax = plot_timeline(timeline, ["A", "B"], end="2025-12-31")
>>> len(ax.collections)  # one bar collection per stage
3
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from landasset._compat import renamed
from landasset._errors import LandassetKeyError, LandassetTypeError, LandassetValueError
from landasset._vocab import MU_M2
from landasset.viz import _fonts
from landasset.viz._common import (
    STAGE_COLOURS,
    as_timestamp,
    new_axes,
    require,
    stage_label,
    stage_order,
    stages_of,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from pandas.tseries.offsets import BaseOffset

    from landasset.site import Site
    from landasset.suitability import SensitivityResult, SuitabilityModel

__all__ = ["pipeline_frame", "plot_explain", "plot_pipeline", "plot_sensitivity", "plot_timeline"]


def _finish(ax: Axes, *, title: str | None, legend: bool = True, **legend_kw: Any) -> Axes:
    with _fonts.context():
        if title:
            ax.set_title(title)
        if legend:
            handles, _labels = ax.get_legend_handles_labels()
            if handles:
                ax.legend(fontsize=8, frameon=False, **legend_kw).set_gid("legend")
    _fonts.style_axes(ax)
    return ax


def plot_explain(
    model: SuitabilityModel,
    result: pd.DataFrame,
    parcel_id: str,
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Why a parcel scores what it scores: one bar per criterion.

    A grey bar shows the criterion's weight (the most it can add to the score), the
    coloured bar over it the parcel's contribution; the label at the end gives the raw
    measure and the transformed value. For TOPSIS (no additive contributions) the
    coloured bar is ``weight × value``.

    Parameters
    ----------
    model : SuitabilityModel
        The model that scored ``result`` (its ``explain`` is called).
    result : DataFrame
        ``model.score(site)``.
    parcel_id : str
        The parcel to explain.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str, optional
        Default: the parcel id, its score and rank.

    Returns
    -------
    matplotlib.axes.Axes
        Two bar containers (``weight``, ``contribution``) of one patch per criterion
        each, and a legend.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import landasset as la
    >>> from landasset.suitability import load_profile
    >>> site = la.sample.load("yunqi")
    >>> model = load_profile("aerospace")
    >>> result = model.score(site, as_of="2025-12-31")
    >>> best = result["rank"].idxmin()
    >>> ax = plot_explain(model, result, best)
    >>> len(ax.patches) == 2 * len(model.criteria)
    True
    """
    require("matplotlib")
    table = model.explain(result, parcel_id)
    weight = table["weight"].astype(float)
    contribution = table["contribution"].astype(float)
    if contribution.isna().all():
        contribution = weight * table["value"].astype(float)
    ax = new_axes(ax, figsize=(8.0, 0.45 * len(table) + 1.6))
    y = np.arange(len(table))[::-1]
    with _fonts.context():
        ax.barh(
            y,
            weight,
            color="#e0e0e0",
            edgecolor="#bdbdbd",
            label=_fonts.label("weight (maximum)", "权重"),
            gid="weight",
        )
        ax.barh(
            y,
            contribution.fillna(0.0),
            color="#2b8cbe",
            height=0.55,
            label=_fonts.label("contribution", "贡献"),
            gid="contribution",
        )
        for yi, (_name, row) in zip(y, table.iterrows(), strict=True):
            raw = row.get("raw")
            raw_text = (
                "–" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else _fmt(raw)
            )
            value = row.get("value")
            value_text = "–" if value is None or pd.isna(value) else f"{float(value):.2f}"
            ax.annotate(
                f"{_fonts.text(raw_text, '?')} → {value_text}",
                xy=(max(float(row["weight"]), 0.0), yi),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color="#424242",
            )
        ax.set_yticks(y, [_fonts.text(n, f"criterion {i + 1}") for i, n in enumerate(table.index)])
        ax.set_xlabel(_fonts.label("share of the score (0–1)", "得分贡献"))
        ax.set_xlim(0, float(weight.max()) * 1.45 if len(weight) else 1.0)
        ax.spines[["top", "right"]].set_visible(False)
    attrs = table.attrs
    score = attrs.get("score")
    rank = attrs.get("rank")
    default = f"{parcel_id}: score {score:.3f}" if isinstance(score, float) else str(parcel_id)
    if rank is not None:
        default += f", rank {rank}"
    elif attrs.get("excluded_by"):
        default += f" (excluded by {attrs['excluded_by']})"
    return _finish(ax, title=title or _fonts.text(default, parcel_id), loc="lower right")


def _fmt(value: Any) -> str:
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return f"{number:,.0f}" if abs(number) >= 100 else f"{number:.3g}"
    return str(value)


def _sensitivity_frame(sensitivity: Any) -> pd.DataFrame:
    if isinstance(sensitivity, pd.DataFrame):
        return sensitivity
    for name in ("table", "frame", "parcels", "ranks"):
        frame = getattr(sensitivity, name, None)
        if isinstance(frame, pd.DataFrame):
            return frame
    to_frame = getattr(sensitivity, "to_frame", None)
    if callable(to_frame):
        frame = to_frame()
        if isinstance(frame, pd.DataFrame):
            return frame
    raise LandassetTypeError(
        f"expected landasset.suitability.sensitivity's result or a DataFrame, not {type(sensitivity).__name__}"
    )


def _first(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def plot_sensitivity(
    sensitivity: SensitivityResult | pd.DataFrame,
    *,
    top_k: int = 20,
    ax: Axes | None = None,
    title: str | None = None,
    top: int | None = None,
) -> Axes:
    """Rank ranges of the top parcels under weight perturbation.

    For each of the ``top_k`` parcels (by the model's rank, else by mean rank) a line
    spans its rank range under the perturbed weights (best to worst rank when given,
    else mean ± one standard deviation), a dot marks the mean rank, coloured by the
    probability of staying in the top k, and a red tick the model's own rank.

    Parameters
    ----------
    sensitivity : SensitivityResult or DataFrame
        :func:`landasset.suitability.sensitivity`'s result, or its per-parcel table
        indexed by ``parcel_id`` with ``mean_rank``, ``rank_std`` and ``p_top_k``
        (optional: ``rank``, ``rank_best`` and ``rank_worst``).
    top_k : int, default 20
        How many parcels to show.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str, optional
        The chart title.
    top : int, optional
        Deprecated spelling of ``top_k`` (FutureWarning); removed in the next release.

    Returns
    -------
    matplotlib.axes.Axes
        A LineCollection (``gid="rank_range"``), the mean ranks (``gid="mean_rank"``),
        the base ranks when given (``gid="rank"``), a colour bar and a legend.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"mean_rank": [1.2, 2.5, 3.1], "rank_std": [0.4, 1.1, 0.9],
    ...                       "p_top_k": [1.0, 0.8, 0.6]}, index=["A", "B", "C"])
    >>> ax = plot_sensitivity(frame)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['A', 'B', 'C']
    """
    top_k = renamed(top, top_k, old="top", new="top_k", where="plot_sensitivity")
    mpl = require("matplotlib")
    from matplotlib.collections import LineCollection

    frame = _sensitivity_frame(sensitivity)
    mean = _first(frame, ("mean_rank", "rank_mean"))
    if mean is None:
        raise LandassetKeyError("the sensitivity table has no 'mean_rank' column")
    std = _first(frame, ("rank_std", "std_rank"))
    p = _first(frame, ("p_top_k", "top_k_share", "p_top", "stay_top_k"))
    base = _first(frame, ("rank", "base_rank"))
    low = _first(frame, ("rank_best", "rank_q05", "rank_min"))
    high = _first(frame, ("rank_worst", "rank_q95", "rank_max"))
    shown = frame.sort_values([base, mean] if base is not None else [mean], kind="stable").head(
        top_k
    )
    m = shown[mean].astype(float).to_numpy()
    if low is not None and high is not None:
        lo, hi = shown[low].astype(float).to_numpy(), shown[high].astype(float).to_numpy()
        span = _fonts.label("best – worst rank over the draws", "排名范围")
    elif std is not None:
        s = shown[std].astype(float).fillna(0.0).to_numpy()
        lo, hi = m - s, m + s
        span = _fonts.label("mean ± std", "均值±标准差")
    else:
        lo, hi = m, m
        span = ""
    y = np.arange(len(shown))
    ax = new_axes(ax, figsize=(8.0, 0.32 * len(shown) + 1.8))
    cmap = mpl.colormaps["viridis"]
    pvals = shown[p].astype(float).to_numpy() if p is not None else np.ones(len(shown))
    with _fonts.context():
        segments = [[(a, yi), (b, yi)] for a, b, yi in zip(lo, hi, y, strict=True)]
        lines = LineCollection(segments, colors="#9e9e9e", linewidths=3.0, label=span or None)
        lines.set_gid("rank_range")
        ax.add_collection(lines)
        dots = ax.scatter(
            m,
            y,
            c=pvals,
            cmap=cmap,
            vmin=0,
            vmax=1,
            s=40,
            zorder=3,
            edgecolors="black",
            linewidths=0.4,
            label=_fonts.label("mean rank", "平均排名"),
        )
        dots.set_gid("mean_rank")
        if base is not None:
            ranks = ax.scatter(
                shown[base].astype(float),
                y,
                marker="|",
                s=120,
                color="#d7191c",
                zorder=4,
                label=_fonts.label("rank with the model's weights", "基准排名"),
            )
            ranks.set_gid("rank")
        bar = ax.figure.colorbar(dots, ax=ax, pad=0.02, fraction=0.04)
        k = getattr(sensitivity, "top_k", None) or frame.attrs.get("top_k")
        bar.set_label(_fonts.label(f"P(stays in top {k or 'k'})", "稳定进入前列的概率"))
        ax.set_yticks(y, [_fonts.text(i, f"#{n + 1}") for n, i in enumerate(shown.index)])
        ax.invert_yaxis()
        ax.set_xlabel(_fonts.label("rank (1 = best)", "排名"))
        finite = np.concatenate([lo, hi, m])
        finite = finite[np.isfinite(finite)]
        if finite.size:
            ax.set_xlim(max(0.0, float(finite.min()) - 1), float(finite.max()) + 1)
        ax.spines[["top", "right"]].set_visible(False)
    default = _fonts.label(f"Rank stability of the top {len(shown)} parcels", "排名稳定性")
    return _finish(
        ax, title=title or default, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3
    )


def pipeline_frame(
    ledger: Any,
    site: Site,
    *,
    start: Any,
    end: Any,
    freq: str = "QS",
) -> pd.DataFrame:
    """Area in mu per lifecycle stage on each date of a range.

    Parameters
    ----------
    ledger : Ledger or Series
        A :class:`landasset.lifecycle.Ledger` (``stages(as_of)`` on each date) or a
        fixed Series of stages by ``parcel_id``.
    site : Site
        For the parcel areas (parcels not in the site count 0 mu).
    start, end : date-like
        The range; ``freq`` is a pandas offset alias (``"QS"`` quarter starts,
        ``"MS"`` month starts, ``"YS"`` years).
    freq : str, default "QS"

    Returns
    -------
    DataFrame
        Indexed by date, one column per stage present (lifecycle order), in mu.

    Raises
    ------
    LandassetValueError
        (a ``ValueError``) ``freq`` is not a pandas offset alias that steps forward,
        or the range holds no date of it.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> table = pipeline_frame(site.parcels["stage"], site, start="2025-01-01", end="2025-12-31")
    >>> len(table), round(float(table.iloc[0].sum())) == round(float(site.parcels.area.sum() / (2000 / 3)))
    (4, True)
    """
    step = _frequency(freq)
    dates = pd.date_range(as_timestamp(start), as_timestamp(end), freq=step)
    if not len(dates):
        raise LandassetValueError(
            f"no {freq!r} date between {start} and {end}; widen the range or change freq"
        )
    area = site.parcels.geometry.area / MU_M2
    area.index = area.index.astype(str)
    rows = {}
    for day in dates:
        stages = stages_of(ledger, day)
        mu = area.reindex(stages.index.astype(str)).fillna(0.0)
        rows[day] = mu.groupby(stages.to_numpy()).sum()
    table = pd.DataFrame(rows).T.fillna(0.0)
    order = [s for s in stage_order() if s in table.columns and s != "retired"]
    table = table.reindex(columns=order)
    table.index.name = "date"
    return table


def plot_pipeline(
    ledger: Any,
    site: Site,
    *,
    start: Any,
    end: Any,
    freq: str = "QS",
    stages: str | Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Land in each lifecycle stage over time (mu, stacked areas).

    By default the operating parcels (usually most of the land) are left out so the
    reserve and development pipeline stays readable; pass ``stages`` to choose.

    Parameters
    ----------
    ledger : Ledger or Series
        See :func:`pipeline_frame`.
    site : Site
        The district (parcel areas).
    start, end : date-like
        The time range.
    freq : str, default "QS"
        Sampling frequency (a pandas offset alias): ``"QS"`` quarter starts,
        ``"MS"`` month starts, ``"YS"`` year starts.
    stages : str or sequence of str, optional
        The lifecycle stages to stack (default: every stage but ``operating`` and
        ``retired``); a single string is one stage.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str, optional
        The chart title.

    Returns
    -------
    matplotlib.axes.Axes
        One filled area (PolyCollection, ``gid="stage_<stage>"``) per stage shown
        that holds land in the range, and a legend. Areas step at each sampled date.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> stages = site.parcels["stage"]
    >>> ax = plot_pipeline(stages, site, start="2025-01-01", end="2025-12-31")
    >>> len(ax.collections) == stages.nunique() - 1  # all but operating
    True
    >>> plot_pipeline(stages, site, start="2025-01-01", end="2025-12-31", freq="quarterly")
    Traceback (most recent call last):
    ...
    landasset.LandassetValueError: 'quarterly' is not a pandas frequency; use an offset alias such as 'QS' (quarter starts), 'MS' (month starts) or 'YS' (year starts) ...
    """
    require("matplotlib")
    step = _frequency(freq)
    wanted = (
        [s for s in stage_order() if s not in ("operating", "retired")]
        if stages is None
        else _stage_list(stages)
    )
    table = pipeline_frame(ledger, site, start=start, end=end, freq=freq)
    table = table[[s for s in table.columns if s in wanted and table[s].gt(0).any()]]
    # one more sample so the last period shows as a step of its own
    table = pd.concat([table, table.iloc[[-1]].set_axis([table.index[-1] + step])])
    ax = new_axes(ax, figsize=(10.0, 5.0))
    with _fonts.context():
        if len(table.columns):
            polys = ax.stackplot(
                table.index,
                table.to_numpy().T,
                step="post",
                labels=[stage_label(s) for s in table.columns],
                colors=[STAGE_COLOURS.get(s, "#9e9e9e") for s in table.columns],
                edgecolor="white",
                linewidth=0.3,
            )
            for poly, stage in zip(polys, table.columns, strict=True):
                poly.set_gid(f"stage_{stage}")
        ax.set_ylabel(_fonts.label("land (mu)", "面积(亩)"))
        ax.set_xlim(table.index[0], table.index[-1])
        ax.spines[["top", "right"]].set_visible(False)
    default = _fonts.label("Land by lifecycle stage", "各阶段用地规模")
    return _finish(
        ax, title=title or default, loc="upper left", bbox_to_anchor=(1.01, 1.0), reverse=True
    )


def _frequency(freq: str) -> BaseOffset:
    """``freq`` as a pandas offset, or an error naming it and giving examples."""
    examples = "'QS' (quarter starts), 'MS' (month starts) or 'YS' (year starts)"
    try:
        step = pd.tseries.frequencies.to_offset(freq) if freq is not None else None
    except (ValueError, TypeError) as exc:
        raise LandassetValueError(
            f"{freq!r} is not a pandas frequency; use an offset alias such as {examples} "
            f"(pandas said: {exc})"
        ) from exc
    if step is None or step.n <= 0:
        raise LandassetValueError(
            f"freq={freq!r} does not step forward in time; use an offset alias such as {examples}"
        )
    return step


def _stage_list(stages: str | Sequence[str]) -> list[str]:
    order = stage_order()
    items = [stages] if isinstance(stages, str) else list(stages)
    chosen = []
    for item in items:
        value = getattr(item, "value", item)  # a Stage member gives its id
        if not isinstance(value, str) or value not in order:
            raise LandassetValueError(
                f"{item!r} in stages is not a lifecycle stage; use one of: "
                + ", ".join(map(repr, order))
            )
        chosen.append(value)
    return chosen


def plot_timeline(
    ledger: Any,
    parcel_ids: Sequence[str],
    *,
    end: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """A Gantt chart of the stages each parcel went through.

    Parameters
    ----------
    ledger : Ledger or DataFrame
        A :class:`landasset.lifecycle.Ledger` (its ``timeline()``), or a timeline
        table with ``parcel_id``, ``stage``, ``valid_from`` and ``valid_to``.
    parcel_ids : sequence of str
        The parcels, top to bottom.
    end : date-like, optional
        Where open stays (``valid_to`` missing) end; default today.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str, optional
        The chart title.

    Returns
    -------
    matplotlib.axes.Axes
        One bar collection per stage present (``gid="stage_<stage>"``), a legend, and
        a dotted line at ``end``.

    Raises
    ------
    KeyError
        A parcel has no event in the ledger.
    """
    require("matplotlib")
    import matplotlib.dates as mdates
    from matplotlib.collections import PolyCollection

    timeline = ledger if isinstance(ledger, pd.DataFrame) else ledger.timeline()
    ids = [str(p) for p in parcel_ids]
    rows = timeline[timeline["parcel_id"].astype(str).isin(ids)].copy()
    missing = sorted(set(ids) - set(rows["parcel_id"].astype(str)))
    if missing:
        raise LandassetKeyError(
            f"no lifecycle events for {missing}; check the ids against ledger.parcel_ids()"
        )
    stop = as_timestamp(end)
    rows["stage"] = rows["stage"].map(lambda s: getattr(s, "value", s)).astype(str)
    rows["valid_to"] = pd.to_datetime(rows["valid_to"]).fillna(stop)
    rows["valid_from"] = pd.to_datetime(rows["valid_from"])
    position = {p: i for i, p in enumerate(ids)}
    ax = new_axes(ax, figsize=(10.0, 0.45 * len(ids) + 1.8))
    with _fonts.context():
        for stage in stage_order():
            part = rows[rows["stage"] == stage]
            if not len(part):
                continue
            x0 = mdates.date2num(part["valid_from"])
            x1 = mdates.date2num(part["valid_to"])
            ys = np.array([position[p] for p in part["parcel_id"].astype(str)], dtype=float)
            boxes = np.stack(
                [
                    np.column_stack([x0, ys - 0.35]),
                    np.column_stack([x1, ys - 0.35]),
                    np.column_stack([x1, ys + 0.35]),
                    np.column_stack([x0, ys + 0.35]),
                ],
                axis=1,
            )
            coll = PolyCollection(
                list(boxes),
                facecolors=STAGE_COLOURS.get(stage, "#9e9e9e"),
                edgecolors="white",
                linewidths=0.5,
                label=stage_label(stage),
            )
            ax.add_collection(coll)
            coll.set_gid(f"stage_{stage}")
        ax.set_yticks(range(len(ids)), ids)
        ax.set_ylim(len(ids) - 0.5, -0.5)
        ax.xaxis_date()
        ax.axvline(mdates.date2num(stop), color="#424242", linestyle=":", linewidth=1)
        lo = rows["valid_from"].min()
        ax.set_xlim(mdates.date2num(lo) - 60, mdates.date2num(stop) + 30)
        ax.spines[["top", "right"]].set_visible(False)
    default = _fonts.label("Lifecycle timeline", "地块生命周期")
    return _finish(ax, title=title or default, loc="upper left", bbox_to_anchor=(1.01, 1.0))
