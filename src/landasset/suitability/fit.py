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
>>> bool((fit["margin"].dropna() >= 0).all())
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from landasset._errors import ProfileError
from landasset.suitability._rules import StageRule
from landasset.suitability.model import SuitabilityModel, _measure_frame, _stages
from landasset.suitability.profiles import load_profile

__all__ = ["best_fit"]


def best_fit(
    site: Any,
    profiles: Sequence[str | SuitabilityModel],
    *,
    margin: float = 0.05,
    as_of: Any = None,
    ledger: Any = None,
) -> pd.DataFrame:
    """The best-fitting profile per parcel, its runner-up and whether they conflict.

    Every measure any profile needs is computed once (one
    :func:`landasset.measures.compute` call); each profile then scores the parcels.
    A profile counts for a parcel only where the parcel is eligible under it and has
    a score. Scores of different profiles are compared as they are (each 0–1): keep
    the profiles' transforms calibrated alike when reading a margin.

    Parameters
    ----------
    site : Site
    profiles : sequence of str or SuitabilityModel
        Bundled profile names (:func:`list_profiles`) or models; their names must be
        distinct.
    margin : float, default 0.05
        ``conflict`` is True where the runner-up is within this margin of the best.
    as_of, ledger
        As for :meth:`SuitabilityModel.score`.

    Returns
    -------
    DataFrame
        Indexed like ``site.parcels``: ``best`` (profile name, None when no profile
        scores the parcel), ``score``, ``runner_up``, ``runner_up_score``, ``margin``
        (score − runner-up score), ``conflict`` and one ``score_<profile>`` column per
        profile (NaN where not eligible or not scored). Ties go to the profile listed
        first.
    """
    if isinstance(profiles, (str, SuitabilityModel)):
        raise ProfileError("profiles must be a list: best_fit(site, ['aerospace', 'ai'])")
    models = [load_profile(p) if isinstance(p, str) else p for p in profiles]
    if not models:
        raise ProfileError("best_fit needs at least one profile")
    for p in models:
        if not isinstance(p, SuitabilityModel):
            raise ProfileError(f"a profile is a name or a SuitabilityModel, not {type(p).__name__}")
    names = [m.name for m in models]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ProfileError(
            f"two profiles are named {duplicated[0]!r}; give each model a distinct name"
        )
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not margin >= 0:
        raise ProfileError(f"margin must be a number >= 0, got {margin!r}")

    specs: dict[str, dict[str, Any]] = {}
    for m in models:
        for label, spec in m.measure_specs().items():
            specs.setdefault(label, spec)
    measures = _measure_frame(site, specs, as_of=as_of)
    needs_stages = any(isinstance(r, StageRule) for m in models for r in m.constraints)
    stages = _stages(ledger, as_of) if needs_stages else None

    parcels = site.parcels
    table = np.full((len(parcels), len(models)), np.nan)
    for k, m in enumerate(models):
        result = m.score_frame(parcels, measures, stages=stages)
        ranked = result["rank"].notna().to_numpy()
        table[ranked, k] = result["score"].to_numpy(dtype=np.float64)[ranked]

    filled = np.where(np.isnan(table), -np.inf, table)
    order = np.argsort(-filled, axis=1, kind="stable")
    rows = np.arange(len(parcels))
    labels = np.asarray(names, dtype=object)
    first = table[rows, order[:, 0]] if len(models) else np.full(len(parcels), np.nan)
    has_first = ~np.isnan(first)
    second = table[rows, order[:, 1]] if len(models) > 1 else np.full(len(parcels), np.nan)
    has_second = ~np.isnan(second)
    gap = first - second
    out = pd.DataFrame(
        {
            "best": pd.Series(labels[order[:, 0]], dtype=object).where(has_first, None).to_numpy(),
            "score": first,
            "runner_up": pd.Series(labels[order[:, min(1, len(models) - 1)]], dtype=object)
            .where(has_second, None)
            .to_numpy(),
            "runner_up_score": second,
            "margin": gap,
            "conflict": has_second & (gap <= margin),
        },
        index=parcels.index,
    )
    for k, name in enumerate(names):
        out[f"score_{name}"] = table[:, k]
    return out
