"""Exit codes: input errors 2, usage errors 2, defects 1; and inputs that used to crash."""

from __future__ import annotations

import re
import sys

import pytest

from landasset import LandassetIOError, SchemaError
from landasset.cli import cli


def _fail_with(monkeypatch, target: str, exc: BaseException) -> None:
    def broken(*args, **kwargs):
        raise exc

    monkeypatch.setattr(target, broken)


@pytest.mark.parametrize(
    "exc",
    [
        RuntimeError("the tile cache is corrupt"),
        ValueError("operands could not be broadcast together"),
        KeyError("geometry"),
        OSError(5, "Input/output error"),
        AttributeError("'Series' object has no attribute 'stages'"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_any_other_exception_is_a_defect_exit_one(run, site_gpkg, monkeypatch, exc):
    _fail_with(monkeypatch, "landasset.io.list_layers", exc)
    quiet = run("info", site_gpkg)
    assert quiet.exit_code == 1
    lines = quiet.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in quiet.stderr
    assert lines[0].startswith(f"Error: unexpected error, please report: {type(exc).__name__}: "), (
        lines[0]
    )
    assert lines[0].endswith("(run with -v for the traceback)")
    assert "input error" not in lines[0]

    loud = run("info", site_gpkg, "-v")
    assert loud.exit_code == 1
    assert "Traceback (most recent call last)" in loud.stderr
    assert "in broken" in loud.stderr  # the frame that raised
    last = loud.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: unexpected error, please report: ")
    assert "run with -v" not in last


@pytest.mark.parametrize(
    "exc",
    [
        LandassetIOError("cannot open yunqi.gpkg: not a GeoPackage; convert it first"),
        SchemaError("parcels: 3 rows have no geometry; drop or fix them"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_landasset_errors_are_input_errors_exit_two(run, site_gpkg, monkeypatch, exc):
    _fail_with(monkeypatch, "landasset.io.list_layers", exc)
    result = run("info", site_gpkg)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: input error: {exc}"
    loud = run("-v", "info", site_gpkg)
    assert loud.exit_code == 2 and "Traceback" in loud.stderr
    assert loud.stderr.strip().splitlines()[-1] == f"Error: input error: {exc}"


def test_usage_errors_exit_two_pointing_to_help(run, site_gpkg):
    result = run("info", site_gpkg, "--no-such-option")
    assert result.exit_code == 2
    # CliRunner names the program after the group's function ("cli")
    assert re.fullmatch(
        r"Error: No such option '--no-such-option'\. \(see '\w+ info --help'\)",
        result.stderr.strip(),
    ), result.stderr
    missing = run("lifecycle", "record", site_gpkg, "XH120101-08", "--on", "2026-03-01")
    assert missing.exit_code == 2
    assert "Missing option '--to'" in missing.stderr


def test_a_missing_extra_is_named_not_reported_as_a_defect(run, site_gpkg, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    result = run("report", site_gpkg, "-o", tmp_path / "r.html")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("pip install 'landasset[viz]'")
    assert "please report" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_info_on_a_geopackage_without_feature_layers_says_so(run, tmp_path, one_line_error):
    from landasset.lifecycle import Ledger

    path = tmp_path / "ledger_only.gpkg"
    with Ledger.open(path):
        pass
    line = one_line_error(run("info", path), contains="ledger_only.gpkg has no feature layer")
    assert "(it holds only: lifecycle ledger: 0 events)" in line
    assert "landasset convert" in line


def test_report_year_without_a_ledger(run, tmp_path):
    from landasset.efficiency import evaluate, renewal_candidates
    from landasset.io import read_layer, write_layer
    from landasset.site import read_site

    site = tmp_path / "site.gpkg"
    assert run("sample", "yunqi", "-o", site, "--no-ledger").exit_code == 0
    district = read_site(site)
    expected = evaluate(
        district.enterprises, district.parcels, year=2025, buildings=district.buildings
    )
    graded = int(expected["grade"].notna().sum())
    # without a ledger, renewal candidates come from the parcels' stage column
    candidates = renewal_candidates(district, expected)
    assert graded > 0 and len(candidates) > 0

    # the parcels' stage column is not taken for a ledger (as by score and viz.report):
    # no lifecycle sections; the renewal candidates still read it, as the API's do
    with_stage = tmp_path / "with_stage.html"
    result = run("report", site, "-o", with_stage, "--year", 2025)
    assert result.exit_code == 0, result.stderr
    page = with_stage.read_text(encoding="utf-8")
    assert re.findall(r'<section id="(\w+)"', page) == ["summary", "efficiency"]
    assert f"{graded:,} enterprises graded" in page
    assert f"{len(candidates):,} candidates, {candidates['area_mu'].sum():,.1f} mu" in page

    # without a stage column either: no lifecycle sections, the grades still
    parcels = read_layer(site, "parcels")
    write_layer(parcels.drop(columns="stage"), site, layer="parcels", overwrite=True)
    assert "stage" not in read_layer(site, "parcels").columns
    without = tmp_path / "without.html"
    result = run("report", site, "-o", without, "--year", 2025, "--as-of", "2025-12-31")
    assert result.exit_code == 0, result.stderr
    page = without.read_text(encoding="utf-8")
    assert re.findall(r'<section id="(\w+)"', page) == ["summary", "efficiency"]
    assert f"{graded:,} enterprises graded" in page


BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)


def test_hostile_configuration_files_are_input_errors(
    run, site_gpkg, tmp_path, one_line_error, files_in
):
    from landasset.suitability import load_profile

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    deep = tmp_path / "deep.yaml"
    deep.write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes(load_profile("ai").to_yaml().replace("ai", "人工智能", 1).encode("gbk"))
    before = files_in(tmp_path)
    out = tmp_path / "out.gpkg"
    cases = [
        (
            ["score", site_gpkg, "-p", bomb, "-o", out],
            "profile file 'bomb.yaml', line 1: anchors and aliases",
        ),
        (
            ["score", site_gpkg, "-p", deep, "-o", out],
            "profile file 'deep.yaml', line 1: nested more than 64 levels",
        ),
        (["score", site_gpkg, "-p", gbk, "-o", out], "profile file 'gbk.yaml' is not UTF-8"),
        (["efficiency", site_gpkg, "--year", 2025, "--scheme", bomb, "-o", out], "aliases"),
        (["efficiency", site_gpkg, "--year", 2025, "--scheme", gbk, "-o", out], "UTF-8"),
    ]
    for args, reason in cases:
        line = one_line_error(run(*args), contains=reason)
        assert line.startswith("Error: input error: ")
    assert files_in(tmp_path) == before


def test_the_group_is_the_entry_point():
    from landasset.cli._common import LandassetGroup

    assert isinstance(cli, LandassetGroup)
