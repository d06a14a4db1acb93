"""Fiscal appraisal of a candidate for a project: land revenue, cost, tax, payback, NPV.

The operator's view of placing a project (地等项目) on a candidate — land (one parcel
or an assembly, :func:`appraise`) or floor space (units to let, :func:`appraise_spaces`):

* **land revenue** = price per mu × area (万元). The price per mu comes from, in this
  order: a zone price table given by the user (``prices=``), the median price per mu
  of comparable supplied industrial parcels in the ledger (``ledger=`` with
  ``district=``: the same zone when it has ``FiscalPolicy.min_comparables`` of them,
  else the whole district), the project's land price cap
  (``budget_10k_cny_per_mu``). No source: the price is NaN and the explanation says why.
* **operator's cost** = (acquisition 收储 + servicing 七通一平) per mu × area, in year 0.
* **tax per mu**: the project's commitment (``tax_per_mu_10k_cny``), else the median
  tax per mu of graded tenants of the same industry in a per-mu evaluation
  (``evaluation=``, :func:`landasset.efficiency.evaluate`).
* **cash flow** by year: year 0 = land revenue − cost; year t ≥ 1 = tax per mu × area
  × local share × ramp(t), the ramp rising linearly to 1 in the 达产 year
  (``min(t / R, 1)``). NPV = Σ CF_t / (1 + r)^t; payback = the first year whose
  cumulative cash flow is ≥ 0 (``inf``: not within the horizon; NaN: an input is
  missing).

Every figure and its source is a row of :attr:`Appraisal.explanation`. The defaults of
:class:`FiscalPolicy` are EXAMPLES for a district of the sample's kind, not law.

Examples
--------
>>> import landasset as la
>>> from landasset.fiscal import appraise, FiscalPolicy
>>> site = la.sample.load("yunqi")
>>> project = la.Project(id="P1", industry="aerospace", area_mu_min=20, area_mu_max=25,
...     commitments=la.Commitments(tax_per_mu_10k_cny=50.0))
>>> a = appraise(site.parcels.loc[["XH120101-08"]], project, prices={"双浦": 40.0})
>>> a.price_source, round(a.area_mu, 2), round(a.land_revenue_10k_cny, 1)
('prices', 21.48, 859.3)
>>> round(a.npv_10k_cny), a.payback_years
(4159, 4.0)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np
import pandas as pd

from landasset._errors import LandassetValueError, SchemaError
from landasset.crs import require_metric
from landasset.landuse import land_use_family
from landasset.units import m2_to_mu

__all__ = [
    "INDUSTRIES_OF_PROFILE",
    "Appraisal",
    "CommitmentsLike",
    "FiscalPolicy",
    "ProjectLike",
    "appraise",
    "appraise_many",
    "appraise_spaces",
]

#: The enterprise ``industry`` values (sample district, per-mu evaluation) that a
#: bundled industry profile stands for.
INDUSTRIES_OF_PROFILE: Mapping[str, tuple[str, ...]] = {
    "aerospace": ("aerospace_information",),
    "ai": ("artificial_intelligence",),
    "smart_manufacturing": ("smart_manufacturing",),
    "life_health": ("life_health",),
}

_EXPLANATION_COLUMNS = ["item", "value", "unit", "source"]


class CommitmentsLike(Protocol):
    """What :func:`appraise` reads of a project's commitments (标准地)."""

    @property
    def tax_per_mu_10k_cny(self) -> float | None: ...

    @property
    def production_year(self) -> int | None: ...


class ProjectLike(Protocol):
    """What :func:`appraise` reads of a project (``landasset.Project``).

    Also read when present: ``budget_10k_cny_per_mu`` (the land price cap).
    """

    @property
    def id(self) -> str: ...

    @property
    def industry(self) -> str | None: ...

    @property
    def commitments(self) -> CommitmentsLike | None: ...


