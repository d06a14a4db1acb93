"""Checks of the law and the policy on a batch of events, after the move checks.

:func:`check_law` looks at what :func:`~landasset.lifecycle._checks.check_moves`
cannot judge from the transition table alone:

* the supply mode of a ``supplied`` event against the land use and the date
  (:attr:`Policy.supply_modes`; 城市房地产管理法 §13, §23, §24; 国发〔2006〕31号),
  unless the event carries a ``supply_exception``. The land use is the event's, else
  the parcel's latest in the ledger, else the parcels layer's; with none known the
  mode cannot be judged and is not;
* the committed investment intensity against the policy's investment minimum table
  (国土资发〔2008〕24号), unless the event carries a ``below_minimum_reason``;
* the penalty clause's structure (:data:`PENALTY_BASES`);
* permit extensions against their legal number (建筑法 §9).

Every refused row is reported at once, as one :class:`~landasset.TransitionError`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from landasset.investment import ANY
from landasset.landuse import land_use_family
from landasset.lifecycle import _gpkg
from landasset.lifecycle._checks import Batch, Problems
from landasset.lifecycle._schema import CODE
from landasset.lifecycle.policy import Policy

__all__ = [
    "COMMITMENTS",
    "PENALTY_BASES",
    "check_law",
    "layer_land_use",
    "parse_penalty",
    "supply_basis",
]

#: The commitments of a supply contract (标准地) in the ``supplied`` event's data:
#: key → (Chinese name, direction: ``"min"`` a floor, ``"max"`` a ceiling).
COMMITMENTS: Mapping[str, tuple[str, str]] = {
    "investment_intensity_10k_cny_per_mu": ("投资强度", "min"),
    "output_per_mu_10k_cny": ("亩均产出", "min"),
    "tax_per_mu_10k_cny": ("亩均税收", "min"),
    "energy_tce_per_10k_cny": ("单位能耗", "max"),
}

#: Kinds of penalty clause (the ``basis`` of a ``penalty`` mapping) and what they need.
PENALTY_BASES: Mapping[str, str] = {
    "tax_shortfall": "rate: pay (committed − actual tax per mu) × rate × mu",
    "output_shortfall": "rate: pay (committed − actual output per mu) × rate × mu",
    "price_share": "rate: pay rate × the transfer price for each breached commitment",
    "fixed": "amount_10k_cny: pay this sum for each breached commitment",
}
_NEEDS = {
    "tax_shortfall": "rate",
    "output_shortfall": "rate",
    "price_share": "rate",
    "fixed": "amount_10k_cny",
}
_SUPPLIED = CODE["supplied"]


def supply_basis(family: str | None) -> str:
    """The legal source of the default supply modes of a land-use family."""
    if family == "industrial":
        return "城市房地产管理法 §13; 国发〔2006〕31号 from 2007-01-01"
    if family == "commercial":
        return "城市房地产管理法 §13, in force from 1995-01-01"
    if family in ("public", "green", "transport"):
        return "城市房地产管理法 §13, §23, §24"
    return "城市房地产管理法 §13, §23, §24"


def parse_penalty(value: Any) -> list[dict[str, Any]]:
    """A penalty clause as a list of checked clauses; ValueError naming what is wrong."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError(
                f"penalty {value!r} is not a clause; give a mapping such as "
                '{"basis": "tax_shortfall", "rate": 1.0}'
            ) from None
    clauses = value if isinstance(value, list) else [value]
    out = []
    for clause in clauses:
        if not isinstance(clause, Mapping):
            raise ValueError(
                f"penalty {value!r} is not a clause; give a mapping such as "
                '{"basis": "tax_shortfall", "rate": 1.0} (or a list of them)'
            )
        basis = clause.get("basis")
        if basis not in PENALTY_BASES:
            raise ValueError(
                f"penalty basis {basis!r} is not known; use one of: "
                + ", ".join(map(repr, PENALTY_BASES))
            )
        need = _NEEDS[str(basis)]
        amount = clause.get(need)
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not amount >= 0:
            raise ValueError(f"penalty basis {basis!r} needs {need}, a number ≥ 0, not {amount!r}")
        applies = clause.get("commitments")
        if applies is not None and (
            not isinstance(applies, list) or any(a not in COMMITMENTS for a in applies)
        ):
            raise ValueError(
                f"penalty commitments {applies!r} is a list of commitments among: "
                + ", ".join(map(repr, COMMITMENTS))
            )
        out.append(dict(clause))
    return out


def layer_land_use(con: Any, parcels: list[str]) -> dict[str, str]:
    """Land use of parcels from a GeoPackage's ``parcels`` layer (empty when none)."""
    if not parcels or not isinstance(con, sqlite3.Connection):
        return {}
    layer = _gpkg.find_parcel_layer(con)
    if layer is None or "land_use" not in layer.columns:
        return {}
    table = _gpkg.quote_identifier(layer.table)
    out: dict[str, str] = {}
    for start in range(0, len(parcels), 500):
        chunk = parcels[start : start + 500]
        rows = con.execute(
            f"SELECT parcel_id, land_use FROM {table} WHERE land_use IS NOT NULL "
            f"AND parcel_id IN ({', '.join('?' for _ in chunk)})",
            chunk,
        ).fetchall()
        out.update({str(p): str(lu) for p, lu in rows})
    return out


def _column(batch: Batch, name: str) -> np.ndarray:
    arr = batch.data.get(name)
    return np.full(len(batch), None, dtype=object) if arr is None else arr


