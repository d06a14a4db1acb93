import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landasset as la
from landasset import LandassetError, LandassetValueError, ProfileError, SchemaError
from landasset.suitability import (
    ConsistencyWarning,
    Criterion,
    LayerRule,
    MeasureRule,
    MissingValueWarning,
    StageRule,
    SuitabilityModel,
    linear,
    load_profile,
    measure_label,
)

from .conftest import grid_parcels, three_criteria_model

ISSUE_YAML = """
version: 1
name: aerospace
description: 空天信息 — satellite and commercial-aerospace manufacturing
method: wlc                       # wlc | owa | topsis
criteria:
  - name: metro
    measure: {measure: walk_distance, targets: stations}
    transform: {linear: {best: 300, worst: 2000}}
    weight: 0.3
  - name: size
    measure: {measure: area_mu}
    transform: {logistic: {mid: 30, steepness: 0.2}}
    weight: 0.2
  - name: services
    measure: {measure: count_within, points: amenities, radius: 500}
    transform: {large: {mid: 10, spread: 3}}
    weight: 0.5
constraints:
  - {measure: area_mu, op: ">=", value: 10}
  - {layer: constraints, kind: ecological_redline, max_share: 0.0}
"""


def _yaml_with(old: str, new: str) -> str:
    assert old in ISSUE_YAML
    return ISSUE_YAML.replace(old, new)


# -- the file format ----------------------------------------------------------------------


def test_issue_yaml_reads_and_round_trips_exactly():
    model = SuitabilityModel.from_yaml(ISSUE_YAML)
    assert model.names == ["metro", "size", "services"]
    assert model.criterion_weights.to_dict() == {"metro": 0.3, "size": 0.2, "services": 0.5}
    assert isinstance(model.constraints[0], MeasureRule) and isinstance(
        model.constraints[1], LayerRule
    )
    text = model.to_yaml()
    again = SuitabilityModel.from_yaml(text)
    assert again == model
    assert again.to_yaml() == text
    assert "transform: {linear: {best: 300, worst: 2000}}" in text
    assert "version: 1" in text


def test_ahp_weights_block():
    text = (
        ISSUE_YAML.replace("    weight: 0.3\n", "")
        .replace("    weight: 0.2\n", "")
        .replace("    weight: 0.5\n", "")
    )
    text = text.replace(
        "criteria:", "weights: {ahp: [[1, 3, 2], [0.3333, 1, 0.5], [0.5, 2, 1]]}\ncriteria:"
    )
    model = SuitabilityModel.from_yaml(text)
    assert model.ahp_result is not None and model.ahp_result.consistent
    np.testing.assert_allclose(model.criterion_weights, model.ahp_result.weights)
    assert model.criterion_weights.idxmax() == "metro"
    assert SuitabilityModel.from_yaml(model.to_yaml()) == model


def test_rank_sum_and_direct_weights_blocks():
    base = three_criteria_model()
    crits = [Criterion(c.name, c.measure, c.transform) for c in base.criteria]
    m = SuitabilityModel(crits, weights={"rank_sum": {"metro": 1, "size": 2, "services": 3}})
    np.testing.assert_allclose(m.criterion_weights, [3 / 6, 2 / 6, 1 / 6])
    d = SuitabilityModel(crits, weights={"direct": {"metro": 2, "size": 1, "services": 1}})
    np.testing.assert_allclose(d.criterion_weights, [0.5, 0.25, 0.25])
    for model in (m, d):
        assert SuitabilityModel.from_yaml(model.to_yaml()) == model


def test_inconsistent_ahp_warns_with_the_judgement_to_revise():
    crits = [Criterion(n, {"measure": "area_mu"}, linear(0, 1)) for n in "abc"]
    # a cycle (a > b > c > a): the three revisions tie exactly, the first pair is named
    with pytest.warns(
        ConsistencyWarning,
        match=r"inconsistent \(CR 6.130 > 0.1\); reconsider a vs b: judged 9, "
        r"the weights imply 1 \(CR 6.130 → 2.205\)",
    ):
        SuitabilityModel(crits, weights={"ahp": [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]})


def test_rationale_and_text_survive_the_round_trip():
    model = load_profile("aerospace")
    assert all(c.rationale for c in model.criteria)
    again = SuitabilityModel.from_yaml(model.to_yaml())
    assert [c.rationale for c in again.criteria] == [c.rationale for c in model.criteria]
    multi = three_criteria_model(description="line one\nline two: 空天信息")
    assert SuitabilityModel.from_yaml(multi.to_yaml()).description == "line one\nline two: 空天信息"


