"""Criterion weights: direct (normalised), rank-sum and AHP pairwise comparison.

AHP (Saaty) turns a reciprocal pairwise-comparison matrix A (``a_ij`` = how much more
important criterion i is than j, on Saaty's 1–9 scale, ``a_ji = 1 / a_ij``) into weights:

* ``method="eigen"`` — the principal right eigenvector of A, normalised to sum 1
  (Saaty 1977, 1980);
* ``method="geometric"`` — the normalised geometric means of the rows (Crawford &
  Williams 1985), equal to the eigenvector for a consistent matrix.

Consistency is judged on the principal eigenvalue λmax of A whatever the weighting
method: CI = (λmax − n) / (n − 1), CR = CI / RI(n), where RI(n) is the mean CI of
random reciprocal matrices of order n taken from a named table (:data:`RANDOM_INDEX`).
CR ≤ 0.1 is acceptable (Saaty 1980). For n ≤ 2 every reciprocal matrix is consistent
and CR is 0.

Examples
--------
>>> from landasset.suitability import ahp
>>> result = ahp([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
>>> result.weights.round(3).tolist()
[0.637, 0.258, 0.105]
>>> round(result.cr, 3), result.consistent
(0.033, True)
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from landasset._errors import LandassetValueError, ProfileError
from landasset.suitability import _check

__all__ = [
    "AHP_METHODS",
    "RANDOM_INDEX",
    "AHPResult",
    "ahp",
    "normalize_weights",
    "rank_sum",
]

FloatArray = npt.NDArray[np.float64]

#: AHP weighting methods.
AHP_METHODS: tuple[str, ...] = ("eigen", "geometric")

#: Random consistency indices RI(n) by table name.
#:
#: ``saaty1980``: T. L. Saaty, *The Analytic Hierarchy Process*, McGraw-Hill, 1980
#: (n = 1–15; the values used by most software, including the non-monotone 1.48 at
#: n = 12). ``alonso_lamata2006``: J. A. Alonso and M. T. Lamata, "Consistency in the
#: analytic hierarchy process: a new approach", *Int. J. Uncertainty, Fuzziness and
#: Knowledge-Based Systems* 14(4):445–459, 2006 (100,000 random matrices per order).
RANDOM_INDEX: dict[str, dict[int, float]] = {
    "saaty1980": {
        1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41,
        9: 1.45, 10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
    },
    "alonso_lamata2006": {
        1: 0.0, 2: 0.0, 3: 0.5245, 4: 0.8815, 5: 1.1086, 6: 1.2479, 7: 1.3417,
        8: 1.4056, 9: 1.4499, 10: 1.4854, 11: 1.5141, 12: 1.5365, 13: 1.5551,
        14: 1.5713, 15: 1.5838,
    },
}  # fmt: skip

#: The consistency ratio at or below which a matrix is acceptable (Saaty 1980).
CR_THRESHOLD = 0.1


@dataclass(frozen=True, eq=False)
class AHPResult:
    """The outcome of :func:`ahp`.

    Attributes
    ----------
    weights : ndarray
        Criterion weights, summing to 1, in the order of the matrix rows.
    lambda_max : float
        Principal eigenvalue of the (reciprocal) matrix.
    ci : float
        Consistency index (λmax − n) / (n − 1); 0 for n ≤ 2.
    cr : float
        Consistency ratio CI / RI(n); 0 for n ≤ 2.
    consistent : bool
        ``cr <= 0.1``.
    worst_judgement : tuple of (int, int) or None
        The pair (i, j), i < j, whose judgement, once replaced by the value the
        weights imply (w_i / w_j), lowers CR the most; ``None`` for n ≤ 2 or a
        perfectly consistent matrix.
    suggested_judgement : float or None
        That implied value w_i / w_j for ``a_ij``.
    cr_if_revised : float or None
        CR after replacing the worst judgement by the suggested one.
    matrix : ndarray
        The matrix used: exactly reciprocal (see :func:`ahp`).
    method : str
        ``"eigen"`` or ``"geometric"``.
    random_index : str
        The name of the random-index table.
    ri : float
        RI(n) from that table.
    labels : tuple of str or None
        Criterion names, when given.
    """

    weights: FloatArray
    lambda_max: float
    ci: float
    cr: float
    consistent: bool
    worst_judgement: tuple[int, int] | None
    suggested_judgement: float | None
    cr_if_revised: float | None
    matrix: FloatArray
    method: str
    random_index: str
    ri: float
    labels: tuple[str, ...] | None = None

    @property
    def n(self) -> int:
        """The number of criteria."""
        return len(self.weights)

    def as_series(self) -> pd.Series:
        """The weights as a Series named ``weight``, indexed by the labels (or 0..n-1)."""
        index = list(self.labels) if self.labels is not None else list(range(self.n))
        return pd.Series(self.weights, index=index, name="weight")

    def describe_worst(self) -> str:
        """A sentence naming the most inconsistent judgement, for reports."""
        if self.worst_judgement is None:
            return "no judgement to revise"
        i, j = self.worst_judgement
        names = self.labels or tuple(str(k) for k in range(self.n))
        return (
            f"{names[i]} vs {names[j]}: judged {self.matrix[i, j]:.4g}, the weights imply "
            f"{self.suggested_judgement:.4g} (CR {self.cr:.3f} → {self.cr_if_revised:.3f})"
        )

    def __repr__(self) -> str:
        weights = ", ".join(f"{w:.3f}" for w in self.weights)
        return (
            f"AHPResult(weights=[{weights}], lambda_max={self.lambda_max:.3f}, "
            f"ci={self.ci:.3f}, cr={self.cr:.3f}, consistent={self.consistent}, "
            f"worst_judgement={self.worst_judgement})"
        )

    def _repr_html_(self) -> str:
        names = self.labels or tuple(str(k) for k in range(self.n))
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{w:.4f}</td></tr>"
            for name, w in zip(names, self.weights, strict=True)
        )
        verdict = "consistent" if self.consistent else "<strong>inconsistent</strong>"
        return (
            f"<div><strong>AHP</strong> ({html.escape(self.method)}, RI table "
            f"{html.escape(self.random_index)}): λmax = {self.lambda_max:.4f}, "
            f"CI = {self.ci:.4f}, CR = {self.cr:.4f} — {verdict} (CR ≤ {CR_THRESHOLD})"
            f"<br>worst judgement: {html.escape(self.describe_worst())}"
            f"<table><thead><tr><th>criterion</th><th>weight</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )


_F = TypeVar("_F", bound=Callable[..., Any])


def _arguments(func: _F) -> _F:
    """Raise the weight checks' refusals as argument errors.

    The checks are shared with profile reading, where a refusal is a
    :class:`~landasset.ProfileError` naming the key path; called directly, a bad
    matrix, weight or rank is a bad argument (:class:`~landasset.LandassetValueError`).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ProfileError as exc:
            raise LandassetValueError(str(exc)) from None

    return wrapper  # type: ignore[return-value]


