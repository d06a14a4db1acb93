"""The plugin's runner outside QGIS: where landasset is found, progress, cancel, errors.

These need no QGIS: qgis_plugin/environment.py and the runner import nothing of it.
"""

from __future__ import annotations

import ast
import os
import sys
import time
from pathlib import Path

import pytest

import landasset as la
from landasset._stages import STAGE_IDS
from landasset.suitability import list_profiles

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "qgis_plugin"


@pytest.fixture
def env(environment_module):
    """The library as the tests see it: this interpreter, this checkout's src first."""
    return environment_module.Environment(sys.executable, (str(REPO / "src"),), "test")


def constant(name: str) -> tuple[str, ...]:
    """A tuple constant of qgis_plugin/algorithms.py (which imports QGIS: read, not run)."""
    tree = ast.parse((PLUGIN / "algorithms.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError(f"{name} not found")


def test_the_plugin_lists_the_library_stages_and_profiles():
    assert constant("STAGES") == tuple(STAGE_IDS)
    assert constant("PROFILES") == tuple(list_profiles())


def test_probe_reports_the_library(environment_module, env):
    outcome = environment_module.run("probe", {}, env)
    assert outcome.result["version"] == la.__version__
    assert outcome.result["stages"] == list(STAGE_IDS)
    assert outcome.result["profiles"] == list_profiles()


def test_settings_win_over_environment_variables(environment_module, monkeypatch, tmp_path):
    venv = tmp_path / "venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (venv / "bin").mkdir()
    (venv / "bin" / "python").write_text("")
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    monkeypatch.setenv("LANDASSET_PYTHON", "/from/env/python")
    monkeypatch.setenv("LANDASSET_PYTHONPATH", "/from/env")
    chosen = environment_module.resolve("/set/python", f"{site};/src")
    assert chosen.python == "/set/python"
    assert chosen.paths == (str(site), "/src")
    from_env = environment_module.resolve(None, None)
    assert (from_env.python, from_env.paths) == ("/from/env/python", ("/from/env",))
    assert from_env.source == "LANDASSET_PYTHON"
    # a virtual environment's site-packages brings its own interpreter
    monkeypatch.delenv("LANDASSET_PYTHON")
    monkeypatch.setenv("LANDASSET_PYTHONPATH", os.pathsep.join(["/src", str(site)]))
    found = environment_module.resolve()
    assert found.python == str(venv / "bin" / "python")
    assert found.env()["PYTHONPATH"] == os.pathsep.join(["/src", str(site)])
    # nothing configured: QGIS's own Python, with no extra path
    monkeypatch.delenv("LANDASSET_PYTHONPATH")
    plain = environment_module.resolve()
    assert plain.paths == () and "PYTHONPATH" not in plain.env()
    assert Path(plain.python).name.startswith("python")


def test_progress_rises_to_the_end_and_the_output_is_written(environment_module, env, tmp_path):
    seen: list[int] = []
    out = tmp_path / "scored.gpkg"
    outcome = environment_module.run(
        "score",
        {"site": str(la.sample.sample_path("yunqi")), "profile": "ai", "output": str(out)},
        env,
        on_progress=lambda percent, label: seen.append(percent),
    )
    assert out.exists() and outcome.result["rows"] == 455
    assert seen == sorted(seen) and seen[-1] == 100
    assert len(set(seen)) > 5  # one step per measure, not only start and end


def test_cancel_stops_the_run_and_writes_nothing(environment_module, env, tmp_path):
    out = tmp_path / "never.gpkg"
    started: list[int] = []
    with pytest.raises(environment_module.LandassetCancelled, match="cancelled"):
        environment_module.run(
            "score",
            {"site": str(la.sample.sample_path("yunqi")), "profile": "ai", "output": str(out)},
            env,
            on_progress=lambda percent, label: started.append(percent),
            is_cancelled=lambda: bool(started),
        )
    assert started and started[-1] < 100
    assert not out.exists()


def test_a_cancel_that_arrives_after_the_run_finished_keeps_its_output(
    environment_module, env, tmp_path
):
    out = tmp_path / "kept.gpkg"
    infos: list[str] = []

    def cancelled_late() -> bool:
        if not any(text.startswith("wrote ") for text in infos):
            return False
        time.sleep(3)  # the runner has written its output: let it exit first
        return True

    outcome = environment_module.run(
        "score",
        {"site": str(la.sample.sample_path("yunqi")), "profile": "ai", "output": str(out)},
        env,
        on_info=infos.append,
        is_cancelled=cancelled_late,
    )
    assert out.exists() and outcome.result["rows"] == 455
    assert "the run had finished before it could be stopped" in infos


def test_library_errors_are_one_line(environment_module, env, tmp_path):
    with pytest.raises(environment_module.LandassetRunError) as caught:
        environment_module.run(
            "score",
            {
                "site": str(la.sample.sample_path("yunqi")),
                "profile": "ai",
                "as_of": "2025-13-45",
                "output": str(tmp_path / "o.gpkg"),
            },
            env,
        )
    message = str(caught.value)
    assert "2025-13-45" in message and "\n" not in message and "Traceback" not in message


def test_a_defect_is_reported_without_traceback_and_logged(environment_module, env):
    with pytest.raises(environment_module.LandassetRunError) as caught:
        environment_module.run("score", {"profile": "ai"}, env)  # no site: a KeyError
    message = str(caught.value)
    assert message.startswith("unexpected error, please report: KeyError: site")
    assert "Traceback" not in message
    log = Path(message.rsplit("details in ", 1)[1])
    assert "Traceback" in log.read_text(encoding="utf-8")
    log.unlink()


def test_unknown_operation_names_the_valid_ones(environment_module, env):
    with pytest.raises(
        environment_module.LandassetRunError,
        match="'nope' is not an operation; use one of: probe, ",
    ):
        environment_module.run("nope", {}, env)


def test_an_interpreter_without_landasset_gets_the_install_hint(environment_module, tmp_path):
    # an interpreter that cannot see landasset: isolated mode ignores site-packages
    script = tmp_path / "python"
    script.write_text(f'#!/bin/sh\nexec {sys.executable} -I -S "$@"\n')
    script.chmod(0o755)
    isolated = environment_module.Environment(str(script), (), "test")
    with pytest.raises(environment_module.LandassetRunError) as caught:
        environment_module.run("probe", {}, isolated)
    message = str(caught.value)
    assert f"landasset cannot be imported by {script}" in message
    assert f"{script} -m pip install" in message and "LANDASSET_PYTHONPATH" in message