def test_file_paths(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text(ISSUE_YAML, encoding="utf-8")
    assert SuitabilityModel.from_yaml(path) == SuitabilityModel.from_yaml(str(path))
    with pytest.raises(la.LandassetIOError, match="no profile file"):
        SuitabilityModel.from_yaml(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        (
            "{mid: 10, spread: 3}",
            "{mid: 10, spread: -3}",
            r"^criteria\[2\]\.transform\.large\.spread: must be > 0",
        ),
        (
            "{best: 300, worst: 2000}",
            "{best: 300, worst: 2000, mid: 5}",
            r"^criteria\[0\]\.transform\.linear\.mid: unknown key; use one of: 'best', 'worst'",
        ),
        (
            "{linear: {best",
            "{lineer: {best",
            r"^criteria\[0\]\.transform: 'lineer' is not a transform; use one of: 'linear'",
        ),
        (
            "measure: walk_distance",
            "measure: walk_dist",
            r"^criteria\[0\]\.measure\.measure: 'walk_dist' is not a measure; use one of: .*'walk_distance'",
        ),
        (
            "radius: 500}",
            "radius: 500, radious: 3}",
            r"^criteria\[2\]\.measure\.radious: count_within has no option 'radious'; use one of: 'points', 'radius'",
        ),
        (
            'op: ">="',
            'op: "=>"',
            r"^constraints\[0\]\.op: '=>' is not an operator; use one of: '<', '<='",
        ),
        (
            "method: wlc ",
            "method: wpm ",
            r"^method: 'wpm' is not a method; use one of: 'wlc', 'owa', 'topsis'",
        ),
        (
            "kind: ecological_redline",
            "kind: [ ]",
            r"^constraints\[1\]\.kind: needs at least 1 item",
        ),
        (
            "layer: constraints",
            "layer: parcels",
            r"^constraints\[1\]\.layer: 'parcels' is not a constraint layer",
        ),
        (
            "version: 1",
            "version: 2",
            r"^version: this landasset reads profile format version 1, got 2",
        ),
        ("version: 1\n", "", r"missing the required key 'version'"),
        (
            "    weight: 0.2\n",
            "",
            r"^criteria\[1\]\.weight: missing; give every criterion a weight",
        ),
        (
            "    weight: 0.5\n",
            "    weight: 0.5\n    wieght: 1\n",
            r"^criteria\[2\]\.wieght: unknown key; use one of: 'name', 'measure'",
        ),
        ("name: size", "name: metro", r"^criteria\[1\]\.name: 'metro' is used twice"),
        ("name: size", "name: size-mu", r"^criteria\[1\]\.name: 'size-mu' is not an identifier"),
        ("value: 10}", "value: [10]}", r"^constraints\[0\]\.value: expected a number"),
    ],
)
def test_errors_name_the_key_path_and_the_choices(old, new, match):
    with pytest.raises(ProfileError, match=match):
        SuitabilityModel.from_yaml(_yaml_with(old, new))


@pytest.mark.parametrize(
    "text",
    [
        # Python tags: the safe loader refuses to construct objects
        ISSUE_YAML.replace(
            "name: aerospace", "name: !!python/object/apply:os.system ['echo pwned']"
        ),
        ISSUE_YAML.replace("weight: 0.3", "weight: !!python/name:builtins.eval"),
        ISSUE_YAML.replace("version: 1", "version: !custom 1"),
        # expression strings: never evaluated, refused where a number or a name belongs
        ISSUE_YAML.replace("weight: 0.3", "weight: '0.6 / 2'"),
        ISSUE_YAML.replace("best: 300", "best: \"__import__('os').getpid()\""),
        ISSUE_YAML.replace('- {measure: area_mu, op: ">=", value: 10}', '- "area_mu >= 10"'),
        ISSUE_YAML.replace(
            '- {measure: area_mu, op: ">=", value: 10}', '- {rule: "area_mu >= 10"}'
        ),
        ISSUE_YAML.replace("value: 10}", "value: \"eval('10')\"}"),
        ISSUE_YAML.replace("targets: stations", 'targets: "stations[stations.open]"'),
        ISSUE_YAML.replace('op: ">=", value: 10', 'op: "==", value: "__import__(\'os\')"'),
    ],
)
def test_python_tags_and_expression_strings_are_refused(text):
    with pytest.raises(ProfileError) as info:
        SuitabilityModel.from_yaml(text)
    message = str(info.value)
    assert any(
        word in message
        for word in ("tag", "expression", "never evaluated", "never an expression", "plain")
    )


def test_duplicate_keys_are_refused():
    text = ISSUE_YAML.replace("    weight: 0.3\n", "    weight: 0.3\n    weight: 0.9\n")
    with pytest.raises(ProfileError, match="'weight' appears twice"):
        SuitabilityModel.from_yaml(text)


def test_not_yaml_and_weights_twice():
    with pytest.raises(ProfileError, match="not valid YAML"):
        SuitabilityModel.from_yaml("version: 1\ncriteria: [\n")
    text = ISSUE_YAML.replace(
        "criteria:", "weights: {rank_sum: {metro: 1, size: 2, services: 3}}\ncriteria:"
    )
    with pytest.raises(
        ProfileError,
        match=r"criteria\[0\]\.weight: give weights per criterion or in 'weights:', not both",
    ):
        SuitabilityModel.from_yaml(text)


def test_method_options():
    with pytest.raises(ProfileError, match="order_weights: method owa needs order weights"):
        three_criteria_model(method="owa")
    with pytest.raises(ProfileError, match="order_weights: only apply to method 'owa'"):
        three_criteria_model(order_weights=(1, 0, 0))
    m = three_criteria_model(method="owa", order_weights=(0.2, 0.3, 0.5))
    assert "order_weights: [0.2, 0.3, 0.5]" in m.to_yaml()
    t = three_criteria_model(method="topsis", normalization="minmax")
    assert SuitabilityModel.from_yaml(t.to_yaml()) == t
    with pytest.raises(ProfileError, match="'l2' is not a TOPSIS normalisation"):
        three_criteria_model(method="topsis", normalization="l2")


