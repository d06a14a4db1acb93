"""Run the QGIS plugin with Debian's QGIS: a throwaway profile, qgis_process, the sample.

QGIS is looked for as ``qgis_process`` (Debian's wrapper passes the desktop options
of /etc/default/qgis on, which qgis_process refuses, so its ``.bin`` is called when
present). Without QGIS the tests skip with the reason, except under CI (``CI`` set),
where they fail.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import landasset as la

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "qgis_plugin"
PLUGIN_NAME = "landasset_qgis"
SYSTEM_PYTHON = "/usr/bin/python3"


def qgis_process_path() -> str | None:
    """The qgis_process executable (Debian's ``.bin`` behind its wrapper script)."""
    found = shutil.which("qgis_process")
    if found is None:
        return None
    binary = Path(found).with_name("qgis_process.bin")
    return str(binary) if binary.exists() else found


def require(reason: str | None) -> None:
    """Skip with ``reason`` locally; fail under CI, where QGIS must be there."""
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)


def load_environment_module() -> Any:
    """qgis_plugin/environment.py, which imports nothing of QGIS."""
    spec = importlib.util.spec_from_file_location(
        "landasset_qgis_environment", PLUGIN / "environment.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def library_path() -> str:
    """Where the library comes from in these tests: this checkout's src, then the venv."""
    return os.pathsep.join([str(REPO / "src"), sysconfig.get_paths()["purelib"]])


@dataclass
class Outcome:
    returncode: int
    results: dict[str, Any]
    log: dict[str, Any]
    text: str  # stdout and stderr together


@dataclass
class Qgis:
    executable: str
    env: dict[str, str]
    cwd: Path

    def run(self, algorithm: str, timeout: float = 300, **parameters: Any) -> Outcome:
        args = [f"{key}={value}" for key, value in parameters.items()]
        done = subprocess.run(
            [self.executable, "--json", "run", f"landasset:{algorithm}", "--", *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.cwd,
            timeout=timeout,
            check=False,
        )
        text = done.stdout + done.stderr
        try:
            data = json.loads(done.stdout)
        except ValueError:
            data = {}
        return Outcome(done.returncode, data.get("results", {}), data.get("log", {}), text)

    def command(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.executable, *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.cwd,
            timeout=timeout,
            check=False,
        )


def qgis_env(root: Path, **extra: str) -> dict[str, str]:
    """A clean environment for QGIS: no venv on its Python path, a private profile."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL", "LANDASSET_", "QGIS_"))
    }
    runtime = root / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_RUNTIME_DIR=str(runtime),
        QGIS_CUSTOM_CONFIG_PATH=str(root / "qgis-config"),
        LANDASSET_PYTHONPATH=library_path(),
        HOME=str(root),
    )
    env.update(extra)
    return env


def install_plugin(root: Path) -> None:
    """The plugin linked into a fresh profile and enabled in its QGIS3.ini."""
    profile = root / "qgis-config" / "profiles" / "default"
    (profile / "python" / "plugins").mkdir(parents=True, exist_ok=True)
    (profile / "QGIS").mkdir(parents=True, exist_ok=True)
    link = profile / "python" / "plugins" / PLUGIN_NAME
    if not link.exists():
        link.symlink_to(PLUGIN, target_is_directory=True)
    (profile / "QGIS" / "QGIS3.ini").write_text(
        f"[PythonPlugins]\n{PLUGIN_NAME}=true\n", encoding="utf-8"
    )


@pytest.fixture(scope="session")
def qgis(tmp_path_factory: pytest.TempPathFactory) -> Qgis:
    executable = qgis_process_path()
    require(
        None
        if executable is not None
        else "qgis_process is not installed (apt-get install qgis python3-qgis qgis-providers)"
    )
    assert executable is not None
    root = tmp_path_factory.mktemp("qgis")
    install_plugin(root)
    return Qgis(executable, qgis_env(root), root)


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """The sample district (with its lifecycle ledger), copied: runs may write to it."""
    path = tmp_path / "yunqi.gpkg"
    shutil.copyfile(la.sample.sample_path("yunqi"), path)
    return path


@pytest.fixture(scope="session")
def environment_module() -> Any:
    """The plugin's environment module (runs the library outside QGIS)."""
    return load_environment_module()


@pytest.fixture
def qgis_with(qgis: Qgis, tmp_path: Path) -> Any:
    """``qgis_with(**env)``: the same QGIS, profile and plugin with other variables."""

    def make(**extra: str) -> Qgis:
        env = dict(qgis.env)
        for key, value in extra.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return Qgis(qgis.executable, env, qgis.cwd)

    return make
