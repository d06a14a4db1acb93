"""The Yunqi sample's floor space to let (可招商空间): the operator's release plan.

:func:`build_spaces` derives the ``spaces`` layer from the sample's buildings and
parcels, deterministically (its own seed, so the other layers never change with it):

* about 1.6 million m² of floor space released over 2025–2027 (``available_from`` on
  the first of a month, spread over the three years);
* renewal space in the old park (老园区), whose low-rise plants are emptied and let
  again from mid-2026 (腾笼换鸟), about a sixth of the plan;
* offices in office and research buildings (clear height 3.6–4.5 m, 2–3 kN/m²,
  rent 40–90 元/㎡·月), labs on some research floors, plant floors in industrial
  buildings (ground floor 6–12 m clear, 5–15 kN/m², more power; upper floors lower
  and lighter; rent 25–45 元/㎡·月);
* statuses as of the sample's day (2025-12-31): most units vacant, some reserved for
  a tenant in negotiation, some already let.

A floor of more than 4,000 m² is let as two units, its east and west halves.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landasset._samplegen._common import YUNQI_AS_OF, as_index, frame, strings

__all__ = ["build_spaces"]

_SPACES_SEED: Final = 20260101
#: The release plan: total floor space (m²) and the old park's renewal share of it.
_PLAN_M2: Final = 1_600_000.0
_RENEWAL_M2: Final = 260_000.0
_SPLIT_ABOVE_M2: Final = 4_000.0
_LETTABLE: Final = ("office", "research", "industrial", "warehouse")


def build_spaces(buildings: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The ``spaces`` layer of the Yunqi sample, from its buildings and parcels.

    Parameters
    ----------
    buildings, parcels : GeoDataFrame
        The sample's layers (indexed by ``building_id`` and ``parcel_id``).

    Returns
    -------
    GeoDataFrame
        Indexed by ``space_id`` (``<building_id>-F<floor>`` and an ``E``/``W`` half),
        with the columns of :data:`landasset.schema.LAYERS` ``["spaces"]``.
    """
    rng = np.random.default_rng(_SPACES_SEED)
    zone = parcels["zone"].reindex(buildings["parcel_id"]).to_numpy(dtype=object)
    use = buildings["use"].to_numpy(dtype=object)
    floors = buildings["floors"].to_numpy(dtype="float64", na_value=np.nan)
    eligible = (
        np.isin(use, _LETTABLE)
        & buildings["name"].isna().to_numpy(dtype=bool)  # named buildings are owner-used
        & ~np.isnan(floors)
    )
    rows = np.flatnonzero(eligible)
    n_floors = floors[rows].astype(int)
    # one candidate per building floor
    b = np.repeat(rows, n_floors)
    floor = np.arange(len(b)) - np.repeat(np.cumsum(n_floors) - n_floors, n_floors) + 1
    floor_area = (buildings["gfa_m2"].to_numpy(dtype="float64") / floors)[b]
    old = zone[b] == "老园区"

    # the release: whole old-park buildings for renewal, then floors elsewhere, in a
    # shuffled order until the plan's total is reached
    def take(mask: np.ndarray, total: float, *, whole_buildings: bool) -> np.ndarray:
        candidates = np.flatnonzero(mask)
        order = candidates[rng.permutation(len(candidates))]
        if whole_buildings:  # renewal empties whole buildings: floors grouped by building
            first: dict[int, int] = {}
            for pos in order.tolist():
                first.setdefault(int(b[pos]), len(first))
            order = np.array(sorted(order.tolist(), key=lambda p: (first[int(b[p])], floor[p])))
        reached = np.searchsorted(np.cumsum(floor_area[order]), total) + 1
        return np.sort(order[:reached])

    chosen = np.concatenate(
        [
            take(old, _RENEWAL_M2, whole_buildings=True),
            take(~old, _PLAN_M2 - _RENEWAL_M2, whole_buildings=False),
        ]
    )
    chosen.sort()
    b, floor, floor_area, old = b[chosen], floor[chosen], floor_area[chosen], old[chosen]

    # large floors are let as two halves
    halves = np.where(floor_area > _SPLIT_ABOVE_M2, 2, 1)
    unit = np.repeat(np.arange(len(b)), halves)
    part = np.arange(len(unit)) - np.repeat(np.cumsum(halves) - halves, halves)
    split = halves[unit] == 2
    b, floor, old = b[unit], floor[unit], old[unit]
    area = np.round(floor_area[unit] / halves[unit], 0)
    n = len(unit)

    bounds = shapely.bounds(buildings.geometry.to_numpy()[b])
    mid = (bounds[:, 0] + bounds[:, 2]) / 2
    west = split & (part == 0)
    east = split & (part == 1)
    minx = np.where(east, mid, bounds[:, 0])
    maxx = np.where(west, mid, bounds[:, 2])
    geometry = shapely.box(np.round(minx, 2), bounds[:, 1], np.round(maxx, 2), bounds[:, 3])

    b_use = use[b]
    industrial = np.isin(b_use, ["industrial", "warehouse"])
    lab = (b_use == "research") & (rng.uniform(size=n) < 0.3)
    kind = np.where(industrial, "plant", np.where(lab, "lab", "office")).astype(object)
    ground = floor == 1
    clear_height = np.select(
        [industrial & ground, industrial, lab],
        [
            np.round(rng.uniform(6.0, 12.0, n) * 2) / 2,
            np.round(rng.uniform(4.5, 6.0, n), 1),
            np.round(rng.uniform(4.2, 4.8, n), 1),
        ],
        default=np.round(rng.uniform(3.6, 4.5, n), 1),
    )
    floor_load = np.select(
        [industrial & ground, industrial, lab],
        [
            rng.choice([5.0, 8.0, 10.0, 12.0, 15.0], n),
            rng.choice([5.0, 6.5, 8.0], n),
            rng.choice([4.0, 5.0], n),
        ],
        default=rng.choice([2.0, 2.5, 3.0], n),
    )
    kva_per_m2 = np.select(
        [industrial, lab],
        [rng.uniform(0.15, 0.3, n), rng.uniform(0.12, 0.2, n)],
        default=rng.uniform(0.06, 0.1, n),
    )
    power = np.round(area * kva_per_m2 / 50) * 50  # transformer steps of 50 kVA
    power = np.maximum(power, 50.0)
    # rents: offices 40-90, labs 45-70, plants 25-45 元/㎡·月; the old park lowest
    rent = np.select(
        [industrial, lab],
        [rng.uniform(25.0, 45.0, n), rng.uniform(45.0, 70.0, n)],
        default=rng.uniform(40.0, 90.0, n),
    )
    rent = np.where(old, np.minimum(rent, rng.uniform(25.0, 32.0, n)), rent)
    rent = np.round(rent, 0)

    # availability: the first of a month in 2025-2027; renewal from mid-2026
    month = np.where(old, rng.integers(18, 36, n), rng.integers(0, 36, n))
    available = pd.DatetimeIndex(
        np.datetime64("2025-01", "M") + month.astype("timedelta64[M]")
    ).astype("datetime64[ns]")
    ready = available <= YUNQI_AS_OF
    draw = rng.uniform(size=n)
    status = np.where(
        ready,
        np.select([draw < 0.2, draw < 0.3], ["let", "reserved"], default="vacant"),
        np.where(draw < 0.15, "reserved", "vacant"),
    ).astype(object)

    building_ids = buildings.index.to_numpy(dtype=object)[b]
    suffix = np.select([west, east], ["W", "E"], default="")
    ids = [
        f"{bid}-F{f:02d}{s}"
        for bid, f, s in zip(building_ids.tolist(), floor.tolist(), suffix.tolist(), strict=True)
    ]
    side = np.select([west, east], ["西区", "东区"], default="")
    names = [f"{f}层{s}" for f, s in zip(floor.tolist(), side.tolist(), strict=True)]
    spaces = frame(
        {
            "building_id": strings(building_ids),
            "floor": pd.array(floor, dtype="Int64"),
            "area_m2": area,
            "clear_height_m": clear_height,
            "floor_load_kn_m2": floor_load,
            "power_kva": power,
            "rent_cny_m2_month": rent,
            "available_from": available.to_numpy().astype("datetime64[ms]"),
            "status": strings(status),
            "parcel_id": strings(buildings["parcel_id"].to_numpy(dtype=object)[b]),
            "name": strings(names),
            "kind": strings(kind),
        },
        geometry,
        as_index(ids, "space_id"),
    )
    return spaces
