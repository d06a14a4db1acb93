import warnings

import numpy as np
import pytest

from landasset import LandassetValueError, ProfileError
from landasset.measures import MEASURES
from landasset.suitability import (
    LOCAL_MEASURES,
    Criterion,
    SuitabilityModel,
    best_fit,
    linear,
    list_profiles,
    load_profile,
    profile_path,
)

PROFILES = ["aerospace", "ai", "life_health", "smart_manufacturing"]
# the criteria the issue lists for the aerospace profile, by measure
AEROSPACE_FAMILY = {
    "walk_distance", "nearest_distance", "frontage", "count_within", "cluster_strength",
    "area_mu", "compactness", "land_use_family", "constrained_share", "attribute",
}  # fmt: skip


def test_list_profiles():
    assert list_profiles() == PROFILES
    with pytest.raises(
        ProfileError, match="'aerospac' is not a bundled profile; use one of: 'aerospace'"
    ):
        load_profile("aerospac")


@pytest.mark.parametrize("name", PROFILES)
def test_profile_file_is_canonical_and_round_trips_exactly(name):
    model = load_profile(name)
    text = profile_path(name).read_text(encoding="utf-8")
    assert model.to_yaml() == text
    assert SuitabilityModel.from_yaml(text) == model
    assert model.name == name and model.version == 1 and model.description


@pytest.mark.parametrize("name", PROFILES)
def test_every_criterion_is_documented_and_uses_real_measures(name):
    model = load_profile(name)
    assert model.criterion_weights.sum() == pytest.approx(1.0)
    assert (model.criterion_weights > 0).all()
    for c in model.criteria:
        assert len(c.rationale) > 40, c.name
        assert c.spec["measure"] in {*MEASURES, *LOCAL_MEASURES}
    for rule in model.constraints:
        assert rule.rationale
    if model.ahp_result is not None:
        assert model.ahp_result.consistent


def test_aerospace_has_at_least_eight_criteria_from_the_issue_list():
    model = load_profile("aerospace")
    assert len(model.criteria) >= 8
    assert {c.spec["measure"] for c in model.criteria} <= AEROSPACE_FAMILY
    cluster = next(c for c in model.criteria if c.spec["measure"] == "cluster_strength")
    assert cluster.spec["industry"] == "aerospace_information"


