"""score, explain, sensitivity, best-fit, assemble, profiles — through the real entry point."""

from __future__ import annotations

import pytest

from landasset.io import list_layers, read_layer
from landasset.styles import read_layer_styles
from landasset.suitability import list_profiles


@pytest.fixture(scope="module")
def scored(site_gpkg, tmp_path_factory):
    """``landasset score`` run once: (result, output path)."""
    from click.testing import CliRunner

    from landasset.cli import cli

    out = tmp_path_factory.mktemp("scored") / "scored.gpkg"
    result = CliRunner().invoke(
        cli,
        ["score", str(site_gpkg), "--profile", "aerospace", "-o", str(out), "--top", "5"],
        catch_exceptions=False,
    )
    return result, out


def test_score_writes_scored_parcels_and_prints_the_top(scored, site_gpkg):
    result, out = scored
    assert result.exit_code == 0, result.output
    layer = read_layer(out, "parcels")
    parcels = read_layer(site_gpkg, "parcels")
    assert len(layer) == len(parcels)
    for column in ("score", "rank", "eligible", "excluded_by", "m_metro", "v_metro", "c_metro"):
        assert column in layer.columns
    assert layer["score"].between(0, 1).all()
    best = layer["rank"].idxmin()
    assert layer.loc[best, "rank"] == 1
    # the contributions sum to the score (weighted linear combination)
    contributions = layer[[c for c in layer.columns if c.startswith("c_")]].sum(axis=1)
    assert contributions[best] == pytest.approx(layer.loc[best, "score"])
    # stdout: the top 5 as a table, best first; stderr: progress and the file written
    lines = result.stdout.strip().splitlines()
    assert best in lines[2] and len(lines) == 2 + 5
    assert "measures (aerospace)" in result.stderr and "wrote" in result.stderr
    # the output opens in QGIS styled by score
    style = read_layer_styles(out)
    assert list(style["f_table_name"]) == ["parcels"]
    assert 'attr="score"' in style.loc[0, "styleQML"]
    assert 'name="适宜性得分"' in style.loc[0, "styleQML"]


def test_score_to_other_formats_and_refuses_to_overwrite(run, site_gpkg, tmp_path, one_line_error):
    out = tmp_path / "scored.parquet"
    first = run("score", site_gpkg, "-p", "ai", "-o", out, "--top", "0", "-q")
    assert first.exit_code == 0, first.output
    assert first.stdout == "" and "measures" not in first.stderr  # -q: no progress
    assert read_layer(out)["score"].notna().any()
    again = run("score", site_gpkg, "-p", "ai", "-o", out)
    one_line_error(again, contains="exists; pass overwrite=True to replace it (CLI: --overwrite)")
    assert run("score", site_gpkg, "-p", "ai", "-o", out, "--overwrite").exit_code == 0


def test_score_as_of_counts_planned_stations_only_once_open(run, site_gpkg, tmp_path):
    before = tmp_path / "before.gpkg"
    after = tmp_path / "after.gpkg"
    assert (
        run("score", site_gpkg, "-p", "aerospace", "-o", before, "--as-of", "2025-12-31").exit_code
        == 0
    )
    assert (
        run("score", site_gpkg, "-p", "aerospace", "-o", after, "--as-of", "2028-06-30").exit_code
        == 0
    )
    walk_before = read_layer(before, "parcels")["m_metro"]
    walk_after = read_layer(after, "parcels")["m_metro"]
    assert (walk_after <= walk_before + 1e-9).all()
    assert (walk_after < walk_before - 1).any()  # 云谷北站 opens on 2027-12-28


def test_score_with_a_profile_file(run, site_gpkg, tmp_path):
    from landasset.suitability import load_profile

    custom = tmp_path / "mine.yaml"
    custom.write_text(load_profile("ai").to_yaml(), encoding="utf-8")
    out = tmp_path / "mine.gpkg"
    result = run("score", site_gpkg, "--profile", custom, "-o", out, "--top", "3")
    assert result.exit_code == 0, result.output
    assert "parcels" in list_layers(out)


def test_explain_one_parcel(run, site_gpkg, scored):
    layer = read_layer(scored[1], "parcels")
    best = layer["rank"].idxmin()
    result = run("explain", site_gpkg, "--profile", "aerospace", best)
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0]
    assert header.startswith(f"{best}: score {layer.loc[best, 'score']:.3f}, rank 1")
    for criterion in ("metro", "cluster", "size", "land_use"):
        assert any(line.startswith(criterion) for line in result.stdout.splitlines())


def test_sensitivity_prints_rank_stability_and_writes_it(run, site_gpkg, tmp_path):
    out = tmp_path / "sens.gpkg"
    result = run("sensitivity", site_gpkg, "-p", "aerospace", "-n", 50, "--top-k", 5, "-o", out)
    assert result.exit_code == 0, result.output
    assert "p_top_k" in result.stdout and "spearman" in result.stdout
    layer = read_layer(out)
    assert layer["p_top_k"].between(0, 1).all()
    assert len(layer) > 5


