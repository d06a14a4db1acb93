"""``landasset explain``: how one parcel's suitability score is made."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import (
    InputError,
    as_of_option,
    echo_table,
    input_path,
    load_site,
    parse_date,
    profile_option,
)


@click.command()
@input_path
@profile_option
@click.argument("parcel_id")
@as_of_option
def explain(path: Path, profile: str, parcel_id: str, as_of: str | None) -> None:
    """Explain the score of PARCEL_ID in the site PATH: one row per criterion.

    Shows each criterion's measure, raw value, transformed value (0-1), weight,
    contribution and share of the score, and the parcel's rank on that criterion.

    \b
    Example:
      landasset explain yunqi.gpkg --profile aerospace XH120101-08
    """
    import pandas as pd

    from landasset.cli.score import score_site
    from landasset.suitability import load_profile

    day = parse_date(as_of)
    model = load_profile(profile)
    site = load_site(path)
    require_parcel(site.parcels.index, parcel_id)
    result = score_site(model, site, path, day)
    table = model.explain(result, parcel_id)
    facts = table.attrs
    rank = "not ranked" if facts.get("rank") is None else f"rank {facts['rank']}"
    why = f", excluded by {facts['excluded_by']}" if facts.get("excluded_by") else ""
    click.echo(
        f"{parcel_id}: score {facts['score']:.3f}, {rank}{why} ({model.name}, {model.method})"
    )
    shown = table.drop(columns=[c for c in ("transform",) if c in table.columns])
    with pd.option_context("display.width", 200, "display.max_colwidth", 48):
        echo_table(shown.round(3))


def require_parcel(index: object, parcel_id: str) -> None:
    """Refuse an unknown parcel id, suggesting close ones."""
    import difflib

    ids = [str(i) for i in index]  # type: ignore[attr-defined]
    if parcel_id in ids:
        return
    close = difflib.get_close_matches(parcel_id, ids, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise InputError(f"no parcel {parcel_id!r} in the site ({len(ids)} parcels){hint}")
