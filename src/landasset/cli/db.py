"""``landasset db``: a site and its ledger in PostgreSQL/PostGIS, and who may do what.

``init`` creates the ledger's tables, the three roles and their privileges in a
schema; ``grant`` gives a login role one of the roles (a recorder limited to zones);
``import`` copies a GeoPackage's layers and every event of its ledger into the
database, ``export`` copies them back into a GeoPackage.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from landasset.cli._common import InputError, check_output, note, overwrite_option

url_argument = click.argument("url", metavar="URL")


def _check_url(url: str) -> None:
    from landasset._postgres import is_url

    if not is_url(url):
        raise InputError(
            f"{url!r} is not a PostgreSQL URL; write postgresql://user@host/dbname "
            "(a unix socket folder as ?host=/path, a schema as ?schema=name)"
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def db() -> None:
    """A site and its ledger in PostgreSQL/PostGIS: create, grant, import, export.

    URL is postgresql://user@host:port/dbname; a unix socket folder goes in
    ?host=/path and the schema in ?schema=name (default public).
    """


@db.command()
@url_argument
def init(url: str) -> None:
    """Create the ledger's tables, the reader/recorder/admin roles and their rights.

    Run it as the database owner. Idempotent: running it again completes what is
    missing and changes nothing else.

    \b
    Example:
      landasset db init 'postgresql://postgres@/parks?host=/var/run/postgresql'
    """
    from landasset.lifecycle import init_database

    _check_url(url)
    init_database(url)
    note("created the ledger and the roles landasset_reader, landasset_recorder, landasset_admin")


@db.command()
@url_argument
@click.argument("login")
@click.option(
    "--role",
    type=click.Choice(["reader", "recorder", "admin"]),
    required=True,
    help="What LOGIN may do: read; also record events; also write layers.",
)
@click.option(
    "--zone",
    "zones",
    multiple=True,
    help="A recorder's zone (repeatable); the database refuses its events for parcels "
    "of other zones. Without --zone a recorder records for every zone.",
)
def grant(url: str, login: str, role: str, zones: Sequence[str]) -> None:
    """Give the login role LOGIN (created when missing) the reader, recorder or admin role.

    \b
    Example:
      landasset db grant URL wang --role recorder --zone 云谷
    """
    from landasset.lifecycle import grant_role

    _check_url(url)
    grant_role(url, login, role=role, zones=list(zones) or None)
    where = f" for {', '.join(zones)}" if zones else ""
    note(f"{login} is a {role}{where}")


@db.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@url_argument
@overwrite_option
def import_site(path: Path, url: str, overwrite: bool) -> None:
    """Copy the layers of the GeoPackage PATH and every event of its ledger into URL.

    The layers become tables of the URL's schema (styled for QGIS); the events keep
    their ids, dates, recording times and corrections. The database's ledger must be
    empty.

    \b
    Example:
      landasset db import yunqi.gpkg 'postgresql://postgres@/parks?host=/tmp'
    """
    from landasset.io import read_layers
    from landasset.lifecycle import Ledger, copy_ledger, has_ledger
    from landasset.postgis import write_layers

    _check_url(url)
    layers = read_layers(path)
    spatial = {k: v for k, v in layers.items() if v.geometry.name in v}
    with Ledger.open(url) as target:
        write_layers(spatial, url, overwrite=overwrite)
        count = 0
        if has_ledger(path):
            with Ledger.open(path, read_only=True) as source:
                count = copy_ledger(source, target)
    note(f"copied {len(spatial)} layers and {count} events from {path.name}")


@db.command("export")
@url_argument
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@overwrite_option
def export_site(url: str, path: Path, overwrite: bool) -> None:
    """Copy the layers of URL's schema and every event of its ledger into the GeoPackage PATH.

    \b
    Example:
      landasset db export 'postgresql://postgres@/parks?host=/tmp' copy.gpkg
    """
    from landasset.io import write_layers
    from landasset.lifecycle import Ledger, copy_ledger
    from landasset.postgis import read_layers

    _check_url(url)
    if path.suffix.lower() != ".gpkg":
        raise InputError(f"export writes a GeoPackage (.gpkg), not {path.name!r}")
    check_output(path, overwrite=overwrite)
    layers = read_layers(url)
    with Ledger.open(url, read_only=True) as source:
        if layers:
            write_layers(layers, path, overwrite=overwrite)
        with Ledger.open(path) as target:
            count = copy_ledger(source, target)
    note(f"copied {len(layers)} layers and {count} events into {path.name}")
