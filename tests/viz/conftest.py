"""Fixtures of the viz tests: the Agg backend, a scored sample district, a ledger."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
import pytest

import landasset as la
from landasset.viz import _fonts

AS_OF = "2025-12-31"


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def as_of() -> str:
    """The date the sample district describes."""
    return AS_OF


@pytest.fixture(scope="session")
def aerospace() -> Any:
    """The bundled aerospace profile."""
    from landasset.suitability import load_profile

    return load_profile("aerospace")


@pytest.fixture(scope="session")
def scored(sample_site: la.Site, aerospace: Any) -> gpd.GeoDataFrame:
    """The sample district scored with the aerospace profile."""
    return aerospace.score(sample_site, as_of=AS_OF)


@pytest.fixture(scope="session")
def evaluation(sample_site: la.Site) -> pd.DataFrame:
    """Per-mu grades of the sample's enterprises (zhejiang-2018, 2025)."""
    from landasset.efficiency import evaluate

    return evaluate(
        sample_site.enterprises, sample_site.parcels, year=2025, buildings=sample_site.buildings
    )


@pytest.fixture(scope="session")
def ledger(sample_site: la.Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A ledger holding the sample history."""
    from landasset.lifecycle import Ledger, sample_events

    path: Path = tmp_path_factory.mktemp("ledger") / "yunqi-ledger.sqlite"
    book = Ledger.open(path)
    book.record_many(sample_events(sample_site))
    yield book
    book.close()


@pytest.fixture
def draw() -> Callable[[Any], None]:
    """Render an Axes' figure, so missing glyphs (UserWarning → error) show up."""

    def render(ax: Any) -> None:
        ax.figure.canvas.draw()

    return render


@pytest.fixture(params=["cjk", "no_cjk"])
def fonts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the installed CJK font and as if none were installed."""
    if request.param == "cjk" and _fonts.cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    if request.param == "no_cjk":
        monkeypatch.setattr(_fonts, "cjk_font", lambda: None)
    return str(request.param)


# -- headless Chromium ------------------------------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class DevTools:
    """A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe``.

    Chromium reads commands from fd 3 and writes replies and events to fd 4, each a
    JSON message ended by a NUL byte: no websocket, no open port.
    """

    def __init__(self, binary: str, profile: Path) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire() -> None:  # in the child, before exec
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-default-apps",
                # no network: every host resolves to nothing, and any proxy is closed
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--proxy-server=http://127.0.0.1:9",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=wire,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 30,
    ) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        reply = self.wait(lambda m: m.get("id") == self._next, timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return dict(reply.get("result", {}))

    def wait(self, match: Any, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                if match(message):
                    return dict(message)
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buffer += chunk

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close", timeout=10)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_child)
        os.close(self._from_child)

    def open_page(self, url: str, *, before_load: str = "") -> str:
        """Open ``url`` in a new tab (running ``before_load`` first); the session id back."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 2000, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        if before_load:
            self.send(
                "Page.addScriptToEvaluateOnNewDocument", {"source": before_load}, session=session
            )
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait(
            lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == session, 60
        )
        return str(session)

    def page_errors(self, session: str) -> list[Any]:
        """Exceptions, console errors/warnings and log errors of one tab."""
        return [
            e["params"]
            for e in self.events
            if e.get("sessionId") == session
            and (
                e["method"] == "Runtime.exceptionThrown"
                or (
                    e["method"] == "Runtime.consoleAPICalled"
                    and e["params"]["type"] in ("error", "warning", "assert")
                )
                or (
                    e["method"] == "Log.entryAdded"
                    and e["params"]["entry"]["level"] in ("error", "warning")
                )
            )
        ]

    def requested_urls(self, session: str) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("sessionId") == session and e["method"] == "Network.requestWillBeSent"
        ]

    def evaluate(self, session: str, expression: str, timeout: float = 180) -> Any:
        """The value of a JavaScript expression (promises awaited)."""
        reply = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=session,
            timeout=timeout,
        )
        if "exceptionDetails" in reply:
            raise AssertionError(reply["exceptionDetails"])
        return reply["result"].get("value")


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[DevTools]:
    """A headless Chromium without network (the test is skipped when none is installed)."""
    binary = _chromium()
    if binary is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")
    browser = DevTools(binary, tmp_path / "chromium-profile")
    try:
        yield browser
    finally:
        browser.close()


# -- hostile text ---------------------------------------------------------------------

#: Script payloads: each one, if it ever runs, pushes its name to ``window.__pwned``.
PAYLOADS: tuple[str, ...] = (
    "<script>window.__pwned.push('script')</script>",
    "<img src=x onerror=\"window.__pwned.push('img')\">",
    "<svg onload=\"window.__pwned.push('svg')\"></svg>",
    "<details open ontoggle=\"window.__pwned.push('details')\"><summary>s</summary></details>",
    "${window.__pwned.push('template')}",
    "</script><script>window.__pwned.push('close')</script>",
    "\"'><img src=x onerror=window.__pwned.push('quote')>",
    "`+window.__pwned.push('backtick')+`",
    "src=x.png href=//evil.example/x",
)
PAYLOAD = " ".join(PAYLOADS)


@pytest.fixture(scope="session")
def payload() -> str:
    """All script payloads in one string."""
    return PAYLOAD


@pytest.fixture(scope="session")
def hostile_site(sample_site: la.Site) -> la.Site:
    """The sample district with the payloads in every text field a map or report shows.

    Names of every layer, the ids of five parcels and of every station, categories
    and zones; land-use codes and stages stay valid.
    """
    layers = {}
    for kind in ("parcels", "stations", "amenities", "constraints", "axes", "transit_lines"):
        gdf = sample_site[kind].copy()
        for column in ("name", "category", "zone"):
            if column in gdf.columns:
                gdf[column] = gdf[column].astype(object).fillna("").astype(str) + " " + PAYLOAD
        layers[kind] = gdf
    parcels = layers["parcels"]
    ids = parcels.index.to_numpy(dtype=object).copy()
    ids[:5] = [f"{i}{PAYLOAD}" for i in ids[:5]]
    parcels.index = pd.Index(ids, name=parcels.index.name)
    stations = layers["stations"]
    stations.index = pd.Index([f"{i}{PAYLOAD}" for i in stations.index], name=stations.index.name)
    return sample_site.replace(**layers)
