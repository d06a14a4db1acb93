"""A Gantt chart of the forward schedule: actual, planned and contract bars per parcel."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from landasset._errors import LandassetKeyError, SchemaError
from landasset.viz import _fonts
from landasset.viz._common import new_axes, require

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_schedule"]

_MILESTONES = ("supply", "permit", "start", "completion", "operation")
_COLOURS = {"actual": "#37474f", "planned": "#90caf9", "contract": "none"}
_LABELS = {
    "actual": ("actual", "实际"),
    "planned": ("planned", "计划"),
    "contract": ("contract", "合同约定"),
}


def _boxes(x0: np.ndarray, x1: np.ndarray, y0: np.ndarray, y1: np.ndarray) -> list[Any]:
    return list(
        np.stack(
            [
                np.column_stack([x0, y0]),
                np.column_stack([x1, y0]),
                np.column_stack([x1, y1]),
                np.column_stack([x0, y1]),
            ],
            axis=1,
        )
    )


def plot_schedule(
    schedule: pd.DataFrame,
    *,
    parcels: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """A Gantt chart of planned vs contract vs actual dates, one row per parcel.

    Each step between two milestones (supply → permit → start → completion →
    operation) is a bar: dark when its end is recorded (``actual``), light when it is
    planned (contract, policy or typical basis). A hollow bar under it spans the
    contract's agreed start to agreed completion. A dotted line marks the schedule's
    ``as_of``.

    Parameters
    ----------
    schedule : DataFrame
        The result of :func:`landasset.lifecycle.forward_schedule`.
    parcels : sequence of str, optional
        The parcels to draw, top to bottom (default: every row of ``schedule``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str, optional
        The chart title.

    Returns
    -------
    matplotlib.axes.Axes
        Three bar collections, ``gid`` ``schedule_actual``, ``schedule_planned`` and
        ``schedule_contract`` (one bar per step or contract), and a legend.

    Raises
    ------
    SchemaError
        ``schedule`` lacks the ``<milestone>_date`` / ``_basis`` columns.
    KeyError
        A parcel is not in ``schedule``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from landasset.lifecycle import forward_schedule
    >>> from landasset.viz import plot_schedule
    >>> plan = forward_schedule(pd.Series({"A": "reserved"}), as_of="2025-12-31")
    >>> ax = plot_schedule(plan)
    >>> [len(c.get_paths()) for c in ax.collections]  # actual, planned, contract
    [0, 4, 0]
    """
    require("matplotlib")
    import matplotlib.dates as mdates
    from matplotlib.collections import PolyCollection

    needed = [f"{m}_{k}" for m in _MILESTONES for k in ("date", "basis")]
    missing = [c for c in needed if c not in schedule.columns]
    if missing:
        raise SchemaError(
            f"schedule lacks {missing}; give the table of landasset.lifecycle.forward_schedule"
        )
    ids = [str(p) for p in (schedule.index if parcels is None else parcels)]
    frame = schedule.copy()
    frame.index = frame.index.astype(str)
    unknown = [p for p in ids if p not in frame.index]
    if unknown:
        raise LandassetKeyError(f"parcels {unknown[:10]} are not in the schedule")
    frame = frame.loc[ids]
    y = np.arange(len(ids), dtype=float)
    bars: dict[str, list[Any]] = {"actual": [], "planned": [], "contract": []}
    for first, second in pairwise(_MILESTONES):
        x0 = pd.to_datetime(frame[f"{first}_date"])
        x1 = pd.to_datetime(frame[f"{second}_date"])
        ok = (x0.notna() & x1.notna()).to_numpy()
        done = (frame[f"{second}_basis"] == "actual").to_numpy()
        for kind, mask in (("actual", ok & done), ("planned", ok & ~done)):
            if mask.any():
                bars[kind] += _boxes(
                    mdates.date2num(x0[mask]),
                    mdates.date2num(x1[mask]),
                    y[mask] - 0.35,
                    y[mask] + 0.05,
                )
    if {"agreed_start", "agreed_completion"} <= set(frame.columns):
        a0 = pd.to_datetime(frame["agreed_start"])
        a1 = pd.to_datetime(frame["agreed_completion"])
        ok = (a0.notna() & a1.notna()).to_numpy()
        if ok.any():
            bars["contract"] += _boxes(
                mdates.date2num(a0[ok]), mdates.date2num(a1[ok]), y[ok] + 0.1, y[ok] + 0.35
            )
    ax = new_axes(ax, figsize=(10.0, 0.5 * len(ids) + 1.8))
    with _fonts.context():
        for kind, boxes in bars.items():
            coll = PolyCollection(
                boxes,
                facecolors=_COLOURS[kind],
                edgecolors="#e65100" if kind == "contract" else "white",
                linewidths=1.0 if kind == "contract" else 0.5,
                label=_fonts.label(*_LABELS[kind]),
            )
            coll.set_gid(f"schedule_{kind}")
            ax.add_collection(coll)
        ax.set_yticks(range(len(ids)), ids)
        ax.set_ylim(len(ids) - 0.5, -0.5)
        ax.xaxis_date()
        every = [b[:, 0] for boxes in bars.values() for b in boxes]
        as_of = schedule.attrs.get("as_of")
        if as_of is not None:
            ax.axvline(mdates.date2num(pd.Timestamp(as_of)), color="#424242", linestyle=":")
        if every:
            xs = np.concatenate(every)
            ax.set_xlim(xs.min() - 60, xs.max() + 60)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(title or _fonts.label("Forward schedule", "开发计划"))
        if len(ids):
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _fonts.style_axes(ax)
    return ax
