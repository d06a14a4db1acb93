"""``landasset info``: layers, counts, CRS, extent, parcel area in mu."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import (
    MULTI_LAYER_FORMATS,
    InputError,
    echo_table,
    encoding_option,
    input_source,
    layer_option,
    note,
    rename_option,
)


@click.command()
@input_source
@layer_option
@encoding_option
@rename_option
def info(path: Path, layer: str | None, encoding: str | None, rename: dict[str, str]) -> None:
    """Describe the layers of PATH: rows, geometry, CRS, extent, area in mu."""
    import pandas as pd

    from landasset.crs import is_metric, local_crs
    from landasset.io import format_for, list_layers, read_layer
    from landasset.units import m2_to_mu

    gpkg = format_for(path) == "GPKG"
    names = list_layers(path) if format_for(path) in MULTI_LAYER_FORMATS else [None]
    if not names:
        tables = _tables(path) if gpkg else []
        held = f" (it holds only: {'; '.join(tables)})" if tables else ""
        raise InputError(
            f"{path.name} has no feature layer{held}; add layers with `landasset convert "
            f"SOURCE {path.name} --layer NAME`, or check that this is the site's GeoPackage"
        )
    if layer is not None:
        if layer not in names:
            raise InputError(
                f"no layer {layer!r} in {path.name}; layers: {', '.join(map(str, names))}"
            )
        names = [layer]
    fields: dict[str | None, list[str]] = {}
    if rename and names != [None]:
        fields = {name: _fields(path, str(name)) for name in names}
        unknown = [k for k in rename if not any(k in f for f in fields.values())]
        if unknown:
            raise InputError(
                f"--rename names {', '.join(unknown)}, but no layer of {path.name} has "
                "such a column"
            )
    rows = []
    for name in names:
        columns = {k: v for k, v in rename.items() if name is None or k in fields[name]}
        gdf = read_layer(path, layer=name, encoding=encoding, columns=columns)
        for line in gdf.attrs.get("notes", []):
            note(f"{name or path.stem}: {line}")
        crs = gdf.crs
        area_mu = float("nan")
        if crs is not None and len(gdf) and gdf.geom_type.isin(["Polygon", "MultiPolygon"]).all():
            metric = gdf if is_metric(crs) else gdf.to_crs(local_crs(gdf))
            area_mu = float(m2_to_mu(metric.area.sum()))
        bounds = gdf.total_bounds if len(gdf) else [float("nan")] * 4
        rows.append(
            {
                "layer": name or path.stem,
                "rows": len(gdf),
                "geometry": ", ".join(sorted(set(gdf.geom_type.dropna()))),
                "crs": crs.to_string() if crs is not None else "(none)",
                "minx": bounds[0],
                "miny": bounds[1],
                "maxx": bounds[2],
                "maxy": bounds[3],
                "area_mu": area_mu,
            }
        )
    echo_table(pd.DataFrame(rows).set_index("layer").round(2))
    if gpkg and layer is None:
        for line in _tables(path):
            note(line)


def _fields(path: Path, layer: str) -> list[str]:
    import pyogrio

    return [str(f) for f in pyogrio.read_info(path, layer=layer)["fields"]]


def _tables(path: Path) -> list[str]:
    """One line each for the QGIS styles and the lifecycle ledger held in a GeoPackage."""
    import sqlite3

    from landasset._sqlite import connect_read_only

    lines = []
    con = connect_read_only(path)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "layer_styles" in names:
            styled = [r[0] for r in con.execute("SELECT DISTINCT f_table_name FROM layer_styles")]
            lines.append(f"QGIS default styles for: {', '.join(sorted(styled)) or 'none'}")
        if "landasset_events" in names:
            (count,) = con.execute("SELECT count(*) FROM landasset_events").fetchone()
            lines.append(f"lifecycle ledger: {count} events")
    except sqlite3.DatabaseError:
        return []
    finally:
        con.close()
    return lines
