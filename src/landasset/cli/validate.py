"""``landasset validate``: the schema report of a site; exit 1 when it has errors."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import CheckFailed, input_path, log, overwrite_option


@click.command()
@input_path
@click.option(
    "--fix",
    "fix_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Repair what can be repaired and write the site to this .gpkg.",
)
@overwrite_option
def validate(path: Path, fix_out: Path | None, overwrite: bool) -> None:
    """Check every layer of the GeoPackage PATH against the landasset schemas.

    Prints one line per problem (severity, layer, id, column, problem, fix).
    Exits 1 when errors remain.
    """
    from landasset.io import read_layers
    from landasset.schema import LAYERS, ValidationReport
    from landasset.schema import validate as validate_layer

    layers = read_layers(path)
    report = ValidationReport()
    for kind, gdf in layers.items():
        if kind in LAYERS:
            report.extend(validate_layer(gdf, kind, fix=fix_out is not None))
        else:
            log.info("layer %r is not a layer kind; not validated", kind)
    frame = report.to_frame()
    if len(frame):
        click.echo(
            frame[["severity", "kind", "id", "column", "problem", "fix"]].to_string(index=False)
        )
    click.echo(report.summary(), err=True)
    if not report.ok:
        raise CheckFailed()
    if fix_out is not None:
        from landasset.site import Site

        known = {k: v for k, v in layers.items() if k in LAYERS}
        site = Site(**known, fix=True)
        site.to_file(fix_out, overwrite=overwrite)
        click.echo(f"wrote {fix_out}", err=True)
