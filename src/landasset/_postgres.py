"""PostgreSQL connections: database URLs, the driver, the schema a URL names.

A database is named by a libpq URL, ``postgresql://user@host:port/dbname`` (a unix
socket folder as ``?host=/path``). landasset adds one query parameter of its own,
``schema=`` (default ``public``): the PostgreSQL schema holding the site's layers
and its ledger. The driver is psycopg 3 (the ``postgis`` extra), imported only when a
URL is opened so that ``import landasset`` stays light.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from landasset._errors import LandassetIOError, LandassetValueError

__all__ = [
    "DEFAULT_SCHEMA",
    "check_name",
    "connect",
    "is_url",
    "psycopg",
    "quote_identifier",
    "redacted",
    "split_url",
]

DEFAULT_SCHEMA = "public"
_SCHEMES = ("postgresql://", "postgres://")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def is_url(source: object) -> bool:
    """Whether ``source`` is a PostgreSQL URL (``postgresql://…`` or ``postgres://…``)."""
    return isinstance(source, str) and source.lower().startswith(_SCHEMES)


def psycopg() -> Any:
    """The psycopg 3 module, or an ImportError naming the extra that installs it."""
    try:
        import psycopg as driver
    except ImportError:
        raise ImportError(
            "PostgreSQL/PostGIS needs psycopg 3: pip install 'landasset[postgis]'"
        ) from None
    return driver


def check_name(name: str, what: str) -> str:
    """A plain SQL identifier (letters, digits, underscore), or LandassetValueError."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise LandassetValueError(
            f"{what} {name!r} is not a plain PostgreSQL name; use letters, digits and "
            "underscores, starting with a letter (at most 63 characters)"
        )
    return name


def split_url(url: str) -> tuple[str, str]:
    """``(conninfo, schema)``: the URL without landasset's ``schema=`` parameter."""
    if not is_url(url):
        raise LandassetValueError(
            f"{url!r} is not a PostgreSQL URL; write postgresql://user@host/dbname "
            "(a unix socket folder as ?host=/path)"
        )
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = DEFAULT_SCHEMA
    kept = []
    for key, value in query:
        if key == "schema":
            schema = value
        else:
            kept.append((key, value))
    check_name(schema, "the schema")
    return urlunsplit(parts._replace(query=urlencode(kept))), schema


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connect(url: str, *, timeout: float = 30.0, autocommit: bool = True) -> tuple[Any, str]:
    """Open a connection to ``url``; ``(connection, schema)``.

    The connection's ``search_path`` is the schema, then ``public`` (where PostGIS and
    QGIS's ``layer_styles`` live).
    """
    driver = psycopg()
    conninfo, schema = split_url(url)
    try:
        con = driver.connect(
            conninfo,
            autocommit=autocommit,
            connect_timeout=max(1, int(timeout)),
            application_name=os.environ.get("PGAPPNAME", "landasset"),
        )
    except driver.Error as exc:
        raise LandassetIOError(
            f"cannot connect to {redacted(url)}: {str(exc).strip()}; check the URL, that the "
            "server runs and that the role may log in"
        ) from None
    con.execute(f"SET search_path TO {quote_identifier(schema)}, public")
    return con, schema


def redacted(url: str) -> str:
    """``url`` with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
