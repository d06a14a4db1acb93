"""The command line gives the Python API's answer: the same numbers, the same errors.

Each command is run through the real entry point on the sample district and compared
with the library call a Python user would write; refusals are compared line for line
(the CLI prints the first line of the library's message after ``input error:``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import landasset as la
from landasset.cli._common import one_line
from landasset.io import read_layer
from landasset.lifecycle import Ledger, pipeline
from landasset.suitability import assemble, best_fit, load_profile

AS_OF = "2025-12-31"


@pytest.fixture(scope="module")
def site(site_gpkg: Path) -> la.Site:
    return la.read_site(site_gpkg)


@pytest.fixture(scope="module")
def bare_gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample district without a lifecycle ledger (its parcels keep a stage column)."""
    path = la.sample.load("yunqi").to_file(tmp_path_factory.mktemp("bare") / "bare.gpkg")
    assert "stage" in read_layer(path, "parcels").columns
    return path


@pytest.fixture(scope="module")
def stage_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """aerospace with a ``{stage: [reserved, supply_ready]}`` rule, as a file."""
    import yaml

    spec = load_profile("aerospace").to_dict()
    spec["constraints"].append({"stage": ["reserved", "supply_ready"]})
    path = tmp_path_factory.mktemp("profile") / "reserve_only.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def _same_error(result, exc: BaseException, one_line_error) -> None:
    line = one_line_error(result, 2)
    assert line == f"Error: input error: {one_line(exc)}"


# -- the same numbers ---------------------------------------------------------------------


def test_score_matches_the_api(run, site_gpkg, site, tmp_path):
    out = tmp_path / "scored.gpkg"
    result = run("score", site_gpkg, "-p", "aerospace", "-o", out, "--as-of", AS_OF, "-q")
    assert result.exit_code == 0, result.output
    with Ledger.open(site_gpkg, read_only=True) as ledger:
        api = load_profile("aerospace").score(site, as_of=AS_OF, stages=ledger)
    cli = read_layer(out).set_index("parcel_id").loc[api.index]
    assert len(cli) == len(api) > 100
    pd.testing.assert_series_equal(cli["score"], api["score"], check_dtype=False)
    assert (cli["eligible"].astype(bool) == api["eligible"].astype(bool)).all()
    assert (
        cli["rank"].fillna(-1).astype(int).tolist() == api["rank"].fillna(-1).astype(int).tolist()
    )


def test_stage_rule_profile_reads_the_ledger_like_the_api(
    run, site_gpkg, site, stage_profile, tmp_path
):
    out = tmp_path / "scored.gpkg"
    result = run("score", site_gpkg, "-p", stage_profile, "-o", out, "--as-of", AS_OF, "-q")
    assert result.exit_code == 0, result.output
    with Ledger.open(site_gpkg, read_only=True) as ledger:
        api = load_profile(stage_profile).score(site, as_of=AS_OF, stages=ledger)
        stages = ledger.stages(as_of=AS_OF)
    cli = read_layer(out).set_index("parcel_id").loc[api.index]
    eligible = set(cli.index[cli["eligible"].astype(bool)])
    assert eligible == set(api.index[api["eligible"].astype(bool)])
    # an independent reading: every eligible parcel is in the reserve on that day
    assert eligible and eligible <= set(stages[stages.isin(["reserved", "supply_ready"])].index)


def test_best_fit_matches_the_api(run, site_gpkg, site, tmp_path):
    out = tmp_path / "fit.gpkg"
    names = ["aerospace", "ai"]
    result = run(
        "best-fit", site_gpkg, "--profiles", ",".join(names), "-o", out, "--as-of", AS_OF, "-q"
    )
    assert result.exit_code == 0, result.output
    with Ledger.open(site_gpkg, read_only=True) as ledger:
        api = best_fit(site, [load_profile(n) for n in names], as_of=AS_OF, stages=ledger)
    cli = read_layer(out).set_index("parcel_id").loc[api.index]
    assert cli["best"].fillna("").tolist() == api["best"].fillna("").tolist()
    pd.testing.assert_series_equal(cli["score"], api["score"], check_dtype=False)
    # the printed wins are the API's counts
    wins = api["best"].value_counts()
    for name, count in wins.items():
        assert any(line.split()[:2] == [name, str(count)] for line in result.stdout.splitlines())


