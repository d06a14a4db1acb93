"""Match a project's whole demand to land and to vacant floor space (地等项目).

:func:`match` offers three kinds of candidate for a :class:`~landasset.Project`:

* ``parcel`` — one parcel in a reserve stage;
* ``assembly`` — adjacent reserve parcels that together meet the land demand
  (:func:`landasset.suitability.assemble`, on the same scores), grown only from
  parcels that each pass what holds parcel by parcel (delivery by the wanted date,
  FAR, height, industrial class, the profile's rules) and are smaller than the
  demand's maximum: an assembly is offered as a site that can work;
* ``spaces`` — vacant units of floor space in one building, or in one park (the
  buildings on one parcel) when no single building of it offers the set.

Only land and space that can still be offered is considered: parcels whose stage on
``as_of`` is a reserve stage (planned, acquiring, reserved, supply_ready — land
supplied to another, built, operating or retired is not offered) and units whose
status is ``vacant`` (reserved and let units are not offered).

Each candidate is checked against every hard condition of the project
(:data:`CONDITIONS`): one ``ok_<condition>`` column each, and ``failed`` lists exactly
the conditions failed, each with its reason. A condition the project does not state
passes ("not stated"); one that does not apply to the kind of candidate passes too
("not applicable": a plant's clear height is built by the project on its land, a
let building's FAR was fixed long ago).

The industry profile of the project (``industry``, :func:`landasset.load_profile`)
scores the parcels once; singles and assemblies reuse that result, spaces take the
score of their building's parcel. ``fit`` says how close the size is to the demand:
``1 - |size - target| / target`` clipped to [0, 1], the target being the middle of
the demanded range (or its one given end); ``waste_share`` is the share of the
candidate beyond the target. The delivery date comes from the lifecycle schedule
(:func:`landasset.lifecycle.expected_delivery`) or a unit's ``available_from``, and the
fiscal appraisal from :mod:`landasset.fiscal`.

Candidates are ranked: those passing every condition first, then by the number of
conditions failed, the suitability score (best first), the fit and the candidate id.
Failing candidates are kept after the passing ones, so the analyst sees why the
near-misses fail; ``limit`` bounds the rows kept.

Examples
--------
>>> import landasset as la
>>> site = la.sample.load("yunqi")
>>> with la.Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
...     result = la.match(la.load_project("ai_office"), site, as_of="2025-12-31",
...                       stages=ledger, limit=5)
>>> result.candidates["kind"].unique().tolist()
['spaces']
>>> bool(result.candidates["passes"].iloc[0])
True
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landasset._dates import to_day
from landasset._errors import LandassetKeyError, LandassetTypeError, LandassetValueError
from landasset._stages import stage_series
from landasset.crs import require_metric
from landasset.fiscal import Appraisal, FiscalPolicy, appraise_many, appraise_spaces
from landasset.landuse import land_use_family
from landasset.lifecycle import expected_delivery
from landasset.projects.project import Project
from landasset.projects.spaces import available_spaces
from landasset.units import m2_to_mu

__all__ = [
    "CANDIDATE_KINDS",
    "CONDITIONS",
    "RESERVE_STAGES",
    "CandidateExplanation",
    "MatchResult",
    "match",
]

#: The kinds of candidate: one parcel, an assembly of adjacent parcels, vacant units
#: of floor space in one building or one park.
CANDIDATE_KINDS: tuple[str, ...] = ("parcel", "assembly", "spaces")

#: The stages in which land can still be offered to a new project.
RESERVE_STAGES: tuple[str, ...] = ("planned", "acquiring", "reserved", "supply_ready")

#: The hard conditions, in the order they are checked and reported: name → what
#: passes. Each is a column ``ok_<name>`` of :attr:`MatchResult.candidates`.
CONDITIONS: Mapping[str, str] = MappingProxyType(
    {
        "available": "land delivered (planned supply date) or space free by the wanted date",
        "area": "land area (mu) or floor area (m²) within the demanded range",
        "far": "the planned FAR range meets the parcel's planning conditions",
        "height": "the planned height within the parcel's height limit",
        "pollution_class": "the land's industrial class admits the project's class",
        "clear_height": "every unit's clear height at least the one needed",
        "floor_load": "every unit's floor load at least the one needed",
        "power": "the units' power capacity, summed, at least the one needed",
        "budget": "land price within the project's caps; for space, every rent within its cap",
        "eligible": "the parcels pass the industry profile's constraint rules",
    }
)

# the conditions each kind of candidate is checked on (the others do not apply)
_LAND_ONLY = ("far", "height", "pollution_class", "eligible")
_SPACE_ONLY = ("clear_height", "floor_load", "power")

# industrial classes of land uses (GB 50137-2011 M1-M3; the 2020 land-use guide's
# 100101-100103); M0 (new industrial land, 新型产业用地) admits only clean, class-1 uses
_LAND_CLASS = {
    "M1": 1.0,
    "M2": 2.0,
    "M3": 3.0,
    "M0": 1.0,
    "100101": 1.0,
    "100102": 2.0,
    "100103": 3.0,
}
_NOT_INDUSTRIAL = 0.0

_CANDIDATE_COLUMNS = [
    "kind",
    "parcel_ids",
    "space_ids",
    "building_id",
    "area_mu",
    "floor_area_m2",
    "passes",
    *(f"ok_{name}" for name in CONDITIONS),
    "n_failed",
    "failed",
    "score",
    "explanation",
    "fit",
    "waste_share",
    "stage",
    "delivery_date",
    "price_10k_cny_per_mu",
    "price_source",
    "land_revenue_10k_cny",
    "cost_10k_cny",
    "tax_10k_cny_per_mu",
    "tax_source",
    "rent_10k_cny_per_year",
    "npv_10k_cny",
    "payback_years",
    "rank",
]

_FISCAL = [
    "price_10k_cny_per_mu",
    "price_source",
    "land_revenue_10k_cny",
    "cost_10k_cny",
    "tax_10k_cny_per_mu",
    "tax_source",
    "rent_10k_cny_per_year",
    "npv_10k_cny",
    "payback_years",
]

# the figures of an appraisal, in the order of Appraisal.to_series
_APPRAISAL = list(Appraisal.FIGURES)


# -- the conditions ------------------------------------------------------------------------


def _num(value: Any) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)


def _fmt(value: Any, unit: str = "") -> str:
    number = _num(value)
    if math.isnan(number):
        return "unknown"
    return f"{number:,.4g}{unit}" if abs(number) < 1e4 else f"{number:,.0f}{unit}"


def _day(value: Any) -> str:
    return "unknown" if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


@dataclass(frozen=True)
class _Condition:
    """A hard condition: whether the project states it, the test and the words."""

    name: str
    stated: Callable[[Project], bool]
    test: Callable[[pd.DataFrame, Project], np.ndarray]
    demand: Callable[[Project], str]
    offered: Callable[[pd.Series], str]
    kinds: tuple[str, ...] = CANDIDATE_KINDS


def _range_text(low: float | None, high: float | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{low:,g}–{high:,g}{unit}"
    return f"≥ {low:,g}{unit}" if low is not None else f"≤ {high:,g}{unit}"


def _bounds(low: float | None, high: float | None) -> tuple[float, float]:
    return (low if low is not None else 0.0, high if high is not None else math.inf)


def _test_available(frame: pd.DataFrame, project: Project) -> np.ndarray:
    when = pd.to_datetime(frame["delivery_date"])
    wanted = project.wanted_by
    assert wanted is not None  # the condition is checked only when stated
    return (when.notna() & (when <= wanted)).to_numpy(dtype=bool)


def _test_area(frame: pd.DataFrame, project: Project) -> np.ndarray:
    land = frame["kind"].isin(["parcel", "assembly"]).to_numpy(dtype=bool)
    lo, hi = _bounds(project.area_mu_min, project.area_mu_max)
    flo, fhi = _bounds(project.floor_area_m2_min, project.floor_area_m2_max)
    mu = frame["area_mu"].to_numpy(dtype=float)
    m2 = frame["floor_area_m2"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        land_ok = (mu >= lo) & (mu <= hi) if project.has_land_demand else np.zeros_like(land)
        space_ok = (m2 >= flo) & (m2 <= fhi) if project.has_space_demand else np.zeros_like(land)
    return np.where(land, land_ok, space_ok)


def _test_far(frame: pd.DataFrame, project: Project) -> np.ndarray:
    low = frame["far_min"].to_numpy(dtype=float)
    high = frame["far_max"].to_numpy(dtype=float)
    ok = np.ones(len(frame), dtype=bool)
    with np.errstate(invalid="ignore"):
        if project.far_max is not None:  # the planned range reaches the planning minimum
            ok &= np.isnan(low) | (project.far_max >= low)
        if project.far_min is not None:  # ... and the planning maximum allows its minimum
            ok &= np.isnan(high) | (project.far_min <= high)
    return ok


def _test_height(frame: pd.DataFrame, project: Project) -> np.ndarray:
    limit = frame["height_max_m"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isnan(limit) | (float(project.height_max_m or 0.0) <= limit)


def _project_class(project: Project) -> float:
    return float(str(project.pollution_class)[1])


def _test_pollution(frame: pd.DataFrame, project: Project) -> np.ndarray:
    land = frame["land_class"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isnan(land) | (land >= _project_class(project))


def _at_least(column: str, need: Callable[[Project], float | None]) -> Any:
    def test(frame: pd.DataFrame, project: Project) -> np.ndarray:
        values = frame[column].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            return values >= float(need(project) or 0.0)

    return test


def _test_budget(frame: pd.DataFrame, project: Project) -> np.ndarray:
    land = frame["kind"].isin(["parcel", "assembly"]).to_numpy(dtype=bool)
    price = frame["price_10k_cny_per_mu"].to_numpy(dtype=float)
    mu = frame["area_mu"].to_numpy(dtype=float)
    rent = frame["rent_max"].to_numpy(dtype=float)
    land_ok = np.ones(len(frame), dtype=bool)
    space_ok = np.ones(len(frame), dtype=bool)
    with np.errstate(invalid="ignore"):
        if project.budget_10k_cny_per_mu is not None:
            land_ok &= price <= project.budget_10k_cny_per_mu
        if project.budget_10k_cny is not None:
            land_ok &= price * mu <= project.budget_10k_cny
        if project.rent_max_cny_m2_month is not None:
            space_ok &= rent <= project.rent_max_cny_m2_month
    return np.where(land, land_ok, space_ok)


def _test_eligible(frame: pd.DataFrame, project: Project) -> np.ndarray:
    return frame["eligible"].to_numpy(dtype=bool)


def _budget_demand(project: Project) -> str:
    parts = []
    if project.budget_10k_cny_per_mu is not None:
        parts.append(f"land ≤ {project.budget_10k_cny_per_mu:,g} 万元/亩")
    if project.budget_10k_cny is not None:
        parts.append(f"land ≤ {project.budget_10k_cny:,g} 万元 in all")
    if project.rent_max_cny_m2_month is not None:
        parts.append(f"rent ≤ {project.rent_max_cny_m2_month:,g} 元/㎡·月")
    return "; ".join(parts)


def _budget_offered(row: pd.Series) -> str:
    if row["kind"] == "spaces":
        return f"highest rent {_fmt(row['rent_max'], ' 元/㎡·月')}"
    price = _num(row["price_10k_cny_per_mu"])
    total = price * _num(row["area_mu"])
    return (
        f"price {_fmt(price, ' 万元/亩')} ({row['price_source']}), "
        f"{_fmt(total, ' 万元')} for {_fmt(row['area_mu'], ' mu')}"
    )


def _area_demand(project: Project) -> str:
    parts = []
    if project.has_land_demand:
        parts.append("land " + _range_text(project.area_mu_min, project.area_mu_max, " mu"))
    if project.has_space_demand:
        parts.append(
            "floor " + _range_text(project.floor_area_m2_min, project.floor_area_m2_max, " m²")
        )
    return " or ".join(parts)


def _area_offered(row: pd.Series) -> str:
    if row["kind"] == "spaces":
        return f"{_fmt(row['floor_area_m2'], ' m²')} in {row['n_members']} unit(s)"
    return f"{_fmt(row['area_mu'], ' mu')} in {row['n_members']} parcel(s)"


def _planning_text(low: Any, high: Any) -> str:
    lo = "not fixed" if pd.isna(low) else f"{float(low):g}"
    hi = "not fixed" if pd.isna(high) else f"{float(high):g}"
    return f"planning FAR min {lo}, max {hi}"


def _class_text(row: pd.Series) -> str:
    land = _num(row["land_class"])
    uses = row["land_use"] or "none recorded"
    if math.isnan(land):
        return f"land use {uses} (industrial class not fixed)"
    if land == _NOT_INDUSTRIAL:
        return f"land use {uses} (not industrial land)"
    return f"land use {uses} (class M{int(land)})"


_CONDITION_LIST: tuple[_Condition, ...] = (
    _Condition(
        "available",
        lambda p: p.wanted_by is not None,
        _test_available,
        lambda p: f"by {_day(p.wanted_by)}",
        lambda r: (
            f"{r['stage']}, delivered {_day(r['delivery_date'])}"
            if r["kind"] != "spaces"
            else f"vacant, free from {_day(r['delivery_date'])}"
        ),
    ),
    _Condition("area", lambda p: True, _test_area, _area_demand, _area_offered),
    _Condition(
        "far",
        lambda p: p.far_min is not None or p.far_max is not None,
        _test_far,
        lambda p: "FAR " + _range_text(p.far_min, p.far_max, ""),
        lambda r: _planning_text(r["far_min"], r["far_max"]),
        kinds=("parcel", "assembly"),
    ),
    _Condition(
        "height",
        lambda p: p.height_max_m is not None,
        _test_height,
        lambda p: f"up to {p.height_max_m:g} m",
        lambda r: (
            "height limit not fixed"
            if pd.isna(r["height_max_m"])
            else f"height limit {float(r['height_max_m']):g} m"
        ),
        kinds=("parcel", "assembly"),
    ),
    _Condition(
        "pollution_class",
        lambda p: p.pollution_class is not None,
        _test_pollution,
        lambda p: f"industrial class {p.pollution_class} or higher",
        _class_text,
        kinds=("parcel", "assembly"),
    ),
    _Condition(
        "clear_height",
        lambda p: p.clear_height_m is not None,
        _at_least("clear_height_m", lambda p: p.clear_height_m),
        lambda p: f"≥ {p.clear_height_m:g} m",
        lambda r: f"lowest unit {_fmt(r['clear_height_m'], ' m')}",
        kinds=("spaces",),
    ),
    _Condition(
        "floor_load",
        lambda p: p.floor_load_kn_m2 is not None,
        _at_least("floor_load_kn_m2", lambda p: p.floor_load_kn_m2),
        lambda p: f"≥ {p.floor_load_kn_m2:g} kN/m²",
        lambda r: f"weakest unit {_fmt(r['floor_load_kn_m2'], ' kN/m²')}",
        kinds=("spaces",),
    ),
    _Condition(
        "power",
        lambda p: p.power_kva is not None,
        _at_least("power_kva", lambda p: p.power_kva),
        lambda p: f"≥ {p.power_kva:,g} kVA",
        lambda r: f"{_fmt(r['power_kva'], ' kVA')} in all",
        kinds=("spaces",),
    ),
    _Condition(
        "budget",
        lambda p: any(
            v is not None
            for v in (p.budget_10k_cny_per_mu, p.budget_10k_cny, p.rent_max_cny_m2_month)
        ),
        _test_budget,
        _budget_demand,
        _budget_offered,
    ),
    _Condition(
        "eligible",
        lambda p: p.industry is not None,
        _test_eligible,
        lambda p: f"profile {p.industry!r} constraint rules",
        lambda r: "passes every rule" if r["eligible"] else f"excluded by {r['excluded_by']}",
        kinds=("parcel", "assembly"),
    ),
)
assert tuple(c.name for c in _CONDITION_LIST) == tuple(CONDITIONS)

# the conditions a parcel of an assembly must pass on its own
_PER_PARCEL = ("available", "far", "height", "pollution_class", "eligible")

_NOT_APPLICABLE = {
    "far": "not applicable to floor space (the building stands)",
    "height": "not applicable to floor space (the building stands)",
    "pollution_class": "not applicable to floor space",
    "eligible": "not applicable to floor space (the profile's rules are about land)",
    "clear_height": "not applicable to land (the project builds to suit)",
    "floor_load": "not applicable to land (the project builds to suit)",
    "power": "not applicable to land (the project builds to suit)",
}


def _status(condition: _Condition, project: Project, kind: str) -> str | None:
    """ "not stated" / "not applicable" when the condition passes by default, else None."""
    if not condition.stated(project):
        return "not stated"
    if kind not in condition.kinds:
        return "not applicable"
    return None


def _check_all(
    frame: pd.DataFrame, project: Project, *, only: Sequence[str] | None = None
) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    kinds = frame["kind"].to_numpy(dtype=object)
    for condition in _CONDITION_LIST:
        if only is not None and condition.name not in only:
            continue
        ok = np.ones(len(frame), dtype=bool)
        if condition.stated(project) and len(frame):
            applies = np.isin(kinds, condition.kinds)
            if applies.any():
                ok = np.where(applies, condition.test(frame, project), True)
        out[condition.name] = np.asarray(ok, dtype=bool)
    return out


# -- the explanation of one candidate ------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CandidateExplanation:
    """Why one candidate of a match is where it is.

    Attributes
    ----------
    candidate_id : str
    kind : {"parcel", "assembly", "spaces"}
    passes : bool
        True when every hard condition passes.
    conditions : DataFrame
        One row per condition (:data:`CONDITIONS`): ``status`` (``pass``, ``fail``,
        ``not stated``, ``not applicable``), ``demand`` (what the project asks),
        ``offered`` (what the candidate has) and ``reason`` (for a failure).
    suitability : DataFrame
        The profile's explanation of the score (:meth:`SuitabilityModel.explain`),
        one row per criterion; for an assembly the area-weighted mean of its parcels'
        rows (``raw`` and ``value`` too); for spaces their building's parcel. Empty
        when the project names no industry.
    score, fit : float
    delivery_date : Timestamp or NaT
    appraisal : Series
        The fiscal figures (:meth:`landasset.fiscal.Appraisal.to_series`).
    """

    candidate_id: str
    kind: str
    passes: bool
    conditions: pd.DataFrame
    suitability: pd.DataFrame
    score: float
    fit: float
    delivery_date: pd.Timestamp
    appraisal: pd.Series

    def __repr__(self) -> str:
        failed = self.conditions.index[self.conditions["status"] == "fail"].tolist()
        verdict = "passes" if self.passes else f"fails {', '.join(failed)}"
        return (
            f"<CandidateExplanation {self.candidate_id!r} ({self.kind}): {verdict}; "
            f"score {_fmt(self.score)}, fit {_fmt(self.fit)}, delivered "
            f"{_day(self.delivery_date)}>"
        )

    def _repr_html_(self) -> str:
        return (
            f"<div><strong>{html.escape(self.candidate_id)}</strong> ({self.kind}) — "
            f"{'passes' if self.passes else 'fails'}; score {_fmt(self.score)}, fit "
            f"{_fmt(self.fit)}, delivered {_day(self.delivery_date)}"
            f"{self.conditions.to_html()}{self.suitability.to_html()}</div>"
        )


# -- the result ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MatchResult:
    """The candidates of a match, ranked, with the reasons for each.

    Attributes
    ----------
    project : Project
        The project matched.
    candidates : GeoDataFrame
        One row per kept candidate, best first, indexed by ``candidate_id``
        (``parcel:<id>``, ``assembly:<id>+<id>…``, ``spaces:<building_id>``,
        ``spaces:park:<parcel_id>``):
        ``kind``, ``parcel_ids`` / ``space_ids`` (comma-separated), ``building_id``,
        ``area_mu`` (land) / ``floor_area_m2`` (space), ``passes``, one
        ``ok_<condition>`` per :data:`CONDITIONS`, ``n_failed``, ``failed`` (each
        failed condition with its reason, ``"; "``-separated; empty when it
        passes), ``score`` (suitability, 0–1), ``explanation`` (the three criteria
        that give most of the score), ``fit``, ``waste_share``, ``stage``,
        ``delivery_date``, the fiscal figures (``price_10k_cny_per_mu``,
        ``price_source``, ``land_revenue_10k_cny``, ``cost_10k_cny``,
        ``tax_10k_cny_per_mu``, ``tax_source``, ``rent_10k_cny_per_year``,
        ``npv_10k_cny``, ``payback_years``) and ``rank`` (1 = best); the geometry
        is the parcel, the dissolved assembly, or the buildings' footprints.
    as_of : Timestamp
        The day the match was made on (stages read on it).
    conditions : DataFrame
        One row per condition: ``description``, ``demand`` (the project's words, or
        ``"not stated"``) and ``stated``.
    offered : dict
        What was considered: ``parcels`` (in a reserve stage), ``assemblies``,
        ``buildings`` (with vacant units), ``units`` (vacant), ``candidates``
        (before ``limit``) and ``passing`` (of them, passing every condition).
    """

    project: Project
    candidates: gpd.GeoDataFrame
    as_of: pd.Timestamp
    conditions: pd.DataFrame
    offered: Mapping[str, int]
    _details: pd.DataFrame = field(repr=False)
    _appraisals: pd.DataFrame = field(repr=False)
    _model: Any = field(repr=False)
    _scored: gpd.GeoDataFrame = field(repr=False)
    _explained: dict[str, CandidateExplanation] = field(default_factory=dict, repr=False)

    def explain(self, candidate_id: str) -> CandidateExplanation:
        """Every condition, the suitability and the appraisal of one candidate.

        Parameters
        ----------
        candidate_id : str
            An index value of :attr:`candidates`.

        Returns
        -------
        CandidateExplanation

        Raises
        ------
        LandassetKeyError
            No such candidate among the kept ones.
        """
        if candidate_id not in self._details.index:
            shown = list(self.candidates.index[:5])
            raise LandassetKeyError(
                f"no candidate {candidate_id!r} in this match; use one of its candidates' ids, "
                f"such as {shown}"
            )
        if candidate_id not in self._explained:
            row = pd.Series(self._details.loc[candidate_id])
            lookup = _object_ids(self._scored.index)
            self._explained[candidate_id] = CandidateExplanation(
                candidate_id=candidate_id,
                kind=str(row["kind"]),
                passes=bool(row["passes"]),
                conditions=_conditions_table(row, self.project),
                suitability=_suitability(self._model, self._scored, lookup, row),
                score=_num(row["score"]),
                fit=_num(row["fit"]),
                delivery_date=pd.Timestamp(str(row["delivery_date"])),
                appraisal=pd.Series(self._appraisals.loc[candidate_id]),
            )
        return self._explained[candidate_id]

    def to_file(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the candidates as a layer (``shortlist``), styled in a GeoPackage.

        The format follows the extension (:func:`landasset.io.write_layer`); in a
        GeoPackage the layer is ``shortlist`` and gets its default QGIS style and
        Chinese field aliases; a Shapefile gets the short field names of
        :data:`landasset.io.SHAPEFILE_NAMES`.

        Parameters
        ----------
        path : str or path-like
        overwrite : bool, default False
            Replace an existing file (or, in a GeoPackage, the ``shortlist`` layer).

        Returns
        -------
        pathlib.Path
        """
        from landasset.io import format_for, write_layer

        frame = self.candidates.copy()
        frame["delivery_date"] = pd.to_datetime(frame["delivery_date"]).dt.strftime("%Y-%m-%d")
        frame["payback_years"] = frame["payback_years"].replace([np.inf], np.nan)
        layer = "shortlist" if format_for(path) == "GPKG" else None  # others: the file name
        return write_layer(frame, path, layer=layer, overwrite=overwrite)

    def __len__(self) -> int:
        return len(self.candidates)

    def __repr__(self) -> str:
        passing = int(self.candidates["passes"].sum()) if len(self.candidates) else 0
        return (
            f"<MatchResult {self.project.id!r} on {self.as_of.date().isoformat()}: "
            f"{len(self.candidates)} candidates kept, {passing} passing every condition>"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        shown = self.candidates[
            ["rank", "kind", "passes", "failed", "score", "fit", "delivery_date", "npv_10k_cny"]
        ]
        table = pd.DataFrame(shown).to_html(float_format=lambda v: f"{v:,.3g}", na_rep="—")
        return (
            f"<div><strong>Match of project {esc(self.project.id)}</strong> on "
            f"{esc(self.as_of.date().isoformat())}: {len(self.candidates)} candidates "
            f"kept of {self.offered.get('candidates', 0)}, "
            f"{int(self.candidates['passes'].sum()) if len(self.candidates) else 0} passing"
            f"{table}</div>"
        )


# -- building the candidates --------------------------------------------------------------


def _land_class(land_use: pd.Series) -> np.ndarray:
    codes = land_use.astype(object).where(land_use.notna(), None)
    text = pd.Series(
        [None if c is None else str(c).strip().upper() for c in codes], index=land_use.index
    )
    known = text.map(_LAND_CLASS).to_numpy(dtype=float)
    out = np.full(len(text), np.nan)
    has = text.notna().to_numpy(dtype=bool)
    if has.any():
        family = land_use_family(text[has]).to_numpy(dtype=object)
        industrial = family == "industrial"
        out[np.flatnonzero(has)[~industrial]] = _NOT_INDUSTRIAL
    return np.where(np.isnan(known), out, known)


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": pd.Series([], dtype=object),
            "members": pd.Series([], dtype=object),
        }
    )


