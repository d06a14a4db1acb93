import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landasset import ProfileError
from landasset.suitability import (
    TRANSFORMS,
    categorical,
    gaussian,
    large,
    linear,
    logistic,
    near,
    piecewise,
    small,
    transform_from_dict,
)

ALL = [
    linear(best=300, worst=2000),
    linear(best=10, worst=0),
    logistic(mid=30, steepness=0.2),
    logistic(mid=30, steepness=-0.5),
    gaussian(ideal=2.5, sigma=1.0),
    large(mid=10, spread=5),
    small(mid=500, spread=3),
    near(mid=2.0, spread=4.0),
    piecewise([(0, 0.0), (10, 1.0), (50, 1.0), (100, 0.2)]),
]


def test_fuzzy_large_acceptance_values():
    for m in (0.5, 10.0, 3000.0):
        f = large(mid=m, spread=5)
        assert f(m) == pytest.approx(0.5, abs=1e-12)
        assert f(2 * m) == pytest.approx(0.969697, abs=5e-7)
        assert f(2 * m) == pytest.approx(32 / 33, abs=1e-12)


def test_formulas():
    assert linear(300, 2000)([300, 1150, 2000, 100, 9000]).tolist() == [1, 0.5, 0, 1, 0]
    assert logistic(30, 0.2)(40) == pytest.approx(1 / (1 + math.exp(-2)))
    assert gaussian(50, 20)(70) == pytest.approx(math.exp(-0.5))
    assert small(500, 4)(250) == pytest.approx(1 / (1 + 0.5**4))
    assert near(2, 4)(2.5) == pytest.approx(0.5)
    assert large(10, 5)(0) == 0.0 and large(10, 5)(-3) == 0.0
    assert small(10, 5)(0) == 1.0 and small(10, 5)(-3) == 1.0
    assert piecewise([(0, 0), (10, 1), (50, 1), (100, 0.2)])([-5, 5, 30, 75, 500]).tolist() == [
        0.0,
        0.5,
        1.0,
        pytest.approx(0.6),
        pytest.approx(0.2),
    ]


def test_infinity_is_a_value_not_missing():
    # an unreachable parcel is infinitely far: the limit of the function
    assert linear(300, 2000)(math.inf) == 0.0
    assert large(10, 5)(math.inf) == 1.0
    assert small(10, 5)(math.inf) == 0.0
    assert gaussian(0, 1)(math.inf) == 0.0
    assert logistic(0, -1)(math.inf) == 0.0


@pytest.mark.parametrize("f", ALL, ids=repr)
def test_nan_in_nan_out_and_shapes(f):
    assert math.isnan(f(float("nan")))
    out = f(np.array([np.nan, 1.0, 50.0]))
    assert isinstance(out, np.ndarray) and out.shape == (3,) and math.isnan(out[0])
    series = pd.Series([np.nan, 5.0], index=["a", "b"], name="x")
    got = f(series)
    assert isinstance(got, pd.Series) and got.index.tolist() == ["a", "b"] and got.name == "x"
    assert math.isnan(got["a"])
    nullable = pd.Series([pd.NA, 5.0], dtype="Float64")
    assert math.isnan(f(nullable).iloc[0])
    assert isinstance(f(3), float)
    assert f(np.ones((2, 2))).shape == (2, 2)


@pytest.mark.parametrize("f", ALL, ids=repr)
@settings(max_examples=60, deadline=None)
@given(x=st.floats(allow_nan=False))
def test_outputs_in_unit_interval(f, x):
    y = f(x)
    assert 0.0 <= y <= 1.0


@pytest.mark.parametrize("f", [*ALL, categorical({"a": 1.0, "b": 0.3}, default=None)], ids=repr)
def test_round_trip_as_data(f):
    data = f.to_dict()
    assert list(data) == [f.kind]
    assert transform_from_dict(data) == f
    assert repr(transform_from_dict(data)) == repr(f)


