"""The pygeoapi configuration of a site: one collection per non-empty layer, the
``stages`` and ``events`` views, and the processes.

:func:`pygeoapi_config` builds the configuration as a plain mapping (pygeoapi's own
format, the one its documentation describes), and :func:`openapi_document` the OpenAPI
3.0 document pygeoapi derives from it. ``landasset serve`` writes both to a temporary
folder and starts pygeoapi on them; nothing is written next to the site.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from landasset.serve._site import site_for, site_key

__all__ = [
    "CRS84",
    "DEFAULT_ITEMS",
    "MAX_ITEMS",
    "PROCESSES",
    "available_processes",
    "crs_uri",
    "matching",
    "openapi_document",
    "pygeoapi_config",
]

#: OGC's URI of WGS 84 longitude/latitude, the default CRS of OGC API – Features.
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

#: Items per page when a request gives no ``limit``.
DEFAULT_ITEMS = 100

#: The most items one page holds: a larger ``limit`` is cut to it.
MAX_ITEMS = 1000

#: Process id → processor class (dotted path); ``match`` joins when the library has it.
PROCESSES = {
    "score": "landasset.serve.processes.ScoreProcessor",
    "explain": "landasset.serve.processes.ExplainProcessor",
    "evaluate": "landasset.serve.processes.EvaluateProcessor",
}

_PROVIDER = "landasset.serve.provider.LandassetProvider"

_WORLD = (-180.0, -90.0, 180.0, 90.0)

_TITLES = {
    "parcels": ("Parcels 地块", "Land parcels of the site"),
    "buildings": ("Buildings 建筑", "Building footprints with floors, height and floor area"),
    "axes": ("Axes 轴线", "Corridor streets and urban axes"),
    "streets": ("Streets 街道", "The walkable street network"),
    "transit_lines": ("Transit lines 轨道线路", "Metro and other transit lines"),
    "stations": ("Stations 站点", "Transit stations with their opening dates"),
    "amenities": ("Amenities 配套设施", "Points of daily life"),
    "enterprises": ("Enterprises 企业", "Tenants with their yearly figures"),
    "constraints": ("Constraint areas 管控区", "Ecological red lines, farmland, flood zones"),
    "stages": (
        "Lifecycle stages 生命周期阶段",
        "Parcels with their lifecycle stage on the day given as datetime (the latest without)",
    ),
    "events": (
        "Lifecycle events 生命周期事件",
        "The ledger's events; POST a GeoJSON feature (recorder token) to record one",
    ),
}

_IDS = {
    "parcels": "parcel_id",
    "buildings": "building_id",
    "axes": "axis_id",
    "streets": "street_id",
    "transit_lines": "line_id",
    "stations": "station_id",
    "amenities": "amenity_id",
    "enterprises": "enterprise_id",
    "constraints": "constraint_id",
    "stages": "parcel_id",
    "events": "event_id",
}


def matching() -> Any:
    """The library's project matching module (``landasset.projects``, whose ``match``
    the ``match`` process calls), or None when this installation has none.

    The module is looked up by name: the service offers matching only when the library
    it runs on has the feature.
    """
    import importlib
    import importlib.util

    if importlib.util.find_spec("landasset.projects") is None:
        return None
    module = importlib.import_module("landasset.projects")
    return module if hasattr(module, "match") and hasattr(module, "load_project") else None


def available_processes() -> dict[str, str]:
    """The processes this installation offers: :data:`PROCESSES`, plus ``match`` when
    the library has project matching (:func:`matching`).

    Examples
    --------
    >>> sorted(available_processes())[:3]
    ['evaluate', 'explain', ...]
    """
    out = dict(PROCESSES)
    if matching() is not None:
        out["match"] = "landasset.serve.processes.MatchProcessor"
    return out


def crs_uri(crs: Any) -> str | None:
    """The OGC URI of a CRS with an EPSG code (None without one).

    Examples
    --------
    >>> crs_uri("EPSG:4549")
    'http://www.opengis.net/def/crs/EPSG/0/4549'
    """
    from pyproj import CRS

    code = CRS(crs).to_epsg()
    return None if code is None else f"http://www.opengis.net/def/crs/EPSG/0/{code}"


def pygeoapi_config(
    site: str | os.PathLike[str],
    *,
    host: str = "127.0.0.1",
    port: int = 5000,
    url: str | None = None,
    default_items: int = DEFAULT_ITEMS,
    max_items: int = MAX_ITEMS,
    writable: bool = True,
) -> dict[str, Any]:
    """The pygeoapi configuration serving the site in a GeoPackage or in PostGIS.

    Parameters
    ----------
    site : path-like or str
        The site's GeoPackage, or a ``postgresql://`` URL of a database holding its
        layers and ledger (``landasset db import``); read through
        :func:`landasset.read_site`.
    host, port : str, int
        Where the server listens.
    url : str, optional
        The public URL of the service (links in responses); ``http://host:port`` by default.
    default_items, max_items : int
        Items per page without a ``limit``, and the most one page holds (a larger
        ``limit`` is cut to it: pygeoapi's ``limits`` with ``on_exceed: throttle``).
    writable : bool, default True
        Whether the ``events`` collection accepts new events (through the access
        middleware, with a recorder token).

    Returns
    -------
    dict
        pygeoapi's configuration: ``server``, ``logging``, ``metadata``, ``resources``.

    Examples
    --------
    >>> from landasset.sample import sample_path
    >>> config = pygeoapi_config(sample_path("yunqi"), port=8080)
    >>> config["server"]["url"], config["server"]["limits"]["max_items"]
    ('http://127.0.0.1:8080', 1000)
    >>> [k for k, v in config["resources"].items() if v["type"] == "collection"][:3]
    ['parcels', 'buildings', 'axes']
    >>> config["resources"]["parcels"]["providers"][0]["storage_crs"]
    'http://www.opengis.net/def/crs/EPSG/0/4549'
    """
    from landasset._errors import LandassetValueError

    if not 1 <= default_items <= max_items:
        raise LandassetValueError(
            f"default_items ({default_items}) must be between 1 and max_items ({max_items})"
        )
    path = site_key(site)
    loaded = site_for(path)
    storage = crs_uri(loaded.crs)
    crs_list = [CRS84] if storage is None else [CRS84, storage]
    resources: dict[str, Any] = {}
    views = [k for k, v in loaded.layers.items() if len(v)] + ["stages", "events"]
    for view in views:
        frame = loaded.parcels if view in ("stages", "events") else loaded[view]
        # a site without parcels still has its stages and events views: the whole world
        bounds = frame.geometry.to_crs("OGC:CRS84").total_bounds if len(frame) else _WORLD
        title, description = _TITLES.get(view, (view, f"The {view} layer"))
        provider: dict[str, Any] = {
            "type": "feature",
            "name": _PROVIDER,
            "data": str(path),
            "id_field": _IDS.get(view, "id"),
            "options": {"view": view},
            "crs": crs_list,
            "storage_crs": storage or CRS84,
        }
        if view == "events":
            provider["editable"] = writable
        resources[view] = {
            "type": "collection",
            "title": title,
            "description": description,
            "keywords": ["landasset", view],
            "links": [],
            "extents": {"spatial": {"bbox": [float(b) for b in bounds], "crs": CRS84}},
            "providers": [provider],
        }
    for process, name in available_processes().items():
        resources[process] = {"type": "process", "processor": {"name": name, "site": str(path)}}
    base = url or f"http://{host}:{port}"
    return {
        "server": {
            "bind": {"host": host, "port": port},
            "url": base.rstrip("/"),
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "language": "en-US",
            "cors": True,
            "pretty_print": False,
            "limits": {
                "default_items": default_items,
                "max_items": max_items,
                "on_exceed": "throttle",
            },
            "map": {
                "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                "attribution": "© OpenStreetMap contributors",
            },
            "manager": {"name": "Dummy", "connection": None, "output_dir": None},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": f"landasset: {_site_name(path)}",
                "description": "Layers, lifecycle stages and analyses of an industrial land site",
                "keywords": ["landasset", "industrial land", "parcels", "lifecycle"],
                "keywords_type": "theme",
                "terms_of_service": "",
                "url": base,
            },
            "license": {"name": "site data: the operator's terms", "url": base},
            "provider": {"name": "landasset", "url": base},
            "contact": {"name": "site operator", "url": base},
        },
        "resources": resources,
    }


def _site_name(site: str) -> str:
    """A site's short name: the file's stem, or a PostGIS URL's database name."""
    from landasset._postgres import is_url

    if is_url(site):
        from urllib.parse import urlsplit

        return urlsplit(site).path.lstrip("/") or "postgis"
    return Path(site).stem


def openapi_document(config: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI 3.0 document pygeoapi derives from ``config``.

    Examples
    --------
    >>> from landasset.sample import sample_path
    >>> document = openapi_document(pygeoapi_config(sample_path("yunqi")))
    >>> document["openapi"], "/collections/parcels/items" in document["paths"]
    ('3.0.2', True)
    """
    from pygeoapi.openapi import get_oas

    document: dict[str, Any] = get_oas(config, fail_on_invalid_collection=True)
    return document
