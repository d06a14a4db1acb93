"""``landasset serve``: an OGC API – Features and Processes service for a site."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import InputError, note


@click.command()
@click.argument("site")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=5000, show_default=True, help="Port."
)
@click.option("--url", default=None, help="Public URL of the service (default: http://HOST:PORT).")
@click.option(
    "--tokens",
    "tokens",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Token file (YAML): tokens → role and zones, read rule, body cap. "
    "Without one, reads are open and writes refused.",
)
@click.option(
    "--default-items",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Items per page when a request gives no limit.",
)
@click.option(
    "--max-items",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Most items per page (a larger limit is cut to it).",
)
def serve(
    site: str,
    host: str,
    port: int,
    url: str | None,
    tokens: Path | None,
    default_items: int,
    max_items: int,
) -> None:
    """Serve the site SITE (.gpkg, or a postgresql:// URL) over OGC API – Features and
    Processes.

    One collection per non-empty layer, `stages` (parcels with their stage on the
    day given as `datetime`) and `events` (the ledger; POST a GeoJSON feature with
    a recorder token to record one). Processes: score, explain, evaluate (and
    match when installed). GeoJSON in CRS84 by default, the site CRS with `crs=`.

    On PostGIS (a database filled by `landasset db import`), a token whose entry
    names a `db_role` records its events as that database role: the database's
    privileges and row-level security decide.

    \b
    Examples:
      landasset serve yunqi.gpkg --port 8080 --tokens tokens.yaml
      landasset serve postgresql://landasset@dbhost/yunqi --tokens tokens.yaml
    """
    from landasset._postgres import is_url, redacted

    source: str | Path
    if is_url(site):
        source, shown = site, redacted(site)
    else:
        source = Path(site)
        if not source.is_file():
            raise InputError(
                f"no site file at {site!r}; give the site's .gpkg or a postgresql:// URL"
            )
        shown = source.name
    if default_items > max_items:
        raise InputError(f"--default-items ({default_items}) exceeds --max-items ({max_items})")
    from landasset.serve import AccessPolicy
    from landasset.serve import serve as run

    policy = AccessPolicy.from_yaml(tokens) if tokens is not None else AccessPolicy()
    base = url or f"http://{host}:{port}"
    note(f"serving {shown} at {base} (Ctrl-C stops)")
    run(
        source,
        policy=policy,
        host=host,
        port=port,
        url=url,
        default_items=default_items,
        max_items=max_items,
    )
