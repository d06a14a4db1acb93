"""The sample district's 标准地 contracts (浙江省土地管理条例 (2021) §35): which parcels carry
commitments, that their draws disturb nothing else, and their compliance in 2025.

The figures of ``test_sample_compliance_2025`` are sample figures: they follow from the
bundled sample (``sample_data/build_yunqi.py``) and change when it is rebuilt differently.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import landasset as la
import landasset._samplegen.history as history
from landasset.efficiency import evaluate
from landasset.lifecycle import Ledger, contract_compliance, sample_events
from landasset.lifecycle._law import parse_penalty

KEYS = ["output_per_mu_10k_cny", "tax_per_mu_10k_cny", "energy_tce_per_10k_cny"]


@pytest.fixture(scope="module")
def events(sample_site: la.Site) -> pd.DataFrame:
    return sample_events(sample_site)


def test_industrial_land_supplied_from_2018_carries_commitments(
    events: pd.DataFrame, sample_site: la.Site
) -> None:
    parcels = sample_site.parcels
    family = la.landuse.land_use_family(parcels["land_use"])
    supplied = pd.to_datetime(parcels["supply_date"])
    expected = set(parcels.index[(family == "industrial") & (supplied >= "2018-01-01")])
    committed = events[events["production_year"].notna()]
    assert set(committed["parcel_id"]) == expected
    assert len(expected) == 20  # sample figure
    # only the supplied event carries them, and all of them
    assert committed["stage"].eq("supplied").all()
    assert committed[KEYS].notna().all().all()
    assert events.loc[events["production_year"].isna(), KEYS].isna().all().all()
    # 达产 2–4 years after the agreed completion
    completion = pd.to_datetime(committed["agreed_completion"]).dt.year
    lag = committed["production_year"].astype(int) - completion
    assert lag.between(2, 4).all()
    for clause in committed["penalty"]:
        assert [c["basis"] for c in parse_penalty(clause)] == ["tax_shortfall", "price_share"]
    # the region key of the lifecycle is not recorded by the sample
    assert not {"region", "region_class"} & set(events.columns)


def test_the_commitments_draw_from_their_own_stream(
    events: pd.DataFrame, sample_site: la.Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "_COMMITMENT_SEED", history._COMMITMENT_SEED + 1)
    other = sample_events(sample_site)
    rest = [c for c in events.columns if c not in history._COMMITMENT_KEYS]
    pd.testing.assert_frame_equal(other[rest], events[rest])
    assert not np.allclose(
        other["tax_per_mu_10k_cny"].dropna(), events["tax_per_mu_10k_cny"].dropna()
    )


def test_the_stored_ledger_holds_the_commitments(
    events: pd.DataFrame, sample_ledger_path: Path
) -> None:
    with Ledger.open(sample_ledger_path, read_only=True) as ledger:
        stored = ledger.events(stages=["supplied"])
    stored = stored[stored["production_year"].notna()].set_index("parcel_id").sort_index()
    fresh = events[events["production_year"].notna()].set_index("parcel_id").sort_index()
    assert stored.index.tolist() == fresh.index.tolist()
    for key in KEYS:
        assert stored[key].astype(float).tolist() == fresh[key].tolist()
    assert stored["production_year"].astype(int).tolist() == fresh["production_year"].tolist()


def test_sample_compliance_2025(sample_ledger_path: Path, sample_site: la.Site) -> None:
    """Sample figures: 20 contracts, 11 past 达产, 30 commitments met, 3 breached."""
    evaluation = evaluate(
        sample_site.enterprises, sample_site.parcels, year=2025, buildings=sample_site.buildings
    )
    with Ledger.open(sample_ledger_path, read_only=True) as ledger:
        table = contract_compliance(ledger, evaluation, year=2025)
    assert table["parcel_id"].nunique() == 20
    assert table.loc[table["status"] != "not_due", "parcel_id"].nunique() == 11
    assert table["status"].value_counts().to_dict() == {"met": 30, "not_due": 27, "breached": 3}
    due = table[table["status"] != "not_due"]
    assert (due["production_year"] <= 2025).all()
    assert (table.loc[table["status"] == "not_due", "production_year"] > 2025).all()
    breached = table[table["status"] == "breached"].set_index(["parcel_id", "commitment"])
    assert sorted(breached.index) == [
        ("XH120104-05", "energy_tce_per_10k_cny"),
        ("XH120104-05", "output_per_mu_10k_cny"),
        ("XH120307-03", "tax_per_mu_10k_cny"),
    ]
    # the tax shortfall is paid back in full: (committed − actual) × 1.0 × mu
    tax = breached.loc[("XH120307-03", "tax_per_mu_10k_cny")]
    assert tax["committed"] == 65.0
    assert tax["actual"] == pytest.approx(51.60, abs=0.01)
    assert tax["penalty_10k_cny"] == pytest.approx((65.0 - tax["actual"]) * tax["mu"])
    assert tax["penalty_10k_cny"] == pytest.approx(190.23, abs=0.01)
    # a missed output or energy commitment costs 2 % of the transfer price, each
    price = ledger_price(sample_ledger_path, "XH120104-05")
    for key in ("output_per_mu_10k_cny", "energy_tce_per_10k_cny"):
        assert breached.loc[("XH120104-05", key), "penalty_10k_cny"] == pytest.approx(0.02 * price)
    assert table["penalty_10k_cny"].sum() == pytest.approx(228.46, abs=0.01)
    assert breached.loc[("XH120307-03", "tax_per_mu_10k_cny"), "duty_bearers"] == (
        "E0294, E0295, E0296"
    )


def ledger_price(path: Path, parcel_id: str) -> float:
    with Ledger.open(path, read_only=True) as ledger:
        supplied = ledger.events(stages=["supplied"], parcels=[parcel_id])
    return float(supplied["price_10k_cny"].iloc[-1])
