"""``landasset match``: a project's demand matched to land and vacant floor space."""

from __future__ import annotations

from pathlib import Path

import click

from landasset.cli._common import (
    ISO_DATE,
    check_output,
    echo_table,
    input_path,
    load_site,
    note,
    output_option,
    overwrite_option,
    parse_date,
    site_ledger,
)
from landasset.cli.score import workers_option


@click.command()
@click.argument("project")
@input_path
@output_option(help="The shortlist to write (.gpkg: styled, Chinese field aliases).")
@click.option(
    "--as-of",
    type=ISO_DATE,
    required=True,
    help="The day of the match (YYYY-MM-DD): stages are read on it.",
)
@click.option(
    "--report",
    "memo",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a one-page HTML memo of the best candidates (needs matplotlib).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Keep at most this many candidates (passing ones first, then the near-misses).",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Candidates shown in the memo.",
)
@workers_option
@overwrite_option
def match(
    project: str,
    path: Path,
    output: Path,
    as_of: str,
    memo: Path | None,
    limit: int,
    top: int,
    workers: int | None,
    overwrite: bool,
) -> None:
    """Match PROJECT (a project .yaml file or a bundled name) to the site PATH.

    Candidates are single parcels and assemblies of adjacent parcels in a reserve
    stage (read from the ledger in PATH) and vacant floor space in one building,
    each checked against every hard condition of the project, scored with its
    industry profile, dated and appraised. The shortlist is written to OUTPUT; the
    best are printed.

    \b
    Example:
      landasset match aerospace_plant.yaml yunqi.gpkg -o shortlist.gpkg \\
          --as-of 2025-12-31 --report memo.html
    """
    import pandas as pd

    from landasset.projects import load_project
    from landasset.projects import match as run

    check_output(output, overwrite=overwrite, layer="shortlist")
    if memo is not None:
        import importlib.util

        if importlib.util.find_spec("matplotlib") is None:
            raise click.ClickException(
                "landasset match --report draws its map with matplotlib, which is not "
                "installed; install the viz extra: pip install 'landasset[viz]'"
            )
        if memo.suffix.lower() not in (".html", ".htm"):
            raise click.BadParameter(f"{memo.name} is not an .html file", param_hint="'--report'")
        if memo.exists() and not overwrite:
            raise click.BadParameter(
                f"{memo} exists; pass --overwrite to replace it", param_hint="'--report'"
            )
    day = parse_date(as_of)
    wanted = load_project(Path(project) if Path(project).suffix else project)
    site = load_site(path)
    with site_ledger(path) as ledger:
        result = run(wanted, site, as_of=day, stages=ledger, limit=limit, workers=workers)
    offered = result.offered
    note(
        f"{offered['candidates']:,} candidates checked, {offered['passing']:,} pass every "
        f"condition; keeping {len(result)}"
    )
    shown = result.candidates[["rank", "kind", "passes", "score", "fit", "delivery_date", "failed"]]
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        echo_table(pd.DataFrame(shown).round({"score": 3, "fit": 3}))
    result.to_file(output, overwrite=overwrite)
    note(f"wrote {output} (layer shortlist)")
    if memo is not None:
        import matplotlib

        matplotlib.use("Agg")
        from landasset.viz import match_memo

        match_memo(result, site, memo, top_k=top, overwrite=overwrite)
        note(f"wrote {memo}")
