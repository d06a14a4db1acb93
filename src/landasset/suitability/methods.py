"""Aggregation methods: weighted linear combination, ordered weighted averaging, TOPSIS.

Each takes a criteria matrix (rows = alternatives such as parcels, columns = criteria;
a numpy array or a DataFrame) and returns one value per row: an array, or a Series on
the DataFrame's index. A row with a missing (NaN) value on a criterion of positive
weight gets NaN: a missing value is never scored as 0. Criterion weights are
normalised to sum 1.

* **WLC**: S_i = Σ_j w_j x_ij.
* **OWA** (Yager 1988; with criterion weights as in Malczewski 2006): sort each row
  descending, z_i(1) ≥ … ≥ z_i(n), carry each value's criterion weight u along, and
  S_i = Σ_k u_(k) v_k z_i(k) / Σ_k u_(k) v_k with order weights v. Equal order
  weights give WLC; v = (1, 0, …, 0) the maximum ("or"), (0, …, 0, 1) the minimum
  ("and"). :func:`orness` = Σ_k (n − k) / (n − 1) · v_k.
* **TOPSIS** (Hwang & Yoon 1981): normalise each column (``"vector"``: x / ‖x‖₂;
  ``"minmax"``: (x − min) / (max − min), reversed for costs), weight it, take the
  ideal A⁺ (best per column: max for benefits, min for costs) and the anti-ideal A⁻,
  and return the closeness C_i = S⁻_i / (S⁺_i + S⁻_i), with S± the Euclidean
  distances to A±.

Examples
--------
>>> import numpy as np
>>> from landasset.suitability import wlc, owa, topsis
>>> x = np.array([[0.9, 0.2], [0.5, 0.5]])
>>> wlc(x, [0.5, 0.5]).tolist()
[0.55, 0.5]
>>> owa(x, [0.5, 0.5], [0.0, 1.0]).tolist()  # the "and": the worst criterion
[0.2, 0.5]
>>> topsis(x, [0.5, 0.5], [True, True], normalization="minmax").tolist()
[0.5, 0.5]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from landasset._errors import LandassetValueError, ProfileError
from landasset.suitability import _check

__all__ = [
    "METHODS",
    "NORMALIZATIONS",
    "orness",
    "owa",
    "topsis",
    "wlc",
]

FloatArray = npt.NDArray[np.float64]

#: Aggregation methods a model can name.
METHODS: tuple[str, ...] = ("wlc", "owa", "topsis")
#: TOPSIS normalisations.
NORMALIZATIONS: tuple[str, ...] = ("vector", "minmax")


def _matrix(matrix: Any) -> tuple[FloatArray, pd.Index | None]:
    if isinstance(matrix, pd.DataFrame):
        return matrix.to_numpy(dtype=np.float64, na_value=np.nan), matrix.index
    arr = np.asarray(matrix, dtype=np.float64)
    if arr.ndim != 2:
        raise LandassetValueError(
            f"expected a 2-d criteria matrix (rows = alternatives, columns = criteria), "
            f"got {arr.ndim} dimension(s)"
        )
    return arr, None


def _criterion_weights(weights: Any, m: int, name: str = "weights") -> FloatArray:
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape[0] != m:
        raise LandassetValueError(f"{len(w)} {name} for {m} criteria; give one per column")
    if not np.isfinite(w).all() or (w < 0).any():
        j = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
        raise LandassetValueError(
            f"{name}[{j}] is {float(w[j])!r}; criterion weights are finite, non-negative numbers "
            f"(got {w.tolist()})"
        )
    with np.errstate(over="ignore"):
        total = float(w.sum())
    if total <= 0:
        raise LandassetValueError(
            f"{name} sum to 0 (got {w.tolist()}); give at least one criterion a positive weight"
        )
    if not np.isfinite(total):
        raise LandassetValueError(
            f"{name}: their sum overflows (got {w.tolist()}); give them on a smaller scale, "
            "such as percentages"
        )
    return w / total


def _wrap(values: FloatArray, index: pd.Index | None, name: str) -> Any:
    if index is None:
        return values
    return pd.Series(values, index=index, name=name)


def _missing_rows(x: FloatArray, w: FloatArray) -> npt.NDArray[np.bool_]:
    out: npt.NDArray[np.bool_] = np.asarray(np.isnan(x[:, w > 0]).any(axis=1), dtype=bool)
    return out


def wlc(matrix: npt.ArrayLike | pd.DataFrame, weights: npt.ArrayLike) -> Any:
    """Weighted linear combination Σ_j w_j x_ij (weights normalised to sum 1).

    Parameters
    ----------
    matrix : (m, n) array-like or DataFrame
        Criterion values, usually already transformed to [0, 1].
    weights : (n,) array-like
        Non-negative criterion weights.

    Returns
    -------
    ndarray, or a Series named ``score`` on the DataFrame's index

    Examples
    --------
    >>> wlc([[1.0, 0.0], [0.5, 0.5], [float("nan"), 1.0]], [3, 1]).tolist()
    [0.75, 0.5, nan]
    """
    x, index = _matrix(matrix)
    w = _criterion_weights(weights, x.shape[1])
    contributions = x[:, w > 0] * w[w > 0]
    return _wrap(contributions.sum(axis=1), index, "score")


def orness(order_weights: npt.ArrayLike) -> float:
    """Yager's orness Σ_k (n − k)/(n − 1) · v_k of OWA order weights (k = 1 is the largest).

    1 is the maximum (full "or", optimistic), 0 the minimum (full "and", pessimistic),
    0.5 the average (equal order weights, WLC).

    Examples
    --------
    >>> orness([1, 0, 0]), orness([0, 0, 1]), orness([1 / 3] * 3)
    (1.0, 0.0, 0.5)
    """
    v = _order_weights(order_weights, None)
    n = len(v)
    if n == 1:
        return 0.5
    k = np.arange(1, n + 1)
    return float(np.round(((n - k) / (n - 1) * v).sum(), 15))


def _order_weights(order_weights: npt.ArrayLike, n: int | None) -> FloatArray:
    values = order_weights.tolist() if isinstance(order_weights, np.ndarray) else order_weights
    seq = _check.sequence(values, "order_weights", min_length=1)
    v = np.asarray(
        [_check.number(x, f"order_weights[{i}]", nonnegative=True) for i, x in enumerate(seq)],
        dtype=np.float64,
    )
    if n is not None and len(v) != n:
        raise LandassetValueError(
            f"order_weights: {len(v)} order weights for {n} criteria; give one per criterion"
        )
    with np.errstate(over="ignore"):
        total = float(v.sum())
    if total <= 0:
        raise LandassetValueError(
            "order_weights: the order weights sum to 0; give at least one positive value"
        )
    if not np.isfinite(total):
        raise LandassetValueError(
            f"order_weights: their sum overflows (got {v.tolist()}); give them on a smaller "
            "scale, such as fractions of 1"
        )
    return v / total


def _owa_parts(x: FloatArray, v: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per row and criterion: v at the position of the value in the descending order (B)
    and B·x (A), so that OWA = (A @ u) / (B @ u) for criterion weights u."""
    filled = np.where(np.isnan(x), -np.inf, x)
    order = np.argsort(-filled, axis=1, kind="stable")
    position = np.empty_like(order)
    rows = np.arange(x.shape[0])[:, np.newaxis]
    position[rows, order] = np.arange(x.shape[1])[np.newaxis, :]
    b = v[position]
    return b * x, b


