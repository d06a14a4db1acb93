"""viz.match_memo: one self-contained page, the best candidates, refusals."""

from __future__ import annotations

import re

import pytest

import landasset as la
from landasset import viz


@pytest.fixture(scope="module")
def plant(sample_site: la.Site) -> la.MatchResult:
    with la.Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
        return la.match(
            la.load_project("aerospace_plant"),
            sample_site,
            as_of="2025-12-31",
            stages=ledger,
            limit=8,
        )


def test_memo_shows_the_project_and_the_top_candidates(plant, sample_site, tmp_path):
    path = viz.match_memo(plant, sample_site, tmp_path / "memo.html", top_k=3)
    page = path.read_text(encoding="utf-8")
    assert viz.find_external_references(page) == []
    assert page.count("data:image/png;base64,") == 1  # the map
    ids = plant.candidates.index.tolist()
    for cid in ids[:3]:
        assert f'<section id="c{ids.index(cid) + 1}">' in page
    assert '<section id="c4">' not in page
    # the near-miss of the shortlist would say what it fails; the best says it passes
    assert "Passes every hard condition." in page
    # every condition is in the memo, with its status, the not-stated ones named so
    for name in la.projects.CONDITIONS:
        assert f"<td>{name}</td>" in page
    assert re.search(r"not applicable", page)
    assert "商业航天总装测试基地" in page


def test_memo_of_a_failing_candidate_names_the_failure(sample_site, tmp_path):
    project = la.Project(
        id="too-big", industry="aerospace", area_mu_min=500, area_mu_max=600, height_max_m=40
    )
    with la.Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
        result = la.match(project, sample_site, as_of="2025-12-31", stages=ledger, limit=3)
    assert not result.candidates["passes"].any()
    page = viz.match_memo(result, sample_site, tmp_path / "m.html").read_text(encoding="utf-8")
    assert "Fails: area: needs land 500–600 mu" in page


def test_memo_refusals(plant, sample_site, tmp_path):
    with pytest.raises(la.LandassetIOError, match=r"not an \.html file"):
        viz.match_memo(plant, sample_site, tmp_path / "memo.txt")
    (tmp_path / "there.html").write_text("x", encoding="utf-8")
    with pytest.raises(la.LandassetIOError, match="exists"):
        viz.match_memo(plant, sample_site, tmp_path / "there.html")
    assert (tmp_path / "there.html").read_text(encoding="utf-8") == "x"
    with pytest.raises(la.LandassetValueError, match="top_k"):
        viz.match_memo(plant, sample_site, tmp_path / "a.html", top_k=0)
