"""Candidate sites for a project: adjacent eligible parcels that together meet its demand.

"Land waits for projects" (地等项目): when a project asks for, say, 80 mu and no single
parcel is big enough, the operator offers groups of adjacent parcels. :func:`assemble`
builds such groups from a scored result and ranks them by area-weighted score.

Algorithm
---------
1. Candidates are the parcels that are eligible, scored, have ``score >= min_score``
   and (when ``stages`` are given) are not retired. They are ordered by ``parcel_id``,
   so every tie below is broken by parcel id, whatever the row order of the input.
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
   ``beam`` best incomplete groups (highest area-weighted score, then largest area,
   then parcel ids) are kept. The best complete group of each seed (highest score,
   then least area, then fewest parcels, then parcel ids) is a candidate site. All
   seeds of a batch grow together, in numpy arrays.
4. Duplicate groups are merged; sites are ranked by area-weighted score, then by the
   smallest excess area, then by the fewest parcels, then by parcel ids (scores are
   compared to 12 decimals and areas to 1e-9 mu, so exact ties stay ties). With
   ``disjoint=True`` the ranked sites are taken in order, each kept only when it shares
   no parcel with a site kept before, until ``limit`` are kept.

Bounding the work: a seed's groups lie within ``max_parcels - 1`` steps of it, so
their score is at most what the seed's own score and area, the best score and the
largest area within those steps allow. Seeds are searched in batches, best bound
first, and the search stops once ``limit`` sites are kept and the next seed's bound is
below the last kept site's score: no unsearched seed could change the answer, which is
the one a search of every seed gives. ``result.attrs`` says how far the search went.

Limits: the search is heuristic (with ``beam=1`` it is greedy); a group whose best
members are reached only through a low-scoring parcel can be missed when the beam is
narrow, and a group is never grown beyond the parcel that makes it reach the demand.
Scores that are high everywhere (so that every seed's bound stays above the kept
sites) leave little to prune; ``limit=None`` searches every seed.

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
>>> ids = [p for group in sites["parcel_ids"] for p in group.split(",")]
>>> len(ids) == len(set(ids))  # disjoint: no parcel in two sites
True
>>> sorted(sites.attrs)
['candidates', 'disjoint', 'limit', 'limit_reached', 'retired_parcels', 'seeds_searched']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from landasset._errors import LandassetValueError, SchemaError
from landasset.crs import require_metric
from landasset.suitability._scoring import retired_parcels
from landasset.units import m2_to_mu

__all__ = ["assemble"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

#: seeds grown together in the first batch; each later batch doubles, up to _MAX_BATCH
_FIRST_BATCH = 256
_MAX_BATCH = 8192
#: slack on the score bound, far above the rounding of an area-weighted mean
_BOUND_SLACK = 1e-9
#: sites are compared on scores rounded to this many decimals and areas (mu) to
#: _AREA_DECIMALS, so that groups tied in exact arithmetic tie whatever the rounding of
#: their sums, and the next key (then the parcel ids) decides
_SCORE_DECIMALS = 12
_AREA_DECIMALS = 9


def _positive(value: Any, name: str, *, integer: bool = False, allow_zero: bool = False) -> None:
    ok = not isinstance(value, bool) and isinstance(
        value, (int, np.integer) if integer else (int, float, np.number)
    )
    if not ok or not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        kind = "whole number" if integer else "number"
        raise LandassetValueError(
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
    limit: int | None = 50,
    disjoint: bool = True,
    stages: Any = None,
    as_of: Any = None,
) -> gpd.GeoDataFrame:
    """Candidate sites of adjacent eligible parcels meeting an area demand in mu.

    Parameters
    ----------
    result : GeoDataFrame
        What :meth:`SuitabilityModel.score` returned (``score``, ``eligible``,
        polygons in a metric CRS), indexed by ``parcel_id``.
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
    limit : int or None, default 50
        Return at most this many sites, and search only as far as needed to find
        them (see the module notes); ``None`` returns every site and searches from
        every candidate parcel, which on a city takes minutes.
    disjoint : bool, default True
        No parcel in two returned sites: each site is the best one left that shares
        no parcel with a better one. ``False`` returns overlapping alternatives.
    stages : Ledger or Series, optional
        Lifecycle stages (a :class:`~landasset.lifecycle.Ledger`, or stage ids
        indexed by ``parcel_id``): parcels retired on ``as_of`` (split or merged
        parents) are left out, and listed in ``attrs["retired_parcels"]``.
    as_of : date-like, optional
        The date on which a ledger's stages are read; by default the scoring date
        the result carries (``result.attrs["as_of"]``) when it has one.

    Returns
    -------
    GeoDataFrame
        One row per candidate site, index ``site_id`` (``S0001``…), best first:
        ``rank``, ``parcel_ids`` (comma-separated, best-scoring parcel first),
        ``n_parcels``, ``area_mu``, ``score`` (area-weighted), ``min_score`` (the
        weakest parcel), ``excess_mu`` (area beyond the demand) and the dissolved
        ``geometry``. Empty when no group meets the demand. ``attrs`` holds
        ``limit``, ``disjoint``, ``limit_reached`` (True when ``limit`` cut the
        answer: more sites could follow), ``candidates`` (parcels considered),
        ``seeds_searched`` (seeds grown before the bound stopped the search) and
        ``retired_parcels`` (ids left out as retired, a list).

    Raises
    ------
    ProfileError
        An option is out of range.
    SchemaError
        ``result`` is not a scored GeoDataFrame.
    CRSError
        ``result`` is not in a metric CRS.

    Examples
    --------
    >>> import landasset as la
    >>> from landasset.suitability import assemble, load_profile
    >>> result = load_profile("aerospace").score(la.sample.load("yunqi"), as_of="2025-12-31")
    >>> sites = assemble(result, demand_mu=150)
    >>> sites.loc["S0001", "parcel_ids"], int(sites.loc["S0001", "n_parcels"])
    ('XH120205-02,XH120205-01', 2)
    >>> round(float(sites.loc["S0001", "area_mu"]), 1)
    168.7
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
        raise LandassetValueError(f"min_score must be a number, got {min_score!r}")
    if limit is not None:
        _positive(limit, "limit", integer=True)
    if not isinstance(disjoint, (bool, np.bool_)):
        raise LandassetValueError(f"disjoint must be True or False, got {disjoint!r}")
    if not isinstance(result, gpd.GeoDataFrame):
        raise SchemaError("the result must be a GeoDataFrame with the parcels' polygons")
    for column in ("score", "eligible"):
        if column not in result.columns:
            raise SchemaError(
                f"the result has no {column!r} column; pass what model.score() returned"
            )
    require_metric(result.crs, what="assemble")

    score_all = result["score"].to_numpy(dtype=np.float64)
    keep = result["eligible"].to_numpy(dtype=bool) & ~np.isnan(score_all)
    with np.errstate(invalid="ignore"):
        keep &= score_all >= min_score
    retired: list[Any] = []
    if stages is not None:
        gone = retired_parcels(stages, as_of if as_of is not None else result.attrs.get("as_of"))
        is_gone = result.index.isin(gone)
        retired = result.index[is_gone].tolist()
        keep &= ~is_gone
    # candidates in parcel_id order: every tie is broken by parcel id
    rows = np.flatnonzero(keep)
    rows = rows[np.argsort(np.asarray(result.index[rows]), kind="stable")]
    ids = result.index[rows]
    geoms = result.geometry.to_numpy()[rows]
    score = score_all[rows]
    area = np.asarray(m2_to_mu(shapely.area(geoms)), dtype=np.float64)

    indptr, neighbours = _adjacency(geoms, float(tolerance_m), float(min_contact_m))
    search = _Search(
        score=score,
        area=area,
        indptr=indptr,
        neighbours=neighbours,
        demand=float(demand_mu),
        max_parcels=int(max_parcels),
        beam=int(beam),
    )
    chosen, limit_reached, searched = search.run(
        limit=None if limit is None else int(limit), disjoint=bool(disjoint)
    )

    records: list[dict[str, Any]] = []
    for members in chosen:
        order = sorted(members, key=lambda i: (-score[i], i))
        site_score, total = search.found[members]  # as ranked
        records.append(
            {
                "parcel_ids": ",".join(str(ids[i]) for i in order),
                "n_parcels": len(order),
                "area_mu": total,
                "score": site_score,
                "min_score": float(score[order].min()),
                "excess_mu": total - float(demand_mu),
            }
        )
    geometry = [shapely.union_all(geoms[list(members)]) for members in chosen]
    columns = ("parcel_ids", "n_parcels", "area_mu", "score", "min_score", "excess_mu")
    frame = pd.DataFrame(
        {
            "rank": np.arange(1, len(records) + 1),
            **{k: [r[k] for r in records] for k in columns},
        },
        index=pd.Index([f"S{i + 1:04d}" for i in range(len(records))], name="site_id"),
    )
    if not records:
        frame = frame.astype(
            {"n_parcels": np.int64, "parcel_ids": object, **dict.fromkeys(columns[2:], float)}
        )
    out = gpd.GeoDataFrame(frame, geometry=geometry, crs=result.crs)
    out.attrs.update(
        {
            "limit": None if limit is None else int(limit),
            "disjoint": bool(disjoint),
            "limit_reached": bool(limit_reached),
            "candidates": len(ids),
            "seeds_searched": int(searched),
            "retired_parcels": retired,
        }
    )
    return out


