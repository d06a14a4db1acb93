"""available_spaces: which units of floor space are free on a day."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point

import landasset as la
from landasset.projects import available_spaces


def _units(status, since) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"status": status, "available_from": pd.to_datetime(since)},
        geometry=[Point(0, 0)] * len(status),
        index=pd.Index([f"S{i}" for i in range(len(status))], name="space_id"),
        crs="EPSG:4549",
    )


def test_the_rule():
    units = _units(
        ["vacant", "vacant", "vacant", "reserved", "let", None],
        ["2025-06-01", "2026-01-01", None, "2025-01-01", "2025-01-01", "2025-01-01"],
    )
    got = available_spaces(units, as_of="2026-01-01")
    assert got.name == "available" and got.index.equals(units.index)
    assert got.tolist() == [True, True, True, False, False, False]
    assert available_spaces(units, as_of="2025-12-31").tolist() == [
        True, False, True, False, False, False
    ]  # fmt: skip
    assert available_spaces(units, as_of=None).tolist() == [
        True, True, True, False, False, False
    ]  # fmt: skip
    assert available_spaces(units, as_of=dt.date(2025, 1, 1), include_reserved=True).tolist() == [
        False, False, True, True, False, False
    ]  # fmt: skip


def test_zero_rows_and_errors():
    empty = la.schema.empty_layer("spaces", "EPSG:4549")
    got = available_spaces(empty, as_of="2026-01-01")
    assert len(got) == 0 and got.dtype == bool
    with pytest.raises(la.LandassetKeyError, match="no 'status' column"):
        available_spaces(empty.drop(columns="status"), as_of=None)
    with pytest.raises(la.LandassetKeyError, match="no 'available_from' column"):
        available_spaces(empty.drop(columns="available_from"), as_of="2026-01-01")
    assert len(available_spaces(empty.drop(columns="available_from"), as_of=None)) == 0
    with pytest.raises(la.LandassetValueError, match="as_of='2026-13-01'"):
        available_spaces(empty, as_of="2026-13-01")
    with pytest.raises(la.LandassetTypeError, match="pass the spaces layer"):
        available_spaces([1, 2], as_of=None)  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(
    st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)),
    st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)),
)
def test_a_later_day_never_takes_a_unit_away(sample_site, a, b):
    spaces = sample_site.spaces
    early, late = sorted((a, b))
    before = available_spaces(spaces, as_of=early)
    after = available_spaces(spaces, as_of=late)
    assert not (before & ~after).any()
    assert (after <= available_spaces(spaces, as_of=None)).all()


def test_on_the_sample(sample_site):
    spaces = sample_site.spaces
    now = available_spaces(spaces, as_of="2025-12-31")
    vacant = spaces["status"] == "vacant"
    ready = spaces["available_from"] <= "2025-12-31"
    assert now.equals((vacant & ready).rename("available"))
    assert now.sum() < available_spaces(spaces, as_of="2027-12-31").sum() == vacant.sum()
    # the AI company's offices: 2,500-3,500 m², free by 2026-03-31, at most 80 元/㎡·月
    ai = la.load_project("ai_office")
    free = spaces[available_spaces(spaces, as_of=ai.wanted_by)]
    fits = free[
        free["area_m2"].between(ai.floor_area_m2_min, ai.floor_area_m2_max)
        & (free["rent_cny_m2_month"] <= ai.rent_max_cny_m2_month)
        & (free["kind"] == "office")
    ]
    assert len(fits) >= 3
