"""docs/cli.md documents every command, every alias and every Shapefile name; its CSV imports."""

from __future__ import annotations

import re
from pathlib import Path

from landasset.cli import cli
from landasset.io import SHAPEFILE_NAMES
from landasset.styles import ALIASES

DOC = Path(__file__).parents[2] / "docs" / "cli.md"


def test_every_command_has_a_section_with_an_example():
    text = DOC.read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"### `{name}`" in text, name
        assert f"landasset {name} " in text or f"landasset {name}\n" in text, name
    for sub in ("record", "import", "status", "history", "kpi", "idle"):
        assert f"landasset lifecycle {sub} " in text, sub


def test_alias_and_shapefile_tables_are_complete():
    text = DOC.read_text(encoding="utf-8")
    for column, alias in ALIASES.items():
        assert f"| `{column}` | {alias} |" in text, column
    for column, short in SHAPEFILE_NAMES.items():
        assert f"| `{column}` | `{short}` |" in text, column


def test_the_documented_events_csv_imports(run, site_copy, tmp_path):
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```text\n(parcel_id,stage,on,.*?)```", text, re.S)
    assert block is not None
    csv = tmp_path / "events.csv"
    csv.write_text(block.group(1), encoding="utf-8")
    result = run("lifecycle", "import", site_copy, csv)
    assert result.exit_code == 0, result.output
    history = run("lifecycle", "history", site_copy, "XH120101-08").stdout
    assert "supplied" in history.splitlines()[-1]
