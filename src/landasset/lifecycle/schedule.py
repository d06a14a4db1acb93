"""The forward schedule: when each parcel is planned to reach its next milestones.

From the stage of each parcel on ``as_of`` and the dates already recorded, the
schedule gives a date for each milestone of the development chain — ``supply``
(出让/划拨), ``permit`` (规划/施工许可), ``start`` (开工), ``completion`` (竣工验收)
and ``operation`` (投产运营) — and says where each date comes from:

==============  ==================================================================
basis           the date is …
==============  ==================================================================
``actual``      recorded in the ledger (the milestone is reached)
``unrecorded``  reached (the stage says so) but no date is recorded, e.g. land taken
                into the ledger directly in a later stage; the date is NaT
``contract``    the contract's ``agreed_start`` / ``agreed_completion`` (from the
                ``supplied`` event), used while it is still ahead
``policy``      the permit's start window: the last day to start under the permit
                (:attr:`Policy.permit_start_window_months`, 建筑法 §9)
``typical``     the previous milestone plus a typical stay (``durations``)
==============  ==================================================================

Rules: a planned date is never before ``as_of`` (an overdue stay ends today at the
earliest) nor before the previous milestone. A contract date already passed without
the milestone reached is not a plan any more: the date falls back to the policy
window or the typical stay from the previous milestone. Without entry dates (a
Series of stages as the source) the whole typical stay of the current stage counts
from ``as_of``. The durations are examples, not law: give your own.

Examples
--------
>>> import tempfile, pathlib
>>> from landasset.lifecycle import Ledger, forward_schedule
>>> tmp = tempfile.TemporaryDirectory()
>>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
>>> _ = ledger.record("A", "supplied", "2025-06-01", actor="a", contract_id="C-1",
...     mode="listing", price_10k_cny=800, agreed_start="2026-03-01",
...     agreed_completion="2028-03-01")
>>> row = forward_schedule(ledger, as_of="2025-12-31").loc["A"]
>>> row.supply_basis, row.start_date.date(), row.start_basis
('actual', datetime.date(2026, 3, 1), 'contract')
>>> row.idle_fee_date.date(), int(row.idle_fee_slack_days)
(datetime.date(2027, 3, 1), 365)
>>> ledger.close(); tmp.cleanup()
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from landasset._dates import DateLike, to_day
from landasset._errors import LandassetKeyError, LandassetValueError
from landasset._stages import stage_series
from landasset.lifecycle.policy import Policy

__all__ = [
    "BASES",
    "DEFAULT_DURATIONS",
    "MILESTONES",
    "expected_delivery",
    "forward_schedule",
]

#: The milestones of the schedule, in order, with the stage that reaches each.
MILESTONES: Mapping[str, str] = MappingProxyType(
    {
        "supply": "supplied",
        "permit": "permitted",
        "start": "under_construction",
        "completion": "completed",
        "operation": "operating",
    }
)

#: Where a planned date comes from (the ``<milestone>_basis`` columns).
BASES: tuple[str, ...] = ("actual", "unrecorded", "contract", "policy", "typical")

#: Typical stay in each stage, in days, before the parcel moves on: EXAMPLES for a
#: district of the kind the sample shows, not law or a national figure. The stay in
#: ``permitted`` is the Policy's permit start window (建筑法 §9), not a duration.
DEFAULT_DURATIONS: Mapping[str, int] = MappingProxyType(
    {
        "planned": 365,  # 储备计划 → 启动收储
        "acquiring": 540,  # 收储 (compensation, clearing) → 入库
        "reserved": 365,  # 入库储备 → 规划条件
        "supply_ready": 120,  # 具备供地条件 → 出让 (announcement, listing, contract)
        "supplied": 120,  # 出让 → 规划/施工许可
        "under_construction": 730,  # 开工 → 竣工验收
        "completed": 90,  # 竣工 → 投产
    }
)

_RESERVE = ("planned", "acquiring", "reserved", "supply_ready")
_ORDER = (*_RESERVE, "supplied", "permitted", "under_construction", "completed", "operating")
_RANK = {s: i for i, s in enumerate(_ORDER)} | {"renewal": _ORDER.index("operating")}
_DAY = np.timedelta64(1, "D")


def _durations(durations: Mapping[str, int] | None) -> dict[str, int]:
    if durations is None:
        return dict(DEFAULT_DURATIONS)
    if not isinstance(durations, Mapping):
        raise LandassetValueError(
            f"durations maps stages to days, such as {{'reserved': 300}}, not {durations!r}"
        )
    out = dict(DEFAULT_DURATIONS)
    for stage, days in durations.items():
        if stage == "permitted":
            raise LandassetValueError(
                "the stay in 'permitted' is the permit start window of the Policy (建筑法 §9); "
                "give Policy(permit_start_window_months=...) instead of durations['permitted']"
            )
        if stage not in DEFAULT_DURATIONS:
            raise LandassetValueError(
                f"{stage!r} in durations is not a stage with a typical stay; use one of: "
                + ", ".join(map(repr, DEFAULT_DURATIONS))
            )
        if isinstance(days, bool) or not isinstance(days, numbers.Integral) or days < 0:
            raise LandassetValueError(
                f"durations[{stage!r}] is a whole number of days ≥ 0, not {days!r}"
            )
        out[stage] = int(days)
    return out


def _latest(*values: pd.Series) -> pd.Series:
    """Element-wise latest date, ignoring NaT (NaT only where all are NaT)."""
    return pd.concat(values, axis=1).max(axis=1)


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")


def _is_ledger(source: Any) -> bool:
    return hasattr(source, "events") and hasattr(source, "stages")


def _recorded(
    source: Any, index: pd.Index, day: pd.Timestamp, parcels: pd.Index | None
) -> pd.DataFrame:
    """Per parcel: entry day of the current stage, milestone dates, contract dates."""
    columns = ["since", *MILESTONES, "agreed_start", "agreed_completion"]
    out = pd.DataFrame(
        {c: pd.Series(pd.NaT, index=index, dtype="datetime64[ns]") for c in columns}, index=index
    )
    if not _is_ledger(source):
        return out
    events = source.events(as_of=day, parcels=parcels)
    if events.empty:
        return out
    events = events.sort_values(["parcel_id", "seq"], kind="stable")
    for name in ("started_on", "accepted_on", "agreed_start", "agreed_completion"):
        if name not in events.columns:
            events[name] = None
    pid = pd.Series(events["parcel_id"].to_numpy(dtype=object), index=events.index)
    out["since"] = events.groupby(pid, sort=False)["date"].last().reindex(index)
    # the current cycle: events after the parcel's last reserve-stage event
    reserve_seq = events["seq"].where(events["stage"].isin(_RESERVE))
    cycle_start = reserve_seq.groupby(pid).transform("max").fillna(-1)
    cycle = events[events["seq"] > cycle_start]
    cpid = pid.loc[cycle.index]
    stage = pd.Series(cycle["stage"].to_numpy(dtype=object), index=cycle.index)
    day_of = cycle["date"]
    started = _dates(cycle["started_on"]).fillna(day_of)
    accepted = _dates(cycle["accepted_on"]).fillna(day_of)
    for milestone, target in MILESTONES.items():
        when = {"start": started, "completion": accepted}.get(milestone, day_of)
        hit = stage == target
        out[milestone] = when[hit].groupby(cpid[hit]).last().reindex(index)
    supplied = stage == "supplied"
    for name in ("agreed_start", "agreed_completion"):
        out[name] = _dates(cycle.loc[supplied, name]).groupby(cpid[supplied]).last().reindex(index)
    return out


def _schedule(
    source: Any,
    *,
    as_of: DateLike,
    policy: Policy | None,
    durations: Mapping[str, int] | None,
    parcels: pd.Index | None = None,
) -> pd.DataFrame:
    day = to_day(as_of, what="as_of")
    policy = policy or Policy()
    typical = _durations(durations)
    stages = stage_series(source, day)
    stages = stages.astype(object)
    stages.index = pd.Index(stages.index.astype(str), dtype=object)  # object: fast lookups
    if parcels is not None:
        stages = stages.reindex(parcels)
    index = pd.Index(stages.index, name="parcel_id", dtype=object)
    rec = _recorded(source, index, day, parcels)
    stage = pd.Series(stages.to_numpy(), index=index, dtype=object)
    rank = stage.map(_RANK).astype(float)  # NaN: unknown or retired
    today = pd.Series(day, index=index)
    nat = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    out = pd.DataFrame({"stage": stage, "since": rec["since"]}, index=index)

    def days(n: int) -> pd.Timedelta:
        return pd.Timedelta(days=n)

    def reached(milestone: str) -> pd.Series:
        return rank >= _RANK[MILESTONES[milestone]]

    def settle(milestone: str, planned: pd.Series, basis: pd.Series) -> pd.Series:
        done = reached(milestone)
        actual = rec[milestone]
        date = actual.where(done, planned).where(rank.notna(), nat)
        label = pd.Series(
            np.where(done, np.where(actual.notna(), "actual", "unrecorded"), basis),
            index=index,
            dtype=object,
        ).where(rank.notna(), None)
        out[f"{milestone}_date"] = date.astype("datetime64[ns]")
        out[f"{milestone}_basis"] = label
        return out[f"{milestone}_date"]

    typical_basis = pd.Series("typical", index=index, dtype=object)

    # supply: the rest of the current reserve stay (never before as_of), then the
    # typical stays of the reserve stages still ahead
    stay = stage.map(typical).astype(float).fillna(0.0)
    since = rec["since"]
    current_end = _latest(since + pd.to_timedelta(stay, unit="D"), today)
    current_end = current_end.where(since.notna(), today + pd.to_timedelta(stay, unit="D"))
    after = {s: sum(typical[t] for t in _RESERVE[i + 1 :]) for i, s in enumerate(_RESERVE)}
    ahead = pd.to_timedelta(stage.map(after).astype(float).fillna(0.0), unit="D")
    supply = settle("supply", current_end + ahead, typical_basis)

    permit = settle("permit", _latest(supply + days(typical["supplied"]), today), typical_basis)

    floor = _latest(permit, today)
    agreed_start = rec["agreed_start"]
    by_contract = agreed_start.notna() & (agreed_start >= floor)
    window = _latest(permit + pd.DateOffset(months=policy.permit_start_window_months), today)
    start = settle(
        "start",
        agreed_start.where(by_contract, window),
        pd.Series(np.where(by_contract, "contract", "policy"), index=index, dtype=object),
    )

    floor = _latest(start, today)
    agreed_completion = rec["agreed_completion"]
    by_contract = agreed_completion.notna() & (agreed_completion >= floor)
    build = _latest(start + days(typical["under_construction"]), today)
    completion = settle(
        "completion",
        agreed_completion.where(by_contract, build),
        pd.Series(np.where(by_contract, "contract", "typical"), index=index, dtype=object),
    )

    settle("operation", _latest(completion + days(typical["completed"]), today), typical_basis)

    # idle land (城市房地产管理法 §26; 闲置土地处置办法 §14), measured from the agreed start
    fee = agreed_start + pd.DateOffset(years=policy.idle_fee_after_years)
    repossession = agreed_start + pd.DateOffset(years=policy.repossession_after_years)
    out["agreed_start"] = agreed_start
    out["agreed_completion"] = agreed_completion
    out["idle_fee_date"] = fee
    out["repossession_date"] = repossession
    out["idle_fee_slack_days"] = (fee - out["start_date"]).dt.days.astype("Int64")
    out["repossession_slack_days"] = (repossession - out["start_date"]).dt.days.astype("Int64")
    in_reserve = stage.isin(_RESERVE)
    out["delivery_date"] = out["supply_date"].where(in_reserve, nat)
    out.attrs["as_of"] = day
    return out


def forward_schedule(
    source: Any,
    *,
    as_of: DateLike,
    policy: Policy | None = None,
    durations: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Planned dates of supply, permit, start, completion and operation for each parcel.

    Parameters
    ----------
    source : Ledger or Series
        A :class:`~landasset.Ledger` (stages and recorded dates read on ``as_of``), or
        a Series of stage ids by ``parcel_id`` as :func:`~landasset.lifecycle.stages_on`
        accepts (stages only: no recorded dates, so every reached milestone is
        ``unrecorded`` and stays count in full from ``as_of``).
    as_of : date-like
        The day the schedule is drawn up (an ISO ``YYYY-MM-DD`` string, a date, a
        datetime or a Timestamp). Planned dates are never before it.
    policy : Policy, optional
        The permit start window (建筑法 §9: 3 months) and the idle-land thresholds
        (城市房地产管理法 §26; 闲置土地处置办法 §14: fee at 1 year past the agreed
        start, repossession at 2). Default :class:`Policy`.
    durations : mapping of str to int, optional
        Typical stay in days for the stages of :data:`DEFAULT_DURATIONS` (planned,
        acquiring, reserved, supply_ready, supplied, under_construction, completed);
        given keys override the defaults, which are examples, not law.

    Returns
    -------
    DataFrame
        Indexed by ``parcel_id``: ``stage`` on ``as_of``, ``since`` (the day it was
        entered), then for each milestone ``<m>_date`` and ``<m>_basis`` (one of
        :data:`BASES`; None for retired or unknown parcels), ``agreed_start``,
        ``agreed_completion`` (from the contract of the current cycle),
        ``idle_fee_date`` and ``repossession_date`` (agreed start + 1 and + 2 years
        under the default policy), ``idle_fee_slack_days`` and
        ``repossession_slack_days`` (from the start date to each; negative: the
        start is, or is planned, that many days too late) and ``delivery_date``
        (when the land can be handed to a new project: the supply date of a parcel
        in a reserve stage, NaT for land already supplied). ``attrs["as_of"]``
        holds the day.

    Raises
    ------
    LandassetValueError
        ``as_of`` is not a day, or ``durations`` names an unknown stage or a stay
        that is not a whole number of days ≥ 0.
    SchemaError
        ``source`` is neither a ledger nor a Series of stages.

    Examples
    --------
    The sample GeoPackage holds the district's ledger:

    >>> import landasset as la
    >>> from landasset.lifecycle import Ledger, forward_schedule
    >>> with Ledger.open(la.sample.sample_path("yunqi"), read_only=True) as ledger:
    ...     plan = forward_schedule(ledger, as_of="2025-12-31")
    >>> row = plan.loc["XH120101-08"]
    >>> row.stage, row.delivery_date.date(), row.supply_basis
    ('supply_ready', datetime.date(2025, 12, 31), 'typical')
    >>> plan.loc["XH120205-01", ["start_basis", "completion_basis", "operation_basis"]].tolist()
    ['actual', 'actual', 'actual']
    """
    return _schedule(source, as_of=as_of, policy=policy, durations=durations)


