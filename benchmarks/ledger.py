"""Benchmark the lifecycle ledger (run by hand: ``python benchmarks/ledger.py``).

1. ``Ledger.record_many`` of 100,000 events (10,000 parcels × the 10-stage chain, with
   the planning, contract, start and completion data) into an empty GeoPackage, against
   a bare ``sqlite3`` ``executemany`` of the very same rows into an identical table
   (same schema, indexes, triggers, journal mode and pragmas) in the same run. Target: < 5 s and
   within 2× of the bare insert.
2. The same for a batch appended to a ledger that already holds 900,000 events (the
   batch's parcels are checked against their current stages); the bare insert goes into
   a copy of the same 900,000-event file.
3. ``Ledger.stages(as_of=...)`` for 100,000 parcels over 1,000,000 events. Target: < 1 s.

Options: ``--parcels`` (default 100,000 for the 1,000,000-event ledger), ``--repeat``
(default 5), ``--keep DIR``.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from landasset._stages import STAGE_IDS
from landasset.lifecycle import EVENTS_TABLE, Ledger

# the pipeline order, planned → renewal (every stage but retired)
CHAIN = [stage for stage in STAGE_IDS if stage != "retired"]


def chain_events(first: int, n_parcels: int, *, seed: int = 0) -> pd.DataFrame:
    """``n_parcels`` parcels × the 10-event chain, with the required data fields."""
    rng = np.random.default_rng(seed)
    k = len(CHAIN)
    pid = np.array([f"P{i:07d}" for i in range(first, first + n_parcels)], dtype=object)
    start = np.datetime64("2000-01-01") + rng.integers(0, 6000, n_parcels).astype("timedelta64[D]")
    gaps = rng.integers(20, 400, (n_parcels, k)).astype("timedelta64[D]")
    gaps[:, 0] = np.timedelta64(0, "D")
    days = start[:, None] + np.cumsum(gaps, axis=1)
    stage = np.tile(np.array(CHAIN, dtype=object), n_parcels)
    on = days.reshape(-1)
    frame = pd.DataFrame(
        {"parcel_id": np.repeat(pid, k), "stage": stage, "on": on, "actor": "benchmark"}
    )
    iso = np.datetime_as_string(days, unit="D").astype(object)

    def column(stage_name: str, values: np.ndarray) -> np.ndarray:
        out = np.full(n_parcels * k, None, dtype=object)
        out[CHAIN.index(stage_name) :: k] = values
        return out

    frame["land_use"] = column("supply_ready", np.full(n_parcels, "M1", dtype=object))
    frame["far_max"] = column("supply_ready", np.round(rng.uniform(1.2, 4.0, n_parcels), 1))
    frame["contract_id"] = column("supplied", np.char.add("C", pid.astype(str)).astype(object))
    frame["mode"] = column("supplied", np.full(n_parcels, "listing", dtype=object))
    frame["price_10k_cny"] = column("supplied", np.round(rng.uniform(500, 9000, n_parcels), 1))
    frame["agreed_start"] = column("supplied", iso[:, 5])
    frame["agreed_completion"] = column("supplied", iso[:, 7])
    frame["started_on"] = column("under_construction", iso[:, 6])
    frame["accepted_on"] = column("completed", iso[:, 7])
    frame["filed_on"] = column("completed", iso[:, 7])
    return frame


def ledger_schema() -> list[str]:
    """The ledger's own tables, indexes and triggers, as created in a fresh ledger."""
    with Ledger.open(":memory:") as ledger:
        rows = ledger.connection.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
    return [sql for (sql,) in rows]


