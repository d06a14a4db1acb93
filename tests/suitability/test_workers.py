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
