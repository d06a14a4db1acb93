"""lifecycle record / import / status / history / kpi / idle through the real entry point."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from landasset.io import read_layer
from landasset.lifecycle import EVENTS_TABLE, Ledger


def event_count(path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute(f"SELECT count(*) FROM {EVENTS_TABLE}").fetchone()[0])
    finally:
        con.close()


def test_record_a_legal_move_with_its_fields(run, site_copy):
    before = event_count(site_copy)
    result = run(
        "lifecycle", "record", site_copy, "XH120101-06", "--to", "supply_ready",
        "--on", "2026-03-01", "--set", "land_use=M0", "--set", "far_min=1.5",
        "--set", "far_max=3.0", "--actor", "土地科",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert event_count(site_copy) == before + 1
    with Ledger.open(site_copy) as ledger:
        assert ledger.stage("XH120101-06") == "supply_ready"
        last = ledger.history("XH120101-06").iloc[-1]
    assert last["actor"] == "土地科" and float(last["far_max"]) == 3.0


def test_record_refuses_illegal_moves_missing_fields_and_unknown_parcels(
    run, site_copy, one_line_error
):
    before = event_count(site_copy)
    illegal = run(
        "lifecycle", "record", site_copy, "XH120101-06", "--to", "operating", "--on", "2026-03-01"
    )
    one_line_error(illegal, contains="cannot go from 'reserved' to 'operating'")
    missing = run(
        "lifecycle",
        "record",
        site_copy,
        "XH120101-06",
        "--to",
        "supply_ready",
        "--on",
        "2026-03-01",
    )
    one_line_error(missing, contains="needs land_use, far_max")
    unknown = run(
        "lifecycle", "record", site_copy, "XH120101-8", "--to", "planned", "--on", "2026-03-01"
    )
    one_line_error(unknown, contains="no parcel 'XH120101-8' (did you mean XH120101-08")
    bad_set = run(
        "lifecycle",
        "record",
        site_copy,
        "XH120101-06",
        "--to",
        "retired",
        "--on",
        "2026-03-01",
        "--set",
        "reason",
    )
    one_line_error(bad_set, contains="is not KEY=VALUE")
    bad_stage = run(
        "lifecycle", "record", site_copy, "XH120101-06", "--to", "built", "--on", "2026-03-01"
    )
    one_line_error(bad_stage, contains="'built' is not one of")
    assert event_count(site_copy) == before


def _csv(tmp_path, rows: list[dict[str, str]], name: str = "events.csv"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


GOOD_ROWS = [
    {
        "parcel_id": "XH120101-06",
        "stage": "supply_ready",
        "on": "2026-03-01",
        "land_use": "M0",
        "far_max": "3.0",
    },
    {
        "parcel_id": "XH120101-07",
        "stage": "supply_ready",
        "on": "2026-03-02",
        "land_use": "M0",
        "far_max": "2.5",
    },
]


def test_import_records_all_rows(run, site_copy, tmp_path):
    before = event_count(site_copy)
    result = run("lifecycle", "import", site_copy, _csv(tmp_path, GOOD_ROWS))
    assert result.exit_code == 0, result.output
    assert event_count(site_copy) == before + 2
    with Ledger.open(site_copy) as ledger:
        assert ledger.stage("XH120101-07") == "supply_ready"


def test_import_with_one_bad_row_records_nothing(run, site_copy, tmp_path, one_line_error):
    before = event_count(site_copy)
    bad = [*GOOD_ROWS, {"parcel_id": "XH120101-10", "stage": "operating", "on": "2026-03-03"}]
    result = run("lifecycle", "import", site_copy, _csv(tmp_path, bad))
    message = one_line_error(result, contains="1 of 3 events refused, nothing was recorded")
    assert "line 4" in message or "row 4" in message
    assert event_count(site_copy) == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("parcel_id,stage\nXH120101-08,supply_ready\n", "has no column on"),
        ('parcel_id,stage,on\n"XH120101-08,supply_ready\n', "not a readable CSV"),
        ("", "not a readable CSV"),
        ("parcel_id,stage,on\n", "holds no events"),
        ("parcel_id,stage,on\nXH120101-08,supply_ready,not-a-date\n", "is not a date"),
        ("parcel_id,stage,on\nNOPE-1,planned,2026-01-01\n", "no parcel 'NOPE-1'"),
    ],
)
def test_malformed_csv_exits_two_and_records_nothing(
    run, site_copy, tmp_path, one_line_error, content, reason
):
    before = event_count(site_copy)
    path = tmp_path / "events.csv"
    path.write_text(content, encoding="utf-8")
    one_line_error(run("lifecycle", "import", site_copy, path), contains=reason)
    assert event_count(site_copy) == before


def test_import_reads_gbk_csv_when_told(run, site_copy, tmp_path, one_line_error):
    path = tmp_path / "gbk.csv"
    pd.DataFrame([{**GOOD_ROWS[0], "note": "规划条件已批复"}]).to_csv(
        path, index=False, encoding="gbk"
    )
    one_line_error(run("lifecycle", "import", site_copy, path), contains="--encoding gbk")
    assert run("lifecycle", "import", site_copy, path, "--encoding", "gbk").exit_code == 0
    with Ledger.open(site_copy) as ledger:
        assert ledger.history("XH120101-06").iloc[-1]["note"] == "规划条件已批复"


def test_status_prints_the_pipeline_and_writes_staged_parcels(run, site_gpkg, tmp_path):
    out = tmp_path / "stages.gpkg"
    result = run("lifecycle", "status", site_gpkg, "--as-of", "2025-12-31", "-o", out)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("operating"))
    assert row.split()[3] == "277"
    layer = read_layer(out)
    assert (layer["stage"] == "operating").sum() == 277
    from landasset.styles import read_layer_styles

    assert 'attr="stage"' in read_layer_styles(out).loc[0, "styleQML"]


def test_history_of_a_parcel(run, site_gpkg, one_line_error):
    result = run("lifecycle", "history", site_gpkg, "XH120101-08")
    assert result.exit_code == 0, result.output
    stages = [line.split()[2] for line in result.stdout.splitlines()[2:]]
    assert stages[:3] == ["planned", "acquiring", "reserved"]
    one_line_error(
        run("lifecycle", "history", site_gpkg, "XH999"), contains="no event for parcel 'XH999'"
    )


def test_kpi_and_idle(run, site_gpkg, tmp_path):
    kpi = run("lifecycle", "kpi", site_gpkg, "--as-of", "2025-12-31")
    assert kpi.exit_code == 0, kpi.output
    for title in ("# pipeline", "# time in stage", "# low-efficiency land", "# behind contract"):
        assert title in kpi.stdout
    out = tmp_path / "idle.gpkg"
    idle = run("lifecycle", "idle", site_gpkg, "--as-of", "2025-12-31", "-o", out)
    assert idle.exit_code == 0, idle.output
    layer = read_layer(out)
    assert set(layer["status"]) <= {"warning", "fee_due", "repossessable"}
    assert len(layer) == len(idle.stdout.strip().splitlines()) - 2


def test_reading_commands_need_a_ledger(run, tmp_path, one_line_error):
    bare = tmp_path / "bare.gpkg"
    assert run("sample", "-o", bare, "--no-ledger").exit_code == 0
    one_line_error(run("lifecycle", "status", bare), contains="holds no lifecycle ledger")
    from landasset.lifecycle import has_ledger

    assert not has_ledger(bare)  # reading did not create one


def test_light_stage_ids_are_the_lifecycle_stages():
    # the CLI and suitability rules use the import-free tuple so `landasset --help`
    # and suitability do not import the lifecycle package
    from landasset._stages import STAGE_IDS
    from landasset.cli.lifecycle import STAGES
    from landasset.lifecycle import Stage
    from landasset.suitability import LIFECYCLE_STAGES

    assert tuple(s.value for s in Stage) == STAGE_IDS == STAGES == LIFECYCLE_STAGES
