"""Policy parameters of the land lifecycle: idle land, permits, filing, land-use terms.

The figures come from national law and ministry rules (see ``DOMAIN.md``); local
practice may differ, so every figure is a field of :class:`Policy` that a caller can
override, never a constant in the code.

Examples
--------
>>> from landasset.lifecycle import Policy
>>> policy = Policy()
>>> policy.idle_fee_rate, policy.repossession_after_years, policy.filing_window_days
(0.2, 2, 15)
>>> Policy(idle_fee_rate=0.1).idle_fee_rate
0.1
>>> policy.term_for("M1"), policy.term_for("R2"), policy.term_for("B1")
(50, 70, 40)
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from landasset._errors import LandassetValueError
from landasset._vocab import STAGE_IDS
from landasset.investment import InvestmentMinimums
from landasset.landuse import land_use_family
from landasset.lifecycle.stages import MODES

__all__ = [
    "DEFAULT_LOW_EFFICIENCY_STAGES",
    "DEFAULT_SUPPLY_MODES",
    "DEFAULT_TERM_YEARS",
    "Policy",
]

#: Maximum land-use term in years by land-use family (城镇国有土地使用权出让和转让
#: 暂行条例 §12: industrial 50, residential 70, commercial/tourism/entertainment 40,
#: education/science/culture/health/sport 50, mixed and other 50).
DEFAULT_TERM_YEARS: Mapping[str, int] = MappingProxyType(
    {
        "industrial": 50,
        "warehouse": 50,
        "residential": 70,
        "commercial": 40,
        "public": 50,
        "green": 50,
        "transport": 50,
        "other": 50,
    }
)

_TRANSFER = ("auction", "tender", "listing", "agreement")
_TRANSFER_AND_ALLOCATION = (*_TRANSFER, "allocation")

#: Supply modes allowed by land-use family, from a date on: family → ((since, modes),
#: ...), the latest row whose ``since`` is on or before the supply date applies
#: (``None``: always). Transfer (出让) is by auction, tender, listing (挂牌) or
#: agreement; commercial land by auction or tender (城市房地产管理法 §13, in force
#: from 1995-01-01).
#: Industrial land by auction, tender or listing only from 2007-01-01 (国务院关于加强
#: 土地调控有关问题的通知, 国发〔2006〕31号). Allocation (划拨) only for public uses,
#: infrastructure and the like (城市房地产管理法 §23, §24): the families ``public``,
#: ``green`` and ``transport``.
DEFAULT_SUPPLY_MODES: Mapping[str, tuple[tuple[dt.date | None, tuple[str, ...]], ...]] = (
    MappingProxyType(
        {
            "industrial": (
                (None, _TRANSFER),
                (dt.date(2007, 1, 1), ("auction", "tender", "listing")),
            ),
            "warehouse": ((None, _TRANSFER),),
            "residential": ((None, _TRANSFER),),
            "commercial": (
                (None, _TRANSFER),
                (dt.date(1995, 1, 1), ("auction", "tender")),
            ),
            "public": ((None, _TRANSFER_AND_ALLOCATION),),
            "green": ((None, _TRANSFER_AND_ALLOCATION),),
            "transport": ((None, _TRANSFER_AND_ALLOCATION),),
            "other": ((None, _TRANSFER),),
        }
    )
)

#: The stages each of the five low-efficiency categories concerns (Zhejiang county
#: practice, e.g. Huzhou 2018); :attr:`Policy.low_efficiency_stages` overrides them.
DEFAULT_LOW_EFFICIENCY_STAGES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "approved_not_supplied": ("reserved", "supply_ready"),
        "supplied_not_used": ("supplied", "permitted"),
        "used_not_fully": ("completed", "operating"),
        "built_not_operating": ("completed",),
        "operating_below_standard": ("operating",),
    }
)


@dataclass(frozen=True)
class Policy:
    """Lifecycle rules as parameters.

    Parameters
    ----------
    idle_fee_after_years : int, default 1
        Full years past the agreed start without a start after which the land is
        idle and an idle-land fee is due (城市房地产管理法 §26; 闲置土地处置办法
        (国土资源部令第53号, 2012) §2, §14).
    idle_fee_rate : float, default 0.20
        The idle-land fee as a share of the transfer price ("up to 20 %", §26 of the
        law; 20 % under 闲置土地处置办法 §14).
    repossession_after_years : int, default 2
        Full years past the agreed start after which idle land may be repossessed
        without compensation (城市房地产管理法 §26; 闲置土地处置办法 §14).
    idle_warning_days : int, default 90
        :func:`~landasset.lifecycle.idle_land` also lists parcels this many days
        or fewer before the fee date (an operator's early warning, not a legal figure).
    permit_start_window_months : int, default 3
        Construction must start within this many months of the construction permit
        (建筑法 §9).
    permit_extensions : int, default 2
        Extensions of the start window a permit holder may obtain (建筑法 §9: at most
        two) …
    permit_extension_months : int, default 3
        … of this many months each (建筑法 §9).
    filing_window_days : int, default 15
        Completion must be filed within this many days of passing acceptance
        (建设工程质量管理条例 §49).
    term_years : mapping of str to int, optional
        Maximum land-use term by land-use family; given keys override
        :data:`DEFAULT_TERM_YEARS` (城镇国有土地使用权出让和转让暂行条例 §12).
        Allocated land (划拨) has no term (城市房地产管理法 §23).
    term_renewal_notice_years : int, default 1
        A term renewal must be applied for at least this many years before expiry
        (城市房地产管理法 §22).
    supply_modes : mapping, optional
        The supply modes allowed by land-use family from a date on: ``{family:
        [(since, modes), ...]}`` where ``since`` is a date (or None: always) and the
        latest row on or before the supply date applies. Given families replace
        theirs in :data:`DEFAULT_SUPPLY_MODES` (城市房地产管理法 §13, §23, §24;
        industrial land by auction, tender or listing from 2007-01-01, 国发〔2006〕31号).
        A ``supplied`` event with another mode is refused unless it carries a
        ``supply_exception`` (the reason).
    idle_stages : sequence of str, default ("supplied", "permitted")
        Stages in which :func:`~landasset.lifecycle.idle_land` looks for land not
        started one year past the agreed start (闲置土地处置办法 §2, first case).
    stalled_stages : sequence of str, default ("under_construction",)
        Stages in which it looks for works stopped with little done (§2, second case).
    stalled_developed_share : float, default 1/3
        Started land is idle when less than this share of the area is developed …
    stalled_invested_share : float, default 0.25
        … or less than this share of the investment is made …
    stalled_after_years : int, default 1
        … and the works have stopped for this many full years (闲置土地处置办法 §2).
    low_efficiency_stages : mapping of str to sequence of str, optional
        The stages each low-efficiency category concerns; given categories replace
        theirs in :data:`DEFAULT_LOW_EFFICIENCY_STAGES`.
    built_not_operating_grace_days : int, default 365
        Days after the completion filing before a completed parcel without tenants
        counts as built, not in production (建而未投). **An example figure**: no
        national rule sets it; counties set their own.
    investment_minimums : InvestmentMinimums, optional
        The minimum investment intensity table (万元/亩 by region class and industry,
        :func:`landasset.investment.read_investment_minimums`) a ``supplied`` event's
        ``investment_intensity_10k_cny_per_mu`` is checked against, by the event's
        ``region_class`` and ``industry_code`` (国土资发〔2008〕24号); None: no check.

    Raises
    ------
    LandassetValueError
        (a ``ValueError``) A rate or share outside [0, 1], a period that is not a whole
        number ≥ 0, repossession before the idle fee, a key that is not a land-use
        family or low-efficiency category, an unknown stage or supply mode.

    Examples
    --------
    >>> p = Policy(term_years={"industrial": 20})
    >>> p.term_for("M2"), p.term_for("B1")
    (20, 40)
    >>> p.idle_fee_date("2024-03-01"), p.repossession_date("2024-03-01")
    (datetime.date(2025, 3, 1), datetime.date(2026, 3, 1))
    """

    idle_fee_after_years: int = 1
    idle_fee_rate: float = 0.20
    repossession_after_years: int = 2
    idle_warning_days: int = 90
    permit_start_window_months: int = 3
    permit_extensions: int = 2
    permit_extension_months: int = 3
    filing_window_days: int = 15
    term_years: Mapping[str, int] = field(default_factory=lambda: DEFAULT_TERM_YEARS)
    term_renewal_notice_years: int = 1
    supply_modes: Mapping[str, Sequence[tuple[dt.date | str | None, Sequence[str]]]] = field(
        default_factory=lambda: DEFAULT_SUPPLY_MODES
    )
    idle_stages: Sequence[str] = ("supplied", "permitted")
    stalled_stages: Sequence[str] = ("under_construction",)
    stalled_developed_share: float = 1 / 3
    stalled_invested_share: float = 0.25
    stalled_after_years: int = 1
    low_efficiency_stages: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: DEFAULT_LOW_EFFICIENCY_STAGES
    )
    built_not_operating_grace_days: int = 365
    investment_minimums: InvestmentMinimums | None = None

    def __post_init__(self) -> None:
        for name, what in (
            ("idle_fee_rate", "a share of the price in [0, 1], not {!r} (20 % is 0.2)"),
            ("stalled_developed_share", "a share of the area in [0, 1], not {!r} (1/3 ≈ 0.333)"),
            ("stalled_invested_share", "a share of the investment in [0, 1], not {!r} (0.25)"),
        ):
            rate = getattr(self, name)
            if (
                isinstance(rate, bool)
                or not isinstance(rate, numbers.Real)
                or not 0.0 <= float(rate) <= 1.0
            ):
                raise LandassetValueError(f"{name} is " + what.format(rate))
        for name in (
            "idle_fee_after_years",
            "repossession_after_years",
            "idle_warning_days",
            "permit_start_window_months",
            "permit_extensions",
            "permit_extension_months",
            "filing_window_days",
            "term_renewal_notice_years",
            "stalled_after_years",
            "built_not_operating_grace_days",
        ):
            value = getattr(self, name)
            if not _whole(value):
                raise LandassetValueError(
                    f"{name} is a whole number ≥ 0, not {value!r}; give an int such as "
                    f"{getattr(Policy, name)!r}"
                )
        if self.repossession_after_years < self.idle_fee_after_years:
            raise LandassetValueError(
                "repossession_after_years must not be shorter than idle_fee_after_years "
                f"({self.repossession_after_years} < {self.idle_fee_after_years}); raise "
                "repossession_after_years or lower idle_fee_after_years"
            )
        if not isinstance(self.term_years, Mapping):
            raise LandassetValueError(
                "term_years maps land-use families to years, such as "
                f"{{'industrial': 30}}, not {self.term_years!r}"
            )
        for family, years in self.term_years.items():
            if family not in DEFAULT_TERM_YEARS:
                raise LandassetValueError(
                    f"{family!r} in term_years is not a land-use family; use one of: "
                    + ", ".join(map(repr, DEFAULT_TERM_YEARS))
                )
            if not _whole(years):
                raise LandassetValueError(
                    f"term_years[{family!r}] is a whole number of years ≥ 0, not {years!r}"
                )
        merged = {**DEFAULT_TERM_YEARS, **dict(self.term_years)}
        object.__setattr__(self, "term_years", MappingProxyType(merged))
        object.__setattr__(self, "supply_modes", _supply_modes(self.supply_modes))
        for name in ("idle_stages", "stalled_stages"):
            object.__setattr__(self, name, _stages(name, getattr(self, name)))
        both = sorted(set(self.idle_stages) & set(self.stalled_stages))
        if both:
            raise LandassetValueError(
                f"{both} are in both idle_stages (land not started) and stalled_stages "
                "(works started, then stopped); a stage is one or the other"
            )
        if not isinstance(self.low_efficiency_stages, Mapping):
            raise LandassetValueError(
                "low_efficiency_stages maps categories to stages, such as "
                f"{{'built_not_operating': ['completed']}}, not {self.low_efficiency_stages!r}"
            )
        categories: dict[str, tuple[str, ...]] = dict(DEFAULT_LOW_EFFICIENCY_STAGES)
        for category, stages in self.low_efficiency_stages.items():
            if category not in DEFAULT_LOW_EFFICIENCY_STAGES:
                raise LandassetValueError(
                    f"{category!r} in low_efficiency_stages is not a low-efficiency category; "
                    "use one of: " + ", ".join(map(repr, DEFAULT_LOW_EFFICIENCY_STAGES))
                )
            categories[category] = _stages(f"low_efficiency_stages[{category!r}]", stages)
        object.__setattr__(self, "low_efficiency_stages", MappingProxyType(categories))
        if self.investment_minimums is not None and not isinstance(
            self.investment_minimums, InvestmentMinimums
        ):
            raise LandassetValueError(
                "investment_minimums is an InvestmentMinimums table (read one with "
                "landasset.investment.read_investment_minimums(path)), not "
                f"{type(self.investment_minimums).__name__}"
            )

    # -- derived dates -------------------------------------------------------------
    def idle_fee_date(self, agreed_start: dt.date | str) -> dt.date:
        """The day the idle-land fee becomes due: agreed start + ``idle_fee_after_years``."""
        return _add_years(_as_date(agreed_start), self.idle_fee_after_years)

    def repossession_date(self, agreed_start: dt.date | str) -> dt.date:
        """The day idle land may be repossessed: agreed start + ``repossession_after_years``."""
        return _add_years(_as_date(agreed_start), self.repossession_after_years)

    def permit_start_deadline(
        self, permitted_on: dt.date | str, *, extended: bool = False
    ) -> dt.date:
        """The last day to start works under a permit (with all extensions if ``extended``).

        >>> Policy().permit_start_deadline("2024-01-31")
        datetime.date(2024, 4, 30)
        >>> Policy().permit_start_deadline("2024-01-31", extended=True)
        datetime.date(2024, 10, 31)
        """
        months = self.permit_start_window_months
        if extended:
            months += self.permit_extensions * self.permit_extension_months
        return (pd.Timestamp(_as_date(permitted_on)) + pd.DateOffset(months=months)).date()

    def allowed_modes(self, land_use: str | None, on: dt.date | str) -> tuple[str, ...]:
        """The supply modes allowed for land of ``land_use`` supplied on ``on``.

        A land use that is not known allows only the modes every family allows on
        that day.

        >>> p = Policy()
        >>> p.allowed_modes("M1", "2006-12-31")
        ('auction', 'tender', 'listing', 'agreement')
        >>> p.allowed_modes("M1", "2007-01-01")
        ('auction', 'tender', 'listing')
        >>> p.allowed_modes("B1", "2020-05-01"), p.allowed_modes("G1", "2020-05-01")[-1]
        (('auction', 'tender'), 'allocation')
        """
        day = _as_date(on)
        family = None if land_use is None else land_use_family([land_use]).iloc[0]
        if family is None or family is pd.NA or family not in self.supply_modes:
            sets = [set(self._modes_on(f, day)) for f in self.supply_modes]
            common = set.intersection(*sets) if sets else set()
            return tuple(m for m in MODES if m in common)
        return self._modes_on(str(family), day)

    def _modes_on(self, family: str, day: dt.date) -> tuple[str, ...]:
        modes: tuple[str, ...] = ()
        for since, allowed in self.supply_modes[family]:
            if since is None or _as_date(since) <= day:
                modes = tuple(allowed)
        return modes

    def term_for(self, land_use: str | None) -> int | None:
        """The maximum term in years for a land-use code (``None`` when unknown)."""
        if land_use is None:
            return None
        family = land_use_family([land_use]).iloc[0]
        if family is pd.NA or family == "unknown":
            return None
        return self.term_years.get(str(family))


def _stages(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence | Set):
        raise LandassetValueError(
            f"{name} is a list of stage names such as ['supplied', 'permitted'], not {value!r}"
        )
    out = tuple(str(getattr(v, "value", v)) for v in value)
    unknown = [v for v in out if v not in STAGE_IDS]
    if unknown:
        raise LandassetValueError(
            f"{name} names unknown stage(s) {unknown}; use stages among: "
            + ", ".join(map(repr, STAGE_IDS))
        )
    return out


def _supply_modes(
    value: object,
) -> Mapping[str, tuple[tuple[dt.date | None, tuple[str, ...]], ...]]:
    if not isinstance(value, Mapping):
        raise LandassetValueError(
            "supply_modes maps land-use families to [(since, modes), ...], such as "
            f"{{'industrial': [(None, ['auction', 'tender', 'listing'])]}}, not {value!r}"
        )
    out = dict(DEFAULT_SUPPLY_MODES)
    for family, rows in value.items():
        if family not in DEFAULT_TERM_YEARS:
            raise LandassetValueError(
                f"{family!r} in supply_modes is not a land-use family; use one of: "
                + ", ".join(map(repr, DEFAULT_TERM_YEARS))
            )
        clean: list[tuple[dt.date | None, tuple[str, ...]]] = []
        try:
            pairs = [(since, modes) for since, modes in rows]
        except (TypeError, ValueError):
            raise LandassetValueError(
                f"supply_modes[{family!r}] is a list of (since, modes) pairs, such as "
                f"[(None, ['auction', 'tender']), ('2007-01-01', ['auction'])], not {rows!r}"
            ) from None
        for since, modes in pairs:
            day = None if since is None else _as_date(since)
            if isinstance(modes, str) or not isinstance(modes, Sequence | Set):
                raise LandassetValueError(
                    f"supply_modes[{family!r}]: the modes are a list such as ['auction'], "
                    f"not {modes!r}"
                )
            bad = [m for m in modes if m not in MODES]
            if bad:
                raise LandassetValueError(
                    f"supply_modes[{family!r}] names unknown mode(s) {bad}; use modes among: "
                    + ", ".join(map(repr, MODES))
                )
            clean.append((day, tuple(m for m in MODES if m in set(modes))))
        clean.sort(key=lambda r: dt.date.min if r[0] is None else r[0])
        out[family] = tuple(clean)
    return MappingProxyType(out)


def _whole(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and value >= 0


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise LandassetValueError(
            f"{value!r} is not a date; give a datetime.date or an ISO date such as '2024-03-01'"
        ) from None


def _add_years(day: dt.date, years: int) -> dt.date:
    # a "full year" from 29 February ends on 28 February (pandas' DateOffset rule)
    return (pd.Timestamp(day) + pd.DateOffset(years=years)).date()