def test_assemble_matches_the_api(run, site_gpkg, site, tmp_path):
    out = tmp_path / "sites.gpkg"
    result = run(
        "assemble", site_gpkg, "-p", "aerospace", "--demand-mu", "80", "-o", out,
        "--as-of", AS_OF, "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with Ledger.open(site_gpkg, read_only=True) as ledger:
        scored = load_profile("aerospace").score(site, as_of=AS_OF, stages=ledger)
        api = assemble(scored, demand_mu=80, stages=ledger, as_of=AS_OF)
    cli = read_layer(out)
    assert len(api) > 0
    assert cli["parcel_ids"].tolist() == api["parcel_ids"].tolist()
    assert cli["area_mu"].round(6).tolist() == api["area_mu"].round(6).tolist()
    assert cli["score"].round(9).tolist() == api["score"].round(9).tolist()


@pytest.mark.parametrize("scheme", ["huangyan-2023", "file"])
def test_efficiency_matches_the_api(run, site_gpkg, site, tmp_path, scheme):
    from landasset.efficiency import evaluate, load_scheme

    if scheme == "file":  # a scheme file by path, read by the library in both cases
        scheme = str(tmp_path / "county.yaml")
        Path(scheme).write_text(load_scheme("zhejiang-2018").to_yaml(), encoding="utf-8")
    out = tmp_path / "grades.gpkg"
    result = run("efficiency", site_gpkg, "--year", "2025", "--scheme", scheme, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    api = evaluate(
        site.enterprises, site.parcels, year=2025, scheme=scheme, buildings=site.buildings
    )
    cli = read_layer(out).set_index("enterprise_id").loc[api.index]
    assert cli["grade"].fillna("-").tolist() == api["grade"].fillna("-").tolist()
    pd.testing.assert_series_equal(cli["score"], api["score"], check_dtype=False)
    counts = api["grade"].value_counts()
    printed = dict(line.split() for line in result.stdout.splitlines()[2:])
    assert {g: int(n) for g, n in printed.items()} == {g: int(counts.get(g, 0)) for g in printed}
    assert sum(int(n) for n in printed.values()) == counts.sum() > 0


def test_lifecycle_status_matches_the_api(run, site_gpkg, site, tmp_path):
    out = tmp_path / "stages.gpkg"
    result = run("lifecycle", "status", site_gpkg, "--as-of", AS_OF, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    with Ledger.open(site_gpkg, read_only=True) as ledger:
        table = pipeline(ledger, site, as_of=AS_OF)
        stages = ledger.stages(as_of=AS_OF)
    cli = read_layer(out).set_index("parcel_id")
    assert cli["stage"].to_dict() == stages.reindex(cli.index).astype(object).to_dict()
    lines = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[2:]}
    for stage, row in table.round(1).iterrows():
        assert lines[str(stage)][0] == str(row.iloc[0]), (stage, lines[str(stage)], row)


# -- the same errors ------------------------------------------------------------------------


def test_a_stage_rule_without_a_ledger_is_the_apis_error(
    run, bare_gpkg, stage_profile, tmp_path, one_line_error
):
    """No ledger in the file: the parcels' stage column is not taken for the stages."""
    site = la.read_site(bare_gpkg)
    model = load_profile(stage_profile)
    with pytest.raises(la.SchemaError) as api:
        model.score(site, as_of=AS_OF)
    assert "lifecycle stages (needed by stage in [reserved" in str(api.value)
    out = tmp_path / "out.gpkg"
    for args in (
        ["score", bare_gpkg, "-p", stage_profile, "-o", out],
        ["assemble", bare_gpkg, "-p", stage_profile, "--demand-mu", "80"],
        ["explain", bare_gpkg, "-p", stage_profile, "XH120101-08"],
    ):
        _same_error(run(*args, "--as-of", AS_OF), api.value, one_line_error)
    with pytest.raises(la.LandassetError) as fit:
        best_fit(site, [model], as_of=AS_OF)
    result = run("best-fit", bare_gpkg, "--profiles", stage_profile, "-o", out, "--as-of", AS_OF)
    _same_error(result, fit.value, one_line_error)
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "call"),
    [
        (["score", "{site}", "-p", "aerospac", "-o", "{out}"], lambda: load_profile("aerospac")),
        (
            ["score", "{site}", "-p", "{tmp}/none.yaml", "-o", "{out}"],
            lambda tmp: load_profile(f"{tmp}/none.yaml"),
        ),
        (
            ["efficiency", "{site}", "--year", "2025", "--scheme", "zhejiang", "-o", "{out}"],
            lambda: __import__("landasset.efficiency").efficiency.load_scheme("zhejiang"),
        ),
        (
            ["efficiency", "{site}", "--year", "2025", "--scheme", "{tmp}/x.yml", "-o", "{out}"],
            lambda tmp: __import__("landasset.efficiency").efficiency.load_scheme(f"{tmp}/x.yml"),
        ),
    ],
    ids=["profile-name", "profile-file", "scheme-name", "scheme-file"],
)
def test_names_and_paths_are_resolved_by_the_library(
    run, site_gpkg, tmp_path, one_line_error, args, call
):
    with pytest.raises(la.LandassetError) as api:
        call(tmp_path) if call.__code__.co_argcount else call()
    values = {"{site}": str(site_gpkg), "{out}": str(tmp_path / "out.gpkg"), "{tmp}": str(tmp_path)}
    filled = [values.get(a, a.replace("{tmp}", str(tmp_path))) for a in args]
    _same_error(run(*filled), api.value, one_line_error)


def test_lifecycle_status_without_a_ledger_is_the_apis_error(run, bare_gpkg, one_line_error):
    with pytest.raises(la.LandassetIOError) as api:
        Ledger.open(bare_gpkg, read_only=True)
    assert "holds no lifecycle ledger" in str(api.value)
    _same_error(run("lifecycle", "status", bare_gpkg), api.value, one_line_error)


def test_an_existing_output_is_refused_by_the_library_before_any_work(
    run, site_gpkg, tmp_path, one_line_error
):
    from landasset.io import check_writable

    out = tmp_path / "taken.parquet"
    out.write_bytes(b"x")
    with pytest.raises(la.LandassetIOError) as api:
        check_writable(out, layer="parcels")
    assert str(api.value) == f"{out} exists; pass overwrite=True to replace it (CLI: --overwrite)"
    _same_error(run("score", site_gpkg, "-p", "aerospace", "-o", out), api.value, one_line_error)
    assert out.read_bytes() == b"x"
    html = tmp_path / "r.html"
    html.write_bytes(b"old")
    result = run("report", site_gpkg, "-o", html)
    assert "r.html exists; pass overwrite=True" in one_line_error(result, 2)
    assert html.read_bytes() == b"old"