def test_measure_labels_and_specs():
    assert measure_label({"measure": "count_within", "radius": 500.0, "points": "amenities"}) == (
        "count_within(points=amenities, radius=500)"
    )
    model = SuitabilityModel.from_yaml(ISSUE_YAML)
    assert list(model.measure_specs()) == [
        "walk_distance(targets=stations)",
        "area_mu",
        "count_within(points=amenities, radius=500)",
        "constrained_share(kind=ecological_redline)",
    ]


# -- scoring on a hand-built measure frame -------------------------------------------------


def test_score_frame_values(model, parcels, measures):
    result = model.score_frame(parcels, measures)
    assert result.index.equals(parcels.index)
    assert result.crs == parcels.crs
    v = np.column_stack(
        [
            np.clip((2000 - measures.iloc[:, 0]) / 1700, 0, 1),
            1 / (1 + np.exp(-0.2 * (measures.iloc[:, 1] - 30))),
            1 / (1 + (measures.iloc[:, 2].astype(float) / 10) ** -3.0),
        ]
    )
    expected = v @ np.array([0.5, 0.3, 0.2])
    np.testing.assert_allclose(result["score"], expected)
    np.testing.assert_allclose(result[["v_metro", "v_size", "v_services"]], v)
    np.testing.assert_allclose(
        result[["c_metro", "c_size", "c_services"]].sum(axis=1), result["score"], atol=1e-15
    )
    order = np.argsort(-expected)
    assert result["rank"].iloc[order].tolist() == [1, 2, 3, 4, 5, 6]
    assert result["eligible"].all() and result["excluded_by"].isna().all()
    assert (result["missing"] == "").all()
    assert result["m_services"].tolist() == measures.iloc[:, 2].tolist()
    assert {"land_use", "far_max", "geometry"} <= set(result.columns)


def test_constraints_exclude_and_name_the_rule(parcels, measures):
    model = three_criteria_model(constraints=[{"measure": "area_mu", "op": ">=", "value": 20}])
    result = model.score_frame(parcels, measures)
    excluded = result.index[~result["eligible"]].tolist()
    assert excluded == ["P3", "P5"]
    assert result.loc["P3", "excluded_by"] == "area_mu >= 20"
    assert result.loc[excluded, "rank"].isna().all()
    assert not result.loc[excluded, "score"].isna().any()  # what they would score
    assert sorted(result["rank"].dropna().tolist()) == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("rule", "values", "passed"),
    [
        (MeasureRule("area_mu", "<", 2), [1.0, 2.0, 3.0], [True, False, False]),
        (MeasureRule("area_mu", "<=", 2), [1.0, 2.0, 3.0], [True, True, False]),
        (MeasureRule("area_mu", ">", 2), [1.0, 2.0, 3.0], [False, False, True]),
        (MeasureRule("area_mu", "==", 2), [1.0, 2.0, 3.0], [False, True, False]),
        (MeasureRule("area_mu", "!=", 2), [1.0, 2.0, 3.0], [True, False, True]),
        (
            MeasureRule("land_use_family", "in", ["industrial", "warehouse"]),
            ["industrial", "green", "warehouse"],
            [True, False, True],
        ),
        (
            MeasureRule("land_use_family", "not in", ["green"]),
            ["industrial", "green", "warehouse"],
            [True, False, True],
        ),
        (LayerRule("ecological_redline", max_share=0.1), [0.0, 0.1, 0.2], [True, True, False]),
        (
            StageRule(("reserved", "supply_ready")),
            ["reserved", "operating", "supply_ready"],
            [True, False, True],
        ),
    ],
)
def test_every_operator(rule, values, passed):
    got, undecided = rule.passes(
        pd.Series(values, dtype=object if isinstance(values[0], str) else float)
    )
    assert got.tolist() == passed and not undecided.any()


def test_missing_values_are_reported_never_zero(model, parcels, measures):
    measures = measures.copy()
    measures.iloc[1, 0] = np.nan
    measures.iloc[4, 0] = np.nan
    measures.iloc[4, 1] = np.nan
    with pytest.warns(
        MissingValueWarning, match=r"2 parcel\(s\) have missing criterion values .*metro 2, size 1"
    ):
        result = model.score_frame(parcels, measures)
    assert result.loc[["P1", "P4"], "score"].isna().all()
    assert result.loc[["P1", "P4"], "rank"].isna().all()
    assert result.loc["P4", "missing"] == "metro,size" and result.loc["P1", "missing"] == "metro"
    assert sorted(result["rank"].dropna().tolist()) == [1, 2, 3, 4]


def test_missing_value_of_a_rule_makes_the_parcel_ineligible(parcels, measures):
    model = three_criteria_model(
        constraints=[{"layer": "constraints", "kind": "flood_zone", "max_share": 0.5}]
    )
    frame = measures.assign(
        **{"constrained_share(kind=flood_zone)": [0.0, np.nan, 0.6, 0.0, 0.0, 0.0]}
    )
    with pytest.warns(
        MissingValueWarning,
        match=r"rules without a value .*'constraints\[flood_zone\] share <= 0.5' 1",
    ):
        result = model.score_frame(parcels, frame)
    assert result.loc["P1", "excluded_by"] == "constraints[flood_zone] share <= 0.5 (no value)"
    assert result.loc["P2", "excluded_by"] == "constraints[flood_zone] share <= 0.5"


