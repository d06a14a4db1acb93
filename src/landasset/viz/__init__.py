"""Maps, charts, interactive maps and HTML reports (needs ``pip install 'landasset[viz]'``).

Static maps and charts use matplotlib and return the Axes they drew on (pass ``ax=`` to
draw into your own figure); :func:`explore` returns a folium map; :func:`report` writes
one self-contained HTML file. Nothing here is imported by ``import landasset``, and
``import landasset.viz`` itself loads neither matplotlib nor folium: each function
imports what it needs when called, and raises ImportError naming the extra when it is
missing.

Chinese labels are drawn when a CJK font is installed (Noto Sans CJK, Source Han Sans,
WenQuanYi, ...); without one the figures use English labels and ids, so no glyph is
ever missing. :func:`use_cjk_font` lets your own matplotlib figures draw Chinese too.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import landasset as la
>>> from landasset import viz
>>> site = la.sample.load("yunqi")
>>> ax = viz.plot_stage_map(site, site.parcels["stage"], as_of="2025-12-31")
>>> type(ax).__name__
'Axes'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from landasset._lazy import attach

if TYPE_CHECKING:
    from landasset.viz._fonts import use_cjk_font
    from landasset.viz._memo import match_memo
    from landasset.viz._schedule import plot_schedule
    from landasset.viz.charts import plot_explain, plot_pipeline, plot_sensitivity, plot_timeline
    from landasset.viz.interactive import explore
    from landasset.viz.maps import (
        plot_best_fit,
        plot_grades,
        plot_scores,
        plot_site,
        plot_sites,
        plot_stage_map,
    )

# Imported now: it loads neither matplotlib nor folium. (The module has another name
# than the function, so importing the module never hides the function.)
from landasset.viz.html_report import find_external_references, report

__all__ = [
    "explore",
    "find_external_references",
    "match_memo",
    "plot_best_fit",
    "plot_explain",
    "plot_grades",
    "plot_pipeline",
    "plot_schedule",
    "plot_scores",
    "plot_sensitivity",
    "plot_site",
    "plot_sites",
    "plot_stage_map",
    "plot_timeline",
    "report",
    "use_cjk_font",
]

# matplotlib and folium load when one of these is first used
_LAZY = {
    "plot_scores": "landasset.viz.maps",
    "plot_stage_map": "landasset.viz.maps",
    "plot_grades": "landasset.viz.maps",
    "plot_best_fit": "landasset.viz.maps",
    "plot_site": "landasset.viz.maps",
    "plot_sites": "landasset.viz.maps",
    "plot_explain": "landasset.viz.charts",
    "plot_sensitivity": "landasset.viz.charts",
    "plot_pipeline": "landasset.viz.charts",
    "plot_timeline": "landasset.viz.charts",
    "explore": "landasset.viz.interactive",
    "use_cjk_font": "landasset.viz._fonts",
    "plot_schedule": "landasset.viz._schedule",
    "match_memo": "landasset.viz._memo",
}

__getattr__, __dir__ = attach(__name__, _LAZY)