def _check_modes(
    problems: Problems,
    batch: Batch,
    policy: Policy,
    supplied: np.ndarray,
    land_use: np.ndarray,
) -> None:
    """Refuse supply modes the policy does not allow for the land use and date (vectorised)."""
    mode = _column(batch, "mode")
    exception = _column(batch, "supply_exception")
    rows = np.flatnonzero(
        supplied
        & np.asarray(pd.notna(mode), dtype=bool)
        & np.asarray(pd.isna(exception), dtype=bool)
        & np.array([isinstance(v, str) and v != "" for v in land_use], dtype=bool)
    )
    if not len(rows):
        return
    family = land_use_family(pd.Series(land_use[rows], dtype=object)).to_numpy(dtype=object)
    days = batch.day[rows].astype("datetime64[D]")
    modes = mode[rows]
    allowed = np.ones(len(rows), dtype=bool)  # an unknown family is not judged
    for fam, rules in policy.supply_modes.items():
        of = family == fam
        if not of.any():
            continue
        allowed[of] = False
        bounds = [None if since is None else np.datetime64(since, "D") for since, _ in rules]
        for k, (_, ok_modes) in enumerate(rules):
            after = np.ones(len(rows), dtype=bool)
            if bounds[k] is not None:
                after = days >= bounds[k]
            later = [b for b in bounds[k + 1 :] if b is not None]
            before = days < min(later) if later else np.ones(len(rows), dtype=bool)
            allowed |= of & after & before & np.isin(modes, list(ok_modes))
    bad = np.zeros(len(batch), dtype=bool)
    bad[rows[~allowed]] = True

    def message(i: int) -> str:
        lu = str(land_use[i])
        fam = land_use_family([lu]).iloc[0]
        day = pd.Timestamp(batch.day[i]).date()
        ok = policy.allowed_modes(lu, day)
        return (
            f"supply by {mode[i]!r} is not allowed: {fam} land ({lu}) supplied on {day} may "
            f"go by {', '.join(ok) or 'no mode'} ({supply_basis(str(fam))}; "
            "Policy.supply_modes); if a rule makes it lawful here, record the reason with "
            "supply_exception='...'"
        )

    problems.add(bad, message)


def check_law(batch: Batch, policy: Policy, land_use_before: Mapping[str, str]) -> None:
    """Check supply modes, investment minima, penalty clauses and permit extensions."""
    problems = Problems(batch)
    n = len(batch)
    supplied = batch.stage == _SUPPLIED
    # the land use in force at each event: its own, else the parcel's latest before it
    own = pd.Series(_column(batch, "land_use"), dtype=object)
    own = own.groupby(pd.Series(batch.parcel)).ffill()
    before = pd.Series(batch.parcel, dtype=object).map(dict(land_use_before))
    land_use = own.fillna(before).to_numpy(dtype=object)

    if supplied.any():
        _check_modes(problems, batch, policy, supplied, land_use)

    table = policy.investment_minimums
    intensity = _column(batch, "investment_intensity_10k_cny_per_mu")
    if table is not None and (supplied & pd.notna(intensity)).any():
        region = _column(batch, "region_class")
        industry = _column(batch, "industry_code")
        reason = _column(batch, "below_minimum_reason")
        specific_region = any(e.region_class != ANY for e in table.entries)
        specific_industry = any(e.industry_code != ANY for e in table.entries)
        bad = np.zeros(n, dtype=bool)
        messages = {}
        for i in np.flatnonzero(supplied & pd.notna(intensity)):
            lacking = [
                key
                for key, value, specific in (
                    ("region_class", region[i], specific_region),
                    ("industry_code", industry[i], specific_industry),
                )
                if specific and value is None
            ]
            if lacking:
                bad[i] = True
                messages[int(i)] = (
                    f"the investment minimum table {table.name!r} sets minima by region class "
                    f"and industry; give {' and '.join(lacking)} with the contract so its "
                    "minimum can be checked"
                )
                continue
            found = table.match(region_class=region[i], industry_code=industry[i])
            if found is None or float(intensity[i]) >= found.minimum or reason[i] is not None:
                continue
            bad[i] = True
            messages[int(i)] = (
                f"the committed investment intensity {float(intensity[i]):g} 万元/亩 is below "
                f"the minimum {found.minimum:g} 万元/亩 of the investment minimum table "
                f"{table.name!r}, {found.describe()}; raise the commitment, or record why it "
                "is accepted with below_minimum_reason='...'"
            )
        problems.add(bad, lambda i: messages[i])

    penalty = _column(batch, "penalty")
    if pd.notna(penalty).any():
        bad = np.zeros(n, dtype=bool)
        messages = {}
        for i in np.flatnonzero(pd.notna(penalty)):
            try:
                parse_penalty(penalty[i])
            except ValueError as exc:
                bad[i] = True
                messages[int(i)] = str(exc)
        problems.add(bad, lambda i: messages[i])

    extensions = _column(batch, "permit_extensions")
    if pd.notna(extensions).any():
        count = pd.to_numeric(pd.Series(extensions), errors="coerce").to_numpy(dtype=float)
        too_many = np.nan_to_num(count, nan=0.0) > policy.permit_extensions
        problems.add(
            too_many,
            lambda i: (
                f"permit_extensions = {int(count[i])} is more than the "
                f"{policy.permit_extensions} extensions a construction permit may get "
                "(建筑法 §9; Policy.permit_extensions); a permit past them lapses: apply "
                "for a new one"
            ),
        )
    problems.raise_if_any()
