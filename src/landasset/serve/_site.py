"""The site a server process serves, read once through the library and shared by requests.

pygeoapi builds a provider object per request; reading the GeoPackage each time would
cost seconds. The site's layers are read once per process (the layers do not change
while the server runs; the lifecycle ledger, which does, is opened per request).

A site is a GeoPackage path or a PostGIS URL (``postgresql://…``): the layers are then
read with :func:`landasset.read_site` from the database and the ledger is the one in
the database. Events written for a token that names a database role (``db_role``) go
through a connection switched to that role (``SET ROLE``), so that the database's
privileges and row-level security decide what it may record.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from landasset._errors import LandassetPermissionError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from landasset.lifecycle import Ledger
    from landasset.site import Site

_SITES: dict[str, Site] = {}
_LOCK = threading.Lock()


def site_key(site: str | os.PathLike[str]) -> str:
    """How a site is named to pygeoapi and in the cache: a PostGIS URL as given, a file
    by its absolute path."""
    from landasset._postgres import is_url

    return str(site) if is_url(site) else str(Path(site).resolve())


def site_for(path: str | os.PathLike[str]) -> Site:
    """The :class:`~landasset.Site` in the GeoPackage ``path`` (or the PostGIS URL), read
    once per process."""
    key = site_key(path)
    with _LOCK:
        site = _SITES.get(key)
        if site is None:
            from landasset.site import read_site

            site = read_site(key)
            _SITES[key] = site
        return site


def forget_sites() -> None:
    """Drop the sites read so far (the next request reads the file again)."""
    with _LOCK:
        _SITES.clear()


def open_ledger(
    path: str | os.PathLike[str], *, read_only: bool, db_role: str | None = None
) -> Ledger | None:
    """The site's ledger: read-only (None when a file has none yet), or for writing
    (created on the first write).

    On PostGIS, ``db_role`` switches the connection to that database role (``SET
    ROLE``; the server's login must be a member of it, as a superuser or the role that
    ran ``landasset db grant`` is), so that the database decides what it may record.
    """
    from landasset._postgres import is_url
    from landasset.lifecycle import Ledger, has_ledger

    if not is_url(path):
        if read_only and not has_ledger(path):
            return None
        return Ledger.open(path, read_only=read_only)
    ledger = Ledger.open(str(path), read_only=read_only)
    if db_role is not None:
        from psycopg import errors, sql

        try:
            connection: Any = ledger.connection  # psycopg's, on PostGIS
            connection.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(db_role)))
        except (errors.InsufficientPrivilege, errors.InvalidParameterValue) as exc:
            ledger.close()
            raise LandassetPermissionError(
                f"the server's database login cannot act as role {db_role!r}: "
                f"{str(exc).strip()}; create it with `landasset db grant` and make the "
                f"server's login a member of it (GRANT {db_role} TO <login>)"
            ) from None
    return ledger