def test_absent_measure_column_is_an_error(model, parcels, measures):
    with pytest.raises(
        SchemaError, match=r"no column 'area_mu'; build it with model.measure_frame"
    ):
        model.score_frame(parcels, measures.drop(columns="area_mu"))


def test_stage_rules_need_a_ledger(sample_site):
    model = three_criteria_model(constraints=[{"stage": ["reserved", "supply_ready"]}])
    with pytest.raises(
        SchemaError,
        match=r"needs what is missing: lifecycle stages \(needed by stage in \[reserved, "
        r"supply_ready\]\): give a ledger \(stages=",
    ) as info:
        model.score(sample_site, as_of="2025-12-31")
    assert isinstance(info.value, (LandassetError, ValueError))
    # the measure frame scored without stages still refuses the stage rule
    with pytest.raises(LandassetValueError, match=r"constraints\[0\] \(stage in .*needs lifecycle"):
        model.score_frame(sample_site.parcels, model.measure_frame(sample_site))
    stages = sample_site.parcels["stage"]
    result = model.score(sample_site, as_of="2025-12-31", stages=stages)
    assert result["eligible"].sum() == stages.isin(["reserved", "supply_ready"]).sum() > 0
    assert set(result.loc[~result["eligible"], "excluded_by"]) == {
        "stage in [reserved, supply_ready]"
    }

    class Ledger:
        def __init__(self) -> None:
            self.asked: list[object] = []

        def stages(self, as_of: object) -> pd.Series:
            self.asked.append(as_of)
            return stages

    ledger = Ledger()
    again = model.score(sample_site, as_of="2025-12-31", stages=ledger)
    assert ledger.asked == [pd.Timestamp("2025-12-31")]  # read on the day, normalised
    pd.testing.assert_series_equal(again["eligible"], result["eligible"])
    # the old keyword still works, with a FutureWarning naming the new one
    with pytest.warns(FutureWarning, match=r"pass stages="):
        old = model.score(sample_site, as_of="2025-12-31", ledger=stages)
    pd.testing.assert_series_equal(old["eligible"], result["eligible"])
    with pytest.raises(LandassetValueError, match="not both"):
        model.score(sample_site, as_of="2025-12-31", ledger=stages, stages=stages)


def test_owa_contributions_sum_and_topsis_explains_gaps(parcels, measures):
    owa_model = three_criteria_model(method="owa", order_weights=(0.1, 0.3, 0.6))
    r = owa_model.score_frame(parcels, measures)
    np.testing.assert_allclose(r.filter(like="c_").sum(axis=1), r["score"], atol=1e-12)
    topsis_model = three_criteria_model(method="topsis")
    t = topsis_model.score_frame(parcels, measures)
    assert t.filter(like="c_").isna().all().all()
    assert t["score"].between(0, 1).all()
    table = topsis_model.explain(t, t["rank"].idxmin())
    assert {"ideal_gap", "anti_ideal_gap"} <= set(table.columns)


def test_attribute_and_land_use_family_measures(sample_site):
    model = SuitabilityModel(
        [
            Criterion("far", {"measure": "attribute", "column": "far_max"}, linear(4, 0), 0.5),
            Criterion(
                "family",
                {"measure": "land_use_family"},
                {"categorical": {"mapping": {"industrial": 1}}},
                0.5,
            ),
        ]
    )
    frame = model.measure_frame(sample_site)
    assert frame["attribute(column=far_max)"].equals(sample_site.parcels["far_max"].astype(float))
    assert frame.loc["XH120101-08", "land_use_family"] == "industrial"
    with pytest.raises(ProfileError, match="attribute needs the option 'column'"):
        SuitabilityModel([Criterion("x", {"measure": "attribute"}, linear(0, 1), 1.0)])


# -- properties -----------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 5000), st.floats(0, 200), st.integers(0, 80)),
        min_size=1,
        max_size=12,
    ),
    st.lists(st.floats(0.01, 10), min_size=3, max_size=3),
)
def test_scores_in_unit_interval_and_contributions_sum(rows, weights):
    model = SuitabilityModel(
        [
            Criterion(c.name, c.measure, c.transform, w)
            for c, w in zip(three_criteria_model().criteria, weights, strict=True)
        ]
    )
    parcels = grid_parcels(len(rows))
    frame = pd.DataFrame(rows, columns=list(model.measure_specs()), index=parcels.index)
    result = model.score_frame(parcels, frame)
    assert result["score"].between(0, 1).all()
    np.testing.assert_allclose(result.filter(like="c_").sum(axis=1), result["score"], atol=1e-12)
    assert model.criterion_weights.sum() == pytest.approx(1.0)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 5000), st.floats(0, 200), st.integers(0, 80)), min_size=2, max_size=8
    ),
    st.data(),
)
def test_improving_a_benefit_measure_never_lowers_the_score(rows, data):
    model = three_criteria_model()
    parcels = grid_parcels(len(rows))
    frame = pd.DataFrame(rows, columns=list(model.measure_specs()), index=parcels.index).astype(
        float
    )
    i = data.draw(st.integers(0, len(rows) - 1))
    better = frame.copy()
    # area and amenities are benefits (more is better); walking distance a cost
    better.iloc[i, 1] += data.draw(st.floats(0, 100))
    better.iloc[i, 2] += data.draw(st.integers(0, 50))
    better.iloc[i, 0] -= data.draw(st.floats(0, better.iloc[i, 0]))
    before = model.score_frame(parcels, frame)["score"].iloc[i]
    after = model.score_frame(parcels, better)["score"].iloc[i]
    assert after >= before - 1e-12


