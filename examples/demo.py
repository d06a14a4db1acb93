"""The main job on the bundled sample district: load, validate, summarise, score, report.

Run with ``make demo`` (or ``python examples/demo.py --out demo``). Writes into the
output folder:

* ``district.png`` — the district map (parcels by zone, axes, metro);
* ``scored.gpkg`` — the parcels scored with the aerospace profile (score, rank,
  eligible, excluded_by, one value and one contribution column per criterion);
* ``report.html`` — one self-contained HTML report (summary, score map and top 20,
  model and weights, lifecycle pipeline and idle land, per-mu grades and renewal
  candidates) that opens offline in any browser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: The date the sample district describes.
AS_OF = "2025-12-31"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("demo"), help="output folder")
    parser.add_argument(
        "--profile", default="aerospace", help="suitability profile (default: aerospace)"
    )
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import landasset as la

    site = la.sample.load("yunqi")
    print(f"Loaded the sample district: {site!r}")
    print(f"Validation: {site.report.summary()}")
    print(site.summary().round(1).to_string())

    args.out.mkdir(parents=True, exist_ok=True)
    from landasset import viz

    parcels = site.parcels
    if viz.use_cjk_font() is None:  # zone names are Chinese: number them without a CJK font
        codes = {
            z: f"zone {i + 1}" for i, z in enumerate(sorted(parcels["zone"].dropna().unique()))
        }
        parcels = parcels.assign(zone=parcels["zone"].map(codes))
    fig, ax = plt.subplots(figsize=(10, 10))
    parcels.plot(
        ax=ax, column="zone", categorical=True, legend=True, edgecolor="white", linewidth=0.3
    )
    site.constraints.plot(ax=ax, facecolor="none", edgecolor="darkgreen", hatch="//", linewidth=0.8)
    site.streets.plot(ax=ax, color="#999999", linewidth=0.4)
    site.axes.plot(ax=ax, color="#d4a017", linewidth=3)
    site.transit_lines.plot(ax=ax, color="#c0392b", linewidth=2)
    site.stations.plot(ax=ax, color="#c0392b", markersize=40, zorder=5)
    ax.set_title("Sample district (illustrative): parcels by zone, axes, metro")
    ax.set_axis_off()
    png = args.out / "district.png"
    fig.savefig(png, dpi=120, bbox_inches="tight")
    plt.close(fig)
    print(f"Wrote {png.resolve()}")

    from landasset.efficiency import evaluate
    from landasset.lifecycle import Ledger
    from landasset.suitability import load_profile

    model = load_profile(args.profile)
    result = model.score(site, as_of=AS_OF)
    ranked = result[result["rank"].notna()].sort_values("rank")
    print(
        f"\nScored {len(result)} parcels with the {model.name!r} profile as of {AS_OF}: "
        f"{int(result['eligible'].sum())} eligible. Top 5:"
    )
    print(ranked[["rank", "score", "land_use", "zone"]].head(5).round(3).to_string())
    scored = la.write_layer(result, args.out / "scored.gpkg", layer="scored", overwrite=True)
    print(f"Wrote {scored.resolve()}")

    evaluation = evaluate(site.enterprises, site.parcels, year=2025, buildings=site.buildings)
    # the sample GeoPackage holds the lifecycle ledger of every parcel; read it as is
    with Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
        path = viz.report(
            site,
            model=model,
            ledger=ledger,
            evaluation=evaluation,
            as_of=AS_OF,
            path=args.out / "report.html",
            title=f"Yunqi sample district — {model.name} report",
        )
    print(f"Wrote {path.resolve()}  (self-contained: open it in any browser, offline)")

    # land waits for projects (地等项目): the four sample projects matched to the land in
    # reserve and the vacant floor space, best first
    with Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
        for name in la.projects.list_projects():
            match = la.match(la.load_project(name), site, as_of=AS_OF, stages=ledger, limit=5)
            print(f"\nShortlist for {match.project!r}:")
            shown = match.candidates[["kind", "passes", "score", "fit", "delivery_date"]]
            shown = shown.assign(npv_10k_cny=match.candidates["npv_10k_cny"])
            print(shown.round({"score": 3, "fit": 3, "npv_10k_cny": 0}).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
