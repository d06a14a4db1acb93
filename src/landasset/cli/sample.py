"""``landasset sample``: write a bundled sample district to a GeoPackage."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import overwrite_option


@click.command()
@click.argument("name", default="yunqi")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The .gpkg to write.",
)
@overwrite_option
def sample(name: str, output: Path, overwrite: bool) -> None:
    """Write the bundled sample district NAME (default: yunqi) to OUTPUT."""
    from landasset import sample as samples

    site = samples.load(name)
    site.to_file(output, overwrite=overwrite)
    click.echo(f"wrote {output}", err=True)
