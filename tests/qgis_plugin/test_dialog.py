"""The score algorithm's dialog, drawn by QGIS under Xvfb: not blank, kept as the docs image.

Set ``LANDASSET_UPDATE_DOCS_IMAGES=1`` to replace docs/images/qgis_score_dialog.png with
the fresh grab.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest

import landasset as la

pytestmark = pytest.mark.qgis

REPO = Path(__file__).resolve().parents[2]
DOCS_IMAGE = REPO / "docs" / "images" / "qgis_score_dialog.png"
SIZE = (900, 620)

SCRIPT = textwrap.dedent(
    """
    import os, sys
    from qgis.core import QgsApplication

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], True)
    app.initQgis()
    sys.path.append(os.path.join(QgsApplication.pkgDataPath(), "python", "plugins"))
    sys.path.insert(0, sys.argv[1])  # the profile's plugin folder
    from processing.core.Processing import Processing
    from processing.gui.AlgorithmDialog import AlgorithmDialog

    Processing.initialize()
    import landasset_qgis

    plugin = landasset_qgis.classFactory(None)
    plugin.initProcessing()
    algorithm = QgsApplication.processingRegistry().algorithmById("landasset:score_parcels")
    dialog = AlgorithmDialog(algorithm.create(), False, None)
    dialog.setParameters({"SITE": sys.argv[3], "PROFILE": "aerospace", "AS_OF": "2025-12-31"})
    dialog.resize(int(sys.argv[4]), int(sys.argv[5]))
    dialog.show()
    for _ in range(50):
        app.processEvents()
    saved = dialog.grab().save(sys.argv[2], "PNG")
    print("SAVED", saved, flush=True)
    os._exit(0 if saved else 3)
    """
)


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """An Xvfb server on a free display (it writes the number it chose to a pipe)."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        display = pipe.readline().strip()
    if not display:
        server.kill()
        server.wait()
        raise AssertionError("Xvfb did not start")
    return server, f":{display}"


def test_score_dialog_screenshot(qgis, tmp_path):
    from PIL import Image

    if shutil.which("Xvfb") is None:
        reason = "Xvfb is not installed (apt-get install xvfb xauth)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    plugins = (
        Path(qgis.env["QGIS_CUSTOM_CONFIG_PATH"]) / "profiles" / "default" / "python" / "plugins"
    )
    script = tmp_path / "dialog.py"
    script.write_text(SCRIPT, encoding="utf-8")
    shot = tmp_path / "dialog.png"
    site = tmp_path / "yunqi.gpkg"  # named relative to the working folder in the dialog
    shutil.copyfile(la.sample.sample_path("yunqi"), site)
    server, display = start_xvfb()
    try:
        env = dict(qgis.env)
        env.pop("QT_QPA_PLATFORM")
        env["DISPLAY"] = display
        done = subprocess.run(
            ["/usr/bin/python3", str(script), str(plugins), str(shot), site.name, *map(str, SIZE)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=300,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert done.returncode == 0 and "SAVED True" in done.stdout, done.stdout + done.stderr
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.shape == (SIZE[1], SIZE[0])
    # drawn widgets, not a blank or one-colour window: many grey levels, real contrast
    assert pixels.std() > 10
    assert len(np.unique(pixels)) > 20
    assert (pixels < 100).mean() > 0.005  # text and frames
    if os.environ.get("LANDASSET_UPDATE_DOCS_IMAGES"):
        DOCS_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMAGE)
    kept = np.asarray(Image.open(DOCS_IMAGE).convert("L"), dtype=float)
    assert kept.shape == pixels.shape and kept.std() > 10
