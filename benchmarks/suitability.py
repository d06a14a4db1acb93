"""Benchmark suitability scoring against computing its measures directly, in one run.

Run by hand (it is not part of the test suite)::

    PYTHONPATH=src .venv/bin/python benchmarks/suitability.py --parcels 1000000 --sensitivity-parcels 100000

Figures (DESIGN.md, issue 4), each a ratio measured side by side on
:func:`landasset.sample.synthetic_city`:

* ``model.score(site)`` with the bundled ``aerospace`` profile vs computing the same
  measures directly with :func:`landasset.measures.compute` (plus reading the parcel
  attributes the profile uses): the model's overhead, target ≤ 1.2×;
* ``sensitivity(model, site, n=1000)`` on the sensitivity city: the cost of one
  weight draw (ranking included) vs one full ``score``: target ≤ 5 %;
* ``assemble(result, demand_mu=120)`` on the aerospace scores of the assembly city
  (default ``--assemble-parcels 100000``) against the per-seed Python beam search it
  replaced (kept below as ``assemble_before``): target under 20 s. The full search
  (``limit=None, disjoint=False``) is timed too and checked to find the same sites.

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
import shapely

from landasset import measures as m
from landasset.landuse import land_use_family
from landasset.sample import synthetic_city
from landasset.suitability import LOCAL_MEASURES, assemble, load_profile, sensitivity
from landasset.units import m2_to_mu

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


# -- assemble: the search it replaced, kept verbatim as the baseline ----------------------


def assemble_before(
    result: Any, *, demand_mu: float, max_parcels: int = 5, beam: int = 8, tolerance_m: float = 1.0
) -> list[tuple[Any, ...]]:
    """The per-seed Python beam search of landasset 0.1 (every seed, every site):
    the sorted parcel-id tuples of the sites, best first."""
    score_all = result["score"].to_numpy(dtype=np.float64)
    keep = result["eligible"].to_numpy(dtype=bool) & ~np.isnan(score_all)
    ids = result.index[keep]
    geoms = result.geometry.to_numpy()[keep]
    score = score_all[keep]
    area = np.asarray(m2_to_mu(shapely.area(geoms)), dtype=np.float64)
    n = len(geoms)
    reach = max(tolerance_m, 0.01)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=reach)
    other = left < right
    left, right = left[other], right[other]
    zone, edges = shapely.buffer(geoms, reach), shapely.boundary(geoms)
    contact = np.maximum(
        shapely.length(shapely.intersection(edges[right], zone[left])),
        shapely.length(shapely.intersection(edges[left], zone[right])),
    )
    ok = contact >= 2 * reach + 1.0
    left, right = (
        np.concatenate([left[ok], right[ok]]),
        np.concatenate([right[ok], left[ok]]),
    )
    order = np.argsort(left, kind="stable")
    left, right = left[order], right[order]
    bounds = np.searchsorted(left, np.arange(n + 1))
    neighbours = [right[bounds[i] : bounds[i + 1]] for i in range(n)]
    found: set[tuple[int, ...]] = set()
    weighted = score * area
    for seed in np.argsort(-score, kind="stable"):
        seed = int(seed)
        if area[seed] >= demand_mu:
            found.add((seed,))
            continue
        frontier: list[frozenset[int]] = [frozenset((seed,))]
        complete: list[tuple[float, float, frozenset[int]]] = []
        for _ in range(max_parcels - 1):
            pool: dict[frozenset[int], tuple[float, float]] = {}
            for group in frontier:
                members = np.fromiter(group, dtype=np.intp)
                near = np.unique(np.concatenate([neighbours[i] for i in members]))
                near = near[~np.isin(near, members)]
                a0, ws0 = float(area[members].sum()), float(weighted[members].sum())
                for k in near:
                    grown = group | {int(k)}
                    if grown in pool:
                        continue
                    a = a0 + float(area[k])
                    pool[grown] = ((ws0 + float(weighted[k])) / a, a)
            if not pool:
                break
            frontier = []
            ranked = sorted(
                pool.items(), key=lambda item: (-item[1][0], -item[1][1], sorted(item[0]))
            )
            for group, (s, a) in ranked:
                if a >= demand_mu:
                    complete.append((s, a, group))
                elif len(frontier) < beam:
                    frontier.append(group)
            if not frontier:
                break
        if complete:
            s, a, group = min(complete, key=lambda c: (-c[0], c[1], len(c[2]), sorted(c[2])))
            found.add(tuple(sorted(group)))

    def key(g: tuple[int, ...]) -> tuple[float, float, int]:
        a = float(area[list(g)].sum())
        return (-float(weighted[list(g)].sum()) / a, a, len(g))

    return [tuple(sorted(str(ids[i]) for i in g)) for g in sorted(found, key=key)]


def bench_assemble(n: int, demand_mu: float, max_parcels: int) -> None:
    print(f"\n== assemble(demand_mu={demand_mu}, max_parcels={max_parcels}), {n:,} parcels ==")
    site = synthetic_city(n, seed=0)
    result = load_profile("aerospace").score(site, as_of=AS_OF)
    kw: dict[str, Any] = {"demand_mu": demand_mu, "max_parcels": max_parcels}
    print(f"eligible parcels: {int(result['eligible'].sum()):,}")
    t_before, before = timed(lambda: assemble_before(result, **kw))
    t_default, top = timed(lambda: assemble(result, **kw))
    t_full, every = timed(lambda: assemble(result, limit=None, disjoint=False, **kw))
    groups = [tuple(sorted(g.split(","))) for g in every["parcel_ids"]]
    same = set(groups) == set(before)
    ids = [p for g in top["parcel_ids"] for p in g.split(",")]
    print(
        f"before (per-seed Python beam search, every site): {t_before:.2f} s, {len(before):,} sites"
    )
    print(
        f"assemble (limit=50, disjoint):                   {t_default:.2f} s, {len(top)} sites, "
        f"{top.attrs['seeds_searched']:,} of {top.attrs['candidates']:,} seeds searched, "
        f"limit_reached={top.attrs['limit_reached']}, disjoint={len(ids) == len(set(ids))}"
    )
    print(
        f"assemble (limit=None, overlapping, every site):  {t_full:.2f} s, {len(every):,} sites, "
        f"same sites as before: {same}"
    )
    ratio = t_before / t_default
    print(
        f"ratio before / assemble: {ratio:.1f}x; full search {t_before / t_full:.1f}x  "
        f"(target < 20 s)  {'OK' if t_default < 20 else 'MISSED'}"
    )
    RESULTS["assemble"] = {
        "parcels": n,
        "demand_mu": demand_mu,
        "max_parcels": max_parcels,
        "before_s": t_before,
        "assemble_s": t_default,
        "full_search_s": t_full,
        "ratio": ratio,
        "seeds_searched": int(top.attrs["seeds_searched"]),
        "candidates": int(top.attrs["candidates"]),
        "same_sites_as_before": same,
        "best_site": str(top["parcel_ids"].iloc[0]) if len(top) else None,
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
    parser.add_argument("--assemble-parcels", type=int, default=100_000)
    parser.add_argument("--demand-mu", type=float, default=120.0)
    parser.add_argument("--max-parcels", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=2, help="best of this many runs")
    parser.add_argument("--json", type=str, default=None)
    parser.add_argument(
        "--only",
        choices=("all", "overhead", "sensitivity", "assemble"),
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
    if args.only in ("all", "assemble"):
        bench_assemble(args.assemble_parcels, args.demand_mu, args.max_parcels)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(RESULTS, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
