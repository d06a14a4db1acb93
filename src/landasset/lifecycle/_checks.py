"""Batch checks: events normalised, then checked against the transition table.

:func:`normalise` takes events (a frame, or columns of a single event), checks their
shape and values (parcel ids, stages, dates, actors, the typed data fields of
:data:`~landasset.lifecycle.FIELDS`) and sorts them into a :class:`Batch`.
:func:`check_moves` then checks each move against the parcels' current stages and
:data:`~landasset.lifecycle.TRANSITIONS` (allowed moves, date order, required fields).
Both are vectorised over the batch and report every refused row at once, as one
:class:`~landasset.TransitionError`; neither touches the database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from landasset._errors import TransitionError
from landasset.landuse import is_known_land_use
from landasset.lifecycle._dates import iso, to_days
from landasset.lifecycle._schema import (
    CODE,
    NEW,
    RESERVED_KEYS,
    STAGE_INDEX,
    STAGE_VALUES,
    STAGES,
)
from landasset.lifecycle.stages import (
    FIELDS,
    IN_STAGE_EVENTS,
    MODES,
    TRANSITIONS,
    Stage,
    describe_allowed,
    describe_move,
)

__all__ = ["Batch", "Problems", "check_moves", "normalise"]

# allowed[source_code, target_code]; source NEW is a first event
_ALLOWED = np.zeros((NEW + 1, NEW), dtype=bool)
_REQUIRED: dict[tuple[int, int], tuple[str, ...]] = {}
for _t in TRANSITIONS:
    _src = NEW if _t.source is None else CODE[_t.source.value]
    _ALLOWED[_src, CODE[_t.target.value]] = True
    _REQUIRED[(_src, CODE[_t.target.value])] = _t.required

_FRAME_COLUMNS = ("parcel_id", "stage", "on", "actor")
_SUGGEST = {
    "date": "on",
    "day": "on",
    "recorded_by": "actor",
    "user": "actor",
    "parcel": "parcel_id",
}


@dataclass
class Batch:
    """Events ready to check and insert, sorted by parcel then date then input order."""

    labels: npt.NDArray[Any]  # the caller's row labels, sorted order
    position: npt.NDArray[np.intp]  # row position in the caller's frame, sorted order
    parcel: npt.NDArray[np.object_]
    stage: npt.NDArray[np.intp]
    day: npt.NDArray[np.datetime64]
    actor: npt.NDArray[np.object_]
    data: dict[str, npt.NDArray[Any]]  # normalised values (object arrays, None = absent)
    json_keys: frozenset[str]  # columns whose values are JSON text (bind with json(?))
    corrects: npt.NDArray[Any] | None = None
    seq: npt.NDArray[Any] | None = None

    def __len__(self) -> int:
        return len(self.parcel)


class Problems:
    """Problems found in a batch, by row; raised together as one TransitionError."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.rows: list[tuple[int, str]] = []  # (sorted position, message), the first ones
        self.refused = np.zeros(len(batch), dtype=bool)

    def add(self, mask: npt.NDArray[np.bool_], message: str | Callable[[int], str]) -> None:
        self.refused |= mask
        for i in np.flatnonzero(mask)[:50]:
            self.rows.append((int(i), message(int(i)) if callable(message) else message))
        extra = int(mask.sum()) - 50
        if extra > 0:
            self.rows.append((int(np.flatnonzero(mask)[50]), f"… and {extra} more like it"))

    def raise_if_any(self) -> None:
        if not self.rows:
            return
        b = self.batch
        ordered = sorted(self.rows, key=lambda r: (int(b.position[r[0]]), r[1]))[:20]
        shown = []
        for i, message in ordered:
            day = "an unknown date" if np.isnat(b.day[i]) else str(b.day[i])
            shown.append(f"  row {b.labels[i]!r}, parcel {b.parcel[i]!r} on {day}: {message}")
        hidden = int(self.refused.sum()) - len({i for i, _ in ordered})
        if hidden > 0:
            shown.append(f"  … and {hidden} more refused events")
        raise TransitionError(
            f"{int(self.refused.sum())} of {len(b)} events refused, nothing was recorded:\n"
            + "\n".join(shown)
        )


