"""examples/demo.py, run as a user runs it: a subprocess writing the map, the layer, the report."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import landasset as la
from landasset.viz.html_report import find_external_references

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class DemoRun:
    out: Path
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """One run of the demo for the whole module (it takes a few seconds)."""
    out = tmp_path_factory.mktemp("demo") / "out"  # a folder the demo must create
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    env["MPLBACKEND"] = "Agg"
    done = subprocess.run(
        # -W error: the demo stays as warning-free as the test suite (filterwarnings=error)
        [sys.executable, "-W", "error", str(DEMO), "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (
        f"demo exited {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    )
    return DemoRun(out, done.stdout, done.stderr)


def test_demo_prints_the_path_of_each_file(demo: DemoRun) -> None:
    wrote = [line for line in demo.stdout.splitlines() if line.startswith("Wrote ")]
    assert [line.split()[1] for line in wrote] == [
        str((demo.out / name).resolve()) for name in ("district.png", "scored.gpkg", "report.html")
    ]
    assert "Validation: 0 error(s)" in demo.stdout
    assert sorted(p.name for p in demo.out.iterdir()) == [
        "district.png",
        "report.html",
        "scored.gpkg",
    ]


def test_demo_map_is_a_png(demo: DemoRun) -> None:
    data = (demo.out / "district.png").read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 400 and height > 400  # a 10 in × 10 in figure at 120 dpi, cropped
    assert data[-12:-4] == b"\x00\x00\x00\x00IEND"  # the file is complete


def test_demo_scored_layer_has_one_row_per_parcel(demo: DemoRun, sample_site: la.Site) -> None:
    scored = la.read_layer(demo.out / "scored.gpkg", layer="scored")
    assert {"score", "rank", "eligible", "excluded_by"} <= set(scored.columns)
    ids = scored["parcel_id"].astype(str)
    assert ids.is_unique
    assert sorted(ids) == sorted(sample_site.parcels.index.astype(str))
    assert scored.crs == sample_site.parcels.crs
    score = scored["score"].to_numpy(dtype=float)
    assert np.isfinite(score).all() and ((score >= 0) & (score <= 1)).all()
    eligible = scored["eligible"].astype(bool).to_numpy()
    assert 0 < eligible.sum() < len(scored)
    # eligible parcels are ranked 1..n by falling score; excluded ones have no rank
    assert scored["rank"].isna().to_numpy().tolist() == (~eligible).tolist()
    ranked = scored[eligible].sort_values("rank")
    assert ranked["rank"].astype(int).tolist() == list(range(1, int(eligible.sum()) + 1))
    assert ranked["score"].is_monotonic_decreasing
    assert scored.loc[~eligible, "excluded_by"].notna().all()


def test_demo_report_is_self_contained(demo: DemoRun) -> None:
    page = (demo.out / "report.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "<title>Yunqi sample district — aerospace report</title>" in page
    assert "data:image/png;base64," in page  # the charts are embedded, not linked
    assert find_external_references(page) == []


def test_demo_prints_a_shortlist_for_each_sample_project(demo: DemoRun) -> None:
    for name in la.projects.list_projects():
        head = f"Shortlist for <Project {name!r}"
        assert head in demo.stdout, name
        block = demo.stdout.split(head, 1)[1].splitlines()
        # the header, the index name, then the best candidate: it passes every condition
        best = block[3].split()
        assert best[1] in ("parcel", "assembly", "spaces") and best[2] == "True", block[:4]
