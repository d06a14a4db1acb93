"""``landasset assemble``: group adjacent parcels into sites meeting an area demand."""

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


@click.command()
@input_path
@profile_option
@click.option(
    "--demand-mu",
    type=click.FloatRange(min=0, min_open=True),
    required=True,
    help="The project's land demand in mu (1 mu = 666.7 m²).",
)
@click.option("--max-parcels", type=click.IntRange(min=1), default=5, show_default=True)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Leave out parcels scoring below this.",
)
@click.option(
    "--tolerance-m",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Parcels this close are adjacent (raise to a street width to cross streets).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="At most this many sites; the search stops once no other site could enter them.",
)
@click.option(
    "--overlapping",
    is_flag=True,
    help="Also list sites sharing parcels with better ones (by default no parcel is in two sites).",
)
@output_option(required=False, help="Also write the candidate sites (dissolved) to this file.")
@output_layer_option("candidate_sites")
@as_of_option
@overwrite_option
def assemble(
    path: Path,
    profile: str,
    demand_mu: float,
    max_parcels: int,
    min_score: float,
    tolerance_m: float,
    limit: int,
    overlapping: bool,
    output: Path | None,
    output_layer: str,
    as_of: str | None,
    overwrite: bool,
) -> None:
    """Find candidate sites of adjacent eligible parcels for a project of DEMAND_MU mu.

    Land waits for projects (地等项目): parcels are scored with the profile, then
    grown into groups of adjacent parcels whose area meets the demand, best first;
    no parcel is in two sites unless --overlapping is given. With a lifecycle ledger
    in PATH, parcels retired by the --as-of date (split or merged parents) are left out.

    \b
    Example:
      landasset assemble yunqi.gpkg --profile aerospace --demand-mu 80 -o sites.gpkg
    """
    import pandas as pd

    from landasset.cli.best_fit import note_retired
    from landasset.cli.score import score_site
    from landasset.suitability import assemble as run
    from landasset.suitability import load_profile

    if output is not None:
        check_output(output, overwrite=overwrite, layer=output_layer)
    day = parse_date(as_of)
    model = load_profile(profile)
    site = load_site(path)
    result = score_site(model, site, path, day)
    with site_ledger(path) as ledger:
        sites = run(
            result,
            demand_mu=demand_mu,
            max_parcels=max_parcels,
            min_score=min_score,
            tolerance_m=tolerance_m,
            limit=limit,
            disjoint=not overlapping,
            stages=ledger,
            as_of=day,
        )
    note_retired(sites.attrs["retired_parcels"])
    if sites.empty:
        note(f"no group of up to {max_parcels} adjacent parcels reaches {demand_mu} mu")
    else:
        if sites.attrs["limit_reached"]:
            note(f"the best {len(sites)} sites; more may follow (raise --limit to see them)")
        shown = sites.drop(columns=sites.geometry.name)
        with pd.option_context("display.width", 200, "display.max_colwidth", 60):
            echo_table(shown.round(3))
    if output is not None:
        write_output(sites, output, layer=output_layer, overwrite=overwrite)
