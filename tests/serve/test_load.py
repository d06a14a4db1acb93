"""A bounded load test on loopback: 50 concurrent clients for 30 s, zero errors.

The latencies are printed (p50/p95), never asserted: they depend on the machine.
benchmarks/serve_load.py measures them against a one-client baseline.
"""

from __future__ import annotations

import pytest

from .conftest import load

CLIENTS = 50
SECONDS = 30.0


@pytest.mark.slow
def test_fifty_clients_for_thirty_seconds_get_every_answer(server):
    result = load(server.url, clients=CLIENTS, seconds=SECONDS)
    p50, p95 = result.percentile(50), result.percentile(95)
    print(
        f"\n{CLIENTS} clients, {result.seconds:.1f} s: {len(result.latencies)} requests, "
        f"{len(result.latencies) / result.seconds:.1f}/s, p50 {p50 * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, {len(result.errors)} errors"
    )
    assert result.errors == []
    # every client was answered, more than once
    assert len(result.latencies) >= 2 * CLIENTS
