"""Supply contracts and their commitments (标准地): compliance year by year.

Zhejiang supplies industrial land as "standard land" (标准地): besides the transfer
contract, an investment-and-construction contract fixes the investment intensity,
output, tax and energy use per mu the land must reach from its 达产 year on, and the
duties pass to later buyers and tenants of the parcel (浙江省土地管理条例 (2021) §35).
The ``supplied`` event carries the commitments:

=========================================  ==========  ====================================
data key                                   direction   checked against (per mu, parcel)
=========================================  ==========  ====================================
``investment_intensity_10k_cny_per_mu``    at least    the evaluation's column of that name
``output_per_mu_10k_cny``                  at least    ``output_per_mu_10k_cny`` if the
                                                       evaluation has it, else
                                                       ``value_added_per_mu_10k_cny``
``tax_per_mu_10k_cny``                     at least    ``tax_per_mu_10k_cny``
``energy_tce_per_10k_cny``                 at most     ``energy_tce_per_10k_cny`` if given,
                                                       else 1 / ``value_added_per_tce_10k_cny``
=========================================  ==========  ====================================

with ``production_year`` (达产, the first year the commitments bind) and a
``penalty`` clause: a mapping, or a list of them, with a ``basis`` among
:data:`PENALTY_BASES` — ``{"basis": "tax_shortfall", "rate": 1.0}`` pays the tax
shortfall per mu × rate × mu; ``output_shortfall`` the same on output;
``{"basis": "price_share", "rate": 0.05}`` pays 5 % of the transfer price for each
breached commitment; ``{"basis": "fixed", "amount_10k_cny": 50}`` a fixed sum for each.
An optional ``"commitments": [...]`` limits a clause to some commitments.

Examples
--------
>>> import pandas as pd
>>> from landasset.lifecycle import Ledger, contract_compliance
>>> ledger = Ledger.open(":memory:")
>>> _ = ledger.record("P1", "supplied", "2020-03-01", actor="a", contract_id="BZD-1",
...     mode="listing", land_use="M1", price_10k_cny=3000, agreed_start="2020-09-01",
...     agreed_completion="2022-09-01", tax_per_mu_10k_cny=30, production_year=2024,
...     penalty={"basis": "tax_shortfall", "rate": 1.0})
>>> _ = ledger.record("P1", "permitted", "2020-06-01", actor="a")
>>> evaluation = pd.DataFrame({"parcel_id": ["P1", "P1"], "land_mu": [30.0, 10.0],
...     "tax_per_mu_10k_cny": [20.0, 40.0]}, index=pd.Index(["E1", "E2"], name="enterprise_id"))
>>> row = contract_compliance(ledger, evaluation, year=2025).iloc[0]
>>> float(row.actual), row.status, float(row.gap), float(row.penalty_10k_cny), row.duty_bearers
(25.0, 'breached', -5.0, 200.0, 'E1, E2')
>>> ledger.close()
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from landasset import _vocab
from landasset._errors import LandassetValueError, SchemaError
from landasset.lifecycle._law import COMMITMENTS, PENALTY_BASES, parse_penalty
from landasset.lifecycle.ledger import Ledger
from landasset.lifecycle.policy import Policy

__all__ = ["COMMITMENTS", "COMPLIANCE_STATUSES", "PENALTY_BASES", "contract_compliance"]

#: What ``status`` in :func:`contract_compliance` says.
COMPLIANCE_STATUSES: Mapping[str, str] = {
    "met": "the parcel's figure reaches the commitment",
    "breached": "the parcel's figure falls short (or, for energy, exceeds it)",
    "not_due": "the year is before the contract's production_year (达产)",
    "no_production_year": "the contract gives no production_year: when it binds is unknown",
    "no_tenants": "no enterprise of the evaluation is on the parcel",
    "no_data": "the evaluation has no figure for this commitment on the parcel",
}

_UNDER_CONTRACT = _vocab.UNDER_CONTRACT_STAGES
_COLUMNS = [
    "parcel_id",
    "contract_id",
    "commitment",
    "label_zh",
    "direction",
    "committed",
    "actual",
    "measure",
    "gap",
    "status",
    "production_year",
    "mu",
    "penalty_basis",
    "penalty_10k_cny",
    "holder",
    "duty_bearers",
    "tenants",
]


def contract_compliance(
    ledger: Ledger,
    evaluation: pd.DataFrame,
    *,
    year: int,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Every contract's commitments against the parcel's graded enterprise figures of ``year``.

    A contract is a parcel's latest event carrying a ``contract_id`` recorded by the
    end of ``year``, for a parcel under contract then (stage ``supplied`` through
    ``renewal``). Its commitments (:data:`COMMITMENTS`) are compared, from its
    ``production_year`` on, with the figures of the enterprises on the parcel in
    ``evaluation``, aggregated per parcel by land: tax per mu is the tenants' total
    tax over their total land (Σ figure × land_mu / Σ land_mu), energy per 10k CNY the
    total energy over the total value added. The duty binds the parcel's current
    holder and tenants (浙江省土地管理条例 (2021) §35): ``duty_bearers`` lists the
    enterprises on the parcel, ``holder`` the latest ``holder`` recorded on the parcel's
    events (the contract's, or a later buyer's).

    Parameters
    ----------
    ledger : Ledger
    evaluation : DataFrame
        The per-enterprise result of :func:`landasset.efficiency.evaluate` for
        ``year`` (indexed by ``enterprise_id``, with ``parcel_id``, ``land_mu`` and the
        indicator columns), or any table with those columns.
    year : int
        The year judged (the evaluation's year).
    policy : Policy, optional
        Not used by the comparison itself; accepted for symmetry with the other KPIs
        (default :class:`Policy`).

    Returns
    -------
    DataFrame
        One row per contract × commitment: ``parcel_id``, ``contract_id``,
        ``commitment`` (the data key), ``label_zh``, ``direction`` (``"min"`` or
        ``"max"``), ``committed``, ``actual``, ``measure`` (the evaluation column
        read), ``gap`` (actual − committed), ``status`` (see
        :data:`COMPLIANCE_STATUSES`), ``production_year``, ``mu`` (the contract's
        ``area_mu``, else the tenants' land), ``penalty_basis``, ``penalty_10k_cny``
        (what the clause implies for a breach; 0 when met, NaN when no clause applies),
        ``holder``, ``duty_bearers`` (enterprise ids, comma-separated) and ``tenants``.

    Raises
    ------
    LandassetValueError
        ``year`` is not a year, or the evaluation is for another year.
    SchemaError
        The evaluation lacks ``parcel_id`` or ``land_mu``.
    """
    if (
        isinstance(year, bool)
        or not isinstance(year, (int, np.integer))
        or not 1900 <= year <= 2200
    ):
        raise LandassetValueError(f"year is a year such as 2025, not {year!r}")
    year = int(year)
    _ = policy or Policy()
    if not isinstance(evaluation, pd.DataFrame):
        raise SchemaError(
            "evaluation is the per-enterprise table of landasset.efficiency.evaluate, "
            f"not {type(evaluation).__name__}"
        )
    evaluated = evaluation.attrs.get("year")
    if evaluated is not None and int(evaluated) != year:
        raise LandassetValueError(
            f"the evaluation is for {evaluated}, not {year}; evaluate the enterprises with "
            f"year={year} or pass year={evaluated}"
        )
    missing = [c for c in ("parcel_id", "land_mu") if c not in evaluation.columns]
    if missing:
        raise SchemaError(
            f"evaluation lacks the column(s) {missing}; give the per-enterprise result of "
            "landasset.efficiency.evaluate (parcel_id, land_mu and the per-mu indicators)"
        )
    day = pd.Timestamp(year, 12, 31)
    stages = ledger.stages(as_of=day)
    candidates = stages.index[stages.isin(_UNDER_CONTRACT)]
    events = ledger.events(as_of=day, parcels=candidates)
    present = [k for k in COMMITMENTS if k in events.columns]
    if events.empty or "contract_id" not in events.columns or not present:
        return pd.DataFrame(columns=_COLUMNS)
    contracts = (
        events[events["contract_id"].notna()].groupby("parcel_id").tail(1).set_index("parcel_id")
    )
    contracts = contracts[contracts[present].notna().any(axis=1)]
    if contracts.empty:
        return pd.DataFrame(columns=_COLUMNS)

    # the holder: the latest one recorded on any event (a buyer takes the duties, §35)
    holders = (
        events.groupby("parcel_id")["holder"].last()
        if "holder" in events.columns
        else pd.Series(dtype=object)
    )
    figures = _parcel_figures(evaluation)
    tenants = _tenants_by_parcel(evaluation)
    rows: list[dict[str, Any]] = []
    for pid, contract in contracts.iterrows():
        pid = str(pid)
        bearers = tenants.get(pid, [])
        area = _number(contract.get("area_mu"))
        mu = area if area is not None else figures["land_mu"].get(pid, np.nan)
        production = _number(contract.get("production_year"))
        clauses = _clauses(contract.get("penalty"))
        price = _number(contract.get("price_10k_cny"))
        for key in present:
            committed = _number(contract.get(key))
            if committed is None:
                continue
            label, direction = COMMITMENTS[key]
            measure, series = figures["measures"][key]
            actual = series.get(pid, np.nan) if series is not None else np.nan
            if production is None:
                status = "no_production_year"
            elif year < production:
                status = "not_due"
            elif not bearers:
                status = "no_tenants"
            elif pd.isna(actual):
                status = "no_data"
            elif (actual < committed) if direction == "min" else (actual > committed):
                status = "breached"
            else:
                status = "met"
            gap = actual - committed if pd.notna(actual) else np.nan
            basis, penalty = _penalty(key, status, committed, actual, mu, price, clauses)
            rows.append(
                {
                    "parcel_id": pid,
                    "contract_id": contract["contract_id"],
                    "commitment": key,
                    "label_zh": label,
                    "direction": direction,
                    "committed": committed,
                    "actual": float(actual) if pd.notna(actual) else np.nan,
                    "measure": measure or "",
                    "gap": float(gap) if pd.notna(gap) else np.nan,
                    "status": status,
                    "production_year": pd.NA if production is None else int(production),
                    "mu": float(mu) if pd.notna(mu) else np.nan,
                    "penalty_basis": basis,
                    "penalty_10k_cny": penalty,
                    "holder": str(holders[pid]) if pd.notna(holders.get(pid)) else "",
                    "duty_bearers": ", ".join(bearers),
                    "tenants": len(bearers),
                }
            )
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out["production_year"] = out["production_year"].astype("Int64")
    return out


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(number) else number


