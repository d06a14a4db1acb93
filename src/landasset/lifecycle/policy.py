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
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from landasset._errors import LandassetValueError
from landasset.landuse import land_use_family

__all__ = ["DEFAULT_TERM_YEARS", "Policy"]

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

    Raises
    ------
    LandassetValueError
        (a ``ValueError``) A rate outside [0, 1], a period that is not a whole number
        ≥ 0, repossession before the idle fee, or a ``term_years`` key that is not a
        land-use family.

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

    def __post_init__(self) -> None:
        rate = self.idle_fee_rate
        if (
            isinstance(rate, bool)
            or not isinstance(rate, numbers.Real)
            or not 0.0 <= float(rate) <= 1.0
        ):
            raise LandassetValueError(
                f"idle_fee_rate is a share of the price in [0, 1], not {rate!r} (20 % is 0.2)"
            )
        for name in (
            "idle_fee_after_years",
            "repossession_after_years",
            "idle_warning_days",
            "permit_start_window_months",
            "permit_extensions",
            "permit_extension_months",
            "filing_window_days",
            "term_renewal_notice_years",
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

    def term_for(self, land_use: str | None) -> int | None:
        """The maximum term in years for a land-use code (``None`` when unknown)."""
        if land_use is None:
            return None
        family = land_use_family([land_use]).iloc[0]
        if family is pd.NA or family == "unknown":
            return None
        return self.term_years.get(str(family))


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
