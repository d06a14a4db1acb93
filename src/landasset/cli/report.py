"""``landasset report``: one self-contained HTML report of a district."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import (
    as_of_option,
    input_path,
    load_site,
    note,
    overwrite_option,
    parse_date,
    site_ledger,
)


@click.command()
@input_path
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The .html file to write.",
)
@click.option(
    "-p",
    "--profile",
    default=None,
    help="Add the suitability sections for this profile (name or .yaml file).",
)
@click.option(
    "--year",
    type=int,
    default=None,
    help="Add the per-mu efficiency sections for this year.",
)
@click.option(
    "--scheme",
    default="zhejiang-2018",
    show_default=True,
    help="Efficiency scheme (with --year).",
)
@as_of_option
@click.option("--title", default=None, help="Report title.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True)
@overwrite_option
def report(
    path: Path,
    output: Path,
    profile: str | None,
    year: int | None,
    scheme: str,
    as_of: str | None,
    title: str | None,
    top: int,
    overwrite: bool,
) -> None:
    """Write an HTML report of the site PATH: summary, scores, lifecycle, grades.

    The lifecycle sections use the ledger in PATH when it has one (as `score` does,
    the parcels' stage column is not read). The page is self-contained: maps are
    embedded, nothing is loaded from elsewhere.

    \b
    Example:
      landasset report yunqi.gpkg -o report.html --profile aerospace --year 2025
    """
    try:
        import matplotlib
    except ImportError:
        raise click.ClickException(
            "landasset report draws its maps with matplotlib, which is not installed; "
            "install the viz extra: pip install 'landasset[viz]'"
        ) from None
    matplotlib.use("Agg")

    from landasset.efficiency import evaluate
    from landasset.suitability import load_profile
    from landasset.viz import report as write_report

    day = parse_date(as_of)
    model = load_profile(profile) if profile is not None else None
    site = load_site(path)
    evaluation = None
    if year is not None:
        buildings = site.buildings if "buildings" in site else None
        evaluation = evaluate(
            site.enterprises, site.parcels, year=year, scheme=scheme, buildings=buildings
        )
    with site_ledger(path) as ledger:
        write_report(
            site,
            model=model,
            ledger=ledger,
            evaluation=evaluation,
            as_of=day,
            path=output,
            title=title,
            top_k=top,
            overwrite=overwrite,
        )
    note(f"wrote {output}")
