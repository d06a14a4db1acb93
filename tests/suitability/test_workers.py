"""workers= on the score path: the same result to the bit as one process."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import landasset as la
from landasset.measures import UnreachableWarning
from landasset.suitability import best_fit, load_profile, sensitivity


@pytest.fixture(scope="module")
def city() -> la.Site:
    # just over two default partitions' worth: workers=2 splits it in processes
    return la.sample.synthetic_city(20_500, seed=5)


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        warnings.simplefilter("ignore", la.MissingValueWarning)
        return call(*args, **kwargs)


def test_score_with_two_workers_is_the_one_worker_score(city):
    model = load_profile("aerospace")
    one = quiet(model.score, city, as_of="2030-01-01", workers=1)
    two = quiet(model.score, city, as_of="2030-01-01", workers=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert one["rank"].notna().sum() > 0


def test_best_fit_and_sensitivity_take_workers(city):
    profiles = ["aerospace", "ai"]
    one = quiet(best_fit, city, profiles, as_of="2030-01-01", workers=1)
    two = quiet(best_fit, city, profiles, as_of="2030-01-01", workers=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    model = load_profile("ai")
    a = quiet(sensitivity, model, city, n=20, as_of="2030-01-01", workers=1)
    b = quiet(sensitivity, model, city, n=20, as_of="2030-01-01", workers=2)
    pd.testing.assert_frame_equal(a.parcels, b.parcels, check_exact=True)


def test_the_score_shares_no_writable_memory_with_the_site(city):
    # the result is built without copying the parcels' columns (copy-on-write):
    # writing to it leaves the site as it was
    model = load_profile("aerospace")
    before = city.parcels.copy()
    result = quiet(model.score, city, as_of="2030-01-01", workers=1)
    own = [c for c in city.parcels.columns if c != city.parcels.geometry.name]
    first, second = result.index[:2]
    for column in [*own, "geometry"]:
        result.loc[first, column] = result.loc[second, column]  # in place
    pd.testing.assert_frame_equal(city.parcels, before, check_exact=True)


@pytest.mark.parametrize("profile", ["aerospace", "ai", "smart_manufacturing", "life_health"])
@pytest.mark.parametrize("workers", [1, 2])
def test_score_in_partitions_is_measure_frame_then_score_frame(city, profile, workers):
    # model.score measures and scores each partition where it lies; the two public
    # steps (measure everything, then score everything here) are the oracle
    model = load_profile(profile)
    two_steps = quiet(
        model.score_frame,
        city.parcels,
        quiet(model.measure_frame, city, as_of="2030-01-01", workers=1),
        as_of="2030-01-01",
    )
    scored = quiet(model.score, city, as_of="2030-01-01", workers=workers)
    pd.testing.assert_frame_equal(two_steps, scored, check_exact=True)
    assert scored.attrs == two_steps.attrs
    assert list(scored.dtypes) == list(two_steps.dtypes)


def test_score_in_partitions_warns_once_with_the_counts_of_all(city):
    # a criterion with no value on some parcels: one warning, counted over every
    # partition, as the two-step path gives
    model = load_profile("aerospace")
    parcels = city.parcels.copy()
    parcels.loc[parcels.index[::7], "far_max"] = float("nan")
    site = la.Site(**{**city.layers, "parcels": parcels})
    with warnings.catch_warnings(record=True) as one_call:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", UnreachableWarning)
        model.score(site, as_of="2030-01-01", workers=2)
    with warnings.catch_warnings(record=True) as two_steps:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", UnreachableWarning)
        model.score_frame(
            parcels, model.measure_frame(site, as_of="2030-01-01", workers=1), as_of="2030-01-01"
        )
    missing = [str(w.message) for w in one_call if issubclass(w.category, la.MissingValueWarning)]
    assert len(missing) == 1 and str(len(parcels.index[::7])) in missing[0]
    assert missing == [
        str(w.message) for w in two_steps if issubclass(w.category, la.MissingValueWarning)
    ]


def test_a_whole_layer_measure_is_scored_in_one_piece(sample_site):
    # floor area needs every parcel at once: score falls back to the two steps
    from landasset.suitability import Criterion, SuitabilityModel
    from landasset.suitability.transforms import linear

    model = SuitabilityModel(
        [
            Criterion("far", {"measure": "floor_area_ratio"}, linear(0, 3), 0.5),
            Criterion("size", {"measure": "area_mu"}, linear(0, 100), 0.5),
        ]
    )
    one = model.score(sample_site, as_of="2030-01-01", workers=1)
    two = model.score(sample_site, as_of="2030-01-01", workers=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert one["m_far"].gt(0).any()
