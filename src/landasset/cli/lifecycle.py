"""``landasset lifecycle``: record lifecycle events and report on the pipeline.

The ledger is an append-only event table inside the site's GeoPackage
(:class:`landasset.lifecycle.Ledger`). ``record`` and ``import`` write to it (all or
nothing); ``status``, ``history``, ``kpi``, ``idle`` and ``compliance`` only read it.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from landasset._stages import STAGE_IDS
from landasset.cli._common import (
    ISO_DATE,
    InputError,
    as_of_option,
    check_output,
    echo_table,
    input_path,
    log,
    note,
    output_layer_option,
    output_option,
    overwrite_option,
    parse_date,
    write_output,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from landasset.lifecycle import Ledger

STAGES = STAGE_IDS


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user database
        return "landasset"


actor_option = click.option(
    "--actor",
    default=_default_actor,
    show_default="your user name",
    help="Who records the events.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def lifecycle() -> None:
    """Parcel lifecycle: record events, see stages, KPIs, idle land and contracts.

    Stages: planned → acquiring → reserved → supply_ready → supplied → permitted →
    under_construction → completed → operating → renewal (→ retired).
    """


# -- writing -------------------------------------------------------------------------------


@lifecycle.command()
@input_path
@click.argument("parcel_id")
@click.option("--to", "stage", type=click.Choice(STAGES), required=True, help="The stage entered.")
@click.option("--on", "day", type=ISO_DATE, required=True, help="The day (YYYY-MM-DD).")
@click.option(
    "--set",
    "fields",
    multiple=True,
    metavar="KEY=VALUE",
    help="Event data, repeatable: the fields the move needs (contract_id, mode, "
    "price_10k_cny, agreed_start, ...) and any others.",
)
@actor_option
def record(
    path: Path, parcel_id: str, stage: str, day: str, fields: Sequence[str], actor: str
) -> None:
    """Record that PARCEL_ID entered a stage on a day, in the ledger of PATH.

    The move is checked against the transition table: an illegal move or a missing
    required field is refused (exit 2) and nothing is written.

    \b
    Example:
      landasset lifecycle record yunqi.gpkg XH120101-08 --to supply_ready \\
          --on 2026-03-01 --set land_use=M0 --set far_min=1.5 --set far_max=3.0
    """
    data = _parse_fields(fields)
    when = parse_date(day, option="--on")
    _require_parcels(path, [parcel_id])
    with _ledger(path, create=True) as ledger:
        event = ledger.record(parcel_id, stage, when.date(), actor=actor, **data)
    note(f"recorded event {event.event_id}: {parcel_id} → {stage} on {event.date}")


@lifecycle.command("import")
@input_path
@click.argument("events", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--encoding",
    default="utf-8-sig",
    show_default=True,
    help="Text encoding of the CSV (gbk for files saved by a Chinese Excel).",
)
@actor_option
def import_events(path: Path, events: Path, encoding: str, actor: str) -> None:
    """Record every event of the CSV file EVENTS in the ledger of PATH: all or nothing.

    Columns: parcel_id, stage, on (or date), optionally actor; every other column is
    event data (empty cells are left out). If any row is refused, nothing is recorded.

    \b
    Example:
      landasset lifecycle import yunqi.gpkg events.csv
    """
    from landasset.lifecycle import read_events_csv

    frame = read_events_csv(events, encoding=encoding, actor=actor)
    _require_parcels(path, frame["parcel_id"].tolist())
    with _ledger(path, create=True) as ledger:
        ids = ledger.record_many(frame)
    note(f"recorded {len(ids)} events from {events.name}")


# -- reading --------------------------------------------------------------------------------


@lifecycle.command()
@input_path
@as_of_option
@output_option(required=False, help="Also write the parcels with their stage to this file.")
@output_layer_option("stages")
@overwrite_option
def status(
    path: Path, as_of: str | None, output: Path | None, output_layer: str, overwrite: bool
) -> None:
    """The pipeline on a date: parcels and area (mu) in each stage.

    With -o, writes every parcel with its stage on that date (a GeoPackage opens in
    QGIS coloured by stage, labels in Chinese and English).

    \b
    Example:
      landasset lifecycle status yunqi.gpkg --as-of 2025-12-31 -o stages.gpkg
    """
    import geopandas as gpd

    from landasset.cli._common import load_site
    from landasset.lifecycle import pipeline

    if output is not None:
        check_output(output, overwrite=overwrite, layer=output_layer)
    day = parse_date(as_of)
    site = load_site(path)
    with _ledger(path) as ledger:
        table = pipeline(ledger, site, as_of=day)
        stages = ledger.stages(as_of=day)
    echo_table(table.round(1))
    if output is not None:
        parcels = site.parcels
        keep = [c for c in ("name", "land_use", "zone") if c in parcels.columns]
        layer = gpd.GeoDataFrame(
            parcels[[*keep, parcels.geometry.name]].assign(
                stage=stages.reindex(parcels.index).astype(object)
            ),
            geometry=parcels.geometry.name,
            crs=parcels.crs,
        )
        write_output(layer, output, layer=output_layer, overwrite=overwrite)


@lifecycle.command()
@input_path
@click.argument("parcel_id")
def history(path: Path, parcel_id: str) -> None:
    """Every event of PARCEL_ID, corrections included, in order.

    \b
    Example:
      landasset lifecycle history yunqi.gpkg XH120101-08
    """
    import pandas as pd

    with _ledger(path) as ledger:
        table = ledger.history(parcel_id)
    with pd.option_context("display.width", 200, "display.max_colwidth", 40):
        echo_table(table)


@lifecycle.command()
@input_path
@as_of_option
def kpi(path: Path, as_of: str | None) -> None:
    """Lifecycle KPIs: pipeline, time in each stage, low-efficiency land, late contracts.

    \b
    Example:
      landasset lifecycle kpi yunqi.gpkg --as-of 2025-12-31
    """
    import pandas as pd

    from landasset.cli._common import load_site
    from landasset.lifecycle import (
        duration_summary,
        late_against_contract,
        low_efficiency,
        pipeline,
    )

    day = parse_date(as_of)
    site = load_site(path)
    with _ledger(path) as ledger:
        tables = {
            "pipeline 储备—开发—运营": pipeline(ledger, site, as_of=day),
            "time in stage (days) 各阶段用时": duration_summary(ledger, as_of=day),
        }
        low = low_efficiency(ledger, site, as_of=day)
        late = late_against_contract(ledger, as_of=day)
    flags = [c for c in low.columns if low[c].dtype == bool]
    tables["low-efficiency land 低效用地"] = pd.DataFrame(
        {"parcels": [int(low[c].sum()) for c in flags]}, index=pd.Index(flags, name="category")
    )
    with pd.option_context("display.width", 200):
        for title, table in tables.items():
            click.echo(f"# {title}")
            echo_table(table.round(1))
            click.echo("")
    click.echo(f"# behind contract 合同履约: {len(late)} parcel(s)")


@lifecycle.command()
@input_path
@as_of_option
@output_option(required=False, help="Also write the parcels at risk (polygons) to this file.")
@output_layer_option("idle_land")
@overwrite_option
def idle(
    path: Path, as_of: str | None, output: Path | None, output_layer: str, overwrite: bool
) -> None:
    """Idle land: parcels near or past the idle-land thresholds.

    Both definitions of 闲置土地处置办法 §2 (column definition): not started one year
    past the agreed start, or started with less than 1/3 of the area developed or 25 %
    of the investment made and stopped for a year (from progress events). Then a fee of
    up to 20 % of the price is due; a year later the land may be repossessed (status
    warning / fee_due / repossessable).

    \b
    Example:
      landasset lifecycle idle yunqi.gpkg --as-of 2025-12-31
    """
    import geopandas as gpd
    import pandas as pd

    from landasset.lifecycle import idle_land

    if output is not None:
        check_output(output, overwrite=overwrite, layer=output_layer)
    day = parse_date(as_of)
    with _ledger(path) as ledger:
        table = idle_land(ledger, as_of=day)
    if table.empty:
        note("no parcel is near the idle-land thresholds")
    else:
        with pd.option_context("display.width", 200):
            echo_table(table)
    if output is not None:
        from landasset.io import read_layer

        parcels = read_layer(path, "parcels")
        at_risk = table.join(parcels[[parcels.geometry.name]], how="inner")
        layer = gpd.GeoDataFrame(at_risk, geometry=parcels.geometry.name, crs=parcels.crs)
        write_output(layer, output, layer=output_layer, overwrite=overwrite)


@lifecycle.command()
@input_path
@click.option("--year", type=int, required=True, help="The year judged (e.g. 2025).")
@click.option(
    "--scheme",
    default="zhejiang-2018",
    show_default=True,
    help="The per-mu scheme the enterprises are evaluated with (a bundled name or a .yaml).",
)
@click.option(
    "--all",
    "every_row",
    is_flag=True,
    help="Write every contract × commitment, not only the breached ones.",
)
@output_option(
    required=False,
    help="Write the rows to this file: .csv (a table) or a layer format (.gpkg, .parquet, "
    ".fgb, .geojson, .shp: parcel polygons).",
)
@output_layer_option("contract_compliance")
@overwrite_option
def compliance(
    path: Path,
    year: int,
    scheme: str,
    every_row: bool,
    output: Path | None,
    output_layer: str,
    overwrite: bool,
) -> None:
    """Supply contracts' commitments (标准地) against the enterprises' figures of YEAR.

    Evaluates the site's enterprises for YEAR, then compares each contract's
    investment, output, tax and energy commitments with its parcel's tenants from
    the contract's production year (达产) on: met or breached, the gap, the penalty the
    clause implies and the enterprises that carry the duty (浙江省土地管理条例 §35).

    \b
    Example:
      landasset lifecycle compliance yunqi.gpkg --year 2025 -o breaches.csv
    """
    import geopandas as gpd
    import pandas as pd

    from landasset.cli._common import load_site
    from landasset.efficiency import evaluate, load_scheme
    from landasset.lifecycle import contract_compliance

    csv = output is not None and output.suffix.lower() == ".csv"
    if output is not None:
        if csv:
            if output.exists() and not overwrite:
                raise InputError(f"{output} exists; add --overwrite to replace it")
        else:
            check_output(output, overwrite=overwrite, layer=output_layer)
    site = load_site(path)
    buildings = site.buildings if "buildings" in site else None
    evaluation = evaluate(
        site.enterprises, site.parcels, year=year, scheme=load_scheme(scheme), buildings=buildings
    )
    with _ledger(path) as ledger:
        table = contract_compliance(ledger, evaluation, year=year)
    counts = table["status"].value_counts().rename("rows").to_frame()
    counts.index.name = "status"
    if table.empty:
        note(f"no contract with commitments is under way in {year}")
    else:
        echo_table(counts)
    rows = table if every_row else table[table["status"] == "breached"]
    if output is None:
        return
    if csv:
        import os
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
        os.close(fd)
        try:
            rows.to_csv(tmp, index=False, encoding="utf-8")
            os.replace(tmp, output)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        note(f"wrote {output}")
        return
    parcels = site.parcels
    joined = rows.join(parcels[[parcels.geometry.name]], on="parcel_id", how="inner")
    layer = gpd.GeoDataFrame(pd.DataFrame(joined), geometry=parcels.geometry.name, crs=parcels.crs)
    write_output(layer, output, layer=output_layer, overwrite=overwrite)


# -- helpers --------------------------------------------------------------------------------


@contextmanager
def _ledger(path: Path, *, create: bool = False) -> Iterator[Ledger]:
    from landasset.io import format_for
    from landasset.lifecycle import Ledger

    if format_for(path) != "GPKG":
        raise InputError(f"{path.name} is not a GeoPackage; the ledger lives in the site's .gpkg")
    # the commands that only read open the file read-only: nothing in it changes, and
    # a file without a ledger is refused by Ledger.open
    ledger = Ledger.open(path, read_only=not create)
    try:
        yield ledger
    finally:
        ledger.close()


def _parse_fields(fields: Sequence[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item in fields:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(
                f"--set {item!r} is not KEY=VALUE, e.g. --set contract_id=3301-2024-007"
            )
        if key in data:
            raise InputError(f"--set {key} is given twice")
        data[key] = value.strip()
    return data


def _require_parcels(path: Path, parcel_ids: Sequence[str]) -> None:
    """Refuse parcel ids that the site's parcel layer does not have (when it has one)."""
    import difflib

    import pandas as pd

    from landasset.io import list_layers, read_layer

    if "parcels" not in list_layers(path):
        log.info("%s has no parcels layer; parcel ids are not checked", path.name)
        return
    known = set(read_layer(path, layer="parcels")["parcel_id"].astype(str))
    ids = pd.Series(parcel_ids, dtype=object)
    unknown = sorted({str(p) for p in ids.dropna() if str(p) not in known})
    if ids.isna().any():
        raise InputError("an event has no parcel_id")
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
        raise InputError(
            f"no parcel {unknown[0]!r}{hint}{more} in the parcels layer of {path.name}; "
            "nothing was recorded"
        )
