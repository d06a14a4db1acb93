"""The landasset Processing provider and its settings."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from . import environment
from .algorithms import ALGORITHMS

PROVIDER_ID = "landasset"
#: Processing settings (Settings → Options → Processing → Providers → landasset).
PYTHON_SETTING = "LANDASSET_PYTHON"
PATH_SETTING = "LANDASSET_PYTHONPATH"
ICON = os.path.join(os.path.dirname(__file__), "icon.svg")


def _config() -> Any:
    try:
        from processing.core.ProcessingConfig import ProcessingConfig, Setting
    except ImportError:  # Processing framework not loaded: settings from the environment
        return None, None
    return ProcessingConfig, Setting


def configured_environment() -> environment.Environment:
    """Where landasset runs: the provider settings, else the environment variables."""
    config, _ = _config()
    python = path = None
    if config is not None:
        python = config.getSetting(PYTHON_SETTING)
        path = config.getSetting(PATH_SETTING)
    return environment.resolve(python or None, path or None)


class LandassetProvider(QgsProcessingProvider):
    """Processing provider ``landasset``: the library's operations as algorithms."""

    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return "landasset"

    def longName(self) -> str:
        return "landasset — industrial land: suitability, lifecycle, per-mu efficiency"

    def icon(self) -> QIcon:
        return QIcon(ICON)

    def load(self) -> bool:
        config, setting = _config()
        if config is not None:
            config.settingIcons[self.name()] = self.icon()
            config.addSetting(
                setting(
                    self.name(),
                    PYTHON_SETTING,
                    "Python interpreter that has landasset (empty: from the Python path, "
                    "else QGIS's own Python)",
                    "",
                    valuetype=setting.FILE,
                )
            )
            config.addSetting(
                setting(
                    self.name(),
                    PATH_SETTING,
                    "Python path: folders put first on sys.path, e.g. a virtual "
                    "environment's site-packages (separate several with ';')",
                    "",
                )
            )
            config.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self) -> None:
        config, _ = _config()
        if config is not None:
            for name in (PYTHON_SETTING, PATH_SETTING):
                with contextlib.suppress(Exception):  # already gone
                    config.removeSetting(name)

    def loadAlgorithms(self) -> None:
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())

    def supportedOutputVectorLayerExtensions(self) -> list[str]:
        # styles and Chinese aliases live in the GeoPackage's layer_styles table
        return ["gpkg"]

    def defaultVectorFileExtension(self, hasGeometry: bool = True) -> str:
        return "gpkg"
