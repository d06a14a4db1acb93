"""Write the worked-example notebooks (no stored outputs) from the cells below.

Run ``python notebooks/_build_notebooks.py`` after editing a notebook's cells here; the
``.ipynb`` files are generated, so edit this file rather than the notebooks. The test
suite executes every notebook (``tests/test_notebooks.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """\
import matplotlib.pyplot as plt
import pandas as pd

import landasset as la
from landasset import viz

AS_OF = "2025-12-31"  # the date the sample district describes
site = la.sample.load("yunqi")"""


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip("\n"))


def code(text: str) -> nbformat.NotebookNode:
    return new_code_cell(text.strip("\n"))


NOTEBOOKS: dict[str, list[nbformat.NotebookNode]] = {
    "01_district_overview.ipynb": [
        md("""
# 01 · District overview 片区概况

A first look at a district before any scoring: what layers it has, how much land is in
each use, where the golden axes (金轴) and the metro run, and how far every parcel is
from a station on foot.

We use the bundled **Yunqi / Yungu sample** (云栖小镇 · 云谷): an *illustrative*
district — geometry and figures are invented for teaching — with about 450 parcels, two
golden axes (荆大路, 山景路), a metro line with one planned station, a land reserve of
over 3,000 mu of planned industrial land in 云栖, an aerospace centre with some 200
aerospace firms around it, and an old park due for renewal (腾笼换鸟).
"""),
        code(SETUP + "\nsite"),
        md("""
Every layer was validated on the way in; the report lists each problem with the fix
(none here). `summary()` gives rows, extent, land in mu (亩) and floor area in m².
"""),
        code("""
print(site.report.summary())
site.summary().round(1)
"""),
        md("""
## The district on one map

Parcels by land-use family (用地性质), constraint areas (ecological red line 生态保护红线,
flood zone), the golden axes, the metro and the amenities of daily life. Stations that
open after the map date are drawn hollow, their line dashed.
"""),
        code("""
viz.plot_site(site, as_of=AS_OF);
"""),
        md("""
## Land by zone and use

Operators think of land in mu: 1 mu = 2000/3 m² (15 mu = 1 ha).
"""),
        code("""
from landasset.landuse import land_use_family
from landasset.units import m2_to_mu

parcels = site.parcels.assign(
    family=land_use_family(site.parcels["land_use"]),
    area_mu=m2_to_mu(site.parcels.area),
)
parcels.pivot_table(index="zone", columns="family", values="area_mu", aggfunc="sum", fill_value=0).round(0)
"""),
        md("""
## Metro: open and planned stations

云谷北站 is planned: it counts for walking distance only from its opening date. Every
measure that uses the metro therefore takes an `as_of` date.
"""),
        code("""
site.stations[["name", "line_id", "opening_date"]]
"""),
        md("""
## Walking distance to the metro (步行距离)

Along the street network (not as the crow flies): each parcel is snapped to its nearest
street edge, then one multi-source shortest-path pass runs over the streets. Today, and
once 云谷北站 opens:
"""),
        code("""
from landasset.measures import walk_distance

walk = pd.DataFrame(
    {
        "2025": walk_distance(site.parcels, site.stations, site.streets, as_of=AS_OF),
        "2028": walk_distance(site.parcels, site.stations, site.streets, as_of="2028-06-30"),
    }
)
walk.describe().round(0)
"""),
        code("""
within = (walk <= 800).mean().mul(100).round(1)
print(f"parcels within an 800 m walk of a station: {within['2025']} % today, {within['2028']} % once 云谷北站 opens")
"""),
        md("""
On a map (classes in metres; green = close). `plot_scores` maps any numeric column:
"""),
        code("""
fig, axes = plt.subplots(1, 2, figsize=(18, 6), layout="constrained")
for ax, year, day in zip(axes, ["2025", "2028"], [AS_OF, "2028-06-30"]):
    viz.plot_scores(
        site.parcels.assign(walk_m=walk[year]), column="walk_m", site=site, as_of=day,
        scheme="fixed", bins=[400, 800, 1200, 2000], cmap="RdYlGn_r", ax=ax,
        title=f"walking distance to metro (m), {day}",
    )
"""),
        md("""
## Interactive map

`explore` puts the same layers on a web map (tooltips, layer control, amenities
clustered). Leaflet comes with landasset, so the map draws offline too; there is no
base map unless you ask for one (`tiles="openstreetmap"` or `"amap"`, which need the web).
"""),
        code("""
viz.explore(site, as_of=AS_OF)
"""),
    ],
    "02_site_selection.ipynb": [
        md("""
# 02 · Site selection for an aerospace project 空天信息项目选址

An aerospace-information firm (satellite assembly, integration and test) asks for about
**100 mu**. Which parcels fit, why, how robust is the ranking, which other industries
compete for the same land, and which groups of adjacent parcels make a site?
("land waits for projects" 地等项目).
"""),
        code(SETUP),
        md("""
