"""The worked-example notebooks execute, are stored without outputs and match their generator.

Executed here with nbclient rather than ``pytest --nbmake``: the project's test paths
are ``tests`` and ``src/landasset``, so a plain ``pytest`` (what ``make test`` and
``.ci/run`` run) would never collect ``notebooks/``; this test runs them under the same
command and also checks that no cell writes to stderr (warnings included).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import nbclient
import nbformat
import pytest

pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("[0-9][0-9]_*.ipynb"))


def test_the_five_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_district_overview.ipynb",
        "02_site_selection.ipynb",
        "03_lifecycle.ipynb",
        "04_per_mu_efficiency.ipynb",
        "05_project_match.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(not c.outputs and c.execution_count is None for c in code)


def test_notebooks_match_their_generator(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "_build_notebooks", FOLDER / "_build_notebooks.py"
    )
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    for built in builder.build(tmp_path):
        stored = FOLDER / built.name
        assert built.read_text(encoding="utf-8") == stored.read_text(encoding="utf-8"), (
            f"{stored.name} differs from notebooks/_build_notebooks.py: run "
            "`python notebooks/_build_notebooks.py`"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the kernel is a child process: make the source tree importable in a checkout that
    # is not installed, and keep matplotlib off any display
    src = str(ROOT / "src")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    )
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    stderr = [
        (i, out.get("text", ""))
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    ]
    assert stderr == [], stderr
    images = sum(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )
    assert images >= 1  # every notebook draws at least one map or chart
