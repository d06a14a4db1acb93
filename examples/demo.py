"""The main job on the bundled sample district: load, validate, summarise, map.

Run with ``make demo`` (or ``python examples/demo.py --out demo``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo"), help="output folder")
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
    fig, ax = plt.subplots(figsize=(10, 10))
    site.parcels.plot(ax=ax, column="zone", categorical=True, legend=True, edgecolor="white", linewidth=0.3)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
