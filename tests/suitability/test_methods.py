import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from landasset import LandassetValueError
from landasset.suitability import orness, owa, topsis, wlc

# Hwang & Yoon (1981), fighter aircraft: maximum speed, ferry range, maximum payload,
# acquisition cost (a cost), reliability, maneuverability
AIRCRAFT = [
    [2.0, 1500, 20000, 5.5, 5, 9],
    [2.5, 2700, 18000, 6.5, 3, 5],
    [1.8, 2000, 21000, 4.5, 7, 7],
    [2.2, 1800, 20000, 5.0, 5, 5],
]
AIRCRAFT_W = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
AIRCRAFT_B = [True, True, True, False, True, True]


def test_topsis_hwang_yoon_fighter_aircraft():
    c = topsis(AIRCRAFT, AIRCRAFT_W, AIRCRAFT_B, normalization="vector")
    np.testing.assert_allclose(c, [0.643, 0.268, 0.613, 0.312], atol=0.001)


def test_topsis_minmax_example():
    c = topsis([[4, 4], [1, 5], [3, 2], [4, 2]], [0.5, 0.5], [True, False], normalization="minmax")
    np.testing.assert_allclose(c, [0.6126, 0.0, 0.7829, 1.0], atol=0.0001)


def test_topsis_options_are_validated():
    with pytest.raises(
        LandassetValueError,
        match="'minmax2' is not a normalisation; use one of: 'vector', 'minmax'",
    ):
        topsis(AIRCRAFT, AIRCRAFT_W, AIRCRAFT_B, normalization="minmax2")
    with pytest.raises(LandassetValueError, match="one True/False per criterion"):
        topsis(AIRCRAFT, AIRCRAFT_W, [True, False])
    with pytest.raises(LandassetValueError, match="one True/False per criterion"):
        topsis(AIRCRAFT, AIRCRAFT_W, [1, 1, 1, 0, 1, 1])


def test_topsis_missing_rows_and_reference():
    x = np.array([[1.0, 2.0], [np.nan, 1.0], [3.0, 0.5]])
    c = topsis(x, [0.5, 0.5], [True, True])
    assert np.isnan(c[1]) and not np.isnan(c[[0, 2]]).any()
    # with the reference restricted to rows 0 and 2 the result is the same here
    np.testing.assert_allclose(
        topsis(x, [0.5, 0.5], [True, True], reference=[True, True, True]), c, equal_nan=True
    )
    # an excluded row does not move the ideal
    y = np.array([[1.0, 1.0], [2.0, 2.0], [100.0, 100.0]])
    c_ref = topsis(
        y, [0.5, 0.5], [True, True], normalization="minmax", reference=[True, True, False]
    )
    np.testing.assert_allclose(c_ref[:2], [0.0, 1.0])
    assert topsis([[1.0, 1.0]], [1, 1], [True, True]).tolist() == [0.5]  # one alternative


def test_dataframe_in_series_out():
    frame = pd.DataFrame([[1.0, 0.0], [0.5, 0.5]], index=["a", "b"], columns=["x", "y"])
    for result in (
        wlc(frame, [1, 1]),
        owa(frame, [1, 1], [0.5, 0.5]),
        topsis(frame, [1, 1], [True, True]),
    ):
        assert isinstance(result, pd.Series) and result.index.tolist() == ["a", "b"]
    np.testing.assert_allclose(wlc(frame, [3, 1]), [0.75, 0.5])


def test_wlc_missing_values_are_not_zero():
    out = wlc([[1.0, np.nan], [np.nan, 1.0]], [1.0, 0.0])
    assert out[0] == 1.0  # a criterion of weight 0 does not count
    assert np.isnan(out[1])


