"""Find the Python that has landasset and run the library there, outside QGIS.

The plugin never imports landasset into QGIS's own interpreter. QGIS's Python
(Debian's python3 with its numpy 1.x, or the one bundled on Windows and macOS) may
already have loaded numpy when a Processing algorithm runs — GDAL's array bindings
and other plugins load it — and the library's wheels (numpy 2, pandas, shapely 2)
cannot be imported into a process holding another numpy. Each run therefore starts
``runner/landasset_runner.py`` with the interpreter that has landasset, reads its
progress line by line, and stops it when the user cancels.

Where landasset is looked for, first match wins:

1. the Processing setting *landasset Python interpreter*, else the environment
   variable ``LANDASSET_PYTHON``: that interpreter;
2. the setting *landasset Python path*, else ``LANDASSET_PYTHONPATH``: folders
   (separated by ``os.pathsep``) put first on the runner's ``sys.path`` — a virtual
   environment's ``site-packages`` and/or a source tree's ``src``. When one of them
   is a virtual environment's ``site-packages``, that environment's interpreter runs
   the library (its wheels were built for it);
3. QGIS's own Python (``landasset`` installed with that interpreter's pip).

Nothing here imports QGIS, so the tests can exercise it with any Python.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).resolve().parent / "runner" / "landasset_runner.py"
PYTHON_VAR = "LANDASSET_PYTHON"
PATH_VAR = "LANDASSET_PYTHONPATH"


class LandassetRunError(Exception):
    """The run stopped: the message is the library's own (or how to install it)."""


class LandassetCancelled(LandassetRunError):
    """The user cancelled the run; nothing was written."""


@dataclass(frozen=True)
class Environment:
    """The interpreter that runs landasset and the folders put first on its path."""

    python: str
    paths: tuple[str, ...] = ()
    source: str = "QGIS's Python"

    def env(self) -> dict[str, str]:
        """The process environment of a run: ``PYTHONPATH`` is exactly ``paths``."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}
        if self.paths:
            env["PYTHONPATH"] = os.pathsep.join(self.paths)
        env["PYTHONIOENCODING"] = "utf-8"
        env.setdefault("MPLBACKEND", "Agg")
        return env


def qgis_python() -> str:
    """The interpreter QGIS's embedded Python is built from (not the QGIS binary)."""
    prefix = Path(sys.base_exec_prefix)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = (
        [prefix / "python.exe", prefix / "python3.exe"]
        if os.name == "nt"
        else [prefix / "bin" / f"python{version}", prefix / "bin" / "python3"]
    )
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    return sys.executable


def split_paths(value: str | None) -> tuple[str, ...]:
    """Folders from a setting: separated by ``os.pathsep`` (``;`` also on POSIX), blanks dropped."""
    if not value:
        return ()
    parts = (
        value.replace(";", os.pathsep).split(os.pathsep) if os.name != "nt" else value.split(";")
    )
    return tuple(p.strip() for p in parts if p.strip())


def venv_python(site_packages: str) -> str | None:
    """The interpreter of the virtual environment holding ``site_packages``, if it is one."""
    path = Path(site_packages)
    for root in (path.parent.parent, path.parent.parent.parent, path.parent):
        if (root / "pyvenv.cfg").exists():
            for exe in (root / "bin" / "python", root / "Scripts" / "python.exe"):
                if exe.exists():
                    return str(exe)
    return None


def resolve(python_setting: str | None = None, path_setting: str | None = None) -> Environment:
    """The :class:`Environment` from the plugin settings, else the environment variables."""
    python = (python_setting or "").strip() or os.environ.get(PYTHON_VAR, "").strip()
    path_text = (path_setting or "").strip() or os.environ.get(PATH_VAR, "").strip()
    paths = split_paths(path_text)
    if python:
        source = "the landasset Python interpreter setting" if python_setting else PYTHON_VAR
        return Environment(python, paths, source)
    if paths:
        source = "the landasset Python path setting" if path_setting else PATH_VAR
        for entry in paths:
            found = venv_python(entry)
            if found:
                return Environment(found, paths, source)
        return Environment(qgis_python(), paths, source)
    return Environment(qgis_python(), (), "QGIS's Python")


