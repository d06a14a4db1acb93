"""Each algorithm of the landasset Processing provider, run headless by qgis_process on
the sample district; its outputs are checked against the library's own results."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import landasset as la
from landasset.efficiency import by_parcel, evaluate
from landasset.lifecycle import LOW_EFFICIENCY, Ledger, idle_land, low_efficiency
from landasset.site import read_site
from landasset.suitability import assemble, best_fit, load_profile

pytestmark = pytest.mark.qgis

AS_OF = "2025-12-31"
ALGORITHMS = (
    "validate_site",
    "score_parcels",
    "explain_parcel",
    "best_fit",
    "assemble_sites",
    "record_event",
    "idle_land",
    "low_efficiency",
    "per_mu_evaluation",
    "report",
    "match_project",
)


@pytest.fixture(scope="module")
def sample() -> la.Site:
    return read_site(la.sample.sample_path("yunqi"))


@pytest.fixture(scope="module")
def scored(sample: la.Site) -> gpd.GeoDataFrame:
    with Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
        return load_profile("aerospace").score(sample, as_of=AS_OF, stages=ledger)


def styles_of(path: Path) -> dict[str, str]:
    """The default QGIS styles in a GeoPackage: table name → QML."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault = 1"
        ).fetchall()
    return dict(rows)


def assert_clean_failure(outcome, message: str) -> None:
    assert outcome.returncode != 0
    assert message in outcome.text, outcome.text
    assert "Traceback" not in outcome.text


def test_qgis_process_lists_the_provider(qgis):
    listed = qgis.command("list")
    assert listed.returncode == 0, listed.stderr
    ids = {
        line.split()[0]
        for line in listed.stdout.splitlines()
        if line.strip().startswith("landasset:")
    }
    assert ids == {f"landasset:{name}" for name in ALGORITHMS}


def test_score_parcels_matches_the_library(qgis, site_copy, tmp_path, scored):
    out = tmp_path / "scored.gpkg"
    outcome = qgis.run(
        "score_parcels", SITE=site_copy, PROFILE="aerospace", AS_OF=AS_OF, OUTPUT=out
    )
    assert outcome.returncode == 0, outcome.text
    assert outcome.results["OUTPUT"] == str(out)
    layer = gpd.read_file(out, layer="parcels").set_index("parcel_id")
    assert len(layer) == len(scored) == 455
    expected_top = scored.sort_values(["rank", "score"], ascending=[True, False]).index[0]
    assert outcome.results["TOP"].split(", ")[0] == expected_top
    assert layer["score"].idxmax() == scored["score"].idxmax()
    np.testing.assert_allclose(layer.loc[scored.index, "score"], scored["score"], atol=1e-12)
    assert (layer.loc[scored.index, "eligible"].astype(bool) == scored["eligible"]).all()
    qml = styles_of(out)["parcels"]
    assert "graduatedSymbol" in qml and "适宜性得分" in qml
    # progress reached the end and the log names where the library ran
    assert any("landasset runs in" in line for line in outcome.log.get("info", []))


def test_score_as_of_changes_what_is_open(qgis, site_copy, tmp_path, sample):
    out = tmp_path / "early.gpkg"
    outcome = qgis.run(
        "score_parcels", SITE=site_copy, PROFILE="ai", AS_OF="2019-01-01", OUTPUT=out
    )
    assert outcome.returncode == 0, outcome.text
    with Ledger.open(site_copy, read_only=True) as ledger, pytest.warns(la.UnreachableWarning):
        expected = load_profile("ai").score(sample, as_of="2019-01-01", stages=ledger)
    # no station was open yet: the library's warning reaches the algorithm's log
    assert "cannot reach any target" in outcome.text
    layer = gpd.read_file(out, layer="parcels").set_index("parcel_id")
    np.testing.assert_allclose(layer.loc[expected.index, "score"], expected["score"], atol=1e-12)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"PROFILE": "nope"}, "'nope' is not a bundled profile; use one of: 'aerospace'"),
        ({"PROFILE": "aerospace", "AS_OF": "31/12/2025"}, "31/12/2025"),
    ],
)
def test_score_errors_show_the_library_message(qgis, site_copy, tmp_path, params, message):
    out = tmp_path / "never.gpkg"
    outcome = qgis.run("score_parcels", SITE=site_copy, OUTPUT=out, **params)
    assert_clean_failure(outcome, message)
    assert not out.exists()


