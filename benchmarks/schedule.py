"""Benchmark the forward schedule (run by hand: ``python benchmarks/schedule.py``).

``forward_schedule(ledger, as_of=...)`` on a ledger of 100,000 parcels (each with a
supply contract, half of them further along the chain), against reading the same
events with ``Ledger.events(as_of=...)`` — the read every schedule needs — in the same
run. The schedule's own work is the difference; the ratio shows how much the
schedule adds to the read.

Options: ``--parcels`` (default 100,000), ``--repeat`` (default 3).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from landasset.lifecycle import Ledger, forward_schedule

AS_OF = "2025-12-31"


def events(n: int, *, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.array([f"P{i:07d}" for i in range(n)], dtype=object)
    supplied = pd.DataFrame(
        {
            "parcel_id": ids,
            "stage": "supplied",
            "on": "2023-01-01",
            "actor": "bench",
            "contract_id": ids,
            "mode": "listing",
            "price_10k_cny": rng.uniform(300, 3000, n).round(1),
            "agreed_start": "2023-07-01",
            "agreed_completion": "2026-07-01",
        }
    )
    half = ids[: n // 2]
    permitted = pd.DataFrame(
        {"parcel_id": half, "stage": "permitted", "on": "2023-05-01", "actor": "bench"}
    )
    started = pd.DataFrame(
        {
            "parcel_id": half,
            "stage": "under_construction",
            "on": "2023-06-20",
            "actor": "bench",
            "started_on": "2023-06-20",
        }
    )
    return pd.concat([supplied, permitted, started], ignore_index=True)


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with Ledger.open(":memory:") as ledger:
        ledger.record_many(events(args.parcels))
        read = best(lambda: ledger.events(as_of=AS_OF), args.repeat)
        plan = best(lambda: forward_schedule(ledger, as_of=AS_OF), args.repeat)
        stages = ledger.stages(as_of=AS_OF).astype(object)
    series = best(lambda: forward_schedule(stages, as_of=AS_OF), args.repeat)
    print(f"parcels: {args.parcels:,}  (best of {args.repeat})")
    print(f"Ledger.events read          {read:7.2f} s  (baseline)")
    print(f"forward_schedule(ledger)    {plan:7.2f} s  ({plan / read:.2f}× the read)")
    print(f"forward_schedule(Series)    {series:7.2f} s  ({series / read:.2f}× the read)")
    print(f"per 1,000 parcels (ledger)  {1000 * plan / args.parcels * 1000:7.2f} ms")


if __name__ == "__main__":
    main()
