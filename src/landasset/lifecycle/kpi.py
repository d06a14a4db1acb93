"""Lifecycle KPIs: pipeline, time in stage, idle land, low-efficiency land, lateness.

Functions over a :class:`~landasset.lifecycle.Ledger` (and a
:class:`~landasset.Site` where areas or buildings are needed). Each returns one table
indexed by ``stage`` or ``parcel_id``. :func:`pipeline` reads stages as every reader
does (``as_of=None``: every recorded event). The functions that measure elapsed time
(durations, idle land, low efficiency, lateness) need a day to measure to: theirs is
``as_of``, or today when it is None.

Examples
--------
>>> import tempfile, pathlib
>>> from landasset.lifecycle import Ledger, idle_land
>>> tmp = tempfile.TemporaryDirectory()
>>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
>>> _ = ledger.record(
...     "XH-09", "supplied", "2024-06-01", actor="土地科", contract_id="C-9",
...     mode="listing", price_10k_cny=8000, agreed_start="2024-12-01",
...     agreed_completion="2027-12-01",
... )
>>> row = idle_land(ledger, as_of="2026-01-15").loc["XH-09"]
>>> int(row.days_past_start), float(row.fee_due_10k_cny), row.repossession_date.date()
(410, 1600.0, datetime.date(2026, 12, 1))
>>> ledger.close(); tmp.cleanup()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from landasset import _vocab
from landasset._compat import keyword_only
from landasset._errors import LandassetValueError, SchemaError
from landasset.lifecycle._dates import DateLike, to_day
from landasset.lifecycle.ledger import Ledger
from landasset.lifecycle.policy import Policy
from landasset.lifecycle.stages import Stage
from landasset.units import m2_to_mu

if TYPE_CHECKING:
    from landasset.site import Site

__all__ = [
    "LOW_EFFICIENCY",
    "duration_summary",
    "durations",
    "idle_land",
    "late_against_contract",
    "low_efficiency",
    "pipeline",
    "terms_expiring",
]

#: The five low-efficiency categories (Zhejiang county practice, e.g. Huzhou 2018):
#: column name → (Chinese name, English name, stages concerned).
LOW_EFFICIENCY: Mapping[str, tuple[str, str, tuple[str, ...]]] = MappingProxyType(
    {
        "approved_not_supplied": (
            "批而未供",
            "approved, not supplied",
            ("reserved", "supply_ready"),
        ),
        "supplied_not_used": ("供而未用", "supplied, not used", ("supplied", "permitted")),
        "used_not_fully": ("用而未尽", "used, not fully built", ("completed", "operating")),
        "built_not_operating": ("建而未投", "built, not in production", ("completed",)),
        "operating_below_standard": ("投而未达标", "in production, below standard", ("operating",)),
    }
)

_STAGE_VALUES = [s.value for s in Stage]
_NOT_STARTED = ("supplied", "permitted")
_UNDER_CONTRACT = _vocab.UNDER_CONTRACT_STAGES


def _day(as_of: DateLike | None) -> pd.Timestamp:
    """The day elapsed time is measured to: ``as_of``, or today when it is None."""
    if as_of is None:
        return pd.Timestamp(dt.date.today())
    return to_day(as_of, what="as_of")


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")


def _last_value(events: pd.DataFrame, column: str) -> pd.Series:
    """Per parcel, the latest non-null value of a data column (events in place order)."""
    if column not in events.columns:
        return pd.Series(dtype=object, name=column)
    return events.groupby("parcel_id", sort=False)[column].last()


def _parcel_area_mu(site: Site) -> pd.Series:
    parcels = site.parcels
    return pd.Series(
        m2_to_mu(parcels.geometry.area.to_numpy()), index=parcels.index.astype(str), name="area_mu"
    )


# -- pipeline and durations ---------------------------------------------------------------
@keyword_only(2, "as_of")
def pipeline(ledger: Ledger, site: Site, *, as_of: DateLike | None = None) -> pd.DataFrame:
    """Parcels and area (mu) in each stage on ``as_of`` (default: after the latest events).

    Areas come from the site's parcel layer; a parcel the ledger knows but the layer
    does not counts as a parcel with unknown area (``area_mu`` sums the known areas,
    and is NaN when no parcel of the stage is in the layer). Site parcels with no event by
    ``as_of`` form the row ``unrecorded``. Retired parcels stay in the layer (their
    area overlaps their successors'), so leave the ``retired`` row out of area totals.

    Returns
    -------
    DataFrame
        Indexed by ``stage`` (the eleven stages in lifecycle order, then
        ``unrecorded``); columns ``label_zh``, ``phase``, ``parcels``, ``area_mu``.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd, landasset as la
    >>> from shapely import box
    >>> from landasset.lifecycle import Ledger
    >>> site = la.Site(parcels=gpd.GeoDataFrame(
    ...     {"parcel_id": ["A", "B", "C"]},
    ...     geometry=[box(0, 0, 200, 100), box(200, 0, 300, 100), box(300, 0, 400, 100)],
    ...     crs="EPSG:4549"))
    >>> tmp = tempfile.TemporaryDirectory()
    >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
    >>> _ = ledger.record("A", "reserved", "2024-01-01", actor="a")
    >>> _ = ledger.record("B", "reserved", "2024-01-01", actor="a")
    >>> table = pipeline(ledger, site)
    >>> table.loc[["reserved", "unrecorded"], ["parcels", "area_mu"]]
                parcels  area_mu
    stage
    reserved          2     45.0
    unrecorded        1     15.0
    >>> ledger.close(); tmp.cleanup()
    """
    stages = ledger.stages(as_of=as_of)
    area = _parcel_area_mu(site)
    frame = pd.DataFrame({"stage": stages.astype(object)})
    frame["area_mu"] = area.reindex(frame.index).to_numpy()
    grouped = frame.groupby("stage")
    counts = grouped.size().reindex(_STAGE_VALUES, fill_value=0)
    areas = grouped["area_mu"].sum(min_count=1).reindex(_STAGE_VALUES)
    areas = areas.mask(counts == 0, 0.0)  # NaN only where parcels are there but not mapped
    unrecorded = area.index.difference(stages.index)
    out = pd.DataFrame(
        {
            "label_zh": [Stage(s).label_zh for s in _STAGE_VALUES] + ["未入账"],
            "phase": [Stage(s).phase for s in _STAGE_VALUES] + [""],
            "parcels": [*counts.astype(int).tolist(), len(unrecorded)],
            "area_mu": [*areas.astype(float).tolist(), float(area.loc[unrecorded].sum())],
        },
        index=pd.Index([*_STAGE_VALUES, "unrecorded"], name="stage"),
    )
    return out


def _stays(ledger: Ledger, as_of: DateLike | None) -> tuple[pd.DataFrame, pd.Timestamp]:
    day = _day(as_of)
    tl = ledger.timeline(as_of=day)
    tl = tl[tl["stage"] != "retired"].copy()
    tl["open"] = tl["valid_to"].isna()
    end = tl["valid_to"].fillna(day)
    tl["days"] = (end - tl["valid_from"]).dt.days.astype(float)
    return tl, day


def durations(ledger: Ledger, *, as_of: DateLike | None = None) -> pd.DataFrame:
    """Days each parcel spent in each stage up to ``as_of`` (default today).

    A stay ends with the parcel's next event; the stay still open on ``as_of``
    counts up to ``as_of``. Several stays in one stage (renewal loops) add up.
    ``retired`` is left out. Summaries: :func:`duration_summary`, or
    ``durations(ledger).describe()``.

    Returns
    -------
    DataFrame
        Indexed by ``parcel_id``, one float column per stage (NaN: never there).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from landasset.lifecycle import Ledger
    >>> tmp = tempfile.TemporaryDirectory()
    >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
    >>> _ = ledger.record("A", "planned", "2024-01-01", actor="a")
    >>> _ = ledger.record("A", "acquiring", "2024-03-01", actor="a")
    >>> durations(ledger, as_of="2024-03-31")[["planned", "acquiring"]]
               planned  acquiring
    parcel_id
    A             60.0       30.0
    >>> ledger.close(); tmp.cleanup()
    """
    tl, _ = _stays(ledger, as_of)
    stages = [s for s in _STAGE_VALUES if s != "retired"]
    if tl.empty:
        return pd.DataFrame(columns=stages, index=pd.Index([], name="parcel_id"), dtype=float)
    table = tl.pivot_table(
        index="parcel_id", columns="stage", values="days", aggfunc="sum", observed=True
    )
    table = table.reindex(columns=stages).astype(float)
    table.columns = pd.Index(stages, name=None)
    table.index.name = "parcel_id"
    # a stage with a total of 0 days was visited (same-day moves); one never entered is NaN
    visited = (
        tl.groupby(["parcel_id", "stage"], observed=True).size().unstack().reindex(columns=stages)
    )
    return table.where(visited.reindex(table.index).notna())


def duration_summary(ledger: Ledger, *, as_of: DateLike | None = None) -> pd.DataFrame:
    """Typical time in each stage: statistics of finished stays, and stays still open.

    Returns
    -------
    DataFrame
        Indexed by ``stage`` (all but ``retired``); columns ``label_zh``, ``stays``
        (finished), ``mean_days``, ``median_days``, ``p90_days`` (of finished stays),
        ``open_stays`` (parcels in the stage on ``as_of``) and ``median_open_days``
        (how long they have been there).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from landasset.lifecycle import Ledger
    >>> tmp = tempfile.TemporaryDirectory()
    >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
    >>> for pid, start in [("A", "2024-01-01"), ("B", "2024-02-01")]:
    ...     _ = ledger.record(pid, "planned", start, actor="a")
    ...     _ = ledger.record(pid, "acquiring", "2024-04-01", actor="a")
    >>> row = duration_summary(ledger, as_of="2024-05-01").loc["planned"]
    >>> int(row.stays), float(row.median_days)
    (2, 75.5)
    >>> ledger.close(); tmp.cleanup()
    """
    tl, _ = _stays(ledger, as_of)
    stages = [s for s in _STAGE_VALUES if s != "retired"]
    done = tl[~tl["open"]].groupby("stage", observed=False)["days"]
    still = tl[tl["open"]].groupby("stage", observed=False)["days"]
    out = pd.DataFrame(
        {
            "label_zh": [Stage(s).label_zh for s in stages],
            "stays": done.size().reindex(stages, fill_value=0).astype(int).to_numpy(),
            "mean_days": done.mean().reindex(stages).to_numpy(dtype=float),
            "median_days": done.median().reindex(stages).to_numpy(dtype=float),
            "p90_days": done.quantile(0.9).reindex(stages).to_numpy(dtype=float),
            "open_stays": still.size().reindex(stages, fill_value=0).astype(int).to_numpy(),
            "median_open_days": still.median().reindex(stages).to_numpy(dtype=float),
        },
        index=pd.Index(stages, name="stage"),
    )
    return out


# -- idle land ------------------------------------------------------------------------------
_IDLE_COLUMNS = [
    "definition",
    "stage",
    "agreed_start",
    "days_past_start",
    "developed_share",
    "invested_share",
    "stalled_since",
    "price_10k_cny",
    "fee_date",
    "fee_due_10k_cny",
    "repossession_date",
    "days_to_fee",
    "days_to_repossession",
    "status",
]


@keyword_only(1, "as_of")
def idle_land(
    ledger: Ledger, *, as_of: DateLike | None = None, policy: Policy | None = None
) -> pd.DataFrame:
    """Idle land (闲置土地) on ``as_of``: both definitions of 闲置土地处置办法 §2.

    ``definition`` says which one applies to a parcel:

    * ``"not_started"``: the parcel is in one of ``policy.idle_stages`` (default
      ``supplied``, ``permitted``: no start recorded) and its contract gives an
      ``agreed_start`` (the latest one recorded). The fee date is
      ``policy.idle_fee_after_years`` full years past the agreed start, repossession
      ``policy.repossession_after_years`` (城市房地产管理法 §26; 闲置土地处置办法 §2, §14).
    * ``"stalled"``: the parcel is in one of ``policy.stalled_stages`` (default
      ``under_construction``), its latest progress event (an in-stage event with
      ``developed_share`` and ``invested_share``) shows less than
      ``policy.stalled_developed_share`` (1/3) of the area developed or less than
      ``policy.stalled_invested_share`` (25 %) of the investment made, and no share
      has risen since ``stalled_since`` (the last progress event that raised one, or
      the start of the stay when none did). The land is idle ``policy.stalled_after_years``
      (1) full years after ``stalled_since`` (the fee date); repossession is measured
      from the same day with ``policy.repossession_after_years`` (the §14 periods read
      on the time stopped). A parcel under construction with no progress event is
      not judged: its shares are unknown.

    A parcel is listed once ``as_of`` is within ``policy.idle_warning_days`` of its
    fee date. Exceptions (force majeure, delay caused by government) are for the
    operator to judge; they are not in the ledger.

    Parameters
    ----------
    ledger : Ledger
    as_of : date-like, optional
        Default today.
    policy : Policy, optional
        Thresholds, stages and fee rate (default :class:`Policy`).

    Returns
    -------
    DataFrame
        Indexed by ``parcel_id``, most overdue first: ``definition``, ``stage``,
        ``agreed_start``, ``days_past_start``, ``developed_share``,
        ``invested_share``, ``stalled_since`` (NaT/NaN for ``not_started``),
        ``price_10k_cny``, ``fee_date``, ``fee_due_10k_cny`` (fee rate × price once
        the fee date has passed, else 0), ``repossession_date``, ``days_to_fee`` and
        ``days_to_repossession`` (negative once passed) and ``status``:
        ``"warning"``, ``"fee_due"`` or ``"repossessable"``.

    Examples
    --------
    The sample GeoPackage holds the district's ledger:

    >>> import landasset as la
    >>> from landasset.lifecycle import Ledger, idle_land
    >>> with Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
    ...     idle = idle_land(ledger, as_of="2025-12-31")
    >>> idle["status"].to_dict()
    {'XH120304-01': 'repossessable', 'XH120306-04': 'fee_due'}
    >>> idle["definition"].unique().tolist()
    ['not_started']
    """
    policy = policy or Policy()
    day = _day(as_of)
    stages = ledger.stages(as_of=day)
    idle_stages = list(policy.idle_stages)
    stalled_stages = list(policy.stalled_stages)
    candidates = stages.index[stages.isin([*idle_stages, *stalled_stages])]
    events = ledger.events(as_of=day, parcels=candidates)
    agreed = _dates(_last_value(events, "agreed_start"))
    price = pd.to_numeric(_last_value(events, "price_10k_cny"), errors="coerce")

    # first definition: not started one year past the agreed start
    not_started = agreed.reindex(stages.index[stages.isin(idle_stages)]).dropna()
    first = pd.DataFrame(
        {
            "definition": "not_started",
            "clock": not_started,
            "developed_share": np.nan,
            "invested_share": np.nan,
            "stalled_since": pd.Series(pd.NaT, index=not_started.index, dtype="datetime64[ns]"),
            "years_to_fee": policy.idle_fee_after_years,
        },
        index=not_started.index,
    )
    # second definition: started, little done, stopped a year or more
    second = _stalled(ledger, events, stages[stages.isin(stalled_stages)], day, policy)
    both = pd.concat([first, second]) if len(second) else first
    if both.empty:
        return pd.DataFrame(columns=_IDLE_COLUMNS, index=pd.Index([], name="parcel_id"))
    index = both.index
    clock = pd.to_datetime(both["clock"])
    fee_date = pd.Series(
        [c + pd.DateOffset(years=int(y)) for c, y in zip(clock, both["years_to_fee"], strict=True)],
        index=index,
        dtype="datetime64[ns]",
    )
    repossess = clock + pd.DateOffset(years=policy.repossession_after_years)
    repossess = repossess.where(repossess >= fee_date, fee_date)
    agreed_start = agreed.reindex(index)
    price_now = price.reindex(index).astype(float)
    out = pd.DataFrame(
        {
            "definition": both["definition"],
            "stage": stages.reindex(index).astype(object),
            "agreed_start": agreed_start,
            "days_past_start": (day - agreed_start).dt.days.astype("Int64"),
            "developed_share": both["developed_share"].astype(float),
            "invested_share": both["invested_share"].astype(float),
            "stalled_since": pd.to_datetime(both["stalled_since"]),
            "price_10k_cny": price_now,
            "fee_date": fee_date,
            "fee_due_10k_cny": np.where(day >= fee_date, price_now * policy.idle_fee_rate, 0.0),
            "repossession_date": repossess,
            "days_to_fee": (fee_date - day).dt.days,
            "days_to_repossession": (repossess - day).dt.days,
        },
        index=index,
    )
    out["status"] = np.select(
        [day >= out["repossession_date"], day >= out["fee_date"]],
        ["repossessable", "fee_due"],
        default="warning",
    )
    out = out[out["days_to_fee"] <= policy.idle_warning_days]
    out.index.name = "parcel_id"
    return out.sort_values(["days_to_fee"], ascending=True, kind="stable")[_IDLE_COLUMNS]


def _stalled(
    ledger: Ledger, events: pd.DataFrame, stages: pd.Series, day: pd.Timestamp, policy: Policy
) -> pd.DataFrame:
    """Parcels whose works stopped with little done: shares and the day progress stopped."""
    columns = [
        "definition",
        "clock",
        "developed_share",
        "invested_share",
        "stalled_since",
        "years_to_fee",
    ]
    empty = pd.DataFrame(columns=columns, index=pd.Index([], name="parcel_id"))
    if stages.empty or not {"developed_share", "invested_share"} <= set(events.columns):
        return empty
    tl = ledger.timeline(as_of=day)
    since = tl.groupby("parcel_id", sort=False)["valid_from"].last()
    stay = events[events["parcel_id"].isin(stages.index)].copy()
    stay = stay[stay["date"] >= stay["parcel_id"].map(since)]
    if stay.empty:
        return empty
    by = stay.groupby("parcel_id", sort=False)
    dev = by["developed_share"].ffill()
    inv = by["invested_share"].ffill()
    reported = pd.notna(dev) & pd.notna(inv)
    prev_dev = dev.groupby(stay["parcel_id"]).shift(1).fillna(0.0)
    prev_inv = inv.groupby(stay["parcel_id"]).shift(1).fillna(0.0)
    first = ~stay["parcel_id"].eq(stay["parcel_id"].shift(1))
    raised = first | (dev.fillna(0.0) > prev_dev) | (inv.fillna(0.0) > prev_inv)
    stalled_since = stay["date"].where(raised).groupby(stay["parcel_id"]).max()
    last_dev = dev.groupby(stay["parcel_id"]).last()
    last_inv = inv.groupby(stay["parcel_id"]).last()
    has = reported.groupby(stay["parcel_id"]).any()
    little = (last_dev < policy.stalled_developed_share) | (
        last_inv < policy.stalled_invested_share
    )
    keep = has & little.fillna(False).astype(bool)
    ids = keep.index[keep.to_numpy()]
    if not len(ids):
        return empty
    return pd.DataFrame(
        {
            "definition": "stalled",
            "clock": stalled_since.reindex(ids),
            "developed_share": last_dev.reindex(ids).astype(float),
            "invested_share": last_inv.reindex(ids).astype(float),
            "stalled_since": stalled_since.reindex(ids),
            "years_to_fee": policy.stalled_after_years,
        },
        index=pd.Index(ids, name="parcel_id"),
    )


# -- low-efficiency land ------------------------------------------------------------------
@keyword_only(2, "as_of")
def low_efficiency(
    ledger: Ledger,
    site: Site,
    *,
    as_of: DateLike | None = None,
    evaluation: pd.DataFrame | None = None,
    below_standard: Collection[str] = ("C", "D"),
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Parcels in the five low-efficiency categories (批而未供 … 投而未达标) on ``as_of``.

    =============================  ==========  =============================================
    column                         category    rule (default stages)
    =============================  ==========  =============================================
    ``approved_not_supplied``      批而未供    stage ``reserved`` or ``supply_ready``
    ``supplied_not_used``          供而未用    stage ``supplied`` or ``permitted`` and the
                                               agreed start passed (or unknown)
    ``used_not_fully``             用而未尽    ``completed``/``operating`` with a built FAR
                                               below the planned ``far_min``
    ``built_not_operating``        建而未投    stage ``completed``, more than
                                               ``policy.built_not_operating_grace_days``
                                               after the completion filing, and no
                                               enterprise on the parcel
    ``operating_below_standard``   投而未达标  ``operating`` with a per-mu grade in
                                               ``below_standard``
    =============================  ==========  =============================================

    The stages of each category are ``policy.low_efficiency_stages``. A parcel with
    tenants (enterprises of the site on the parcel, whose ``year`` is not after
    ``as_of``) is never 建而未投: it is in production.

    The built FAR comes from the site's buildings
    (:func:`landasset.measures.morphology.floor_area_ratio`); a parcel with no building
    floor area counts as unknown, not as zero. ``far_min`` is the latest one in the
    ledger (planning conditions), else the parcel layer's ``far_min`` column.

    Parameters
    ----------
    ledger : Ledger
    site : Site
        Parcels (areas, ``far_min``) and buildings (FAR).
    as_of : date-like, optional
        Default today.
    evaluation : DataFrame, optional
        Per-mu evaluation by parcel: a ``grade`` column (``A``–``D``) indexed by
        ``parcel_id`` (or with a ``parcel_id`` column), e.g. the per-parcel result of
        :mod:`landasset.efficiency`. Without it, ``operating_below_standard`` is
        never set.
    below_standard : collection of str, default ("C", "D")
        Grades that count as below standard.
    policy : Policy, optional
        Stages of each category and the 建而未投 grace period (default :class:`Policy`).

    Returns
    -------
    DataFrame
        Indexed by ``parcel_id``, one row per parcel in at least one category:
        ``stage``, ``since`` (day the stage was entered), ``days_in_stage``,
        ``area_mu``, ``far``, ``far_min``, ``grade``, ``filed_on`` (the latest
        completion filing), ``tenants`` (enterprises on the parcel), the five boolean
        category columns and ``categories`` (their Chinese names).

    Examples
    --------
    >>> import landasset as la
    >>> from landasset import efficiency as eff
    >>> from landasset.lifecycle import Ledger, low_efficiency
    >>> site = la.sample.load("yunqi")
    >>> evaluation = eff.evaluate(site.enterprises, site.parcels, year=2025,
    ...                           buildings=site.buildings)
    >>> grades = eff.by_parcel(evaluation, site.parcels)  # one grade per parcel
    >>> with Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
    ...     low = low_efficiency(ledger, site, as_of="2025-12-31", evaluation=grades)
    >>> int(low["approved_not_supplied"].sum()), int(low["supplied_not_used"].sum())
    (64, 3)
    """
    policy = policy or Policy()
    day = _day(as_of)
    stages = ledger.stages(as_of=day)
    if stages.empty:
        return pd.DataFrame(
            index=pd.Index([], name="parcel_id"), columns=["stage", *LOW_EFFICIENCY, "categories"]
        )
    of = {k: list(v) for k, v in policy.low_efficiency_stages.items()}
    tl = ledger.timeline(as_of=day)
    since = tl.groupby("parcel_id", sort=False)["valid_from"].last().reindex(stages.index)
    stage = stages.astype(object)
    concerned = stages.index[
        stages.isin([*of["supplied_not_used"], *of["used_not_fully"], *of["built_not_operating"]])
    ]
    events = ledger.events(as_of=day, parcels=concerned)
    agreed = _dates(_last_value(events, "agreed_start")).reindex(stages.index)
    far_min = pd.to_numeric(_last_value(events, "far_min"), errors="coerce").reindex(stages.index)
    parcels = site.parcels
    if "far_min" in parcels.columns:
        layer_min = pd.to_numeric(parcels["far_min"], errors="coerce")
        layer_min.index = layer_min.index.astype(str)
        far_min = far_min.fillna(layer_min.reindex(stages.index))
    far = pd.Series(np.nan, index=stages.index, name="far")
    if len(site.buildings):
        from landasset.measures.morphology import floor_area_ratio

        built = stages.index[stages.isin(of["used_not_fully"])].intersection(
            parcels.index.astype(str)
        )
        if len(built):
            ratio = floor_area_ratio(parcels.loc[built], site.buildings)
            far.loc[built] = ratio.where(ratio > 0).to_numpy()
    grade = pd.Series(pd.NA, index=stages.index, dtype=object, name="grade")
    if evaluation is not None:
        grade = _grades(evaluation).reindex(stages.index)
    area = _parcel_area_mu(site).reindex(stages.index)
    filed = _dates(_last_value(events, "filed_on")).reindex(stages.index)
    tenants = _tenants(site, day).reindex(stages.index, fill_value=0).astype(int)
    grace_end = filed.fillna(since) + pd.Timedelta(days=policy.built_not_operating_grace_days)

    out = pd.DataFrame(
        {
            "stage": stage,
            "since": since,
            "days_in_stage": (day - since).dt.days,
            "area_mu": area,
            "far": far,
            "far_min": far_min,
            "grade": grade,
            "filed_on": filed,
            "tenants": tenants,
        }
    )
    out["approved_not_supplied"] = stage.isin(of["approved_not_supplied"])
    out["supplied_not_used"] = stage.isin(of["supplied_not_used"]) & ~(agreed >= day)
    out["used_not_fully"] = stage.isin(of["used_not_fully"]) & (far < far_min).fillna(False).astype(
        bool
    )
    out["built_not_operating"] = (
        stage.isin(of["built_not_operating"]) & (day > grace_end) & (tenants == 0)
    )
    out["operating_below_standard"] = stage.isin(of["operating_below_standard"]) & grade.isin(
        list(below_standard)
    ).astype(bool)
    flags = out[list(LOW_EFFICIENCY)]
    out = out[flags.any(axis=1)]
    names = np.array([v[0] for v in LOW_EFFICIENCY.values()], dtype=object)
    out["categories"] = [", ".join(names[row]) for row in out[list(LOW_EFFICIENCY)].to_numpy()]
    out.index.name = "parcel_id"
    return out


def _tenants(site: Site, day: pd.Timestamp) -> pd.Series:
    """Enterprises on each parcel (rows whose ``year`` is after ``day``'s left out)."""
    ent = site.enterprises
    if len(ent) == 0 or "parcel_id" not in ent.columns:
        return pd.Series(dtype=int)
    keep = ent["parcel_id"].notna()
    if "year" in ent.columns:
        year = pd.to_numeric(ent["year"], errors="coerce")
        keep &= ~(year > day.year)
    ids = ent.index[keep.to_numpy()]
    parcel = ent.loc[keep, "parcel_id"].astype(str)
    return pd.Series(ids, index=parcel.to_numpy()).groupby(level=0).nunique()


def _grades(evaluation: Any) -> pd.Series:
    if not isinstance(evaluation, pd.DataFrame) or "grade" not in evaluation.columns:
        raise SchemaError(
            "evaluation must be a DataFrame with a 'grade' column by parcel_id (the per-parcel "
            "result of landasset.efficiency), indexed by parcel_id or with a parcel_id column"
        )
    frame = evaluation.set_index("parcel_id") if "parcel_id" in evaluation.columns else evaluation
    grades = frame["grade"].astype(object)
    grades.index = grades.index.astype(str)
    if grades.index.has_duplicates:
        raise SchemaError(
            "evaluation has several grades for one parcel; give one row per parcel_id"
        )
    return grades


# -- lateness -----------------------------------------------------------------------------
@keyword_only(1, "as_of")
def late_against_contract(
    ledger: Ledger, *, as_of: DateLike | None = None, policy: Policy | None = None
) -> pd.DataFrame:
    """Parcels behind their contract on ``as_of``: start, completion, filing, permit.

    For each parcel under contract (stage ``supplied`` through ``renewal`` with an
    ``agreed_start``), the contract is the latest recorded one and the actual dates
    are the first recorded at or after it. A missing actual date counts as ``as_of``
    (still not started → the delay grows every day).

    * ``start_late``: started (or still not started) after ``agreed_start``;
    * ``completion_late``: accepted (or not yet) after ``agreed_completion``;
    * ``filing_late``: filed more than ``policy.filing_window_days`` after acceptance
      (建设工程质量管理条例 §49);
    * ``permit_window_exceeded``: works started (or not yet) later than
      ``policy.permit_start_window_months`` after the permit, plus
      ``policy.permit_extension_months`` for each extension granted (建筑法 §9: at most
      ``policy.permit_extensions``). An extension is recorded as an in-stage
      ``permitted`` event carrying ``permit_extensions``, the number granted so far
      (``ledger.record(pid, "permitted", day, actor=..., permit_extensions=1)``).

    Returns
    -------
    DataFrame
        Indexed by ``parcel_id``, only parcels with at least one flag set, most
        delayed start first: ``stage``, ``agreed_start``, ``started_on``,
        ``start_delay_days``, ``agreed_completion``, ``accepted_on``,
        ``completion_delay_days``, ``filed_on``, ``filing_delay_days``,
        ``permitted_on``, ``permit_extensions``, ``permit_start_deadline`` and the
        four flags.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from landasset.lifecycle import Ledger
    >>> tmp = tempfile.TemporaryDirectory()
    >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
    >>> _ = ledger.record("A", "supplied", "2023-01-01", actor="a", contract_id="C",
    ...     mode="tender", price_10k_cny=100, agreed_start="2023-06-01",
    ...     agreed_completion="2024-06-01")
    >>> _ = ledger.record("A", "permitted", "2023-05-01", actor="a")
    >>> _ = ledger.record("A", "under_construction", "2023-07-11", actor="a", started_on="2023-07-11")
    >>> row = late_against_contract(ledger, as_of="2023-12-31").loc["A"]
    >>> int(row.start_delay_days), bool(row.start_late)
    (40, True)
    >>> ledger.close(); tmp.cleanup()
    """
    policy = policy or Policy()
    day = _day(as_of)
    flags = ["start_late", "completion_late", "filing_late", "permit_window_exceeded"]
    columns = [
        "stage",
        "agreed_start",
        "started_on",
        "start_delay_days",
        "agreed_completion",
        "accepted_on",
        "completion_delay_days",
        "filed_on",
        "filing_delay_days",
        "permitted_on",
        "permit_extensions",
        "permit_start_deadline",
        *flags,
    ]
    stages = ledger.stages(as_of=day)
    candidates = stages.index[stages.isin(_UNDER_CONTRACT)]
    events = ledger.events(as_of=day, parcels=candidates)
    if events.empty or "agreed_start" not in events.columns:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="parcel_id"))
    has_contract = events["agreed_start"].notna()
    contract_seq = events.loc[has_contract].groupby("parcel_id")["seq"].max()
    events = events[events["parcel_id"].isin(contract_seq.index)]
    after = events[events["seq"] >= events["parcel_id"].map(contract_seq)]
    contract = (
        events.loc[has_contract.reindex(events.index, fill_value=False)].groupby("parcel_id").last()
    )

    def first_after(column: str) -> pd.Series:
        if column not in after.columns:
            return pd.Series(pd.NaT, index=contract_seq.index, dtype="datetime64[ns]")
        return _dates(after.groupby("parcel_id")[column].first().reindex(contract_seq.index))

    index = contract_seq.index
    agreed_start = _dates(contract["agreed_start"].reindex(index))
    agreed_completion = _dates(
        contract.get("agreed_completion", pd.Series(index=index, dtype=object)).reindex(index)
    )
    started = first_after("started_on")
    accepted = first_after("accepted_on")
    filed = first_after("filed_on")
    permits = (
        after[after["stage"] == "permitted"].groupby("parcel_id")["date"].first().reindex(index)
    )
    if "permit_extensions" in after.columns:
        extensions = (
            pd.to_numeric(after.groupby("parcel_id")["permit_extensions"].last(), errors="coerce")
            .reindex(index)
            .fillna(0)
            .astype(int)
        )
    else:
        extensions = pd.Series(0, index=index, dtype=int)
    months = policy.permit_start_window_months + extensions * policy.permit_extension_months
    deadline = pd.Series(
        [
            pd.NaT if pd.isna(p) else p + pd.DateOffset(months=int(m))
            for p, m in zip(permits, months, strict=True)
        ],
        index=index,
        dtype="datetime64[ns]",
    )
    stage_now = stages.reindex(index).astype(object)
    # a missing actual date counts as today only while the step is still ahead
    started_or_now = started.mask(started.isna() & stage_now.isin(_NOT_STARTED), day)
    accepted_or_now = accepted.mask(
        accepted.isna() & stage_now.isin([*_NOT_STARTED, "under_construction"]), day
    )
    start_delay = (started_or_now - agreed_start).dt.days
    completion_delay = (accepted_or_now - agreed_completion).dt.days
    filing_delay = (filed - accepted).dt.days
    out = pd.DataFrame(
        {
            "stage": stage_now,
            "agreed_start": agreed_start,
            "started_on": started,
            "start_delay_days": start_delay.astype("Int64"),
            "agreed_completion": agreed_completion,
            "accepted_on": accepted,
            "completion_delay_days": completion_delay.astype("Int64"),
            "filed_on": filed,
            "filing_delay_days": filing_delay.astype("Int64"),
            "permitted_on": permits,
            "permit_extensions": extensions,
            "permit_start_deadline": deadline,
        },
        index=index,
    )
    out["start_late"] = (start_delay > 0).fillna(False).astype(bool)
    out["completion_late"] = (completion_delay > 0).fillna(False).astype(bool)
    out["filing_late"] = (filing_delay > policy.filing_window_days).fillna(False).astype(bool)
    out["permit_window_exceeded"] = (started_or_now > deadline).fillna(False).astype(bool)
    out = out[out[flags].any(axis=1)]
    out.index.name = "parcel_id"
    return out.sort_values("start_delay_days", ascending=False)[columns]