def _adjacency(
    geoms: npt.NDArray[np.object_], tolerance: float, min_contact: float
) -> tuple[IntArray, IntArray]:
    """Adjacency in compressed rows: the neighbours of i are
    ``neighbours[indptr[i]:indptr[i + 1]]``, ascending."""
    n = len(geoms)
    if n == 0:
        return np.zeros(1, dtype=np.intp), np.zeros(0, dtype=np.intp)
    reach = max(tolerance, 0.01)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=reach)
    other = left < right
    left, right = left[other], right[other]
    # the length of each one's boundary within reach of the other; a corner contact
    # gives at most 2·reach, a shared side its length (+ 2·reach). Only the parcels
    # that have a pair are buffered, and the second direction is measured only for
    # the pairs the first did not settle.
    involved = np.unique(np.concatenate([left, right]))
    zone = np.empty(n, dtype=object)
    edges = np.empty(n, dtype=object)
    zone[involved] = shapely.buffer(geoms[involved], reach, quad_segs=2)
    edges[involved] = shapely.boundary(geoms[involved])
    needed = 2 * reach + min_contact
    keep = shapely.length(shapely.intersection(edges[right], zone[left])) >= needed
    other = np.flatnonzero(~keep)
    keep[other] = (
        shapely.length(shapely.intersection(edges[left[other]], zone[right[other]])) >= needed
    )
    left, right = (
        np.concatenate([left[keep], right[keep]]),
        np.concatenate([right[keep], left[keep]]),
    )
    order = np.lexsort((right, left))
    left, right = left[order], right[order]
    indptr = np.searchsorted(left, np.arange(n + 1)).astype(np.intp)
    return indptr, right.astype(np.intp)