def expected_delivery(
    source: Any,
    parcel_ids: Iterable[str] | Mapping[str, Iterable[str]],
    *,
    as_of: DateLike,
    policy: Policy | None = None,
    durations: Mapping[str, int] | None = None,
) -> pd.Series:
    """When land can be handed to a new project: per parcel, or per assembly.

    Parameters
    ----------
    source : Ledger or Series
        As :func:`forward_schedule`.
    parcel_ids : iterable of str, or mapping of str to iterable of str
        Parcel ids; or candidate ids mapped to the parcels of each (an assembly of
        adjacent parcels is delivered when its last parcel is).
    as_of, policy, durations
        As :func:`forward_schedule`.

    Returns
    -------
    Series
        ``delivery_date`` (datetime64) by ``parcel_id``, or by candidate id for a
        mapping: the latest planned supply date among the candidate's parcels; NaT
        when a parcel is not in a reserve stage (already supplied, operating,
        retired: it cannot be delivered).

    Raises
    ------
    LandassetKeyError
        (a ``KeyError``) A parcel is unknown to ``source`` (no event by ``as_of``).

    Examples
    --------
    >>> import pandas as pd
    >>> from landasset.lifecycle import expected_delivery
    >>> stages = pd.Series({"A": "supply_ready", "B": "reserved", "C": "operating"})
    >>> expected_delivery(stages, {"AB": ["A", "B"], "C": ["C"]}, as_of="2026-01-01")
    AB   2027-05-01
    C           NaT
    Name: delivery_date, dtype: datetime64[ns]
    """
    if isinstance(parcel_ids, Mapping):
        groups = {str(k): [str(p) for p in v] for k, v in parcel_ids.items()}
    else:
        groups = {str(p): [str(p)] for p in parcel_ids}
    wanted = pd.Index(list(dict.fromkeys(p for ps in groups.values() for p in ps)))
    known = stage_series(source, to_day(as_of, what="as_of")).index.astype(str)
    missing = wanted.difference(known)
    if len(missing):
        raise LandassetKeyError(
            f"no stage on {as_of} for parcels {list(missing[:10])}"
            + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            + "; check the ids and as_of against the ledger (ledger.parcel_ids())"
        )
    plan = _schedule(source, as_of=as_of, policy=policy, durations=durations, parcels=wanted)
    delivery = plan["delivery_date"]
    owner = pd.Series(
        [k for k, ps in groups.items() for _ in ps],
        index=[p for ps in groups.values() for p in ps],
    )
    dates = delivery.reindex(owner.index)
    frame = pd.DataFrame({"owner": owner.to_numpy(), "date": dates.to_numpy()})
    latest = frame.groupby("owner", sort=False)["date"].max()
    blocked = frame["date"].isna().groupby(frame["owner"], sort=False).any()
    result = latest.where(~blocked).reindex(list(groups))
    index_name = None if isinstance(parcel_ids, Mapping) else "parcel_id"
    return pd.Series(
        result.to_numpy(dtype="datetime64[ns]"),
        index=pd.Index(list(groups), name=index_name),
        name="delivery_date",
    )
