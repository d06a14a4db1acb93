"""``landasset score``: score every parcel of a site for an industry profile."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from landasset.cli._common import (
    as_of_option,
    check_output,
    echo_table,
    input_path,
    load_model,
    load_site,
    output_layer_option,
    output_option,
    overwrite_option,
    parse_date,
    profile_option,
    progress,
    write_output,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd
    import pandas as pd

    from landasset.site import Site
    from landasset.suitability import SuitabilityModel

#: Columns shown for each parcel in the printed tables, when the layer has them.
SHOWN = ("rank", "score", "name", "land_use", "zone", "eligible", "excluded_by")


@click.command()
@input_path
@profile_option
@output_option()
@output_layer_option("parcels")
@as_of_option
@click.option(
    "--top",
    "top",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Print the N best parcels (0: none).",
)
@overwrite_option
def score(
    path: Path,
    profile: str,
    output: Path,
    output_layer: str,
    as_of: str | None,
    top: int,
    overwrite: bool,
) -> None:
    """Score the parcels of the site PATH (.gpkg) for a profile; write them to OUTPUT.

    The output holds every parcel with score (0-1), rank, eligible, excluded_by,
    and per criterion its raw measure (m_), transformed value (v_) and contribution
    (c_). A GeoPackage output opens in QGIS styled by score, with Chinese aliases.

    \b
    Example:
      landasset score yunqi.gpkg --profile aerospace -o scored.gpkg --top 5
    """
    check_output(output, overwrite=overwrite, layer=output_layer)
    day = parse_date(as_of)
    model = load_model(profile)
    site = load_site(path)
    result = score_site(model, site, path, day)
    write_output(result, output, layer=output_layer, overwrite=overwrite)
    if top:
        echo_table(top_table(result, top))


def score_site(model: SuitabilityModel, site: Site, path: Path, as_of: Any) -> gpd.GeoDataFrame:
    """Score through :meth:`~landasset.suitability.SuitabilityModel.score` (progress on stderr).

    The stages come from the lifecycle ledger in the site file, when it has one (read
    on ``as_of``): stage rules read them and retired parcels are left out, as the
    Python API does with ``stages=ledger``. Without a ledger no stages are given, and
    a profile with a stage rule is refused by the library, with everything else the
    site lacks. The measures are computed in one call; the bar advances one step per
    measure.
    """
    stages = ledger_stages(path, as_of)
    steps = len(model.measure_specs())
    with progress(steps, f"measures ({model.name})") as advance:
        return model.score(site, as_of=as_of, stages=stages, progress=lambda label: advance(1))


def ledger_stages(path: Path, as_of: Any) -> pd.Series | None:
    """The stages in the file's lifecycle ledger on ``as_of`` (None without a ledger)."""
    from landasset.cli._common import has_ledger

    if not has_ledger(path):
        return None
    from landasset.lifecycle import Ledger

    with Ledger.open(path, read_only=True) as ledger:
        stages: pd.Series = ledger.stages(as_of)
    return stages


def top_table(result: Any, n: int) -> Any:
    """The ``n`` best ranked parcels, a few readable columns."""
    ranked = result[result["rank"].notna()].sort_values(["rank", "score"], ascending=[True, False])
    shown = [c for c in SHOWN if c in ranked.columns and c not in ("eligible", "excluded_by")]
    table = ranked.head(n)[shown].copy()
    table["score"] = table["score"].round(3)
    return table
