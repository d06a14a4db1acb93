"""Reliability: concurrent writers, SIGKILL mid-batch, the transition table, append-only,
as-of queries against a replay, and GeoPackage validity."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import box

import landasset
from landasset import TransitionError
from landasset.lifecycle import (
    EVENTS_TABLE,
    LINEAGE_TABLE,
    TRANSITIONS,
    Ledger,
    Stage,
    allowed_next,
    required_fields,
)

X0, Y0 = 514_000.0, 3_350_000.0  # the corner of the parcels of conftest.small_parcels

#: Values for every field the transition table can require: with these an event is
#: refused only for its move or its date.
FULL_DATA = {
    "land_use": "M1",
    "far_max": 2.0,
    "contract_id": "C-1",
    "mode": "listing",
    "price_10k_cny": 100.0,
    "agreed_start": "2020-01-01",
    "agreed_completion": "2021-01-01",
    "started_on": "2020-02-01",
    "accepted_on": "2021-01-01",
    "filed_on": "2021-01-10",
    "reason": "test",
}

SRC = str(Path(landasset.__file__).resolve().parents[1])
LEGAL = {(t.source, t.target) for t in TRANSITIONS}
SOURCES: list[Stage | None] = [None, *Stage]


def python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


# -- two writers at once --------------------------------------------------------------------
WRITER = r"""
import os, sys, time
import pandas as pd
from landasset.lifecycle import Ledger

path, prefix, go = sys.argv[1], sys.argv[2], sys.argv[3]
parcels = [f"{prefix}{i:04d}" for i in range(500)]
with Ledger.open(path) as ledger:
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.002)
    for r in range(20):  # 20 rounds x 500 parcels = 10,000 events
        stage = "operating" if r % 2 == 0 else "renewal"
        day = pd.Timestamp("2000-01-01") + pd.Timedelta(days=30 * r)
        if r == 0:  # one transaction per event
            for pid in parcels:
                ledger.record(pid, stage, day, actor=prefix)
        else:  # batches of 50
            for start in range(0, len(parcels), 50):
                chunk = parcels[start : start + 50]
                ledger.record_many(pd.DataFrame(
                    {"parcel_id": chunk, "stage": stage, "on": day, "actor": prefix, "round": r}
                ))
print("done", flush=True)
"""


def test_two_processes_append_concurrently(
    tmp_path: Path, validate_gpkg: Callable[[Path], str]
) -> None:
    path = tmp_path / "shared.gpkg"
    Ledger.open(path).close()
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), prefix, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=python_env(),
        )
        for prefix in ("A", "B")
    ]
    try:
        for p in procs:
            assert p.stdout is not None
            assert p.stdout.readline().strip() == "ready", p.communicate()[1]
        go.touch()
        results = [p.communicate(timeout=300) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0 and out.strip().endswith("done"), err
        assert err == "", err  # no error reached the caller
    with Ledger.open(path) as led:
        assert len(led) == 20_000
        counts = led.connection.execute(
            f"SELECT actor, count(*) FROM {EVENTS_TABLE} GROUP BY actor"
        ).fetchall()
        assert dict(counts) == {"A": 10_000, "B": 10_000}
        stages = led.stages()
        assert len(stages) == 1_000 and set(stages.astype(str)) == {"renewal"}
        assert led.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    validate_gpkg(path)


# -- SIGKILL in the middle of batches ------------------------------------------------------------
# A "zygote" process imports landasset once and forks one writer per request, so twenty
# victims cost one import. Each victim opens its own ledger after the fork and appends
# batches of BATCH events (data: batch number) until it is killed with SIGKILL.
ZYGOTE = r"""
import os, signal, sys, traceback
import pandas as pd
from landasset.lifecycle import Ledger

signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed children are reaped at once
path, size = sys.argv[1], int(sys.argv[2])
print("ready", flush=True)
for line in sys.stdin:
    tag = line.strip()
    if not tag:
        break
    pid = os.fork()
    if pid == 0:
        try:
            with Ledger.open(path) as ledger:
                b = 0
                while True:
                    ledger.record_many(pd.DataFrame({
                        "parcel_id": [f"{tag}-{b}-{i}" for i in range(size)],
                        "stage": "planned", "on": "2024-01-01", "actor": tag, "batch": b,
                    }))
                    b += 1
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(1)
    print(pid, flush=True)