def normalise(
    frame: pd.DataFrame | Mapping[str, Any], labels: Sequence[Any] | None = None
) -> Batch:
    """Check the shape and values of events (not the moves) and sort them."""
    if isinstance(frame, pd.DataFrame):
        columns = {str(c): frame[c] for c in frame.columns}
        if len(set(columns)) != frame.shape[1]:
            raise TransitionError("the events frame has duplicate column names; make them unique")
        row_labels = np.asarray(frame.index, dtype=object)
        n = len(frame)
    else:
        columns = {str(k): v for k, v in frame.items()}
        n = len(next(iter(columns.values()))) if columns else 0
        row_labels = np.asarray(labels if labels is not None else range(n), dtype=object)
    missing = [c for c in _FRAME_COLUMNS if c not in columns]
    if missing:
        hints = [f"{k!r} → {v!r}" for k, v in _SUGGEST.items() if k in columns and v in missing]
        raise TransitionError(
            f"the events frame lacks the column(s) {missing}; it needs {list(_FRAME_COLUMNS)} "
            "and every other column becomes event data"
            + (f" (rename {', '.join(hints)})" if hints else "")
        )
    clash = sorted((set(columns) - set(_FRAME_COLUMNS)) & RESERVED_KEYS)
    if clash:
        hints = [f"{k!r} → {_SUGGEST[k]!r}" for k in clash if k in _SUGGEST]
        raise TransitionError(
            f"{clash} cannot be event data: these names belong to the events table; "
            + (f"rename {', '.join(hints)}" if hints else "rename or drop them")
        )

    def values(name: str) -> npt.NDArray[Any]:
        col = columns[name]
        arr = (
            col.to_numpy(dtype=object)
            if isinstance(col, pd.Series)
            else np.asarray(col, dtype=object)
        )
        if arr.ndim != 1 or len(arr) != n:
            raise TransitionError(f"column {name!r} has {len(arr)} values for {n} events")
        return arr

    parcel_raw = values("parcel_id")
    stage_raw = values("stage")
    actor_raw = values("actor")
    on_col = columns["on"]
    on_raw = (
        on_col.to_numpy()
        if isinstance(on_col, pd.Series) and on_col.dtype.kind == "M"
        else values("on")
    )

    parcel_null = np.asarray(pd.isna(parcel_raw), dtype=bool)
    parcel = _as_text(parcel_raw, parcel_null, _is_text_column(columns["parcel_id"]))
    # vectorised lookup (Stage members hash and compare like their identifiers)
    stage_code = np.asarray(
        STAGE_INDEX.get_indexer(pd.Index(stage_raw, dtype=object)), dtype=np.intp
    )
    day = to_days(on_raw)
    actor_null = np.asarray(pd.isna(actor_raw), dtype=bool)
    actor = _as_text(actor_raw, actor_null, _is_text_column(columns["actor"]))

    data: dict[str, npt.NDArray[Any]] = {}
    json_keys: set[str] = set()
    field_problems: list[tuple[npt.NDArray[np.bool_], str | Callable[[int], str]]] = []
    for name, col in columns.items():
        if name in _FRAME_COLUMNS:
            continue
        arr, is_json, probs = _normalise_field(name, col, n)
        if arr is None:
            continue
        data[name] = arr
        if is_json:
            json_keys.add(name)
        field_problems.extend(probs)
    field_problems.extend(_cross_checks(data))

    # sort: by parcel, then date, then input order (events of a parcel may come in any order)
    codes, _ = pd.factorize(parcel)
    day_int = day.astype(np.int64)
    order = np.lexsort((np.arange(n), day_int, codes))
    batch = Batch(
        labels=row_labels[order],
        position=order,
        parcel=parcel[order],
        stage=stage_code[order],
        day=day[order],
        actor=actor[order],
        data={k: v[order] for k, v in data.items()},
        json_keys=frozenset(json_keys),
    )
    problems = Problems(batch)

    def sorted_mask(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        return mask[order]

    problems.add(sorted_mask(parcel_null | (parcel == "")), "parcel_id is missing")
    bad_stage = sorted_mask(stage_code < 0)
    problems.add(
        bad_stage,
        lambda i: f"{stage_raw[order[i]]!r} is not a stage; use one of: " + ", ".join(STAGE_VALUES),
    )
    problems.add(
        sorted_mask(np.isnat(day)),
        lambda i: (
            f"'on' = {on_raw[order[i]]!r} is not a date (give an ISO date such as '2024-05-01')"
        ),
    )
    problems.add(
        sorted_mask(actor_null | (actor == "")), "actor is missing: say who records the event"
    )
    for mask, message in field_problems:
        if callable(message):
            problems.add(sorted_mask(mask), _by_input_row(message, order))
        else:
            problems.add(sorted_mask(mask), message)
    problems.raise_if_any()
    return batch


def _is_text_column(col: Any) -> bool:
    return isinstance(col, pd.Series) and isinstance(col.dtype, pd.StringDtype)


def _as_text(
    values: npt.NDArray[Any], null: npt.NDArray[np.bool_], all_text: bool = False
) -> npt.NDArray[np.object_]:
    """Values as Python strings ("" where null); strings pass through untouched."""
    out = values.copy()
    out[null] = ""
    if all_text:  # a string column: every value present is a str already
        return out
    other = np.fromiter((type(v) is not str for v in out), dtype=bool, count=len(out))
    if other.any():
        out[other] = [str(v) for v in out[other]]
    return out


def _by_input_row(
    message: Callable[[int], str], order: npt.NDArray[np.intp]
) -> Callable[[int], str]:
    """A message taking a sorted position, from one taking an input row position."""
    return lambda i: message(int(order[i]))


def _normalise_field(
    name: str, col: Any, n: int
) -> tuple[
    npt.NDArray[Any] | None, bool, list[tuple[npt.NDArray[np.bool_], str | Callable[[int], str]]]
]:
    """One data column: values to store (None where absent), JSON flag, problems."""
    series = col if isinstance(col, pd.Series) else pd.Series(list(col), dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    raw = series.to_numpy(dtype=object)
    null = np.asarray(pd.isna(raw), dtype=bool)
    if null.all():
        return None, False, []
    spec = FIELDS.get(name)
    out = np.full(n, None, dtype=object)
    problems: list[tuple[npt.NDArray[np.bool_], str | Callable[[int], str]]] = []
    present = ~null
    if spec is not None and spec.kind == "date":
        src = series.to_numpy() if series.dtype.kind == "M" else raw
        days = to_days(src)
        bad = present & np.isnat(days)
        problems.append((bad, lambda i: f"{name} = {raw[i]!r} is not a date"))
        ok = present & ~bad
        given = raw[ok]
        if all(type(v) is str and len(v) == 10 for v in given):
            out[ok] = given  # parsed fine and already canonical: YYYY-MM-DD
        else:
            out[ok] = iso(days[ok])
        return out, False, problems
    if spec is not None and spec.kind in ("number", "share", "count", "year"):
        nums = np.array(
            pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(dtype=float, na_value=np.nan),
            dtype=float,
        )
        if spec.kind != "number":  # True is not a count, a share or a year
            nums[np.array([isinstance(v, (bool, np.bool_)) for v in raw], dtype=bool)] = np.nan
        bad = present & (~np.isfinite(nums) | (nums < 0))
        what = {
            "number": "a number ≥ 0",
            "share": "a share in [0, 1] (40 % is 0.4)",
            "count": "a whole number ≥ 0",
            "year": "a year such as 2027",
        }[spec.kind]
        with np.errstate(invalid="ignore"):
            if spec.kind == "share":
                bad |= present & (nums > 1)
            elif spec.kind in ("count", "year"):
                bad |= present & (nums != np.floor(nums))
            if spec.kind == "year":
                bad |= present & ((nums < 1900) | (nums > 2200))
        problems.append((bad, lambda i: f"{name} = {raw[i]!r} is not {what}"))
        ok = present & ~bad
        values = nums[ok].tolist()
        out[ok] = [int(v) for v in values] if spec.kind in ("count", "year") else values
        return out, False, problems
    if spec is not None and spec.kind in ("text", "mode", "land_use"):
        text = np.full(n, None, dtype=object)
        text[present] = [str(v).strip() for v in raw[present]]
        if spec.kind == "mode":
            bad = present & ~np.isin(text, list(MODES))
            problems.append(
                (
                    bad,
                    lambda i: (
                        f"mode {raw[i]!r} is not a supply mode; use one of: " + ", ".join(MODES)
                    ),
                )
            )
        elif spec.kind == "land_use":
            known = is_known_land_use(pd.Series(text)).to_numpy()
            bad = present & ~known
            problems.append(
                (
                    bad,
                    lambda i: (
                        f"land_use {raw[i]!r} is not a known land-use code (see landasset.landuse.LAND_USECODES)"
                    ),
                )
            )
        else:
            bad = present & (text == "")
            problems.append((bad, f"{name} is empty"))
        out[present] = text[present]
        return out, False, problems
    # a field the ledger does not know: store it as given, as JSON
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        out[present] = [t.isoformat() for t in raw[present]]
        return out, False, problems
    if series.dtype.kind == "M":
        days = series.to_numpy()
        midnight = (days.astype("datetime64[D]") == days)[present].all()
        text = (
            np.datetime_as_string(days[present], unit="D")
            if midnight
            else np.datetime_as_string(days[present], unit="s")
        )
        out[present] = text.astype(object)
        return out, False, problems
    if series.dtype.kind in "iuf":
        out[present] = [v.item() if isinstance(v, np.generic) else v for v in raw[present]]
        return out, False, problems
    if series.dtype.kind != "b" and all(isinstance(v, str) for v in raw[present]):
        out[present] = raw[present]
        return out, False, problems
    # booleans, lists, mappings, mixed values: encoded here, bound with json(?)
    encoded = np.full(n, None, dtype=object)
    bad = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(present):
        try:
            encoded[i] = json.dumps(_plain(raw[i]), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            bad[i] = True
    problems.append((bad, lambda i: f"{name} = {raw[i]!r} cannot be stored as JSON"))
    return encoded, True, problems


def _plain(value: Any) -> Any:
    """A JSON-ready version of ``value`` (numpy scalars, dates, containers)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    return value


def _cross_checks(
    data: Mapping[str, npt.NDArray[Any]],
) -> list[tuple[npt.NDArray[np.bool_], str | Callable[[int], str]]]:
    out: list[tuple[npt.NDArray[np.bool_], str | Callable[[int], str]]] = []
    for low, high, what in (
        ("agreed_start", "agreed_completion", "agreed_completion is before agreed_start"),
        ("accepted_on", "filed_on", "filed_on is before accepted_on (filing follows acceptance)"),
        ("far_min", "far_max", "far_min is above far_max"),
    ):
        if low in data and high in data:
            a, b = data[low], data[high]
            both = np.asarray(pd.notna(a) & pd.notna(b), dtype=bool)
            bad = np.zeros(len(a), dtype=bool)
            if both.any():
                bad[both] = np.array(
                    [x > y for x, y in zip(a[both], b[both], strict=True)], dtype=bool
                )
            out.append((bad, what))
    return out


def check_moves(
    batch: Batch,
    state_stage: Mapping[str, int],
    state_day: Mapping[str, np.datetime64],
) -> None:
    """Check transitions, dates and required fields against the parcels' current state."""
    n = len(batch)
    first = np.ones(n, dtype=bool)
    first[1:] = batch.parcel[1:] != batch.parcel[:-1]
    prev_stage = np.empty(n, dtype=np.intp)
    prev_day = np.empty(n, dtype="datetime64[D]")
    prev_stage[1:] = batch.stage[:-1]
    prev_day[1:] = batch.day[:-1]
    starts = np.flatnonzero(first)
    start_ids = batch.parcel[starts]
    prev_stage[starts] = [state_stage.get(p, NEW) for p in start_ids]
    prev_day[starts] = [state_day.get(p, np.datetime64("NaT")) for p in start_ids]

    problems = Problems(batch)
    present = {k: np.asarray(pd.notna(arr), dtype=bool) for k, arr in batch.data.items()}
    allowed = _ALLOWED[prev_stage, batch.stage].copy()
    # an event in the stage the parcel is in: allowed when it is an in-stage event
    for stage_id, fields in IN_STAGE_EVENTS.items():
        code = CODE[stage_id]
        rows = (prev_stage == code) & (batch.stage == code)
        if rows.any():
            carries = np.ones(n, dtype=bool)
            for name in fields:
                carries &= present.get(name, np.zeros(n, dtype=bool))
            allowed |= rows & carries
    illegal = ~allowed
    problems.add(
        illegal,
        lambda i: (
            describe_move(_stage_of(prev_stage[i]), STAGES[batch.stage[i]])
            + "; "
            + describe_allowed(_stage_of(prev_stage[i]))
        ),
    )
    early = ~np.isnat(prev_day) & (batch.day < prev_day)
    problems.add(
        early & allowed,
        lambda i: (
            f"the date is before the parcel's previous event ({prev_day[i]}); events of a "
            "parcel are recorded in date order (fix an earlier event with Ledger.correct)"
        ),
    )
    pair = prev_stage * (NEW + 1) + batch.stage
    for code in np.unique(pair[allowed]):
        src, tgt = divmod(int(code), NEW + 1)
        need = _REQUIRED.get((src, tgt), ())
        if not need:
            continue
        rows = pair == code
        for name in need:
            lacking = rows & ~present.get(name, np.zeros(n, dtype=bool))
            if lacking.any():
                move = "a first event" if src == NEW else f"going from {STAGES[src].value!r}"
                problems.add(
                    lacking,
                    f"{move} to {STAGES[tgt].value!r} needs {', '.join(need)}; {name} is missing",
                )
    problems.raise_if_any()


def _stage_of(code: int) -> Stage | None:
    return None if code == NEW else STAGES[code]