# -- land-use terms -------------------------------------------------------------------------
_TERM_COLUMNS = [
    "stage",
    "contract_id",
    "land_use",
    "mode",
    "term_start",
    "term_years",
    "expires_on",
    "renewal_notice_by",
    "days_to_expiry",
    "days_to_notice",
    "status",
]


def terms_expiring(
    ledger: Ledger,
    *,
    as_of: DateLike | None = None,
    within_years: int = 5,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Land-use terms that end within ``within_years`` of ``as_of``, with the renewal notice date.

    The term of a parcel under contract (stage ``supplied`` through ``renewal``) runs
    from its latest contract event (the event carrying its ``contract_id``; a
    ``term_start`` date in it overrides the event's date) for ``term_years`` given
    with the contract, else the maximum term of its land use
    (:meth:`Policy.term_for`; 城镇国有土地使用权出让和转让暂行条例 §12). A renewal must be
    applied for at least ``policy.term_renewal_notice_years`` before expiry
    (城市房地产管理法 §22): that day is ``renewal_notice_by``. Allocated land
    (``mode`` allocation) has no term (§23) and is not listed. The land use is the
    parcel's latest in the ledger, else the parcels layer's; a parcel whose term cannot
    be known (no land use, no ``term_years``) is listed with status ``"term_unknown"``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date-like, optional
        Default today.
    within_years : int, default 5
        How far ahead to look, in years.
    policy : Policy, optional
        Terms and the notice period (default :class:`Policy`).

    Returns
    -------
    DataFrame
        Indexed by ``parcel_id``, soonest expiry first: ``stage``, ``contract_id``,
        ``land_use``, ``mode``, ``term_start``, ``term_years``, ``expires_on``,
        ``renewal_notice_by``, ``days_to_expiry``, ``days_to_notice`` (negative once
        passed) and ``status``: ``"expired"``, ``"notice_overdue"`` (the notice day
        has passed), ``"notice_due"`` (the notice day falls within the window) or
        ``"term_unknown"``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from landasset.lifecycle import Ledger
    >>> tmp = tempfile.TemporaryDirectory()
    >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
    >>> _ = ledger.record("C1", "supplied", "1986-03-01", actor="a", contract_id="C",
    ...     mode="agreement", land_use="B1", price_10k_cny=10,
    ...     agreed_start="1986-06-01", agreed_completion="1988-06-01")
    >>> row = terms_expiring(ledger, as_of="2025-06-01").loc["C1"]
    >>> int(row.term_years), row.expires_on.date(), row.renewal_notice_by.date(), row.status
    (40, datetime.date(2026, 3, 1), datetime.date(2025, 3, 1), 'notice_overdue')
    >>> ledger.close(); tmp.cleanup()
    """
    from landasset.lifecycle.ledger import land_use_of

    policy = policy or Policy()
    if isinstance(within_years, bool) or not isinstance(within_years, int) or within_years < 0:
        raise LandassetValueError(
            f"within_years is a whole number of years ≥ 0, not {within_years!r}"
        )
    day = _day(as_of)
    stages = ledger.stages(as_of=day)
    candidates = stages.index[stages.isin(_UNDER_CONTRACT)]
    events = ledger.events(as_of=day, parcels=candidates)
    if events.empty or "contract_id" not in events.columns:
        return pd.DataFrame(columns=_TERM_COLUMNS, index=pd.Index([], name="parcel_id"))
    contract = (
        events[events["contract_id"].notna()].groupby("parcel_id").tail(1).set_index("parcel_id")
    )
    index = contract.index
    mode = contract.get("mode", pd.Series(None, index=index, dtype=object)).reindex(index)
    keep = ~mode.eq("allocation")
    contract, mode, index = contract[keep], mode[keep], index[keep.to_numpy()]
    land = land_use_of(ledger, list(index))
    land_use = pd.Series([land.get(p) for p in index], index=index, dtype=object)
    start = contract["date"]
    if "term_start" in contract.columns:
        start = _dates(contract["term_start"]).fillna(start)
    given = pd.to_numeric(
        contract.get("term_years", pd.Series(np.nan, index=index)), errors="coerce"
    )
    by_use = pd.Series(
        [np.nan if lu is None else policy.term_for(lu) for lu in land_use], index=index
    ).astype(float)
    term = given.fillna(by_use)
    expires = pd.Series(
        [
            pd.NaT if pd.isna(y) else s + pd.DateOffset(years=int(y))
            for s, y in zip(start, term, strict=True)
        ],
        index=index,
        dtype="datetime64[ns]",
    )
    notice = expires - pd.DateOffset(years=policy.term_renewal_notice_years)
    horizon = day + pd.DateOffset(years=within_years)
    out = pd.DataFrame(
        {
            "stage": stages.reindex(index).astype(object),
            "contract_id": contract["contract_id"],
            "land_use": land_use,
            "mode": mode,
            "term_start": start,
            "term_years": term.astype("Int64"),
            "expires_on": expires,
            "renewal_notice_by": notice,
            "days_to_expiry": (expires - day).dt.days.astype("Int64"),
            "days_to_notice": (notice - day).dt.days.astype("Int64"),
        },
        index=index,
    )
    out["status"] = np.select(
        [expires.isna(), day >= expires, day > notice],
        ["term_unknown", "expired", "notice_overdue"],
        default="notice_due",
    )
    out = out[expires.isna() | (expires <= horizon)]
    out.index.name = "parcel_id"
    return out.sort_values("expires_on", na_position="last", kind="stable")[_TERM_COLUMNS]