@_arguments
def ahp(
    matrix: npt.ArrayLike | pd.DataFrame,
    *,
    method: Literal["eigen", "geometric"] = "eigen",
    random_index: str = "saaty1980",
    tolerance: float = 0.05,
    labels: Sequence[str] | None = None,
) -> AHPResult:
    """Weights and consistency from an AHP pairwise-comparison matrix.

    Parameters
    ----------
    matrix : (n, n) array-like or DataFrame
        Positive judgements, ``a_ii = 1``, ``a_ji = 1 / a_ij``. A DataFrame's index
        gives the labels.
    method : {"eigen", "geometric"}, default "eigen"
        Principal eigenvector, or normalised row geometric means.
    random_index : str, default "saaty1980"
        The random-index table, a key of :data:`RANDOM_INDEX`.
    tolerance : float, default 0.05
        Relative tolerance of the reciprocity check ``|a_ij·a_ji − 1|`` (so that
        1/8 written as 0.12 passes); the matrix used is then made exactly reciprocal
        with ``a_ij ← sqrt(a_ij / a_ji)`` (kept on the result as ``matrix``).
    labels : sequence of str, optional
        Criterion names, for reports.

    Returns
    -------
    AHPResult

    Raises
    ------
    ProfileError
        The matrix is not square, has non-finite or non-positive entries, a diagonal
        other than 1, or is not reciprocal; or ``method``/``random_index`` is unknown,
        or the table has no RI for this order.

    Notes
    -----
    ``worst_judgement``: for each pair (i, j), i < j, the judgement ``a_ij`` is replaced
    by the ratio the weights imply, w_i / w_j (and ``a_ji`` by its reciprocal), and CR
    is recomputed; the pair with the largest drop in CR is reported with the value
    and the CR it would give. This is one revision at a time around the current
    weights (not a search for the globally best value), the usual way to show a
    committee which judgement to reconsider first. Pairs whose revised CRs agree to a
    relative 1e-9 are tied (two identical rows give such ties); the first of them in
    row-major order is reported, so the answer does not depend on the machine's
    linear-algebra library.

    Examples
    --------
    Saaty's (1990) house example, eight criteria:

    >>> house = [
    ...     [1, 5, 3, 7, 6, 6, 1/3, 1/4], [1/5, 1, 1/3, 5, 3, 3, 1/5, 1/7],
    ...     [1/3, 3, 1, 6, 3, 4, 6, 1/5], [1/7, 1/5, 1/6, 1, 1/3, 1/4, 1/7, 1/8],
    ...     [1/6, 1/3, 1/3, 3, 1, 1/2, 1/5, 1/6], [1/6, 1/3, 1/4, 4, 2, 1, 1/5, 1/6],
    ...     [3, 5, 1/6, 7, 5, 5, 1, 1/2], [4, 7, 5, 8, 6, 6, 2, 1]]
    >>> r = ahp(house)
    >>> r.weights.round(3).tolist()
    [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]
    >>> round(r.lambda_max, 3), round(r.cr, 3), r.consistent
    (9.669, 0.169, False)
    >>> r.worst_judgement
    (2, 6)
    """
    _check.choice(method, "method", AHP_METHODS, what="an AHP method")
    table = _random_index_table(random_index)
    if isinstance(matrix, pd.DataFrame):
        if labels is None:
            labels = [str(k) for k in matrix.index]
        a = matrix.to_numpy(dtype=np.float64)
    else:
        a = _as_matrix(matrix)
    a = _reciprocal(a, tolerance)
    n = a.shape[0]
    if labels is not None and len(labels) != n:
        raise ProfileError(f"{len(labels)} labels for a {n}×{n} matrix; give one per row")
    if n not in table:
        raise ProfileError(
            f"the {random_index!r} random-index table covers n = {min(table)}–{max(table)}, "
            f"not n = {n}; split the criteria into a hierarchy of smaller matrices"
        )
    ri = table[n]
    weights = _weights(a, method)
    lambda_max = float(_principal_eigenvalues(a[np.newaxis])[0])
    ci, cr = _consistency(lambda_max, n, ri)
    worst, suggested, cr_after = _worst_judgement(a, weights, cr, ri)
    return AHPResult(
        weights=weights,
        lambda_max=lambda_max,
        ci=ci,
        cr=cr,
        consistent=bool(cr <= CR_THRESHOLD),
        worst_judgement=worst,
        suggested_judgement=suggested,
        cr_if_revised=cr_after,
        matrix=a,
        method=method,
        random_index=random_index,
        ri=ri,
        labels=tuple(labels) if labels is not None else None,
    )


