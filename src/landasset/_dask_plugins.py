"""Worker plugins of :mod:`landasset.scale` (this module imports ``distributed``).

A worker that joins mid-run (one started to replace a lost one) receives partitions and
the broadcast context as soon as it registers. The plugin below is registered with the
cluster once per run and set up on every worker, the replacements included, before
any task reaches it: it imports geopandas and dask-geopandas, whose import registers
how geometry columns travel between processes, so a replacement reads the geometries
of a retried task as the lost worker would have.
"""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin

__all__ = ["GeoImports"]


class GeoImports(WorkerPlugin):
    """Import the geometry stack on every worker, replacements included."""

    name = "landasset-geo-imports"

    def setup(self, worker: Any) -> None:
        import dask_geopandas  # noqa: F401  (registers GeometryArray (de)serialisation)
        import geopandas  # noqa: F401

        import landasset.measures  # noqa: F401
