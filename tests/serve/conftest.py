"""A real ``landasset serve`` process on a free loopback port, for the HTTP tests.

The server serves a copy of the bundled sample district (its ledger included), with a
token file of three principals. It runs as ``python -m landasset serve ...`` in a child
process, exactly as an operator starts it, and the fixture waits until it answers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("pygeoapi", reason="the OGC API service needs landasset[serve]")
httpx = pytest.importorskip("httpx", reason="the HTTP tests need httpx (landasset[dev])")

TOKENS = {
    "recorder": "recorder-token-0001",
    "north": "north-desk-token-0001",
    "reader": "reader-token-0001",
}

TOKEN_FILE = f"""\
version: 1
reads: open
max_body_bytes: 4096
tokens:
  - name: investment-system
    role: recorder
    token: {TOKENS["recorder"]}
  - name: north-desk
    role: recorder
    zones: [双浦]
    token: {TOKENS["north"]}
  - name: dashboard
    role: reader
    token: {TOKENS["reader"]}
"""

#: The page cap the test server runs with (``--max-items``) and its default page.
MAX_ITEMS = 50
DEFAULT_ITEMS = 10


@dataclass(frozen=True)
class Server:
    """A running test server: its base ``url``, the ``site`` file it serves, its log."""

    url: str
    site: Path | str
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    folder: Path, *extra: str, source: str | None = None, tokens_text: str = TOKEN_FILE
) -> tuple[subprocess.Popen[bytes], Server]:
    """Start ``landasset serve`` on a copy of the sample site in ``folder`` (or on the
    PostGIS URL ``source``), with the token file ``tokens_text``."""
    from landasset.sample import sample_path

    site: Path | str
    if source is None:
        site = folder / "site.gpkg"
        shutil.copy(sample_path("yunqi"), site)
    else:
        site = source
    tokens = folder / "tokens.yaml"
    tokens.write_text(tokens_text, encoding="utf-8")
    port = free_port()
    log = folder / "server.log"
    command = [
        sys.executable,
        "-m",
        "landasset",
        "serve",
        str(site),
        "--port",
        str(port),
        "--tokens",
        str(tokens),
        "--max-items",
        str(MAX_ITEMS),
        "--default-items",
        str(DEFAULT_ITEMS),
        *extra,
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=os.environ)
    server = Server(f"http://127.0.0.1:{port}", site, log)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/conformance", timeout=5).status_code == 200:
                return process, server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise AssertionError(f"the server did not answer within 240 s:\n{log.read_text()}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server on a copy of the sample site, for one test module."""
    process, running = start_server(tmp_path_factory.mktemp("serve"))
    try:
        yield running
    finally:
        stop_server(process)


#: What each load-test client asks, in turn: pages of parcels, stages on days, metadata.
LOAD_PATHS = (
    "/collections/parcels/items?limit=10&offset={n}",
    "/collections/stages/items?limit=10&offset={n}&datetime=2024-06-30",
    "/collections/buildings/items?limit=20&offset={n}",
    "/collections/parcels",
    "/",
)


@dataclass(frozen=True)
class LoadResult:
    """What a load run measured: latencies in seconds of the answered requests, errors."""

    latencies: list[float]
    errors: list[str]
    seconds: float

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def load(url: str, *, clients: int, seconds: float) -> LoadResult:
    """``clients`` threads, each with its own HTTP connection, asking :data:`LOAD_PATHS`
    in turn for ``seconds``; an error is any answer other than 200, or no answer."""
    import threading

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.monotonic()
    stop = start + seconds

    def client(number: int) -> None:
        mine: list[float] = []
        wrong: list[str] = []
        with httpx.Client(base_url=url, timeout=120) as session:
            turn = number
            while time.monotonic() < stop:
                path = LOAD_PATHS[turn % len(LOAD_PATHS)].format(n=(turn * 7) % 390)
                turn += 1
                began = time.perf_counter()
                try:
                    status = session.get(path).status_code
                except httpx.HTTPError as exc:
                    wrong.append(f"{path}: {type(exc).__name__}: {exc}")
                    continue
                mine.append(time.perf_counter() - began)
                if status != 200:
                    wrong.append(f"{path}: HTTP {status}")
        with lock:
            latencies.extend(mine)
            errors.extend(wrong)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(latencies, errors, time.monotonic() - start)