def test_a_missing_site_file_is_named(qgis, tmp_path):
    outcome = qgis.run(
        "score_parcels", SITE=tmp_path / "nowhere.gpkg", PROFILE="ai", OUTPUT=tmp_path / "o.gpkg"
    )
    assert outcome.returncode != 0 and "nowhere.gpkg" in outcome.text
    assert "Traceback" not in outcome.text


def test_validate_site_counts_the_library_problems(qgis, site_copy, tmp_path):
    clean = qgis.run("validate_site", SITE=site_copy, OUTPUT=tmp_path / "ok.gpkg")
    assert clean.returncode == 0, clean.text
    assert clean.results["ERRORS"] == 0 and clean.results["OK"] is True
    # a duplicated parcel id and a negative floor count: errors the library finds
    parcels = gpd.read_file(site_copy, layer="parcels")
    first = parcels.loc[0, "parcel_id"]
    parcels.loc[1, "parcel_id"] = first
    parcels.to_file(site_copy, layer="parcels", driver="GPKG")
    buildings = gpd.read_file(site_copy, layer="buildings")
    buildings.loc[0, "floors"] = -3
    buildings.to_file(site_copy, layer="buildings", driver="GPKG")
    from landasset.io import read_layers
    from landasset.schema import LAYERS, ValidationReport, validate

    report = ValidationReport()
    for kind, layer in read_layers(site_copy).items():
        if kind in LAYERS:
            report.extend(validate(layer, kind))
    assert len(report.errors) >= 2
    out = tmp_path / "problems.gpkg"
    broken = qgis.run("validate_site", SITE=site_copy, OUTPUT=out)
    assert broken.returncode == 0, broken.text
    assert broken.results["ERRORS"] == len(report.errors)
    assert broken.results["OK"] is False
    table = gpd.read_file(out)
    assert len(table) == len(report)
    errors = table[table["severity"] == "error"]
    assert set(errors["kind"]) == {"parcels", "buildings"}
    assert first in set(errors["id"])


def test_explain_parcel_matches_the_library(qgis, site_copy, tmp_path, scored):
    parcel = scored["score"].idxmax()
    out = tmp_path / "why.gpkg"
    outcome = qgis.run(
        "explain_parcel",
        SITE=site_copy,
        PROFILE="aerospace",
        PARCEL_ID=parcel,
        AS_OF=AS_OF,
        OUTPUT=out,
    )
    assert outcome.returncode == 0, outcome.text
    table = load_profile("aerospace").explain(scored, parcel)
    assert outcome.results["SCORE"] == pytest.approx(table.attrs["score"], abs=1e-12)
    assert outcome.results["RANK"] == table.attrs["rank"] == 1
    rows = gpd.read_file(out)
    assert list(rows["criterion"]) == [str(c) for c in table.index]
    np.testing.assert_allclose(rows["contribution"], table["contribution"], atol=1e-12)


def test_explain_unknown_parcel_suggests_close_ids(qgis, site_copy, tmp_path, scored):
    parcel = scored.index[0]
    outcome = qgis.run(
        "explain_parcel",
        SITE=site_copy,
        PROFILE="ai",
        PARCEL_ID=parcel + "X",
        OUTPUT=tmp_path / "x.gpkg",
    )
    assert_clean_failure(outcome, f"no parcel '{parcel}X' in the site")
    assert "did you mean" in outcome.text


def test_best_fit_matches_the_library(qgis, site_copy, tmp_path, sample):
    out = tmp_path / "fit.gpkg"
    outcome = qgis.run(
        "best_fit",
        SITE=site_copy,
        PROFILES="aerospace,ai,smart_manufacturing",
        AS_OF=AS_OF,
        OUTPUT=out,
    )
    assert outcome.returncode == 0, outcome.text
    with Ledger.open(site_copy, read_only=True) as ledger:
        fit = best_fit(
            sample, ["aerospace", "ai", "smart_manufacturing"], as_of=AS_OF, stages=ledger
        )
    layer = gpd.read_file(out, layer="best_fit").set_index("parcel_id")
    assert len(layer) == len(fit)
    pd.testing.assert_series_equal(
        layer.loc[fit.index, "best"].fillna("").astype(str),
        fit["best"].fillna("").astype(str),
        check_names=False,
        check_index_type=False,
    )
    assert "best_fit" in styles_of(out)


