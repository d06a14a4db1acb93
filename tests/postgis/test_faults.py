"""Faults: the server killed (SIGKILL) mid-batch and restarted keeps exactly the committed
batches; a client that dies mid-transaction leaves nothing (and no lock behind)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from typing import Any

from landasset import LandassetIOError
from landasset.lifecycle import Ledger

BATCH = 500

WRITER = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from landasset.lifecycle import Ledger

    url = sys.argv[1]
    with Ledger.open(url) as led:
        for b in range(10_000):
            frame = pd.DataFrame(
                {"parcel_id": [f"B{b:05d}-{i:03d}" for i in range({batch})],
                 "stage": "planned", "on": "2024-01-01", "actor": "w", "batch": b}
            )
            led.record_many(frame)
            print(b, flush=True)  # committed
    """
).replace("{batch}", str(BATCH))

DIES_INSIDE = textwrap.dedent(
    """
    import sys, time
    from landasset.lifecycle import Ledger

    led = Ledger.open(sys.argv[1])
    store = led._store
    insert = store.insert

    def insert_then_hang(con, batch):
        ids = insert(con, batch)
        print("inside", flush=True)
        time.sleep(600)
        return ids

    store.insert = insert_then_hang
    led.record("A", "planned", "2024-01-01", actor="doomed")
    """
)


def test_server_killed_mid_batch_keeps_exactly_the_committed_batches(pg_killable: Any) -> None:
    cluster = pg_killable
    url = cluster.url(cluster.new_database())
    with Ledger.open(url):
        pass
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    committed = -1
    while committed < 5:  # a few batches in, then kill it while the next is on the way
        line = writer.stdout.readline()
        assert line, writer.stderr.read() if writer.stderr else "writer stopped"
        committed = int(line)
    time.sleep(0.05)
    cluster.kill()
    rest, err = writer.communicate(timeout=120)
    assert writer.returncode != 0  # the writer saw its connection fail ...
    assert "LandassetIOError" in err and "nothing of this write was recorded" in err
    committed = max([committed, *(int(x) for x in rest.split())])
    cluster.start()  # crash recovery replays the WAL
    with Ledger.open(url) as led:
        events = led.events()
    per_batch = events.groupby("batch").size()
    assert (per_batch == BATCH).all()  # no batch in part
    batches = sorted(int(b) for b in per_batch.index)
    # every batch the writer saw committed is there; at most the one in flight beyond
    # them, when the server committed it just before it died without telling the client
    assert batches[: committed + 1] == list(range(committed + 1))
    assert len(batches) in (committed + 1, committed + 2)
    assert batches == list(range(len(batches)))
    assert sorted(events.index) == list(range(1, len(events) + 1))


def test_client_killed_mid_transaction_leaves_nothing(pg_url: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", DIES_INSIDE, pg_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == "inside", child.stderr.read() if child.stderr else ""
    # the event is inserted, the transaction open and the ledger's lock held: die
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)  # reaps it and closes its pipes
    with Ledger.open(pg_url) as led:
        led._store.retry_seconds = 30
        # the server ends the dead client's session: its insert is rolled back and the
        # lock released, so this write goes through
        deadline = time.monotonic() + 30
        while True:
            try:
                event = led.record("B", "planned", "2024-01-01", actor="alive")
                break
            except LandassetIOError:  # pragma: no cover - only if the server is slow
                if time.monotonic() > deadline:
                    raise
        assert event.event_id == 1
        assert led.parcel_ids().tolist() == ["B"] and len(led) == 1