def owa(
    matrix: npt.ArrayLike | pd.DataFrame,
    weights: npt.ArrayLike,
    order_weights: npt.ArrayLike,
) -> Any:
    """Ordered weighted averaging with criterion weights (Yager 1988; Malczewski 2006).

    Parameters
    ----------
    matrix : (m, n) array-like or DataFrame
        Criterion values in [0, 1].
    weights : (n,) array-like
        Criterion weights u (importance of each criterion).
    order_weights : (n,) array-like
        Order weights v, for the largest value first (normalised to sum 1).

    Returns
    -------
    ndarray, or a Series named ``score`` on the DataFrame's index

    Notes
    -----
    S_i = Σ_k u_(k) v_k z_i(k) / Σ_k u_(k) v_k, where z_i(1) ≥ … ≥ z_i(n) are row i
    sorted descending and u_(k) is the criterion weight of z_i(k). Ties are ordered by
    column position. With equal order weights this is WLC.

    Examples
    --------
    >>> x = [[1.0, 0.5, 0.0]]
    >>> owa(x, [1, 1, 1], [1, 1, 1]).round(6).tolist()
    [0.5]
    >>> owa(x, [1, 1, 1], [1, 0, 0]).tolist(), owa(x, [1, 1, 1], [0, 0, 1]).tolist()
    ([1.0], [0.0])
    """
    x, index = _matrix(matrix)
    u = _criterion_weights(weights, x.shape[1])
    v = _order_weights(order_weights, x.shape[1])
    a, b = _owa_parts(x, v)
    with np.errstate(invalid="ignore", divide="ignore"):
        numerator = np.where(u > 0, a * u, 0.0).sum(axis=1)
        denominator = (b * u).sum(axis=1)
        score = np.where(denominator > 0, numerator / denominator, np.nan)
    score[_missing_rows(x, u)] = np.nan
    return _wrap(score, index, "score")


def _topsis_normalise(
    x: FloatArray,
    benefit: npt.NDArray[np.bool_],
    normalization: str,
    reference: npt.NDArray[np.bool_],
) -> FloatArray:
    ref = x[reference]
    with np.errstate(invalid="ignore", divide="ignore"):
        if normalization == "vector":
            norm = np.sqrt(np.nansum(ref**2, axis=0)) if len(ref) else np.zeros(x.shape[1])
            return np.where(norm > 0, x / np.where(norm > 0, norm, 1.0), 0.0)
        low = np.nanmin(ref, axis=0) if len(ref) else np.zeros(x.shape[1])
        high = np.nanmax(ref, axis=0) if len(ref) else np.ones(x.shape[1])
        span = high - low
        scaled = np.where(span > 0, (x - low) / np.where(span > 0, span, 1.0), 1.0)
    return np.where(benefit, scaled, 1.0 - scaled)


