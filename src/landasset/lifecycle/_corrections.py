"""Corrections: a mistaken event is replaced by a new one, never edited.

A correction copies the event with the changes asked for, checks the parcel's whole
corrected history against the transition table, and is appended with ``corrects``
naming the event it replaces and the replaced event's place (``seq``) among the
parcel's events; queries then read the replacement where the original stood.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from landasset._errors import TransitionError
from landasset.lifecycle._checks import Batch, check_moves, normalise
from landasset.lifecycle._store import Store
from landasset.lifecycle.stages import Stage

__all__ = ["correct"]


def correct(
    store: Store,
    event_id: int,
    *,
    actor: str,
    reason: str,
    changes: dict[str, Any],
    check: Callable[[Batch], None] | None = None,
) -> int:
    """Record the correction of ``event_id``; the id of the new event.

    ``check`` is called on the corrected event alone (the policy's checks of the law:
    earlier events are not judged again by today's policy).
    """
    if not isinstance(reason, str) or not reason.strip():
        raise TransitionError("a correction needs a reason: say why the event was wrong")
    unknown = {
        "parcel_id",
        "event_id",
        "recorded_at",
        "actor",
        "corrects",
        "seq",
        "data",
        "date",
    } & set(changes)
    if unknown:
        hint = " (use on= for the date)" if "date" in unknown else ""
        raise TransitionError(
            f"a correction cannot change {sorted(unknown)}{hint}; to move an event to another "
            "parcel, correct it to the right stage history and record it on that parcel"
        )

    def work(con: sqlite3.Connection) -> int:
        original = store.event_row(con, event_id)
        if original is None:
            raise TransitionError(f"there is no event {event_id} in the ledger")
        later = store.corrected_by(con, event_id)
        if later is not None:
            raise TransitionError(
                f"event {event_id} was already corrected by event {later}; correct event "
                f"{later} instead"
            )
        if "stage" in changes and store.retires_in_lineage(con, event_id):
            raise TransitionError(
                f"event {event_id} retired its parcel in a split or merge; its stage cannot be corrected"
            )
        data = dict(original.data)
        for key, value in changes.items():
            if key in ("stage", "on"):
                continue
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        data["correction_reason"] = reason
        new_stage = Stage.parse(changes.get("stage", original.stage))
        new_day = changes.get("on", original.date)
        # the parcel's corrected history, checked from its first event
        history = store.effective_rows(con, original.parcel_id)
        rows = []
        for ev in history:
            if ev.event_id == original.event_id:
                rows.append(
                    {
                        "parcel_id": ev.parcel_id,
                        "stage": new_stage.value,
                        "on": new_day,
                        "actor": actor,
                        **data,
                    }
                )
            else:
                rows.append(
                    {
                        "parcel_id": ev.parcel_id,
                        "stage": ev.stage.value,
                        "on": ev.date,
                        "actor": ev.actor,
                        **ev.data,
                    }
                )
        frame = pd.DataFrame(rows)
        labels = [ev.event_id for ev in history]
        frame.index = pd.Index(labels, name="event_id")
        full = normalise(frame)
        if not np.array_equal(full.labels.astype(np.int64), np.array(labels, dtype=np.int64)):
            raise TransitionError(
                f"the corrected date {new_day!r} would move event {event_id} past other events "
                "of the parcel; correct those events too, one at a time"
            )
        check_moves(full, {}, {})
        single = normalise(
            pd.DataFrame(
                [
                    {
                        "parcel_id": original.parcel_id,
                        "stage": new_stage.value,
                        "on": new_day,
                        "actor": actor,
                        **data,
                    }
                ]
            )
        )
        if check is not None:
            check(single)
        single.corrects = np.array([original.event_id], dtype=object)
        single.seq = np.array([store.seq(con, original.event_id)], dtype=object)
        return int(store.insert(con, single)[0])

    return store.write(work)