def _random_index_table(name: str) -> dict[int, float]:
    _check.choice(name, "random_index", RANDOM_INDEX, what="a random-index table")
    return RANDOM_INDEX[name]


def _as_matrix(matrix: npt.ArrayLike, path: str = "matrix") -> FloatArray:
    rows = matrix.tolist() if isinstance(matrix, np.ndarray) else matrix
    if isinstance(rows, (int, float)):
        raise ProfileError(f"{path}: expected a square matrix (a list of rows), got {rows!r}")
    seq = _check.sequence(rows, path, min_length=1)
    n = len(seq)
    out = np.empty((n, n), dtype=np.float64)
    for i, row in enumerate(seq):
        here = _check.join_path(path, i)
        values = _check.sequence(row, here)
        if len(values) != n:
            _check.fail(
                here, f"the matrix must be square: row {i} has {len(values)} values, expected {n}"
            )
        for j, value in enumerate(values):
            where = _check.join_path(here, j)
            out[i, j] = _check.number(value, where)
            if out[i, j] <= 0:
                _check.fail(
                    where,
                    f"AHP judgements must be positive, got {value!r}; write the reciprocal "
                    "(0.2 for 1/5) for 'less important', never a negative or 0",
                )
    return out


def _reciprocal(a: FloatArray, tolerance: float) -> FloatArray:
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise ProfileError(f"the AHP matrix must be square and non-empty, got shape {a.shape}")
    if not np.isfinite(a).all() or (a <= 0).any():
        i, j = np.argwhere(~np.isfinite(a) | (a <= 0))[0]
        raise ProfileError(
            f"AHP judgements must be positive numbers; entry [{i}][{j}] is {a[i, j]!r} "
            "(use 1/x, not a negative or zero, for 'less important')"
        )
    diag = np.diag(a)
    if not np.allclose(diag, 1.0, rtol=0, atol=1e-9):
        i = int(np.argmax(np.abs(diag - 1.0)))
        raise ProfileError(
            f"the AHP matrix diagonal must be 1 (a criterion equals itself); entry [{i}][{i}] is {diag[i]!r}"
        )
    product = a * a.T
    bad = np.abs(product - 1.0) > tolerance
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ProfileError(
            f"the AHP matrix is not reciprocal: [{i}][{j}] = {a[i, j]:.6g} but [{j}][{i}] = "
            f"{a[j, i]:.6g} (their product should be 1, tolerance {tolerance}); "
            f"set [{j}][{i}] to {1 / a[i, j]:.6g}"
        )
    fixed = np.sqrt(a / a.T)
    exact = np.abs(product - 1.0) <= 1e-12
    return np.where(exact, a, fixed)