# -- on the sample district ----------------------------------------------------------------


@pytest.fixture(scope="module")
def aerospace_result(sample_site):
    model = load_profile("aerospace")
    return model, model.score(sample_site, as_of="2025-12-31")


def test_explain_top_parcel_of_the_sample_reproduces_its_score(aerospace_result):
    model, result = aerospace_result
    top = result["rank"].idxmin()
    assert result.loc[top, "rank"] == 1
    table = model.explain(result, top)
    assert table.index.tolist() == model.names
    assert table["contribution"].sum() == pytest.approx(result.loc[top, "score"], abs=1e-12)
    assert table.attrs["score"] == result.loc[top, "score"] and table.attrs["rank"] == 1
    np.testing.assert_allclose(table["contribution"], table["value"] * table["weight"])
    assert table["share"].sum() == pytest.approx(1.0)
    assert (table["criterion_rank"] >= 1).all()
    for name in model.names:
        assert table.loc[name, "value"] == result.loc[top, f"v_{name}"]


def test_sample_result_shape_and_constraints(aerospace_result, sample_site):
    model, result = aerospace_result
    assert result.index.equals(sample_site.parcels.index)
    assert result["rank"].min() == 1 and result["rank"].max() == result["eligible"].sum()
    assert not result["score"].isna().any()
    # every parcel cut by a red line is excluded (the first failed rule is named)
    share = model.measure_frame(sample_site)["constrained_share(kind=ecological_redline)"]
    assert (share > 0).sum() >= 4
    assert not result.loc[share > 0, "eligible"].any()
    by_redline = result["excluded_by"] == "constraints[ecological_redline] share <= 0"
    assert by_redline.sum() > 0 and (share[by_redline] > 0).all()
    residential = result.index[result["land_use"].isin(["R2", "0701"])]
    assert not result.loc[residential, "eligible"].any()


def test_as_of_counts_the_planned_station_only_once_open(sample_site):
    model = load_profile("aerospace")
    before = model.measure_frame(sample_site, as_of="2025-12-31")
    after = model.measure_frame(sample_site, as_of="2028-01-01")
    label = "walk_distance(targets=stations)"
    assert after.loc["XH120101-08", label] < 200 < before.loc["XH120101-08", label]


def test_what_if_change_brings_the_parcel_into_the_top_k(sample_site, aerospace_result):
    model, result = aerospace_result
    target = result.index[result["rank"] == 25][0]
    table = model.what_if(result, target, top_k=10)
    assert not table.attrs["already_in"] and table.attrs["rank"] == 25
    best = table.iloc[0]
    assert best["feasible"] and best["change"] > 0
    # apply the change to the measure frame and score again: the parcel is in the top 10
    frame = model.measure_frame(sample_site, as_of="2025-12-31")
    label = model.criteria[model.names.index(best.name)].label
    frame.loc[target, label] = best["raw_needed"]
    again = model.score_frame(sample_site.parcels, frame)
    assert again.loc[target, "rank"] <= 10
    assert again.loc[target, "score"] == pytest.approx(best["score_after"])
    # a parcel already in the top k needs no change; an excluded one cannot be helped
    top = model.what_if(result, result["rank"].idxmin(), top_k=10)
    assert top.attrs["already_in"] and (top["change"] == 0).all()
    excluded = result.index[~result["eligible"]][0]
    with pytest.raises(LandassetValueError, match="is not eligible"):
        model.what_if(result, excluded)


def test_explain_errors_and_html(aerospace_result):
    aero, result = aerospace_result
    with pytest.raises(KeyError, match="no parcel 'nope'"):
        aero.explain(result, "nope")
    other = SuitabilityModel([Criterion("elsewhere", {"measure": "area_mu"}, linear(0, 1), 1.0)])
    with pytest.raises(SchemaError, match="lacks 'v_elsewhere'"):
        other.explain(result, result.index[0])
    html = aero._repr_html_()
    assert "cluster" in html and "rationale" in html
    assert repr(aero).startswith("<SuitabilityModel 'aerospace' method=wlc")


def test_no_warning_on_a_clean_sample(sample_site):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = three_criteria_model().score(sample_site, as_of="2025-12-31")
    assert not math.isnan(result["score"].max())


@pytest.mark.parametrize("n", [0, 1])
def test_zero_and_one_parcel(model, parcels, measures, n):
    result = model.score_frame(parcels.iloc[:n], measures.iloc[:n])
    assert len(result) == n
    if n:
        assert result["rank"].tolist() == [1]
        assert model.explain(result, "P0")["contribution"].sum() == pytest.approx(
            result["score"].iloc[0]
        )
        assert model.what_if(result, "P0", top_k=1).attrs["already_in"]
    topsis_model = three_criteria_model(method="topsis")
    assert len(topsis_model.score_frame(parcels.iloc[:n], measures.iloc[:n])) == n