def test_best_fit_writes_best_profile_per_parcel(run, site_gpkg, tmp_path):
    out = tmp_path / "fit.gpkg"
    result = run("best-fit", site_gpkg, "--profiles", "aerospace,ai,smart_manufacturing", "-o", out)
    assert result.exit_code == 0, result.output
    fit = read_layer(out, layer="best_fit")
    assert set(fit["best"].dropna()) <= {"aerospace", "ai", "smart_manufacturing"}
    for name in ("aerospace", "ai", "smart_manufacturing"):
        assert f"score_{name}" in fit.columns
    winners = fit["best"].value_counts()
    for name, count in winners.items():
        assert str(count) in next(
            line for line in result.stdout.splitlines() if line.startswith(name)
        )


def test_best_fit_to_a_shapefile_uses_short_names(run, site_gpkg, tmp_path):
    out = tmp_path / "fit.shp"
    result = run("best-fit", site_gpkg, "--profiles", "aerospace,smart_manufacturing", "-o", out)
    assert result.exit_code == 0, result.output
    back = read_layer(out)
    assert {"runner_up_score", "score_aerospace", "score_smart_manufacturing"} <= set(back.columns)


def test_assemble_finds_sites_meeting_the_demand(run, site_gpkg, tmp_path):
    out = tmp_path / "sites.gpkg"
    result = run(
        "assemble", site_gpkg, "-p", "aerospace", "--demand-mu", 80, "--limit", 3, "-o", out
    )
    assert result.exit_code == 0, result.output
    sites = read_layer(out)
    assert 1 <= len(sites) <= 3
    assert (sites["area_mu"] >= 80).all()
    assert "S0001" in result.stdout


def test_profiles_lists_every_profile_with_a_description(run):
    result = run("profiles")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == list_profiles()
    assert all(len(line.split()) > 2 for line in lines)
    assert "空天信息" in result.stdout


def test_a_stage_rule_reads_the_ledger_in_the_site_file(run, site_gpkg, tmp_path):
    import yaml

    from landasset.lifecycle import Ledger
    from landasset.suitability import load_profile

    spec = load_profile("aerospace").to_dict()
    spec["constraints"].append({"stage": ["reserved", "supply_ready"]})
    profile = tmp_path / "reserve_only.yaml"
    profile.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "reserve.gpkg"
    result = run("score", site_gpkg, "-p", profile, "-o", out, "--as-of", "2025-12-31")
    assert result.exit_code == 0, result.output
    eligible = set(read_layer(out, "parcels").query("eligible").index)
    with Ledger.open(site_gpkg) as ledger:
        stages = ledger.stages(as_of="2025-12-31")
    in_reserve = set(stages[stages.isin(["reserved", "supply_ready"])].index)
    assert eligible and eligible <= in_reserve


@pytest.mark.parametrize(
    "command",
    [
        ["score", "-o", "{tmp}/scored.gpkg", "--top", "0"],
        ["explain", "XH120101-08"],
        ["assemble", "--demand-mu", "80"],
    ],
    ids=["score", "explain", "assemble"],
)
def test_scoring_commands_measure_once_and_advance_the_bar_per_measure(
    run, site_gpkg, tmp_path, monkeypatch, command
):
    """One compute() call (one street graph), the bar advanced once per measure."""
    import importlib
    from contextlib import contextmanager

    import landasset.measures
    from landasset.suitability import load_profile

    score_module = importlib.import_module("landasset.cli.score")
    real_progress = score_module.progress
    bars: list[tuple[int, str, list[int]]] = []

    @contextmanager
    def recording(length, label):
        steps: list[int] = []
        bars.append((length, label, steps))
        with real_progress(length, label) as advance:

            def step(n):
                steps.append(n)
                advance(n)

            yield step

    counts = {"compute": 0, "graph": 0}
    real_compute = landasset.measures.compute
    real_graph = landasset.measures.network.street_graph

    def counting_compute(*args, **kwargs):
        counts["compute"] += 1
        return real_compute(*args, **kwargs)

    def counting_graph(streets):
        counts["graph"] += 1
        return real_graph(streets)

    monkeypatch.setattr(score_module, "progress", recording)
    monkeypatch.setattr(landasset.measures, "compute", counting_compute)
    monkeypatch.setattr(landasset.measures.network, "street_graph", counting_graph)
    name, *rest = command
    args = [a.replace("{tmp}", str(tmp_path)) for a in rest]
    result = run(name, site_gpkg, "-p", "aerospace", *args)
    assert result.exit_code == 0, result.output
    steps = len(load_profile("aerospace").measure_specs())
    assert steps > 3
    assert bars == [(steps, "measures (aerospace)", [1] * steps)]
    assert counts == {"compute": 1, "graph": 1}
    assert "measures (aerospace)" in result.stderr and "measures" not in result.stdout


