"""The plugin: registers the landasset Processing provider."""

from __future__ import annotations

from typing import Any

from qgis.core import QgsApplication

from .provider import LandassetProvider


class LandassetPlugin:
    """Adds the provider on start (also headless, for qgis_process) and removes it on unload."""

    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.provider: LandassetProvider | None = None

    def initProcessing(self) -> None:
        if self.provider is None:
            self.provider = LandassetProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:
        self.initProcessing()

    def unload(self) -> None:
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
