import numpy as np
import pandas as pd
import pytest

import landasset.measures
from landasset import LandassetValueError
from landasset.suitability import (
    Criterion,
    SuitabilityModel,
    dirichlet_concentration,
    linear,
    load_profile,
    sensitivity,
)
from landasset.suitability.model import rank_columns

from .conftest import grid_parcels


class _FakeSite:
    def __init__(self, parcels):
        self.parcels = parcels


def _model(weights=(0.5, 0.3, 0.2), **kwargs):
    names = ["a", "b", "c"]
    return SuitabilityModel(
        [
            Criterion(n, {"measure": "attribute", "column": n}, linear(1, 0), w)
            for n, w in zip(names, weights, strict=True)
        ],
        **kwargs,
    )


def _site(values):
    parcels = grid_parcels(len(values))
    for j, name in enumerate("abc"):
        parcels[name] = [row[j] for row in values]
    return _FakeSite(parcels)


def _frame(site):
    return pd.DataFrame(
        {f"attribute(column={n})": site.parcels[n].astype(float) for n in "abc"},
        index=site.parcels.index,
    )


def test_concentration_formula():
    assert dirichlet_concentration(0.2, 8) == pytest.approx(7 / 0.04 - 1)
    assert dirichlet_concentration(0.5, 2) == pytest.approx(3.0)
    with pytest.raises(LandassetValueError, match="too large for 3 criteria"):
        dirichlet_concentration(2.0, 3)
    with pytest.raises(LandassetValueError, match="spread must be a number > 0"):
        dirichlet_concentration(0, 3)


def test_draws_are_centred_on_the_model_weights_with_the_documented_spread():
    rng = np.random.default_rng(1)
    site = _site(rng.random((20, 3)).tolist())
    model = _model(weights=(1, 1, 1))
    s = sensitivity(model, site, n=4000, spread=0.3, seed=3, measures=_frame(site))
    w = s.weights.to_numpy()
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    np.testing.assert_allclose(w.mean(axis=0), [1 / 3] * 3, atol=0.01)
    cv = w.std(axis=0) / w.mean(axis=0)
    np.testing.assert_allclose(cv, 0.3, rtol=0.06)
    assert s.concentration == pytest.approx(2 / 0.09 - 1)


def test_ranks_match_a_plain_per_draw_ranking():
    rng = np.random.default_rng(0)
    values = rng.random((30, 3)).round(1).tolist()  # ties on purpose
    site = _site(values)
    model = _model()
    s = sensitivity(model, site, n=50, seed=7, top_k=5, measures=_frame(site))
    v = np.asarray(values)
    ranks = []
    for w in s.weights.to_numpy():
        score = pd.Series(np.clip(v @ w, 0, 1), index=site.parcels.index)
        ranks.append(score.rank(ascending=False, method="min"))
    ranks = pd.concat(ranks, axis=1)
    table = s.parcels.loc[site.parcels.index]
    np.testing.assert_allclose(table["mean_rank"], ranks.mean(axis=1))
    np.testing.assert_allclose(table["rank_std"], ranks.std(axis=1, ddof=0), atol=1e-9)
    np.testing.assert_allclose(table["p_top_k"], (ranks <= 5).mean(axis=1))
    assert (table["rank_best"] == ranks.min(axis=1)).all() and (
        table["rank_worst"] == ranks.max(axis=1)
    ).all()


def test_a_dominant_parcel_always_stays_first_and_results_are_reproducible():
    values = [[1, 1, 1], [0.5, 0.2, 0.9], [0.1, 0.8, 0.3], [0.4, 0.4, 0.4]]
    site = _site(values)
    model = _model()
    s1 = sensitivity(model, site, n=300, seed=11, top_k=1, measures=_frame(site))
    s2 = sensitivity(model, site, n=300, seed=11, top_k=1, measures=_frame(site))
    pd.testing.assert_frame_equal(s1.parcels, s2.parcels)
    first = s1.parcels.loc["P0"]
    assert first["p_top_k"] == 1.0 and first["rank_std"] == 0.0 and first["rank_worst"] == 1
    assert s1.parcels.index[0] == "P0"
    assert s1.parcels["p_top_k"].sum() == pytest.approx(1.0)  # exactly one parcel is first per draw


