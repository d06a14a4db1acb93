"""``landasset convert``: any supported format to any other, with CRS and datum fixes."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import (
    InputError,
    check_output,
    note,
    overwrite_option,
    rename_option,
    write_output,
)

DATUMS = ("gcj02", "bd09")


@click.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--layer",
    default=None,
    help="The layer to read from a GeoPackage, File Geodatabase or KML SOURCE, and the "
    "layer name in a GeoPackage TARGET (default: the source layer's name, or the source "
    "file's name).",
)
@click.option(
    "--crs",
    default=None,
    metavar="EPSG:XXXX",
    help="Reproject to this CRS, e.g. EPSG:4549 (CGCS2000 / 3-degree GK CM 120E).",
)
@click.option(
    "--from-datum",
    type=click.Choice(DATUMS),
    default=None,
    help="The source's lon/lat are Chinese web-map coordinates (Amap/Tencent gcj02, "
    "Baidu bd09): convert them to true WGS84 first.",
)
@rename_option
@click.option(
    "--encoding",
    default=None,
    help="Text encoding of a Shapefile SOURCE without .cpg (e.g. gbk), or of a "
    "Shapefile TARGET (default UTF-8).",
)
@overwrite_option
def convert(
    source: Path,
    target: Path,
    layer: str | None,
    crs: str | None,
    from_datum: str | None,
    encoding: str | None,
    rename: dict[str, str],
    overwrite: bool,
) -> None:
    """Convert the layer SOURCE to TARGET; formats follow the file extensions.

    Formats: .gpkg, .parquet (GeoParquet 1.1), .fgb, .geojson (written as RFC 7946
    WGS84), .shp; SOURCE may also be a File Geodatabase (.gdb folder), .kml, .json or
    a .csv with lon/lat columns. Schema columns longer than 10 bytes get fixed short
    names in a Shapefile and come back under their own names. Chinese column names
    (地块编号, 用地性质, ...) are renamed to landasset's; each rename is noted.

    \b
    Examples:
      landasset convert amap_pois.geojson pois.gpkg --from-datum gcj02 --crs EPSG:4549
      landasset convert legacy.shp parcels.gpkg --encoding gbk --layer parcels
      landasset convert plan.gdb parcels.gpkg --layer DK --rename 地块号=parcel_id
    """
    import pyproj

    from landasset.io import FORMATS, format_for, list_layers, read_layer

    source_format, target_format = format_for(source), format_for(target)
    if source.resolve() == target.resolve():
        raise InputError("SOURCE and TARGET are the same file")
    multi = source_format in ("GPKG", "OpenFileGDB", "KML")
    if layer is None and multi:
        names = list_layers(source)
        if len(names) > 1:
            raise InputError(
                f"{source.name} holds several layers ({', '.join(names)}); name one with --layer"
            )
    read_encoding = encoding if source_format == FORMATS[".shp"] else None
    write_encoding = encoding if target_format == FORMATS[".shp"] else None
    if encoding is not None and read_encoding is None and write_encoding is None:
        raise InputError("--encoding applies to Shapefiles only; neither SOURCE nor TARGET is one")
    target_crs = None
    if crs is not None:
        try:
            target_crs = pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError:
            raise InputError(f"{crs!r} is not a CRS PROJ knows; write it as EPSG:4549") from None
    name = layer or (list_layers(source)[0] if multi else source.stem)
    check_output(target, overwrite=overwrite, layer=name if target_format == "GPKG" else None)
    gdf = read_layer(
        source,
        layer=layer if multi else None,
        encoding=read_encoding,
        columns=rename,
        datum=from_datum,
    )
    for line in gdf.attrs.get("notes", []):
        note(line)
    if target_crs is not None:
        if gdf.crs is None:
            raise InputError(
                f"{source.name} has no CRS, so it cannot be reprojected; fix the source first"
            )
        gdf = gdf.to_crs(target_crs)
    write_output(gdf, target, layer=name, overwrite=overwrite, encoding=write_encoding)
