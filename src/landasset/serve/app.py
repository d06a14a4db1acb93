"""The ASGI application of a site's service, and the server that runs it.

pygeoapi offers a Flask (WSGI), a Starlette (ASGI) and a Django application over the
same API. ``landasset serve`` uses the Starlette one under uvicorn: it runs each API
call in a thread pool (so one slow scoring does not hold the other requests), it is
the application pygeoapi's own ``serve`` command runs, and the access checks are then
one small ASGI middleware. pygeoapi reads its configuration from files named by the
``PYGEOAPI_CONFIG`` and ``PYGEOAPI_OPENAPI`` environment variables when its
application module is imported: :func:`create_app` writes both to a temporary folder
first, so one process serves one site.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from landasset._errors import LandassetValueError
from landasset.serve.access import AccessMiddleware, AccessPolicy
from landasset.serve.config import DEFAULT_ITEMS, MAX_ITEMS, openapi_document, pygeoapi_config

__all__ = ["create_app", "serve"]

_FOLDERS: list[tempfile.TemporaryDirectory[str]] = []


def _require_pygeoapi() -> None:
    try:
        import pygeoapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
        raise ImportError(
            f"the OGC API service needs pygeoapi and uvicorn ({exc.name} is missing); "
            "install them with: pip install 'landasset[serve]'"
        ) from exc


def create_app(
    site: str | os.PathLike[str],
    *,
    policy: AccessPolicy | None = None,
    host: str = "127.0.0.1",
    port: int = 5000,
    url: str | None = None,
    default_items: int = DEFAULT_ITEMS,
    max_items: int = MAX_ITEMS,
) -> Any:
    """The ASGI application serving the site in a GeoPackage or in PostGIS: pygeoapi
    behind the access middleware.

    Parameters
    ----------
    site : path-like or str
        The site's GeoPackage, or a ``postgresql://`` URL of a database holding its
        layers and ledger (tokens may then name a ``db_role``).
    policy : AccessPolicy, optional
        Tokens, read rule and body cap (:meth:`AccessPolicy.from_yaml`). Without one,
        reads are open and every write is refused (there is no token to give).
    host, port, url, default_items, max_items
        As for :func:`~landasset.serve.config.pygeoapi_config`.

    Returns
    -------
    AccessMiddleware
        An ASGI application.

    Raises
    ------
    LandassetValueError
        pygeoapi's application is already loaded in this process for another site, or
        a token names a database role (``db_role``) for a site that is not in PostGIS.
    """
    _require_pygeoapi()
    from landasset._postgres import is_url

    with_roles = sorted(p.name for p in (policy.tokens.values() if policy else ()) if p.db_role)
    if with_roles and not is_url(site):
        raise LandassetValueError(
            f"the tokens of {with_roles} name a database role (db_role), but the site is a "
            "file: serve the site's PostGIS database (postgresql://...) or drop db_role"
        )
    config = pygeoapi_config(
        site,
        host=host,
        port=port,
        url=url,
        default_items=default_items,
        max_items=max_items,
    )
    if "pygeoapi.starlette_app" in sys.modules:
        raise LandassetValueError(
            "pygeoapi's application is already loaded in this process; one process serves "
            "one site: start another process (landasset serve) for another site"
        )
    folder = tempfile.TemporaryDirectory(prefix="landasset-serve-")
    _FOLDERS.append(folder)  # kept for the life of the process
    config_path = Path(folder.name) / "pygeoapi-config.yml"
    openapi_path = Path(folder.name) / "openapi.yml"
    config_path.write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    document = openapi_document(config)
    openapi_path.write_text(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    os.environ["PYGEOAPI_CONFIG"] = str(config_path)
    os.environ["PYGEOAPI_OPENAPI"] = str(openapi_path)
    from pygeoapi.starlette_app import APP

    return AccessMiddleware(APP, policy or AccessPolicy())


def serve(
    site: str | os.PathLike[str],
    *,
    policy: AccessPolicy | None = None,
    host: str = "127.0.0.1",
    port: int = 5000,
    url: str | None = None,
    default_items: int = DEFAULT_ITEMS,
    max_items: int = MAX_ITEMS,
    log_level: str = "warning",
) -> None:
    """Serve the site over HTTP until interrupted (uvicorn, one process).

    Parameters are those of :func:`create_app`, and ``log_level`` uvicorn's.
    """
    import uvicorn

    app = create_app(
        site,
        policy=policy,
        host=host,
        port=port,
        url=url,
        default_items=default_items,
        max_items=max_items,
    )
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
