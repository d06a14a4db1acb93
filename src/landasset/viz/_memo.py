"""A one-page memo of a project match for the investment committee (招商决策备忘).

:func:`match_memo` writes one self-contained HTML page (the map embedded as a PNG,
nothing loaded from elsewhere, checked with :func:`find_external_references`): the
project and its demand, the top candidates on a map, and for each one its conditions
(pass, fail, not stated, not applicable — with the reason of each failure), its
suitability score and the criteria that make it, the fiscal appraisal and the
schedule (delivery against the wanted date, the committed year of full production).

Examples
--------
>>> import tempfile, pathlib
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import landasset as la
>>> from landasset import viz
>>> site = la.sample.load("yunqi")
>>> with la.Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
...     result = la.match(la.load_project("ai_office"), site, as_of="2025-12-31",
...                       stages=ledger, limit=5)
>>> tmp = tempfile.TemporaryDirectory()
>>> path = viz.match_memo(result, site, pathlib.Path(tmp.name) / "memo.html", top_k=3)
>>> page = path.read_text(encoding="utf-8")
>>> "ai_office" in page, viz.find_external_references(page)
(True, [])
>>> tmp.cleanup()
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from landasset._errors import LandassetError, LandassetValueError
from landasset.viz._common import require
from landasset.viz.html_report import (
    _check_report_path,
    _esc,
    _figure_html,
    _fmt,
    _page,
    _section,
    _table,
    find_external_references,
    write_atomically,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from landasset.projects import MatchResult
    from landasset.site import Site

__all__ = ["match_memo"]

_STATUS_MARK = {
    "pass": "✓ pass",
    "fail": "✗ fail",
    "not stated": "— not stated",
    "not applicable": "— not applicable",
}
_KIND_ZH = {
    "parcel": "单宗地块 parcel",
    "assembly": "地块组合 assembly",
    "spaces": "存量空间 spaces",
}


def match_memo(
    result: MatchResult,
    site: Site,
    path: str | os.PathLike[str],
    *,
    top_k: int = 5,
    title: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the one-page memo of a match as a self-contained HTML file.

    Parameters
    ----------
    result : MatchResult
        What :func:`landasset.match` returned.
    site : Site
        The district matched (the map's background).
    path : str or path-like
        The ``.html`` file to write (atomically).
    top_k : int, default 5
        How many of the best candidates the memo shows.
    title : str, optional
        The page title (default: the project's name and id).
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    LandassetIOError
        Not an ``.html`` path, an existing file without ``overwrite``, or no folder.
    LandassetValueError
        ``top_k`` is not a whole number ≥ 1.
    ImportError
        matplotlib is missing (``pip install 'landasset[viz]'``).
    """
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise LandassetValueError(f"top_k must be a whole number >= 1, not {top_k!r}")
    path = Path(path)
    _check_report_path(path, overwrite=overwrite)
    require("matplotlib", what="match_memo")
    project = result.project
    shown = result.candidates.iloc[: int(top_k)]
    sections = [_project_section(result), _map_section(result, site, shown)]
    sections += [_candidate_section(result, cid) for cid in shown.index]
    name = f"{project.name} ({project.id})" if project.name else project.id
    heading = title or f"项目选址备忘 Site memo — {name}"
    subtitle = (
        f"Match as of {result.as_of:%Y-%m-%d}: {result.offered.get('candidates', 0):,} "
        f"candidates checked, {result.offered.get('passing', 0):,} pass every condition; "
        f"the best {len(shown)} below"
    )
    page = _page(heading, subtitle, sections)
    problems = find_external_references(page)
    if problems:  # pragma: no cover - a defect guard, as in the district report
        raise LandassetError(
            "the memo would reference content outside the file, so it was not written: "
            + "; ".join(problems[:3])
            + " — this is a landasset defect, please report it"
        )
    write_atomically(path, page.encode("utf-8"))
    return path


def _project_section(result: MatchResult) -> tuple[str, str, str]:
    project = result.project
    demand = result.conditions[["demand"]].rename(columns={"demand": "the project asks"})
    facts = pd.DataFrame(
        {
            "value": [
                project.kind,
                project.industry or "not stated",
                "" if project.wanted_by is None else f"{project.wanted_by:%Y-%m-%d}",
                "" if project.jobs is None else f"{project.jobs:,}",
            ]
        },
        index=["demand kind", "industry profile", "wanted by", "jobs"],
    )
    commitments = pd.DataFrame(
        {
            "value": {
                k: str(v) if isinstance(v, int) else f"{v:,g}"
                for k, v in project.commitments.to_dict().items()
            }
        },
        dtype=object,
    )
    body = [
        f"<p>{_esc(repr(project))}</p>",
        '<div class="grid"><div>',
        _table(facts, index="project"),
        "<h3>Commitments 承诺指标</h3>",
        _table(commitments, index="commitment")
        if len(commitments)
        else '<p class="note">none committed</p>',
        "</div><div><h3>Hard conditions 硬性条件</h3>",
        _table(demand, index="condition"),
        "</div></div>",
    ]
    return _section("project", "Project 项目", body)