## The profile

A bundled, reviewable YAML profile: each criterion is a measure, a transform to 0–1,
a weight and a written rationale; constraint rules remove parcels outright.
"""),
        code("""
from landasset.suitability import load_profile

model = load_profile("aerospace")
model
"""),
        md("""
## Score every parcel

`score` returns the parcels with `score` (0–1), `rank` (eligible parcels only),
`eligible`, `excluded_by` (the rule that removed a parcel) and, per criterion, the raw
measure `m_*`, the transformed value `v_*` and the contribution `c_*`.
"""),
        code("""
result = model.score(site, as_of=AS_OF)
print(f"{int(result['eligible'].sum())} of {len(result)} parcels eligible")
result.loc[result["rank"].notna()].sort_values("rank")[["rank", "score", "land_use", "zone"]].head(10)
"""),
        code("""
result["excluded_by"].value_counts()
"""),
        code("""
viz.plot_scores(result, site=site, as_of=AS_OF);
"""),
        md("""
## Why does the best parcel score what it scores?

For the committee: each criterion's raw value, transformed value, weight and
contribution; the contributions add up to the score.
"""),
        code("""
best = result["rank"].idxmin()
table = model.explain(result, best)
print(f"{best}: score {table.attrs['score']:.3f}, sum of contributions {table['contribution'].sum():.3f}")
table[["raw", "value", "weight", "contribution", "criterion_rank"]].round(3)
"""),
        code("""
viz.plot_explain(model, result, best);
"""),
        md("""
And a parcel just outside the top 10: the smallest single change that would bring it in.
"""),
        code("""
eleventh = result.index[result["rank"] == 11][0]
model.what_if(result, eleventh, top_k=10).head(3)
"""),
        md("""
## How robust is the ranking? (敏感性分析)

Weights drawn around the model's weights (Dirichlet), plus leaving each criterion out.
A parcel that stays in the top 10 in most draws is a safe recommendation.
"""),
        code("""
from landasset.suitability import sensitivity

sens = sensitivity(model, site, n=200, top_k=10, as_of=AS_OF)
viz.plot_sensitivity(sens, top_k=15);
"""),
        code("""
sens.leave_one_out.round(3)
"""),
        md("""
## Which industry fits each parcel best? (产业适配)

The four bundled profiles score the same land; `conflict` marks parcels where the
runner-up is within 0.05 of the best — land two industries will compete for.
"""),
        code("""
from landasset.suitability import best_fit, list_profiles

fit = best_fit(site, list_profiles(), as_of=AS_OF)
print(fit["best"].value_counts(dropna=False).to_string())
viz.plot_best_fit(fit, site.parcels, site=site);
"""),
        md("""
## Assemble a 100-mu site (地块组合)

Adjacent eligible parcels grouped until they meet the demand, ranked by area-weighted
score.
"""),
        code("""
from landasset.suitability import assemble

candidates = assemble(result, demand_mu=100, max_parcels=5)
candidates.drop(columns="geometry").head(5).round(3)
"""),
        code("""
viz.plot_sites(candidates, result, site=site);
"""),
        md("""
The same result on an interactive map (hover a parcel for its id, score, rank and main
contributions):
"""),
        code("""
viz.explore(result, site=site, as_of=AS_OF)
"""),
    ],
    "03_lifecycle.ipynb": [
        md("""
# 03 · Lifecycle: reserve → develop → operate 储备—开发—运营

The operator must see at any moment where every parcel stands, what is late and what is
at idle-land risk (闲置土地). The **ledger** is an append-only log of stage changes
kept inside the site's GeoPackage: corrections are new events, nothing is overwritten.
"""),
        code(
            SETUP
            + """
import tempfile
from pathlib import Path

from landasset.lifecycle import Ledger, sample_events

workdir = tempfile.TemporaryDirectory()
ledger = Ledger.open(Path(workdir.name) / "yunqi-ledger.gpkg")
ledger.record_many(sample_events(site))  # a plausible history for every sample parcel
ledger
"""
        ),
        md("""
## One parcel's story

The aerospace centre (XH120205-01): supplied by listing (挂牌出让) in 2022, construction
started in May 2023, accepted and filed (竣工备案) in October 2025, then operating with
its tenants.
"""),
        code("""
ledger.history("XH120205-01")[["stage", "date", "actor"]]
"""),
        md("""
## Stage map on two dates

Where every parcel stood at mid-2023 and at the end of 2025.
"""),
        code("""
fig, axes = plt.subplots(1, 2, figsize=(20, 7), layout="constrained")
viz.plot_stage_map(site, ledger, as_of="2023-06-30", ax=axes[0])
viz.plot_stage_map(site, ledger, as_of=AS_OF, ax=axes[1]);
"""),
        md("""