def _weights(a: FloatArray, method: str) -> FloatArray:
    if method == "geometric":
        g = np.exp(np.log(a).mean(axis=1))
        return g / g.sum()
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    w = np.abs(vectors[:, k].real)
    return w / w.sum()


def _principal_eigenvalues(stack: FloatArray) -> FloatArray:
    return np.linalg.eigvals(stack).real.max(axis=-1)


def _consistency(lambda_max: float, n: int, ri: float) -> tuple[float, float]:
    if n <= 2:
        return 0.0, 0.0
    ci = max((lambda_max - n) / (n - 1), 0.0)  # rounding can give -1e-16
    return ci, (ci / ri if ri > 0 else 0.0)


def _worst_judgement(
    a: FloatArray, w: FloatArray, cr: float, ri: float
) -> tuple[tuple[int, int] | None, float | None, float | None]:
    n = a.shape[0]
    if n <= 2:
        return None, None, None
    iu, ju = np.triu_indices(n, k=1)
    stack = np.repeat(a[np.newaxis], len(iu), axis=0)
    implied = w[iu] / w[ju]
    k = np.arange(len(iu))
    stack[k, iu, ju] = implied
    stack[k, ju, iu] = 1.0 / implied
    lambdas = _principal_eigenvalues(stack)
    crs = np.maximum((lambdas - n) / (n - 1), 0.0) / ri
    # Exact ties (two rows alike, as in a symmetric matrix) differ only by rounding in
    # the eigenvalue routine, which varies with the BLAS/LAPACK build: every pair within
    # a relative 1e-9 of the lowest CR counts as tied, and the first of them (row-major,
    # i < j) is reported, on every machine.
    lowest = float(crs.min())
    best = int(np.flatnonzero(crs <= lowest + 1e-9 * max(lowest, 1e-3))[0])
    if cr - crs[best] <= 1e-12:
        return None, None, None
    return (int(iu[best]), int(ju[best])), float(implied[best]), float(crs[best])


@overload
def normalize_weights(weights: Mapping[str, float] | pd.Series) -> pd.Series: ...
@overload
def normalize_weights(weights: npt.ArrayLike) -> FloatArray: ...


