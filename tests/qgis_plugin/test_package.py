"""``make qgis-plugin``: an installable zip that QGIS loads from a fresh profile."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import landasset as la

REPO = Path(__file__).resolve().parents[2]


def metadata() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(REPO / "qgis_plugin" / "metadata.txt", encoding="utf-8")
    return parser["general"]


def test_metadata_declares_a_processing_provider_for_qgis_3_22():
    meta = metadata()
    assert meta["name"] == "landasset"
    assert meta["version"] == la.__version__
    assert meta["qgisMinimumVersion"] == "3.22"
    assert meta["hasProcessingProvider"] == "yes"
    assert (REPO / "qgis_plugin" / meta["icon"]).exists()


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        ["make", "-s", "qgis-plugin", f"DIST={dist}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dist / f"landasset_qgis-{metadata()['version']}.zip"


def test_the_zip_holds_one_plugin_folder_without_caches(plugin_zip):
    names = zipfile.ZipFile(plugin_zip).namelist()
    assert {n.split("/")[0] for n in names} == {"landasset_qgis"}
    for needed in ("metadata.txt", "__init__.py", "provider.py", "runner/landasset_runner.py"):
        assert f"landasset_qgis/{needed}" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.qgis
def test_qgis_loads_the_plugin_installed_from_the_zip(plugin_zip, qgis, tmp_path):
    config = tmp_path / "qgis-config"
    plugins = config / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    zipfile.ZipFile(plugin_zip).extractall(plugins)
    env = dict(qgis.env, QGIS_CUSTOM_CONFIG_PATH=str(config))
    # qgis_process enables an installed plugin itself (QGIS 3.22 and later)
    enable = subprocess.run(
        [qgis.executable, "plugins", "enable", "landasset_qgis"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert enable.returncode == 0, enable.stdout + enable.stderr
    listed = subprocess.run(
        [qgis.executable, "list"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert "landasset:score_parcels" in listed.stdout, listed.stdout[-2000:] + listed.stderr
