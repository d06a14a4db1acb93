"""How a suitability model turns criterion values into scores and ranks.

The weight-independent parts of each method (:class:`Aggregator`), competition ranks,
the missing-value report and the lifecycle-stage helpers that
:meth:`~landasset.suitability.SuitabilityModel.score_frame`,
:func:`~landasset.suitability.sensitivity` and :func:`~landasset.suitability.best_fit`
share.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from landasset._errors import (
    MissingValueWarning,
    SchemaError,
)
from landasset._stages import retired_ids, stage_series
from landasset.suitability._needs import LOCAL_MEASURES
from landasset.suitability._rules import MeasureRule, spec_dict
from landasset.suitability.methods import _closeness, _order_weights, _owa_parts

if TYPE_CHECKING:
    from landasset.suitability.model import SuitabilityModel

__all__ = [
    "NUDGE",
    "Aggregator",
    "MissingValueWarning",
    "competition_rank",
    "ledger_stages",
    "missing_names",
    "name_unknown_codes",
    "rank_columns",
    "retired_parcels",
    "row_position",
    "stage_values",
    "topsis_parts",
    "warn_missing",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


# -- scoring ----------------------------------------------------------------------

# what-if targets are overshot by this much on the 0-1 scale, so that rounding in the
# inverse transform cannot leave the parcel a hair below the k-th score
NUDGE = 1e-9


def row_position(result: pd.DataFrame, parcel_id: Any) -> int:
    position = result.index.get_loc(parcel_id)
    if not isinstance(position, (int, np.integer)):
        raise SchemaError(f"parcel id {parcel_id!r} is not unique in the result")
    return int(position)


def topsis_parts(
    values: FloatArray, normalization: str, reference: BoolArray
) -> tuple[FloatArray, FloatArray]:
    from landasset.suitability.methods import _topsis_parts

    return _topsis_parts(values, np.ones(values.shape[1], dtype=bool), normalization, reference)


class Aggregator:
    """The method's weight-independent parts of a value matrix, so that scoring for any
    weights (one vector, or thousands in :func:`sensitivity`) is matrix products."""

    def __init__(
        self, model: SuitabilityModel, values: FloatArray, *, reference: BoolArray
    ) -> None:
        self.method = model.method
        w = model._weights
        # a criterion of weight 0 does not count, so its missing values do not either
        x = np.where(np.isnan(values) & (w == 0), 0.0, values)
        self.values = x
        if self.method == "owa":
            assert model.order_weights is not None
            v = _order_weights(list(model.order_weights), x.shape[1])
            self.a, self.b = _owa_parts(x, v)
        elif self.method == "topsis":
            self.d_plus, self.d_minus = topsis_parts(x, model.normalization, reference)

    def scores(self, weights: FloatArray) -> FloatArray:
        """Scores for a (draws, criteria) weight matrix: (rows, draws)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.method == "wlc":
                out = self.values @ weights.T
            elif self.method == "owa":
                out = (self.a @ weights.T) / (self.b @ weights.T)
            else:
                w2 = (weights**2).T
                out = _closeness(self.d_plus @ w2, self.d_minus @ w2)
        return np.clip(out, 0.0, 1.0)

    def score_and_contributions(self, w: FloatArray) -> tuple[FloatArray, FloatArray]:
        if self.method == "wlc":
            contributions = self.values * w
            score = contributions.sum(axis=1)
        elif self.method == "owa":
            with np.errstate(invalid="ignore", divide="ignore"):
                denominator = self.b @ w
                contributions = self.a * w / denominator[:, np.newaxis]
            score = contributions.sum(axis=1)
        else:
            score = self.scores(w[np.newaxis])[:, 0]
            contributions = np.full(self.values.shape, np.nan)
        return np.clip(score, 0.0, 1.0), contributions


def competition_rank(score: FloatArray, ranked: BoolArray) -> pd.arrays.IntegerArray:
    """1 = best among ``ranked``; ties share the better rank (competition ranking)."""
    out = np.zeros(len(score), dtype=np.int64)
    if ranked.any():
        out[ranked] = rank_columns(score[ranked][:, np.newaxis])[:, 0]
    return pd.arrays.IntegerArray(out, ~ranked)


