"""Benchmark scoring with worker processes against one worker, in one run.

Run by hand (it is not part of the test suite)::

    PYTHONPATH=src .venv/bin/python benchmarks/scale_workers.py --parcels 1000000 --workers 2

Figures (issue 16), each measured side by side on :func:`landasset.sample.synthetic_city`
with the bundled ``aerospace`` profile:

* the context (street graph, snapping tree, feature trees, point grids) built once:
  its cost, and its share of one worker's time;
* the Hilbert partitioning of the parcels (serial, in the calling process);
* ``model.score(site, workers=1)`` vs ``model.score(site, workers=N)`` (each partition
  measured and scored in its worker, the ranks set in the calling process), in
  ``--repeat`` alternating rounds: the speed-up of each round and their median (target
  ≥ 1.7× with 2 workers at 1M parcels on the 2-core reference machine, ≥ 10× with 16 at
  4M on a 16-core one), every result checked to be the same frame to the bit, and
  equal to the two public steps (``measure_frame`` then ``score_frame``).

The machine's load (``os.getloadavg``) before and after is printed with the figures:
on a shared machine the ratio is only as good as the CPUs that were free.

Pass ``--json FILE`` to keep the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd

from landasset.measures import MEASURES, Context, available_cpus, hilbert_partitions
from landasset.sample import synthetic_city
from landasset.suitability import load_profile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=min(2, available_cpus()))
    parser.add_argument("--profile", default="aerospace")
    parser.add_argument("--as-of", default="2030-01-01")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of 1 and N workers")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # unreachable parcels of the synthetic city

    figures: dict[str, object] = {
        "parcels": args.parcels,
        "workers": args.workers,
        "cpus": available_cpus(),
        "python": platform.python_version(),
        "load_before": os.getloadavg(),
    }
    t = time.perf_counter()
    site = synthetic_city(args.parcels, seed=0)
    figures["city_s"] = time.perf_counter() - t
    model = load_profile(args.profile)
    specs = [
        {**spec, "name": label}
        for label, spec in model.measure_specs().items()
        if spec["measure"] in MEASURES
    ]

    t = time.perf_counter()
    Context(site, specs, as_of=args.as_of).prepare()
    figures["context_s"] = time.perf_counter() - t

    t = time.perf_counter()
    hilbert_partitions(site.parcels, partitions=4 * args.workers)
    figures["partitioning_s"] = time.perf_counter() - t

    def score(workers: int) -> tuple[pd.DataFrame, float]:
        t = time.perf_counter()
        result = model.score(site, as_of=args.as_of, workers=workers)
        return result, time.perf_counter() - t

    # the rounds alternate one worker and N, so that a change of the machine's load
    # falls on both; the ratio of each round and their median are printed
    ratios, ones, manys = [], [], []
    for _ in range(args.repeat):
        one, t1 = score(1)
        many, tn = score(args.workers)
        pd.testing.assert_frame_equal(one, many, check_exact=True)
        ones.append(t1)
        manys.append(tn)
        ratios.append(t1 / tn)
    # and both equal the two public steps: every measure here, then every score here
    two_steps = model.score_frame(
        site.parcels,
        model.measure_frame(site, as_of=args.as_of, workers=1),
        as_of=args.as_of,
    )
    pd.testing.assert_frame_equal(two_steps, many, check_exact=True)
    figures["identical"] = True
    figures["workers_1_s"] = [round(t, 2) for t in ones]
    figures[f"workers_{args.workers}_s"] = [round(t, 2) for t in manys]
    figures["speedups"] = [round(r, 3) for r in ratios]
    figures["speedup_median"] = float(np.median(ratios))
    figures["context_share_of_one_worker"] = figures["context_s"] / float(np.median(ones))
    figures["load_after"] = os.getloadavg()
    for key, value in figures.items():
        print(f"{key:>30}: {value:.3f}" if isinstance(value, float) else f"{key:>30}: {value}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=2)


if __name__ == "__main__":
    main()