def test_nullable_measure_columns(model, parcels, measures):
    frame = measures.astype({"area_mu": "Float64"})
    frame.loc["P2", "area_mu"] = pd.NA
    with pytest.warns(MissingValueWarning, match="size 1"):
        result = model.score_frame(parcels, frame)
    assert np.isnan(result.loc["P2", "score"]) and result.loc["P2", "missing"] == "size"


def test_editing_the_result_leaves_the_inputs_alone(model, parcels, measures):
    before_parcels, before_measures = parcels.copy(), measures.copy()
    result = model.score_frame(parcels, measures)
    result.loc["P0", "far_max"] = -1.0
    result.loc["P0", "m_size"] = -1.0
    result.loc["P0", "land_use"] = "X"
    pd.testing.assert_frame_equal(parcels, before_parcels)
    pd.testing.assert_frame_equal(measures, before_measures)


# -- measure_frame: progress, as_of; stage values ------------------------------------------


def test_measure_frame_reports_progress_per_label_and_shares_intermediates(
    sample_site, monkeypatch
):
    from landasset import measures

    model = SuitabilityModel(
        [
            Criterion(
                "family",
                {"measure": "land_use_family"},
                {"categorical": {"mapping": {"industrial": 1}}},
                0.2,
            ),
            Criterion(
                "metro", {"measure": "walk_distance", "targets": "stations"}, linear(300, 2000), 0.3
            ),
            Criterion("far", {"measure": "attribute", "column": "far_max"}, linear(4, 0), 0.2),
            Criterion(
                "shops", {"measure": "walk_distance", "targets": "amenities"}, linear(100, 900), 0.3
            ),
        ],
        constraints=[{"measure": "area_mu", "op": ">=", "value": 10}],
    )
    expected = model.measure_frame(sample_site, as_of="2025-12-31")
    events: list[str] = []
    original = measures.network.street_graph

    def counting(streets):
        events.append("<graph>")
        return original(streets)

    monkeypatch.setattr(measures.network, "street_graph", counting)
    frame = model.measure_frame(sample_site, as_of="2025-12-31", progress=events.append)
    # computed measures in measure_specs() order (one shared street graph), then attributes
    assert events == [
        "<graph>",
        "walk_distance(targets=stations)",
        "walk_distance(targets=amenities)",
        "area_mu",
        "land_use_family",
        "attribute(column=far_max)",
    ]
    assert sorted(events[1:]) == sorted(model.measure_specs())
    pd.testing.assert_frame_equal(frame, expected)
    assert list(frame.columns) == list(model.measure_specs())


def test_measure_frame_checks_as_of_even_without_a_dated_measure(sample_site):
    local_only = SuitabilityModel(
        [Criterion("far", {"measure": "attribute", "column": "far_max"}, linear(4, 0), 1.0)]
    )
    done: list[str] = []
    with pytest.raises(la.measures.MeasureError, match=r"as_of='someday' is not a date") as info:
        local_only.measure_frame(sample_site, as_of="someday", progress=done.append)
    assert isinstance(info.value, (LandassetError, ValueError)) and done == []
    with pytest.raises(la.measures.MeasureError, match=r"as_of='someday' is not a date"):
        local_only.score(sample_site, as_of="someday")
    local_only.measure_frame(sample_site, as_of="2025-12-31", progress=done.append)
    assert done == ["attribute(column=far_max)"]


def test_stage_values_map_stages_to_identifiers_and_missing_to_none():
    from landasset.lifecycle import Stage
    from landasset.suitability._scoring import stage_values as _stage_values

    index = pd.Index(["a", "b", "c", "d", "e", "f", "g"], name="parcel_id")
    stages = pd.Series(
        [Stage.reserved, "supplied", None, np.nan, Stage.reserved, Stage.operating],
        index=["a", "b", "c", "d", "e", "zz"],
        dtype=object,
    )
    out = _stage_values(stages, index)
    assert out.index.equals(index) and out.dtype == object
    assert out.tolist() == ["reserved", "supplied", None, None, "reserved", None, None]
    assert all(type(v) is str for v in out.dropna())  # plain strings, not Stage members
    # categorical and string dtypes, and no stages at all
    categorical = pd.Series(["operating", None], index=["a", "b"], dtype="category")
    assert _stage_values(categorical, index[:3]).tolist() == ["operating", None, None]
    assert _stage_values(pd.Series([], dtype=object), index[:2]).tolist() == [None, None]
    assert _stage_values(stages, index[:0]).tolist() == []


def test_stage_rule_reads_stage_members_like_strings(sample_site):
    from landasset.lifecycle import Stage

    model = three_criteria_model(constraints=[{"stage": ["reserved", "supply_ready"]}])
    strings = sample_site.parcels["stage"]
    members = pd.Series(
        [Stage(s) if isinstance(s, str) else s for s in strings], index=strings.index, dtype=object
    )
    assert isinstance(members.dropna().iloc[0], Stage)
    a = model.score(sample_site, as_of="2025-12-31", stages=strings)
    b = model.score(sample_site, as_of="2025-12-31", stages=members)
    pd.testing.assert_series_equal(a["eligible"], b["eligible"])
    pd.testing.assert_series_equal(a["excluded_by"], b["excluded_by"])
    assert 0 < a["eligible"].sum() < len(a)


