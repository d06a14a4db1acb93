"""The site a server process serves, read once through the library and shared by requests.

pygeoapi builds a provider object per request; reading the GeoPackage each time would
cost seconds. The site's layers are read once per process (the layers do not change
while the server runs; the lifecycle ledger, which does, is opened per request).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from landasset.lifecycle import Ledger
    from landasset.site import Site

_SITES: dict[str, Site] = {}
_LOCK = threading.Lock()


def site_for(path: str | Path) -> Site:
    """The :class:`~landasset.Site` in the GeoPackage ``path``, read once per process."""
    key = str(Path(path).resolve())
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


def open_ledger(path: str | Path, *, read_only: bool) -> Ledger | None:
    """The site file's ledger: read-only (None when the file has none yet), or for writing
    (created on the first write)."""
    from landasset.lifecycle import Ledger, has_ledger

    if read_only and not has_ledger(path):
        return None
    return Ledger.open(path, read_only=read_only)