def _topsis_parts(
    x: FloatArray,
    benefit: npt.NDArray[np.bool_],
    normalization: str,
    reference: npt.NDArray[np.bool_],
) -> tuple[FloatArray, FloatArray]:
    """Squared per-criterion distances of the *unweighted* normalised values to the
    ideal and anti-ideal, so that S±² = D± @ w² for non-negative weights w."""
    r = _topsis_normalise(x, benefit, normalization, reference)
    ref = r[reference]
    if not len(ref):
        ref = r[~np.isnan(r).any(axis=1)]
    if not len(ref):
        nan = np.full_like(r, np.nan)
        return nan, nan
    high, low = ref.max(axis=0), ref.min(axis=0)
    # after min-max normalisation a cost column is reversed, so max is best for all
    best_is_high = benefit | (normalization == "minmax")
    ideal = np.where(best_is_high, high, low)
    anti = np.where(best_is_high, low, high)
    return (r - ideal) ** 2, (r - anti) ** 2


def _closeness(d_plus_sq: FloatArray, d_minus_sq: FloatArray) -> FloatArray:
    s_plus, s_minus = np.sqrt(d_plus_sq), np.sqrt(d_minus_sq)
    total = s_plus + s_minus
    with np.errstate(invalid="ignore", divide="ignore"):
        # an alternative at both the ideal and the anti-ideal (all alternatives equal):
        # 0.5, neither closer to one nor to the other
        return np.where(total > 0, s_minus / np.where(total > 0, total, 1.0), 0.5)


def topsis(
    matrix: npt.ArrayLike | pd.DataFrame,
    weights: npt.ArrayLike,
    benefit: Sequence[bool] | npt.ArrayLike,
    *,
    normalization: str = "vector",
    reference: npt.ArrayLike | None = None,
) -> Any:
    """TOPSIS closeness to the ideal solution (Hwang & Yoon 1981).

    Parameters
    ----------
    matrix : (m, n) array-like or DataFrame
        Raw criterion values.
    weights : (n,) array-like
        Criterion weights (normalised to sum 1).
    benefit : (n,) sequence of bool
        ``True`` where more is better, ``False`` for a cost.
    normalization : {"vector", "minmax"}, default "vector"
        Column normalisation: x / ‖x‖₂, or (x − min)/(max − min) (reversed for costs).
    reference : (m,) bool array-like, optional
        The rows that define the normalisation, the ideal and the anti-ideal (all
        complete rows by default). A suitability model passes its eligible parcels, so
        that excluded parcels do not move the ideal.

    Returns
    -------
    ndarray, or a Series named ``score`` on the DataFrame's index
        Closeness in [0, 1]; NaN for rows with a missing value.

    Examples
    --------
    Hwang & Yoon's fighter aircraft (the fourth criterion, cost, is a cost):

    >>> aircraft = [[2.0, 1500, 20000, 5.5, 5, 9], [2.5, 2700, 18000, 6.5, 3, 5],
    ...             [1.8, 2000, 21000, 4.5, 7, 7], [2.2, 1800, 20000, 5.0, 5, 5]]
    >>> topsis(aircraft, [0.2, 0.1, 0.1, 0.1, 0.2, 0.3],
    ...        [True, True, True, False, True, True]).round(3).tolist()
    [0.643, 0.268, 0.614, 0.312]
    """
    try:
        _check.choice(normalization, "normalization", NORMALIZATIONS, what="a normalisation")
    except ProfileError as exc:  # the same check reads profile files; here it is an argument
        raise LandassetValueError(str(exc)) from None
    x, index = _matrix(matrix)
    n = x.shape[1]
    w = _criterion_weights(weights, n)
    b = np.asarray(benefit, dtype=object).reshape(-1)
    if len(b) != n or not all(isinstance(v, (bool, np.bool_)) for v in b):
        raise LandassetValueError(
            f"benefit needs one True/False per criterion ({n}), got {list(b)}"
        )
    b = b.astype(bool)
    missing = _missing_rows(x, w)
    ref = ~missing
    if reference is not None:
        ref &= np.asarray(reference, dtype=bool).reshape(-1)
    d_plus, d_minus = _topsis_parts(x, b, normalization, ref)
    w2 = w**2
    with np.errstate(invalid="ignore"):
        score = _closeness(
            np.where(w > 0, d_plus * w2, 0.0).sum(axis=1),
            np.where(w > 0, d_minus * w2, 0.0).sum(axis=1),
        )
    score[missing] = np.nan
    return _wrap(score, index, "score")
