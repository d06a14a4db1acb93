"""A plausible, deterministic lifecycle history for the Yunqi sample district.

The sample's parcel layer carries each parcel's stage on 2025-12-31
(:data:`landasset.sample.YUNQI_AS_OF`) and the milestone dates reached by then (supply,
agreed start and completion, actual start, acceptance, filing). :func:`sample_events`
turns them into ledger events, in the frame format of
:meth:`~landasset.lifecycle.Ledger.record_many`:

* the reserve (the 云栖 reserve and the 双浦 block ``XH120101``): ``planned`` →
  ``acquiring`` → ``reserved`` → ``supply_ready``, each parcel stopping at its stage.
  Entering ``supply_ready`` records the planning conditions (land use, FAR range,
  height, coverage, green): the commercial-aerospace plots ``XH120101-08`` and
  ``XH120101-09`` are ``supply_ready``;
* supplied parcels: ``reserved`` → ``supply_ready`` → ``supplied`` → ``permitted`` →
  ``under_construction`` → ``completed`` → ``operating``, stopping at their stage.
  Land supplied before 2008 enters the ledger directly at ``supplied`` (taken into
  stock with its contract, before the reserve system);
* the aerospace center (``XH120205-01``, ``-02``): listed 2022-12-26, started
  2023-05-18, accepted 2025-09-26, filed 2025-10-10 (within 15 days), then
  ``operating`` with its tenants before 2025-12-31;
* the old park (老园区): operating since the 1990s–2000s, parcels in ``renewal``
  (腾笼换鸟) since 2024–2025;
* idle land: ``XH120304-01`` and ``XH120306-04`` are ``supplied`` with agreed starts of
  2023-09-30 and 2024-11-30 and no start.
* 标准地 contracts: industrial land supplied from 2018-01-01 on carries its commitments
  in its ``supplied`` event (浙江省土地管理条例 (2021) §35): output (value added) and tax
  per mu, energy per 10k CNY, a 达产 year 2–4 years after the agreed completion and a
  penalty clause (the tax shortfall paid back; 2 % of the transfer price for a missed
  output or energy commitment). The figures lie near what the parcel's tenants reach in
  2025 — most below (met), about one in five above (breached) — and are drawn from a
  random stream of their own, so no other figure of the sample depends on them.

No date is later than 2025-12-31. Prices are illustrative (a unit price per mu by
land-use family and year, times the parcel's area).

Public as :func:`landasset.lifecycle.sample_events`, which loads this module on first
use; ``sample_data/build_yunqi.py`` stores its events in the sample GeoPackage.

Examples
--------
>>> import landasset as la
>>> from landasset.lifecycle import sample_events
>>> events = sample_events(la.sample.load("yunqi"))
>>> list(events.columns[:4])
['parcel_id', 'stage', 'on', 'actor']
>>> events.groupby("parcel_id").stage.last().loc["XH120205-01"]
'operating'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final
from zlib import crc32

import numpy as np
import pandas as pd

from landasset._errors import SchemaError
from landasset._samplegen._common import YUNQI_AS_OF
from landasset.landuse import land_use_family
from landasset.lifecycle.stages import Stage
from landasset.units import m2_to_mu

if TYPE_CHECKING:
    from landasset.site import Site

__all__ = ["SAMPLE_AS_OF", "sample_events"]

#: The last day of the sample history (the sample's own as-of date).
SAMPLE_AS_OF: Final = YUNQI_AS_OF

# the planning conditions (规划条件) an event into supply_ready records
_CONDITIONS = ("far_min", "far_max", "height_max_m", "coverage_min", "green_max")
_NEEDED = (
    "stage",
    "land_use",
    "far_max",
    "supply_mode",
    "contract_id",
    "supply_date",
    "agreed_start",
    "agreed_completion",
    "start_date",
    "acceptance_date",
    "filing_date",
)
# the pipeline order of the stages a sample parcel can have reached (not retired)
_ORDER = [stage.value for stage in Stage if stage is not Stage.retired]
# unit land price in 10k CNY per mu in 2000, by land-use family; +7 % a year
_UNIT_PRICE_2000 = {"industrial": 12.0, "warehouse": 10.0, "commercial": 60.0, "residential": 120.0}
_ACTORS = {
    "planned": "土地储备中心",
    "acquiring": "土地储备中心",
    "reserved": "土地储备中心",
    "supply_ready": "规划资源分局",
    "supplied": "土地出让科",
    "permitted": "建设管理科",
    "under_construction": "建设管理科",
    "completed": "建设管理科",
    "operating": "园区运营部",
    "renewal": "园区运营部",
}
_STOCK_TAKING = "历史数据建账"

# 标准地 commitments: industrial land supplied from this day on carries them (浙江省土地管理条例
# (2021) §35); their draws come from their own RNG stream, one per parcel, seeded by this
# number and the parcel id, so that no other figure of the sample depends on them
_COMMITMENTS_FROM = pd.Timestamp("2018-01-01")
_COMMITMENT_SEED = 20180101
# the share of commitments drawn above what the tenants reach (the contracts the operator pursues)
_BREACH_SHARE = 0.2
# the penalty clause of the sample's contracts: the tax shortfall is paid back in full;
# a missed output or energy commitment costs 2 % of the transfer price
_PENALTY = [
    {"basis": "tax_shortfall", "rate": 1.0},
    {
        "basis": "price_share",
        "rate": 0.02,
        "commitments": ["output_per_mu_10k_cny", "energy_tce_per_10k_cny"],
    },
]
_COMMITMENT_KEYS = (
    "output_per_mu_10k_cny",
    "tax_per_mu_10k_cny",
    "energy_tce_per_10k_cny",
    "production_year",
    "penalty",
)


def _offset(i: int, low: int, high: int, salt: int = 0) -> pd.Timedelta:
    """A deterministic number of days in [low, high) for parcel number ``i``."""
    span = max(high - low, 1)
    return pd.Timedelta(days=low + ((i + 1) * 7919 + salt * 104729) % span)


def sample_events(site: Site) -> pd.DataFrame:
    """Events for every parcel of the sample district, ready for ``record_many``.

    Parameters
    ----------
    site : Site
        The Yunqi sample (``landasset.sample.load("yunqi")``): its parcel layer must
        carry ``stage`` and the milestone columns described in
        ``sample_data/README.md``.

    Returns
    -------
    DataFrame
        ``parcel_id``, ``stage``, ``on`` (datetime64), ``actor`` and the data columns
        ``land_use``, ``far_min``, ``far_max``, ``height_max_m``, ``coverage_min``,
        ``green_max`` (the planning conditions), ``contract_id``, ``mode``,
        ``price_10k_cny``, ``agreed_start``, ``agreed_completion``, ``started_on``,
        ``accepted_on``, ``filed_on`` and ``note`` (ISO date strings; null where an
        event does not carry the field), then the 标准地 commitments of the ``supplied``
        event of industrial land supplied from 2018 on: ``output_per_mu_10k_cny``,
        ``tax_per_mu_10k_cny``, ``energy_tce_per_10k_cny``, ``production_year`` (达产)
        and ``penalty``; in parcel then date order.

    Raises
    ------
    SchemaError
        The parcel layer lacks the sample's stage and milestone columns.

    Examples
    --------
    >>> import landasset as la
    >>> events = sample_events(la.sample.load("yunqi"))
    >>> events.parcel_id.nunique() == len(la.sample.load("yunqi").parcels)
    True
    >>> bool((events.on <= SAMPLE_AS_OF).all())
    True
    """
    parcels = site.parcels
    missing = [c for c in _NEEDED if c not in parcels.columns]
    if missing:
        raise SchemaError(
            f"sample_events builds the history of the bundled sample district from its parcel "
            f"columns; this parcel layer lacks {missing}. Load it with "
            "landasset.sample.load('yunqi'), or record your own events with Ledger.record_many"
        )
    parcels = parcels.sort_index()
    area_mu = m2_to_mu(parcels.geometry.area.to_numpy())
    family = land_use_family(parcels["land_use"]).to_numpy(dtype=object)
    tenants = _tenant_figures(site, parcels, area_mu)
    rows: list[dict[str, object]] = []
    for i, (pid, p) in enumerate(parcels.iterrows()):
        events = _parcel_events(i, str(pid), p, float(area_mu[i]), str(family[i]))
        supply = p["supply_date"]
        if family[i] == "industrial" and pd.notna(supply) and supply >= _COMMITMENTS_FROM:
            commitments = _commitments(str(pid), p, tenants.get(str(pid)))
            for event in events:
                if event["stage"] == "supplied":
                    event.update(commitments)
        rows.extend(events)
    frame = pd.DataFrame(rows)
    columns = [
        "parcel_id",
        "stage",
        "on",
        "actor",
        "land_use",
        "far_min",
        "far_max",
        "height_max_m",
        "coverage_min",
        "green_max",
        "contract_id",
        "mode",
        "price_10k_cny",
        "agreed_start",
        "agreed_completion",
        "started_on",
        "accepted_on",
        "filed_on",
        "note",
        *_COMMITMENT_KEYS,
    ]
    frame = frame.reindex(columns=columns)
    frame["on"] = pd.to_datetime(frame["on"])
    for column in _CONDITIONS:
        frame[column] = frame[column].astype(float)
    frame["price_10k_cny"] = frame["price_10k_cny"].astype(float)
    for column in _COMMITMENT_KEYS[:3]:
        frame[column] = frame[column].astype(float)
    frame["production_year"] = frame["production_year"].astype("Int64")
    return frame.reset_index(drop=True)


def _tenant_figures(
    site: Site, parcels: pd.DataFrame, area_mu: np.ndarray
) -> dict[str, dict[str, float]]:
    """Per parcel, the sample year's tenant figures per mu of the land they occupy.

    The tenants' land is the parcel's area times the share of its floor area in buildings
    with a tenant (as the per-mu evaluation shares land by floor area); tax and value
    added are totals over that land, energy the total over the total value added.
    """
    ent = site.enterprises
    buildings = site.buildings
    if ent is None or buildings is None or not len(ent) or "parcel_id" not in buildings:
        return {}
    year = SAMPLE_AS_OF.year
    if "year" in ent.columns:
        ent = ent[pd.to_numeric(ent["year"], errors="coerce") == year]
    floors = pd.to_numeric(buildings["floors"], errors="coerce").astype(float)
    gfa = (buildings.geometry.area * floors).astype(float)
    if "gfa_m2" in buildings:
        given = pd.to_numeric(buildings["gfa_m2"], errors="coerce").astype(float)
        gfa = given.where(given.notna(), gfa)
    occupied = buildings.index.astype(str).isin(ent["building_id"].dropna().astype(str))
    b_parcel = buildings["parcel_id"].astype(str)
    share = gfa[occupied].groupby(b_parcel[occupied]).sum() / gfa.groupby(b_parcel).sum()
    area = pd.Series(area_mu, index=parcels.index.astype(str))
    totals = (
        ent.groupby(ent["parcel_id"].astype(str))[
            ["tax_10k_cny", "value_added_10k_cny", "energy_tce"]
        ]
        .sum()
        .astype(float)
    )
    out: dict[str, dict[str, float]] = {}
    for pid, row in totals.iterrows():
        land = float(area.get(str(pid), np.nan) * share.get(str(pid), np.nan))
        if not land > 0 or not row["value_added_10k_cny"] > 0:
            continue
        out[str(pid)] = {
            "tax_per_mu_10k_cny": float(row["tax_10k_cny"]) / land,
            "output_per_mu_10k_cny": float(row["value_added_10k_cny"]) / land,
            "energy_tce_per_10k_cny": float(row["energy_tce"] / row["value_added_10k_cny"]),
        }
    return out


def _commitments(pid: str, p: pd.Series, reached: Mapping[str, float] | None) -> dict[str, Any]:
    """A parcel's 标准地 commitments, drawn from its own RNG stream.

    Near what its tenants reach in the sample year: most below it (met), about
    :data:`_BREACH_SHARE` of them above (breached); a parcel without tenants yet gets
    the usual figures of a Hangzhou 标准地 contract. 达产 is 2–4 years after the agreed
    completion.
    """
    rng = np.random.default_rng([_COMMITMENT_SEED, crc32(pid.encode())])
    completion = pd.Timestamp(p["agreed_completion"])
    production = int(completion.year + rng.integers(2, 5))
    draws = rng.random(3)
    met = rng.uniform(0.6, 0.9, 3)
    breached = rng.uniform(1.1, 1.35, 3)
    typical = {
        "output_per_mu_10k_cny": rng.uniform(150.0, 300.0),
        "tax_per_mu_10k_cny": rng.uniform(25.0, 50.0),
        "energy_tce_per_10k_cny": rng.uniform(0.15, 0.3),
    }
    out: dict[str, Any] = {}
    for k, key in enumerate(typical):
        if reached is None:
            value = typical[key]
        else:
            factor = breached[k] if draws[k] < _BREACH_SHARE else met[k]
            # energy is a ceiling: a met commitment lies above the figure reached
            value = reached[key] / factor if key.startswith("energy") else reached[key] * factor
        out[key] = round(value, 2) if key.startswith("energy") else float(round(value))
    out["production_year"] = production
    out["penalty"] = _PENALTY
    return out


def _iso(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return str(pd.Timestamp(value).date())


def _parcel_events(
    i: int, pid: str, p: pd.Series, area_mu: float, family: str
) -> list[dict[str, object]]:
    stage = str(p["stage"])
    if stage not in _ORDER:
        raise SchemaError(
            f"parcel {pid} has stage {stage!r}, which the sample history does not know"
        )
    target = _ORDER.index(stage)
    planning = {
        "land_use": str(p["land_use"]),
        **{c: None if pd.isna(p.get(c)) else float(p[c]) for c in _CONDITIONS},
    }
    out: list[dict[str, object]] = []

    def add(
        st: str, on: pd.Timestamp, data: Mapping[str, object], actor: str | None = None
    ) -> None:
        if out:
            on = max(on, pd.Timestamp(str(out[-1]["on"])))  # never before the previous event
        on = min(on, SAMPLE_AS_OF)
        out.append(
            {
                "parcel_id": pid,
                "stage": st,
                "on": str(on.date()),
                "actor": actor or _ACTORS[st],
                **data,
            }
        )

    supply = p["supply_date"]
    if pd.isna(supply):
        # the reserve: planned → acquiring → reserved → supply_ready
        planned = pd.Timestamp("2019-03-01") + _offset(i, 0, 700)
        add("planned", planned, {"note": "列入年度土地储备计划"})
        if target >= 1:
            add("acquiring", planned + _offset(i, 300, 500, 1), {"note": "收储（收回/收购）"})
        if target >= 2:
            add("reserved", planned + _offset(i, 700, 1000, 2), {"note": "入库储备"})
        if target >= 3:
            add("supply_ready", pd.Timestamp("2025-04-01") + _offset(i, 0, 200, 3), planning)
        return out

    supply = pd.Timestamp(supply)
    year = supply.year
    mode = str(p["supply_mode"]) if not pd.isna(p["supply_mode"]) else "allocation"
    contract = p["contract_id"]
    if pd.isna(contract):
        contract = f"HB{year}-{i:03d}"  # 划拨决定书 (allocation decision) number
    unit = _UNIT_PRICE_2000.get(family, 0.0) * 1.07 ** (year - 2000)
    price = 0.0 if mode == "allocation" else round(unit * area_mu, 1)
    contract_data = {
        "contract_id": str(contract),
        "mode": mode,
        "price_10k_cny": price,
        "agreed_start": _iso(p["agreed_start"]),
        "agreed_completion": _iso(p["agreed_completion"]),
    }
    if year >= 2008:
        add("reserved", supply - _offset(i, 500, 900, 4), {"note": "入库储备"})
        add("supply_ready", supply - _offset(i, 60, 180, 5), planning)
        add("supplied", supply, contract_data)
    else:
        # supplied before the reserve system: taken into stock with its contract
        add("supplied", supply, {**planning, **contract_data}, actor=_STOCK_TAKING)
    if target <= _ORDER.index("supplied"):
        return out
    start = p["start_date"]
    if pd.isna(start):
        permitted = supply + _offset(i, 90, 200, 6)
    else:
        start = pd.Timestamp(start)
        gap = max((start - supply).days, 1)
        permitted = start - pd.Timedelta(days=min(20 + i % 40, gap - 1 if gap > 1 else 0))
    add("permitted", permitted, {"note": "取得建设工程规划许可证、施工许可证"})
    if target <= _ORDER.index("permitted"):
        return out
    add("under_construction", pd.Timestamp(start), {"started_on": _iso(start)})
    if target <= _ORDER.index("under_construction"):
        return out
    filed = pd.Timestamp(p["filing_date"])
    add("completed", filed, {"accepted_on": _iso(p["acceptance_date"]), "filed_on": _iso(filed)})
    if target <= _ORDER.index("completed"):
        return out
    operating = filed + _offset(i, 30, 150, 7)
    if operating > SAMPLE_AS_OF:  # filed lately: tenants moved in before the sample date
        operating = filed + _offset(i, 1, max((SAMPLE_AS_OF - filed).days, 2), 7)
    add("operating", operating, {"note": "投产运营"})
    if target <= _ORDER.index("operating"):
        return out
    add(
        "renewal",
        pd.Timestamp("2024-03-01") + _offset(i, 0, 600, 8),
        {"note": "纳入低效用地更新改造（腾笼换鸟）"},
    )
    return out