## The pipeline (用地流转)

Parcels and land per stage on the report date, and the land in each stage quarter by
quarter (operating land left out so the pipeline stays readable).
"""),
        code("""
from landasset.lifecycle import pipeline

pipeline(ledger, site, as_of=AS_OF)
"""),
        code("""
viz.plot_pipeline(ledger, site, start="2021-01-01", end=AS_OF);
"""),
        code("""
viz.plot_timeline(ledger, ["XH120205-01", "XH120304-01", "XH120101-08"], end=AS_OF);
"""),
        md("""
## Idle land (闲置土地)

Supplied land not started: one year past the agreed start a fee of up to 20 % of the
price is due; after two years the land may be repossessed (城市房地产管理法 §26).
"""),
        code("""
from landasset.lifecycle import idle_land

idle_land(ledger, as_of=AS_OF)
"""),
        md("""
## The five low-efficiency categories (低效用地)

批而未供 approved not supplied · 供而未用 supplied not used · 用而未尽 used not fully ·
建而未投 built not in production · 投而未达标 in production below standard (from the
per-mu grades of notebook 04).
"""),
        code("""
from landasset.efficiency import by_parcel, evaluate
from landasset.lifecycle import LOW_EFFICIENCY, low_efficiency

evaluation = evaluate(site.enterprises, site.parcels, year=2025, buildings=site.buildings)
# one grade per parcel: the grade of the tenants holding most of its land
low = low_efficiency(ledger, site, as_of=AS_OF, evaluation=by_parcel(evaluation, site.parcels))
pd.DataFrame(
    {
        "category": [v[0] for v in LOW_EFFICIENCY.values()],
        "parcels": [int(low[c].sum()) for c in LOW_EFFICIENCY],
        "area_mu": [round(float(low.loc[low[c], "area_mu"].sum()), 1) for c in LOW_EFFICIENCY],
    },
    index=list(LOW_EFFICIENCY),
)
"""),
        code("""
ledger.close()
workdir.cleanup()
"""),
    ],
    "04_per_mu_efficiency.ipynb": [
        md("""
# 04 · Per-mu efficiency 亩均效益

Zhejiang judges enterprises and their land by output per mu (亩均论英雄). The scheme —
indicators, weights, grade bands, vetoes and bonuses — is configuration, versioned by
jurisdiction and year. The default follows the provincial pattern: six indicators,
graded A (top 20 %), B (20–80 %), C (80–95 %), D (bottom 5 %).
"""),
        code(
            SETUP
            + """
from landasset import efficiency as eff

scheme = eff.load_scheme("zhejiang-2018")
scheme
"""
        ),
        md("""
## Grade every tenant
"""),
        code("""
evaluation = eff.evaluate(site.enterprises, site.parcels, year=2025, buildings=site.buildings)
print(evaluation["grade"].value_counts(dropna=False).sort_index().to_string())
evaluation[["industry", "land_mu", "tax_per_mu_10k_cny", "score", "grade"]].sort_values("score").head(8).round(2)
"""),
        code("""
viz.plot_grades(evaluation, site.parcels, site=site);
"""),
        md("""
The same tenants under a county scheme with published benchmarks (黄岩 2023) — the
scheme is data, so comparing them is one call:
"""),
        code("""
county = eff.evaluate(site.enterprises, site.parcels, year=2025, buildings=site.buildings, scheme="huangyan-2023")
pd.crosstab(evaluation["grade"], county["grade"], rownames=["zhejiang-2018"], colnames=["huangyan-2023"])
"""),
        md("""
## Land control indicators (土地控制指标)

FAR against the minimum for the tenant's industry, building coverage ≥ 30 %, green
ratio ≤ 20 %, office and living share ≤ 7 %.
"""),
        code("""
indicators = eff.land_indicators(site.parcels, site.buildings, enterprises=site.enterprises)
built = indicators[indicators["gfa_m2"] > 0]
failing = built[built["passes"].eq(False)]  # a missing pass/fail means "cannot tell"
print(f"{len(failing)} of {len(built)} built parcels fail at least one indicator")
failing[["area_mu", "far", "far_min", "coverage", "green_ratio", "fails"]].head(8).round(2)
"""),
        md("""
## Tenant quality: 国高新, 专精特新, leading industries
"""),
        code("""
quality = eff.tenant_quality(site.enterprises, leading_industries=None)
quality["label"].value_counts().head(8)
"""),
        md("""
## Renewal candidates (腾笼换鸟)

Operating parcels whose tenants grade D or whose land fails the control indicators,
ranked by the yearly gain if they reached the park median.
"""),
        code("""
candidates = eff.renewal_candidates(site, evaluation)
candidates[["zone", "stage", "area_mu", "worst_grade_tenants", "gain_10k_cny", "reasons"]].head(10).round(1)
"""),
        md("""