"""
BATCH = 3_000


def committed(path: Path, tag: str) -> int:
    con = sqlite3.connect(path, timeout=30)
    try:
        return int(
            con.execute(f"SELECT count(*) FROM {EVENTS_TABLE} WHERE actor = ?", (tag,)).fetchone()[
                0
            ]
        )
    finally:
        con.close()


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_sigkill_mid_record_many_leaves_no_partial_batch(
    tmp_path: Path, validate_gpkg: Callable[[Path], str]
) -> None:
    path = tmp_path / "killed.gpkg"
    Ledger.open(path).close()
    rng = random.Random(20251231)
    tags = [f"w{k:02d}" for k in range(20)]
    env = {**python_env(), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    zygote = subprocess.Popen(
        [sys.executable, "-c", ZYGOTE, str(path), str(BATCH)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert zygote.stdin is not None and zygote.stdout is not None
    try:
        assert zygote.stdout.readline().strip() == "ready", zygote.communicate()[1]
        for pair in (tags[i : i + 2] for i in range(0, len(tags), 2)):  # two writers at a time
            pids = {}
            for tag in pair:
                zygote.stdin.write(tag + "\n")
                zygote.stdin.flush()
                pids[tag] = int(zygote.stdout.readline())
            for tag, pid in pids.items():
                deadline = time.monotonic() + 60
                while committed(path, tag) == 0:  # kill it once it has committed a batch
                    assert not gone(pid), "the writer died on its own"
                    assert time.monotonic() < deadline, "the writer commits nothing"
                    time.sleep(0.005)
                time.sleep(rng.uniform(0.0, 0.12))
                os.kill(pid, signal.SIGKILL)
            for pid in pids.values():
                deadline = time.monotonic() + 30
                while not gone(pid):
                    assert time.monotonic() < deadline
                    time.sleep(0.005)
    finally:
        _, err = zygote.communicate(input="\n", timeout=60)
    assert "Traceback" not in err, err

    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = con.execute(
        f"SELECT actor, json_extract(data, '$.batch') AS b, count(*) FROM {EVENTS_TABLE} GROUP BY actor, b"
    ).fetchall()
    con.close()
    by_tag: dict[str, list[int]] = {}
    for tag, batch, count in rows:
        assert count == BATCH, (tag, batch, count)  # every committed batch is complete
        by_tag.setdefault(tag, []).append(batch)
    assert set(by_tag) == set(tags)  # every writer committed something before it was killed
    for tag, batches in by_tag.items():
        assert sorted(batches) == list(range(len(batches))), tag  # no batch lost in between
    with Ledger.open(path) as led:  # the file stays usable
        led.record("after", "planned", "2024-01-01", actor="t")
        assert len(led) == 1 + BATCH * sum(len(b) for b in by_tag.values())
    validate_gpkg(path)


# -- the transition table ---------------------------------------------------------------------
def bring_to(ledger: Ledger, pid: str, source: Stage | None) -> None:
    if source is not None:
        ledger.record(pid, source, "2020-01-01", actor="t", **FULL_DATA)


ILLEGAL = [(s, t) for s in SOURCES for t in Stage if (s, t) not in LEGAL]


@pytest.mark.parametrize(("source", "target"), ILLEGAL, ids=[f"{s}->{t}" for s, t in ILLEGAL])
def test_every_illegal_move_refused(source: Stage | None, target: Stage) -> None:
    with Ledger.open(":memory:") as led:
        bring_to(led, "P", source)
        with pytest.raises(TransitionError) as err:
            led.record("P", target, "2020-06-01", actor="t", **FULL_DATA)
        assert "cannot go from" in str(err.value) or "is final" in str(err.value)
        assert len(led) == (0 if source is None else 1)


def test_illegal_pairs_cover_the_complement() -> None:
    assert len(ILLEGAL) + len(LEGAL) == len(SOURCES) * len(Stage)
    assert len(ILLEGAL) > 80


def test_every_legal_move_accepted_and_needs_its_fields() -> None:
    rows = []
    for k, (source, target) in enumerate(sorted(LEGAL, key=str)):
        pid = f"P{k:03d}"
        if source is not None:
            rows.append({"parcel_id": pid, "stage": source.value, "on": "2020-01-01", **FULL_DATA})
        rows.append({"parcel_id": pid, "stage": target.value, "on": "2020-06-01", **FULL_DATA})
    frame = pd.DataFrame(rows).assign(actor="t")
    with Ledger.open(":memory:") as led:
        assert len(led.record_many(frame)) == len(frame)  # all legal moves in one batch
    for source, target in LEGAL:
        for missing in required_fields(source, target):
            with Ledger.open(":memory:") as led:
                bring_to(led, "P", source)
                data = {k: v for k, v in FULL_DATA.items() if k != missing}
                with pytest.raises(TransitionError, match=f"{missing} is missing"):
                    led.record("P", target, "2020-06-01", actor="t", **data)


def test_illegal_rows_in_one_batch_are_all_reported() -> None:
    rows = []
    for k, (source, target) in enumerate(ILLEGAL):
        pid = f"P{k:03d}"
        if source is not None:
            rows.append({"parcel_id": pid, "stage": source.value, "on": "2020-01-01", **FULL_DATA})
        rows.append({"parcel_id": pid, "stage": target.value, "on": "2020-06-01", **FULL_DATA})
    frame = pd.DataFrame(rows).assign(actor="t")
    with Ledger.open(":memory:") as led:
        with pytest.raises(TransitionError) as err:
            led.record_many(frame)
        assert str(err.value).startswith(f"{len(ILLEGAL)} of {len(frame)} events refused")
        assert len(led) == 0


STEP = st.tuples(st.sampled_from(list(Stage)), st.integers(0, 400), st.booleans())


def reachable(start: Stage) -> set[Stage]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in allowed_next(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEP, min_size=1, max_size=14))
def test_random_event_sequences_follow_the_table(steps: Sequence[tuple[Stage, int, bool]]) -> None:
    day = dt.date(2020, 1, 1)
    accepted: list[Stage] = []
    with Ledger.open(":memory:") as led:
        for stage, gap, with_fields in steps:
            day += dt.timedelta(days=gap)
            source = accepted[-1] if accepted else None
            data = FULL_DATA if with_fields else {}
            legal = (source, stage) in LEGAL
            expected = legal and (with_fields or not required_fields(source, stage))
            try:
                led.record("P", stage, day, actor="h", **data)
            except TransitionError:
                assert not expected, (source, stage, with_fields)
            else:
                assert expected, (source, stage, with_fields)
                accepted.append(stage)
            current = led.stage("P") if accepted else None
            assert current == (accepted[-1] if accepted else None)
        if accepted:
            assert accepted[-1] in reachable(accepted[0])
            assert all((a, b) in LEGAL for a, b in itertools.pairwise(accepted))
            assert len(led) == len(accepted)


# -- as-of queries equal a replay of the history -------------------------------------------------
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_stages_as_of_equal_a_replay(rnd: random.Random) -> None:
    model: dict[str, list[list[object]]] = {}  # parcel → [[date, stage], …] in order
    rows = []
    for k in range(8):
        pid = f"P{k}"
        stage: Stage = rnd.choice(list(Stage))
        day = dt.date(2015, 1, 1) + dt.timedelta(days=rnd.randint(0, 2000))
        model[pid] = [[day, stage]]
        for _ in range(rnd.randint(0, 8)):
            options = allowed_next(stage)
            if not options:
                break
            stage = rnd.choice(options)
            day += dt.timedelta(days=rnd.choice([0, 0, rnd.randint(1, 500)]))
            model[pid].append([day, stage])
        for d, s in model[pid]:
            rows.append({"parcel_id": pid, "stage": s.value, "on": d, "actor": "r", **FULL_DATA})
    # interleave the parcels (a stable sort keeps each parcel's own order)
    frame = pd.DataFrame(rows).sort_values("on", kind="stable")
    with Ledger.open(":memory:") as led:
        led.record_many(frame)
        for _ in range(rnd.randint(0, 6)):  # corrections of date, stage or data
            pid = rnd.choice(list(model))
            history = led.events(parcels=[pid])
            pos = rnd.randrange(len(history))
            event_id = int(history.index[pos])
            entries = model[pid]
            before = entries[pos - 1] if pos > 0 else None
            after = entries[pos + 1] if pos + 1 < len(entries) else None
            kind = rnd.choice(["date", "stage", "data"])
            if kind == "date":
                low = before[0] if before else dt.date(2010, 1, 1)
                high = after[0] if after else dt.date(2024, 12, 31)
                new_day = low + dt.timedelta(days=rnd.randint(0, (high - low).days))  # type: ignore[operator]
                led.correct(event_id, actor="c", reason="date", on=new_day)
                entries[pos][0] = new_day
            elif kind == "stage":
                prev = before[1] if before else None
                choices = [
                    s
                    for s in allowed_next(prev)  # type: ignore[arg-type]
                    if s != entries[pos][1] and (after is None or (s, after[1]) in LEGAL)
                ]
                if not choices:
                    continue
                new_stage = rnd.choice(choices)
                led.correct(event_id, actor="c", reason="stage", stage=new_stage)
                entries[pos][1] = new_stage
            else:
                led.correct(event_id, actor="c", reason="data", note="fixed")
        days = {e[0] for entries in model.values() for e in entries}
        probes = sorted(days) + [d - dt.timedelta(days=1) for d in days]  # type: ignore[operator]
        probes += [dt.date(2014, 1, 1) + dt.timedelta(days=rnd.randint(0, 5000)) for _ in range(10)]
        for probe in probes:
            expected = {}
            for pid, entries in model.items():
                past = [s for d, s in entries if d <= probe]  # type: ignore[operator]
                if past:
                    expected[pid] = past[-1].value  # type: ignore[attr-defined]
            assert led.stages(as_of=probe).astype(str).to_dict() == expected, probe
            for pid in model:
                got = led.stage(pid, as_of=probe)
                assert (got.value if got else None) == expected.get(pid)
        assert led.stages().astype(str).to_dict() == {p: e[-1][1].value for p, e in model.items()}  # type: ignore[attr-defined]


# -- append-only at the database level ------------------------------------------------------------
def test_update_and_delete_fail_in_the_database(tmp_path: Path) -> None:
    path = tmp_path / "l.gpkg"
    with Ledger.open(path) as led:
        led.record("A", "reserved", "2020-01-01", actor="a")
        led.split("A", {"A1": None, "A2": None}, "2021-01-01", actor="a")
    con = sqlite3.connect(path)
    for sql in (
        f"UPDATE {EVENTS_TABLE} SET stage = 'planned'",
        f"UPDATE {EVENTS_TABLE} SET data = NULL WHERE event_id = 1",
        f"DELETE FROM {EVENTS_TABLE} WHERE event_id = 1",
        f"DELETE FROM {EVENTS_TABLE}",
        f"UPDATE {LINEAGE_TABLE} SET child_id = 'X'",
        f"DELETE FROM {LINEAGE_TABLE}",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(sql)
    assert con.execute(f"SELECT count(*) FROM {EVENTS_TABLE}").fetchone()[0] == 4
    con.close()


# -- GeoPackage validity ------------------------------------------------------------------------
def test_sample_geopackage_with_ledger_is_valid(
    sample_ledger_path: Path, validate_gpkg: Callable[[Path], str]
) -> None:
    validate_gpkg(sample_ledger_path)


def test_geopackage_after_split_and_merge_is_valid(
    parcels_gpkg: Path, validate_gpkg: Callable[[Path], str]
) -> None:
    with Ledger.open(parcels_gpkg) as led:
        for pid in ("A-01", "A-02", "A-03"):
            led.record(pid, "reserved", "2020-01-01", actor="a")
        led.split(
            "A-01",
            {"S1": box(X0, Y0, X0 + 50, Y0 + 100), "S2": box(X0 + 50, Y0, X0 + 100, Y0 + 100)},
            "2021-01-01",
            actor="a",
        )
        led.merge(["A-02", "A-03"], ("M1", None), "2021-01-01", actor="a")
        e = led.events(parcels=["S1"])
        led.correct(int(e.index[0]), actor="b", reason="note", note="n")
    validate_gpkg(parcels_gpkg)
