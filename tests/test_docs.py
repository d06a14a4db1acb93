"""The documentation builds with Sphinx, warnings as errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_parser")
pytest.importorskip("numpydoc")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_every_toctree_page_exists() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    pages = re.findall(r"^([a-z_]+)$", index, flags=re.MULTILINE)
    missing = [p for p in pages if not (DOCS / f"{p}.md").exists()]
    assert "api" in pages and "formats" in pages
    assert missing == []


def test_docs_build_without_warnings(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(DOCS),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    api = (tmp_path / "html" / "api.html").read_text(encoding="utf-8")
    for name in (
        "landasset.site.Site",
        "landasset.viz.html_report.report",
        "landasset.lifecycle.Ledger",
    ):
        assert f'id="{name}"' in api, name
    assert (tmp_path / "html" / "formats.html").exists()
