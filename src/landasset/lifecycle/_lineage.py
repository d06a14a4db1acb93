"""Lineage: parcels split into several, or merged into one.

A split or merge is one transaction: the parents' retiring events, the new parcels'
first events (the parents' stage and data, the price shared by area or summed), the
lineage rows, and in a GeoPackage with a ``parcels`` layer the new parcels' rows in
that layer. :func:`lineage_frame` shows the lineage table.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from landasset._errors import SchemaError, TransitionError
from landasset.lifecycle import _gpkg
from landasset.lifecycle._checks import check_moves, normalise
from landasset.lifecycle._dates import DateLike, as_day
from landasset.lifecycle._schema import STAGES
from landasset.lifecycle._store import Store
from landasset.lifecycle.stages import Stage

__all__ = ["change", "lineage_frame"]


def change(
    store: Store,
    kind: str,
    parents: list[str],
    children: dict[str, BaseGeometry | None],
    on: DateLike,
    actor: str,
) -> list[int]:
    """Record a split or merge (``kind``); the ids of the events, parents' first."""
    day = as_day(on, "on")
    for geom in children.values():
        if geom is not None and (
            not isinstance(geom, BaseGeometry)
            or geom.is_empty
            or geom.geom_type not in ("Polygon", "MultiPolygon")
            or not geom.is_valid
        ):
            raise SchemaError(
                f"new parcels need valid, non-empty polygons; got {getattr(geom, 'wkt', geom)!r:.80}"
            )

    def work(con: sqlite3.Connection) -> list[int]:
        stage_now, _ = store.state(con, np.array(parents, dtype=object))
        missing = [p for p in parents if p not in stage_now]
        if missing:
            raise TransitionError(
                f"the ledger has no event for {missing}; record them before a {kind}"
            )
        stages = {p: STAGES[stage_now[p]] for p in parents}
        if any(s is Stage.retired for s in stages.values()):
            raise TransitionError(
                f"{[p for p, s in stages.items() if s is Stage.retired]} are already retired"
            )
        if len(set(stages.values())) > 1:
            listing = ", ".join(f"{p}: {s.value}" for p, s in stages.items())
            raise TransitionError(
                f"parcels merged into one must be in the same stage; they are {listing}. "
                "Bring them to one stage first"
            )
        stage = next(iter(stages.values()))
        taken = store.with_events(con, list(children))
        if taken:
            raise TransitionError(f"{sorted(taken)} already have events; new parcels need new ids")
        layer = store.parcel_layer(con)
        templates: dict[str, dict[str, Any]] = {}
        geoms = dict(children)
        if layer is not None:
            templates = layer.rows(con, parents)
            absent = [p for p in parents if p not in templates]
            if absent:
                raise TransitionError(
                    f"{absent} are not in the {layer.table!r} layer of {store.where}; "
                    "a split or merge edits that layer, so the parcels must be in it"
                )
            clash = layer.rows(con, list(children))
            if clash:
                raise TransitionError(
                    f"{sorted(clash)} are already in the {layer.table!r} layer; choose new ids"
                )
            for cid, geom in geoms.items():
                if geom is None and kind == "merge":
                    from shapely import union_all

                    parts = [layer.geometry(templates[p]) for p in parents]
                    geoms[cid] = union_all([g for g in parts if g is not None])
                elif geom is None:
                    raise SchemaError(
                        f"new parcel {cid!r} needs a polygon: the file has a parcel layer"
                    )
        profiles = {p: _profile(store, con, p) for p in parents}
        base = dict(profiles[parents[0]])
        if kind == "merge":
            prices = [profiles[p].get("price_10k_cny") for p in parents]
            if all(v is not None for v in prices):
                base["price_10k_cny"] = float(sum(float(v) for v in prices if v is not None))
            base["merged_from"] = list(parents)
            shares = dict.fromkeys(children, 1.0)
        else:
            base["split_from"] = parents[0]
            areas = _gpkg.areas(list(geoms.values()))
            if np.all(np.isfinite(areas)) and areas.sum() > 0:
                shares = dict(zip(children, (areas / areas.sum()).tolist(), strict=True))
            else:
                shares = {cid: 1.0 / len(children) for cid in children}
        rows: list[dict[str, Any]] = []
        into_value: Any = list(children) if kind == "split" else next(iter(children))
        for p in parents:
            rows.append(
                {
                    "parcel_id": p,
                    "stage": "retired",
                    "on": day,
                    "actor": actor,
                    "reason": "split" if kind == "split" else "merged",
                    "into": into_value,
                }
            )
        for cid in children:
            data = dict(base)
            if "price_10k_cny" in data and kind == "split":
                data["price_10k_cny"] = round(float(data["price_10k_cny"]) * shares[cid], 6)
            rows.append({"parcel_id": cid, "stage": stage.value, "on": day, "actor": actor, **data})
        frame = pd.DataFrame(rows)
        batch = normalise(frame)
        stage_all, day_all = store.state(con, batch.parcel)
        check_moves(batch, stage_all, day_all)
        # the new parcels enter the layer first: a database that checks who may record
        # for a parcel (row-level security by zone) finds them there
        if layer is not None:
            for cid, geom in geoms.items():
                assert geom is not None
                layer.insert(con, templates[parents[0]], cid, geom)
        ids = store.insert(con, batch)
        by_row = np.empty(len(frame), dtype=np.int64)
        by_row[batch.position] = ids
        retire = {p: int(by_row[i]) for i, p in enumerate(parents)}
        store.add_lineage(
            con, [(p, c, kind, str(day), retire[p]) for p in parents for c in children]
        )
        return by_row.tolist()

    ids = store.write(work)
    store.add_known(children)
    return ids


def _profile(store: Store, con: sqlite3.Connection, parcel_id: str) -> dict[str, Any]:
    """The latest value of each data field over the parcel's effective events."""
    skip = {"reason", "correction_reason", "into", "split_from", "merged_from"}
    out: dict[str, Any] = {}
    for ev in store.effective_rows(con, parcel_id):
        out.update({k: v for k, v in ev.data.items() if k not in skip})
    return out


def lineage_frame(rows: list[Any]) -> pd.DataFrame:
    """The lineage table: ``parent_id``, ``child_id``, ``kind``, ``date``, ``event_id``."""
    frame = pd.DataFrame(rows, columns=["parent_id", "child_id", "kind", "date", "event_id"])
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame
