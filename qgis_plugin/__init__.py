"""landasset for QGIS: a Processing provider over the landasset library."""


def classFactory(iface):  # noqa: N802 - the name QGIS calls
    """The plugin object QGIS loads (``iface`` is None under qgis_process)."""
    from .plugin import LandassetPlugin

    return LandassetPlugin(iface)