# -- weights that cannot be normalised ----------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (
            ("1.0e+308", "1.0e+308", "1"),
            r"criteria weights: the weights' sum overflows \(metro 1e\+308, size 1e\+308",
        ),
        (
            ("0", "0", "0"),
            r"criteria weights: the weights sum to 0 \(metro 0, size 0, services 0\)",
        ),
        (("0.0", "0.0", "0.0"), r"the weights sum to 0 .*give at least one criterion a positive"),
    ],
)
def test_criterion_weights_that_overflow_or_sum_to_zero_are_refused(weights, match):
    text = ISSUE_YAML
    for old, new in zip(("0.3", "0.2", "0.5"), weights, strict=True):
        text = text.replace(f"    weight: {old}\n", f"    weight: {new}\n")
    with pytest.raises(ProfileError, match=match):
        SuitabilityModel.from_yaml(text)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (".inf", r"criteria\[1\]\.weight: expected a finite number"),
        (".nan", r"criteria\[1\]\.weight: expected a finite number"),
        ("-1", r"criteria\[1\]\.weight: must be >= 0"),
    ],
)
def test_a_criterion_weight_that_is_not_finite_or_negative_is_named(value, match):
    with pytest.raises(ProfileError, match=match):
        SuitabilityModel.from_yaml(_yaml_with("    weight: 0.2\n", f"    weight: {value}\n"))


@pytest.mark.parametrize(
    ("direct", "match"),
    [
        (
            "{metro: 1.0e+308, size: 1.0e+308, services: 1}",
            r"weights\.direct: the weights' sum overflows",
        ),
        ("{metro: 0, size: 0, services: 0}", r"weights\.direct: the weights sum to 0"),
        ("{metro: 1, size: -2, services: 0}", r"weights\.direct\.size: must be >= 0"),
        ("{metro: 1, size: .inf, services: 0}", r"weights\.direct\.size: expected a finite number"),
    ],
)
def test_direct_weight_blocks_that_cannot_be_normalised_are_refused(direct, match):
    text = (
        ISSUE_YAML.replace("    weight: 0.3\n", "")
        .replace("    weight: 0.2\n", "")
        .replace("    weight: 0.5\n", "")
        .replace("criteria:", f"weights: {{direct: {direct}}}\ncriteria:")
    )
    with pytest.raises(ProfileError, match=match):
        SuitabilityModel.from_yaml(text)


def test_huge_but_summable_weights_are_normalised_exactly():
    # 8e307 * 2 stays below the largest float: the weights are kept, 1:1
    model = three_criteria_model()
    crits = [
        Criterion(c.name, c.measure, c.transform, w)
        for c, w in zip(model.criteria, (8e307, 8e307, 0.0), strict=True)
    ]
    weights = SuitabilityModel(crits).criterion_weights
    assert weights.to_dict() == {"metro": 0.5, "size": 0.5, "services": 0.0}


# -- retired parcels and the scoring date ---------------------------------------------------


def _size_model(method: str = "wlc") -> SuitabilityModel:
    from landasset.suitability import large

    return SuitabilityModel(
        [
            Criterion("size", "area_mu", linear(best=20, worst=0), 0.6),
            Criterion("shape", "compactness", large(mid=0.5, spread=5), 0.4),
        ],
        method=method,
        name="size",
    )


@pytest.fixture
def split_gpkg(tmp_path):
    """Six 15-mu squares in a GeoPackage whose ledger split P0 into 6 mu and 9 mu."""
    from shapely import box

    from landasset.lifecycle import Ledger

    parcels = grid_parcels(6)
    path = la.Site(parcels=parcels).to_file(tmp_path / "split.gpkg")
    x0, y0 = 514_000.0, 3_350_000.0
    with Ledger.open(path) as ledger:
        for pid in parcels.index:
            ledger.record(pid, "planned", "2023-01-01", actor="a")
        ledger.split(
            "P0",
            {"P0-1": box(x0, y0, x0 + 40, y0 + 100), "P0-2": box(x0 + 40, y0, x0 + 100, y0 + 100)},
            "2024-06-01",
            actor="a",
        )
    return path