def test_assemble_sites_matches_the_library(qgis, site_copy, tmp_path, scored):
    out = tmp_path / "sites.gpkg"
    outcome = qgis.run(
        "assemble_sites", SITE=site_copy, PROFILE="aerospace", DEMAND_MU=80, AS_OF=AS_OF, OUTPUT=out
    )
    assert outcome.returncode == 0, outcome.text
    with Ledger.open(site_copy, read_only=True) as ledger:
        sites = assemble(scored, demand_mu=80, stages=ledger, as_of=AS_OF)
    layer = gpd.read_file(out, layer="candidate_sites")
    assert len(layer) == len(sites) > 0
    assert (layer["area_mu"] >= 80).all()
    np.testing.assert_allclose(layer["area_mu"], sites["area_mu"], atol=1e-9)


def _events(path: Path) -> int:
    with Ledger.open(path, read_only=True) as ledger:
        return len(ledger.events(effective=False))


def test_record_event_writes_the_ledger_and_refuses_illegal_moves(qgis, site_copy, tmp_path):
    with Ledger.open(site_copy, read_only=True) as ledger:
        stages = ledger.stages(as_of="2026-01-01")
    reserved = stages[stages == "reserved"].index
    assert len(reserved), "the sample has reserved parcels"
    parcel = str(reserved[0])
    before = _events(site_copy)
    good = qgis.run(
        "record_event",
        SITE=site_copy,
        PARCEL_ID=parcel,
        STAGE=3,  # supply_ready
        ON="2026-03-01",
        FIELDS="land_use=M0;far_min=1.5;far_max=3.0",
        ACTOR="tester",
    )
    assert good.returncode == 0, good.text
    assert good.results["STAGE"] == "supply_ready"
    with Ledger.open(site_copy, read_only=True) as ledger:
        assert ledger.stages(as_of="2026-03-02")[parcel] == "supply_ready"
        assert len(ledger.events(effective=False)) == before + 1
        assert int(good.results["EVENT_ID"]) in set(ledger.history(parcel).index)
    # operating straight from supply_ready is not an allowed move: refused, nothing written
    bad = qgis.run("record_event", SITE=site_copy, PARCEL_ID=parcel, STAGE=8, ON="2026-03-05")
    assert_clean_failure(bad, "supply_ready")
    assert _events(site_copy) == before + 1


def test_idle_land_matches_the_library(qgis, site_copy, tmp_path):
    out = tmp_path / "idle.gpkg"
    outcome = qgis.run("idle_land", SITE=site_copy, AS_OF=AS_OF, OUTPUT=out)
    assert outcome.returncode == 0, outcome.text
    with Ledger.open(site_copy, read_only=True) as ledger:
        table = idle_land(ledger, as_of=AS_OF)
    layer = gpd.read_file(out, layer="idle_land")
    assert len(table) > 0
    assert sorted(layer["parcel_id"]) == sorted(map(str, table.index))
    assert (
        dict(zip(layer["parcel_id"], layer["status"], strict=True))
        == table["status"].astype(str).to_dict()
    )


def test_low_efficiency_matches_the_library(qgis, site_copy, tmp_path, sample):
    out = tmp_path / "low.gpkg"
    outcome = qgis.run("low_efficiency", SITE=site_copy, AS_OF=AS_OF, YEAR=2025, OUTPUT=out)
    assert outcome.returncode == 0, outcome.text
    graded = evaluate(sample.enterprises, sample.parcels, year=2025, buildings=sample.buildings)
    evaluation = by_parcel(graded, sample.parcels)
    with Ledger.open(site_copy, read_only=True) as ledger:
        table = low_efficiency(ledger, sample, as_of=AS_OF, evaluation=evaluation)
    flags = [c for c in LOW_EFFICIENCY if c in table.columns]
    flagged = table[table[flags].any(axis=1)]
    layer = gpd.read_file(out, layer="low_efficiency")
    assert len(flagged) > 0
    assert sorted(layer["parcel_id"]) == sorted(map(str, flagged.index))
    for flag in flags:
        assert int(layer[flag].astype(bool).sum()) == int(table[flag].sum())


@pytest.mark.parametrize(("by", "layer_geometry"), [(0, "Point"), (1, "Polygon")])
def test_per_mu_evaluation_matches_the_library(
    qgis, site_copy, tmp_path, sample, by, layer_geometry
):
    out = tmp_path / "grades.gpkg"
    outcome = qgis.run("per_mu_evaluation", SITE=site_copy, YEAR=2025, BY=by, OUTPUT=out)
    assert outcome.returncode == 0, outcome.text
    graded = evaluate(sample.enterprises, sample.parcels, year=2025, buildings=sample.buildings)
    layer = gpd.read_file(out, layer="efficiency")
    assert layer.geom_type.str.contains(layer_geometry).all()
    if by == 0:
        expected = graded["grade"].fillna("").astype(str).to_dict()
        assert dict(zip(layer["enterprise_id"], layer["grade"].fillna(""), strict=True)) == expected
    qml = styles_of(out)["efficiency"]
    assert "categorizedSymbol" in qml


