"""The ``landasset`` click group."""

from __future__ import annotations

import click

from landasset.cli._common import LandassetGroup, verbosity_options
from landasset.cli.info import info
from landasset.cli.sample import sample
from landasset.cli.validate import validate


@click.group(cls=LandassetGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="landasset")
@verbosity_options
def cli() -> None:
    """Industrial land and parks: layers, suitability, lifecycle, per-mu efficiency.

    Files are read and written by extension: .gpkg, .parquet, .fgb, .geojson, .shp.
    Exit codes: 0 ok, 1 a check failed, 2 usage or input error.
    """


cli.add_command(info)
cli.add_command(validate)
cli.add_command(sample)


def main() -> None:
    """Entry point of the ``landasset`` script."""
    cli(prog_name="landasset")