@pytest.mark.parametrize("name", PROFILES)
def test_each_profile_scores_the_sample_without_warnings(name, sample_site):
    model = load_profile(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = model.score(sample_site, as_of="2025-12-31")
    eligible = result["eligible"]
    assert 50 < eligible.sum() < len(result)
    assert result.loc[eligible, "score"].between(0, 1).all()
    assert result["rank"].min() == 1


def test_best_fit_on_the_sample(sample_site):
    fit = best_fit(sample_site, PROFILES, as_of="2025-12-31", margin=0.05)
    assert fit.index.equals(sample_site.parcels.index)
    scores = fit[[f"score_{p}" for p in PROFILES]]
    has = scores.notna().any(axis=1)
    assert (fit.loc[has, "score"] == scores[has].max(axis=1)).all()
    assert fit.loc[~has, "best"].isna().all() and fit.loc[has, "best"].notna().all()
    two = scores.notna().sum(axis=1) >= 2
    np.testing.assert_allclose(
        fit.loc[two, "runner_up_score"], scores[two].apply(lambda r: r.nlargest(2).iloc[-1], axis=1)
    )
    assert (fit.loc[two, "margin"] >= 0).all()
    assert (fit["conflict"] == (two & (fit["margin"] <= 0.05))).all()
    assert set(fit["best"].dropna()) <= set(PROFILES)
    # residential parcels fit none of the industries
    assert fit.loc[sample_site.parcels["land_use"].isin(["R2", "0701"]), "best"].isna().all()
    # the same scores as scoring each profile alone
    alone = load_profile("ai").score(sample_site, as_of="2025-12-31")
    ranked = alone["rank"].notna()
    np.testing.assert_allclose(fit.loc[ranked, "score_ai"], alone.loc[ranked, "score"])


def test_best_fit_arguments(sample_site):
    custom = SuitabilityModel(
        [Criterion("size", {"measure": "area_mu"}, linear(50, 0), 1.0)], name="big"
    )
    fit = best_fit(sample_site, ["ai", custom], margin=0.0)
    assert list(fit.columns[-2:]) == ["score_ai", "score_big"]
    with pytest.raises(LandassetValueError, match="named 'big'"):
        best_fit(sample_site, [custom, custom])
    with pytest.raises(LandassetValueError, match="must be a list"):
        best_fit(sample_site, "ai")  # type: ignore[arg-type]
    with pytest.raises(LandassetValueError, match="margin must be"):
        best_fit(sample_site, ["ai"], margin=-1)


def test_profiles_page_documents_every_criterion_and_rule():
    from pathlib import Path

    page = (Path(__file__).parents[2] / "docs" / "profiles.md").read_text(encoding="utf-8")
    for name in PROFILES:
        model = load_profile(name)
        assert f"## `{name}`" in page
        for c in model.criteria:
            assert c.rationale in page, (name, c.name)
        for rule in model.constraints:
            assert f"`{rule.label}` — {rule.rationale}" in page, (name, rule.label)


@pytest.mark.parametrize(
    ("profile", "criterion", "measure"),
    [("aerospace", "axis", "nearest_distance"), ("ai", "frontage", "frontage")],
)
def test_golden_axis_criteria_measure_the_golden_axes_only(
    sample_site, profile, criterion, measure
):
    from landasset import measures as m

    model = load_profile(profile)
    (c,) = [c for c in model.criteria if c.name == criterion]
    assert c.measure["kind"] == "golden_axis"
    assert "golden ax" in c.rationale
    axes = sample_site.axes
    golden = axes[axes["kind"] == "golden_axis"]
    assert sorted(golden["name"]) == sorted(["荆大路", "山景路"])
    column = model.measure_frame(sample_site)[c.label]
    p = sample_site.parcels
    if measure == "frontage":
        only, every = m.frontage(p, golden), m.frontage(p, axes)
    else:
        only, every = m.nearest_distance(p, golden), m.nearest_distance(p, axes)
    np.testing.assert_array_equal(column.to_numpy(), only.to_numpy())
    # the urban axis and the green corridor would change the measure for some parcels
    assert not np.array_equal(only.to_numpy(), every.to_numpy())


# -- what a profile needs from a site -------------------------------------------------------


def test_aerospace_lists_what_it_reads_from_a_site():
    needs = load_profile("aerospace").requirements()
    assert list(needs.columns) == ["layer", "column", "kinds", "needed_by"]
    pairs = {(row.layer, row.column) for row in needs.itertuples()}
    # read off the profile file: walk to stations on streets, golden axes, amenities,
    # aerospace enterprises, the parcels' land_use and far_max, two constraint kinds
    assert pairs == {
        ("stations", None), ("streets", None), ("axes", None), ("axes", "kind"),
        ("amenities", None), ("amenities", "category"), ("enterprises", None),
        ("enterprises", "industry"), ("parcels", "land_use"), ("parcels", "far_max"),
        ("constraints", None), ("constraints", "kind"),
    }  # fmt: skip
    kinds = needs.set_index(["layer", "column"])["kinds"]
    assert kinds[("axes", "kind")] == "golden_axis"
    assert kinds[("constraints", "kind")] == ""  # a district may have no flood zone
    assert "stages" not in set(needs["layer"])


@pytest.mark.parametrize("name", PROFILES)
def test_every_bundled_profile_finds_what_it_needs_in_the_sample(sample_site, name):
    load_profile(name).check_site(sample_site)  # no error


def test_everything_a_profile_misses_is_reported_in_one_error(sample_site):
    from landasset import SchemaError
    from landasset.suitability import StageRule

    model = load_profile("aerospace")
    model = SuitabilityModel(
        model.criteria,
        (*model.constraints, StageRule(("reserved",))),
        model.method,
        name=model.name,
    )
    site = sample_site.replace(
        stations=sample_site.stations.iloc[:0],
        enterprises=sample_site.enterprises.iloc[:0],
        axes=sample_site.axes[sample_site.axes["kind"] != "golden_axis"],
        parcels=sample_site.parcels.drop(columns="far_max"),
    )
    computed = []
    with pytest.raises(SchemaError) as info:
        model.score(site, as_of="2025-12-31", progress=computed.append)
    message = str(info.value)
    assert computed == []  # refused before measuring anything
    expected = [
        "the stations layer is empty (needed by walk_distance(targets=stations))",
        "the axes have no kind 'golden_axis'",
        "the enterprises layer is empty (needed by cluster_strength(",
        "the parcels have no column 'far_max' (needed by attribute(column=far_max))",
        "lifecycle stages (needed by stage in [reserved])",
    ]
    for phrase in expected:
        assert phrase in message
    assert message.count(";") >= len(expected)
    assert "\n" not in message  # one line: the command line shows all of it
    # an empty constraints layer is a district without restricted areas, not missing data
    load_profile("aerospace").check_site(
        sample_site.replace(constraints=sample_site.constraints.iloc[:0])
    )


def test_best_fit_checks_the_union_of_the_profiles_needs(sample_site):
    from landasset import SchemaError

    site = sample_site.replace(amenities=sample_site.amenities.iloc[:0])
    with pytest.raises(SchemaError, match=r"the amenities layer is empty \(needed by count_within"):
        best_fit(site, ["ai", "aerospace"], as_of="2025-12-31")
