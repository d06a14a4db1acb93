"""Bad input: every failure exits non-zero with one line on stderr and leaves no file."""

from __future__ import annotations

import pytest

OUT = "out.gpkg"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["score", "{missing}", "-p", "aerospace", "-o", "{out}"], "does not exist"),
        (["score", "{site}", "-p", "aerospace", "-o", "{tmp}/out.xlsx"], "cannot tell the format"),
        (
            ["score", "{site}", "-p", "nonesuch", "-o", "{out}"],
            "'nonesuch' is not a bundled profile",
        ),
        (["score", "{site}", "-p", "{tmp}/none.yaml", "-o", "{out}"], "profile file"),
        (["score", "{site}", "-p", "aerospace", "-o", "{out}", "--as-of", "soon"], "is not a date"),
        (["score", "{site}", "-o", "{out}"], "Missing option '-p'"),
        (["score", "{tmp}/x.txt", "-p", "ai", "-o", "{out}"], "cannot tell the format"),
        (["explain", "{site}", "-p", "aerospace", "XH120101-8"], "no parcel 'XH120101-8'"),
        (["assemble", "{site}", "-p", "ai", "--demand-mu", "-5"], "-5"),
        (["best-fit", "{site}", "--profiles", "ai,nope", "-o", "{out}"], "'nope'"),
        (["efficiency", "{site}", "--year", "2025", "-o", "{tmp}/e.csv"], "read, not written"),
        (["info", "{missing}"], "does not exist"),
        (["validate", "{site}", "--kind", "roads"], "'roads' is not a layer kind"),
        (["sample", "atlantis", "-o", "{out}"], "'atlantis' is not a sample district"),
        (["convert", "{missing}", "{out}"], "does not exist"),
    ],
)
def test_bad_input_exits_two_with_one_line(
    run, site_gpkg, tmp_path, one_line_error, files_in, args, reason
):
    (tmp_path / "x.txt").write_text("not a layer")
    before = files_in(tmp_path)
    values = {
        "site": str(site_gpkg),
        "missing": str(tmp_path / "missing.gpkg"),
        "out": str(tmp_path / OUT),
        "tmp": str(tmp_path),
    }
    result = run(*[a.format(**values) for a in args])
    one_line_error(result, contains=reason)
    assert files_in(tmp_path) == before  # no output, no temporary left behind


def test_failed_write_leaves_no_partial_file(
    run, site_gpkg, tmp_path, monkeypatch, one_line_error, files_in
):
    import landasset.io as lio

    def broken(*args, **kwargs):
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(lio, "_ogr_write", broken)
    for suffix in (".gpkg", ".shp", ".fgb"):
        result = run("score", site_gpkg, "-p", "ai", "-o", tmp_path / f"scored{suffix}")
        one_line_error(result, contains="disk full")
    assert files_in(tmp_path) == []


def test_unexpected_errors_exit_one_and_verbose_shows_the_traceback(run, site_gpkg, monkeypatch):
    import landasset.cli.profiles as command

    def boom() -> list[str]:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("landasset.suitability.list_profiles", boom)
    quiet = run("profiles")
    assert quiet.exit_code == 1
    assert quiet.stderr.strip() == (
        "Error: unexpected error, please report: ZeroDivisionError: division by zero "
        "(run with -v for the traceback)"
    )
    loud = run("-v", "profiles")
    assert loud.exit_code == 1 and "Traceback" in loud.stderr and "boom" in loud.stderr
    assert command.profiles is not None


def test_warnings_go_to_stderr_as_one_line_each(run, site_gpkg, tmp_path):
    # a profile that reads a column empty on some parcels (far_min) warns; the command goes on
    from landasset.suitability import load_profile

    profile = load_profile("ai").to_dict()
    profile["criteria"][0]["measure"] = {"measure": "attribute", "column": "far_min"}
    import yaml

    path = tmp_path / "gappy.yaml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    result = run("score", site_gpkg, "-p", path, "-o", tmp_path / "s.gpkg", "--top", "1")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings and all("\n" not in w for w in warnings)
    silent = run("-q", "score", site_gpkg, "-p", path, "-o", tmp_path / "t.gpkg", "--top", "1")
    assert silent.stderr == ""
