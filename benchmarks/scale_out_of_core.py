"""Score a synthetic city from partitioned GeoParquet on a local dask cluster, out of core.

Run by hand (it is not part of the test suite), in two steps so that the scoring
process never holds the parcel layer::

    PYTHONPATH=src .venv/bin/python benchmarks/scale_out_of_core.py write --parcels 10000000 --dir /tmp/city
    PYTHONPATH=src .venv/bin/python benchmarks/scale_out_of_core.py score --dir /tmp/city --workers 2
    PYTHONPATH=src .venv/bin/python benchmarks/scale_out_of_core.py score --dir /tmp/city --workers 2 --window

``write`` writes the city tile by tile with
:func:`landasset.sample.write_synthetic_city` (one tile of ``--partition-size``
parcels in memory at a time): the parcels as one GeoParquet partition per tile, and
the other layers (the context) as one GeoParquet folder each; it prints the time and
the generator's peak resident memory. ``score`` reads the context, scores every partition with
:func:`landasset.scale.score` (the ``aerospace`` profile) and writes the scored
partitions; it prints the total time, the time per partition, and the peak resident
memory of each worker process and of the client (``ru_maxrss``), with the machine's
load. Pass ``--json FILE`` to keep the figures.

``--window`` passes the context as the folder ``context/`` itself: nothing is read
on the client but the files' metadata, and each task reads the context rows near its
partition (:func:`landasset.scale.score` with a context folder); it adds the windows'
figures (margin, parcels not proven in the first window and widened, context files,
bytes and rows read per task).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq

#: The layers of the context, written and read back as GeoParquet.
CONTEXT = (
    "axes",
    "streets",
    "transit_lines",
    "stations",
    "amenities",
    "constraints",
    "enterprises",
)


def peak_rss_mb() -> float:
    """The peak resident memory of this process, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write(args: argparse.Namespace) -> dict[str, object]:
    from landasset.sample import write_synthetic_city

    folder = Path(args.dir)
    t = time.perf_counter()
    files = write_synthetic_city(folder, args.parcels, tile_parcels=args.partition_size, seed=0)
    size = sum(f.stat().st_size for f in folder.rglob("*.parquet"))
    rows = {
        name: sum(pq.read_metadata(f).num_rows for f in (folder / "context" / name).iterdir())
        for name in CONTEXT
    }
    parts = sum(f.stat().st_size for f in files)
    return {
        "parcels": args.parcels,
        "partitions": len(files),
        "write_s": time.perf_counter() - t,
        "peak_rss_mb": peak_rss_mb(),
        "parts_mb": parts / 2**20,
        "context_mb": (size - parts) / 2**20,
        "context_rows": rows,
    }


def score(args: argparse.Namespace) -> dict[str, object]:

    from landasset import scale
    from landasset.site import Site
    from landasset.suitability import load_profile

    folder = Path(args.dir)
    parts = folder / "parts"
    files = scale.partition_files(parts)
    if args.first:  # the first partitions only
        files = files[: args.first]
        parts = folder / f"parts-first-{args.first}"
        parts.mkdir(exist_ok=True)
        for f in files:
            if not (parts / f.name).exists():
                (parts / f.name).symlink_to(f.resolve())
    if args.window:
        return score_window(args, parts, files)
    t = time.perf_counter()
    if args.region_context:  # the context of the scored tiles only: one region
        layers = {
            name: pd.concat([gpd.read_parquet(folder / "context" / name / f.name) for f in files])
            for name in CONTEXT
        }
    else:
        layers = {name: gpd.read_parquet(folder / "context" / name) for name in CONTEXT}
    context_rows = {name: len(frame) for name, frame in layers.items()}
    read_s = time.perf_counter() - t
    site = Site(**layers)
    load_before = os.getloadavg()
    with local_client(args.workers) as client:
        t = time.perf_counter()
        scale.score(
            parts,
            site,
            load_profile("aerospace"),
            as_of="2030-01-01",
            client=client,
            output=folder / "scored",
            shuffle=False,
            overwrite=True,
        )
        total = time.perf_counter() - t
        workers = client.run(peak_rss_mb)
    return {
        "partitions": len(files),
        "context_rows": context_rows,
        "context_read_s": read_s,
        "workers": args.workers,
        "total_s": total,
        "per_partition_s": total * args.workers / len(files),
        "worker_peak_rss_mb": sorted(workers.values()),
        "client_peak_rss_mb": peak_rss_mb(),
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


@contextmanager
def local_client(workers: int) -> Iterator[Any]:
    """A client of a LocalCluster of ``workers`` processes, one thread each."""
    import distributed

    cluster = distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def score_window(args: argparse.Namespace, parts: Path, files: list[Path]) -> dict[str, object]:
    """Score against the context folder, a window per partition."""
    from landasset import scale
    from landasset.suitability import load_profile

    up_before, load_before = uptime(), os.getloadavg()
    stats: dict[str, object] = {}
    with local_client(args.workers) as client:
        t = time.perf_counter()
        scale.score(
            parts,
            Path(args.dir) / "context",
            load_profile("aerospace"),
            as_of="2030-01-01",
            client=client,
            output=Path(args.dir) / "scored",
            shuffle=False,
            overwrite=True,
            margin=args.margin,
            stats=stats,
        )
        total = time.perf_counter() - t
        workers = client.run(peak_rss_mb)
    read = stats["bytes"]
    rows = stats["rows"]
    assert isinstance(read, list) and isinstance(rows, list)
    return {
        "partitions": len(files),
        "workers": args.workers,
        "total_s": total,
        "per_partition_s": total * args.workers / len(files),
        "worker_peak_rss_mb": sorted(workers.values()),
        "client_peak_rss_mb": peak_rss_mb(),
        "margin_m": stats["margin"],
        "target_pad_m": {"/".join(k): v for k, v in stats["target_pad"].items()},  # type: ignore[union-attr]
        "windows": stats["windows"],
        "unproven_first_window": stats["unproven"],
        "widened": stats["widened"],
        "whole_extent": stats["whole"],
        "context_mb_read_per_task_mean": sum(read) / len(read) / 2**20,
        "context_mb_read_per_task_max": max(read) / 2**20,
        "context_rows_read_per_task_mean": sum(rows) / len(rows),
        "context_rows_read_per_task_max": max(rows),
        "uptime_before": up_before,
        "uptime_after": uptime(),
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["write", "score"])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--parcels", type=int, default=10_000_000)
    parser.add_argument("--partition-size", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--first", type=int, default=None, help="score the first N partitions")
    parser.add_argument(
        "--region-context",
        action="store_true",
        help="read the context of the scored tiles only (a region), not the whole city's",
    )
    parser.add_argument(
        "--window",
        action="store_true",
        help="pass the context folder itself: each task reads the context near its partition",
    )
    parser.add_argument("--margin", type=float, default=None, help="with --window (metres)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # unreachable parcels of the synthetic city
    figures = write(args) if args.step == "write" else score(args)
    for key, value in figures.items():
        print(f"{key:>22}: {value:.3f}" if isinstance(value, float) else f"{key:>22}: {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
