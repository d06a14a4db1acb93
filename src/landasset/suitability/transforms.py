"""Value functions: turn a raw measure (metres, mu, counts, categories) into a 0–1 suitability.

Each function returns a :class:`Transform`: a callable that is also data. It takes a
scalar, a numpy array or a pandas Series and returns the same kind (a float, an array,
a Series on the same index); ``NaN`` in gives ``NaN`` out (a missing value stays
missing); every output is clipped to [0, 1]. It knows its name and parameters, so a
model round-trips to YAML as ``{linear: {best: 300, worst: 2000}}``.

======================  ======================================================
function                value
======================  ======================================================
``linear(best, worst)`` (x − worst) / (best − worst), clipped; ``best < worst``
                        for costs such as distances
``logistic(mid, k)``    1 / (1 + e^(−k·(x − mid))); ``k < 0`` decreases
``gaussian(ideal, σ)``  e^(−(x − ideal)² / (2σ²))
``large(mid, spread)``  1 / (1 + (x / mid)^(−spread)); 0 for x ≤ 0 (ArcGIS Fuzzy Large)
``small(mid, spread)``  1 / (1 + (x / mid)^spread); 1 for x ≤ 0 (ArcGIS Fuzzy Small)
``near(mid, spread)``   1 / (1 + spread·(x − mid)²) (ArcGIS Fuzzy Near)
``piecewise(points)``   linear between sorted (x, y) points, flat outside
``categorical(map)``    a value per category, ``default`` for the others
======================  ======================================================

``inf`` is a value, not a missing one (an unreachable parcel is infinitely far): it
maps to the limit of the function (``linear(300, 2000)(inf) == 0``).

Examples
--------
>>> from landasset.suitability import linear, large
>>> metro = linear(best=300, worst=2000)
>>> metro([100, 300, 1150, 2000, 5000]).tolist()
[1.0, 1.0, 0.5, 0.0, 0.0]
>>> metro
linear(best=300, worst=2000)
>>> metro.to_dict()
{'linear': {'best': 300, 'worst': 2000}}
>>> round(float(large(mid=10, spread=5)(20)), 6)
0.969697
"""

from __future__ import annotations

import itertools
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar, TypeVar, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import expit, logit

from landasset._errors import LandassetTypeError, ProfileError
from landasset.suitability import _check

__all__ = [
    "TRANSFORMS",
    "Categorical",
    "Gaussian",
    "Large",
    "Linear",
    "Logistic",
    "Near",
    "Piecewise",
    "Small",
    "Transform",
    "categorical",
    "gaussian",
    "large",
    "linear",
    "logistic",
    "near",
    "piecewise",
    "small",
    "transform_from_dict",
]

FloatArray = npt.NDArray[np.float64]
_T = TypeVar("_T", bound="Transform")


