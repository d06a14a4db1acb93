"""``landasset best-fit``: the best-fitting industry profile for every parcel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from landasset.cli._common import (
    InputError,
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
    site_ledger,
    write_output,
)
from landasset.cli.score import workers_option


@click.command("best-fit")
@input_path
@click.option(
    "--profiles",
    "profile_list",
    required=True,
    help="Comma-separated profile names or .yaml files, e.g. aerospace,ai,smart_manufacturing.",
)
@click.option(
    "--margin",
    type=click.FloatRange(min=0),
    default=0.05,
    show_default=True,
    help="A runner-up within this score margin is a conflict.",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="A profile scoring a parcel below this does not fit it.",
)
@output_option()
@output_layer_option("best_fit")
@as_of_option
@workers_option
@overwrite_option
def best_fit(
    path: Path,
    profile_list: str,
    margin: float,
    min_score: float,
    output: Path,
    output_layer: str,
    as_of: str | None,
    workers: int | None,
    overwrite: bool,
) -> None:
    """Score the site PATH for several profiles; write the best one per parcel.

    The output holds best, score, runner_up, runner_up_score, margin, conflict,
    reason (why no profile fits, profile by profile) and score_<profile> per parcel.
    Prints how many parcels each profile wins. With a lifecycle ledger in PATH,
    parcels retired by the --as-of date (split or merged parents) are left out.

    \b
    Example:
      landasset best-fit yunqi.gpkg --profiles aerospace,ai,smart_manufacturing -o fit.gpkg
    """
    import geopandas as gpd
    import pandas as pd

    from landasset.suitability import best_fit as run
    from landasset.suitability import load_profile

    names = [p.strip() for p in profile_list.split(",") if p.strip()]
    if not names:
        raise InputError("name at least one profile")
    check_output(output, overwrite=overwrite, layer=output_layer)
    day = parse_date(as_of)
    models = [load_profile(name) for name in names]
    site = load_site(path)
    note(f"scoring {len(models)} profiles ...")
    with site_ledger(path) as ledger:
        fit = run(
            site,
            models,
            margin=margin,
            min_score=min_score,
            as_of=day,
            stages=ledger,
            workers=workers,
        )
    note_retired(fit.attrs["retired_parcels"])
    parcels = site.parcels.loc[fit.index]
    keep = [c for c in ("name", "land_use", "zone") if c in parcels.columns]
    layer = gpd.GeoDataFrame(
        fit.join(parcels[[*keep, parcels.geometry.name]]),
        geometry=parcels.geometry.name,
        crs=parcels.crs,
    )
    write_output(layer, output, layer=output_layer, overwrite=overwrite)
    wins = fit["best"].value_counts().rename("parcels").to_frame()
    wins["conflicts"] = fit[fit["conflict"].astype(bool)]["best"].value_counts()
    with pd.option_context("display.width", 200):
        echo_table(wins.fillna(0).astype(int))


def note_retired(retired: list[Any]) -> None:
    """Say which retired parcels were left out (nothing when none)."""
    if retired:
        shown = ", ".join(str(p) for p in retired[:5]) + (" ..." if len(retired) > 5 else "")
        s = "" if len(retired) == 1 else "s"
        note(f"left out {len(retired)} retired parcel{s} (split or merged): {shown}")
