"""Benchmark suitability scoring against computing its measures directly, in one run.

Run by hand (it is not part of the test suite)::

    PYTHONPATH=src .venv/bin/python benchmarks/suitability.py --parcels 1000000 --sensitivity-parcels 100000

Figures (DESIGN.md, issue 4), each a ratio measured side by side on
:func:`landasset.sample.synthetic_city`:

* ``model.score(site)`` with the bundled ``aerospace`` profile vs computing the same
  measures directly with :func:`landasset.measures.compute` (plus reading the parcel
  attributes the profile uses): the model's overhead, target ≤ 1.2×;
* ``sensitivity(model, site, n=1000)`` on the sensitivity city: the cost of one
  weight draw (ranking included) vs one full ``score``: target ≤ 5 %.

Pass ``--json FILE`` to keep the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from landasset import measures as m
from landasset.landuse import land_use_family
from landasset.sample import synthetic_city
from landasset.suitability import LOCAL_MEASURES, load_profile, sensitivity

AS_OF = "2026-01-01"
RESULTS: dict[str, Any] = {}


def timed(fn: Callable[[], Any], *, repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best = np.inf
    out = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def direct_measures(site: Any, specs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What a user would write without the model: one compute() call plus the attributes."""
    remote = [
        {**s, "name": label} for label, s in specs.items() if s["measure"] not in LOCAL_MEASURES
    ]
    frame = m.compute(site, remote, as_of=AS_OF)
    out = {label: frame[label] for label in frame.columns}
    for label, spec in specs.items():
        if spec["measure"] == "attribute":
            out[label] = site.parcels[spec["column"]].to_numpy(dtype=float)
        elif spec["measure"] == "land_use_family":
            out[label] = land_use_family(site.parcels["land_use"])
    return out


def bench_overhead(n: int, repeat: int) -> None:
    print(f"\n== score vs measures, aerospace profile, {n:,} parcels ==")
    t_build, site = timed(lambda: synthetic_city(n, seed=0))
    print(f"synthetic_city({n:,}): {t_build:.1f} s")
    model = load_profile("aerospace")
    specs = model.measure_specs()
    print(
        f"{len(model.criteria)} criteria, {len(model.constraints)} rules, {len(specs)} distinct measures"
    )
    # interleaved, best of ``repeat`` each, so that load from other processes hits both
    # (the previous outputs are dropped first, so neither run carries the other's memory)
    t_direct = t_score = np.inf
    eligible = 0
    for _ in range(repeat):
        t, out = timed(lambda: direct_measures(site, specs))
        del out
        t_direct = min(t_direct, t)
        t, out = timed(lambda: model.score(site, as_of=AS_OF))
        eligible = int(out["eligible"].sum())
        del out
        t_score = min(t_score, t)
    frame = model.measure_frame(site, as_of=AS_OF)
    t_frame, _ = timed(lambda: model.score_frame(site.parcels, frame), repeat=repeat)
    ratio = t_score / t_direct
    print(f"measures directly (compute + attributes): {t_direct:.2f} s")
    print(f"model.score:                              {t_score:.2f} s")
    print(f"  of which score_frame (transform, rules, WLC, rank, result): {t_frame:.3f} s")
    print(
        f"ratio score / measures: {ratio:.3f}  (target <= 1.2)  {'OK' if ratio <= 1.2 else 'MISSED'}"
    )
    print(f"eligible parcels: {eligible:,} of {n:,}")
    RESULTS["overhead"] = {
        "parcels": n,
        "measures_s": t_direct,
        "score_s": t_score,
        "score_frame_s": t_frame,
        "ratio": ratio,
        "build_s": t_build,
    }


def bench_sensitivity(n: int, draws: int, repeat: int) -> None:
    print(f"\n== sensitivity(n={draws}) vs one score, aerospace profile, {n:,} parcels ==")
    site = synthetic_city(n, seed=1)
    model = load_profile("aerospace")
    t_score, _ = timed(lambda: model.score(site, as_of=AS_OF), repeat=repeat)
    frame = model.measure_frame(site, as_of=AS_OF)
    t_frame, result = timed(lambda: model.score_frame(site.parcels, frame), repeat=repeat)
    t_sens, s = timed(
        lambda: sensitivity(model, site, n=draws, measures=frame, as_of=AS_OF), repeat=repeat
    )
    per_draw = (t_sens - t_frame) / draws
    share = per_draw / t_score
    ranked = int(result["rank"].notna().sum())
    print(f"one full score (measures included): {t_score:.2f} s")
    print(
        f"sensitivity, measures given: {t_sens:.2f} s for {draws} draws + leave-one-out ({ranked:,} ranked parcels)"
    )
    print(
        f"per draw: {per_draw * 1000:.1f} ms = {share:.2%} of a full score  (target <= 5 %)  {'OK' if share <= 0.05 else 'MISSED'}"
    )
    t_e2e, _ = timed(lambda: sensitivity(model, site, n=draws, as_of=AS_OF))
    print(f"sensitivity end to end (measures computed once inside): {t_e2e:.2f} s")
    RESULTS["sensitivity"] = {
        "parcels": n,
        "ranked": ranked,
        "draws": draws,
        "score_s": t_score,
        "sensitivity_s": t_sens,
        "per_draw_s": per_draw,
        "share": share,
        "end_to_end_s": t_e2e,
        "top_parcel_p_top_k": float(s.parcels["p_top_k"].iloc[0]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--parcels", type=int, default=100_000, help="parcels for the overhead figure"
    )
    parser.add_argument("--sensitivity-parcels", type=int, default=100_000)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2, help="best of this many runs")
    parser.add_argument("--json", type=str, default=None)
    parser.add_argument(
        "--only",
        choices=("all", "overhead", "sensitivity"),
        default="all",
        help="run one figure only",
    )
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    # the synthetic city has street islands: unreachable parcels are expected
    warnings.filterwarnings("ignore", category=m.UnreachableWarning)
    if args.only in ("all", "overhead"):
        bench_overhead(args.parcels, args.repeat)
    if args.only in ("all", "sensitivity"):
        bench_sensitivity(args.sensitivity_parcels, args.draws, args.repeat)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(RESULTS, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
