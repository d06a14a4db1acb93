"""One self-contained HTML report of a district: summary, scores, lifecycle, per-mu grades.

The file opens anywhere, offline, and can be mailed or archived as it is: no script,
no style sheet, font or image is loaded from elsewhere. Maps and charts are embedded as
PNG ``data:`` URIs (matplotlib's SVG would carry ``http://www.w3.org/...`` namespace
URLs), the style sheet is inline, and every piece of text taken from the data is
HTML-escaped, so a name such as ``<img src=x onerror=...>`` is shown as text.
:func:`find_external_references` checks a page's markup (tags, attributes and style
sheets, never the text); :func:`report` runs it on its own output before writing and
refuses to write a page that fails. The file is written atomically: a failed write
leaves an existing report as it was.

Examples
--------
>>> import tempfile, pathlib
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import landasset as la
>>> site = la.sample.load("yunqi")
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = report(site, as_of="2025-12-31", path=pathlib.Path(tmp) / "report.html")
...     page = path.read_text(encoding="utf-8")
>>> find_external_references(page)
[]
>>> "District summary" in page
True
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import errno
import html
import io
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from landasset._compat import renamed
from landasset._errors import LandassetError, LandassetIOError, RetiredParcelsWarning
from landasset._vocab import MU_M2, stage_bilingual
from landasset.viz._common import (
    as_timestamp,
    drop_retired,
    require,
    stage_order,
    stages_of,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from landasset.site import Site
    from landasset.suitability import SuitabilityModel

__all__ = ["find_external_references", "report"]


# -- checking --------------------------------------------------------------------------------

_SCHEME_URL = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(?!["']?\s*(?:data:|#))""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)
_DATA_URI = re.compile(r"data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)
#: Attributes whose value the browser loads (or navigates to).
_RESOURCE_ATTRIBUTES = frozenset(
    {
        "src",
        "href",
        "srcset",
        "poster",
        "action",
        "formaction",
        "background",
        "xlink:href",
        "data",
        "manifest",
        "ping",
        "codebase",
        "archive",
        "lowsrc",
        "dynsrc",
    }
)
#: Elements that run or embed other content whatever their attributes.
_ACTIVE_TAGS = frozenset({"script", "iframe", "frame", "object", "embed", "applet", "base"})


def _snippet(text: str, start: int, end: int) -> str:
    return text[max(start - 10, 0) : min(end + 20, len(text))]


class _ResourceFinder(HTMLParser):
    """Collect what in a page's markup could load or run something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def _add(self, what: str, context: str) -> None:
        self.found.append(f"{what}: {context}")

    def _css(self, css: str, context: str | None = None) -> None:
        css = _DATA_URI.sub("data:", css)
        for what, pattern in (
            ("absolute URL", _SCHEME_URL),
            ("CSS url()", _CSS_URL),
            ("CSS @import", _CSS_IMPORT),
        ):
            for match in pattern.finditer(css):
                self._add(what, context or _snippet(css, match.start(), match.end()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        context = (self.get_starttag_text() or f"<{tag}>")[:60]
        if tag in _ACTIVE_TAGS:
            self._add("script" if tag == "script" else f"<{tag}> element", context)
        if tag == "meta" and any(
            n == "http-equiv" and (v or "").strip().lower() == "refresh" for n, v in attrs
        ):
            self._add("meta refresh", context)
        for name, raw in attrs:
            value = _DATA_URI.sub("data:", (raw or "").strip())
            if name.startswith("on"):
                self._add("event handler attribute", context)
            elif name == "style":
                self._css(value, context)
            elif _SCHEME_URL.search(value):
                self._add("absolute URL", context)
            elif name in _RESOURCE_ATTRIBUTES:
                lowered = value.lower()
                if lowered.startswith("javascript:"):
                    self._add("script", context)
                elif value.startswith(("//", "\\\\")):
                    self._add("protocol-relative or path reference", context)
                elif value and not lowered.startswith(("data:", "#")):
                    self._add("attribute loading a resource", context)
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:  # a style sheet is markup; the page's text is not
            self._css(data)

    def handle_pi(self, data: str) -> None:
        self._add("processing instruction", f"<?{data[:50]}")


def find_external_references(page: str) -> list[str]:
    """Everything in an HTML page's markup that could load something from elsewhere.

    The page is parsed (:class:`html.parser.HTMLParser`) and only its markup is
    checked — tags, attributes and style sheets, never the text a reader sees, so
    escaped text such as ``src=x.png`` or ``https://…`` in a name is not a finding.
    A finding is: an element that runs or embeds content (``<script>``,
    ``<iframe>``, ``<object>``, ``<embed>``, ``<base>``), an event handler
    attribute (``onerror=``, ...), a ``scheme://`` URL in any attribute, a resource
    attribute (``src``, ``href``, ``srcset``, ``poster``, ``action``, ...) other
    than a base64 ``data:`` URI or a ``#anchor``, a ``javascript:`` URL, a
    ``<meta http-equiv="refresh">``, and in style sheets and ``style`` attributes a
    ``url()`` to anything but ``data:``/``#``, an ``@import`` or a ``scheme://`` URL.

    Parameters
    ----------
    page : str
        The HTML text.

    Returns
    -------
    list of str
        One entry per finding, ``"<what>: <the tag or CSS around it>"``; empty
        when the page is self-contained.

    Examples
    --------
    >>> find_external_references('<img src="data:image/png;base64,iVBO//w==">')
    []
    >>> find_external_references('<img src="//cdn.example.org/x.png">')[0]
    'protocol-relative or path reference: <img src="//cdn.example.org/x.png">'
    >>> find_external_references("<p>&lt;img src=x.png&gt; see https://example.org</p>")
    []
    """
    finder = _ResourceFinder()
    finder.feed(page)
    finder.close()
    return finder.found


# -- HTML building blocks ------------------------------------------------------------------------


def _esc(value: Any) -> str:
    """HTML-escaped text with ``/`` as ``&#47;`` (so data can never form ``//``)."""
    return html.escape(str(value)).replace("/", "&#47;")


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "✓" if value else ""
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return "" if np.isnan(value) else ("∞" if value > 0 else "−∞")
        return f"{value:,.{digits}f}"
    if isinstance(value, (pd.Timestamp, dt.date)):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _table(
    frame: pd.DataFrame,
    *,
    index: str | None = None,
    digits: dict[str, int] | None = None,
    numeric: Iterable[str] = (),
) -> str:
    """An HTML table of ``frame`` (index first when ``index`` names it)."""
    digits = digits or {}
    columns = list(frame.columns)
    right = {c for c in columns if pd.api.types.is_numeric_dtype(frame[c])} | set(numeric)
    head = "".join(f"<th>{_esc(c)}</th>" for c in ([index] if index else []) + columns)
    values = {c: frame[c].tolist() for c in columns}  # per column: no upcasting across a row
    rows = []
    for i, ident in enumerate(frame.index):
        cells = [f"<td>{_esc(_fmt(ident))}</td>"] if index else []
        for c in columns:
            cls = ' class="num"' if c in right else ""
            cells.append(f"<td{cls}>{_esc(_fmt(values[c][i], digits.get(c, 2)))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    if not rows:
        return '<p class="note">none</p>'
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _figure_html(draw: Callable[[Axes], Any], *, figsize: tuple[float, float], alt: str) -> str:
    """Draw on a fresh (non-pyplot) figure and embed it as a PNG data URI."""
    require("matplotlib", what="report")
    from matplotlib.figure import Figure

    fig: Figure = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    draw(ax)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", facecolor="white")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<figure><img alt="{_esc(alt)}" src="data:image/png;base64,{data}"></figure>'


def _section(anchor: str, title: str, body: Sequence[str]) -> tuple[str, str, str]:
    return anchor, title, f'<section id="{anchor}"><h2>{_esc(title)}</h2>{"".join(body)}</section>'


_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
"WenQuanYi Zen Hei",system-ui,sans-serif;margin:0;color:#212121;background:#fafafa}
header{background:#263238;color:#fff;padding:18px 32px}
header h1{margin:0 0 4px 0;font-size:24px}
header p{margin:0;color:#cfd8dc}
nav{padding:8px 32px;background:#eceff1;font-size:14px}
nav a{margin-right:18px;color:#37474f}
main{padding:8px 32px 40px 32px;max-width:1200px}
section{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:8px 20px 16px 20px;
margin:18px 0}
h2{font-size:20px;border-bottom:2px solid #d4a017;padding-bottom:4px}
h3{font-size:16px;margin-top:20px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #e0e0e0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}
td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:8px 0}
figure img{max-width:100%;height:auto;border:1px solid #eeeeee}
.note{color:#616161;font-size:13px}
.flag{color:#b71c1c;font-weight:bold}
.scroll{overflow-x:auto}
.grid{display:flex;flex-wrap:wrap;gap:12px}
.grid > div{flex:1 1 420px}
footer{color:#757575;font-size:12px;padding:0 32px 24px 32px}
"""


def _page(title: str, subtitle: str, sections: Sequence[tuple[str, str, str]]) -> str:
    nav = "".join(f'<a href="#{anchor}">{_esc(name)}</a>' for anchor, name, _ in sections)
    body = "".join(html_ for _, _, html_ in sections)
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{_esc(title)}</h1><p>{_esc(subtitle)}</p></header>"
        f"<nav>{nav}</nav><main>{body}</main>"
        f"<footer>Generated by landasset on {_esc(generated)}. Maps in the site's CRS; "
        "areas in mu (亩, 1 mu = 2000&#47;3 m²), floor areas in m².</footer>"
        "</body></html>\n"
    )


# -- sections ------------------------------------------------------------------------------------------


def _retired_note(n: int) -> str:
    s = "s" if n != 1 else ""
    return (
        f'<p class="note">{n:,} retired parcel{s} (the parents of a split or a merge) '
        "left out of the maps and tables: their land belongs to their children. "
        "已注销地块未计入。</p>"
    )


def _summary_section(
    site: Site, when: pd.Timestamp, stages: pd.Series | None
) -> tuple[str, str, str]:
    from landasset.viz.maps import plot_site

    table = site.summary()
    shown = table[["rows", "geometry_types", "area_mu", "gfa_m2"]].rename(
        columns={"geometry_types": "geometry", "area_mu": "area (mu 亩)", "gfa_m2": "GFA (m²)"}
    )
    parcels, n_retired = drop_retired(site.parcels, stages, when)
    area_mu = (
        float(parcels.geometry.area.sum() / MU_M2)
        if n_retired
        else float(table["area_mu"].get("parcels", np.nan))
    )
    gfa_m2 = float(table["gfa_m2"].get("buildings", np.nan))
    facts = [
        f"{len(parcels):,} parcels (地块), {area_mu:,.0f} mu",
        f"{len(site.buildings):,} buildings, {gfa_m2:,.0f} m² floor area",
        f"{len(site.enterprises):,} enterprises (企业)",
    ]
    if len(site.stations) and "opening_date" in site.stations.columns:
        opening = pd.to_datetime(site.stations["opening_date"], errors="coerce")
        planned = int((opening > when).sum())
        facts.append(f"{len(site.stations)} stations, {planned} planned after {when:%Y-%m-%d}")
    if "zone" in parcels.columns:
        area = (parcels.geometry.area / MU_M2).groupby(parcels["zone"].astype(str)).sum()
        facts.append("zones: " + ", ".join(f"{z} {a:,.0f} mu" for z, a in area.items()))
    issues = site.report.summary()
    body = [
        "<ul>" + "".join(f"<li>{_esc(f)}</li>" for f in facts) + "</ul>",
        f'<p class="note">CRS {_esc(site.crs.to_string())} ({_esc(site.crs.name)}); validation: {_esc(issues)}</p>',
        _figure_html(
            lambda ax: plot_site(site, as_of=when, stages=stages, ax=ax),
            figsize=(11, 8),
            alt="district overview map",
        ),
        _table(shown, index="layer", digits={"area (mu 亩)": 1, "GFA (m²)": 0}),
    ]
    if n_retired:
        body.insert(1, _retired_note(n_retired))
        body.append(
            '<p class="note">The layer table counts every row of the layers as stored, '
            "retired parcels included.</p>"
        )
    return _section("summary", "District summary 片区概况", body)


def _top_contributions(result: pd.DataFrame, parcel_ids: Sequence[Any], n: int = 3) -> list[str]:
    columns = [c for c in result.columns if isinstance(c, str) and c.startswith("c_")]
    raws = {c[2:]: f"m_{c[2:]}" for c in columns}
    out = []
    for pid in parcel_ids:
        row = result.loc[pid]
        values = pd.to_numeric(row[columns], errors="coerce").astype(float)
        if values.isna().all():
            out.append("")
            continue
        top = values.sort_values(ascending=False).head(n)
        parts = []
        for column, value in top.items():
            name = str(column)[2:]
            raw = row.get(raws[name]) if raws[name] in result.columns else None
            raw_text = (
                f" (raw {_fmt(raw, 1)})"
                if isinstance(raw, (int, float, np.number)) and np.isfinite(raw)
                else ""
            )
            parts.append(f"{name} +{value:.3f}{raw_text}")
        out.append("; ".join(parts))
    return out


def _model_spec(model: Any) -> list[str]:
    weights = model.criterion_weights
    rows = []
    for c in model.criteria:
        rows.append(
            {
                "criterion": c.name,
                "measure": getattr(c, "label", ""),
                "transform": c.transform.describe()
                if hasattr(c.transform, "describe")
                else repr(c.transform),
                "weight": float(weights[c.name]),
                "rationale": getattr(c, "rationale", ""),
            }
        )
    criteria = pd.DataFrame(rows).set_index("criterion")
    body = [
        f"<p><b>{_esc(model.name)}</b> — {_esc(getattr(model, 'description', ''))}<br>"
        f"method: <b>{_esc(model.method)}</b>"
        + (f", normalisation {_esc(model.normalization)}" if model.method == "topsis" else "")
        + "</p>",
        _table(criteria, index="criterion", digits={"weight": 3}),
    ]
    rules = [getattr(r, "label", str(r)) for r in getattr(model, "constraints", ())]
    body.append(
        "<h3>Constraints 约束条件</h3><ul>"
        + ("".join(f"<li><code>{_esc(r)}</code></li>" for r in rules) or "<li>none</li>")
        + "</ul>"
    )
    ahp = getattr(model, "ahp_result", None)
    if ahp is not None:
        verdict = "consistent (CR ≤ 0.1)" if ahp.consistent else "NOT consistent (CR > 0.1)"
        facts = pd.DataFrame(
            {
                "value": [
                    f"{ahp.lambda_max:.3f}",
                    f"{ahp.ci:.4f}",
                    f"{ahp.cr:.4f}",
                    verdict,
                ]
            },
            index=["λmax", "CI", "CR", "verdict"],
        )
        body.append("<h3>AHP consistency 层次分析一致性</h3>" + _table(facts, index="statistic"))
        if not ahp.consistent:
            body.append(f'<p class="flag">{_esc(ahp.describe_worst())}</p>')
    return body


def _suitability_sections(
    site: Site, model: Any, ledger: Any, stages: pd.Series | None, when: pd.Timestamp, top: int
) -> list[tuple[str, str, str]]:
    from landasset.viz.charts import plot_explain
    from landasset.viz.maps import plot_scores

    score_kw: dict[str, Any] = {"as_of": when.date()}
    if ledger is not None:
        score_kw["stages"] = ledger
    with warnings.catch_warnings():
        # the report says itself how many retired parcels it leaves out
        warnings.simplefilter("ignore", RetiredParcelsWarning)
        scored = model.score(site, **score_kw)
    result, n_retired = drop_retired(scored, stages, when)
    n_retired += len(scored.attrs.get("retired", ()))
    ranked = result[result["rank"].notna()].sort_values("rank", kind="stable")
    head = ranked.head(top)
    area = head.geometry.area / MU_M2
    table = pd.DataFrame(
        {
            "rank": head["rank"].astype("int64"),
            "score": head["score"].astype(float),
            "area (mu)": area.astype(float),
            "land use": head["land_use"] if "land_use" in head.columns else "",
            "zone": head["zone"] if "zone" in head.columns else "",
            "why (top contributions)": _top_contributions(result, list(head.index)),
        },
        index=head.index,
    )
    excluded = (
        result.loc[~result["eligible"].astype(bool), "excluded_by"].astype(str).value_counts()
    )
    counts = (
        f"{int(result['eligible'].sum()):,} of {len(result):,} parcels eligible; "
        f"{len(ranked):,} ranked."
        + (f" {n_retired:,} retired parcels left out." if n_retired else "")
    )
    body = [
        f"<p>{_esc(counts)}</p>",
        _figure_html(
            lambda ax: plot_scores(scored, site=site, as_of=when, stages=stages, ax=ax),
            figsize=(11, 8),
            alt=f"{model.name} suitability map",
        ),
        f"<h3>Top {len(head)} parcels 适宜地块前{len(head)}名</h3>",
        _table(table, index="parcel_id", digits={"score": 3, "area (mu)": 1}),
    ]
    if len(excluded):
        frame = excluded.rename("parcels").to_frame()
        body.append("<h3>Excluded by 排除原因</h3>" + _table(frame, index="rule"))
    if len(head):
        best = head.index[0]
        body.append(f"<h3>Why {_esc(best)} ranks first</h3>")
        body.append(
            _figure_html(
                lambda ax: plot_explain(model, result, best, ax=ax),
                figsize=(9, 0.45 * len(model.criteria) + 1.8),
                alt=f"explanation of {best}",
            )
        )
    sections = [_section("suitability", f"Suitability: {model.name} 产业适宜性评价", body)]
    sections.append(_section("model", "Model specification 模型说明", _model_spec(model)))
    return sections


def _lifecycle_section(
    site: Site, ledger: Any, evaluation: pd.DataFrame | None, when: pd.Timestamp
) -> tuple[str, str, str]:
    from landasset.viz.charts import plot_pipeline
    from landasset.viz.maps import plot_stage_map

    stages = stages_of(ledger, when)
    n_retired = int((stages == "retired").sum())
    stages = stages[stages != "retired"]
    area = site.parcels.geometry.area / MU_M2
    area.index = area.index.astype(str)
    per_stage = pd.DataFrame(
        {
            "parcels": stages.value_counts(),
            "area (mu)": area.reindex(stages.index).groupby(stages.to_numpy()).sum(),
        }
    ).fillna(0)
    per_stage = per_stage.reindex([s for s in stage_order() if s in per_stage.index])
    per_stage.index = [stage_bilingual(s) for s in per_stage.index]
    start = when - pd.DateOffset(years=3)
    body = [
        '<div class="grid"><div>',
        _figure_html(
            lambda ax: plot_stage_map(site, ledger, as_of=when, ax=ax),
            figsize=(11, 8),
            alt="stage map",
        ),
        "</div></div>",
        _table(per_stage.astype({"parcels": "int64"}), index="stage", digits={"area (mu)": 1}),
        _retired_note(n_retired) if n_retired else "",
        "<h3>Pipeline over three years 三年用地流转</h3>",
        _figure_html(
            lambda ax: plot_pipeline(ledger, site, start=start, end=when, ax=ax),
            figsize=(11, 5),
            alt="pipeline by stage",
        ),
    ]
    if not isinstance(ledger, pd.Series):
        from landasset.lifecycle import kpi

        idle = kpi.idle_land(ledger, as_of=when.date())
        body.append("<h3>Idle-land risk 闲置土地风险</h3>")
        body.append(
            '<p class="note">Supplied land not started: a fee of up to 20 % of the price is due one '
            "year past the agreed start, repossession after two years (城市房地产管理法 §26).</p>"
        )
        body.append(
            _table(idle, index="parcel_id", digits={"price_10k_cny": 0, "fee_due_10k_cny": 0})
        )
        from landasset.efficiency import by_parcel

        grades = by_parcel(evaluation, site.parcels) if evaluation is not None else None
        low = kpi.low_efficiency(ledger, site, as_of=when.date(), evaluation=grades)
        counts = pd.DataFrame(
            {
                "category": [v[0] for v in kpi.LOW_EFFICIENCY.values()],
                "parcels": [
                    int(low[c].sum()) if c in low.columns else 0 for c in kpi.LOW_EFFICIENCY
                ],
                "area (mu)": [
                    float(low.loc[low[c].astype(bool), "area_mu"].sum())
                    if c in low.columns
                    else 0.0
                    for c in kpi.LOW_EFFICIENCY
                ],
            },
            index=[v[1] for v in kpi.LOW_EFFICIENCY.values()],
        )
        body.append("<h3>Low-efficiency land 低效用地 (five categories)</h3>")
        body.append(_table(counts, index="category (en)", digits={"area (mu)": 1}))
    return _section("lifecycle", "Lifecycle 全生命周期", body)


def _efficiency_section(
    site: Site,
    evaluation: pd.DataFrame,
    ledger: Any,
    stages: pd.Series | None,
    when: pd.Timestamp,
) -> tuple[str, str, str]:
    from landasset.viz.maps import plot_grades

    grades = [str(g) for g in (evaluation.attrs.get("grades") or ["A", "B", "C", "D"])]
    graded = evaluation[evaluation["grade"].notna()]
    land = (
        pd.to_numeric(graded["land_mu"], errors="coerce") if "land_mu" in graded.columns else None
    )
    table = pd.DataFrame(
        {
            "enterprises": graded["grade"].astype(str).value_counts().reindex(grades, fill_value=0),
            "land (mu)": (
                land.groupby(graded["grade"].astype(str)).sum().reindex(grades, fill_value=0.0)
                if land is not None
                else np.nan
            ),
        }
    )
    not_graded = int(evaluation["grade"].isna().sum())
    scheme = evaluation.attrs.get("scheme", "")
    year = evaluation.attrs.get("year", "")
    body = [
        f"<p>Scheme <b>{_esc(scheme)}</b>, year {_esc(year)}: {len(graded):,} enterprises graded, "
        f"{not_graded:,} not graded (reasons in the evaluation's <code>reasons</code> column).</p>",
        _figure_html(
            lambda ax: plot_grades(evaluation, site.parcels, site=site, stages=stages, ax=ax),
            figsize=(11, 8),
            alt="grade map",
        ),
        _table(table, index="grade", digits={"land (mu)": 1}),
    ]
    from landasset import efficiency

    # a ledger, or stages given as a Series; without either, the parcels' own stage
    # column (or "has graded tenants") decides
    candidates = efficiency.renewal_candidates(
        site, evaluation, ledger=ledger, as_of=when.date() if ledger is not None else None
    )
    candidates, _ = drop_retired(candidates, stages, when)
    body.append("<h3>Renewal candidates 腾笼换鸟候选</h3>")
    wanted = [
        "zone",
        "stage",
        "area_mu",
        "tenants",
        "worst_grade_tenants",
        "gain_10k_cny",
        "reasons",
    ]
    shown = candidates[[c for c in wanted if c in candidates.columns]].head(30)
    body.append(
        f'<p class="note">{len(candidates):,} candidates, {candidates["area_mu"].sum():,.1f} mu; '
        "ranked by the yearly gain (10k CNY) if the parcel reached the park median.</p>"
        if len(candidates) and "area_mu" in candidates.columns
        else ""
    )
    body.append(_table(shown, index="parcel_id", digits={"area_mu": 1, "gain_10k_cny": 0}))
    return _section("efficiency", "Per-mu efficiency 亩均效益", body)


# -- entry point -----------------------------------------------------------------------------------


def report(
    site: Site,
    *,
    model: SuitabilityModel | None = None,
    ledger: Any = None,
    evaluation: pd.DataFrame | None = None,
    as_of: Any = None,
    path: str | Path,
    title: str | None = None,
    top_k: int = 20,
    overwrite: bool = False,
    top: int | None = None,
) -> Path:
    """Write one self-contained HTML report of a district.

    Sections appear for what is given: the district summary always; with ``model``
    the score map, the top parcels with their main contributions, the explanation of
    the best parcel and the model's specification (criteria, weights, constraints and,
    for AHP weights, λmax, CI and CR); with ``ledger`` the stage map, the stages
    table, the three-year pipeline, idle land and the five low-efficiency categories;
    with ``evaluation`` the per-mu grade map, the grade table and the renewal
    candidates.

    Parameters
    ----------
    site : Site
        The district.
    model : SuitabilityModel, optional
        Scored on ``site`` as of ``as_of``.
    ledger : Ledger or Series, optional
        A :class:`landasset.lifecycle.Ledger`, or a Series of stages by ``parcel_id``
        (then only the stage map, table and pipeline are shown). Retired parcels
        (the parents of a split or a merge) are left out of every map and table,
        and the report says how many.
    evaluation : DataFrame, optional
        :func:`landasset.efficiency.evaluate`'s result.
    as_of : date-like, optional
        The date the report describes (default today).
    path : str or Path
        The ``.html`` (or ``.htm``) file to write; its folder must exist. The page is
        written to a temporary file that replaces ``path`` once complete.
    title : str, optional
        Default ``"landasset report — <as_of>"``.
    top_k : int, default 20
        Rows of the top-parcels table.
    overwrite : bool, default False
        Replace an existing file at ``path``.
    top : int, optional
        Deprecated spelling of ``top_k`` (FutureWarning); removed in the next release.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    LandassetError
        The page would reference something outside itself (a defect: please report
        it); nothing is written.
    LandassetIOError
        ``path`` is not an ``.html`` file, it exists and ``overwrite`` is False, its
        folder does not exist (all checked before any work), or the file could not
        be written (full disk, read-only folder); an existing report at ``path`` is
        left as it was.
    ImportError
        matplotlib is not installed (``pip install 'landasset[viz]'``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import landasset as la
    >>> from landasset import viz
    >>> from landasset.suitability import load_profile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = viz.report(la.sample.load("yunqi"), model=load_profile("ai"),
    ...                   as_of="2025-12-31", path=pathlib.Path(tmp.name) / "yunqi.html")
    >>> html = path.read_text(encoding="utf-8")
    >>> "XH120" in html, viz.find_external_references(html)
    (True, [])
    >>> tmp.cleanup()
    """
    top_k = renamed(top, top_k, old="top", new="top_k", where="report")
    path = Path(path)
    _check_report_path(path, overwrite=overwrite)
    require("matplotlib", what="report")
    when = as_timestamp(as_of)
    # retired parcels (split or merged parents) are left out of every map and table
    stages = stages_of(ledger, when) if ledger is not None else None
    sections = [_summary_section(site, when, stages)]
    if model is not None:
        sections += _suitability_sections(site, model, ledger, stages, when, top_k)
    if ledger is not None:
        sections.append(_lifecycle_section(site, ledger, evaluation, when))
    if evaluation is not None:
        sections.append(_efficiency_section(site, evaluation, ledger, stages, when))
    heading = title or f"landasset report — {when:%Y-%m-%d}"
    subtitle = f"District report as of {when:%Y-%m-%d} 片区报告"
    page = _page(heading, subtitle, sections)
    problems = find_external_references(page)
    if problems:
        raise LandassetError(
            "the report would reference content outside the file, so it was not written: "
            + "; ".join(problems[:3])
            + " — this is a landasset defect, please report it"
        )
    write_atomically(path, page.encode("utf-8"))
    return path


def _check_report_path(path: Path, *, overwrite: bool) -> None:
    """Refuse a report path before any work: not .html, existing, or no folder."""
    if path.suffix.lower() not in (".html", ".htm"):
        raise LandassetIOError(f"{path.name} is not an .html file; name the report *.html")
    if path.exists() and not overwrite:
        raise LandassetIOError(
            f"{path} exists; pass overwrite=True to replace it (CLI: --overwrite)"
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise LandassetIOError(f"folder {folder} does not exist; create it first")


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    The bytes go to a hidden temporary file, are flushed to disk, and the file is
    renamed over ``path`` (:func:`os.replace`, atomic on one file system). Whatever
    fails — a full disk, a read-only folder, an exception — the temporary file is
    removed and an existing ``path`` is left byte for byte as it was.

    Raises
    ------
    LandassetIOError
        The file could not be written (the message says why and what to do).
    """
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise LandassetIOError(f"folder {folder} does not exist; create it first")
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else None
    except OSError:
        mode = None
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise LandassetIOError(
            f"cannot write {path}: {exc.strerror or exc}; "
            "choose a folder you can write to (nothing was changed)"
        ) from exc
    tmp = Path(name)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view[: 1 << 20])
                view = view[written:]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            hint = (
                "free some disk space"
                if exc.errno in (errno.ENOSPC, errno.EDQUOT)
                else "check the folder's permissions and free space"
            )
            raise LandassetIOError(
                f"could not write {path}: {exc.strerror or exc}; {hint} and try again "
                f"({'the existing file is unchanged' if path.exists() else 'nothing was written'})"
            ) from exc
        raise
