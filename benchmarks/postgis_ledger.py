"""Benchmark the PostgreSQL ledger (run by hand: ``python benchmarks/postgis_ledger.py``).

1. ``Ledger.record_many`` of 100,000 events (10,000 parcels × the 10-stage chain with
   their data, as in ``benchmarks/ledger.py``) into an empty PostgreSQL ledger, against a
   bare ``COPY`` of the very same rows (as stored) into an identical table (same schema,
   indexes, triggers and policies, created the same way) in the same run. Target: < 5 s
   and ≤ 2× the bare COPY.
2. ``Ledger.stages(as_of=...)`` for 100,000 parcels over 1,000,000 events. Target: < 1 s.
3. Events per second with 8 concurrent writers (processes), each recording 2,000
   events: in batches of 100 (``record_many``) and one by one (``record``).

Without ``--url`` it starts a throwaway cluster (initdb in a temporary folder, a unix
socket, as in the tests; as root it runs the server as the ``postgres`` user). Options:
``--url`` (an existing database; the benchmark writes schemas ``bench_*`` into it),
``--parcels`` (default 100,000 for the 1,000,000-event ledger), ``--repeat`` (default 3).
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from ledger import chain_events

from landasset.lifecycle import Ledger, init_database


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """A cluster in a temporary folder; yields the URL of its ``postgres`` database."""
    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="lapb"))
    sock = folder / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for p in (folder, sock):
            os.chown(p, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    run = [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    subprocess.run([*run, "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
    opts = f"-k {sock} -c listen_addresses='' -c shared_buffers=512MB -c max_connections=40"
    ctl = [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-w"]
    subprocess.run([*ctl, "-l", str(folder / "log"), "-o", opts, "start"], check=True)
    try:
        yield f"postgresql://postgres@/postgres?host={sock}"
    finally:
        subprocess.run([*ctl, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


def bare_copy(rows: list[tuple[object, ...]], url: str) -> float:
    """Seconds for one COPY of ``rows`` into the events table of an identical, empty ledger."""
    init_database(url)
    schema = url.rsplit("schema=", 1)[1]
    with psycopg.connect(url.rsplit("&schema=", 1)[0].rsplit("?schema=", 1)[0]) as con:
        con.execute(f"SET search_path TO {schema}, public")
        t0 = time.perf_counter()
        with (
            con.transaction(),
            con.cursor().copy(
                "COPY landasset_events (event_id, parcel_id, stage, date, recorded_at, actor, "
                "data, corrects, seq) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return time.perf_counter() - t0


WRITER = textwrap.dedent(
    """
    import sys, time
    import pandas as pd
    from landasset.lifecycle import Ledger

    url, worker, n, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    with Ledger.open(url) as led:
        print("ready", flush=True)
        sys.stdin.readline()
        for start in range(0, n, batch):
            ids = [f"W{worker}-{i:05d}" for i in range(start, min(n, start + batch))]
            if batch == 1:
                led.record(ids[0], "planned", "2024-01-01", actor="w")
            else:
                led.record_many(pd.DataFrame(
                    {"parcel_id": ids, "stage": "planned", "on": "2024-01-01", "actor": "w"}))
    """
)


def concurrent(url: str, *, writers: int, n: int, batch: int) -> float:
    """Events per second of ``writers`` processes recording ``n`` events each."""
    with Ledger.open(url):
        pass
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, str(w), str(n), str(batch)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for w in range(writers)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    t0 = time.perf_counter()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        p.communicate(timeout=1200)
        assert p.returncode == 0
    seconds = time.perf_counter() - t0
    with Ledger.open(url) as led:
        assert len(led) == writers * n
    return writers * n / seconds


def run(url: str, args: argparse.Namespace) -> None:
    batch_parcels = 10_000
    # 1. 100,000 events, against a bare COPY of the same rows
    runs = []
    for r in range(args.repeat):
        frame = chain_events(0, batch_parcels, seed=r)
        with Ledger.open(with_schema(url, f"bench_empty{r}")) as ledger:
            t0 = time.perf_counter()
            ledger.record_many(frame)
            ours = time.perf_counter() - t0
            rows = ledger._store.dump()[0]
        runs.append((ours, bare_copy(rows, with_schema(url, f"bench_bare{r}"))))
    ours = statistics.median(r[0] for r in runs)
    bare = statistics.median(r[1] for r in runs)
    ratios = sorted(r[0] / r[1] for r in runs)
    print(
        f"record_many 100,000 events into an empty ledger: {ours:.3f} s (median of {len(runs)}); "
        f"bare COPY of the same rows {bare:.3f} s; ratio {ours / bare:.2f}× "
        f"(per run {ratios[0]:.2f}–{ratios[-1]:.2f}×; target < 5 s and ≤ 2×)"
    )

    # 2. stages(as_of) over 1,000,000 events
    big = with_schema(url, "bench_big")
    with Ledger.open(big) as ledger:
        t0 = time.perf_counter()
        for b in range(args.parcels // batch_parcels):
            ledger.record_many(chain_events(b * batch_parcels, batch_parcels, seed=100 + b))
        print(f"built {len(ledger):,} events in {time.perf_counter() - t0:.1f} s")
        ledger.connection.execute("VACUUM ANALYZE bench_big.landasset_events")
        print(f"stages(as_of) over {len(ledger):,} events:")
        for as_of in ["2005-06-30", "2012-01-01", None]:
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                result = ledger.stages(as_of=as_of)
                times.append(time.perf_counter() - t0)
            print(
                f"  as_of={as_of}: {len(result):,} parcels, median "
                f"{statistics.median(times):.3f} s, min {min(times):.3f} s (target < 1 s)"
            )

    # 3. 8 concurrent writers
    for batch in (100, 1):
        rate = concurrent(with_schema(url, f"bench_conc{batch}"), writers=8, n=2_000, batch=batch)
        how = f"batches of {batch}" if batch > 1 else "one event per transaction"
        print(f"8 concurrent writers × 2,000 events, {how}: {rate:,.0f} events/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=None)
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("landasset PostgreSQL ledger benchmark")
    if args.url:
        run(args.url, args)
    else:
        with throwaway_cluster() as url:
            run(url, args)


if __name__ == "__main__":
    main()
