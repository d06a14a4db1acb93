"""The ``landasset`` click group: one module per subcommand, added here."""

from __future__ import annotations

import click

from landasset import __version__
from landasset.cli._common import LandassetGroup, verbosity_options
from landasset.cli.assemble import assemble
from landasset.cli.best_fit import best_fit
from landasset.cli.convert import convert
from landasset.cli.db import db
from landasset.cli.efficiency import efficiency
from landasset.cli.explain import explain
from landasset.cli.info import info
from landasset.cli.lifecycle import lifecycle
from landasset.cli.match import match
from landasset.cli.profiles import profiles
from landasset.cli.report import report
from landasset.cli.sample import sample
from landasset.cli.score import score
from landasset.cli.sensitivity import sensitivity
from landasset.cli.serve import serve
from landasset.cli.validate import validate


@click.group(cls=LandassetGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="landasset")
@verbosity_options
def cli() -> None:
    """Industrial land and parks: layers, suitability, lifecycle, per-mu efficiency.

    Files are read and written by extension: .gpkg, .parquet, .fgb, .geojson, .shp.
    GeoPackages written for known layers open in QGIS styled, with Chinese field
    aliases. Progress and messages go to stderr, data to stdout or files.

    Dates are written YYYY-MM-DD, nothing else.

    Exit codes: 0 ok, 1 a check failed or an unexpected error (please report it,
    with the traceback that -v prints), 2 usage or input error.
    """


for command in (
    info,
    validate,
    convert,
    sample,
    profiles,
    score,
    explain,
    sensitivity,
    best_fit,
    assemble,
    efficiency,
    lifecycle,
    report,
    serve,
    match,
    db,
):
    cli.add_command(command)


def _everywhere(command: click.Command) -> None:
    """-v/-q after a subcommand too (``landasset score ... -q``), as before it."""
    verbosity_options(command)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _everywhere(sub)


for command in cli.commands.values():
    _everywhere(command)


def main() -> None:
    """Entry point of the ``landasset`` script."""
    cli(prog_name="landasset")
