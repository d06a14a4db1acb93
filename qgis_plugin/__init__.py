"""landasset for QGIS: a Processing provider over the landasset library."""


def classFactory(iface):
    """The plugin object QGIS loads (``iface`` is None under qgis_process)."""
    from .plugin import LandassetPlugin

    return LandassetPlugin(iface)
