"""``landasset sample``: write a bundled sample district to a GeoPackage."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import InputError, check_output, note, overwrite_option


@click.command()
@click.argument("name", default="yunqi")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The .gpkg to write.",
)
@click.option(
    "--ledger/--no-ledger",
    default=True,
    show_default=True,
    help="Record the sample's lifecycle history in the file's ledger (as in the bundled file).",
)
@overwrite_option
def sample(name: str, output: Path, ledger: bool, overwrite: bool) -> None:
    """Write the bundled sample district NAME (default: yunqi) to OUTPUT (.gpkg).

    Every layer opens in QGIS styled, with Chinese field aliases. The district is
    illustrative: its geometry is not surveyed and its figures are invented.

    \b
    Example:
      landasset sample yunqi -o yunqi.gpkg
    """
    from landasset import sample as samples
    from landasset.io import atomic_write, format_for

    if name not in samples.available():
        raise InputError(
            f"{name!r} is not a sample district; use one of: {', '.join(samples.available())}"
        )
    if format_for(output) != "GPKG":
        raise InputError(f"{output.name}: a sample district is written as one .gpkg file")
    check_output(output, overwrite=overwrite)
    site = samples.load(name)
    # layers and ledger go into a temporary file that replaces OUTPUT once complete:
    # a failure (a full disk, say) leaves no half-made sample, no journal beside it, and
    # an existing OUTPUT as it was
    with atomic_write(output) as tmp:
        site.to_file(tmp)
        if ledger:
            from landasset._errors import LandassetIOError
            from landasset.lifecycle import Ledger, sample_events

            try:
                with Ledger.open(tmp) as book:
                    book.record_many(sample_events(site))
            except LandassetIOError as exc:
                raise LandassetIOError(f"the sample was not written: {exc}") from None
            finally:
                for leftover in ("-journal", "-wal", "-shm"):
                    Path(f"{tmp}{leftover}").unlink(missing_ok=True)
    note(f"wrote {output}")