def bare_insert(rows: list[tuple[object, ...]], path: Path) -> float:
    """Seconds for one executemany of ``rows`` into a fresh table of the same schema."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous = FULL")
    con.execute("PRAGMA foreign_keys = ON")
    for sql in ledger_schema():
        con.execute(sql)
    t0 = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.executemany(f"INSERT INTO {EVENTS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("COMMIT")
    seconds = time.perf_counter() - t0
    con.close()
    return seconds


def stored_rows(ledger: Ledger, first_id: int = 1) -> list[tuple[object, ...]]:
    return ledger.connection.execute(
        f"SELECT * FROM {EVENTS_TABLE} WHERE event_id >= ? ORDER BY event_id", (first_id,)
    ).fetchall()


def bare_append(rows: list[tuple[object, ...]], path: Path) -> float:
    """Seconds for one executemany of ``rows`` into the events table of an existing file."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous = FULL")
    con.execute("PRAGMA foreign_keys = ON")
    t0 = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.executemany(f"INSERT INTO {EVENTS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("COMMIT")
    seconds = time.perf_counter() - t0
    con.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="landasset-ledger-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    for f in folder.glob("*.gpkg*"):
        f.unlink()
    batch_parcels = 10_000
    print(f"landasset ledger benchmark, files in {folder}")

    # 1. 100,000 events into an empty ledger, against a bare executemany of the same rows
    runs = []
    for r in range(args.repeat):
        frame = chain_events(0, batch_parcels, seed=r)
        with Ledger.open(folder / f"empty{r}.gpkg") as ledger:
            t0 = time.perf_counter()
            ledger.record_many(frame)
            ours = time.perf_counter() - t0
            rows = stored_rows(ledger)
        runs.append((ours, bare_insert(rows, folder / f"bare{r}.gpkg")))
    report("record_many 100,000 events into an empty ledger", runs)

    # 2. the ledger of 1,000,000 events: 900,000, then the last 100,000 timed side by side
    n_batches = args.parcels // batch_parcels
    snapshot = folder / "snapshot.gpkg"
    with Ledger.open(snapshot) as ledger:
        t0 = time.perf_counter()
        for b in range(n_batches - 1):
            ledger.record_many(chain_events(b * batch_parcels, batch_parcels, seed=100 + b))
        print(f"built {len(ledger):,} events in {time.perf_counter() - t0:.1f} s")
    last = chain_events((n_batches - 1) * batch_parcels, batch_parcels, seed=99)
    runs = []
    big = folder / "big.gpkg"
    for _ in range(min(args.repeat, 3)):
        shutil.copyfile(snapshot, big)
        shutil.copyfile(snapshot, folder / "bare-big.gpkg")
        with Ledger.open(big) as ledger:
            first = len(ledger) + 1
            t0 = time.perf_counter()
            ledger.record_many(last)
            ours = time.perf_counter() - t0
            rows = stored_rows(ledger, first)
        runs.append((ours, bare_append(rows, folder / "bare-big.gpkg")))
    report(f"record_many 100,000 events appended to {first - 1:,}", runs)

    # 3. stages(as_of) over 1,000,000 events for 100,000 parcels
    with Ledger.open(big) as ledger:
        print(f"stages(as_of) over {len(ledger):,} events:")
        for as_of in ["2005-06-30", "2012-01-01", None]:
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                result = ledger.stages(as_of=as_of)
                times.append(time.perf_counter() - t0)
            print(
                f"  as_of={as_of}: {len(result):,} parcels, median {statistics.median(times):.3f} s, "
                f"min {min(times):.3f} s (target < 1 s)"
            )
    with Ledger.open(big) as ledger:  # a fresh connection: SQLite's page cache is cold
        t0 = time.perf_counter()
        ledger.stages(as_of="2012-01-01")
        print(f"  on a freshly opened ledger: {time.perf_counter() - t0:.3f} s")


def report(what: str, runs: list[tuple[float, float]]) -> None:
    ours = statistics.median(r[0] for r in runs)
    bare = statistics.median(r[1] for r in runs)
    ratios = sorted(r[0] / r[1] for r in runs)
    print(
        f"{what}: {ours:.3f} s (median of {len(runs)}); bare executemany of the same rows "
        f"{bare:.3f} s; ratio {ours / bare:.2f}× (per run {ratios[0]:.2f}–{ratios[-1]:.2f}×; "
        "target < 5 s and ≤ 2×)"
    )


if __name__ == "__main__":
    main()
