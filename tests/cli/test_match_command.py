"""landasset match — through the real entry point: the styled shortlist and the memo."""

from __future__ import annotations

import geopandas as gpd

import landasset as la
from landasset.styles import read_layer_styles
from landasset.viz import find_external_references


def test_match_writes_a_styled_shortlist_and_a_memo(run, site_gpkg, tmp_path):
    out, memo = tmp_path / "shortlist.gpkg", tmp_path / "memo.html"
    project = tmp_path / "plant.yaml"
    la.load_project("aerospace_plant").to_yaml(project)
    result = run(
        "match", project, site_gpkg, "-o", out, "--as-of", "2025-12-31",
        "--report", memo, "--limit", "8", "--top", "3", "--workers", "2",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    shortlist = gpd.read_file(out, layer="shortlist")
    assert len(shortlist) == 8
    assert shortlist["rank"].tolist() == list(range(1, 9))
    # the same as the Python API on the same day and ledger
    with la.Ledger.open(site_gpkg, read_only=True) as ledger:
        direct = la.match(
            la.load_project("aerospace_plant"),
            la.read_site(site_gpkg),
            as_of="2025-12-31",
            stages=ledger,
            limit=8,
        )
    assert shortlist["candidate_id"].tolist() == direct.candidates.index.tolist()
    assert shortlist["candidate_id"].iloc[0] in result.stdout
    assert "pass every condition" in result.stderr
    styles = read_layer_styles(out)
    row = styles[styles["f_table_name"] == "shortlist"].iloc[0]
    assert "候选编号" in row["styleQML"] and "graduatedSymbol" in row["styleQML"]
    page = memo.read_text(encoding="utf-8")
    assert find_external_references(page) == []
    assert "aerospace_plant" in page and "#3 " in page and "#4 " not in page
    assert "data:image/png;base64," in page


def test_match_by_bundled_name_and_refusals(run, site_gpkg, tmp_path, one_line_error):
    out = tmp_path / "s.gpkg"
    ok = run("match", "ai_office", site_gpkg, "-o", out, "--as-of", "2025-12-31")
    assert ok.exit_code == 0, ok.output
    assert set(gpd.read_file(out, layer="shortlist")["kind"]) == {"spaces"}
    again = run("match", "ai_office", site_gpkg, "-o", out, "--as-of", "2025-12-31")
    one_line_error(again, contains="exists")
    unknown = run("match", "no_such", site_gpkg, "-o", tmp_path / "t.gpkg", "--as-of", "2025-12-31")
    one_line_error(unknown, contains="not a bundled project")
    no_day = run("match", "ai_office", site_gpkg, "-o", tmp_path / "u.gpkg")
    assert no_day.exit_code == 2 and "--as-of" in no_day.stderr
    bad_memo = run(
        "match", "ai_office", site_gpkg, "-o", tmp_path / "v.gpkg", "--as-of", "2025-12-31",
        "--report", tmp_path / "memo.txt",
    )  # fmt: skip
    one_line_error(bad_memo, contains="not an .html file")
    no_workers = run(
        "match", "ai_office", site_gpkg, "-o", tmp_path / "w.gpkg", "--as-of", "2025-12-31",
        "--workers", "0",
    )  # fmt: skip
    assert no_workers.exit_code == 2 and "--workers" in no_workers.stderr
