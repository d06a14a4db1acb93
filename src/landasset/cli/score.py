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
    load_site,
    output_layer_option,
    output_option,
    overwrite_option,
    parse_date,
    profile_option,
    progress,
    site_ledger,
    write_output,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd

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
    from landasset.suitability import load_profile

    check_output(output, overwrite=overwrite, layer=output_layer)
    day = parse_date(as_of)
    model = load_profile(profile)
    site = load_site(path)
    result = score_site(model, site, path, day)
    write_output(result, output, layer=output_layer, overwrite=overwrite)
    if top:
        echo_table(top_table(result, top))


def score_site(model: SuitabilityModel, site: Site, path: Path, as_of: Any) -> gpd.GeoDataFrame:
    """Score through :meth:`~landasset.suitability.SuitabilityModel.score` (progress on stderr).

    The stages are the lifecycle ledger in the site file, when it has one
    (:func:`~landasset.cli._common.site_ledger`), read by the library on ``as_of``.
    The bar advances one step per measure.
    """
    steps = len(model.measure_specs())
    with site_ledger(path) as ledger, progress(steps, f"measures ({model.name})") as advance:
        return model.score(site, as_of=as_of, stages=ledger, progress=lambda label: advance(1))


def top_table(result: Any, n: int) -> Any:
    """The ``n`` best ranked parcels, a few readable columns."""
    ranked = result[result["rank"].notna()].sort_values(["rank", "score"], ascending=[True, False])
    shown = [c for c in SHOWN if c in ranked.columns and c not in ("eligible", "excluded_by")]
    table = ranked.head(n)[shown].copy()
    table["score"] = table["score"].round(3)
    return table
