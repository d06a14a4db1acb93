"""A ledger shared in PostgreSQL: creating it with its roles, granting them, moving ledgers.

:func:`init_database` creates the ledger's tables in a schema, with the three group
roles ``landasset_reader``, ``landasset_recorder`` and ``landasset_admin``, their
privileges and the row-level security policy that limits a recorder to its zones;
:func:`grant_role` makes a login role a member of one of them; :func:`copy_ledger`
copies every event and lineage row, ids and recording times included, from one
ledger into an empty one (a GeoPackage into PostgreSQL and back). See
``docs/postgis.md``.
"""

from __future__ import annotations

from collections.abc import Iterable

from landasset._postgres import connect
from landasset.lifecycle._pg import ROLES, create_ledger, grant
from landasset.lifecycle.ledger import Ledger

__all__ = ["ROLES", "copy_ledger", "grant_role", "init_database"]


def init_database(url: str) -> None:
    """Create (or complete) the ledger, its roles, privileges and policies in the URL's schema.

    Idempotent. Run it as the database owner (a role that may create roles).

    Parameters
    ----------
    url : str
        ``postgresql://user@host/dbname`` (``?schema=name``, default ``public``).

    Raises
    ------
    LandassetPermissionError
        The role may not create the schema, the tables or the roles.
    LandassetIOError
        The database cannot be reached.
    """
    con, schema = connect(url)
    try:
        con.execute("SET client_min_messages = warning")
        create_ledger(con, schema)
    finally:
        con.close()


def grant_role(
    url: str,
    login: str,
    *,
    role: str,
    zones: Iterable[str] | None = None,
    password: str | None = None,
) -> None:
    """Make ``login`` (created as a login role when missing) a reader, recorder or admin.

    Parameters
    ----------
    url : str
        The database, as for :func:`init_database` (whose schema the zones apply to).
    login : str
        The login role.
    role : {"reader", "recorder", "admin"}
        What it may do: read; also append events (and the parcels of a split or
        merge); also write layers and grant zones.
    zones : iterable of str, optional
        A recorder's zones (the ``zone`` column of the ``parcels`` layer); the
        database refuses its events for parcels in other zones. None: every zone.
    password : str, optional
        Set the login's password (for connections that use password authentication).

    Raises
    ------
    LandassetValueError
        An unknown role, or zones for a role other than recorder.
    LandassetPermissionError
        The role running this may not create roles or grant them.
    """
    con, schema = connect(url)
    try:
        grant(con, schema, login, role, zones=list(zones or ()), password=password)
    finally:
        con.close()


def copy_ledger(source: Ledger, target: Ledger) -> int:
    """Copy every event and lineage row of ``source`` into the empty ``target``, as they are.

    Event ids, recording times, actors, data, corrections and lineage are kept exactly;
    the rows were checked when they were first recorded and are not checked again. One
    transaction in ``target``: all rows or none.

    Returns
    -------
    int
        The number of events copied.

    Raises
    ------
    TransitionError
        ``target`` already holds events.

    Examples
    --------
    >>> with Ledger.open(":memory:") as a, Ledger.open(":memory:") as b:
    ...     _ = a.record("A", "reserved", "2024-01-01", actor="x")
    ...     copy_ledger(a, b), b.event(1) == a.event(1)
    (1, True)
    """
    events, lineage = source._store.dump()
    target._store.load(events, lineage)
    return len(events)