## Everything in one file for the committee

`viz.report` writes one self-contained HTML file — maps and charts embedded, nothing
loaded from the web — that opens offline and can be mailed as it is.
"""),
        code("""
import tempfile
from pathlib import Path

from landasset.lifecycle import Ledger, sample_events
from landasset.suitability import load_profile

workdir = tempfile.TemporaryDirectory()  # use your own folder to keep the file
out = Path(workdir.name)
with Ledger.open(out / "ledger.sqlite") as ledger:
    ledger.record_many(sample_events(site))
    path = viz.report(
        site, model=load_profile("aerospace"), ledger=ledger, evaluation=evaluation,
        as_of=AS_OF, path=out / "yunqi-report.html",
    )
page = path.read_text(encoding="utf-8")
print(f"{path.name}: {len(page) / 1e6:.1f} MB, external references: {viz.find_external_references(page)}")
workdir.cleanup()
"""),
    ],
    "05_project_match.ipynb": [
        md("""
# 05 · Matching a project 地等项目

An incoming project states its demand in a small YAML file: land in mu or floor space
in m², density and height, clear height, floor load, power, budget, the day it wants
to move in. `la.match` offers it every candidate the district has — a parcel in
reserve, an assembly of adjacent reserve parcels, vacant units in one building — with
each hard condition passed or failed (and why), the industry profile's score, the size
fit, the delivery date and the fiscal appraisal.
"""),
        code(
            SETUP
            + """
ledger = la.Ledger.open(la.sample.sample_path("yunqi"), read_only=True)
projects = {name: la.load_project(name) for name in la.projects.list_projects()}
projects["aerospace_plant"]
"""
        ),
        md("""
## A plant that wants land

The best candidates pass every condition; the near-misses follow, each with the
conditions it fails.
"""),
        code("""
plant = la.match(projects["aerospace_plant"], site, as_of=AS_OF, stages=ledger, limit=10)
plant
"""),
        code("""
columns = ["kind", "parcel_ids", "area_mu", "passes", "failed", "score", "fit", "delivery_date", "npv_10k_cny"]
plant.candidates[columns].round({"area_mu": 1, "score": 3, "fit": 3, "npv_10k_cny": 0})
"""),
        code("""
ax = site.parcels.plot(color="#eeeeee", edgecolor="#bbbbbb", linewidth=0.3, figsize=(9, 9))
top = plant.candidates.head(5)
top.plot(ax=ax, column="score", cmap="RdYlGn", vmin=0, vmax=1, edgecolor="black")
for rank, point in zip(top["rank"], top.geometry.representative_point(), strict=True):
    ax.annotate(str(rank), (point.x, point.y), ha="center", weight="bold")
ax.set_title("aerospace_plant: the five best candidates, by rank")
ax.set_axis_off();
"""),
        md("""
Why the best one is where it is: every condition, the criteria behind the score, the
appraisal.
"""),
        code("""
best = plant.explain(plant.candidates.index[0])
best.conditions
"""),
        code("""
best.suitability[["raw", "value", "weight", "contribution"]].round(3)
"""),
        md("""
## Offices and a pilot line that want floor space
"""),
        code("""
for name in ("ai_office", "life_science_pilot", "smart_manufacturing_plant"):
    result = la.match(projects[name], site, as_of=AS_OF, stages=ledger, limit=5)
    print(repr(result))
    shown = result.candidates[["kind", "passes", "score", "fit", "delivery_date"]]
    print(shown.round({"score": 3, "fit": 3}).to_string(), end="\\n\\n")
"""),
        md("""
## The shortlist and the memo

`to_file` writes a styled GeoPackage layer for QGIS (Chinese field aliases);
`viz.match_memo` writes the one-page memo for the investment committee, self-contained.
"""),
        code("""
import tempfile
from pathlib import Path

workdir = tempfile.TemporaryDirectory()
out = Path(workdir.name)
plant.to_file(out / "shortlist.gpkg")
memo = viz.match_memo(plant, site, out / "memo.html", top_k=3)
page = memo.read_text(encoding="utf-8")
print(f"{memo.name}: {len(page) / 1e3:.0f} kB, external references: {viz.find_external_references(page)}")
ledger.close()
workdir.cleanup()
"""),
    ],
}


def build(folder: Path = HERE) -> list[Path]:
    """Write every notebook into ``folder``; return the paths."""
    written = []
    for name, cells in NOTEBOOKS.items():
        for i, cell in enumerate(cells):
            cell["id"] = f"{name[:2]}-{i:02d}"  # stable ids: rebuilding changes nothing
        nb = new_notebook(
            cells=cells,
            metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
            },
        )
        nbformat.validate(nb)
        path = folder / name
        with path.open("w", encoding="utf-8") as fh:
            nbformat.write(nb, fh)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {p}")
