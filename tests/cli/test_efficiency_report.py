"""efficiency and report through the real entry point."""

from __future__ import annotations

from landasset.io import read_layer
from landasset.styles import read_layer_styles


def test_efficiency_by_enterprise(run, site_gpkg, tmp_path):
    out = tmp_path / "grades.gpkg"
    result = run("efficiency", site_gpkg, "--year", 2025, "-o", out)
    assert result.exit_code == 0, result.output
    graded = read_layer(out)
    assert set(graded["grade"].dropna()) == {"A", "B", "C", "D"}
    assert graded.geom_type.eq("Point").all()
    counts = graded["grade"].value_counts()
    for grade in "ABCD":
        line = next(x for x in result.stdout.splitlines() if x.startswith(grade))
        assert int(line.split()[1]) == counts[grade]
    qml = read_layer_styles(out).loc[0, "styleQML"]
    assert 'attr="grade"' in qml and 'name="亩均效益综合得分"' in qml


def test_efficiency_by_parcel_and_scheme_file(run, site_gpkg, tmp_path, one_line_error):
    from landasset.efficiency import load_scheme

    scheme = tmp_path / "scheme.yaml"
    scheme.write_text(load_scheme("huangyan-2023").to_yaml(), encoding="utf-8")
    out = tmp_path / "parcels.gpkg"
    result = run(
        "efficiency", site_gpkg, "--year", 2025, "--scheme", scheme, "--by", "parcel", "-o", out
    )
    assert result.exit_code == 0, result.output
    layer = read_layer(out)
    assert (
        "worst_grade" in layer.columns and layer.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    )
    # the parcel's grade (the grade holding most of its land) drives the style
    assert 'attr="grade"' in read_layer_styles(out).loc[0, "styleQML"]
    one_line_error(
        run(
            "efficiency",
            site_gpkg,
            "--year",
            2025,
            "--scheme",
            "zhejiang",
            "-o",
            tmp_path / "e.gpkg",
        ),
        contains="not a bundled scheme",
    )


def test_report_is_one_self_contained_page(run, site_gpkg, tmp_path, one_line_error, files_in):
    out = tmp_path / "report.html"
    result = run(
        "report",
        site_gpkg,
        "-o",
        out,
        "--profile",
        "aerospace",
        "--year",
        2025,
        "--as-of",
        "2025-12-31",
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    from landasset.viz.html_report import find_external_references

    assert find_external_references(page) == []
    assert "aerospace" in page and "2025-12-31" in page
    one_line_error(
        run("report", site_gpkg, "-o", out),
        contains="exists; pass overwrite=True to replace it (CLI: --overwrite)",
    )
    one_line_error(run("report", site_gpkg, "-o", tmp_path / "report.pdf"), contains=".html")
    assert files_in(tmp_path) == ["report.html"]


def test_efficiency_scheme_choice_and_scope(run, site_gpkg, tmp_path):
    out = tmp_path / "services.gpkg"
    result = run(
        "efficiency", site_gpkg, "--year", 2025, "--scheme", "zhejiang-2018-services", "-o", out
    )
    assert result.exit_code == 0, result.output
    graded = read_layer(out)
    in_scope = graded["in_scope"].astype(bool)
    assert in_scope.any() and (~in_scope).any()
    assert graded.loc[in_scope, "grade"].notna().all()
    assert graded.loc[~in_scope, "grade"].isna().all()
    reasons = graded.loc[~in_scope, "reasons"]
    assert reasons.str.startswith("not graded: out of scope of 'zhejiang-2018-services'").all()
    # every firm left out names an industry outside the services codes 51-90
    codes = reasons.str.extract(r"industry (\d\d)", expand=False).astype(int)
    assert not codes.between(51, 90).any()
    assert f"{int((~in_scope).sum())} enterprise(s) outside the scope" in result.stderr