@pytest.mark.parametrize("method", ["wlc", "topsis"])
def test_score_with_a_ledger_leaves_out_retired_parcels(split_gpkg, method):
    from landasset import RetiredParcelsWarning
    from landasset.lifecycle import Ledger

    site = la.read_site(split_gpkg)
    model = _size_model(method)
    with Ledger.open(split_gpkg) as ledger:
        with pytest.warns(RetiredParcelsWarning, match=r"model 'size' leaves out 1 retired.*'P0'"):
            result = model.score(site, as_of="2024-12-31", stages=ledger)
        stages = ledger.stages(as_of="2024-12-31")
    assert "P0" not in result.index and len(result) == len(site.parcels) - 1
    assert result.attrs == {"as_of": pd.Timestamp("2024-12-31"), "retired": ["P0"]}
    # the same as scoring a site that never had the parent (ranks and TOPSIS ideals alike)
    alone = model.score(la.Site(parcels=site.parcels.drop(index="P0")), as_of="2024-12-31")
    pd.testing.assert_series_equal(result["score"], alone["score"])
    pd.testing.assert_series_equal(result["rank"], alone["rank"])
    # competition ranks among the live parcels only: 1 + how many score strictly higher
    higher = result["score"].to_numpy()[None, :] > result["score"].to_numpy()[:, None] + 1e-12
    assert result["rank"].tolist() == (1 + higher.sum(axis=1)).tolist()
    # the children (6 and 9 mu) are scored on their own size: 6/20 and 9/20 of the way
    assert result.loc["P0-1", "v_size"] == pytest.approx(0.3)
    assert result.loc["P0-2", "v_size"] == pytest.approx(0.45)
    # a Series of stages does the same; scoring before the split keeps the parent
    with pytest.warns(RetiredParcelsWarning):
        again = model.score(site, as_of="2024-12-31", stages=stages)
    pd.testing.assert_series_equal(again["score"], result["score"])
    with Ledger.open(split_gpkg) as ledger, warnings.catch_warnings():
        warnings.simplefilter("error")
        before = model.score(site, as_of="2024-05-31", stages=ledger)
    assert "P0" in before.index and before.attrs["retired"] == []


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (None, None),
        ("2025-12-31", pd.Timestamp("2025-12-31")),
        (pd.Timestamp("2025-12-31 17:45"), pd.Timestamp("2025-12-31")),
        (np.datetime64("2025-12-31T08:00"), pd.Timestamp("2025-12-31")),
    ],
)
def test_every_result_carries_its_scoring_date_at_midnight(parcels, as_of, expected):
    model = _size_model()
    site = la.Site(parcels=parcels)
    result = model.score(site, as_of=as_of)
    assert result.attrs["as_of"] == expected
    if expected is not None:
        assert isinstance(result.attrs["as_of"], pd.Timestamp)
        assert result.attrs["as_of"] == result.attrs["as_of"].normalize()
    measures = model.measure_frame(site)
    assert model.score_frame(site.parcels, measures).attrs == {"as_of": None, "retired": []}


# -- land-use rules fail safe ---------------------------------------------------------------


def _land_use_model(rule: dict) -> SuitabilityModel:
    return SuitabilityModel(
        [Criterion("size", "area_mu", linear(best=20, worst=0), 1.0)],
        constraints=[rule],
        name="land",
    )


LAND_CODES = ["M1", "X9", "R2B1", "B19", None, "M1/X9", "M1/B2", "B1/B2", "100101"]


def _score_codes(rule: dict) -> pd.DataFrame:
    from landasset.landuse import LandUseCodeWarning

    parcels = grid_parcels(len(LAND_CODES))
    parcels["land_use"] = pd.Series(LAND_CODES, index=parcels.index, dtype=object)
    model = _land_use_model(rule)
    with (
        pytest.warns(LandUseCodeWarning, match="'B19' as 'B1'"),
        pytest.warns(MissingValueWarning, match="rules without a value"),
    ):
        return model.score(la.Site(parcels=parcels, validate=False))


def test_an_exclusion_rule_never_passes_an_unknown_land_use_code():
    result = _score_codes({"measure": "land_use_family", "op": "not in", "value": ["residential"]})
    label = "land_use_family not in ['residential']"
    by = dict(zip(LAND_CODES, result["excluded_by"], strict=True))
    eligible = dict(zip(LAND_CODES, result["eligible"], strict=True))
    assert {c for c, ok in eligible.items() if ok} == {"M1", "B19", "M1/B2", "B1/B2", "100101"}
    assert by["X9"] == "unknown land-use code 'X9'"
    assert by["M1/X9"] == "unknown land-use code 'X9'"  # the known part does not rescue it
    assert by["R2B1"] == label  # its residential part is excluded
    assert by[None] == f"{label} (no value)"
    assert result["rank"].notna().sum() == 5


def test_an_inclusion_rule_passes_a_mixed_code_with_a_listed_part():
    result = _score_codes({"measure": "land_use_family", "op": "in", "value": ["industrial"]})
    eligible = dict(zip(LAND_CODES, result["eligible"], strict=True))
    assert {c for c, ok in eligible.items() if ok} == {"M1", "M1/B2", "100101"}
    by = dict(zip(LAND_CODES, result["excluded_by"], strict=True))
    assert by["X9"] == "unknown land-use code 'X9'"
    assert by["B1/B2"] == "land_use_family in ['industrial']"
    equal = _score_codes({"measure": "land_use_family", "op": "==", "value": "industrial"})
    pd.testing.assert_series_equal(equal["eligible"], result["eligible"])


def test_a_family_rule_refuses_order_comparisons():
    with pytest.raises(ProfileError, match="families are names, use == / != / in / not in"):
        _land_use_model({"measure": "land_use_family", "op": ">", "value": 3}).score_frame(
            grid_parcels(2),
            pd.DataFrame(
                {"area_mu": [15.0, 15.0], "land_use_family": ["industrial", "green"]},
                index=grid_parcels(2).index,
            ),
        )
