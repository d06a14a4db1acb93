"""Benchmark the OGC API service under load (run by hand: ``python benchmarks/serve_load.py``).

Starts ``landasset serve`` on a copy of the sample district on a free loopback port,
then in the same run:

1. the baseline: one client asking the request mix in turn for ``--seconds``;
2. the load: ``--clients`` concurrent clients (threads, one HTTP connection each)
   asking the same mix for ``--seconds``;
3. the library alone: the same parcel pages built in this process by the provider
   (no HTTP, no pygeoapi), as a floor.

Prints requests, throughput, p50/p95/max latency and errors for each, and the ratios
load / baseline (p50, p95, throughput). Zero errors is the requirement; the latencies
depend on the machine and on what else runs on it.

Options: ``--clients`` (default 50), ``--seconds`` (default 30), ``--keep DIR``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from landasset.sample import sample_path

#: The request mix, as in tests/serve: pages of parcels, stages on a day, buildings,
#: a collection's description, the landing page.
PATHS = (
    "/collections/parcels/items?limit=10&offset={n}",
    "/collections/stages/items?limit=10&offset={n}&datetime=2024-06-30",
    "/collections/buildings/items?limit=20&offset={n}",
    "/collections/parcels",
    "/",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    site = folder / "site.gpkg"
    shutil.copy(sample_path("yunqi"), site)
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "src")
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "landasset", "serve", str(site), "--port", str(port), "-q"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited: see {folder / 'server.log'}")
        try:
            if httpx.get(f"{url}/conformance", timeout=5).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the server did not answer within 240 s")


def run(url: str, clients: int, seconds: float) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    began = time.monotonic()
    stop = began + seconds

    def client(number: int) -> None:
        mine, wrong = [], []
        with httpx.Client(base_url=url, timeout=120) as session:
            turn = number
            while time.monotonic() < stop:
                path = PATHS[turn % len(PATHS)].format(n=(turn * 7) % 390)
                turn += 1
                t0 = time.perf_counter()
                try:
                    status = session.get(path).status_code
                except httpx.HTTPError as exc:
                    wrong.append(f"{path}: {exc!r}")
                    continue
                mine.append(time.perf_counter() - t0)
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
    return latencies, errors, time.monotonic() - began


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(label: str, latencies: list[float], errors: list[str], seconds: float) -> dict:
    figures = {
        "requests": len(latencies),
        "per_s": len(latencies) / seconds,
        "p50": quantile(latencies, 0.50),
        "p95": quantile(latencies, 0.95),
        "max": max(latencies),
        "errors": len(errors),
    }
    print(
        f"{label:<22} {figures['requests']:>6} requests  {figures['per_s']:7.1f}/s  "
        f"p50 {figures['p50'] * 1000:7.1f} ms  p95 {figures['p95'] * 1000:7.1f} ms  "
        f"max {figures['max'] * 1000:7.1f} ms  errors {figures['errors']}"
    )
    for error in errors[:5]:
        print(f"    {error}")
    return figures


def library_pages(repeat: int) -> list[float]:
    """The parcel pages of the mix built by the provider in this process."""
    from landasset.serve.provider import LandassetProvider

    provider_def = {
        "type": "feature",
        "name": "landasset.serve.provider.LandassetProvider",
        "data": str(sample_path("yunqi")),
        "options": {"view": "parcels"},
        "storage_crs": "OGC:CRS84",
        "id_field": "parcel_id",
    }
    LandassetProvider(provider_def).query(limit=10)  # warm up: site, pyproj
    out = []
    for turn in range(repeat):
        t0 = time.perf_counter()
        LandassetProvider(provider_def).query(offset=(turn * 7) % 390, limit=10)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="landasset-serve-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    process, url = start(folder)
    try:
        run(url, 1, 3.0)  # warm up: caches, pyproj, the first scoring of each view
        print(f"server {url}, {os.cpu_count()} cores; the mix: {len(PATHS)} requests in turn")
        base = report("1 client (baseline)", *run(url, 1, args.seconds))
        load = report(f"{args.clients} clients", *run(url, args.clients, args.seconds))
    finally:
        process.terminate()
        process.wait(timeout=30)
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    pages = library_pages(200)
    print(
        f"{'provider, no HTTP':<22} {len(pages):>6} pages      "
        f"p50 {statistics.median(pages) * 1000:7.1f} ms (parcels page, in process)"
    )
    print(
        f"ratios, {args.clients} clients / 1 client: p50 {load['p50'] / base['p50']:.1f}×, "
        f"p95 {load['p95'] / base['p95']:.1f}×, throughput {load['per_s'] / base['per_s']:.2f}×"
    )
    if load["errors"] or base["errors"]:
        raise SystemExit("errors under load")


if __name__ == "__main__":
    main()
