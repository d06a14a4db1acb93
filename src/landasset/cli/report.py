"""``landasset report``: one self-contained HTML report of a district."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import click

from landasset.cli._common import (
    InputError,
    as_of_option,
    input_path,
    load_model,
    load_site,
    note,
    overwrite_option,
    parse_date,
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

    The lifecycle sections use the ledger in PATH when it has one (else the parcels'
    stage column). The page is self-contained: maps are embedded, nothing is
    loaded from elsewhere.

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

    from landasset.cli._common import has_ledger
    from landasset.lifecycle import Ledger
    from landasset.viz.html_report import report as write_report

    if output.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"{output.name} is not an .html file; name the report *.html")
    if output.exists() and not overwrite:
        raise InputError(f"{output} exists; pass --overwrite to replace it")
    if not output.parent.is_dir():
        raise InputError(f"folder {output.parent} does not exist; create it first")
    day = parse_date(as_of)
    model = load_model(profile) if profile is not None else None
    site = load_site(path)
    evaluation = None
    if year is not None:
        from landasset.efficiency import Scheme, evaluate, load_scheme

        chosen = (
            Scheme.from_yaml(Path(scheme))
            if Path(scheme).suffix.lower() in (".yaml", ".yml")
            else load_scheme(scheme)
        )
        buildings = site.buildings if "buildings" in site else None
        evaluation = evaluate(
            site.enterprises, site.parcels, year=year, scheme=chosen, buildings=buildings
        )
    tmp = output.with_name(f".{output.stem}.{uuid.uuid4().hex[:12]}.tmp{output.suffix}")
    with contextlib.ExitStack() as stack:
        ledger = None
        if has_ledger(path):
            ledger = stack.enter_context(Ledger.open(path, read_only=True))
        elif "stage" in site.parcels.columns:
            ledger = site.parcels["stage"]
        try:
            write_report(
                site,
                model=model,
                ledger=ledger,
                evaluation=evaluation,
                as_of=day,
                path=tmp,
                title=title,
                top=top,
            )
            os.replace(tmp, output)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
    note(f"wrote {output}")
