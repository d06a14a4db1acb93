"""``landasset score``: score every parcel of a site for an industry profile."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from landasset.cli._common import (
    InputError,
    as_of_option,
    check_output,
    echo_table,
    load_site,
    note,
    output_layer_option,
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

#: ``--workers N``: processes that measure partitions of the parcels (shared by
#: score, best-fit and sensitivity).
workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that measure partitions of the parcels side by side (default: the "
    "CPUs available; the result does not depend on it). For a folder of partitions: "
    "the worker processes of a local dask cluster.",
)

#: Columns shown for each parcel in the printed tables, when the layer has them.
SHOWN = ("rank", "score", "name", "land_use", "zone", "eligible", "excluded_by")


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@profile_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write; the format follows the extension (.gpkg, .parquet, .fgb, "
    ".geojson, .shp). For a folder of partitions: a folder, written as GeoParquet "
    "partitions.",
)
@output_layer_option("parcels")
@as_of_option
@workers_option
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="For a folder of partitions: the dask scheduler to run on (tcp://host:8786); "
    "default: a local cluster of --workers processes.",
)
@click.option(
    "--site",
    "site_path",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="For a folder of partitions: the site file (.gpkg) whose layers the measures "
    "read (streets, stations, amenities ...); it must cover every parcel. A folder of "
    "GeoParquet context layers (streets/*.parquet or streets.parquet ...) is read a "
    "window per partition, never whole (for a city whose context does not fit a worker).",
)
@click.option(
    "--margin",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="METRES",
    help="With a --site folder: metres around a partition that its window of the context "
    "reaches first (default: the profile's largest radius, at least 2,000); a parcel whose "
    "value needs more is measured again in a wider window.",
)
@click.option(
    "--shuffle/--no-shuffle",
    default=False,
    show_default=True,
    help="For a folder of partitions: shuffle the parcels into spatially compact "
    "partitions first (leave off for partitions written compact).",
)
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
    workers: int | None,
    scheduler: str | None,
    site_path: Path | None,
    margin: float | None,
    shuffle: bool,
    top: int,
    overwrite: bool,
) -> None:
    """Score the parcels of the site PATH (.gpkg) for a profile; write them to OUTPUT.

    PATH may also be a folder of GeoParquet partitions of the parcels: they are then
    scored on a dask cluster (--scheduler, or a local one of --workers processes)
    against the layers of the --site file, and written to the folder OUTPUT as
    GeoParquet 1.1 partitions (needs the scale extra). A --site folder of GeoParquet
    context layers is read a window around each partition (--margin), so no process
    holds a whole layer; the scores are the same to the bit.

    The output holds every parcel with score (0-1), rank, eligible, excluded_by,
    and per criterion its raw measure (m_), transformed value (v_) and contribution
    (c_). A GeoPackage output opens in QGIS styled by score, with Chinese aliases.

    \b
    Examples:
      landasset score yunqi.gpkg --profile aerospace -o scored.gpkg --top 5
      landasset score parts/ --site province.gpkg --profile aerospace -o out/ \
        --scheduler tcp://host:8786
      landasset score city/parts/ --site city/context/ --profile aerospace -o out/
    """
    from landasset.suitability import load_profile

    if path.is_dir():
        score_partitions(
            path, profile, output, as_of, workers, scheduler, site_path, shuffle, overwrite,
            margin=margin,
        )  # fmt: skip
        return
    for given, flag in (
        (scheduler, "--scheduler"),
        (site_path, "--site"),
        (shuffle, "--shuffle"),
        (margin, "--margin"),
    ):
        if given:
            raise InputError(f"{flag} is for a folder of partitions; PATH is a file")
    check_output(output, overwrite=overwrite, layer=output_layer)
    day = parse_date(as_of)
    model = load_profile(profile)
    site = load_site(path)
    result = score_site(model, site, path, day, workers=workers)
    write_output(result, output, layer=output_layer, overwrite=overwrite)
    if top:
        echo_table(top_table(result, top))


def score_partitions(
    path: Path,
    profile: str,
    output: Path,
    as_of: str | None,
    workers: int | None,
    scheduler: str | None,
    site_path: Path | None,
    shuffle: bool,
    overwrite: bool,
    *,
    margin: float | None = None,
) -> None:
    """Score a folder of GeoParquet partitions with :func:`landasset.scale.score`."""
    from landasset.suitability import load_profile

    if site_path is None:
        raise InputError(
            "a folder of partitions needs --site FILE: the site whose layers the measures "
            "read (or a folder of its layers as GeoParquet)"
        )
    if margin is not None and not site_path.is_dir():
        raise InputError("--margin is for a --site folder of context layers; --site is a file")
    if scheduler is not None and workers is not None:
        raise InputError("give --scheduler (an existing cluster) or --workers (a local one)")
    if output.suffix:
        raise InputError(
            f"{output} looks like a file; the output of a folder of partitions is a folder"
        )
    try:
        import distributed

        from landasset import scale
    except ImportError as exc:
        raise InputError("scoring partitions needs dask: pip install 'landasset[scale]'") from exc
    day = parse_date(as_of)
    model = load_profile(profile)
    site: Any = site_path if site_path.is_dir() else load_site(site_path)
    note(f"scoring {len(scale.partition_files(path))} partitions ...")
    client = distributed.Client(scheduler) if scheduler is not None else None
    try:
        files = scale.score(
            path,
            site,
            model,
            as_of=day,
            client=client,
            workers=None if client is not None else (workers or 1),
            output=output,
            shuffle=shuffle,
            overwrite=overwrite,
            margin=margin,
        )
    finally:
        if client is not None:
            client.close()
    note(f"wrote {len(files)} partitions to {output}")


def score_site(
    model: SuitabilityModel, site: Site, path: Path, as_of: Any, *, workers: int | None = None
) -> gpd.GeoDataFrame:
    """Score through :meth:`~landasset.suitability.SuitabilityModel.score` (progress on stderr).

    The stages are the lifecycle ledger in the site file, when it has one
    (:func:`~landasset.cli._common.site_ledger`), read by the library on ``as_of``.
    The bar advances one step per measure.
    """
    steps = len(model.measure_specs())
    with site_ledger(path) as ledger, progress(steps, f"measures ({model.name})") as advance:
        return model.score(
            site,
            as_of=as_of,
            stages=ledger,
            progress=lambda label: advance(1),
            workers=workers,
        )


def top_table(result: Any, n: int) -> Any:
    """The ``n`` best ranked parcels, a few readable columns."""
    ranked = result[result["rank"].notna()].sort_values(["rank", "score"], ascending=[True, False])
    shown = [c for c in SHOWN if c in ranked.columns and c not in ("eligible", "excluded_by")]
    table = ranked.head(n)[shown].copy()
    table["score"] = table["score"].round(3)
    return table
