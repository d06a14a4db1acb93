"""``landasset info``: layers, counts, CRS, extent, parcel area in mu."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import InputError, echo_table, input_path, layer_option, note


@click.command()
@input_path
@layer_option
def info(path: Path, layer: str | None) -> None:
    """Describe the layers of PATH: rows, geometry, CRS, extent, area in mu."""
    import pandas as pd

    from landasset.crs import is_metric, local_crs
    from landasset.io import format_for, list_layers, read_layer
    from landasset.units import m2_to_mu

    names = list_layers(path) if format_for(path) == "GPKG" else [None]
    if layer is not None:
        if layer not in names:
            raise InputError(
                f"no layer {layer!r} in {path.name}; layers: {', '.join(map(str, names))}"
            )
        names = [layer]
    rows = []
    for name in names:
        gdf = read_layer(path, layer=name)
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
    if format_for(path) == "GPKG" and layer is None:
        for line in _tables(path):
            note(line)


def _tables(path: Path) -> list[str]:
    """One line each for the QGIS styles and the lifecycle ledger held in a GeoPackage."""
    import sqlite3

    from landasset.lifecycle._gpkg import connect_read_only

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