# -- score: the library's answer, refusals with exit 2 ------------------------------------


def _stage_profile(tmp_path):
    import yaml

    from landasset.suitability import load_profile

    spec = load_profile("aerospace").to_dict()
    spec["constraints"].append({"stage": ["reserved", "supply_ready"]})
    profile = tmp_path / "reserve_only.yaml"
    profile.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return profile


def test_score_without_a_ledger_gives_the_apis_answer_to_a_stage_rule(
    run, tmp_path, one_line_error
):
    """No ledger in the file: the parcels' stage column is not guessed to be the stages."""
    import landasset as la
    from landasset import SchemaError
    from landasset.suitability import SuitabilityModel

    bare = la.sample.load("yunqi").to_file(tmp_path / "no_ledger.gpkg")
    assert "stage" in read_layer(bare, "parcels").columns
    profile = _stage_profile(tmp_path)
    with pytest.raises(SchemaError) as api:
        SuitabilityModel.from_yaml(profile).score(la.read_site(bare), as_of="2025-12-31")
    out = tmp_path / "scored.gpkg"
    result = run("score", bare, "-p", profile, "-o", out, "--as-of", "2025-12-31")
    line = one_line_error(result, 2, contains="lifecycle stages (needed by stage in [reserved")
    assert line == f"Error: input error: {api.value}"
    assert not out.exists()


def test_score_with_a_ledger_matches_the_api_and_leaves_out_split_parents(run, site_copy, tmp_path):
    import shapely

    import landasset as la
    from landasset import RetiredParcelsWarning
    from landasset.lifecycle import Ledger
    from landasset.suitability import SuitabilityModel

    site = la.read_site(site_copy)
    with Ledger.open(site_copy) as ledger:
        stages = ledger.stages()
        parent = stages[stages == "operating"].index[0]
        geom = site.parcels.geometry[parent]
        minx, miny, maxx, maxy = geom.bounds
        mid = (minx + maxx) / 2
        halves = {
            f"{parent}-W": shapely.clip_by_rect(geom, minx, miny, mid, maxy),
            f"{parent}-E": shapely.clip_by_rect(geom, mid, miny, maxx, maxy),
        }
        ledger.split(parent, halves, "2026-01-15", actor="规划科")
    profile = _stage_profile(tmp_path)
    out = tmp_path / "scored.gpkg"
    result = run("score", site_copy, "-p", profile, "-o", out, "--as-of", "2026-02-01")
    assert result.exit_code == 0, result.output
    assert "leaves out 1 retired parcel(s)" in result.stderr and repr(parent) in result.stderr
    layer = read_layer(out, "parcels")
    site = la.read_site(site_copy)
    assert parent in site.parcels.index and parent not in layer.index
    assert set(halves) <= set(layer.index)
    with Ledger.open(site_copy) as ledger, pytest.warns(RetiredParcelsWarning):
        api = SuitabilityModel.from_yaml(profile).score(site, as_of="2026-02-01", stages=ledger)
    assert sorted(layer.index) == sorted(api.index)
    assert layer["score"].reindex(api.index).to_numpy() == pytest.approx(
        api["score"].to_numpy(), nan_ok=True
    )
    assert (layer["rank"].reindex(api.index).fillna(-1) == api["rank"].fillna(-1)).all()


def test_score_refuses_weights_that_overflow_or_sum_to_zero(
    run, site_gpkg, tmp_path, one_line_error
):
    import yaml

    from landasset.suitability import load_profile

    spec = load_profile("ai").to_dict()
    spec.pop("weights", None)
    for value, phrase in ((1e308, "sum overflows"), (0.0, "sum to 0")):
        for criterion in spec["criteria"]:
            criterion["weight"] = value
        profile = tmp_path / "weights.yaml"
        profile.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        out = tmp_path / "scored.gpkg"
        result = run("score", site_gpkg, "-p", profile, "-o", out)
        one_line_error(result, 2, contains=phrase)
        assert not out.exists()


def test_score_lists_everything_the_site_lacks_in_one_line(run, tmp_path, one_line_error):
    import landasset as la

    site = la.sample.load("yunqi")
    poor = site.replace(
        stations=site.stations.iloc[:0], parcels=site.parcels.drop(columns="far_max")
    )
    path = poor.to_file(tmp_path / "poor.gpkg")
    result = run("score", path, "-p", "aerospace", "-o", tmp_path / "s.gpkg")
    line = one_line_error(result, 2, contains="the stations layer is empty")
    assert "the parcels have no column 'far_max'" in line and "more" not in line