def test_categorical():
    f = categorical({"industrial": 1.0, "commercial": 0.4})
    assert f(["industrial", "commercial", "green", None, np.nan]).tolist()[:3] == [1.0, 0.4, 0.0]
    assert np.isnan(f([None, np.nan])).all()
    assert f("industrial") == 1.0
    strict = categorical({"industrial": 1.0}, default=None)
    assert np.isnan(strict("green"))
    codes = categorical({1001: 1.0, "M1": 0.5})  # categories are text
    assert codes.params()["mapping"] == {"1001": 1.0, "M1": 0.5}
    assert codes(["1001", 1001, "M1"]).tolist() == [1.0, 1.0, 0.5]


def test_numeric_transform_refuses_text():
    with pytest.raises(TypeError, match="categorical"):
        linear(0, 1)(["a", "b"])


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"linear": {"best": 1, "worst": 1}}, r"t\.linear\.best: best and worst must differ"),
        ({"gaussian": {"ideal": 1, "sigma": 0}}, r"t\.gaussian\.sigma: must be > 0"),
        ({"large": {"mid": -1}}, r"t\.large\.mid: must be > 0"),
        ({"logistic": {"mid": 1, "steepness": 0}}, r"t\.logistic\.steepness: must not be 0"),
        (
            {"linear": {"best": "1/3", "worst": 0}},
            r"t\.linear\.best: expected a number, got the string '1/3'; expressions",
        ),
        ({"linear": {"best": True, "worst": 0}}, r"t\.linear\.best: expected a number"),
        ({"linear": {"best": 1}}, r"t\.linear: missing the required key 'worst'"),
        (
            {"linear": {"best": 1, "worst": 0, "mid": 3}},
            r"t\.linear\.mid: unknown key; use one of: 'best', 'worst'",
        ),
        (
            {"linea": {"best": 1, "worst": 0}},
            r"t: 'linea' is not a transform; use one of: 'linear', 'logistic'",
        ),
        ({"linear": {}, "large": {}}, r"t: a transform is one key"),
        (
            {"piecewise": {"points": [[0, 0], [0, 1]]}},
            r"t\.piecewise\.points\[1\]: x values must increase",
        ),
        (
            {"piecewise": {"points": [[0, 0], [1, 2]]}},
            r"t\.piecewise\.points\[1\]\[1\]: must be between 0 and 1",
        ),
        (
            {"categorical": {"mapping": {"a": 1.5}}},
            r"t\.categorical\.mapping\.a: must be between 0 and 1",
        ),
        ({"linear": {"best": float("inf"), "worst": 0}}, r"finite"),
    ],
)
def test_errors_name_the_key_path(spec, match):
    with pytest.raises(ProfileError, match=match):
        transform_from_dict(spec, path="t")


def test_direct_construction_is_validated_too():
    with pytest.raises(ProfileError, match=r"gaussian\.sigma"):
        gaussian(0, -1)
    assert set(TRANSFORMS) == {
        "linear", "logistic", "gaussian", "large", "small", "near", "piecewise", "categorical"
    }  # fmt: skip


@pytest.mark.parametrize("f", ALL, ids=repr)
@settings(max_examples=40, deadline=None)
@given(
    target=st.floats(min_value=0.01, max_value=0.99),
    current=st.floats(min_value=-1e4, max_value=1e4),
)
def test_at_least_reaches_the_target_and_is_nearest(f, target, current):
    x = f.at_least(target, current)
    if x is None:
        # nothing reaches the target: check on a dense grid
        grid = np.linspace(-1e4, 1e4, 20001)
        assert f(grid).max() < target + 1e-9
        return
    assert f(x) >= target - 1e-9
    # no point strictly nearer to ``current`` reaches the target (checked on a grid)
    if abs(x - current) > 1e-6:
        nearer = np.linspace(current, x, 200)[:-1]
        assert (f(nearer) < target + 1e-9).all()


def test_at_least_categorical_and_edges():
    f = categorical({"industrial": 1.0, "warehouse": 0.5, "commercial": 0.2})
    assert f.at_least(0.4, "commercial") == "warehouse"
    assert f.at_least(0.4, "industrial") == "industrial"
    assert categorical({"a": 0.3}).at_least(0.9, "a") is None
    assert logistic(0, 1).at_least(1.0, 0.0) is None
    assert small(10, 2).at_least(1.0, 50.0) == 0.0