def _map_section(result: MatchResult, site: Site, shown: pd.DataFrame) -> tuple[str, str, str]:
    if not len(shown):
        return _section("map", "Map 位置", ['<p class="note">no candidate</p>'])

    def draw(ax: Axes) -> None:
        import geopandas as gpd

        parcels = site.parcels
        frame = gpd.GeoDataFrame(shown, geometry=shown.geometry.name, crs=result.candidates.crs)
        minx, miny, maxx, maxy = frame.total_bounds
        pad = max(maxx - minx, maxy - miny, 200.0) * 0.15
        box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
        near = parcels.cx[box[0] : box[2], box[1] : box[3]]
        near.plot(ax=ax, facecolor="#f5f5f5", edgecolor="#bdbdbd", linewidth=0.4)
        colours = np.where(frame["passes"].to_numpy(dtype=bool), "#1a9641", "#d7191c")
        frame.plot(ax=ax, color=colours, alpha=0.55, edgecolor="#212121", linewidth=0.8)
        for rank, point in zip(frame["rank"], frame.geometry.representative_point(), strict=True):
            ax.annotate(
                str(rank),
                (point.x, point.y),
                ha="center",
                va="center",
                fontsize=10,
                fontweight="bold",
                color="#212121",
            )
        ax.set_xlim(box[0], box[2])
        ax.set_ylim(box[1], box[3])
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title("Top candidates by rank (green: pass every condition; red: fail one or more)")

    figure = _figure_html(draw, figsize=(9.0, 6.0), alt="the top candidates on a map")
    table = shown[["rank", "kind", "passes", "score", "fit", "delivery_date", "npv_10k_cny"]]
    return _section(
        "map",
        "Top candidates 推荐候选",
        [figure, _table(pd.DataFrame(table), index="candidate", digits={"npv_10k_cny": 0})],
    )


def _schedule_table(result: MatchResult, row: pd.Series) -> pd.DataFrame:
    project = result.project
    delivery = row["delivery_date"]
    wanted = project.wanted_by
    margin = (
        ""
        if wanted is None or pd.isna(delivery)
        else f"{(wanted - pd.Timestamp(delivery)).days:+,d} days"
    )
    production = project.commitments.production_year
    items = {
        "stage on the day of the match": row["stage"],
        "delivery (supply, or the unit free)": "" if pd.isna(delivery) else f"{delivery:%Y-%m-%d}",
        "wanted by": "" if wanted is None else f"{wanted:%Y-%m-%d}",
        "margin (wanted − delivery)": margin,
        "full production (达产, committed)": "" if production is None else str(production),
    }
    return pd.DataFrame({"value": list(items.values())}, index=list(items))


def _appraisal_table(row: pd.Series) -> pd.DataFrame:
    labels = {
        "price_10k_cny_per_mu": ("land price", "万元/亩"),
        "price_source": ("price source", ""),
        "land_revenue_10k_cny": ("land revenue", "万元"),
        "cost_10k_cny": ("operator's cost", "万元"),
        "tax_10k_cny_per_mu": ("tax per mu at 达产", "万元/亩"),
        "tax_source": ("tax source", ""),
        "rent_10k_cny_per_year": ("rent, first year", "万元"),
        "npv_10k_cny": ("NPV", "万元"),
        "payback_years": ("payback", "years"),
    }
    rows = []
    for column, (label, unit) in labels.items():
        value = row.get(column)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        text = _fmt(value, 1) if not isinstance(value, str) else value
        rows.append((label, f"{text} {unit}".strip()))
    return pd.DataFrame(rows, columns=["figure", "value"]).set_index("figure")


def _candidate_section(result: MatchResult, candidate_id: Any) -> tuple[str, str, str]:
    row = result.candidates.loc[candidate_id]
    why = result.explain(str(candidate_id))
    size = (
        f"{_fmt(row['floor_area_m2'], 0)} m² (units {row['space_ids']}, building "
        f"{row['building_id']})"
        if row["kind"] == "spaces"
        else f"{_fmt(row['area_mu'], 1)} mu (parcels {row['parcel_ids']})"
    )
    verdict = (
        "<p><strong>Passes every hard condition.</strong></p>"
        if row["passes"]
        else f'<p class="flag">Fails: {_esc(row["failed"])}</p>'
    )
    conditions = why.conditions.assign(status=why.conditions["status"].map(_STATUS_MARK))
    suitability = why.suitability
    if len(suitability):
        suit_cols = [c for c in ("raw", "value", "weight", "contribution") if c in suitability]
        suit_html = _table(
            pd.DataFrame(suitability[suit_cols]), index="criterion", digits={"raw": 1}
        )
    else:
        suit_html = '<p class="note">no industry profile: no suitability score</p>'
    body = [
        f"<p>{_esc(_KIND_ZH.get(str(row['kind']), row['kind']))} — {_esc(size)}; "
        f"suitability score {_esc(_fmt(row['score'], 3))} "
        f"({_esc(row['explanation'] or 'no profile')}), size fit {_esc(_fmt(row['fit'], 2))}</p>",
        verdict,
        "<h3>Conditions 条件</h3>",
        _table(conditions, index="condition"),
        '<div class="grid"><div><h3>Suitability 适宜性</h3>',
        suit_html,
        "</div><div><h3>Appraisal 财政测算</h3>",
        _table(_appraisal_table(row), index="figure"),
        "<h3>Schedule 时间安排</h3>",
        _table(_schedule_table(result, row), index="milestone"),
        "</div></div>",
    ]
    anchor = f"c{int(row['rank'])}"
    return _section(anchor, f"#{int(row['rank'])} {candidate_id}", body)
