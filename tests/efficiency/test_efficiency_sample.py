"""The operation analytics on the bundled Yunqi sample district."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import landasset as la
from landasset.efficiency import (
    by_parcel,
    evaluate,
    industry_mix,
    land_indicators,
    renewal_candidates,
    tenant_quality,
)

OLD_PARK = "老园区"
LEADING = ["aerospace_information", "artificial_intelligence", "smart_manufacturing", "life_health"]


@pytest.fixture(scope="module")
def evaluation(sample_site: la.Site) -> pd.DataFrame:
    return evaluate(
        sample_site.enterprises, sample_site.parcels, year=2025, buildings=sample_site.buildings
    )


def _zone(site: la.Site, parcel_ids: pd.Series) -> pd.Series:
    return parcel_ids.map(site.parcels["zone"])


ZHEJIANG = ("zhejiang-2018", "zhejiang-2018-small", "zhejiang-2018-services")


def test_every_sample_firm_is_graded_by_one_zhejiang_scheme_with_exact_bands(
    sample_site: la.Site, evaluation: pd.DataFrame
) -> None:
    ent = sample_site.enterprises
    graded_by = pd.Series(0, index=ent.index.astype(str))
    for name in ZHEJIANG:
        ev = (
            evaluation
            if name == "zhejiang-2018"
            else evaluate(
                ent, sample_site.parcels, year=2025, scheme=name, buildings=sample_site.buildings
            )
        )
        graded = ev["grade"].notna()
        # the sample has every figure: a firm in scope is graded, one out of scope is
        # not, and says why
        assert graded.equals(ev["in_scope"])
        assert (
            ev.loc[~graded, "reasons"].str.startswith(f"not graded: out of scope of {name!r}").all()
        )
        graded_by += graded.astype(int)
        n = int(graded.sum())
        counts = ev["grade"].value_counts()
        for grade, start, end in (("A", 0, 20), ("B", 20, 80), ("C", 80, 95), ("D", 95, 100)):
            assert counts[grade] == np.floor(n * end / 100 + 0.5) - np.floor(n * start / 100 + 0.5)
        assert set(ev["land_mu_source"].dropna()) <= {"column", "floor_area_share", "sole_tenant"}
        assert not np.isinf(ev.select_dtypes("number").to_numpy(dtype=float, na_value=np.nan)).any()
    # the three scopes split the firms: each is graded by exactly one scheme
    assert (graded_by == 1).all()


def test_the_industrial_scheme_leaves_services_firms_out(
    sample_site: la.Site, evaluation: pd.DataFrame
) -> None:
    code = sample_site.enterprises["industry_code"].astype(str).str[:2]
    services = code.isin(["51", "64", "65", "73"]).to_numpy()
    assert evaluation.loc[services, "grade"].isna().all()
    assert evaluation.loc[services, "reasons"].str.contains("industry (?:51|64|65|73)").all()
    # SAMPLE FIGURES (the sample district as bundled; they change with it): 353 of 592
    # firms are graded by zhejiang-2018 (A 71, B 211, C 53, D 18); the 239 others are
    # services firms (software, internet, research, wholesale) and small industrial ones
    assert evaluation["grade"].value_counts().reindex(list("ABCD")).tolist() == [71, 211, 53, 18]


def test_the_old_park_grades_worst(sample_site: la.Site, evaluation: pd.DataFrame) -> None:
    zone = _zone(sample_site, evaluation["parcel_id"])
    d_zones = zone[evaluation["grade"] == "D"]
    assert (d_zones == OLD_PARK).mean() >= 0.8
    assert (zone[evaluation["grade"] == "A"] != OLD_PARK).all()
    median = evaluation.groupby(zone)["tax_per_mu_10k_cny"].median()
    assert median[OLD_PARK] < 0.25 * median[["云栖", "云谷"]].min()  # the new tech parks


def test_the_old_park_shows_up_in_renewal_candidates(
    sample_site: la.Site, evaluation: pd.DataFrame
) -> None:
    candidates = renewal_candidates(sample_site, evaluation)
    old = sample_site.parcels.index[sample_site.parcels["zone"] == OLD_PARK]
    listed = candidates.index.intersection(old)
    assert len(listed) >= 0.5 * len(old)
    assert (candidates["zone"].iloc[:10] == OLD_PARK).sum() >= 8  # they head the list
    # every old-park parcel with a D tenant is on the list, with the reason
    per_parcel = by_parcel(evaluation, sample_site.parcels)
    with_d = per_parcel.index[(per_parcel["tenants_D"] > 0)].intersection(old)
    assert len(with_d) > 0
    assert set(with_d) <= set(listed)
    assert candidates.loc[with_d, "reasons"].str.contains("in grade D").all()
    # ranked by gain, best first
    gains = candidates["gain_10k_cny"].to_numpy()
    assert (np.diff(gains[~np.isnan(gains)]) <= 1e-9).all()
    # parcels in renewal already are kept, marked by their stage (the parcels' stage column)
    assert set(candidates["stage"]) <= {"operating", "renewal"}


def test_land_indicators_on_the_sample(sample_site: la.Site) -> None:
    table = land_indicators(
        sample_site.parcels, sample_site.buildings, enterprises=sample_site.enterprises
    )
    zone = sample_site.parcels["zone"]
    far_fail = table["far_ok"].eq(False).groupby(zone).mean()
    # SAMPLE FIGURE (the sample district's old park): half of its parcels fail the FAR
    # minimum once storeys over 8 m count twice (39 of 78; 57 with the plain FAR)
    assert far_fail[OLD_PARK] >= 0.4
    assert far_fail[OLD_PARK] > 2 * far_fail.drop(OLD_PARK).max()
    # counting tall storeys twice only raises FAR: every parcel failing it fails plain FAR
    industrial = table["far_industrial"].notna()
    assert (table.loc[industrial, "far_industrial"] >= table.loc[industrial, "far"]).all()
    failing = table["far_ok"].eq(False).fillna(False)
    assert (table.loc[failing, "far"] < table.loc[failing, "far_min"]).all()
    # residential and commercial parcels are not judged by industrial rules
    residential = sample_site.parcels["land_use"].isin(["R2", "0701", "B1", "B2"])
    assert table.loc[residential, "passes"].isna().all()


def test_tenant_quality_and_industry_mix_on_the_sample(sample_site: la.Site) -> None:
    quality = tenant_quality(sample_site.enterprises, leading_industries=LEADING)
    assert quality.index.equals(sample_site.enterprises.index)
    assert (~quality.loc[sample_site.enterprises["industry"] == "other", "leading_industry"]).all()
    mix = industry_mix(sample_site)
    assert OLD_PARK in mix.index.get_level_values("zone")
    shares = mix["floor_area_share"].groupby(level="zone").sum()
    assert shares.to_numpy() == pytest.approx(np.ones(len(shares)))
    assert mix["enterprises"].sum() == len(sample_site.enterprises)


def test_renewal_candidates_with_the_sample_ledger(
    sample_site: la.Site, evaluation: pd.DataFrame, tmp_path: Path
) -> None:
    from landasset.lifecycle import Ledger, sample_events

    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        ledger.record_many(sample_events(sample_site))
        now = renewal_candidates(sample_site, evaluation, ledger=ledger, as_of="2025-12-31")
        before = renewal_candidates(sample_site, evaluation, ledger=ledger, as_of="2020-01-01")
    old_now = now[now["zone"] == OLD_PARK]
    assert len(old_now) > 0
    assert set(old_now["stage"]) == {"operating", "renewal"}  # some renewal under way
    assert (before["stage"] == "operating").all()  # before 2024 nothing was in renewal
    assert (before["zone"].iloc[:10] == OLD_PARK).sum() >= 8
