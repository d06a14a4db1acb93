"""Opening SQLite files without surprises: quoted URIs, read-only connections.

Shared by the lifecycle ledger (which opens the site's GeoPackage with :mod:`sqlite3`)
and the commands that only peek into a GeoPackage (``landasset info``). Standard library
only, so any layer may import it.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from pathlib import Path

__all__ = ["connect_read_only", "is_wal_file", "sqlite_uri"]


def sqlite_uri(path: str | os.PathLike[str], **params: str | int) -> str:
    """A SQLite ``file:`` URI for ``path`` with query ``params``, every part quoted.

    ``#``, ``?`` and ``%`` in a file name end or escape a URI's path; left unquoted they
    make SQLite open another file (or none).

    >>> sqlite_uri("/data/park #2/site?.gpkg", mode="ro")
    'file:/data/park%20%232/site%3F.gpkg?mode=ro'
    >>> sqlite_uri("/tmp/100%.gpkg", immutable=1)
    'file:/tmp/100%25.gpkg?immutable=1'
    """
    absolute = Path(os.path.abspath(os.fspath(path))).as_posix()
    if not absolute.startswith("/"):  # a Windows drive: file:/C:/...
        absolute = "/" + absolute
    quoted = urllib.parse.quote(absolute, safe="/")
    query = urllib.parse.urlencode({k: str(v) for k, v in params.items()})
    return f"file:{quoted}" + (f"?{query}" if query else "")


def is_wal_file(path: Path) -> bool:
    """True when the database header says WAL mode (file format versions 2); False for
    a file that cannot be read."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == 2 and header[19] == 2


def connect_read_only(path: str | os.PathLike[str], *, timeout: float = 5.0) -> sqlite3.Connection:
    """A connection that only reads ``path``.

    A file in WAL mode with no ``-wal`` file beside it (closed cleanly: everything is in
    the file itself) is opened ``immutable=1``: ``mode=ro`` would create ``-wal`` and
    ``-shm`` files, which fails in a read-only folder. An ``immutable`` connection
    takes no locks, so it is meant for a file nobody is writing (open a new one to see
    later writes). A file with a ``-wal`` holding data (a writer has it open, or did not
    checkpoint) is opened ``mode=ro`` so that the data in the ``-wal`` is seen; a file
    with a rollback journal is opened ``mode=ro`` too.
    """
    p = Path(os.fspath(path))
    wal = Path(os.fspath(p) + "-wal")
    quiet = is_wal_file(p) and not (wal.exists() and wal.stat().st_size > 0)
    params: dict[str, str | int] = {"immutable": 1} if quiet else {"mode": "ro"}
    return sqlite3.connect(sqlite_uri(p, **params), uri=True, timeout=timeout, isolation_level=None)
