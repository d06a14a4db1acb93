"""``landasset info``: layers, counts, CRS, extent, parcel area in mu."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import echo_table, input_path, layer_option


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
            raise click.BadParameter(
                f"no layer {layer!r} in {path.name}; layers: {', '.join(map(str, names))}",
                param_hint="--layer",
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
