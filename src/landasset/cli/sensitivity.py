"""``landasset sensitivity``: how stable the ranking is when the weights move."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import (
    as_of_option,
    check_output,
    echo_table,
    input_path,
    load_site,
    note,
    output_layer_option,
    output_option,
    overwrite_option,
    parse_date,
    profile_option,
    site_ledger,
    write_output,
)
from landasset.cli.score import workers_option


@click.command()
@input_path
@profile_option
@click.option(
    "-n",
    "draws",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Number of Dirichlet weight draws.",
)
@click.option(
    "--spread",
    type=click.FloatRange(min=0, min_open=True),
    default=0.2,
    show_default=True,
    help="How far the weights move (coefficient of variation of a weight).",
)
@click.option("--top-k", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@as_of_option
@workers_option
@output_option(required=False, help="Also write the per-parcel rank statistics to this file.")
@output_layer_option("sensitivity")
@overwrite_option
def sensitivity(
    path: Path,
    profile: str,
    draws: int,
    spread: float,
    top_k: int,
    seed: int,
    as_of: str | None,
    workers: int | None,
    output: Path | None,
    output_layer: str,
    overwrite: bool,
) -> None:
    """Perturb the weights of a profile N times and report rank stability.

    Prints the top parcels with their mean rank, rank spread and share of draws in
    the top k, then what leaving each criterion out does to the ranking.

    \b
    Example:
      landasset sensitivity yunqi.gpkg --profile aerospace -n 500 --top-k 5
    """
    import geopandas as gpd
    import pandas as pd

    from landasset.suitability import load_profile
    from landasset.suitability import sensitivity as run

    if output is not None:
        check_output(output, overwrite=overwrite, layer=output_layer)
    day = parse_date(as_of)
    model = load_profile(profile)
    site = load_site(path)
    note(f"{draws} weight draws (spread {spread}) ...")
    with site_ledger(path) as ledger:
        result = run(
            model,
            site,
            n=draws,
            spread=spread,
            seed=seed,
            top_k=top_k,
            as_of=day,
            stages=ledger,
            workers=workers,
        )
    stats = result.parcels
    shown = ["rank", "mean_rank", "rank_std", "rank_best", "rank_worst", "p_top_k"]
    with pd.option_context("display.width", 200):
        echo_table(stats[shown].head(top_k).round(3))
        click.echo("")
        echo_table(result.leave_one_out.round(3))
    if output is not None:
        parcels = site.parcels
        layer = gpd.GeoDataFrame(
            stats.join(parcels[[parcels.geometry.name]]),
            geometry=parcels.geometry.name,
            crs=parcels.crs,
        )
        write_output(layer, output, layer=output_layer, overwrite=overwrite)