def _clauses(value: Any) -> list[dict[str, Any]]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return parse_penalty(value)


def _penalty(
    key: str,
    status: str,
    committed: float,
    actual: float,
    mu: float,
    price: float | None,
    clauses: list[dict[str, Any]],
) -> tuple[str, float]:
    applying = []
    for clause in clauses:
        basis = clause["basis"]
        default = {
            "tax_shortfall": ["tax_per_mu_10k_cny"],
            "output_shortfall": ["output_per_mu_10k_cny"],
        }.get(basis, list(COMMITMENTS))
        if key in clause.get("commitments", default):
            applying.append(clause)
    if not applying:
        return "", (0.0 if status != "breached" else np.nan)
    names = "; ".join(f"{c['basis']} {c.get('rate', c.get('amount_10k_cny'))}" for c in applying)
    if status != "breached":
        return names, 0.0
    total = 0.0
    for clause in applying:
        basis = clause["basis"]
        if basis in ("tax_shortfall", "output_shortfall"):
            total += (committed - actual) * float(clause["rate"]) * mu
        elif basis == "price_share":
            total += float(clause["rate"]) * (price if price is not None else np.nan)
        else:
            total += float(clause["amount_10k_cny"])
    return names, float(total)


def _tenants_by_parcel(evaluation: pd.DataFrame) -> dict[str, list[str]]:
    frame = evaluation[evaluation["parcel_id"].notna()]
    ids = frame.index.astype(str)
    return {
        str(pid): sorted(group.tolist())
        for pid, group in pd.Series(ids, index=frame["parcel_id"].astype(str)).groupby(level=0)
    }