class Transform(ABC):
    """A value function from raw measure values to [0, 1]; callable and serialisable.

    Subclasses are frozen dataclasses whose fields are the parameters. Build them
    with the lowercase functions (:func:`linear`, ...) or from a mapping with
    :func:`transform_from_dict`.
    """

    #: The name used in YAML (``linear``, ``logistic``, ...).
    kind: ClassVar[str]
    #: Whether the raw values are numbers (all but ``categorical``).
    numeric: ClassVar[bool] = True

    # -- evaluation -------------------------------------------------------------------
    @overload
    def __call__(self, x: pd.Series) -> pd.Series: ...
    @overload
    def __call__(self, x: float) -> float: ...
    @overload
    def __call__(self, x: npt.ArrayLike) -> Any: ...

    def __call__(self, x: Any) -> Any:
        """Transform ``x``: a scalar gives a float, an array an array, a Series a Series."""
        if isinstance(x, pd.Series):
            values = self._evaluate(self._as_input(x))
            return pd.Series(values, index=x.index, name=x.name)
        arr = np.asarray(x) if self.numeric else np.asarray(x, dtype=object)
        out = self._evaluate(self._as_input(arr))
        if arr.ndim == 0:
            return float(out.reshape(-1)[0])
        return out.reshape(arr.shape)

    def _as_input(self, x: Any) -> Any:
        if isinstance(x, pd.Series):
            if not self.numeric:
                return x.to_numpy(dtype=object)
            try:
                return x.to_numpy(dtype=np.float64, na_value=np.nan)
            except (TypeError, ValueError) as exc:
                raise LandassetTypeError(self._not_numeric(x.dtype)) from exc
        arr = np.asarray(x, dtype=object) if not self.numeric else x
        if self.numeric:
            try:
                return np.asarray(arr, dtype=np.float64).reshape(-1)
            except (TypeError, ValueError) as exc:
                raise LandassetTypeError(self._not_numeric(np.asarray(arr).dtype)) from exc
        return arr.reshape(-1)

    def _not_numeric(self, dtype: Any) -> str:
        return (
            f"{self.kind} needs numbers, got values of dtype {dtype}; "
            "use categorical(...) for categories"
        )

    def _evaluate(self, x: Any) -> FloatArray:
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            out = np.asarray(self._apply(x), dtype=np.float64)
        out = np.clip(out, 0.0, 1.0)
        if self.numeric:
            out[np.isnan(x)] = np.nan
        return out

    @abstractmethod
    def _apply(self, x: Any) -> FloatArray:
        """The formula on a 1-d float array (NaN handling and clipping are done for it)."""

    # -- the inverse used by what-if ----------------------------------------------------
    @abstractmethod
    def at_least(self, target: float, current: Any) -> Any:
        """The raw value nearest to ``current`` whose transformed value is ≥ ``target``.

        ``None`` when no raw value reaches ``target`` (a logistic never reaches 1).
        Used by :meth:`SuitabilityModel.what_if`.
        """

    # -- description --------------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        """The parameters, as they are written in YAML."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """``{kind: params}``, the YAML form."""
        return {self.kind: self.params()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{self.kind}({args})"

    def describe(self) -> str:
        """The formula with its parameters, for reports."""
        return repr(self)

    @classmethod
    @abstractmethod
    def _validate(cls, params: Mapping[str, Any], path: str) -> dict[str, Any]:
        """Check the parameters (key path for messages) and return them normalised."""

    def _check_self(self) -> None:
        normalised = self._validate(self.params(), self.kind)
        for key, value in normalised.items():
            object.__setattr__(self, key, value)


def _numbers(params: Mapping[str, Any], path: str, **rules: dict[str, bool]) -> dict[str, Any]:
    return {
        name: _check.number(params[name], _check.join_path(path, name), **rule)
        for name, rule in rules.items()
    }


def _within(value: float, lower: float, upper: float) -> float:
    return float(min(max(value, lower), upper))


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Linear(Transform):
    """Linear between ``worst`` (0) and ``best`` (1), clipped; see :func:`linear`."""

    best: float
    worst: float
    kind: ClassVar[str] = "linear"

    def __post_init__(self) -> None:
        self._check_self()

    @classmethod
    def _validate(cls, params: Mapping[str, Any], path: str) -> dict[str, Any]:
        out = _numbers(params, path, best={}, worst={})
        if out["best"] == out["worst"]:
            _check.fail(_check.join_path(path, "best"), "best and worst must differ")
        return out

    def _apply(self, x: FloatArray) -> FloatArray:
        return (x - self.worst) / (self.best - self.worst)

    def at_least(self, target: float, current: Any) -> Any:
        if target <= 0:
            return current
        if target > 1:
            return None
        threshold = self.worst + target * (self.best - self.worst)
        return max(current, threshold) if self.best > self.worst else min(current, threshold)


def linear(best: float, worst: float) -> Linear:
    """Linear value function: 1 at ``best``, 0 at ``worst``, clipped outside.

    ``best`` may be below ``worst`` for a cost (a distance: nearer is better).

    Parameters
    ----------
    best, worst : float
        The raw values that score 1 and 0.

    Examples
    --------
    >>> f = linear(best=300, worst=2000)
    >>> f([300, 1150, 2000]).tolist()
    [1.0, 0.5, 0.0]
    >>> float(f(float("nan")))
    nan
    """
    return Linear(best=best, worst=worst)


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Logistic(Transform):
    """Logistic curve; see :func:`logistic`."""

    mid: float
    steepness: float
    kind: ClassVar[str] = "logistic"

    def __post_init__(self) -> None:
        self._check_self()

    @classmethod
    def _validate(cls, params: Mapping[str, Any], path: str) -> dict[str, Any]:
        return _numbers(params, path, mid={}, steepness={"nonzero": True})

    def _apply(self, x: FloatArray) -> FloatArray:
        return expit(self.steepness * (x - self.mid))

    def at_least(self, target: float, current: Any) -> Any:
        if target <= 0:
            return current
        if target >= 1:
            return None
        threshold = self.mid + float(logit(target)) / self.steepness
        return max(current, threshold) if self.steepness > 0 else min(current, threshold)


def logistic(mid: float, steepness: float) -> Logistic:
    """Logistic value function 1 / (1 + e^(−steepness·(x − mid))).

    Parameters
    ----------
    mid : float
        The raw value that scores 0.5.
    steepness : float
        Slope parameter (per raw unit); negative for a decreasing curve. Not 0.

    Examples
    --------
    >>> f = logistic(mid=30, steepness=0.2)
    >>> float(f(30))
    0.5
    >>> round(float(f(40)), 4)
    0.8808
    """
    return Logistic(mid=mid, steepness=steepness)


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Gaussian(Transform):
    """Gaussian bell around an ideal value; see :func:`gaussian`."""

    ideal: float
    sigma: float
    kind: ClassVar[str] = "gaussian"

    def __post_init__(self) -> None:
        self._check_self()

    @classmethod
    def _validate(cls, params: Mapping[str, Any], path: str) -> dict[str, Any]:
        return _numbers(params, path, ideal={}, sigma={"positive": True})

    def _apply(self, x: FloatArray) -> FloatArray:
        return np.exp(-((x - self.ideal) ** 2) / (2.0 * self.sigma**2))

    def at_least(self, target: float, current: Any) -> Any:
        if target <= 0:
            return current
        if target > 1:
            return None
        half = self.sigma * math.sqrt(-2.0 * math.log(target))
        return _within(current, self.ideal - half, self.ideal + half)


def gaussian(ideal: float, sigma: float) -> Gaussian:
    """Gaussian value function e^(−(x − ideal)² / (2σ²)): 1 at the ideal value.

    Parameters
    ----------
    ideal : float
        The raw value that scores 1.
    sigma : float
        Width (> 0), in raw units: the value is 0.607 at ideal ± sigma.

    Examples
    --------
    >>> f = gaussian(ideal=50, sigma=20)
    >>> float(f(50)), round(float(f(70)), 3)
    (1.0, 0.607)
    """
    return Gaussian(ideal=ideal, sigma=sigma)


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Large(Transform):
    """ArcGIS Fuzzy Large; see :func:`large`."""

    mid: float
    spread: float = 5.0
    kind: ClassVar[str] = "large"

    def __post_init__(self) -> None:
        self._check_self()

    @classmethod
    def _validate(cls, params: Mapping[str, Any], path: str) -> dict[str, Any]:
        return _numbers(params, path, mid={"positive": True}, spread={"positive": True})

    def _apply(self, x: FloatArray) -> FloatArray:
        # 1 / (1 + (x/mid)^-s) == expit(s·ln(x/mid)), stable for tiny and huge x
        ratio = x / self.mid
        return np.where(ratio > 0, expit(self.spread * np.log(ratio)), 0.0)

    def at_least(self, target: float, current: Any) -> Any:
        if target <= 0:
            return current
        if target >= 1:
            return None
        threshold = self.mid * math.exp(float(logit(target)) / self.spread)
        return max(current, threshold)


def large(mid: float, spread: float = 5.0) -> Large:
    """Fuzzy Large membership 1 / (1 + (x / mid)^(−spread)) (ArcGIS); 0 for x ≤ 0.

    Parameters
    ----------
    mid : float
        The raw value that scores 0.5 (> 0).
    spread : float, default 5
        How fast the value rises around ``mid`` (> 0; ArcGIS default 5).

    Examples
    --------
    >>> f = large(mid=10, spread=5)
    >>> float(f(10)), round(float(f(20)), 6), float(f(0))
    (0.5, 0.969697, 0.0)
    """
    return Large(mid=mid, spread=spread)


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Small(Transform):
    """ArcGIS Fuzzy Small; see :func:`small`."""

    mid: float
    spread: float = 5.0
    kind: ClassVar[str] = "small"

    def __post_init__(self) -> None:
        self._check_self()

    @classmethod
    def _validate(cls, params: Mapping[str, Any], path: str) -> dict[str, Any]:
        return _numbers(params, path, mid={"positive": True}, spread={"positive": True})

    def _apply(self, x: FloatArray) -> FloatArray:
        ratio = x / self.mid
        return np.where(ratio > 0, expit(-self.spread * np.log(ratio)), 1.0)

    def at_least(self, target: float, current: Any) -> Any:
        if target <= 0:
            return current
        if target > 1:
            return None
        if target == 1:
            return min(current, 0.0)
        threshold = self.mid * math.exp(-float(logit(target)) / self.spread)
        return min(current, threshold)


def small(mid: float, spread: float = 5.0) -> Small:
    """Fuzzy Small membership 1 / (1 + (x / mid)^spread) (ArcGIS); 1 for x ≤ 0.

    Parameters
    ----------
    mid : float
        The raw value that scores 0.5 (> 0).
    spread : float, default 5
        How fast the value falls around ``mid`` (> 0).

    Examples
    --------
    >>> f = small(mid=500, spread=4)
    >>> float(f(500)), round(float(f(250)), 4), float(f(0))
    (0.5, 0.9412, 1.0)
    """
    return Small(mid=mid, spread=spread)


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Near(Transform):
    """ArcGIS Fuzzy Near; see :func:`near`."""

    mid: float
    spread: float
    kind: ClassVar[str] = "near"

    def __post_init__(self) -> None:
        self._check_self()

    @classmethod
    def _validate(cls, params: Mapping[str, Any], path: str) -> dict[str, Any]:
        return _numbers(params, path, mid={}, spread={"positive": True})

    def _apply(self, x: FloatArray) -> FloatArray:
        return 1.0 / (1.0 + self.spread * (x - self.mid) ** 2)

    def at_least(self, target: float, current: Any) -> Any:
        if target <= 0:
            return current
        if target > 1:
            return None
        half = math.sqrt((1.0 / target - 1.0) / self.spread)
        return _within(current, self.mid - half, self.mid + half)


def near(mid: float, spread: float) -> Near:
    """Fuzzy Near membership 1 / (1 + spread·(x − mid)²) (ArcGIS): 1 at ``mid``.

    Parameters
    ----------
    mid : float
        The raw value that scores 1.
    spread : float
        Narrowness (> 0), in 1 / raw unit²: the value is 0.5 at mid ± 1/√spread.

    Examples
    --------
    >>> f = near(mid=2.0, spread=4.0)
    >>> float(f(2.0)), float(f(2.5))
    (1.0, 0.5)
    """
    return Near(mid=mid, spread=spread)


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Piecewise(Transform):
    """Piecewise-linear table; see :func:`piecewise`."""

    points: tuple[tuple[float, float], ...]
    kind: ClassVar[str] = "piecewise"

    def __post_init__(self) -> None:
        self._check_self()

    @classmethod
    def _validate(cls, params: Mapping[str, Any], path: str) -> dict[str, Any]:
        where = _check.join_path(path, "points")
        items = _check.sequence(params["points"], where, min_length=2)
        points: list[tuple[float, float]] = []
        for i, item in enumerate(items):
            here = _check.join_path(where, i)
            pair = _check.sequence(item, here, min_length=2)
            if len(pair) != 2:
                _check.fail(here, f"a point is [x, y], got {len(pair)} numbers")
            x = _check.number(pair[0], _check.join_path(here, 0))
            y = _check.number(pair[1], _check.join_path(here, 1), unit_interval=True)
            if points and x <= points[-1][0]:
                _check.fail(here, f"x values must increase; {x!r} follows {points[-1][0]!r}")
            points.append((x, y))
        return {"points": tuple(points)}

    def params(self) -> dict[str, Any]:
        return {"points": [list(p) for p in self.points]}

    def _apply(self, x: FloatArray) -> FloatArray:
        xs = np.array([p[0] for p in self.points], dtype=np.float64)
        ys = np.array([p[1] for p in self.points], dtype=np.float64)
        return np.interp(x, xs, ys)

    def at_least(self, target: float, current: Any) -> Any:
        if target <= 0:
            return current
        pts = self.points
        # the set {x: f(x) >= target} is a union of intervals: tails and segments
        intervals: list[tuple[float, float]] = []
        if pts[0][1] >= target:
            intervals.append((-math.inf, pts[0][0]))
        if pts[-1][1] >= target:
            intervals.append((pts[-1][0], math.inf))
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            if y0 >= target and y1 >= target:
                intervals.append((x0, x1))
            elif y0 >= target or y1 >= target:
                cross = x0 + (target - y0) * (x1 - x0) / (y1 - y0)
                intervals.append((x0, cross) if y0 >= target else (cross, x1))
        if not intervals:
            return None
        best = [_within(current, lo, hi) for lo, hi in intervals]
        return min(best, key=lambda v: abs(v - current))


def piecewise(points: Sequence[Sequence[float]]) -> Piecewise:
    """Piecewise-linear value function through ``(x, y)`` points, flat outside them.

    Parameters
    ----------
    points : sequence of (x, y)
        At least two points with increasing x and y in [0, 1].

    Examples
    --------
    >>> f = piecewise([(0, 0), (10, 1), (50, 1), (100, 0.2)])
    >>> f([-5, 5, 30, 75, 500]).tolist()
    [0.0, 0.5, 1.0, 0.6, 0.2]
    """
    return Piecewise(points=tuple((p[0], p[1]) for p in points))


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Categorical(Transform):
    """A value per category; see :func:`categorical`."""

    mapping: tuple[tuple[str, float], ...]
    default: float | None = 0.0
    kind: ClassVar[str] = "categorical"
    numeric: ClassVar[bool] = False

    def __post_init__(self) -> None:
        self._check_self()

    @classmethod
    def _validate(cls, params: Mapping[str, Any], path: str) -> dict[str, Any]:
        where = _check.join_path(path, "mapping")
        raw = params["mapping"]
        if isinstance(raw, Mapping):
            pairs = list(raw.items())
        else:
            seq = _check.sequence(raw, where)
            pairs = [
                tuple(_check.sequence(p, _check.join_path(where, i))) for i, p in enumerate(seq)
            ]
        if not pairs:
            _check.fail(where, "needs at least one category")
        out: list[tuple[str, float]] = []
        for pair in pairs:
            key, value = pair[0], pair[1]
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                _check.fail(where, f"categories are text, got {key!r}")
            name = str(key)
            if name in dict(out):
                _check.fail(_check.join_path(where, name), "category given twice")
            out.append(
                (name, _check.number(value, _check.join_path(where, name), unit_interval=True))
            )
        default = params.get("default", 0.0)
        if default is not None:
            default = _check.number(default, _check.join_path(path, "default"), unit_interval=True)
        return {"mapping": tuple(out), "default": default}

    def params(self) -> dict[str, Any]:
        return {"mapping": dict(self.mapping), "default": self.default}

    def _apply(self, x: Any) -> FloatArray:
        # factorise once (hashing), then look up the few distinct categories
        codes, uniques = pd.factorize(np.asarray(x, dtype=object), use_na_sentinel=True)
        table = dict(self.mapping)
        default = np.nan if self.default is None else self.default
        lookup = np.array(
            [table.get(str(u), default) for u in uniques] + [np.nan], dtype=np.float64
        )
        result: FloatArray = lookup[codes]  # code -1 (missing) picks the trailing NaN
        return result

    def at_least(self, target: float, current: Any) -> Any:
        table = dict(self.mapping)
        now = table.get(str(current), self.default)
        if now is not None and now >= target:
            return current
        fitting = [(v, k) for k, v in self.mapping if v >= target]
        if not fitting:
            return None
        return min(fitting)[1]


def categorical(mapping: Mapping[str, float], *, default: float | None = 0.0) -> Categorical:
    """A value per category (land-use family, zone, ...); ``default`` for the others.

    Categories are compared as text: keys and values are converted with ``str``
    (write numeric codes as integers). ``default=None`` makes an unlisted category a
    missing value (reported, not scored) instead of a score.

    Parameters
    ----------
    mapping : mapping of str to float
        Category → value in [0, 1].
    default : float or None, default 0.0
        The value of categories not in ``mapping``.

    Examples
    --------
    >>> f = categorical({"industrial": 1.0, "commercial": 0.4})
    >>> f(["industrial", "commercial", "green", None]).tolist()
    [1.0, 0.4, 0.0, nan]
    """
    return Categorical(mapping=mapping, default=default)  # type: ignore[arg-type]


#: Transform classes by their YAML name.
TRANSFORMS: dict[str, type[Transform]] = {
    cls.kind: cls
    for cls in (Linear, Logistic, Gaussian, Large, Small, Near, Piecewise, Categorical)
}

_REQUIRED = {
    "linear": ("best", "worst"),
    "logistic": ("mid", "steepness"),
    "gaussian": ("ideal", "sigma"),
    "large": ("mid",),
    "small": ("mid",),
    "near": ("mid", "spread"),
    "piecewise": ("points",),
    "categorical": ("mapping",),
}


def transform_from_dict(spec: object, *, path: str = "transform") -> Transform:
    """Build a transform from its YAML form ``{kind: {param: value, ...}}``.

    Errors name the key path and the valid choices.

    Examples
    --------
    >>> transform_from_dict({"logistic": {"mid": 30, "steepness": 0.2}})
    logistic(mid=30, steepness=0.2)
    >>> transform_from_dict({"linear": {"best": "1/3", "worst": 0}}, path="criteria[0].transform")
    Traceback (most recent call last):
    ...
    landasset.ProfileError: criteria[0].transform.linear.best: expected a number, got the string '1/3'; expressions and strings are never evaluated, write the number itself
    """
    if isinstance(spec, Transform):
        return spec
    body = _check.mapping(spec, path)
    if len(body) != 1:
        _check.fail(
            path,
            "a transform is one key naming its kind; use one of: "
            + ", ".join(repr(k) for k in TRANSFORMS),
        )
    ((kind, params),) = body.items()
    _check.choice(kind, path, TRANSFORMS, what="a transform")
    cls = TRANSFORMS[kind]
    where = _check.join_path(path, kind)
    allowed = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    params = _check.mapping(params, where, allowed=allowed, required=_REQUIRED[kind])
    normalised = cls._validate({**_defaults(cls), **params}, where)
    try:
        return cls(**normalised)
    except ProfileError as exc:  # pragma: no cover - _validate already checked
        _check.fail(where, str(exc))


def _defaults(cls: type[Transform]) -> dict[str, Any]:
    return {
        f.name: f.default
        for f in fields(cls)  # type: ignore[arg-type]
        if f.default is not MISSING
    }
