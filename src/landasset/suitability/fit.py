"""Which industry fits each parcel best? Several profiles scored on one measure frame.

Examples
--------
>>> import landasset as la
>>> from landasset.suitability import best_fit
>>> site = la.sample.load("yunqi")
>>> fit = best_fit(site, ["aerospace", "ai", "smart_manufacturing", "life_health"],
...                as_of="2025-12-31")
>>> fit.columns[:6].tolist()
['best', 'score', 'runner_up', 'runner_up_score', 'margin', 'conflict']
>>> fit["reason"][fit["best"].isna()].str.contains("excluded by").all()
np.True_
>>> bool((fit["margin"].dropna() >= 0).all())
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from landasset._dates import to_day_or_none
from landasset._errors import LandassetTypeError, LandassetValueError
from landasset.suitability._needs import measure_frame
from landasset.suitability._rules import StageRule
from landasset.suitability._scoring import ledger_stages, retired_parcels
from landasset.suitability.model import SuitabilityModel
from landasset.suitability.profiles import load_profile

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from landasset.site import Site

__all__ = ["best_fit"]


def best_fit(
    site: Site,
    profiles: Sequence[str | SuitabilityModel],
    *,
    margin: float = 0.05,
    min_score: float = 0.0,
    as_of: Any = None,
    ledger: Any = None,
    stages: Any = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """The best-fitting profile per parcel, its runner-up, whether they conflict, and
    why a parcel fits none.

    Every measure any profile needs is computed once (one
    :func:`landasset.measures.compute` call); each profile then scores the parcels.
    A profile counts for a parcel only where the parcel is eligible under it, has a
    score and the score is at least ``min_score``. Scores of different profiles are
    compared as they are (each 0–1): keep the profiles' transforms calibrated alike
    when reading a margin.

    Parameters
    ----------
    site : Site
    profiles : sequence of str or SuitabilityModel
        Bundled profile names (:func:`list_profiles`) or models; their names must be
        distinct.
    margin : float, default 0.05
        ``conflict`` is True where the runner-up is within this margin of the best.
    min_score : float, default 0.0
        A profile scoring a parcel below this does not fit it.
    as_of : date-like, optional
        As for :meth:`SuitabilityModel.score`; the date on which stages are read.
    stages : Ledger or Series, optional
        Lifecycle stages: a :class:`~landasset.lifecycle.Ledger` or a Series of stage
        ids by ``parcel_id``. Parcels retired on ``as_of`` (split or merged parents)
        are left out of the result and listed in ``attrs["retired_parcels"]``; the
        stages also serve the profiles' ``{stage: [...]}`` rules.
    ledger : Ledger or Series, optional
        The same as ``stages`` (the name :meth:`SuitabilityModel.score` uses); give
        one of the two.
    workers : int, optional
        Processes that measure partitions of the parcels side by side (see
        :func:`landasset.measures.compute`). Default: the CPUs available to the
        process. The result does not depend on it, to the bit.

    Returns
    -------
    DataFrame
        Indexed like ``site.parcels`` (less retired parcels): ``best`` (profile name,
        missing when no profile fits), ``score``, ``runner_up``, ``runner_up_score``,
        ``margin`` (score − runner-up score), ``conflict``, ``reason`` and one
        ``score_<profile>`` column per profile (NaN where not eligible or not
        scored). Ties go to the profile listed first. ``reason`` is missing where a
        profile fits; elsewhere it says, profile by profile, what ruled it out:
        ``"aerospace: excluded by <rule>; ai: no value for <criteria>; life_health:
        score 0.312 below min_score 0.4"``. ``attrs["retired_parcels"]`` lists the ids
        left out as retired (empty without stages).

    Raises
    ------
    ProfileError
        ``profiles`` is not a list of distinct profiles, ``margin`` or ``min_score``
        is not a number, or both ``stages`` and ``ledger`` are given.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> fit = best_fit(site, ["aerospace", "ai"], as_of="2025-12-31", min_score=0.5)
    >>> unfit = fit[fit["best"].isna()]
    >>> print(unfit["reason"].iloc[0])  # doctest: +ELLIPSIS
    aerospace: ...; ai: ...
    >>> bool(fit.loc[fit["best"].notna(), "reason"].isna().all())
    True
    """
    if isinstance(profiles, (str, SuitabilityModel)):
        raise LandassetValueError("profiles must be a list: best_fit(site, ['aerospace', 'ai'])")
    models = [load_profile(p) if isinstance(p, str) else p for p in profiles]
    if not models:
        raise LandassetValueError("best_fit needs at least one profile")
    for p in models:
        if not isinstance(p, SuitabilityModel):
            raise LandassetTypeError(
                f"a profile is a name or a SuitabilityModel, not {type(p).__name__}"
            )
    names = [m.name for m in models]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise LandassetValueError(
            f"two profiles are named {duplicated[0]!r}; give each model a distinct name"
        )
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not margin >= 0:
        raise LandassetValueError(f"margin must be a number >= 0, got {margin!r}")
    if (
        isinstance(min_score, bool)
        or not isinstance(min_score, (int, float))
        or not np.isfinite(min_score)
    ):
        raise LandassetValueError(f"min_score must be a number, got {min_score!r}")
    if stages is not None and ledger is not None:
        raise LandassetValueError(
            "give the lifecycle stages once: stages=... or ledger=..., not both"
        )
    source = stages if stages is not None else ledger

    parcels = site.parcels
    retired = pd.Index([])
    if source is not None:
        retired = parcels.index.intersection(retired_parcels(source, as_of), sort=False)
        parcels = parcels.drop(index=retired)

    specs: dict[str, dict[str, Any]] = {}
    for m in models:
        for label, spec in m.measure_specs().items():
            specs.setdefault(label, spec)
    measures = measure_frame(site, specs, as_of=as_of, workers=workers)
    if len(retired):
        measures = measures.drop(index=retired)
    needs_stages = any(isinstance(r, StageRule) for m in models for r in m.constraints)
    stage_series = ledger_stages(source, as_of) if needs_stages else None

    table = np.full((len(parcels), len(models)), np.nan)
    why = np.full((len(parcels), len(models)), None, dtype=object)
    for k, m in enumerate(models):
        result = m.score_frame(parcels, measures, stages=stage_series)
        s = result["score"].to_numpy(dtype=np.float64)
        ranked = result["rank"].notna().to_numpy()
        with np.errstate(invalid="ignore"):
            fits = ranked & (s >= min_score)
        table[fits, k] = s[fits]
        why[:, k] = _why_not(m.name, result, s, min_score)

    filled = np.where(np.isnan(table), -np.inf, table)
    order = np.argsort(-filled, axis=1, kind="stable")
    rows = np.arange(len(parcels))
    labels = np.asarray(names, dtype=object)
    first = table[rows, order[:, 0]] if len(models) else np.full(len(parcels), np.nan)
    has_first = ~np.isnan(first)
    second = table[rows, order[:, 1]] if len(models) > 1 else np.full(len(parcels), np.nan)
    has_second = ~np.isnan(second)
    gap = first - second
    # where no profile fits, every profile has its reason
    reason = np.full(len(parcels), None, dtype=object)
    if len(parcels):
        joined = pd.Series(why[:, 0], dtype=object)
        for k in range(1, len(models)):
            joined = joined + "; " + pd.Series(why[:, k], dtype=object)
        reason[~has_first] = joined.to_numpy()[~has_first]
    out = pd.DataFrame(
        {
            "best": _unless(labels[order[:, 0]], has_first),
            "score": first,
            "runner_up": _unless(labels[order[:, min(1, len(models) - 1)]], has_second),
            "runner_up_score": second,
            "margin": gap,
            "conflict": has_second & (gap <= margin),
            "reason": reason,
        },
        index=parcels.index,
    )
    for k, name in enumerate(names):
        out[f"score_{name}"] = table[:, k]
    out.attrs["retired_parcels"] = retired.tolist()
    out.attrs["as_of"] = to_day_or_none(as_of)
    return out


def _unless(
    values: npt.NDArray[np.object_], keep: npt.NDArray[np.bool_]
) -> npt.NDArray[np.object_]:
    out = values.copy()
    out[~keep] = None
    return out


def _why_not(
    name: str, result: pd.DataFrame, score: npt.NDArray[np.float64], min_score: float
) -> npt.NDArray[np.object_]:
    """Per parcel, why profile ``name`` does not fit it (None where it does)."""
    eligible = result["eligible"].to_numpy(dtype=bool)
    with np.errstate(invalid="ignore"):
        low = eligible & (score < min_score)
    unscored = eligible & np.isnan(score)
    out = np.full(len(result), None, dtype=object)
    if (~eligible).any():
        rule = result["excluded_by"].to_numpy(dtype=object)[~eligible]
        out[~eligible] = (
            f"{name}: excluded by " + pd.Series(rule, dtype=object).astype(str)
        ).to_numpy()
    if unscored.any():
        missing = pd.Series(result["missing"].to_numpy(dtype=object)[unscored], dtype=object)
        missing = missing.fillna("").astype(str)
        text = (f"{name}: no value for " + missing).where(missing != "", f"{name}: no score")
        out[unscored] = text.to_numpy()
    if low.any():
        values = pd.Series(score[low]).map("{:.3f}".format)
        out[low] = (f"{name}: score " + values + f" below min_score {min_score:g}").to_numpy()
    return out