def _parcel_figures(evaluation: pd.DataFrame) -> dict[str, Any]:
    """Per-parcel figures of the tenants, weighted by land (or by value added for energy)."""
    ev = evaluation[evaluation["parcel_id"].notna()]
    parcel = ev["parcel_id"].astype(str)
    land = pd.to_numeric(ev["land_mu"], errors="coerce")

    def per_mu(column: str) -> pd.Series:
        value = pd.to_numeric(ev[column], errors="coerce")
        ok = value.notna() & land.notna() & (land > 0)
        total = (value * land)[ok].groupby(parcel[ok]).sum()
        area = land[ok].groupby(parcel[ok]).sum()
        return total / area

    def pick(*names: str) -> str | None:
        return next((n for n in names if n in ev.columns), None)

    measures: dict[str, tuple[str | None, pd.Series | None]] = {}
    for key, names in (
        ("investment_intensity_10k_cny_per_mu", ("investment_intensity_10k_cny_per_mu",)),
        ("output_per_mu_10k_cny", ("output_per_mu_10k_cny", "value_added_per_mu_10k_cny")),
        ("tax_per_mu_10k_cny", ("tax_per_mu_10k_cny",)),
    ):
        column = pick(*names)
        measures[key] = (column, per_mu(column) if column else None)
    if "energy_tce_per_10k_cny" in ev.columns:
        measures["energy_tce_per_10k_cny"] = (
            "energy_tce_per_10k_cny",
            _energy_weighted(ev, parcel, land, pd.to_numeric(ev["energy_tce_per_10k_cny"])),
        )
    elif {"value_added_per_mu_10k_cny", "value_added_per_tce_10k_cny"} <= set(ev.columns):
        per_tce = pd.to_numeric(ev["value_added_per_tce_10k_cny"], errors="coerce")
        measures["energy_tce_per_10k_cny"] = (
            "1 / value_added_per_tce_10k_cny",
            _energy_weighted(ev, parcel, land, 1.0 / per_tce.where(per_tce > 0)),
        )
    else:
        measures["energy_tce_per_10k_cny"] = (None, None)
    return {
        "measures": measures,
        "land_mu": land[land.notna()].groupby(parcel[land.notna()]).sum(),
    }


def _energy_weighted(
    ev: pd.DataFrame, parcel: pd.Series, land: pd.Series, per_10k: pd.Series
) -> pd.Series | None:
    """Total energy over total value added per parcel (each firm weighted by its value added)."""
    if "value_added_per_mu_10k_cny" not in ev.columns:
        return None
    added = pd.to_numeric(ev["value_added_per_mu_10k_cny"], errors="coerce") * land
    ok = added.notna() & per_10k.notna() & (added > 0)
    energy = (added * per_10k)[ok].groupby(parcel[ok]).sum()
    return energy / added[ok].groupby(parcel[ok]).sum()
