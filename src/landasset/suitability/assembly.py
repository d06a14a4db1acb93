"""Candidate sites for a project: adjacent eligible parcels that together meet its demand.

"Land waits for projects" (地等项目): when a project asks for, say, 80 mu and no single
parcel is big enough, the operator offers groups of adjacent parcels. :func:`assemble`
builds such groups from a scored result and ranks them by area-weighted score.

Algorithm
---------
1. Candidates are the parcels that are eligible, scored and have ``score >= min_score``.
2. Two candidates are adjacent when they share a side: one ``shapely.STRtree`` query
   with the ``dwithin`` predicate finds the pairs within ``tolerance_m``, and a pair is
   kept when more than ``min_contact_m`` of one's boundary lies within ``tolerance_m``
   of the other (beyond the 2 × ``tolerance_m`` a mere corner contact gives), all
   vectorised with shapely. A ``tolerance_m`` of a street's width lets a group span a
   street.
3. From every candidate as a seed (a parcel that meets the demand alone is a site by
   itself), a beam search grows connected groups one adjacent parcel at a time, up to
   ``max_parcels``: at each step every group in the beam is extended by each of its
   neighbours, groups that reach ``demand_mu`` are set aside as complete, and the
   ``beam`` best incomplete groups (highest area-weighted score) are kept. The best
   complete group of each seed is a candidate site.
4. Duplicate groups are merged; sites are ranked by area-weighted score, then by the
   smallest excess area, then by the fewest parcels.

Limits: the search is heuristic (with ``beam=1`` it is greedy); a group whose best
members are reached only through a low-scoring parcel can be missed when the beam is
narrow. The work grows with candidates × max_parcels × beam × neighbours, so it suits
a district (thousands of candidate parcels), not a province in one call.

Examples
--------
>>> import landasset as la
>>> from landasset.suitability import assemble, load_profile
>>> site = la.sample.load("yunqi")
>>> result = load_profile("aerospace").score(site, as_of="2025-12-31")
>>> sites = assemble(result, demand_mu=120, max_parcels=4)
>>> bool((sites["area_mu"] >= 120).all())
True
>>> sites.columns.tolist()
['rank', 'parcel_ids', 'n_parcels', 'area_mu', 'score', 'min_score', 'excess_mu', 'geometry']
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from landasset._errors import ProfileError, SchemaError
from landasset.crs import require_metric
from landasset.units import m2_to_mu

__all__ = ["assemble"]

FloatArray = npt.NDArray[np.float64]


def _positive(value: Any, name: str, *, integer: bool = False, allow_zero: bool = False) -> None:
    ok = not isinstance(value, bool) and isinstance(
        value, (int, np.integer) if integer else (int, float, np.number)
    )
    if not ok or not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        kind = "whole number" if integer else "number"
        raise ProfileError(
            f"{name} must be a {kind} {'>= 0' if allow_zero else '> 0'}, got {value!r}"
        )


def assemble(
    result: gpd.GeoDataFrame,
    *,
    demand_mu: float,
    max_parcels: int = 5,
    min_score: float = 0.0,
    tolerance_m: float = 1.0,
    min_contact_m: float = 1.0,
    beam: int = 8,
    limit: int | None = None,
) -> gpd.GeoDataFrame:
    """Candidate sites of adjacent eligible parcels meeting an area demand in mu.

    Parameters
    ----------
    result : GeoDataFrame
        What :meth:`SuitabilityModel.score` returned (``score``, ``eligible``,
        polygons in a metric CRS).
    demand_mu : float
        The project's land demand in mu (> 0).
    max_parcels : int, default 5
        At most this many parcels per site.
    min_score : float, default 0.0
        Parcels scoring below this are left out.
    tolerance_m : float, default 1.0
        Gap (metres) bridged between neighbours; raise it to a street's width to
        group parcels across the street.
    min_contact_m : float, default 1.0
        Two parcels are adjacent when a stretch of boundary longer than this (metres)
        lies within ``tolerance_m`` of the other parcel; parcels meeting only at a
        corner are not adjacent.
    beam : int, default 8
        Groups kept per growth step and seed (1 = greedy).
    limit : int, optional
        Return at most this many sites.

    Returns
    -------
    GeoDataFrame
        One row per candidate site, index ``site_id`` (``S0001``…), best first:
        ``rank``, ``parcel_ids`` (comma-separated, best-scoring parcel first),
        ``n_parcels``, ``area_mu``, ``score`` (area-weighted), ``min_score`` (the
        weakest parcel), ``excess_mu`` (area beyond the demand) and the dissolved
        ``geometry``. Empty when no group meets the demand.
    """
    _positive(demand_mu, "demand_mu")
    _positive(max_parcels, "max_parcels", integer=True)
    _positive(beam, "beam", integer=True)
    _positive(tolerance_m, "tolerance_m", allow_zero=True)
    _positive(min_contact_m, "min_contact_m", allow_zero=True)
    if (
        isinstance(min_score, bool)
        or not isinstance(min_score, (int, float))
        or not np.isfinite(min_score)
    ):
        raise ProfileError(f"min_score must be a number, got {min_score!r}")
    if limit is not None:
        _positive(limit, "limit", integer=True)
    for column in ("score", "eligible"):
        if column not in result.columns:
            raise SchemaError(
                f"the result has no {column!r} column; pass what model.score() returned"
            )
    if not isinstance(result, gpd.GeoDataFrame):
        raise SchemaError("the result must be a GeoDataFrame with the parcels' polygons")
    require_metric(result.crs, what="assemble")

    score_all = result["score"].to_numpy(dtype=np.float64)
    keep = result["eligible"].to_numpy(dtype=bool) & ~np.isnan(score_all)
    with np.errstate(invalid="ignore"):
        keep &= score_all >= min_score
    ids = result.index[keep]
    geoms = result.geometry.to_numpy()[keep]
    score = score_all[keep]
    area = np.asarray(m2_to_mu(shapely.area(geoms)), dtype=np.float64)

    neighbours = _adjacency(geoms, float(tolerance_m), float(min_contact_m))
    groups = _search(score, area, neighbours, float(demand_mu), int(max_parcels), int(beam))

    records: list[dict[str, Any]] = []
    for members in groups:
        order = sorted(members, key=lambda i: (-score[i], i))
        a = area[order]
        s = score[order]
        total = float(a.sum())
        records.append(
            {
                "parcel_ids": ",".join(str(ids[i]) for i in order),
                "n_parcels": len(order),
                "area_mu": total,
                "score": float((a * s).sum() / total),
                "min_score": float(s.min()),
                "excess_mu": total - float(demand_mu),
                "members": order,
            }
        )
    records.sort(
        key=lambda r: (
            -float(r["score"]),
            float(r["excess_mu"]),
            int(r["n_parcels"]),
            str(r["parcel_ids"]),
        )
    )
    if limit is not None:
        records = records[:limit]
    geometry = [shapely.union_all(geoms[r["members"]]) for r in records]
    frame = pd.DataFrame(
        {
            "rank": np.arange(1, len(records) + 1),
            **{
                k: [r[k] for r in records]
                for k in ("parcel_ids", "n_parcels", "area_mu", "score", "min_score", "excess_mu")
            },
        },
        index=pd.Index([f"S{i + 1:04d}" for i in range(len(records))], name="site_id"),
    )
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=result.crs)


def _adjacency(
    geoms: npt.NDArray[np.object_], tolerance: float, min_contact: float
) -> list[npt.NDArray[np.intp]]:
    n = len(geoms)
    if n == 0:
        return []
    reach = max(tolerance, 0.01)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=reach)
    other = left < right
    left, right = left[other], right[other]
    # the length of each one's boundary within reach of the other; a corner contact
    # gives at most 2·reach, a shared side its length (+ 2·reach)
    zone = shapely.buffer(geoms, reach)
    edges = shapely.boundary(geoms)
    contact = np.maximum(
        shapely.length(shapely.intersection(edges[right], zone[left])),
        shapely.length(shapely.intersection(edges[left], zone[right])),
    )
    keep = contact >= 2 * reach + min_contact
    left, right = (
        np.concatenate([left[keep], right[keep]]),
        np.concatenate([right[keep], left[keep]]),
    )
    order = np.argsort(left, kind="stable")
    left, right = left[order], right[order]
    bounds = np.searchsorted(left, np.arange(n + 1))
    return [right[bounds[i] : bounds[i + 1]] for i in range(n)]


def _search(
    score: FloatArray,
    area: FloatArray,
    neighbours: list[npt.NDArray[np.intp]],
    demand: float,
    max_parcels: int,
    beam: int,
) -> list[tuple[int, ...]]:
    found: set[tuple[int, ...]] = set()
    weighted = score * area
    for seed in np.argsort(-score, kind="stable"):
        seed = int(seed)
        if area[seed] >= demand:
            found.add((seed,))
            continue
        frontier: list[frozenset[int]] = [frozenset((seed,))]
        complete: list[tuple[float, float, frozenset[int]]] = []
        for _ in range(max_parcels - 1):
            pool: dict[frozenset[int], tuple[float, float]] = {}
            for group in frontier:
                members = np.fromiter(group, dtype=np.intp)
                near = np.unique(np.concatenate([neighbours[i] for i in members]))
                near = near[~np.isin(near, members)]
                a0, ws0 = float(area[members].sum()), float(weighted[members].sum())
                for k in near:
                    grown = group | {int(k)}
                    if grown in pool:
                        continue
                    a = a0 + float(area[k])
                    pool[grown] = ((ws0 + float(weighted[k])) / a, a)
            if not pool:
                break
            frontier = []
            ranked = sorted(
                pool.items(), key=lambda item: (-item[1][0], -item[1][1], sorted(item[0]))
            )
            for group, (s, a) in ranked:
                if a >= demand:
                    complete.append((s, a, group))
                elif len(frontier) < beam:
                    frontier.append(group)
            if not frontier:
                break
        if complete:
            s, a, group = min(complete, key=lambda c: (-c[0], c[1], len(c[2]), sorted(c[2])))
            found.add(tuple(sorted(group)))
    return sorted(found)