def test_leave_one_out():
    # criterion c equal for all parcels: dropping it changes nothing
    values = [[0.9, 0.1, 0.5], [0.2, 0.8, 0.5], [0.6, 0.6, 0.5], [0.1, 0.2, 0.5]]
    site = _site(values)
    s = sensitivity(_model(), site, n=20, top_k=2, measures=_frame(site))
    loo = s.leave_one_out
    assert loo.index.tolist() == ["a", "b", "c"]
    assert loo.loc["c", "spearman"] == pytest.approx(1.0) and loo.loc["c", "top_k_kept"] == 1.0
    assert loo.loc["c", "max_rank_change"] == 0
    assert loo.loc["a", "spearman"] < 1.0
    assert (s.parcels["rank_without_c"] == s.parcels["rank"]).all()
    # with only b: ranks by b alone
    np.testing.assert_array_equal(
        s.parcels.loc[site.parcels.index, "rank_without_a"].to_numpy(),
        rank_columns(
            np.array(
                [
                    [0.1 * 0.3 / 0.5 + 0.5 * 0.2 / 0.5],
                    [0.8 * 0.6 + 0.2],
                    [0.6 * 0.6 + 0.2],
                    [0.2 * 0.6 + 0.2],
                ]
            )
        )[:, 0],
    )


@pytest.mark.parametrize("method", ["owa", "topsis"])
def test_other_methods_match_their_own_scoring(method):
    rng = np.random.default_rng(5)
    site = _site(rng.random((15, 3)).tolist())
    kwargs = {"order_weights": (0.2, 0.3, 0.5)} if method == "owa" else {"normalization": "minmax"}
    model = _model(method=method, **kwargs)
    s = sensitivity(model, site, n=30, seed=2, measures=_frame(site))
    for k in (0, 7, 29):
        w = s.weights.iloc[k].to_dict()
        drawn = SuitabilityModel(
            [Criterion(c.name, c.measure, c.transform, w[c.name]) for c in model.criteria],
            method=method,
            **kwargs,
        )
        expected = drawn.score_frame(site.parcels, _frame(site))["score"]
        from landasset.suitability._scoring import Aggregator as _Aggregator

        v = drawn.score_frame(site.parcels, _frame(site)).filter(like="v_").to_numpy()
        agg = _Aggregator(model, v, reference=np.ones(len(v), bool))
        np.testing.assert_allclose(
            agg.scores(s.weights.to_numpy()[[k]])[:, 0], expected, atol=1e-12
        )


def test_measures_are_computed_once(monkeypatch, sample_site):
    calls = []
    original = landasset.measures.compute

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(landasset.measures, "compute", counting)
    s = sensitivity(load_profile("aerospace"), sample_site, n=200, top_k=10, as_of="2025-12-31")
    assert len(calls) == 1
    assert len(s.parcels) > 100
    assert s.parcels["p_top_k"].between(0, 1).all()
    assert (s.parcels["rank_best"] <= s.parcels["mean_rank"]).all()
    assert (s.parcels["mean_rank"] <= s.parcels["rank_worst"]).all()
    assert "Sensitivity" in s._repr_html_() and "κ" in repr(s)


def test_invalid_arguments():
    site = _site([[0.1, 0.2, 0.3]])
    with pytest.raises(LandassetValueError, match="n must be a positive whole number"):
        sensitivity(_model(), site, n=0, measures=_frame(site))
    with pytest.raises(LandassetValueError, match="top_k must be"):
        sensitivity(_model(), site, top_k=1.5, measures=_frame(site))
