import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box

from landasset import CRSError, ProfileError, SchemaError
from landasset.suitability import assemble, load_profile


def _result(scores, *, eligible=None, cols=3, gap=0.0, crs="EPSG:4549"):
    """A grid of 100 m squares (15 mu each), row-major, ``gap`` metres apart."""
    n = len(scores)
    step = 100.0 + gap
    geoms = [
        box(
            (i % cols) * step, (i // cols) * step, (i % cols) * step + 100, (i // cols) * step + 100
        )
        for i in range(n)
    ]
    return gpd.GeoDataFrame(
        {"score": scores, "eligible": eligible if eligible is not None else [True] * n},
        geometry=geoms,
        index=pd.Index([f"Q{i}" for i in range(n)], name="parcel_id"),
        crs=crs,
    )


def _connected(geometry) -> bool:
    return isinstance(shapely.union_all(geometry), shapely.Polygon)


def test_groups_of_adjacent_parcels_meet_the_demand():
    # 3 × 3 grid, 15 mu each; a 40 mu project needs three adjacent parcels
    scores = [0.9, 0.8, 0.1, 0.7, 0.95, 0.2, 0.1, 0.3, 0.6]
    sites = assemble(_result(scores), demand_mu=40, max_parcels=3)
    assert len(sites) > 0
    assert (sites["area_mu"] >= 40).all() and (sites["n_parcels"] == 3).all()
    np.testing.assert_allclose(sites["area_mu"], 45.0)
    assert sites["score"].is_monotonic_decreasing
    assert sites["rank"].tolist() == list(range(1, len(sites) + 1))
    for geom in sites.geometry:
        assert isinstance(geom, shapely.Polygon)  # dissolved and connected
    best = sites.iloc[0]
    # Q4 (0.95) with Q0 (0.9) is not adjacent (diagonal); Q4, Q1 (0.8) and Q0 are an L
    assert set(best["parcel_ids"].split(",")) == {"Q0", "Q1", "Q4"}
    assert best["parcel_ids"].split(",")[0] == "Q4"  # best-scoring first
    assert best["score"] == pytest.approx((0.95 + 0.9 + 0.8) / 3)
    assert best["min_score"] == 0.8 and best["excess_mu"] == pytest.approx(5.0)
    assert sites.index.name == "site_id" and sites.index[0] == "S0001"


def test_every_site_is_connected_and_unique():
    rng = np.random.default_rng(3)
    res = _result(rng.random(16).tolist(), cols=4)
    sites = assemble(res, demand_mu=50, max_parcels=4, beam=3)
    assert len(sites) > 5 and sites["parcel_ids"].is_unique
    for ids in sites["parcel_ids"]:
        assert _connected(res.loc[ids.split(",")].geometry)


def test_a_large_parcel_is_a_site_by_itself_and_filters_apply():
    res = _result([0.5, 0.9, 0.4], cols=3)
    res.loc["Q1", "geometry"] = box(100, 0, 200, 300)  # 45 mu
    sites = assemble(res, demand_mu=40)
    assert sites.iloc[0]["parcel_ids"] == "Q1" and sites.iloc[0]["n_parcels"] == 1
    none = assemble(_result([0.9, 0.9], eligible=[True, False]), demand_mu=25)
    assert len(none) == 0 and list(none.columns)[-1] == "geometry"
    low = assemble(_result([0.9, 0.1, 0.9]), demand_mu=25, min_score=0.5)
    assert len(low) == 0  # Q0 and Q2 are not adjacent once Q1 is filtered out
    limited = assemble(_result([0.9, 0.8, 0.7, 0.6], cols=4), demand_mu=25, limit=1)
    assert len(limited) == 1


def test_tolerance_bridges_a_street():
    res = _result([0.9, 0.8], gap=20.0)
    assert len(assemble(res, demand_mu=25)) == 0
    bridged = assemble(res, demand_mu=25, tolerance_m=25.0)
    assert bridged.iloc[0]["parcel_ids"] == "Q0,Q1"
    assert isinstance(bridged.geometry.iloc[0], shapely.MultiPolygon)


def test_invalid_arguments():
    res = _result([0.9, 0.8])
    with pytest.raises(ProfileError, match="demand_mu must be a number > 0"):
        assemble(res, demand_mu=0)
    with pytest.raises(ProfileError, match="max_parcels must be a whole number"):
        assemble(res, demand_mu=10, max_parcels=2.5)
    with pytest.raises(SchemaError, match="no 'eligible' column"):
        assemble(res.drop(columns="eligible"), demand_mu=10)
    with pytest.raises(CRSError):
        assemble(res.set_crs("EPSG:4326", allow_override=True), demand_mu=10)


def test_on_the_sample(sample_site):
    result = load_profile("smart_manufacturing").score(sample_site, as_of="2025-12-31")
    sites = assemble(result, demand_mu=150, max_parcels=4, min_score=0.5)
    assert len(sites) > 0 and (sites["area_mu"] >= 150).all()
    for ids in sites["parcel_ids"].head(5):
        members = result.loc[ids.split(",")]
        assert members["eligible"].all() and (members["score"] >= 0.5).all()
        assert shapely.union_all(members.geometry.buffer(1.0)).geom_type == "Polygon"


def test_zero_rows():
    empty = _result([0.5]).iloc[:0]
    sites = assemble(empty, demand_mu=10)
    assert len(sites) == 0 and sites.crs == empty.crs
