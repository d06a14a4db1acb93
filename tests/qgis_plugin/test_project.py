"""Run from PyQGIS as the Toolbox does: the output joins the project styled, with aliases."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

import landasset as la

pytestmark = pytest.mark.qgis

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from qgis.core import QgsApplication, QgsProject

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    sys.path.append(os.path.join(QgsApplication.pkgDataPath(), "python", "plugins"))
    sys.path.insert(0, sys.argv[1])  # the profile's plugin folder
    from processing.core.Processing import Processing

    Processing.initialize()
    import processing
    import landasset_qgis

    plugin = landasset_qgis.classFactory(None)  # kept: it owns the provider
    plugin.initProcessing()
    results = processing.runAndLoadResults(
        "landasset:score_parcels",
        {"SITE": sys.argv[2], "PROFILE": "aerospace", "AS_OF": "2025-12-31",
         "OUTPUT": "TEMPORARY_OUTPUT"},
    )
    layers = {}
    for layer in QgsProject.instance().mapLayers().values():
        renderer = layer.renderer()
        layers[layer.name()] = {
            "renderer": renderer.type(),
            "classes": len(renderer.ranges()) if renderer.type() == "graduatedSymbol" else 0,
            "features": layer.featureCount(),
            "aliases": {
                f.name(): layer.attributeAlias(i)
                for i, f in enumerate(layer.fields())
                if layer.attributeAlias(i)
            },
        }
    print("RESULT " + json.dumps({"output": results["OUTPUT"], "layers": layers},
                                 ensure_ascii=False), flush=True)
    os._exit(0)
    """
)


def test_score_output_is_added_to_the_project_styled(qgis, tmp_path):
    plugins = Path(qgis.env["QGIS_CUSTOM_CONFIG_PATH"]) / "profiles/default/python/plugins"
    site = tmp_path / "yunqi.gpkg"
    shutil.copyfile(la.sample.sample_path("yunqi"), site)
    script = tmp_path / "run.py"
    script.write_text(SCRIPT, encoding="utf-8")
    done = subprocess.run(
        ["/usr/bin/python3", str(script), str(plugins), str(site)],
        capture_output=True,
        text=True,
        env=qgis.env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stdout + done.stderr
    result = json.loads(lines[0][len("RESULT ") :])
    assert result["output"].endswith(".gpkg")
    layer = result["layers"]["Scored parcels"]
    assert layer["features"] == 455
    assert layer["renderer"] == "graduatedSymbol" and layer["classes"] == 5
    assert layer["aliases"]["score"] == "适宜性得分"
    assert layer["aliases"]["parcel_id"] == "地块编号"


SETTINGS_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from qgis.core import QgsApplication, QgsProcessingFeedback

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    sys.path.append(os.path.join(QgsApplication.pkgDataPath(), "python", "plugins"))
    sys.path.insert(0, sys.argv[1])
    from processing.core.Processing import Processing
    from processing.core.ProcessingConfig import ProcessingConfig

    Processing.initialize()
    import processing
    import landasset_qgis

    plugin = landasset_qgis.classFactory(None)
    plugin.initProcessing()
    site, library_path = sys.argv[2], os.environ.pop("LANDASSET_PYTHONPATH")
    report = {}

    def run(output, feedback=None):
        try:
            return processing.run(
                "landasset:score_parcels",
                {"SITE": site, "PROFILE": "aerospace", "OUTPUT": output},
                feedback=feedback,
            )
        except Exception as exc:
            return {"error": str(exc)}

    # the Python path from the provider setting, not the environment
    ProcessingConfig.setSettingValue("LANDASSET_PYTHONPATH", library_path)
    report["by_setting"] = run("by_setting.gpkg")
    # cancelled at the runner's first progress, before it has read the site: it is
    # stopped and nothing is written
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda p: feedback.cancel())
    report["cancelled"] = run("cancelled.gpkg", feedback)
    report["cancelled_exists"] = os.path.exists("cancelled.gpkg")
    # an interpreter without landasset named in the settings: the install hint
    ProcessingConfig.setSettingValue("LANDASSET_PYTHONPATH", "")
    ProcessingConfig.setSettingValue("LANDASSET_PYTHON", "/usr/bin/python3")
    report["missing"] = run("missing.gpkg")
    print("RESULT " + json.dumps(report, ensure_ascii=False), flush=True)
    os._exit(0)
    """
)


def test_settings_and_cancel_in_qgis(qgis, tmp_path):
    plugins = Path(qgis.env["QGIS_CUSTOM_CONFIG_PATH"]) / "profiles/default/python/plugins"
    site = tmp_path / "yunqi.gpkg"
    shutil.copyfile(la.sample.sample_path("yunqi"), site)
    script = tmp_path / "settings.py"
    script.write_text(SETTINGS_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        ["/usr/bin/python3", str(script), str(plugins), str(site)],
        capture_output=True,
        text=True,
        env=qgis.env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stdout + done.stderr
    report = json.loads(lines[0][len("RESULT ") :])
    assert report["by_setting"]["OUTPUT"] == "by_setting.gpkg"
    assert (tmp_path / "by_setting.gpkg").exists()
    assert report["cancelled"] == {} and report["cancelled_exists"] is False
    message = report["missing"]["error"]
    assert "landasset cannot be imported by /usr/bin/python3" in message
    assert "the landasset Python interpreter setting" in message