@dataclass(frozen=True)
class FiscalPolicy:
    """Parameters of the appraisal. The defaults are EXAMPLES, not law or a norm.

    Parameters
    ----------
    discount_rate : float, default 0.06
        Yearly discount rate of the NPV, in [0, 1].
    horizon_years : int, default 20
        Years of cash flow after year 0 (≥ 1).
    acquisition_cost_10k_cny_per_mu : float, default 80.0
        收储 compensation paid by the operator, 万元 per mu (≥ 0).
    servicing_cost_10k_cny_per_mu : float, default 30.0
        七通一平 servicing, 万元 per mu (≥ 0).
    local_tax_share : float, default 0.5
        Share of the tax retained locally, in [0, 1].
    rampup_years : int, default 3
        Years from year 1 to 达产 (full tax), ≥ 0; replaced by the project's
        ``production_year`` − ``year0`` when both are known.
    rent_growth : float, default 0.02
        Yearly growth of rents for floor space, in [0, 1].
    min_comparables : int, default 3
        Comparable supplied parcels a zone needs for its own median price (≥ 1).

    Raises
    ------
    LandassetValueError
        A value out of range; the message names the field.

    Examples
    --------
    >>> FiscalPolicy().discount_rate
    0.06
    >>> FiscalPolicy(local_tax_share=1.5)
    Traceback (most recent call last):
    ...
    landasset.LandassetValueError: local_tax_share is a share in [0, 1], not 1.5
    """

    discount_rate: float = 0.06
    horizon_years: int = 20
    acquisition_cost_10k_cny_per_mu: float = 80.0
    servicing_cost_10k_cny_per_mu: float = 30.0
    local_tax_share: float = 0.5
    rampup_years: int = 3
    rent_growth: float = 0.02
    min_comparables: int = 3

    def __post_init__(self) -> None:
        for name in ("discount_rate", "local_tax_share", "rent_growth"):
            value = getattr(self, name)
            if not _real(value) or not 0.0 <= float(value) <= 1.0:
                raise LandassetValueError(f"{name} is a share in [0, 1], not {value!r}")
        for name in ("acquisition_cost_10k_cny_per_mu", "servicing_cost_10k_cny_per_mu"):
            value = getattr(self, name)
            if not _real(value) or not math.isfinite(float(value)) or float(value) < 0:
                raise LandassetValueError(f"{name} is a cost in 万元 per mu ≥ 0, not {value!r}")
        for name, low in (("horizon_years", 1), ("rampup_years", 0), ("min_comparables", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
                raise LandassetValueError(f"{name} is a whole number ≥ {low}, not {value!r}")


def _real(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Real)


@dataclass(frozen=True, eq=False)
class Appraisal:
    """The fiscal appraisal of one candidate (money in 万元 = 10k CNY).

    Attributes
    ----------
    candidate : str or None
        The candidate id (from :func:`appraise_many`), or None.
    kind : {"land", "space"}
    area_mu, floor_area_m2 : float
        Land area (NaN for floor space) and floor area (NaN for land).
    price_10k_cny_per_mu : float
        Land price per mu (NaN: no source).
    price_source : str
        ``"prices"``, ``"ledger_zone"``, ``"ledger_all"``, ``"budget"`` or ``"none"``.
    land_revenue_10k_cny : float
        Price × area.
    cost_10k_cny_per_mu, cost_10k_cny : float
        Acquisition + servicing per mu and in all.
    tax_10k_cny_per_mu : float
        Expected tax per mu at 达产 (NaN: no source).
    tax_source : str
        ``"commitment"``, ``"evaluation"`` or ``"none"``.
    rent_10k_cny_per_year : float
        First-year rent of floor space (NaN for land).
    cash_flow : Series
        Cash flow by year (0 … horizon), 万元.
    npv_10k_cny : float
        NPV at ``policy.discount_rate``.
    payback_years : float
        First year with cumulative cash flow ≥ 0; ``inf`` when not within the
        horizon, NaN when an input is missing.
    explanation : DataFrame
        One row per figure: ``item``, ``value``, ``unit``, ``source``.
    policy : FiscalPolicy
    FIGURES : tuple of str
        (class attribute) The scalar figures, in the order of :meth:`to_series`.
    """

    FIGURES: ClassVar[tuple[str, ...]] = (
        "kind",
        "area_mu",
        "floor_area_m2",
        "price_10k_cny_per_mu",
        "price_source",
        "land_revenue_10k_cny",
        "cost_10k_cny_per_mu",
        "cost_10k_cny",
        "tax_10k_cny_per_mu",
        "tax_source",
        "rent_10k_cny_per_year",
        "npv_10k_cny",
        "payback_years",
    )

    candidate: str | None
    kind: str
    area_mu: float
    floor_area_m2: float
    price_10k_cny_per_mu: float
    price_source: str
    land_revenue_10k_cny: float
    cost_10k_cny_per_mu: float
    cost_10k_cny: float
    tax_10k_cny_per_mu: float
    tax_source: str
    rent_10k_cny_per_year: float
    cash_flow: pd.Series
    npv_10k_cny: float
    payback_years: float
    explanation: pd.DataFrame
    policy: FiscalPolicy = field(default_factory=FiscalPolicy)

    def to_series(self) -> pd.Series:
        """The scalar figures as one row (for a table of candidates).

        >>> import geopandas as gpd
        >>> import landasset as la
        >>> from shapely import box
        >>> land = gpd.GeoDataFrame({"zone": ["Z"]}, geometry=[box(0, 0, 200, 100)],
        ...                         crs="EPSG:4549", index=["A"])
        >>> p = la.Project(id="P", industry="ai", area_mu_min=25)
        >>> appraise(land, p, prices={"Z": 100}).to_series()[["area_mu", "price_source"]].tolist()
        [30.0, 'prices']
        """
        return pd.Series(
            {n: getattr(self, n) for n in self.FIGURES}, name=self.candidate, dtype=object
        )


# -- cash flow arithmetic ------------------------------------------------------------------
def npv(cash_flow: pd.Series | np.ndarray, rate: float) -> float:
    """Σ CF_t / (1 + rate)^t over t = 0, 1, …"""
    values = np.asarray(cash_flow, dtype=float)
    years = np.arange(len(values))
    return float(np.sum(values / (1.0 + rate) ** years))


def payback(cash_flow: pd.Series | np.ndarray) -> float:
    """First year whose cumulative cash flow is ≥ 0; inf if none; NaN if any is NaN."""
    values = np.asarray(cash_flow, dtype=float)
    if np.isnan(values).any():
        return math.nan
    hits = np.flatnonzero(np.cumsum(values) >= 0)
    return float(hits[0]) if len(hits) else math.inf


# -- sources of price and tax --------------------------------------------------------------
def _comparables(ledger: Any, district: Any) -> pd.DataFrame:
    """Supplied industrial parcels with a price: zone and price per mu."""
    if district is None:
        raise LandassetValueError(
            "ledger= needs district= (the district's parcel layer, e.g. site.parcels) for the "
            "areas, land uses and zones of the comparable parcels"
        )
    events = ledger.events(stages=["supplied"])
    if events.empty or "price_10k_cny" not in events.columns:
        return pd.DataFrame({"zone": [], "price_per_mu": []})
    last = events.groupby("parcel_id", sort=False).last()
    price = pd.to_numeric(last["price_10k_cny"], errors="coerce")
    mode = last["mode"] if "mode" in last.columns else pd.Series(None, index=last.index)
    keep = price.gt(0) & mode.ne("allocation")
    ids = last.index[keep.to_numpy()].astype(str)
    layer = district.copy()
    layer.index = layer.index.astype(str)
    ids = ids.intersection(layer.index)
    if "land_use" in layer.columns:
        family = land_use_family(layer.loc[ids, "land_use"].astype(object))
        ids = ids[(family == "industrial").to_numpy()]
    require_metric(layer.crs, what="the comparables' areas (district=)")
    area = m2_to_mu(layer.loc[ids].geometry.area.to_numpy())
    zone = layer.loc[ids, "zone"] if "zone" in layer.columns else pd.Series(None, index=ids)
    return pd.DataFrame(
        {"zone": zone.to_numpy(), "price_per_mu": price.reindex(ids).to_numpy() / area},
        index=ids,
    )


def _zone_of(parcels: Any) -> Any:
    if "zone" not in parcels.columns or parcels["zone"].isna().all():
        return None
    area = pd.Series(parcels.geometry.area.to_numpy(), index=parcels["zone"].to_numpy())
    return area.groupby(level=0).sum().idxmax()


def _price_table(prices: Any) -> dict[Any, float]:
    if isinstance(prices, pd.DataFrame):
        frame = prices.set_index("zone") if "zone" in prices.columns else prices
        column = "price_10k_cny_per_mu"
        if column not in frame.columns:
            raise SchemaError(
                f"prices needs a {column!r} column by zone (index or a 'zone' column); "
                f"it has {list(frame.columns)}"
            )
        return {k: float(v) for k, v in frame[column].items()}
    if isinstance(prices, Mapping):
        return {k: float(v) for k, v in prices.items()}
    raise LandassetValueError(
        "prices maps zones to 万元 per mu, such as {'双浦': 120.0}, or is a DataFrame with "
        f"zone and price_10k_cny_per_mu; not {type(prices).__name__}"
    )


def _price(
    parcels: Any,
    project: Any,
    *,
    prices: Any,
    comparables: pd.DataFrame | None,
    policy: FiscalPolicy,
    rows: list[tuple[str, Any, str, str]],
) -> tuple[float, str]:
    zone = _zone_of(parcels)
    if prices is not None:
        table = _price_table(prices)
        if zone in table:
            rows.append(("price per mu", table[zone], "万元/亩", f"prices table, zone {zone}"))
            return table[zone], "prices"
        rows.append(("price per mu", None, "万元/亩", f"zone {zone!r} not in the prices table"))
    if comparables is not None:
        same = comparables[comparables["zone"] == zone] if zone is not None else comparables[:0]
        if len(same) >= policy.min_comparables:
            value = float(same["price_per_mu"].median())
            rows.append(
                (
                    "price per mu",
                    value,
                    "万元/亩",
                    f"ledger: median of {len(same)} supplied industrial parcels in zone {zone}",
                )
            )
            return value, "ledger_zone"
        if len(comparables):
            value = float(comparables["price_per_mu"].median())
            rows.append(
                (
                    "price per mu",
                    value,
                    "万元/亩",
                    f"ledger: median of all {len(comparables)} supplied industrial parcels "
                    f"(zone {zone!r} has {len(same)} < {policy.min_comparables})",
                )
            )
            return value, "ledger_all"
        rows.append(("price per mu", None, "万元/亩", "ledger: no supplied industrial parcel"))
    budget = getattr(project, "budget_10k_cny_per_mu", None)
    if budget is not None and not pd.isna(budget):
        rows.append(("price per mu", float(budget), "万元/亩", "the project's land price cap"))
        return float(budget), "budget"
    rows.append(
        (
            "price per mu",
            math.nan,
            "万元/亩",
            "no price: give prices=, ledger= with district=, or a project budget_10k_cny_per_mu",
        )
    )
    return math.nan, "none"


def _industries(project: Any) -> tuple[str, ...]:
    industry = getattr(project, "industry", None)
    if industry is None:
        return ()
    return INDUSTRIES_OF_PROFILE.get(str(industry), (str(industry),))


def _tax(
    project: Any, evaluation: pd.DataFrame | None, rows: list[tuple[str, Any, str, str]]
) -> tuple[float, str]:
    commitments = getattr(project, "commitments", None)
    committed = getattr(commitments, "tax_per_mu_10k_cny", None)
    if committed is not None and not pd.isna(committed):
        rows.append(("tax per mu", float(committed), "万元/亩", "the project's commitment"))
        return float(committed), "commitment"
    if evaluation is not None:
        needed = {"industry", "tax_per_mu_10k_cny", "grade"}
        if not needed <= set(evaluation.columns):
            raise SchemaError(
                "evaluation needs the columns industry, tax_per_mu_10k_cny and grade (the "
                "per-enterprise table of landasset.efficiency.evaluate); it lacks "
                + ", ".join(sorted(needed - set(evaluation.columns)))
            )
        industries = _industries(project)
        graded = evaluation[
            evaluation["grade"].notna() & evaluation["industry"].isin(list(industries))
        ]
        tax = pd.to_numeric(graded["tax_per_mu_10k_cny"], errors="coerce").dropna()
        if len(tax):
            value = float(tax.median())
            rows.append(
                (
                    "tax per mu",
                    value,
                    "万元/亩",
                    f"evaluation: median of {len(tax)} graded tenants of {', '.join(industries)}",
                )
            )
            return value, "evaluation"
        rows.append(
            ("tax per mu", None, "万元/亩", f"evaluation: no graded tenant of {industries}")
        )
    rows.append(
        (
            "tax per mu",
            math.nan,
            "万元/亩",
            "no tax figure: the project commits none; give evaluation=",
        )
    )
    return math.nan, "none"


def _rampup(
    project: Any, year0: int | None, policy: FiscalPolicy, rows: list[tuple[str, Any, str, str]]
) -> int:
    commitments = getattr(project, "commitments", None)
    production = getattr(commitments, "production_year", None)
    if production is not None and year0 is not None:
        years = max(int(production) - int(year0), 0)
        rows.append(("ramp-up", years, "years", f"达产 {production} committed − year 0 = {year0}"))
        return years
    note = "FiscalPolicy.rampup_years"
    if production is not None:
        note += f" (达产 {production} committed, but year0 is not given)"
    rows.append(("ramp-up", policy.rampup_years, "years", note))
    return policy.rampup_years


def _finish(
    candidate: str | None,
    kind: str,
    *,
    flows: np.ndarray,
    policy: FiscalPolicy,
    rows: list[tuple[str, Any, str, str]],
    **figures: Any,
) -> Appraisal:
    cash = pd.Series(flows, index=pd.RangeIndex(len(flows), name="year"), name="cash_flow_10k_cny")
    value = npv(cash, policy.discount_rate)
    back = payback(cash)
    rows.append(
        ("NPV", value, "万元", f"Σ CF_t / (1 + {policy.discount_rate})^t, t = 0…{len(flows) - 1}")
    )
    rows.append(
        (
            "payback",
            back,
            "years",
            "first year with cumulative cash flow ≥ 0 (inf: not within the horizon; "
            "NaN: an input is missing)",
        )
    )
    explanation = pd.DataFrame(rows, columns=_EXPLANATION_COLUMNS)
    return Appraisal(
        candidate=candidate,
        kind=kind,
        cash_flow=cash,
        npv_10k_cny=value,
        payback_years=back,
        explanation=explanation,
        policy=policy,
        **figures,
    )


# -- the public functions ------------------------------------------------------------------
def appraise(
    parcels: Any,
    project: ProjectLike,
    *,
    policy: FiscalPolicy | None = None,
    prices: Mapping[Any, float] | pd.DataFrame | None = None,
    ledger: Any = None,
    district: Any = None,
    evaluation: pd.DataFrame | None = None,
    year0: int | None = None,
    candidate: str | None = None,
) -> Appraisal:
    """The fiscal appraisal of land (one parcel or an assembly) for a project.

    Parameters
    ----------
    parcels : GeoDataFrame
        The candidate's parcels, in a metric CRS (areas in m²); a ``zone`` column
        picks the zone price (the zone holding most of the area).
    project : Project
        Read: ``industry``, ``commitments.tax_per_mu_10k_cny``,
        ``commitments.production_year`` and, when present, ``budget_10k_cny_per_mu``.
    policy : FiscalPolicy, optional
        Rates, horizon, costs (defaults are examples, not law).
    prices : mapping or DataFrame, optional
        Zone → price in 万元 per mu (a DataFrame: ``zone`` and
        ``price_10k_cny_per_mu``). First source of the price.
    ledger : Ledger, optional
        Second source: the median price per mu of supplied industrial parcels
        (allocation and zero prices left out), needs ``district``.
    district : GeoDataFrame, optional
        The district's parcel layer (areas, ``land_use``, ``zone`` of the comparables).
    evaluation : DataFrame, optional
        Per-enterprise per-mu evaluation (:func:`landasset.efficiency.evaluate`): the
        tax per mu when the project commits none.
    year0 : int, optional
        Calendar year of year 0; with ``commitments.production_year`` it sets the
        ramp-up (达产 year − year 0).
    candidate : str, optional
        An id carried into the result.

    Returns
    -------
    Appraisal

    Raises
    ------
    LandassetValueError
        ``parcels`` is empty, ``ledger`` without ``district``, a bad ``prices``.
    CRSError
        ``parcels`` has no CRS or one unfit for areas (geographic, Web Mercator).
    SchemaError
        ``evaluation`` or a ``prices`` DataFrame lacks its columns.

    Examples
    --------
    >>> import landasset as la
    >>> from landasset.lifecycle import Ledger
    >>> site = la.sample.load("yunqi")
    >>> project = la.Project(id="P1", industry="aerospace", area_mu_min=35, area_mu_max=45,
    ...     commitments=la.Commitments(production_year=2029))
    >>> evaluation = la.efficiency.evaluate(site.enterprises, site.parcels, year=2025,
    ...                                     buildings=site.buildings)
    >>> with Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
    ...     a = appraise(site.parcels.loc[["XH120101-08", "XH120101-09"]], project,
    ...                  ledger=ledger, district=site.parcels, evaluation=evaluation,
    ...                  year0=2026)
    >>> a.price_source, a.tax_source
    ('ledger_all', 'evaluation')
    >>> a.explanation.item.tolist()[:3]
    ['area', 'price per mu', 'land revenue']
    """
    comparables = _comparables(ledger, district) if ledger is not None else None
    return _land(
        parcels,
        project,
        policy=policy or FiscalPolicy(),
        prices=prices,
        comparables=comparables,
        evaluation=evaluation,
        year0=year0,
        candidate=candidate,
    )


def _land(
    parcels: Any,
    project: Any,
    *,
    policy: FiscalPolicy,
    prices: Any,
    comparables: pd.DataFrame | None,
    evaluation: pd.DataFrame | None,
    year0: int | None,
    candidate: str | None,
) -> Appraisal:
    if len(parcels) == 0:
        raise LandassetValueError(
            "parcels is empty; give the candidate's parcels (one row or more)"
        )
    require_metric(parcels.crs, what="appraise (the candidate's area in mu)")
    rows: list[tuple[str, Any, str, str]] = []
    area = float(m2_to_mu(float(parcels.geometry.area.sum())))
    rows.append(("area", area, "亩", f"{len(parcels)} parcel(s), geometry area / (2000/3)"))
    price, price_source = _price(
        parcels, project, prices=prices, comparables=comparables, policy=policy, rows=rows
    )
    revenue = price * area
    rows.append(("land revenue", revenue, "万元", "price per mu × area"))
    cost_mu = policy.acquisition_cost_10k_cny_per_mu + policy.servicing_cost_10k_cny_per_mu
    rows.append(
        (
            "cost per mu",
            cost_mu,
            "万元/亩",
            f"acquisition {policy.acquisition_cost_10k_cny_per_mu} + servicing "
            f"{policy.servicing_cost_10k_cny_per_mu} (FiscalPolicy)",
        )
    )
    cost = cost_mu * area
    rows.append(("cost", cost, "万元", "cost per mu × area, in year 0"))
    tax, tax_source = _tax(project, evaluation, rows)
    ramp_years = _rampup(project, year0, policy, rows)
    years = np.arange(1, policy.horizon_years + 1)
    ramp = np.minimum(years / ramp_years, 1.0) if ramp_years > 0 else np.ones(len(years))
    local = tax * area * policy.local_tax_share
    rows.append(
        (
            "local tax at 达产",
            local,
            "万元/年",
            f"tax per mu × area × local share {policy.local_tax_share}; year t × min(t / "
            f"{ramp_years}, 1)",
        )
    )
    flows = np.concatenate([[revenue - cost], local * ramp])
    rows.append(("year 0", flows[0], "万元", "land revenue − cost"))
    return _finish(
        candidate,
        "land",
        flows=flows,
        policy=policy,
        rows=rows,
        area_mu=area,
        floor_area_m2=math.nan,
        price_10k_cny_per_mu=price,
        price_source=price_source,
        land_revenue_10k_cny=revenue,
        cost_10k_cny_per_mu=cost_mu,
        cost_10k_cny=cost,
        tax_10k_cny_per_mu=tax,
        tax_source=tax_source,
        rent_10k_cny_per_year=math.nan,
    )


def appraise_spaces(
    spaces: pd.DataFrame,
    project: ProjectLike,
    *,
    policy: FiscalPolicy | None = None,
    candidate: str | None = None,
) -> Appraisal:
    """The fiscal appraisal of floor space to let (no land sale) for a project.

    Rent in year t ≥ 1 = Σ ``rent_cny_m2_month`` × ``area_m2`` × 12 / 10,000 ×
    (1 + rent growth)^(t − 1), in 万元; year 0 is 0 (no land sale, no acquisition).

    Parameters
    ----------
    spaces : DataFrame
        The candidate's units with ``area_m2`` and ``rent_cny_m2_month``.
    project : Project
        Carried for symmetry with :func:`appraise` (not read today).
    policy : FiscalPolicy, optional
        ``rent_growth``, ``discount_rate``, ``horizon_years``.
    candidate : str, optional

    Returns
    -------
    Appraisal
        ``kind="space"``; rent NaN (and NPV NaN) when a unit has no rent.

    Raises
    ------
    SchemaError
        ``spaces`` lacks ``area_m2`` or ``rent_cny_m2_month``.

    Examples
    --------
    >>> import pandas as pd
    >>> import landasset as la
    >>> units = pd.DataFrame({"area_m2": [1000.0, 500.0], "rent_cny_m2_month": [50.0, 60.0]})
    >>> p = la.Project(id="P", floor_area_m2_min=1500)
    >>> a = appraise_spaces(units, p, policy=FiscalPolicy(rent_growth=0))
    >>> a.rent_10k_cny_per_year, a.cash_flow.iloc[:2].tolist()
    (96.0, [0.0, 96.0])
    """
    policy = policy or FiscalPolicy()
    missing = {"area_m2", "rent_cny_m2_month"} - set(spaces.columns)
    if missing:
        raise SchemaError(
            f"spaces needs the columns {sorted(missing)} (unit floor area and monthly rent)"
        )
    rows: list[tuple[str, Any, str, str]] = []
    area = pd.to_numeric(spaces["area_m2"], errors="coerce")
    rent = pd.to_numeric(spaces["rent_cny_m2_month"], errors="coerce")
    floor = float(area.sum())
    rows.append(("floor area", floor, "m²", f"{len(spaces)} unit(s), Σ area_m2"))
    if rent.isna().any() or area.isna().any():
        unknown = list(spaces.index[(rent.isna() | area.isna()).to_numpy()][:10])
        yearly = math.nan
        rows.append(("rent", yearly, "万元/年", f"no rent or area for units {unknown}"))
    else:
        yearly = float((rent * area).sum() * 12 / 10_000)
        rows.append(("rent", yearly, "万元/年", "Σ rent_cny_m2_month × area_m2 × 12 / 10,000"))
    years = np.arange(1, policy.horizon_years + 1)
    flows = np.concatenate([[0.0], yearly * (1.0 + policy.rent_growth) ** (years - 1)])
    rows.append(
        ("rent growth", policy.rent_growth, "per year", "FiscalPolicy.rent_growth from year 2")
    )
    rows.append(("year 0", 0.0, "万元", "floor space: no land sale, no acquisition"))
    return _finish(
        candidate,
        "space",
        flows=flows,
        policy=policy,
        rows=rows,
        area_mu=math.nan,
        floor_area_m2=floor,
        price_10k_cny_per_mu=math.nan,
        price_source="none",
        land_revenue_10k_cny=math.nan,
        cost_10k_cny_per_mu=math.nan,
        cost_10k_cny=math.nan,
        tax_10k_cny_per_mu=math.nan,
        tax_source="none",
        rent_10k_cny_per_year=yearly,
    )


def appraise_many(
    candidates: Mapping[str, Any],
    project: ProjectLike,
    *,
    policy: FiscalPolicy | None = None,
    prices: Mapping[Any, float] | pd.DataFrame | None = None,
    ledger: Any = None,
    district: Any = None,
    evaluation: pd.DataFrame | None = None,
    year0: int | None = None,
) -> pd.DataFrame:
    """:func:`appraise` for each candidate: one row per candidate id.

    The ledger's comparables are read once for all candidates.

    Parameters
    ----------
    candidates : mapping of str to GeoDataFrame
        Candidate id → its parcels.
    project, policy, prices, ledger, district, evaluation, year0
        As :func:`appraise`.

    Returns
    -------
    DataFrame
        Indexed by candidate id, the columns of :meth:`Appraisal.to_series`.

    Examples
    --------
    >>> import landasset as la
    >>> site = la.sample.load("yunqi")
    >>> p = la.Project(id="P", industry="ai", area_mu_min=20, budget_10k_cny_per_mu=90.0,
    ...                commitments=la.Commitments(tax_per_mu_10k_cny=40.0))
    >>> table = appraise_many({"a": site.parcels.loc[["XH120101-08"]],
    ...                        "b": site.parcels.loc[["XH120101-09"]]}, p)
    >>> table.price_source.tolist()
    ['budget', 'budget']
    """
    rows = []
    comparables = _comparables(ledger, district) if ledger is not None else None
    for key, parcels in candidates.items():
        result = _land(
            parcels,
            project,
            policy=policy or FiscalPolicy(),
            prices=prices,
            comparables=comparables,
            evaluation=evaluation,
            year0=year0,
            candidate=str(key),
        )
        rows.append(result.to_series())
    if not rows:
        return pd.DataFrame(index=pd.Index([], name="candidate"))
    table = pd.DataFrame(rows)
    table.index.name = "candidate"
    return table.infer_objects()
