"""Write the illustrative Yunqi sample district to a GeoPackage.

Usage::

    python sample_data/build_yunqi.py [--out sample_data/yunqi.gpkg]

The layers come from :func:`landasset.sample.build_yunqi`, which is deterministic:
rebuilding gives the same layer contents (the file bytes may differ by the
timestamps GeoPackage records). The file also holds the lifecycle ledger with the
history of every parcel (:func:`landasset.lifecycle.sample_events`). An existing file
is replaced.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE / "yunqi.gpkg",
        help="the .gpkg to write (default: sample_data/yunqi.gpkg beside this script)",
    )
    args = parser.parse_args(argv)

    from landasset.io import write_layers
    from landasset.lifecycle import Ledger, sample_events
    from landasset.sample import build_yunqi
    from landasset.site import Site

    layers = build_yunqi()
    path = write_layers(layers, args.out, overwrite=True)
    # the lifecycle history of every parcel lives in the same file (append-only ledger)
    events = sample_events(Site(**layers))
    with Ledger.open(path) as ledger:
        ledger.record_many(events)
    counts = ", ".join(f"{kind} {len(gdf)}" for kind, gdf in layers.items())
    size_kb = path.stat().st_size / 1024
    print(
        f"wrote {path} ({size_kb:,.0f} KB): {counts}; ledger events {len(events)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