def test_owa_special_cases_and_orness():
    x = np.array([[0.9, 0.2, 0.5], [0.4, 0.4, 0.4]])
    np.testing.assert_allclose(owa(x, [1, 1, 1], [1, 0, 0]), [0.9, 0.4])
    np.testing.assert_allclose(owa(x, [1, 1, 1], [0, 0, 1]), [0.2, 0.4])
    assert orness([1, 0, 0]) == 1.0 and orness([0, 0, 1]) == 0.0
    assert orness([0.25] * 4) == pytest.approx(0.5)
    assert orness([0.4, 0.3, 0.2, 0.1]) == pytest.approx((3 * 0.4 + 2 * 0.3 + 0.2) / 3)
    with pytest.raises(LandassetValueError, match="2 order weights for 3 criteria"):
        owa(x, [1, 1, 1], [0.5, 0.5])


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float64, st.tuples(st.integers(1, 8), st.integers(1, 6)), elements=st.floats(0, 1)
    ),
    st.data(),
)
def test_owa_with_equal_order_weights_is_wlc(x, data):
    m = x.shape[1]
    w = np.array(data.draw(st.lists(st.floats(0.01, 10), min_size=m, max_size=m)))
    np.testing.assert_allclose(owa(x, w, np.ones(m)), wlc(x, w), atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float64, st.tuples(st.integers(2, 8), st.integers(1, 6)), elements=st.floats(0, 1)
    ),
    st.data(),
)
def test_scores_stay_in_unit_interval(x, data):
    m = x.shape[1]
    w = np.array(
        data.draw(st.lists(st.floats(0.0, 10), min_size=m, max_size=m).filter(lambda v: sum(v) > 0))
    )
    v = np.array(
        data.draw(st.lists(st.floats(0.0, 1), min_size=m, max_size=m).filter(lambda v: sum(v) > 0))
    )
    benefit = data.draw(st.lists(st.booleans(), min_size=m, max_size=m))
    for score in (
        wlc(x, w),
        owa(x, w, v),
        topsis(x, w, benefit),
        topsis(x, w, benefit, normalization="minmax"),
    ):
        finite = score[~np.isnan(score)]
        assert ((finite >= -1e-12) & (finite <= 1 + 1e-12)).all()


@settings(max_examples=80, deadline=None)
@given(
    hnp.arrays(
        np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.floats(0, 1)
    ),
    st.data(),
)
def test_improving_a_benefit_criterion_never_lowers_wlc(x, data):
    m = x.shape[1]
    w = np.array(
        data.draw(st.lists(st.floats(0.0, 10), min_size=m, max_size=m).filter(lambda v: sum(v) > 0))
    )
    i = data.draw(st.integers(0, x.shape[0] - 1))
    j = data.draw(st.integers(0, m - 1))
    better = x.copy()
    better[i, j] = data.draw(st.floats(x[i, j], 1.0))
    assert wlc(better, w)[i] >= wlc(x, w)[i] - 1e-12


def test_invalid_inputs():
    with pytest.raises(LandassetValueError, match="3 weights for 2 criteria"):
        wlc([[1, 2]], [1, 1, 1])
    with pytest.raises(LandassetValueError, match="non-negative"):
        wlc([[1, 2]], [1, -1])
    with pytest.raises(ValueError, match="2-d"):
        wlc([1, 2], [1])


@pytest.mark.parametrize("method", ["wlc", "owa", "topsis"])
@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([1e308, 1e308], "sum overflows"),
        ([0.0, 0.0], "sum to 0"),
        ([float("inf"), 1.0], r"weights\[0\] is inf"),
        ([1.0, float("nan")], r"weights\[1\] is nan"),
    ],
)
def test_weights_that_cannot_be_normalised_are_refused(method, weights, match):
    x = [[1.0, 0.5], [0.2, 0.4]]
    with pytest.raises(LandassetValueError, match=match):
        if method == "wlc":
            wlc(x, weights)
        elif method == "owa":
            owa(x, weights, [0.5, 0.5])
        else:
            topsis(x, weights, [True, True])


def test_order_weights_that_overflow_are_refused():
    with pytest.raises(LandassetValueError, match="order_weights: their sum overflows"):
        owa([[1.0, 0.5]], [0.5, 0.5], [1e308, 1e308])


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(st.floats(0.0, 1.7e308, allow_nan=False), min_size=2, max_size=4),
    data=st.data(),
)
def test_weights_are_refused_exactly_when_they_cannot_be_normalised(weights, data):
    x = np.array(
        data.draw(
            st.lists(
                st.lists(st.floats(0, 1), min_size=len(weights), max_size=len(weights)),
                min_size=1,
                max_size=3,
            )
        )
    )
    w = np.array(weights)
    top = w.max()
    with np.errstate(over="ignore"):
        overflows = not np.isfinite(w.sum())
    if top == 0 or overflows:
        with pytest.raises(LandassetValueError, match="sum to 0" if top == 0 else "sum overflows"):
            wlc(x, weights)
        return
    # the oracle scales by the largest weight first, which never overflows
    scaled = w / top
    expected = x @ (scaled / scaled.sum())
    np.testing.assert_allclose(wlc(x, weights), expected, rtol=1e-9, atol=1e-12)
