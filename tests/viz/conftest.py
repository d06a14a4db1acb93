"""Fixtures of the viz tests: the Agg backend, a scored sample district, a ledger."""

from __future__ import annotations

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
