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
    assert layer["features"] == 398
    assert layer["renderer"] == "graduatedSymbol" and layer["classes"] == 5
    assert layer["aliases"]["score"] == "适宜性得分"
    assert layer["aliases"]["parcel_id"] == "地块编号"