@_arguments
def normalize_weights(weights: Any) -> Any:
    """Direct weights divided by their sum.

    Parameters
    ----------
    weights : array-like, Series or mapping
        Non-negative finite numbers with a positive sum.

    Returns
    -------
    ndarray, or a Series (named ``weight``) for a mapping or Series input

    Examples
    --------
    >>> normalize_weights([3, 2, 5]).tolist()
    [0.3, 0.2, 0.5]
    >>> normalize_weights({"metro": 1, "size": 3}).to_dict()
    {'metro': 0.25, 'size': 0.75}
    """
    if isinstance(weights, (Mapping, pd.Series)):
        series = pd.Series(dict(weights) if isinstance(weights, Mapping) else weights, dtype=object)
        values = _direct(series.tolist(), labels=[str(k) for k in series.index])
        return pd.Series(values, index=series.index, name="weight")
    return _direct(np.asarray(weights, dtype=object).reshape(-1).tolist())


def _direct(
    values: Sequence[Any], path: str = "weights", labels: Sequence[str] | None = None
) -> FloatArray:
    """Direct weights over their sum; refused when one is not a finite number >= 0, when
    they sum to 0, or when their sum overflows (every weight would then become 0).

    ``labels`` name the weights in messages (criterion names); by default their index.
    """
    names = [str(i) for i in range(len(values))] if labels is None else [str(x) for x in labels]

    def where(i: int) -> str:
        return _check.join_path(path, i) if labels is None else _check.join_path(path, names[i])

    checked = [_check.number(v, where(i), nonnegative=True) for i, v in enumerate(values)]
    if not checked:
        raise ProfileError(f"{path}: no weights given")
    arr = np.asarray(checked, dtype=np.float64)
    with np.errstate(over="ignore"):
        total = float(arr.sum())
    listed = ", ".join(f"{n} {_check.plain_number(v)}" for n, v in zip(names, checked, strict=True))
    if total <= 0:
        raise ProfileError(
            f"{path}: the weights sum to 0 ({listed}); give at least one criterion a "
            "positive weight"
        )
    if not math.isfinite(total) or not np.isfinite(arr / total).all():
        big = names[int(np.argmax(arr))]
        raise ProfileError(
            f"{path}: the weights' sum overflows ({listed}); give them on a smaller "
            f"scale, such as percentages (largest: {big})"
        )
    return arr / total


@overload
def rank_sum(ranks: Mapping[str, int] | pd.Series) -> pd.Series: ...
@overload
def rank_sum(ranks: npt.ArrayLike) -> FloatArray: ...


@_arguments
def rank_sum(ranks: Any) -> Any:
    """Rank-sum weights w_i = (n − r_i + 1) / Σ_j (n − r_j + 1), rank 1 = most important.

    Ties are allowed (two criteria of rank 1 get equal weights).

    Parameters
    ----------
    ranks : array-like, Series or mapping of int
        The rank of each criterion, from 1 to n.

    Returns
    -------
    ndarray, or a Series (named ``weight``) for a mapping or Series input

    Examples
    --------
    >>> rank_sum([1, 2, 3]).round(4).tolist()
    [0.5, 0.3333, 0.1667]
    >>> rank_sum({"metro": 2, "size": 1}).round(4).to_dict()
    {'metro': 0.3333, 'size': 0.6667}
    """
    if isinstance(ranks, (Mapping, pd.Series)):
        series = pd.Series(dict(ranks) if isinstance(ranks, Mapping) else ranks, dtype=object)
        return pd.Series(_rank_sum(series.tolist()), index=series.index, name="weight")
    return _rank_sum(np.asarray(ranks, dtype=object).reshape(-1).tolist())


def _rank_sum(values: Sequence[Any], path: str = "rank_sum") -> FloatArray:
    n = len(values)
    if n == 0:
        raise ProfileError(f"{path}: no ranks given")
    ranks = []
    for i, v in enumerate(values):
        here = _check.join_path(path, i)
        r = _check.number(v, here)
        if r != math.floor(r) or not 1 <= r <= n:
            _check.fail(here, f"a rank is a whole number from 1 to {n}, got {v!r}")
        ranks.append(r)
    points = n - np.asarray(ranks, dtype=np.float64) + 1.0
    return points / points.sum()