@dataclass
class _Search:
    """The beam search of every seed, batched in numpy, with the bound that stops it."""

    score: FloatArray
    area: FloatArray
    indptr: IntArray
    neighbours: IntArray
    demand: float
    max_parcels: int
    beam: int
    weighted: FloatArray = field(init=False)
    #: every site found: sorted members -> (score, area)
    found: dict[tuple[int, ...], tuple[float, float]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.weighted = self.score * self.area

    # -- the bound ------------------------------------------------------------------

    def _spread_max(self, values: FloatArray) -> FloatArray:
        """The largest value among each parcel and its neighbours."""
        out = values.copy()
        has = np.diff(self.indptr) > 0
        if has.any():
            near = np.maximum.reduceat(values[self.neighbours], self.indptr[:-1][has])
            out[has] = np.maximum(out[has], near)
        return out

    def bounds(self) -> FloatArray:
        """An upper bound on the score of any site grown from each seed."""
        best, biggest = self.score.copy(), self.area.copy()
        for _ in range(self.max_parcels - 1):
            best, biggest = self._spread_max(best), self._spread_max(biggest)
        other = (self.max_parcels - 1) * biggest
        grown = (self.weighted + other * best) / (self.area + other)
        bound = np.where(best > self.score, grown, self.score)
        return np.where(self.area >= self.demand, self.score, bound) + _BOUND_SLACK

    # -- the search -----------------------------------------------------------------

    def run(self, *, limit: int | None, disjoint: bool) -> tuple[list[tuple[int, ...]], bool, int]:
        """The chosen sites (member tuples, best first), whether ``limit`` cut the
        answer, and the number of seeds searched."""
        n = len(self.score)
        if n == 0:
            return [], False, 0
        bound = self.bounds()
        seeds = np.lexsort((np.arange(n), -bound))  # best bound first, ties by parcel id
        found = self.found
        start, size = 0, _FIRST_BATCH if limit is not None else _MAX_BATCH
        chosen: list[tuple[int, ...]] = []
        more = False
        while start < n:
            batch = seeds[start : start + size]
            start += len(batch)
            size = min(2 * size, _MAX_BATCH)
            for members, s, a in self._grow(batch):
                found.setdefault(members, (s, a))
            if limit is None:
                continue
            chosen, more = self._choose(found, limit, disjoint)
            if len(chosen) == limit and start < n:
                last = found[chosen[-1]][0]
                if bound[seeds[start]] < last:
                    return chosen, True, start
        chosen, more = self._choose(found, limit, disjoint)
        return chosen, more, start

    def _choose(
        self,
        found: dict[tuple[int, ...], tuple[float, float]],
        limit: int | None,
        disjoint: bool,
    ) -> tuple[list[tuple[int, ...]], bool]:
        ranked = sorted(found, key=lambda g: (-found[g][0], found[g][1], len(g), g))
        if not disjoint:
            if limit is None:
                return ranked, False
            return ranked[:limit], len(ranked) > limit
        used: set[int] = set()
        chosen: list[tuple[int, ...]] = []
        for group in ranked:
            if used.isdisjoint(group):
                if limit is not None and len(chosen) == limit:
                    return chosen, True
                chosen.append(group)
                used.update(group)
        return chosen, False

    def _grow(self, seeds: IntArray) -> list[tuple[tuple[int, ...], float, float]]:
        """The best complete group of each seed: (sorted members, score, area)."""
        area, weighted = self.area, self.weighted
        out: list[tuple[tuple[int, ...], float, float]] = []
        alone = area[seeds] >= self.demand
        for s in seeds[alone]:
            out.append(
                (
                    (int(s),),
                    float(np.round(self.score[s], _SCORE_DECIMALS)),
                    float(np.round(area[s], _AREA_DECIMALS)),
                )
            )
        seeds = seeds[~alone]
        # per seed, the best complete group so far (sizes grow: on equal score and
        # area the earlier, smaller group stays)
        best_score = np.full(len(seeds), -np.inf)
        best_area = np.full(len(seeds), np.inf)
        best_members: list[npt.NDArray[np.intp] | None] = [None] * len(seeds)
        # the frontier: member rows (ascending), and which seed (position) each grew from
        members = seeds[:, np.newaxis].astype(np.intp)
        owner = np.arange(len(seeds), dtype=np.intp)
        degree = np.diff(self.indptr)
        for _ in range(self.max_parcels - 1):
            if len(members) == 0:
                break
            k = members.shape[1]
            # every (group, neighbour of a member) pair, in compressed-row expansion
            flat = members.ravel()
            counts = degree[flat]
            total = int(counts.sum())
            if total == 0:
                break
            group = np.repeat(np.arange(len(members), dtype=np.intp), counts.reshape(-1, k).sum(1))
            offsets = np.repeat(self.indptr[flat] - np.cumsum(counts) + counts, counts)
            cand = self.neighbours[offsets + np.arange(total, dtype=np.intp)]
            fresh = ~(members[group] == cand[:, np.newaxis]).any(axis=1)
            group, cand = group[fresh], cand[fresh]
            if len(cand) == 0:
                break
            grown = np.sort(np.column_stack([members[group], cand]), axis=1)
            who = owner[group]
            exact = area[grown].sum(axis=1)
            s = np.round(weighted[grown].sum(axis=1) / exact, _SCORE_DECIMALS)
            a = np.round(exact, _AREA_DECIMALS)
            # per seed: best score, then largest area, then members; duplicates adjacent
            order = np.lexsort((*grown.T[::-1], -a, -s, who))
            grown, who, a, s, exact = grown[order], who[order], a[order], s[order], exact[order]
            dup = np.zeros(len(who), dtype=bool)
            dup[1:] = (who[1:] == who[:-1]) & (grown[1:] == grown[:-1]).all(axis=1)
            grown, who, a, s, exact = grown[~dup], who[~dup], a[~dup], s[~dup], exact[~dup]
            complete = exact >= self.demand
            if complete.any():
                # the best complete group of each seed at this size: highest score,
                # then least area, then members
                cg, cw, ca, cs = grown[complete], who[complete], a[complete], s[complete]
                pick = np.lexsort((*cg.T[::-1], ca, -cs, cw))
                first = np.ones(len(pick), dtype=bool)
                first[1:] = cw[pick][1:] != cw[pick][:-1]
                for r in pick[first]:
                    w = int(cw[r])
                    better = cs[r] > best_score[w] or (
                        cs[r] == best_score[w] and ca[r] < best_area[w]
                    )
                    if better:  # equal score and area: the smaller group (earlier) stays
                        best_score[w], best_area[w] = cs[r], ca[r]
                        best_members[w] = cg[r]
            # the frontier: the ``beam`` best incomplete groups of each seed
            grown, who = grown[~complete], who[~complete]
            if len(who) == 0:
                break
            starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
            place = np.arange(len(who)) - np.repeat(starts, np.diff(np.r_[starts, len(who)]))
            kept = place < self.beam
            members, owner = grown[kept], who[kept]
        for w, best in enumerate(best_members):
            if best is not None:
                out.append((tuple(int(i) for i in best), float(best_score[w]), float(best_area[w])))
        return out
