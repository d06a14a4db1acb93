"""How stable is a ranking when the weights move? Dirichlet perturbation and leave-one-out.

Weights are drawn from a Dirichlet distribution centred on the model's weights w
(criteria of weight 0 stay at 0): W ~ Dir(κ·w), so E[W] = w and
Var(W_i) = w_i (1 − w_i) / (κ + 1). The concentration κ is set from ``spread``, the
coefficient of variation (sd / mean) of a weight equal to the average weight 1/m
(m = the number of criteria with positive weight):

    spread² = (m − 1) / (κ + 1)   ⇒   κ = (m − 1) / spread² − 1

so with 8 criteria and ``spread=0.2`` (κ = 174) a weight of 0.125 typically moves by
±0.025; larger weights move relatively less, smaller ones relatively more. The
measures are computed once; each draw is a matrix product (WLC: S = V Wᵀ; OWA and
TOPSIS have the same form, see the code) followed by a ranking, vectorised over
chunks of draws.

Leave-one-criterion-out drops each criterion in turn (its weight set to 0, the
others renormalised) and compares the ranking with the model's.

Examples
--------
>>> import landasset as la
>>> from landasset.suitability import load_profile, sensitivity
>>> site = la.sample.load("yunqi")
>>> model = load_profile("aerospace")
>>> s = sensitivity(model, site, n=200, top_k=10, as_of="2025-12-31")
>>> s.parcels.columns[:6].tolist()
['rank', 'mean_rank', 'rank_std', 'rank_best', 'rank_worst', 'p_top_k']
>>> bool(s.parcels["p_top_k"].between(0, 1).all())
True
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from landasset._errors import LandassetValueError
from landasset.suitability._rules import StageRule
from landasset.suitability._scoring import Aggregator, ledger_stages, rank_columns, retired_parcels
from landasset.suitability.model import SuitabilityModel

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from landasset.site import Site

__all__ = ["SensitivityResult", "dirichlet_concentration", "sensitivity"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# parcels × draws elements per chunk (float64 scores + int64 ranks ≈ 16 bytes each)
_CHUNK_ELEMENTS = 4_000_000


def dirichlet_concentration(spread: float, m: int) -> float:
    """The Dirichlet concentration κ = (m − 1) / spread² − 1 for ``m`` positive weights.

    ``spread`` is the coefficient of variation of a weight equal to 1/m.

    Examples
    --------
    >>> dirichlet_concentration(0.2, 8)
    174.0
    """
    if isinstance(spread, bool) or not isinstance(spread, (int, float)) or not spread > 0:
        raise LandassetValueError(f"spread must be a number > 0, got {spread!r}")
    if m < 2:
        return math.inf
    kappa = (m - 1) / spread**2 - 1.0
    if kappa <= 0:
        raise LandassetValueError(
            f"spread {spread} is too large for {m} criteria: it must be below √(m − 1) = "
            f"{math.sqrt(m - 1):.3f} (spread is the coefficient of variation of an average weight)"
        )
    return float(kappa)


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """What :func:`sensitivity` returns.

    Attributes
    ----------
    parcels : DataFrame
        One row per ranked parcel (eligible, with a score), sorted by ``rank``:
        ``rank`` (the model's), ``mean_rank``, ``rank_std``, ``rank_best``,
        ``rank_worst``, ``p_top_k`` (share of draws in the top k) and
        ``rank_without_<criterion>`` (leave-one-out).
    leave_one_out : DataFrame
        One row per criterion with positive weight: ``spearman`` (rank correlation with
        the model's ranking), ``top_k_kept`` (share of the model's top k still in the top
        k), ``max_rank_change``, and the criterion's own ``weight``.
    weights : DataFrame
        The drawn weights, one row per draw.
    top_k, n, spread, concentration, seed
        The settings.
    retired_parcels : tuple
        The parcels left out as retired (split or merged parents) when stages were
        given; empty otherwise.
    """

    parcels: pd.DataFrame
    leave_one_out: pd.DataFrame
    weights: pd.DataFrame
    top_k: int
    n: int
    spread: float
    concentration: float
    seed: int
    retired_parcels: tuple[Any, ...] = ()

    def __repr__(self) -> str:
        return (
            f"<SensitivityResult n={self.n} spread={self.spread} (κ={self.concentration:.1f}) "
            f"top_k={self.top_k} parcels={len(self.parcels)}>"
        )

    def _repr_html_(self) -> str:
        head = self.parcels.head(max(self.top_k, 10))
        rows = "".join(
            f"<tr><td>{html.escape(str(pid))}</td><td>{r['rank']}</td><td>{r['mean_rank']:.1f}</td>"
            f"<td>{r['rank_std']:.1f}</td><td>{r['p_top_k']:.0%}</td></tr>"
            for pid, r in head.iterrows()
        )
        loo = "".join(
            f"<tr><td>{html.escape(str(c))}</td><td>{r['weight']:.3f}</td><td>{r['spearman']:.3f}</td>"
            f"<td>{r['top_k_kept']:.0%}</td></tr>"
            for c, r in self.leave_one_out.iterrows()
        )
        return (
            f"<div><strong>Sensitivity</strong>: {self.n} Dirichlet draws, spread {self.spread} "
            f"(κ = {self.concentration:.1f}), top {self.top_k}"
            "<table><thead><tr><th>parcel</th><th>rank</th><th>mean rank</th><th>rank sd</th>"
            f"<th>P(top k)</th></tr></thead><tbody>{rows}</tbody></table>"
            "<br>leave one criterion out<table><thead><tr><th>criterion</th><th>weight</th>"
            f"<th>Spearman</th><th>top k kept</th></tr></thead><tbody>{loo}</tbody></table></div>"
        )


def sensitivity(
    model: SuitabilityModel,
    site: Site,
    *,
    n: int = 1000,
    spread: float = 0.2,
    seed: int = 0,
    top_k: int = 10,
    as_of: Any = None,
    ledger: Any = None,
    measures: pd.DataFrame | None = None,
    stages: Any = None,
    workers: int | None = None,
) -> SensitivityResult:
    """Rank stability of a model's parcels under Dirichlet weight perturbation.

    Parameters
    ----------
    model : SuitabilityModel
    site : Site
        The district (only its parcels are read when ``measures`` is given).
    n : int, default 1000
        Number of weight draws.
    spread : float, default 0.2
        Coefficient of variation of an average weight (see the module notes):
        κ = (m − 1) / spread² − 1.
    seed : int, default 0
        Seed of the random generator (results are reproducible).
    top_k : int, default 10
        The "top k" of ``p_top_k`` and ``top_k_kept``.
    as_of : date-like, optional
        As for :meth:`SuitabilityModel.score`; the date on which stages are read.
    ledger : Ledger or Series, optional
        As for :meth:`SuitabilityModel.score`; the same as ``stages`` (give one).
    measures : DataFrame, optional
        A measure frame from :meth:`SuitabilityModel.measure_frame`, to skip
        computing it.
    workers : int, optional
        Processes that measure partitions of the parcels side by side when
        ``measures`` is not given (see :func:`landasset.measures.compute`). Default:
        the CPUs available to the process. The result does not depend on it.
    stages : Ledger or Series, optional
        Lifecycle stages (a Ledger or stage ids by ``parcel_id``): parcels retired
        on ``as_of`` (split or merged parents) are left out of the ranking and listed
        in ``retired_parcels``; the stages also serve ``{stage: [...]}`` rules.

    Returns
    -------
    SensitivityResult
        ``parcels`` has one row per ranked parcel (eligible, not retired), indexed
        by ``parcel_id``; ``leave_one_out`` one row per criterion.

    Examples
    --------
    >>> import landasset as la
    >>> from landasset.suitability import load_profile, sensitivity
    >>> site = la.sample.load("yunqi")
    >>> stability = sensitivity(load_profile("aerospace"), site, n=100, as_of="2025-12-31")
    >>> len(stability.parcels) < len(site.parcels)  # the ranked parcels only
    True
    >>> stability.parcels.loc["XH120507-02", ["rank", "rank_best"]].tolist()
    [1, 1]
    >>> float(stability.leave_one_out.loc["cluster", "top_k_kept"])
    0.6
    """
    for name, value in (("n", n), ("top_k", top_k), ("seed", seed)):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, np.integer))
            or value < (0 if name == "seed" else 1)
        ):
            raise LandassetValueError(
                f"{name} must be a {'non-negative' if name == 'seed' else 'positive'} whole number, got {value!r}"
            )
    if stages is not None and ledger is not None:
        raise LandassetValueError(
            "give the lifecycle stages once: stages=... or ledger=..., not both"
        )
    source = stages if stages is not None else ledger
    if measures is None:
        measures = model.measure_frame(site, as_of=as_of, workers=workers)
    parcels = site.parcels
    retired = pd.Index([])
    if source is not None:
        retired = parcels.index.intersection(retired_parcels(source, as_of), sort=False)
        parcels = parcels.drop(index=retired)
        measures = measures.drop(index=retired, errors="ignore")
    needs_stages = any(isinstance(r, StageRule) for r in model.constraints)
    stage_series = ledger_stages(source, as_of) if needs_stages else None
    result = model.score_frame(parcels, measures, stages=stage_series)

    names = model.names
    ranked = result["rank"].notna().to_numpy()
    ids = result.index[ranked]
    values = result.loc[ranked, [f"v_{c}" for c in names]].to_numpy(dtype=np.float64)
    base_rank = result.loc[ranked, "rank"].to_numpy(dtype=np.int64)
    agg = Aggregator(model, values, reference=np.ones(len(values), dtype=bool))

    w0 = model.criterion_weights.to_numpy()
    positive = w0 > 0
    m_pos = int(positive.sum())
    kappa = dirichlet_concentration(spread, m_pos)
    rng = np.random.default_rng(seed)
    draws = np.zeros((n, len(w0)))
    if math.isinf(kappa):
        draws[:] = w0
    else:
        draws[:, positive] = rng.dirichlet(kappa * w0[positive], size=n)

    rows = len(values)
    total = np.zeros(rows)
    total_sq = np.zeros(rows)
    in_top = np.zeros(rows, dtype=np.int64)
    best = np.full(rows, np.iinfo(np.int64).max, dtype=np.int64)
    worst = np.zeros(rows, dtype=np.int64)
    if rows:
        step = max(1, min(n, _CHUNK_ELEMENTS // rows))
        for start in range(0, n, step):
            ranks = rank_columns(agg.scores(draws[start : start + step]))
            total += ranks.sum(axis=1)
            total_sq += (ranks.astype(np.float64) ** 2).sum(axis=1)
            in_top += (ranks <= top_k).sum(axis=1)
            np.minimum(best, ranks.min(axis=1), out=best)
            np.maximum(worst, ranks.max(axis=1), out=worst)
    mean = total / n
    std = np.sqrt(np.maximum(total_sq / n - mean**2, 0.0))

    table = pd.DataFrame(
        {
            "rank": base_rank,
            "mean_rank": mean,
            "rank_std": std,
            "rank_best": best if rows else best[:0],
            "rank_worst": worst,
            "p_top_k": in_top / n,
        },
        index=ids,
    )

    loo_rows = []
    base_top = base_rank <= top_k
    for j, name in enumerate(names):
        if not positive[j]:
            continue
        w = w0.copy()
        w[j] = 0.0
        if w.sum() <= 0:
            continue
        w /= w.sum()
        ranks = rank_columns(agg.scores(w[np.newaxis]))[:, 0] if rows else np.zeros(0, np.int64)
        table[f"rank_without_{name}"] = ranks
        rho = _spearman(base_rank, ranks)
        kept = (
            float((base_top & (ranks <= top_k)).sum() / base_top.sum())
            if base_top.any()
            else np.nan
        )
        change = int(np.abs(ranks - base_rank).max()) if rows else 0
        loo_rows.append(
            {
                "criterion": name,
                "weight": float(w0[j]),
                "spearman": rho,
                "top_k_kept": kept,
                "max_rank_change": change,
            }
        )
    loo = pd.DataFrame(
        loo_rows, columns=["criterion", "weight", "spearman", "top_k_kept", "max_rank_change"]
    )
    table = table.sort_values(["rank", "mean_rank"], kind="stable")
    table.index.name = result.index.name
    return SensitivityResult(
        parcels=table,
        leave_one_out=loo.set_index("criterion"),
        weights=pd.DataFrame(draws, columns=names),
        top_k=int(top_k),
        n=int(n),
        spread=float(spread),
        concentration=float(kappa),
        seed=int(seed),
        retired_parcels=tuple(retired.tolist()),
    )


def _spearman(a: IntArray, b: IntArray) -> float:
    if len(a) < 2:
        return float("nan")
    x = a.astype(np.float64) - a.mean()
    y = b.astype(np.float64) - b.mean()
    denominator = math.sqrt(float((x**2).sum() * (y**2).sum()))
    return float((x * y).sum() / denominator) if denominator > 0 else float("nan")
