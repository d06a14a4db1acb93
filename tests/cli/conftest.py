"""Fixtures for the command-line tests: the sample district written once by the CLI."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from landasset.cli import cli

Run = Callable[..., Result]


@pytest.fixture(scope="session")
def site_gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Yunqi sample with its lifecycle ledger, written by ``landasset sample --ledger``.

    Read-only for the tests: copy it (``site_copy``) to write into it.
    """
    path = tmp_path_factory.mktemp("cli-site") / "yunqi.gpkg"
    result = CliRunner().invoke(cli, ["sample", "yunqi", "-o", str(path), "--ledger"])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def site_copy(site_gpkg: Path, tmp_path: Path) -> Path:
    """A private copy of the sample site that a test may write into."""
    return Path(shutil.copy(site_gpkg, tmp_path / "site.gpkg"))


@pytest.fixture
def run() -> Run:
    """Invoke the real ``landasset`` group; returns click's Result (stdout/stderr apart)."""

    def invoke(*args: object) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


def _one_line_error(result: Result, code: int = 2, *, contains: str = "") -> str:
    """The command failed with ``code`` and said why in one line, the last on stderr.

    Progress labels may precede it; nothing else (no traceback, no usage block).
    """
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("Error: "), result.stderr
    assert sum(line.startswith("Error") for line in lines) == 1, result.stderr
    assert not any(line.startswith((" ", "Traceback", "Usage", "Try")) for line in lines), lines
    assert contains in lines[-1], lines[-1]
    return lines[-1]


def _files_in(folder: Path) -> list[str]:
    """The names in a folder, hidden temporaries included."""
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def one_line_error() -> Callable[..., str]:
    """``one_line_error(result, code=2, contains="...")``: checks a one-line failure."""
    return _one_line_error


@pytest.fixture
def files_in() -> Callable[[Path], list[str]]:
    """``files_in(folder)``: sorted names, hidden temporaries included."""
    return _files_in