def _land_candidates(
    project: Project,
    site: Any,
    scored: gpd.GeoDataFrame,
    stages: pd.Series,
    stage_source: Any,
    *,
    as_of: pd.Timestamp,
    limit: int | None,
    max_parcels: int,
    tolerance_m: float,
    lifecycle_policy: Any,
    durations: Mapping[str, int] | None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    from landasset.suitability import assemble

    parcels = site.parcels
    ids = _object_ids(parcels.index)
    stage = stages.reindex(ids).to_numpy(dtype=object)
    reserve = np.isin(stage, RESERVE_STAGES) & ids.isin(_object_ids(scored.index))
    rows = np.flatnonzero(reserve)
    free = parcels.iloc[rows]
    free_ids = ids[rows]
    counts = {"parcels": len(rows), "assemblies": 0}
    if not len(rows):
        return _empty_frame(), counts
    if hasattr(stage_source, "events"):  # a ledger: the stays count from recorded dates
        delivery = expected_delivery(
            stage_source, list(free_ids), as_of=as_of, policy=lifecycle_policy, durations=durations
        )
        delivery.index = _object_ids(delivery.index)
    else:  # stages only: the delivery depends on the stage alone, ask once per stage
        kinds = sorted(set(stage[rows].tolist()))
        by_stage = expected_delivery(
            pd.Series(kinds, index=kinds, dtype=object),
            kinds,
            as_of=as_of,
            policy=lifecycle_policy,
            durations=durations,
        )
        delivery = pd.Series(
            by_stage.reindex(stage[rows]).to_numpy(dtype="datetime64[ns]"), index=free_ids
        )
    score_of = pd.Series(scored["score"].to_numpy(dtype=float), index=_object_ids(scored.index))
    eligible_of = pd.Series(scored["eligible"].to_numpy(dtype=bool), index=score_of.index)
    excluded_of = pd.Series(scored["excluded_by"].to_numpy(dtype=object), index=score_of.index)

    def column(name: str) -> np.ndarray:
        if name in free.columns:
            return pd.to_numeric(free[name], errors="coerce").to_numpy(dtype=float)
        return np.full(len(free), np.nan)

    area = np.asarray(m2_to_mu(shapely.area(free.geometry.to_numpy())), dtype=float)
    land_use = free["land_use"] if "land_use" in free.columns else pd.Series(None, index=free.index)
    zone = free["zone"] if "zone" in free.columns else pd.Series(None, index=free.index)
    single = pd.DataFrame(
        {
            "kind": "parcel",
            "members": [(p,) for p in free_ids],
            "area_mu": area,
            "floor_area_m2": np.nan,
            "far_min": column("far_min"),
            "far_max": column("far_max"),
            "height_max_m": column("height_max_m"),
            "land_class": _land_class(land_use),
            "land_use": land_use.astype(object).where(land_use.notna(), None).to_numpy(),
            "zone": zone.astype(object).where(zone.notna(), None).to_numpy(),
            "score": score_of.reindex(free_ids).to_numpy(dtype=float),
            "eligible": eligible_of.reindex(free_ids).to_numpy(dtype=bool),
            "excluded_by": excluded_of.reindex(free_ids).to_numpy(dtype=object),
            "stage": stage[rows],
            "delivery_date": delivery.reindex(free_ids).to_numpy(dtype="datetime64[ns]"),
        },
        index=pd.Index([f"parcel:{p}" for p in free_ids], dtype=object),
    )
    single["geometry"] = free.geometry.to_numpy()
    frames = [single]

    demand = project.area_mu_min if project.area_mu_min is not None else project.area_mu_max
    assert demand is not None
    # assemblies grow from parcels that each pass what holds parcel by parcel (delivery,
    # FAR, height, industrial class, the profile's rules) and are not above the demand
    # alone: an assembly is offered as a site that can work
    per_parcel = _check_all(single, project, only=_PER_PARCEL)
    viable = np.logical_and.reduce(list(per_parcel.values()))
    if project.area_mu_max is not None:
        viable &= area < project.area_mu_max
    pool = scored.loc[_object_ids(scored.index).isin(free_ids[viable])]
    if not scored["score"].notna().any():  # no profile: every parcel alike, least excess wins
        pool = pool.assign(score=1.0, eligible=True)
    sites = assemble(
        pool,
        demand_mu=float(demand),
        max_parcels=max_parcels,
        tolerance_m=tolerance_m,
        limit=limit,
    )
    sites = sites[sites["n_parcels"] >= 2]
    counts["assemblies"] = len(sites)
    if len(sites):
        by_id = single.set_index(pd.Index([m[0] for m in single["members"]], dtype=object))
        records = []
        for _, site_row in sites.iterrows():
            members = tuple(sorted(str(p) for p in site_row["parcel_ids"].split(",")))
            part = by_id.loc[list(members)]
            weights = part["area_mu"].to_numpy(dtype=float)
            zone_area = pd.Series(weights, index=part["zone"].to_numpy(dtype=object))
            classes = part["land_class"].to_numpy(dtype=float)
            excluded = [str(e) for e in part["excluded_by"] if e is not None and not pd.isna(e)]
            records.append(
                {
                    "candidate_id": "assembly:" + "+".join(members),
                    "kind": "assembly",
                    "members": members,
                    "area_mu": float(weights.sum()),
                    "floor_area_m2": np.nan,
                    "far_min": part["far_min"].max(),
                    "far_max": part["far_max"].min(),
                    "height_max_m": part["height_max_m"].min(),
                    "land_class": (
                        _NOT_INDUSTRIAL
                        if (classes == _NOT_INDUSTRIAL).any()
                        else (np.nanmin(classes) if (~np.isnan(classes)).any() else np.nan)
                    ),
                    "land_use": ",".join(sorted({str(u) for u in part["land_use"].dropna()})),
                    "zone": (
                        None
                        if zone_area.index.isna().all()
                        else zone_area[zone_area.index.notna()].groupby(level=0).sum().idxmax()
                    ),
                    "score": (
                        float(site_row["score"])
                        if scored["score"].notna().any()
                        else float(np.average(part["score"], weights=weights))
                    ),
                    "eligible": bool(part["eligible"].all()),
                    "excluded_by": "; ".join(excluded) if excluded else None,
                    "stage": ",".join(sorted(set(part["stage"]))),
                    "delivery_date": (
                        pd.NaT
                        if part["delivery_date"].isna().any()
                        else part["delivery_date"].max()
                    ),
                    "geometry": site_row.geometry,
                }
            )
        frames.append(pd.DataFrame(records).set_index("candidate_id"))
    frame = pd.concat(frames) if len(frames) > 1 else single
    frame["n_members"] = [len(m) for m in frame["members"]]
    frame["parcel_ids"] = [",".join(m) for m in frame["members"]]
    frame["space_ids"] = None
    frame["building_id"] = None
    return frame, counts


def _space_candidates(
    project: Project, site: Any, scored: gpd.GeoDataFrame, *, as_of: pd.Timestamp
) -> tuple[pd.DataFrame, dict[str, int]]:
    spaces = site.spaces
    counts = {"buildings": 0, "units": 0}
    if not len(spaces):
        return _empty_frame(), counts
    vacant = available_spaces(spaces, as_of=None).to_numpy(dtype=bool)
    units = spaces[vacant]
    counts["units"] = len(units)
    if not len(units):
        return _empty_frame(), counts

    def column(name: str) -> np.ndarray:
        if name in units.columns:
            return pd.to_numeric(units[name], errors="coerce").to_numpy(dtype=float)
        return np.full(len(units), np.nan)

    area = column("area_m2")
    clear, load, rent = (
        column("clear_height_m"),
        column("floor_load_kn_m2"),
        column("rent_cny_m2_month"),
    )
    since = (
        pd.to_datetime(units["available_from"])
        if "available_from" in units.columns
        else pd.Series(pd.NaT, index=units.index)
    )
    free_from = since.where(since > as_of, as_of).fillna(as_of).to_numpy(dtype="datetime64[ns]")
    # a unit that meets the unit-level conditions is taken before one that does not
    good = np.ones(len(units), dtype=bool)
    with np.errstate(invalid="ignore"):
        if project.clear_height_m is not None:
            good &= clear >= project.clear_height_m
        if project.floor_load_kn_m2 is not None:
            good &= load >= project.floor_load_kn_m2
        if project.rent_max_cny_m2_month is not None:
            good &= rent <= project.rent_max_cny_m2_month
    if project.wanted_by is not None:
        good &= free_from <= np.datetime64(project.wanted_by)
    building = units["building_id"].astype(str).to_numpy(dtype=object)
    space_id = units.index.astype(str).to_numpy(dtype=object)
    buildings = site.buildings
    # the parcel of each unit: its own parcel_id, else its building's
    parcel = np.full(len(units), None, dtype=object)
    if "parcel_id" in units.columns:
        parcel = units["parcel_id"].to_numpy(dtype=object).copy()
    if "parcel_id" in buildings.columns:
        of_building = pd.Series(
            buildings["parcel_id"].to_numpy(dtype=object), index=_object_ids(buildings.index)
        )
        missing = pd.isna(parcel)
        parcel[missing] = of_building.reindex(building[missing]).to_numpy(dtype=object)
    parcel = np.array([None if pd.isna(p) else str(p) for p in parcel], dtype=object)
    figures = {
        "area": area,
        "clear": clear,
        "load": load,
        "power": column("power_kva"),
        "rent": rent,
        "free_from": free_from,
    }
    score_of = pd.Series(scored["score"].to_numpy(dtype=float), index=_object_ids(scored.index))
    footprint = pd.Series(buildings.geometry.to_numpy(), index=_object_ids(buildings.index))
    frames, chosen_units = [], []
    # one building; then one park (the buildings of one parcel) when its set spans several
    for level, group in (("building", building), ("park", parcel)):
        has = np.array([g is not None for g in group], dtype=bool)
        if not has.any():
            continue
        rows, owner = _choose_units(
            group[has], np.flatnonzero(has), space_id[has], area[has], good[has], project
        )
        spans = pd.Series(building[rows]).groupby(owner, sort=True).nunique()
        if level == "park":  # a park's set within one building is that building's
            keep = np.isin(owner, spans.index[spans >= 2].to_numpy())
            rows, owner = rows[keep], owner[keep]
            if not len(rows):
                continue
        agg = _aggregate_units(rows, owner, figures, space_id)
        if level == "building":
            counts["buildings"] = len(agg)
            parcel_of = pd.Series(parcel[rows], index=owner)
            parcel_of = parcel_of[~parcel_of.index.duplicated()].reindex(agg.index)
            agg["building_id"] = agg.index.to_numpy(dtype=object)
            geometry = footprint.reindex(agg.index).to_numpy(dtype=object)
        else:
            parcel_of = pd.Series(agg.index.to_numpy(dtype=object), index=agg.index)
            in_park = pd.Series(building[rows]).groupby(owner, sort=True)
            agg["building_id"] = in_park.agg(lambda b: ",".join(sorted(set(b)))).reindex(agg.index)
            geometry = np.array(
                [
                    shapely.union_all(footprint.reindex(sorted(set(b))).dropna().to_numpy())
                    for b in in_park.agg(list).reindex(agg.index)
                ],
                dtype=object,
            )
        no_footprint = np.flatnonzero(pd.isna(geometry))
        if len(no_footprint):  # no footprint: the units themselves
            unit_geom = pd.Series(units.geometry.to_numpy()[rows], index=owner)
            for i in no_footprint:
                geometry[i] = shapely.union_all(unit_geom.loc[[agg.index[int(i)]]].to_numpy())
        agg["score"] = score_of.reindex(parcel_of.astype(str)).to_numpy(dtype=float)
        agg["score"] = agg["score"].where(parcel_of.notna().to_numpy())
        agg["parcel_ids"] = parcel_of.where(parcel_of.notna(), None).to_numpy(dtype=object)
        agg["geometry"] = geometry
        prefix = "spaces:" if level == "building" else "spaces:park:"
        ids = np.array([f"{prefix}{g}" for g in agg.index], dtype=object)
        chosen_units.append(
            pd.DataFrame(
                {
                    "candidate": pd.Series(ids, index=agg.index).reindex(owner).to_numpy(),
                    "space_id": space_id[rows],
                }
            )
        )
        agg.index = pd.Index(ids, dtype=object)
        frames.append(agg)
    if not frames:
        return _empty_frame(), counts
    out = pd.concat(frames) if len(frames) > 1 else frames[0]
    out["kind"] = "spaces"
    out["members"] = None  # filled in for the kept candidates only (_unit_members)
    out["space_ids"] = None
    out["stage"] = "vacant"
    out["eligible"] = True
    out.attrs["units"] = pd.concat(chosen_units, ignore_index=True)
    return out, counts


def _choose_units(
    group: np.ndarray,
    rows: np.ndarray,
    space_id: np.ndarray,
    area: np.ndarray,
    good: np.ndarray,
    project: Project,
) -> tuple[np.ndarray, np.ndarray]:
    """Per group, the units offered together: (unit rows, their group).

    Units meeting the unit-level conditions first, largest first, until the minimum
    floor area is reached; a group with one such unit of the right size offers that
    unit alone (the one nearest the middle of the demand).
    """
    lo, hi = _bounds(project.floor_area_m2_min, project.floor_area_m2_max)
    target = _target(project.floor_area_m2_min, project.floor_area_m2_max)
    threshold = lo if lo > 0 else hi
    table = pd.DataFrame(
        {
            "group": group,
            "space_id": space_id,
            "bad": ~good,
            "neg_area": -np.nan_to_num(area, nan=0.0),
            "row": rows,
        }
    ).sort_values(["group", "bad", "neg_area", "space_id"], kind="stable")
    unit_area = -table["neg_area"].to_numpy()
    cum = pd.Series(unit_area).groupby(table["group"].to_numpy()).cumsum().to_numpy()
    take = (cum - unit_area) < threshold  # the smallest prefix that reaches the threshold
    chosen = table.loc[take, ["group", "row"]]
    with np.errstate(invalid="ignore"):
        fits = good & (area >= lo) & (area <= hi)
    if fits.any():
        single = pd.DataFrame(
            {
                "group": group[fits],
                "gap": np.abs(area[fits] - target),
                "space_id": space_id[fits],
                "row": rows[fits],
            }
        ).sort_values(["group", "gap", "space_id"], kind="stable")
        single = single.drop_duplicates("group")
        chosen = pd.concat(
            [chosen[~chosen["group"].isin(single["group"])], single[["group", "row"]]]
        )
    return chosen["row"].to_numpy(), chosen["group"].to_numpy(dtype=object)


def _aggregate_units(
    rows: np.ndarray, owner: np.ndarray, figures: Mapping[str, np.ndarray], space_id: np.ndarray
) -> pd.DataFrame:
    """The figures of each group's units: sums, the weakest unit, the last free."""
    parts = pd.DataFrame({name: values[rows] for name, values in figures.items()})
    parts["space_id"] = space_id[rows]
    grouped = parts.groupby(owner, sort=True)
    # min/max of a unit-level figure: NaN if any unit lacks it (nothing guessed)
    lacks = parts[["clear", "load", "power", "rent"]].isna().groupby(owner, sort=True).any()
    return pd.DataFrame(
        {
            "floor_area_m2": grouped["area"].sum(min_count=1),
            "clear_height_m": grouped["clear"].min().where(~lacks["clear"]),
            "floor_load_kn_m2": grouped["load"].min().where(~lacks["load"]),
            "power_kva": grouped["power"].sum().where(~lacks["power"]),
            "rent_max": grouped["rent"].max().where(~lacks["rent"]),
            "delivery_date": grouped["free_from"].max(),
            "n_members": grouped["space_id"].size(),
        }
    )


def _target(low: float | None, high: float | None) -> float:
    if low is not None and high is not None:
        return (low + high) / 2.0
    value = low if low is not None else high
    assert value is not None
    return float(value)


def _fit(frame: pd.DataFrame, project: Project) -> tuple[np.ndarray, np.ndarray]:
    land = frame["kind"].isin(["parcel", "assembly"]).to_numpy(dtype=bool)
    size = np.where(
        land, frame["area_mu"].to_numpy(dtype=float), frame["floor_area_m2"].to_numpy(dtype=float)
    )
    target = np.where(
        land,
        _target(project.area_mu_min, project.area_mu_max) if project.has_land_demand else np.nan,
        _target(project.floor_area_m2_min, project.floor_area_m2_max)
        if project.has_space_demand
        else np.nan,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        fit = np.clip(1.0 - np.abs(size - target) / target, 0.0, 1.0)
        waste = np.where(size > 0, np.maximum(size - target, 0.0) / size, np.nan)
    return fit, waste


def _prices(
    frame: pd.DataFrame,
    project: Project,
    site: Any,
    *,
    prices: Any,
    ledger: Any,
    fiscal_policy: FiscalPolicy,
    evaluation: pd.DataFrame | None,
) -> pd.DataFrame:
    """Price per mu and its source per land candidate: one appraisal per zone."""
    out = pd.DataFrame({"price_10k_cny_per_mu": np.nan, "price_source": None}, index=frame.index)
    land = frame["kind"].isin(["parcel", "assembly"]).to_numpy(dtype=bool)
    if not land.any():
        return out
    parcels = site.parcels
    zones = frame.loc[land, "zone"]
    key = zones.astype(object).where(zones.notna(), "\x00none")
    reps: dict[str, gpd.GeoDataFrame] = {}
    firsts = pd.Series(frame.loc[land, "members"].to_numpy(dtype=object), index=key.to_numpy())
    firsts = firsts[~firsts.index.duplicated()]
    for zone, members in firsts.items():
        one = parcels.loc[[_original_id(parcels, members[0])]]
        if zone == "\x00none" and "zone" in one.columns:
            one = one.assign(zone=None)
        elif zone != "\x00none":
            one = one.assign(zone=zone)
        reps[str(zone)] = one
    table = appraise_many(
        reps,
        project,
        policy=fiscal_policy,
        prices=prices,
        ledger=ledger,
        district=parcels if ledger is not None else None,
        evaluation=evaluation,
    )
    out.loc[land, "price_10k_cny_per_mu"] = (
        table["price_10k_cny_per_mu"].reindex(key.astype(str)).to_numpy(dtype=float)
    )
    out.loc[land, "price_source"] = table["price_source"].reindex(key.astype(str)).to_numpy()
    return out


def _original_id(parcels: gpd.GeoDataFrame, parcel_id: str) -> Any:
    if parcel_id in parcels.index:
        return parcel_id
    as_text = pd.Index(parcels.index.astype(str))
    return parcels.index[as_text.get_loc(parcel_id)]


def _failed_text(row: pd.Series, project: Project) -> str:
    parts = []
    for condition in _CONDITION_LIST:
        if not row[f"ok_{condition.name}"]:
            parts.append(
                f"{condition.name}: needs {condition.demand(project)}; has {condition.offered(row)}"
            )
    return "; ".join(parts)


def _conditions_table(row: pd.Series, project: Project) -> pd.DataFrame:
    records = []
    for condition in _CONDITION_LIST:
        default = _status(condition, project, row["kind"])
        ok = bool(row[f"ok_{condition.name}"])
        if default == "not stated":
            records.append((condition.name, default, "not stated", "", ""))
            continue
        if default == "not applicable":
            records.append(
                (
                    condition.name,
                    default,
                    condition.demand(project),
                    "",
                    _NOT_APPLICABLE[condition.name],
                )
            )
            continue
        offered = condition.offered(row)
        reason = "" if ok else f"needs {condition.demand(project)}; has {offered}"
        records.append(
            (condition.name, "pass" if ok else "fail", condition.demand(project), offered, reason)
        )
    return pd.DataFrame(
        records, columns=["condition", "status", "demand", "offered", "reason"]
    ).set_index("condition")


def _object_ids(index: pd.Index) -> pd.Index:
    """Ids as plain Python strings in an object index (fast lookups, fast iteration)."""
    return pd.Index(np.asarray(index.astype(str), dtype=object), dtype=object)


def _suitability(
    model: Any, scored: gpd.GeoDataFrame, lookup: pd.Index, row: pd.Series
) -> pd.DataFrame:
    if model is None:
        return pd.DataFrame()
    members = _members_of(row)
    positions = lookup.get_indexer(pd.Index(list(members), dtype=object))
    present = [m for m, i in zip(members, positions, strict=True) if i >= 0]
    positions = positions[positions >= 0]
    if not present:
        return pd.DataFrame()
    tables = [model.explain(scored, scored.index[i]) for i in positions]
    if len(tables) == 1:
        return tables[0]
    weights = np.asarray(m2_to_mu(shapely.area(scored.geometry.to_numpy()[positions])), dtype=float)
    weights = weights / weights.sum()
    first = tables[0]
    mixed = first[["measure", "weight", "transform"]].copy()
    for name in ("raw", "value", "contribution"):
        stacked = np.vstack(
            [pd.to_numeric(t[name], errors="coerce").to_numpy(dtype=float) for t in tables]
        )
        mixed[name] = weights @ stacked
    mixed = mixed[["measure", "raw", "value", "weight", "contribution", "transform"]]
    mixed.attrs = {"parcels": list(present), "area_weights": weights.tolist()}
    return mixed


def _members_of(row: pd.Series) -> tuple[Any, ...]:
    if row["kind"] == "spaces":
        parcel = row["parcel_ids"]
        return () if parcel is None or pd.isna(parcel) else (parcel,)
    return tuple(row["members"])


def _contributions(
    model: Any, scored: gpd.GeoDataFrame, lookup: pd.Index, row: pd.Series
) -> pd.Series:
    """Each criterion's contribution to the candidate's score (area-weighted for several)."""
    if model is None:
        return pd.Series(dtype=float)
    positions = lookup.get_indexer(pd.Index(list(_members_of(row)), dtype=object))
    positions = positions[positions >= 0]
    if not len(positions):
        return pd.Series(dtype=float)
    names = [c.name for c in model.criteria]
    values = np.column_stack([scored[f"c_{n}"].to_numpy(dtype=float)[positions] for n in names])
    weights = np.asarray(m2_to_mu(shapely.area(scored.geometry.to_numpy()[positions])), dtype=float)
    return pd.Series(weights @ values / weights.sum(), index=names)


def _unit_members(kept: pd.DataFrame, units: pd.DataFrame | None) -> None:
    """The units of the kept floor-space candidates (members, space_ids), in place."""
    rows = kept.index[(kept["kind"] == "spaces").to_numpy()]
    if units is None or not len(rows):
        return
    mine = units[units["candidate"].isin(rows)]
    members = {c: tuple(sorted(g)) for c, g in mine.groupby("candidate")["space_id"]}
    kept.loc[rows, "members"] = pd.Series([members[c] for c in rows], index=rows, dtype=object)
    kept.loc[rows, "space_ids"] = [",".join(members[c]) for c in rows]


def _top_criteria(share: pd.Series) -> str:
    share = share.dropna()
    if share.empty:
        return ""
    top = share.sort_values(ascending=False, kind="stable").head(3)
    return ", ".join(f"{name} {value:.2f}" for name, value in top.items())


# -- the public function -------------------------------------------------------------------


def match(
    project: Project,
    site: Any,
    *,
    as_of: Any,
    stages: Any = None,
    limit: int | None = 20,
    prices: Mapping[Any, float] | pd.DataFrame | None = None,
    evaluation: pd.DataFrame | None = None,
    fiscal_policy: FiscalPolicy | None = None,
    lifecycle_policy: Any = None,
    durations: Mapping[str, int] | None = None,
    max_parcels: int = 5,
    tolerance_m: float = 1.0,
    workers: int | None = None,
) -> MatchResult:
    """Candidates for a project: parcels, assemblies of parcels and vacant floor space.

    Parameters
    ----------
    project : Project
        The project (:func:`landasset.load_project`).
    site : Site
        The district, in a metric CRS; its ``spaces`` layer holds the floor space.
    as_of : date-like
        The day the match is made on: the stage of each parcel is read on it, and a
        unit free before it is free from it.
    stages : Ledger or Series, optional
        The lifecycle stages (a :class:`~landasset.Ledger`, or stage ids by
        ``parcel_id``). Required when the project wants land: only parcels in a
        reserve stage (:data:`RESERVE_STAGES`) are offered. A ledger also dates the
        stays (:func:`landasset.lifecycle.expected_delivery`) and gives the prices of
        comparable supplied land to the appraisal.
    limit : int or None, default 20
        Keep at most this many candidates (None: all of them).
    prices : mapping or DataFrame, optional
        Zone → land price per mu, 万元 (:func:`landasset.fiscal.appraise`).
    evaluation : DataFrame, optional
        The per-mu evaluation (:func:`landasset.efficiency.evaluate`): tax per mu
        when the project commits none.
    fiscal_policy : FiscalPolicy, optional
        Rates and costs of the appraisal (examples by default, not law).
    lifecycle_policy : Policy, optional
        The lifecycle policy for the schedule (:class:`landasset.lifecycle.Policy`).
    durations : mapping of str to int, optional
        Typical stays by stage, days (:func:`landasset.lifecycle.forward_schedule`).
    max_parcels : int, default 5
        At most this many parcels in an assembly.
    tolerance_m : float, default 1.0
        Gap bridged between adjacent parcels of an assembly, metres.
    workers : int, optional
        Processes that measure and score partitions of the parcels side by side
        (see :meth:`~landasset.suitability.SuitabilityModel.score`). Default: the
        CPUs available to the process. The result does not depend on it, to the bit.

    Returns
    -------
    MatchResult
        The ranked candidates (:attr:`MatchResult.candidates`): passing ones first,
        then the near-misses by the number of conditions they fail.

    Raises
    ------
    LandassetTypeError
        ``project`` is not a :class:`~landasset.Project`.
    LandassetValueError
        ``as_of`` is not a day, ``limit`` is not a whole number ≥ 1, or the project
        wants land and no ``stages`` are given.
    CRSError
        The site's CRS is unfit for areas.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> plant = la.load_project("aerospace_plant")
    >>> with la.Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
    ...     result = la.match(plant, site, as_of="2025-12-31", stages=ledger, limit=10)
    >>> best = result.candidates.iloc[0]
    >>> best["kind"] in ("parcel", "assembly"), bool(best["passes"])
    (True, True)
    >>> result.explain(best.name).conditions.loc[["area", "clear_height"], "status"].tolist()
    ['pass', 'not applicable']
    """
    if not isinstance(project, Project):
        raise LandassetTypeError(
            f"project is a {type(project).__name__}; pass a landasset.Project "
            "(la.load_project(name or path))"
        )
    day = to_day(as_of, what="as_of")
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1
    ):
        raise LandassetValueError(f"limit must be a whole number >= 1 or None, not {limit!r}")
    require_metric(site.crs, what="match (areas in mu and m²)")
    fiscal_policy = fiscal_policy or FiscalPolicy()
    is_ledger = hasattr(stages, "events") and hasattr(stages, "stages")
    ledger = stages if is_ledger else None

    stage_ids: pd.Series | None = None
    if stages is not None:
        stage_ids = stage_series(stages, day)
        stage_ids = pd.Series(
            stage_ids.to_numpy(dtype=object),
            index=pd.Index(stage_ids.index.astype(str), dtype=object),
        )
    elif project.has_land_demand:
        raise LandassetValueError(
            f"project {project.id!r} wants land, and only land in a reserve stage is offered: "
            "give stages= (a Ledger, or a Series of stage ids by parcel_id)"
        )

    model, scored = _score(project, site, day, stage_ids, workers=workers)

    frames: list[pd.DataFrame] = []
    units_chosen: pd.DataFrame | None = None
    offered: dict[str, int] = {"parcels": 0, "assemblies": 0, "buildings": 0, "units": 0}
    if project.has_land_demand:
        assert stage_ids is not None
        land, counts = _land_candidates(
            project,
            site,
            scored,
            stage_ids,
            stages,
            as_of=day,
            limit=limit,
            max_parcels=max_parcels,
            tolerance_m=tolerance_m,
            lifecycle_policy=lifecycle_policy,
            durations=durations,
        )
        offered.update(counts)
        frames.append(land)
    if project.has_space_demand:
        space, counts = _space_candidates(project, site, scored, as_of=day)
        offered.update(counts)
        units_chosen = space.attrs.pop("units", None)
        frames.append(space)
    frames = [f for f in frames if len(f)]
    frame = pd.concat(frames) if frames else _empty_frame()
    for name in (
        "area_mu",
        "floor_area_m2",
        "far_min",
        "far_max",
        "height_max_m",
        "land_class",
        "clear_height_m",
        "floor_load_kn_m2",
        "power_kva",
        "rent_max",
        "score",
    ):
        if name not in frame.columns:
            frame[name] = np.nan
    for name in (
        "land_use",
        "zone",
        "excluded_by",
        "parcel_ids",
        "space_ids",
        "building_id",
        "stage",
    ):
        if name not in frame.columns:
            frame[name] = None
    if "eligible" not in frame.columns:
        frame["eligible"] = True
    if "n_members" not in frame.columns:
        frame["n_members"] = 0
    if "delivery_date" not in frame.columns:
        frame["delivery_date"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if "geometry" not in frame.columns:
        frame["geometry"] = None
    frame["eligible"] = frame["eligible"].astype(bool)
    frame["delivery_date"] = pd.to_datetime(frame["delivery_date"])

    priced = _prices(
        frame,
        project,
        site,
        prices=prices,
        ledger=ledger,
        fiscal_policy=fiscal_policy,
        evaluation=evaluation,
    )
    frame["price_10k_cny_per_mu"] = priced["price_10k_cny_per_mu"].to_numpy(dtype=float)
    frame["price_source"] = priced["price_source"].to_numpy(dtype=object)

    checks = _check_all(frame, project)
    for name, ok in checks.items():
        frame[f"ok_{name}"] = ok
    ok_all = np.column_stack(list(checks.values())) if len(frame) else np.ones((0, 1), bool)
    frame["n_failed"] = (~ok_all).sum(axis=1).astype(np.int64)
    frame["passes"] = frame["n_failed"] == 0
    fit, waste = _fit(frame, project)
    frame["fit"], frame["waste_share"] = fit, waste

    # rank: passing first, fewest failures, best score, best fit, then the id
    score_key = np.round(np.nan_to_num(frame["score"].to_numpy(dtype=float), nan=-1.0), 12)
    fit_key = np.round(np.nan_to_num(fit, nan=-1.0), 12)
    ids = frame.index.to_numpy(dtype=object).astype(str)
    order = np.lexsort((ids, -fit_key, -score_key, frame["n_failed"].to_numpy()))
    offered["candidates"] = len(frame)
    offered["passing"] = int(frame["passes"].sum())
    kept = frame.iloc[order[:limit] if limit is not None else order].copy()
    kept["rank"] = np.arange(1, len(kept) + 1, dtype=np.int64)

    _unit_members(kept, units_chosen)
    kept["failed"] = [
        "" if row["passes"] else _failed_text(row, project) for _, row in kept.iterrows()
    ]
    fiscal = _appraise_kept(
        kept,
        project,
        site,
        day=day,
        prices=prices,
        ledger=ledger,
        evaluation=evaluation,
        fiscal_policy=fiscal_policy,
    )
    for name in _FISCAL:
        kept[name] = fiscal[name].to_numpy()

    lookup = _object_ids(scored.index)
    kept["explanation"] = [
        _top_criteria(_contributions(model, scored, lookup, row)) for _, row in kept.iterrows()
    ]
    candidates = gpd.GeoDataFrame(
        kept[_CANDIDATE_COLUMNS],
        geometry=gpd.GeoSeries(kept["geometry"].to_numpy(), index=kept.index, crs=site.crs),
        crs=site.crs,
    )
    candidates.index.name = "candidate_id"
    candidates.attrs = {"as_of": day, "project": project.id}
    return MatchResult(
        project=project,
        candidates=candidates,
        as_of=day,
        conditions=_conditions_overview(project),
        offered=MappingProxyType(offered),
        _details=kept,
        _appraisals=fiscal,
        _model=model,
        _scored=scored,
    )


def _conditions_overview(project: Project) -> pd.DataFrame:
    rows = []
    for condition in _CONDITION_LIST:
        stated = condition.stated(project)
        rows.append(
            (
                condition.name,
                CONDITIONS[condition.name],
                condition.demand(project) if stated else "not stated",
                stated,
            )
        )
    return pd.DataFrame(rows, columns=["condition", "description", "demand", "stated"]).set_index(
        "condition"
    )


def _score(
    project: Project,
    site: Any,
    day: pd.Timestamp,
    stage_ids: pd.Series | None,
    *,
    workers: int | None = None,
) -> tuple[Any, gpd.GeoDataFrame]:
    """The profile's scores of the live parcels (no profile: NaN scores, all eligible)."""
    parcels = site.parcels
    live = site
    if stage_ids is not None:
        gone = stage_ids.index[stage_ids.to_numpy(dtype=object) == "retired"]
        retired = pd.Index(parcels.index.astype(str)).isin(gone)
        if retired.any():
            live = site.replace(parcels=parcels[~retired])
    if project.industry is None:
        frame = live.parcels
        scored = gpd.GeoDataFrame(
            {
                "score": np.full(len(frame), np.nan),
                "eligible": np.ones(len(frame), dtype=bool),
                "excluded_by": np.full(len(frame), None, dtype=object),
            },
            geometry=frame.geometry.to_numpy(),
            index=frame.index,
            crs=frame.crs,
        )
        return None, scored
    from landasset.suitability import StageRule, load_profile

    model = load_profile(project.industry)
    needs_stages = any(isinstance(rule, StageRule) for rule in model.constraints)
    scored = model.score(
        live,
        as_of=day,
        stages=stage_ids.reindex(live.parcels.index.astype(str))
        if needs_stages and stage_ids is not None
        else None,
        workers=workers,
    )
    return model, scored


def _appraise_kept(
    kept: pd.DataFrame,
    project: Project,
    site: Any,
    *,
    day: pd.Timestamp,
    prices: Any,
    ledger: Any,
    evaluation: pd.DataFrame | None,
    fiscal_policy: FiscalPolicy,
) -> pd.DataFrame:
    """The fiscal figures of the kept candidates (land by year of delivery)."""
    out = pd.DataFrame(index=kept.index, columns=_APPRAISAL, dtype=object)
    parcels = site.parcels
    land = kept[kept["kind"].isin(["parcel", "assembly"])]
    if len(land):
        delivered = pd.to_datetime(land["delivery_date"])
        year0 = delivered.dt.year.fillna(day.year).astype(int)
        years = year0.to_numpy(dtype=np.int64)
        for year in sorted(set(years.tolist())):
            group = land[years == year]
            table = appraise_many(
                {
                    str(cid): parcels.loc[[_original_id(parcels, p) for p in members]]
                    for cid, members in group["members"].items()
                },
                project,
                policy=fiscal_policy,
                prices=prices,
                ledger=ledger,
                district=parcels if ledger is not None else None,
                evaluation=evaluation,
                year0=int(year),
            )
            for name in _APPRAISAL:
                out.loc[group.index, name] = table[name].reindex(group.index.astype(str)).to_numpy()
    spaces = kept[kept["kind"] == "spaces"]
    units = site.spaces
    for cid, members in spaces["members"].items():
        appraisal = appraise_spaces(
            units.loc[[_original_id(units, s) for s in members]],
            project,
            policy=fiscal_policy,
            candidate=str(cid),
        ).to_series()
        for name in _APPRAISAL:
            out.loc[cid, name] = appraisal[name]
    for name in _APPRAISAL:
        if name not in ("kind", "price_source", "tax_source"):
            out[name] = pd.to_numeric(out[name], errors="coerce").astype(float)
    return out
