"""One meaning of ``as_of``: the score and the maps count the same stations open.

The sample's station ST06 (云谷北站) opens on 2027-12-28. On 2025-12-31 it is
planned: the walking distance leaves it out and the maps draw it hollow. With no
date (``as_of=None``) every station counts and every station is drawn open. The
oracle for the distances is the walking distance to an explicit subset of the
stations (no date involved).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

import landasset as la
from landasset.measures import compute, walk_distance
from landasset.suitability import Criterion, SuitabilityModel, best_fit, linear
from landasset.viz import maps

PLANNED = "ST06"
DAY = "2025-12-31"


def _offsets(ax: Any, gid: str) -> set[tuple[float, float]]:
    found = [c for c in ax.collections if c.get_gid() == gid]
    if not found:
        return set()
    (coll,) = found
    return {(round(float(x), 3), round(float(y), 3)) for x, y in coll.get_offsets()}


def _points(stations: Any) -> set[tuple[float, float]]:
    return {(round(p.x, 3), round(p.y, 3)) for p in stations.geometry}


@pytest.fixture(scope="module")
def model() -> SuitabilityModel:
    return SuitabilityModel([Criterion("walk", {"measure": "walk_distance"}, linear(3000, 0), 1.0)])


@pytest.mark.parametrize("as_of", [None, DAY, dt.date(2025, 12, 31)])
def test_score_and_maps_count_the_planned_station_alike(
    sample_site: la.Site, model: SuitabilityModel, as_of: Any
) -> None:
    stations = sample_site.stations
    assert stations.loc[PLANNED, "opening_date"] is not None
    day = None if as_of is None else pd.Timestamp(DAY)
    opening = pd.to_datetime(stations["opening_date"])
    open_ids = stations.index if day is None else stations.index[~(opening > day)]
    assert (PLANNED in open_ids) == (as_of is None)

    result = model.score(sample_site, as_of=as_of)
    assert result.attrs["as_of"] == day or (day is None and result.attrs["as_of"] is None)
    # the score counted exactly the stations open on the day
    expected = walk_distance(sample_site.parcels, stations.loc[open_ids], sample_site.streets)
    np.testing.assert_allclose(
        result["m_walk"].to_numpy(), expected.reindex(result.index).to_numpy(), rtol=1e-9
    )

    # the maps draw exactly those stations open, the rest hollow
    drawn = [
        maps.plot_scores(result, site=sample_site),  # the day from result.attrs
        maps.plot_scores(result, site=sample_site, as_of=as_of),
        maps.plot_site(sample_site, as_of=as_of, amenities=False),
    ]
    for ax in drawn:
        assert _offsets(ax, "stations_open") == _points(stations.loc[open_ids])
        assert _offsets(ax, "stations_planned") == _points(stations.drop(index=open_ids))
        assert ("as of latest" if day is None else f"as of {DAY}") in ax.get_title()


def test_the_planned_station_changes_the_distance(
    sample_site: la.Site, model: SuitabilityModel
) -> None:
    """Without this the test above could not tell the two meanings apart."""
    every = model.score(sample_site)["m_walk"]
    dated = model.score(sample_site, as_of=DAY)["m_walk"]
    assert (every < dated - 1.0).any()
    assert (every <= dated + 1e-9).all()


@pytest.mark.parametrize("as_of", [None, DAY])
def test_every_result_carries_its_day(sample_site: la.Site, as_of: Any) -> None:
    day = None if as_of is None else pd.Timestamp(DAY)
    table = compute(sample_site, ["area_mu"], as_of=as_of)
    fit = best_fit(sample_site, ["aerospace", "ai"], as_of=as_of)
    for got in (table.attrs["as_of"], fit.attrs["as_of"]):
        assert (got is None) if day is None else (got == day and isinstance(got, pd.Timestamp))


@pytest.mark.parametrize("bad", ["2025/12/31", "2025-12", "today", 20251231, "2025-02-30"])
def test_a_map_refuses_what_the_score_refuses(sample_site: la.Site, bad: Any) -> None:
    with pytest.raises(la.LandassetError, match="is not a date"):
        maps.plot_site(sample_site, as_of=bad, amenities=False)
    with pytest.raises(la.LandassetError, match="is not a date"):
        compute(sample_site, ["area_mu"], as_of=bad)
