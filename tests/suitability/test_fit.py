"""best_fit and sensitivity: why a parcel fits no industry, min_score, retired parcels left out."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

import landasset as la
from landasset import LandassetValueError
from landasset.suitability import SuitabilityModel, best_fit

from .test_assemble import split_sample

MU_M2 = 10_000 / 15  # 1 mu = 666.67 m² (GB/T 19231 usage: 15 mu = 1 ha)

BIG = """
version: 1
name: big
criteria:
  - name: size
    measure: {measure: area_mu}
    transform: {linear: {best: 50, worst: 0}}
    weight: 1
constraints:
  - {measure: area_mu, op: ">=", value: 30}
"""

WORKS = """
version: 1
name: works
criteria:
  - name: size
    measure: {measure: area_mu}
    transform: {linear: {best: 50, worst: 0}}
    weight: 1
constraints:
  - {measure: land_use_family, op: not in, value: [residential, green]}
"""

# residential codes from GB 50137-2011 (R2, class-2 residential) and the 2020 land-use
# classification guide (0701, urban residential)
RESIDENTIAL = ["R2", "0701"]


@pytest.fixture(scope="module")
def models():
    return [SuitabilityModel.from_yaml(BIG), SuitabilityModel.from_yaml(WORKS)]


@pytest.fixture(scope="module")
def area_mu(sample_site):
    return sample_site.parcels.geometry.area / MU_M2


def test_reason_names_the_rule_of_each_profile(sample_site, models, area_mu):
    fit = best_fit(sample_site, models, as_of="2025-12-31")
    homes = sample_site.parcels["land_use"].isin(RESIDENTIAL)
    small, large = area_mu < 29.9, area_mu > 30.1
    both = fit.loc[homes & small, "reason"]
    assert len(both) > 0
    for text in both:
        first, second = text.split("; ")
        assert first == "big: excluded by area_mu >= 30"
        assert second.startswith("works: excluded by land_use_family")
    # a large house plot fits 'big' (no reason); a small works plot fits 'works'
    assert (fit.loc[homes & large, "best"] == "big").all()
    assert (fit.loc[~homes & small, "best"] == "works").all()
    # reason is None exactly where some profile fits
    assert (fit["reason"].isna() == fit["best"].notna()).all()
    assert fit.columns[:7].tolist() == [
        "best",
        "score",
        "runner_up",
        "runner_up_score",
        "margin",
        "conflict",
        "reason",
    ]
    assert fit.attrs["retired_parcels"] == []


def test_min_score_is_a_reason_with_the_score(sample_site, models, area_mu):
    fit = best_fit(sample_site, models, as_of="2025-12-31", min_score=0.9)
    homes = sample_site.parcels["land_use"].isin(RESIDENTIAL)
    # the score is area / 50 mu (clipped): below 0.9 under 45 mu
    mid = ~homes & (area_mu > 30.1) & (area_mu < 44.9)
    assert mid.sum() > 0
    for pid in fit.index[mid]:
        s = f"{area_mu[pid] / 50:.3f}"
        assert fit.at[pid, "reason"] == (
            f"big: score {s} below min_score 0.9; works: score {s} below min_score 0.9"
        )
        assert pd.isna(fit.at[pid, "best"]) and np.isnan(fit.at[pid, "score_big"])
    fits = area_mu > 45.1
    assert (fit.loc[fits & ~homes, "best"] == "big").all()  # tie at 1.0: first listed
    with pytest.raises(LandassetValueError, match="min_score must be a number"):
        best_fit(sample_site, models, min_score=float("nan"))


def test_retired_parcels_are_left_out(sample_site, models):
    stages = pd.Series("operating", index=sample_site.parcels.index)
    gone = sample_site.parcels.index[[3, 10]]
    stages[gone] = "retired"
    fit = best_fit(sample_site, models, as_of="2025-12-31", stages=stages)
    assert fit.attrs["retired_parcels"] == gone.tolist()
    assert fit.index.equals(sample_site.parcels.index.drop(gone))
    whole = best_fit(sample_site, models, as_of="2025-12-31")
    pd.testing.assert_frame_equal(fit, whole.drop(index=gone), check_like=False)
    same = best_fit(sample_site, models, as_of="2025-12-31", ledger=stages)
    assert same.index.equals(fit.index)
    with pytest.raises(LandassetValueError, match="not both"):
        best_fit(sample_site, models, stages=stages, ledger=stages)


def test_a_real_ledger_split_is_not_counted_twice(tmp_path, models):
    from landasset import read_site
    from landasset.lifecycle import Ledger

    path, parent, halves = split_sample(tmp_path)
    site = read_site(path)
    plain = best_fit(site, models, as_of="2025-12-31")
    assert parent in plain.index and set(halves) <= set(plain.index)
    with Ledger.open(path) as ledger:
        fit = best_fit(site, models, as_of="2025-12-31", stages=ledger)
    assert parent not in fit.index and set(halves) <= set(fit.index)
    assert fit.attrs["retired_parcels"] == [parent]
    # before the split date the parent is live
    with Ledger.open(path) as ledger:
        before = best_fit(site, models, as_of="2025-01-01", stages=ledger)
    assert parent in before.index


def test_the_command_writes_the_reason_and_leaves_out_retired_parcels(tmp_path):
    from click.testing import CliRunner

    from landasset.cli import cli
    from landasset.io import read_layer

    path, parent, halves = split_sample(tmp_path)
    out = tmp_path / "fit.gpkg"
    result = CliRunner().invoke(
        cli,
        [
            *("best-fit", str(path), "--profiles", "aerospace,ai", "--min-score", "0.5"),
            *("--as-of", "2025-12-31", "-o", str(out)),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"left out 1 retired parcel (split or merged): {parent}" in result.stderr
    fit = read_layer(out, layer="best_fit").set_index("parcel_id")
    assert parent not in fit.index and set(halves) <= set(fit.index)
    unfit = fit[fit["best"].isna()]
    assert len(unfit) > 0 and unfit["reason"].str.match(r"^aerospace: .+; ai: .+$").all()
    assert fit.loc[fit["best"].notna(), "reason"].isna().all()


@pytest.mark.skipif(
    "stages" not in inspect.signature(SuitabilityModel.score).parameters,
    reason="SuitabilityModel.score has no stages= keyword in this version",
)
def test_best_fit_agrees_with_score_on_retired_parcels(sample_site, models):
    """best_fit leaves out the parcels score(stages=...) leaves out, with the same scores."""
    stages = pd.Series("operating", index=sample_site.parcels.index)
    stages[sample_site.parcels.index[:5]] = "retired"
    fit = best_fit(sample_site, models, as_of="2025-12-31", stages=stages)
    for model in models:
        with warnings.catch_warnings():
            # score may say which parcels it left out with a LandassetWarning
            warnings.simplefilter("ignore", la.LandassetWarning)
            alone = model.score(sample_site, as_of="2025-12-31", stages=stages)
        assert fit.index.equals(alone.index)
        ranked = alone["rank"].notna()
        np.testing.assert_allclose(
            fit.loc[ranked, f"score_{model.name}"], alone.loc[ranked, "score"]
        )


def test_sensitivity_leaves_out_retired_parcels():
    from landasset.suitability import Criterion, linear, sensitivity

    from .conftest import grid_parcels

    values = np.array([[0.9, 0.1], [0.8, 0.8], [0.2, 0.3], [0.6, 0.5], [0.4, 0.9]])
    parcels = grid_parcels(len(values))
    parcels["a"], parcels["b"] = values[:, 0], values[:, 1]
    site = la.Site(parcels=parcels)
    model = SuitabilityModel(
        [
            Criterion(n, {"measure": "attribute", "column": n}, linear(1, 0), w)
            for n, w in (("a", 0.6), ("b", 0.4))
        ]
    )
    frame = pd.DataFrame({f"attribute(column={n})": parcels[n] for n in "ab"}, index=parcels.index)
    stages = pd.Series(["operating", "retired", "operating", "operating", "operating"])
    stages.index = parcels.index
    s = sensitivity(model, site, n=50, top_k=2, measures=frame, stages=stages)
    assert s.retired_parcels == ("P1",)
    # the ranking of the four live parcels by 0.6 a + 0.4 b, computed here
    live = [0, 2, 3, 4]
    scores = values[live] @ np.array([0.6, 0.4])
    expected = [f"P{live[i]}" for i in np.argsort(-scores)]
    assert s.parcels.index.tolist() == expected
    assert s.parcels["rank"].tolist() == [1, 2, 3, 4]
    assert sensitivity(model, site, n=5, measures=frame).retired_parcels == ()


def test_a_missing_value_is_a_reason():
    from landasset.suitability import Criterion, MissingValueWarning, linear

    from .conftest import grid_parcels

    parcels = grid_parcels(4)
    parcels["a"] = [0.9, np.nan, 0.2, 0.7]
    site = la.Site(parcels=parcels)
    model = SuitabilityModel(
        [Criterion("a", {"measure": "attribute", "column": "a"}, linear(1, 0), 1.0)], name="m"
    )
    with pytest.warns(MissingValueWarning):
        fit = best_fit(site, [model], min_score=0.5)
    assert fit["reason"].fillna("-").tolist() == [
        "-",
        "m: no value for a",
        "m: score 0.200 below min_score 0.5",
        "-",
    ]
    assert fit["best"].tolist()[::3] == ["m", "m"]