def test_report_writes_the_page(qgis, site_copy, tmp_path):
    out = tmp_path / "report.html"
    outcome = qgis.run(
        "report",
        SITE=site_copy,
        PROFILE="aerospace",
        YEAR=2025,
        AS_OF=AS_OF,
        TITLE="云栖 test",
        OUTPUT=out,
    )
    assert outcome.returncode == 0, outcome.text
    page = out.read_text(encoding="utf-8")
    assert "云栖 test" in page and "<img" in page


def test_match_project_gives_the_librarys_candidates_in_order(qgis, site_copy, tmp_path, sample):
    from landasset.projects import load_project, match

    project = load_project("aerospace_plant")
    with Ledger.open(site_copy, read_only=True) as ledger:
        expected = match(project, sample, as_of=AS_OF, stages=ledger, limit=8)
    assert len(expected) > 1
    # the bundled name, and the same project as a YAML file with the memo
    yaml_file = tmp_path / "project.yaml"
    project.to_yaml(yaml_file)
    for given, memo in (("aerospace_plant", None), (str(yaml_file), tmp_path / "memo.html")):
        out = tmp_path / f"shortlist-{memo is not None}.gpkg"
        extra = {} if memo is None else {"MEMO": memo}
        outcome = qgis.run(
            "match_project",
            PROJECT=given,
            SITE=site_copy,
            AS_OF=AS_OF,
            LIMIT=8,
            OUTPUT=out,
            **extra,
        )
        assert outcome.returncode == 0, outcome.text
        layer = gpd.read_file(out, layer="shortlist")
        assert list(layer["candidate_id"]) == list(expected.candidates.index)
        assert "shortlist" in styles_of(out)
        if memo is not None:
            page = memo.read_text(encoding="utf-8")
            assert str(expected.candidates.index[0]) in page
    outcome = qgis.run(
        "match_project", PROJECT="no_such_project", SITE=site_copy, AS_OF=AS_OF, OUTPUT=out
    )
    assert_clean_failure(outcome, "no_such_project")


def test_without_landasset_the_message_says_how_to_install(qgis_with, site_copy, tmp_path):
    # nothing configured: QGIS's own Python (Debian's python3, without landasset) runs it
    bare = qgis_with(LANDASSET_PYTHONPATH=None, LANDASSET_PYTHON=None)
    outcome = bare.run("score_parcels", SITE=site_copy, PROFILE="ai", OUTPUT=tmp_path / "o.gpkg")
    assert_clean_failure(outcome, "landasset cannot be imported by /usr/bin/python3")
    assert "(QGIS's Python)" in outcome.text
    assert "-m pip install 'landasset[viz]'" in outcome.text
    assert "LANDASSET_PYTHONPATH" in outcome.text


def test_validate_site_repairs_into_a_new_file(qgis, site_copy, tmp_path):
    from shapely import Polygon

    from landasset.schema import validate

    parcels = gpd.read_file(site_copy, layer="parcels")
    x, y = parcels.geometry[0].bounds[:2]
    bow_tie = Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100)])
    parcels.loc[0, "geometry"] = bow_tie
    parcels.to_file(site_copy, layer="parcels", driver="GPKG")
    first = qgis.run("validate_site", SITE=site_copy, OUTPUT=tmp_path / "p1.gpkg")
    assert first.results["ERRORS"] == 1 and first.results["FIXED"] is None
    fixed = tmp_path / "fixed.gpkg"
    outcome = qgis.run("validate_site", SITE=site_copy, OUTPUT=tmp_path / "p2.gpkg", FIXED=fixed)
    assert outcome.returncode == 0, outcome.text
    assert outcome.results["ERRORS"] == 0 and outcome.results["OK"] is True
    assert outcome.results["FIXED"] == str(fixed)
    repaired = gpd.read_file(fixed, layer="parcels")
    assert repaired.is_valid.all() and len(repaired) == len(parcels)
    assert validate(repaired.set_index("parcel_id"), "parcels").ok
