import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely import box

from landasset import units


def test_mu_is_exactly_two_thousand_thirds():
    assert units.MU_M2 == 2000 / 3
    assert units.MU_PER_HA == 15.0


def test_hundred_metre_square_is_fifteen_mu_exactly():
    area = box(0, 0, 100, 100).area
    assert units.m2_to_mu(area) == 15.0
    assert units.m2_to_ha(area) == 1.0
    assert units.ha_to_mu(1.0) == 15.0
    assert units.mu_to_ha(15.0) == 1.0


def test_square_kilometre_is_1500_mu():
    assert units.m2_to_mu(units.KM2_M2) == 1500.0


def test_series_keeps_index_and_arrays_stay_arrays():
    s = pd.Series([10_000.0, 2000 / 3], index=["a", "b"])
    out = units.m2_to_mu(s)
    assert isinstance(out, pd.Series)
    assert list(out.index) == ["a", "b"]
    np.testing.assert_allclose(out.to_numpy(), [15.0, 1.0])
    arr = units.mu_to_m2(np.array([15.0, 1.0]))
    assert isinstance(arr, np.ndarray)
    np.testing.assert_allclose(arr, [10_000.0, 2000 / 3])


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_round_trips(value):
    assert units.mu_to_m2(units.m2_to_mu(value)) == pytest.approx(value, rel=1e-12, abs=1e-9)
    assert units.ha_to_m2(units.m2_to_ha(value)) == pytest.approx(value, rel=1e-12, abs=1e-9)
    assert units.ha_to_mu(units.mu_to_ha(value)) == pytest.approx(value, rel=1e-12, abs=1e-9)