def install_hint(environment: Environment, reason: str) -> str:
    """How to make landasset importable, for the message of a failed run."""
    return (
        f"landasset cannot be imported by {environment.python} ({environment.source}): "
        f"{reason}. Install it into that Python with "
        f"`{environment.python} -m pip install 'landasset[viz]'`, or point the plugin at an "
        f"environment that has it: Settings → Options → Processing → Providers → landasset "
        f"(the Python interpreter, or the Python path: a virtual environment's "
        f"site-packages), or the environment variables {PYTHON_VAR} / {PATH_VAR}."
    )


@dataclass
class Run:
    """What one run reported besides its result."""

    result: dict[str, Any] = field(default_factory=dict)
    infos: list[str] = field(default_factory=list)


def run(
    op: str,
    args: dict[str, Any],
    environment: Environment,
    *,
    on_progress: Callable[[int, str], None] | None = None,
    on_info: Callable[[str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    poll_s: float = 0.1,
) -> Run:
    """Run one operation of the runner; its result, or :class:`LandassetRunError`.

    Progress and notes are passed on as they arrive; ``is_cancelled`` is polled every
    ``poll_s`` seconds and stops the runner (terminate, then kill) when it turns true.
    """
    handle, debug_log = tempfile.mkstemp(prefix="landasset-", suffix=".log")
    os.close(handle)
    request = json.dumps({"op": op, "args": args, "debug_log": debug_log})
    try:
        process = subprocess.Popen(
            [environment.python, str(RUNNER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment.env(),
            text=True,
            encoding="utf-8",
            errors="replace",
        )
    except OSError as exc:
        raise LandassetRunError(
            install_hint(environment, f"it cannot be started ({exc})")
        ) from None
    lines: queue.Queue[str | None] = queue.Queue()
    stderr: list[str] = []

    def pump_stdout() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    def pump_stderr() -> None:
        assert process.stderr is not None
        stderr.extend(process.stderr)

    threads = [threading.Thread(target=f, daemon=True) for f in (pump_stdout, pump_stderr)]
    for thread in threads:
        thread.start()
    assert process.stdin is not None
    try:
        process.stdin.write(request)
        process.stdin.close()
    except BrokenPipeError:
        pass
    outcome = Run()
    error: str | None = None
    finished = False
    while not finished:
        if is_cancelled is not None and is_cancelled():
            if process.poll() == 0:
                # the runner had finished before the cancel reached it: what it wrote
                # is complete and stands; read its result as usual
                is_cancelled = None
                if on_info is not None:
                    on_info("the run had finished before it could be stopped")
                continue
            _stop(process)
            _close(process, threads)
            os.unlink(debug_log)
            raise LandassetCancelled("cancelled: the run was stopped and wrote nothing")
        try:
            line = lines.get(timeout=poll_s)
        except queue.Empty:
            continue
        if line is None:
            finished = True
            continue
        kind, _, text = line.partition(" ")
        if kind == "PROGRESS":
            percent, _, label = text.partition(" ")
            if on_progress is not None and percent.isdigit():
                on_progress(int(percent), label)
        elif kind == "INFO":
            outcome.infos.append(text)
            if on_info is not None:
                on_info(text)
        elif kind == "RESULT":
            outcome.result = json.loads(text)
        elif kind == "ERROR":
            error = text
        elif line.strip() and on_info is not None:  # stray output of a library
            on_info(line)
    code = process.wait()
    _close(process, threads)
    if error is None and code != 0:  # the interpreter itself failed (a crash)
        tail = [s.strip() for s in stderr if s.strip()]
        reason = tail[-1] if tail else f"exit status {code}"
        if "No module named" in reason or "ModuleNotFoundError" in reason:
            error = f"landasset cannot be imported by {environment.python}: {reason}"
        else:
            Path(debug_log).write_text("".join(stderr), encoding="utf-8")
            raise LandassetRunError(f"the landasset run failed: {reason}; details in {debug_log}")
    if not Path(debug_log).read_text(encoding="utf-8").strip():
        os.unlink(debug_log)  # nothing to keep: no defect was logged
    if error is None:
        return outcome
    if "cannot be imported by" in error:
        raise LandassetRunError(install_hint(environment, error.split(": ", 1)[-1]))
    raise LandassetRunError(error)


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _close(process: subprocess.Popen[str], threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(timeout=5)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()
