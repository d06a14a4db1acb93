"""``landasset validate``: the schema report of a site or layer; exit 1 when it has errors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from landasset.cli._common import (
    MULTI_LAYER_FORMATS,
    CheckFailed,
    InputError,
    check_output,
    encoding_option,
    input_source,
    layer_option,
    log,
    note,
    overwrite_option,
    rename_option,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd


@click.command()
@input_source
@layer_option
@click.option(
    "--kind",
    default=None,
    help="The layer kind (parcels, stations, ...) of a single-layer file or of --layer "
    "when its name is not the kind.",
)
@click.option(
    "--fix",
    "fix_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Repair what can be repaired (invalid geometry, ...), remove what cannot (null, "
    "empty or NaN geometry, slivers without area, repeated parcels; each removal is "
    "listed) and write the result to this file (a .gpkg for several layers). The "
    "result validates without errors.",
)
@click.option(
    "--overlap-tolerance",
    "overlap_tolerance_m2",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Overlaps between parcels, or between buildings, up to this area in m² are not reported.",
)
@encoding_option
@rename_option
@overwrite_option
def validate(
    path: Path,
    layer: str | None,
    kind: str | None,
    fix_out: Path | None,
    overlap_tolerance_m2: float,
    encoding: str | None,
    rename: dict[str, str],
    overwrite: bool,
) -> None:
    """Check the layers of PATH against the landasset schemas.

    Prints one line per problem (severity, layer, id, column, problem, fix) and a
    summary on stderr. Exits 1 when errors remain (nothing is written then).

    \b
    Examples:
      landasset validate yunqi.gpkg
      landasset validate parcels.shp --kind parcels --fix parcels_fixed.gpkg
    """
    from landasset.io import format_for, read_layer, read_layers
    from landasset.schema import LAYERS, ValidationReport
    from landasset.schema import validate as validate_layer

    if kind is not None and kind not in LAYERS:
        raise InputError(f"{kind!r} is not a layer kind; use one of: {', '.join(LAYERS)}")
    if layer is not None:
        layers = {layer: read_layer(path, layer=layer, encoding=encoding, columns=rename)}
    elif format_for(path) in MULTI_LAYER_FORMATS:
        if encoding is not None:
            raise InputError("--encoding applies to Shapefiles only")
        layers = read_layers(path, columns=rename)
    else:
        layers = {path.stem: read_layer(path, encoding=encoding, columns=rename)}
    for name, gdf in layers.items():
        for line in gdf.attrs.get("notes", []):
            note(f"{name}: {line}")
    if kind is not None and len(layers) > 1:
        raise InputError(
            f"{path.name} holds several layers; name the one of kind {kind} with --layer"
        )
    kinds = {name: kind or name for name in layers if (kind or name) in LAYERS}
    for name in layers:
        if name not in kinds:
            log.info(
                "layer %r is not a layer kind; not validated (name its kind with --kind)", name
            )
    if not kinds:
        raise InputError(
            f"no layer of {path.name} is named after a layer kind; name its kind with --kind "
            f"({', '.join(LAYERS)})"
        )
    if fix_out is not None:
        if len(kinds) > 1 and format_for(fix_out) != "GPKG":
            raise InputError("several layers are repaired into one GeoPackage; name --fix *.gpkg")
        check_output(fix_out, overwrite=overwrite, layer=next(iter(kinds.values())))
    report = ValidationReport()
    fixed: dict[str, gpd.GeoDataFrame] = {}
    for name, layer_kind in kinds.items():
        checked = validate_layer(
            layers[name],
            layer_kind,
            fix=fix_out is not None,
            overlap_tolerance_m2=overlap_tolerance_m2,
        )
        report.extend(checked)
        if checked.data is not None:
            fixed[layer_kind] = checked.data
    frame = report.to_frame()
    if len(frame):
        click.echo(
            frame[["severity", "kind", "id", "column", "problem", "fix"]].to_string(index=False)
        )
    note(report.summary())
    if not report.ok:
        raise CheckFailed()
    if fix_out is not None:
        _write_fixed(fixed, fix_out, overwrite=overwrite)


def _write_fixed(layers: dict[str, gpd.GeoDataFrame], path: Path, *, overwrite: bool) -> None:
    from landasset.cli._common import write_output
    from landasset.io import format_for, write_layers

    if len(layers) == 1:
        kind, gdf = next(iter(layers.items()))
        write_output(gdf, path, layer=kind, overwrite=overwrite)
        return
    assert format_for(path) == "GPKG"
    write_layers(layers, path, overwrite=overwrite)
    note(f"wrote {path}")