def rank_columns(scores: FloatArray) -> npt.NDArray[np.int64]:
    """Competition ranks (1 = highest, ties share the better rank) down each column.

    One stable argsort per column, vectorised over columns.

    >>> rank_columns(np.array([[0.2], [0.9], [0.2], [0.5]]))[:, 0].tolist()
    [3, 1, 3, 2]
    """
    r, c = scores.shape
    order = np.argsort(-scores, axis=0, kind="stable")
    ordered = np.take_along_axis(scores, order, axis=0)
    starts = np.ones((r, c), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    first = np.where(starts, np.arange(r)[:, np.newaxis], 0)
    np.maximum.accumulate(first, axis=0, out=first)
    ranks = np.empty((r, c), dtype=np.int64)
    np.put_along_axis(ranks, order, first + 1, axis=0)
    return ranks


def missing_names(missing: BoolArray, names: Sequence[str]) -> npt.NDArray[np.object_]:
    out = np.full(missing.shape[0], "", dtype=object)
    if not missing.any():
        return out
    for j, name in enumerate(names):
        col = missing[:, j]
        if col.any():
            out[col] = np.where(out[col] == "", name, out[col] + "," + name)
    return out


def warn_missing(model: SuitabilityModel, missing: BoolArray, undecided: Mapping[str, int]) -> None:
    parts = []
    rows = int(missing.any(axis=1).sum())
    if rows:
        counts = ", ".join(
            f"{c.name} {int(missing[:, j].sum())}"
            for j, c in enumerate(model.criteria)
            if missing[:, j].any()
        )
        parts.append(
            f"{rows} parcel(s) have missing criterion values and get no score or rank "
            f"(never a 0): {counts}; see the 'missing' column"
        )
    if undecided:
        counts = ", ".join(f"{label!r} {k}" for label, k in undecided.items())
        parts.append(f"rules without a value (parcel not eligible): {counts}")
    if parts:
        warnings.warn(
            f"model {model.name!r}: " + "; ".join(parts), MissingValueWarning, stacklevel=4
        )


def name_unknown_codes(
    excluded_by: npt.NDArray[np.object_],
    failed: BoolArray,
    families: pd.Series,
    rule: MeasureRule,
    parcels: pd.DataFrame | None,
) -> None:
    """Where a family rule failed on an unknown family, say which code is unknown.

    Only the few distinct families and codes are looked at in Python."""
    codes, uniques = pd.factorize(families.astype(object), use_na_sentinel=True)
    has_unknown = np.array([*("unknown" in str(u).split("/") for u in uniques), False], dtype=bool)
    unknown = failed & has_unknown[codes]
    if not unknown.any():
        return
    column = spec_dict(rule.measure).get("column", LOCAL_MEASURES["land_use_family"]["column"])
    if parcels is None or column not in parcels.columns:
        excluded_by[unknown] = "unknown land-use code"
        return
    from landasset.landuse import land_use_parts

    rows = np.flatnonzero(unknown)
    ids, raw = pd.factorize(parcels[column].iloc[rows].astype(object), use_na_sentinel=True)
    parts = land_use_parts(pd.Series(raw, dtype=object))["unknown"]
    messages = np.array(
        ["unknown land-use code " + ", ".join(repr(p) for p in found) for found in parts],
        dtype=object,
    )
    excluded_by[rows] = messages[ids]


def stage_values(stages: pd.Series, index: pd.Index) -> pd.Series:
    """Stage identifiers (plain strings, ``None`` where missing) on ``index``."""
    return stage_series(stages.reindex(index))


def ledger_stages(ledger: Any, as_of: Any) -> pd.Series | None:
    """Stage ids by parcel_id on ``as_of`` from a Ledger or a Series (None stays None)."""
    return None if ledger is None else stage_series(ledger, as_of)


def retired_parcels(stages: Any, as_of: Any) -> pd.Index:
    """The parcel ids whose stage on ``as_of`` is ``retired`` (split or merged parents),
    from a Ledger (anything with ``stages(as_of)``) or a Series of stages by parcel_id."""
    return pd.Index(retired_ids(stage_series(stages, as_of)))
