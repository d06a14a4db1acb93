"""``landasset efficiency``: per-mu efficiency grades (亩均效益评价) of tenants and parcels."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import (
    check_output,
    echo_table,
    input_path,
    load_site,
    note,
    output_layer_option,
    output_option,
    overwrite_option,
    write_output,
)

BY = ("enterprise", "parcel")


@click.command()
@input_path
@click.option("--year", type=int, required=True, help="The year evaluated (e.g. 2025).")
@click.option(
    "--scheme",
    default="zhejiang-2018",
    show_default=True,
    help=(
        "A bundled scheme: zhejiang-2018 (above-scale industrial firms), "
        "zhejiang-2018-small (small industrial firms), zhejiang-2018-services "
        "(services firms), huangyan-2023; or a scheme .yaml file. Firms outside the "
        "scheme's scope are written ungraded, with the reason."
    ),
)
@click.option(
    "--by",
    type=click.Choice(BY),
    default="enterprise",
    show_default=True,
    help="Write one row per enterprise (points) or per parcel (polygons, land-weighted).",
)
@output_option()
@output_layer_option("efficiency")
@overwrite_option
def efficiency(
    path: Path,
    year: int,
    scheme: str,
    by: str,
    output: Path,
    output_layer: str,
    overwrite: bool,
) -> None:
    """Grade the enterprises of the site PATH A-D by per-mu efficiency for YEAR.

    Writes the indicators (tax per mu, value added per mu, ...), their points, the
    score, rank and grade; --by parcel writes the land-weighted parcel figures with the
    tenants' worst grade. A GeoPackage output opens in QGIS coloured by grade.

    Each scheme grades the firms in its scope (industry codes, land use, above-scale
    or small); run it once per scheme to grade industrial and services firms.

    \b
    Examples:
      landasset efficiency yunqi.gpkg --year 2025 -o grades.gpkg
      landasset efficiency yunqi.gpkg --year 2025 --scheme zhejiang-2018-services -o services.gpkg
    """
    from landasset.efficiency import by_parcel, evaluate, load_scheme, with_geometry

    check_output(output, overwrite=overwrite, layer=output_layer)
    chosen = load_scheme(scheme)
    site = load_site(path)
    buildings = site.buildings if "buildings" in site else None
    graded = evaluate(site.enterprises, site.parcels, year=year, scheme=chosen, buildings=buildings)
    if by == "enterprise":
        layer = with_geometry(graded, site.enterprises, keep=())
    else:
        layer = with_geometry(by_parcel(graded, site.parcels), site.parcels)
    write_output(layer, output, layer=output_layer, overwrite=overwrite)
    grades = graded["grade"].value_counts().reindex(list(chosen.grades), fill_value=0)
    summary = grades.rename("enterprises").to_frame()
    summary.index.name = "grade"
    echo_table(summary)
    ungraded = int(graded["grade"].isna().sum())
    outside = int((~graded["in_scope"]).sum())
    if outside:
        note(
            f"{outside} enterprise(s) outside the scope of {chosen.name} "
            f"({chosen.scope.describe()}): not graded"
        )
    if ungraded > outside:
        note(f"{ungraded - outside} enterprise(s) in scope not graded (see the reasons column)")
