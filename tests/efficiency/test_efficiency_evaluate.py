"""evaluate() and by_parcel(): hand-computed scores, exact band sizes, missing data."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, box

from landasset import NoEnterpriseForYearWarning
from landasset.efficiency import Scheme, by_parcel, evaluate, load_scheme

YEAR = 2025
SIX = [
    "tax_per_mu_10k_cny",
    "value_added_per_mu_10k_cny",
    "labour_productivity_10k_cny",
    "value_added_per_tce_10k_cny",
    "value_added_per_t_emission_10k_cny",
    "rnd_intensity",
]


def _parcels(n: int = 4) -> gpd.GeoDataFrame:
    """``n`` parcels of 200 m × 100 m = 20,000 m² = 30 mu each, P1, P2, ..."""
    return gpd.GeoDataFrame(
        {"parcel_id": [f"P{i + 1}" for i in range(n)]},
        geometry=[box(300.0 * i, 0, 300.0 * i + 200, 100) for i in range(n)],
        crs="EPSG:4549",
    ).set_index("parcel_id")


def _firms(rows: dict[str, list[float]], ids: list[str] | None = None) -> pd.DataFrame:
    n = len(next(iter(rows.values())))
    ids = ids or [f"E{i + 1}" for i in range(n)]
    frame = pd.DataFrame(rows, index=pd.Index(ids, name="enterprise_id"))
    if "industry" not in frame:
        frame.insert(0, "industry", "smart_manufacturing")
    # above-scale manufacturers (code 34): in the scope of the bundled industrial schemes
    if "industry_code" not in frame:
        frame.insert(1, "industry_code", "34")
    if "above_scale" not in frame:
        frame.insert(2, "above_scale", True)
    return frame


# The four firms of the hand-computed examples, each on 10 mu of its own.
FOUR = _firms(
    {
        "land_mu": [10.0, 10.0, 10.0, 10.0],
        "tax_10k_cny": [500.0, 300.0, 300.0, 100.0],
        "value_added_10k_cny": [1000.0, 800.0, 500.0, 200.0],
        "employees": [10, 10, 10, 10],
        "energy_tce": [100.0, 100.0, 100.0, 100.0],
        "emissions_t": [10.0, 10.0, 0.0, 10.0],
        "rnd_10k_cny": [100.0, 50.0, 20.0, 0.0],
        "revenue_10k_cny": [1000.0, 1000.0, 1000.0, 1000.0],
    },
    ids=["W1", "W2", "W3", "W4"],
)


def test_zhejiang_hand_computed() -> None:
    ev = evaluate(FOUR, _parcels(), year=YEAR, scheme="zhejiang-2018")
    # Indicator values (per mu on 10 mu; per employee on 10; per tce on 100; per t on 10):
    #   tax/mu 50, 30, 30, 10; VA/mu 100, 80, 50, 20; labour 100, 80, 50, 20;
    #   VA/tce 10, 8, 5, 2; VA/t 100, 80, (zero emissions), 20; R&D 0.10, 0.05, 0.02, 0.
    assert ev["tax_per_mu_10k_cny"].tolist() == [50.0, 30.0, 30.0, 10.0]
    assert (
        ev.loc["W3", "value_added_per_t_emission_10k_cny"]
        != ev.loc["W3", "value_added_per_t_emission_10k_cny"]
    )  # NaN
    # Percentile rank = rank / n, ties share their mean rank (n = 4):
    #   tax: W1 4/4 = 1, W2 and W3 tie on ranks 2 and 3 → 2.5/4 = 0.625, W4 1/4 = 0.25
    #   VA/mu, labour, VA/tce, R&D: 1, 0.75, 0.5, 0.25
    #   VA/t: W3 has no emissions → full points (10); the others rank among 3:
    #   W1 3/3, W2 2/3, W4 1/3
    # Points (weights 30, 20, 10, 20, 10, 10):
    #   W1 = 30 + 20 + 10 + 20 + 10 + 10 = 100
    #   W2 = 18.75 + 15 + 7.5 + 15 + 6.667 + 7.5 = 70.417
    #   W3 = 18.75 + 10 + 5 + 10 + 10 + 5 = 58.75
    #   W4 = 7.5 + 5 + 2.5 + 5 + 3.333 + 2.5 = 25.833
    assert ev["tax_per_mu_10k_cny_points"].tolist() == [30.0, 18.75, 18.75, 7.5]
    assert ev["score"].tolist() == pytest.approx([100.0, 70 + 5 / 12, 58.75, 25 + 5 / 6])
    # Bands for n = 4: A ends at floor(4 × 0.20 + 0.5) = 1, B at floor(3.2 + 0.5) = 3,
    # C at floor(3.8 + 0.5) = 4 → W1 A, W2 and W3 B, W4 C (no D among four firms).
    assert ev["grade"].tolist() == ["A", "B", "B", "C"]
    assert ev["rank"].tolist() == [1, 2, 3, 4]
    assert (
        ev.loc["W3", "reasons"]
        == "zero emissions_t: full points for value_added_per_t_emission_10k_cny"
    )
    assert (ev["land_mu_source"] == "column").all()


def test_huangyan_hand_computed() -> None:
    firm = _firms(
        {
            "land_mu": [20.0],
            "tax_10k_cny": [600.0],
            "value_added_10k_cny": [2000.0],
            "employees": [100],
            "energy_tce": [500.0],
            "emissions_t": [0.5],
            "rnd_10k_cny": [150.0],
            "revenue_10k_cny": [5000.0],
        },
        ids=["H1"],
    )
    ev = evaluate(firm, _parcels(), year=YEAR, scheme="huangyan-2023")
    # tax/mu      600 / 20  = 30     → 30 / 24.097 × 30    = 37.3490
    # VA/mu      2000 / 20  = 100    → 100 / 136.16 × 20   = 14.6886
    # VA/tce     2000 / 500 = 4      → 4 / 2.694 × 20      = 29.6956
    # VA/t       2000 / 0.5 = 4000   → 4000 / 4929.81 × 10 = 8.1139
    # labour     2000 / 100 = 20     → 20 / 18.14 × 10     = 11.0254
    # R&D share   150 / 5000 = 0.03  → 0.03 / 0.0302 × 10  = 9.9338
    # score = 110.8063
    row = ev.loc["H1"]
    assert row["tax_per_mu_10k_cny_points"] == pytest.approx(37.3490476)
    assert row["value_added_per_t_emission_10k_cny"] == pytest.approx(4000.0)
    assert row["rnd_intensity"] == pytest.approx(0.03)
    assert row["score"] == pytest.approx(110.8063053)
    assert row["score"] == pytest.approx(
        30 / 24.097 * 30
        + 100 / 136.16 * 20
        + 4 / 2.694 * 20
        + 4000 / 4929.81 * 10
        + 20 / 18.14 * 10
        + 0.03 / 0.0302 * 10
    )
    # one graded firm: A ends at floor(1 × 0.20 + 0.5) = 0, B at floor(0.8 + 0.5) = 1 → B
    assert row["grade"] == "B"


def test_huangyan_on_the_four_firms() -> None:
    ev = evaluate(FOUR, _parcels(), year=YEAR, scheme="huangyan-2023")
    # W1: 50/24.097×30 + 100/136.16×20 + 10/2.694×20 + 100/4929.81×10 + 100/18.14×10 + 0.1/0.0302×10
    #   = 62.2484 + 14.6886 + 74.2390 + 0.2028 + 55.1268 + 33.1126 = 239.6183
    assert ev.loc["W1", "score"] == pytest.approx(239.6182860)
    # W3 has no emissions and the formula has no rule for it: not graded, and says why
    assert pd.isna(ev.loc["W3", "grade"])
    assert ev.loc["W3", "reasons"] == "not graded: zero emissions_t"
    assert np.isnan(ev.loc["W3", "score"])


def _generated(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    # few distinct values, so that many firms tie on scores
    return _firms(
        {
            "land_mu": rng.choice([10.0, 20.0], n),
            "tax_10k_cny": rng.choice([0.0, 100.0, 200.0], n),
            "value_added_10k_cny": rng.choice([100.0, 400.0], n),
            "employees": rng.choice([10, 20], n),
            "energy_tce": np.full(n, 50.0),
            "emissions_t": rng.choice([0.0, 5.0], n),
            "rnd_10k_cny": rng.choice([0.0, 30.0], n),
            "revenue_10k_cny": np.full(n, 1000.0),
        },
        ids=[f"E{i:04d}" for i in rng.permutation(n)],
    )


def test_one_thousand_firms_give_exact_band_sizes() -> None:
    firms = _generated(1000, seed=6)
    ev = evaluate(firms, _parcels(), year=YEAR)
    assert ev["score"].duplicated().sum() > 900  # heavy ties
    assert ev["grade"].value_counts().to_dict() == {"A": 200, "B": 600, "C": 150, "D": 50}
    # ties are broken by enterprise_id: along (score desc, id asc) grades never improve
    order = ev.assign(id=ev.index).sort_values(["score", "id"], ascending=[False, True])
    codes = order["grade"].map({"A": 0, "B": 1, "C": 2, "D": 3}).to_numpy()
    assert (np.diff(codes) >= 0).all()
    assert order["rank"].tolist() == list(range(1, 1001))
    # the same data in another row order gives the same grades
    shuffled = evaluate(firms.sample(frac=1, random_state=3), _parcels(), year=YEAR)
    pd.testing.assert_series_equal(shuffled.loc[ev.index, "grade"], ev["grade"])


def test_identical_firms_split_by_id() -> None:
    firms = _firms(
        {"land_mu": [10.0] * 20, "tax_10k_cny": [100.0] * 20},
        ids=[f"F{i:02d}" for i in range(19, -1, -1)],
    )
    scheme = Scheme.from_yaml(
        load_scheme("zhejiang-2018").to_yaml().split("indicators:")[0]
        + "indicators: [{name: tax_per_mu_10k_cny, weight: 100}]\n"
        + "grading:"
        + load_scheme("zhejiang-2018").to_yaml().split("grading:")[1]
    )
    ev = evaluate(firms, _parcels(), year=YEAR, scheme=scheme).sort_index()
    # 20 firms: A 4, B 12, C 3, D 1, in id order
    assert "".join(ev["grade"]) == "AAAA" + "B" * 12 + "CCC" + "D"


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=120),
    cuts=st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=4, unique=True),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_band_sizes_follow_rounded_cumulative_cuts(n: int, cuts: list[int], seed: int) -> None:
    edges = [0, *sorted(cuts), 100]
    grades = "ABCDE"[: len(edges) - 1]
    bands = "".join(
        f"    - {{grade: {g}, from: {lo}, to: {hi}}}\n"
        for g, lo, hi in zip(grades, edges, edges[1:], strict=False)
    )
    scheme = Scheme.from_yaml(
        "version: 1\nname: prop\nindicators: [{name: tax_per_mu_10k_cny, weight: 1}]\n"
        f"grading:\n  by: percentile\n  bands:\n{bands}"
    )
    rng = np.random.default_rng(seed)
    firms = _firms({"land_mu": np.full(n, 5.0), "tax_10k_cny": rng.choice([1.0, 2.0, 3.0], n)})
    ev = evaluate(firms, _parcels(), year=YEAR, scheme=scheme)
    counts = ev["grade"].value_counts()
    ends = [int(np.floor(n * e / 100 + 0.5)) for e in edges]
    for g, lo, hi in zip(grades, ends, ends[1:], strict=False):
        assert counts.get(g, 0) == hi - lo
    assert np.isfinite(ev["score"]).all()


# -- missing data ---------------------------------------------------------------------


def test_missing_and_zero_data_are_not_graded_with_reasons() -> None:
    parcels = _parcels()
    firms = pd.concat([FOUR] * 2)
    firms.index = pd.Index([f"Z{i}" for i in range(8)], name="enterprise_id")
    firms["parcel_id"] = ["P1", "P1", "P2", "P2", "P3", "P4", "P4", "P4"]
    firms.loc["Z0", "land_mu"] = 0.0  # zero land
    firms.loc["Z1", "land_mu"] = np.nan  # P1 shared with Z0 and no buildings
    firms.loc["Z2", "employees"] = 0  # zero denominator
    firms.loc["Z3", ["energy_tce", "rnd_10k_cny"]] = np.nan  # missing values
    firms.loc["Z4", "land_mu"] = np.nan  # P3 alone: the parcel's 30 mu
    firms.loc["Z5", "parcel_id"] = "P9"  # not a parcel
    firms.loc["Z5", "land_mu"] = np.nan
    ev = evaluate(firms, parcels, year=YEAR)
    reasons = ev["reasons"]
    assert reasons["Z0"] == "not graded: zero land area"
    assert reasons["Z1"] == (
        "not graded: no land area (parcel 'P1' has 2 tenants; give land_mu, or buildings and "
        "building_id to share it by floor area)"
    )
    assert reasons["Z2"] == "not graded: zero employees"
    assert reasons["Z3"] == "not graded: missing value(s): energy_tce, rnd_10k_cny"
    assert reasons["Z5"] == "not graded: no land area (parcel 'P9' is not in the parcels layer)"
    assert ev.loc["Z4", ["land_mu", "land_mu_source"]].tolist() == [
        pytest.approx(30.0),
        "sole_tenant",
    ]
    assert ev.loc[["Z0", "Z1", "Z2", "Z3", "Z5"], "grade"].isna().all()
    assert ev.loc[["Z0", "Z1", "Z2", "Z3", "Z5"], ["score", "rank"]].isna().all().all()
    assert ev.loc[["Z4", "Z6", "Z7"], "grade"].notna().all()
    numbers = ev.select_dtypes("number").to_numpy(dtype=float, na_value=np.nan)
    assert not np.isinf(numbers).any()
    # values that can be computed are still shown for ungraded firms
    assert ev.loc["Z2", "tax_per_mu_10k_cny"] == 30.0
    assert np.isnan(ev.loc["Z2", "labour_productivity_10k_cny"])


def test_missing_columns_are_named() -> None:
    firms = FOUR.drop(columns=["energy_tce", "emissions_t"])
    ev = evaluate(firms, _parcels(), year=YEAR)
    assert ev["grade"].isna().all()
    assert set(ev["reasons"]) == {"not graded: missing column(s): energy_tce, emissions_t"}
    assert "value_added_per_tce_10k_cny" in ev.columns  # the column is there, all missing
    assert ev["value_added_per_tce_10k_cny"].isna().all()


def test_no_land_at_all() -> None:
    firms = FOUR.drop(columns=["land_mu"])
    ev = evaluate(firms, _parcels(), year=YEAR)
    assert set(ev["reasons"]) == {
        "not graded: no land area (no land_mu, parcel_id, building or containing parcel)"
    }
    assert ev["land_mu_source"].isna().all()


def test_other_years_are_not_graded() -> None:
    firms = FOUR.assign(year=pd.array([2025, 2024, None, 2025], dtype="Int64"))
    ev = evaluate(firms, _parcels(), year=2025)
    assert ev.loc["W2", "reasons"] == "not graded: data for 2024, not 2025"
    assert ev["grade"].notna().sum() == 3  # a missing year is taken as the year evaluated


def test_a_year_nobody_has_warns_and_grades_nobody() -> None:
    firms = FOUR.assign(year=pd.array([2024, 2023, 2024, 2023], dtype="Int64"))
    with pytest.warns(NoEnterpriseForYearWarning, match=r"year 1999.*year\(s\): 2023, 2024"):
        ev = evaluate(firms, _parcels(), year=1999)
    assert ev["grade"].isna().all()
    assert set(ev["reasons"]) == {
        "not graded: data for 2024, not 1999",
        "not graded: data for 2023, not 1999",
    }


def test_a_year_some_have_does_not_warn() -> None:
    firms = FOUR.assign(year=pd.array([2024, 2023, None, 2023], dtype="Int64"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ev = evaluate(firms, _parcels(), year=2024)  # the row with no year counts as 2024
    assert ev["grade"].notna().sum() == 2


def test_empty_enterprises() -> None:
    ev = evaluate(FOUR.iloc[:0], _parcels(), year=YEAR)
    assert len(ev) == 0
    assert {"land_mu", "score", "grade", "reasons", *SIX} <= set(ev.columns)


# -- land area ---------------------------------------------------------------------------


def test_land_mu_sources() -> None:
    parcels = _parcels()
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["B1", "B2"],
            "parcel_id": ["P1", None],  # B2 is given to P1 by overlap
            "gfa_m2": [3000.0, 1000.0],
        },
        geometry=[box(0, 0, 50, 50), box(100, 0, 150, 50)],
        crs="EPSG:4549",
    ).set_index("building_id")
    firms = gpd.GeoDataFrame(
        {
            "industry": ["ai"] * 6,
            "parcel_id": ["P1", "P1", "P1", "P2", None, "P3"],
            "building_id": ["B1", "B1", "B2", None, None, None],
            "floor_area_m2": [np.nan, np.nan, 400.0, np.nan, np.nan, np.nan],
            "land_mu": [np.nan, np.nan, np.nan, np.nan, np.nan, 7.0],
            "tax_10k_cny": [100.0] * 6,
        },
        geometry=[
            Point(10, 10),
            Point(20, 20),
            Point(110, 10),
            Point(310, 10),
            Point(910, 50),
            Point(610, 10),
        ],
        crs="EPSG:4549",
        index=pd.Index(["F1", "F2", "F3", "F4", "F5", "F6"], name="enterprise_id"),
    )
    scheme = Scheme.from_yaml(
        "version: 1\nname: t\nindicators: [{name: tax_per_mu_10k_cny, weight: 100, benchmark: 10}]\n"
        "grading: {by: score, bands: [{grade: A, min: 50}, {grade: B, min: null}]}"
    )
    ev = evaluate(firms, parcels, year=YEAR, scheme=scheme, buildings=buildings)
    # P1 is 30 mu with 4,000 m² of floor area: F1 and F2 share B1 (3,000 m²) → 1,500 m²
    # each → 30 × 1500 / 4000 = 11.25 mu; F3 rents 400 m² of B2 → 30 × 400 / 4000 = 3 mu.
    assert ev["land_mu"].tolist() == pytest.approx([11.25, 11.25, 3.0, 30.0, 30.0, 7.0])
    assert ev["land_mu_source"].tolist() == [
        "floor_area_share",
        "floor_area_share",
        "floor_area_share",
        "sole_tenant",  # P2 has F4 only
        "sole_tenant",  # F5 has no parcel_id: its point lies in P4
        "column",
    ]
    assert ev.loc["F5", "parcel_id"] == "P4"
    assert ev.loc["F3", "tax_per_mu_10k_cny"] == pytest.approx(100 / 3)


def test_enterprise_id_column_and_geodataframe_input() -> None:
    firms = FOUR.reset_index()
    ev = evaluate(firms, _parcels(), year=YEAR)
    assert ev.index.name == "enterprise_id"
    assert ev.index.tolist() == ["W1", "W2", "W3", "W4"]


# -- vetoes, exemptions, bonuses, groups ---------------------------------------------------

SCORED = """
version: 1
name: scored
indicators: [{name: tax_per_mu_10k_cny, weight: 100, benchmark: 10, cap: 1.2}]
grading:
  by: score
  bands: [{grade: A, min: 90}, {grade: B, min: 60}, {grade: C, min: 30}, {grade: D, min: null}]
bonuses: [{column: high_tech, points: 5}]
vetoes: [{column: incident}]
exemptions: [{column: first_year}]
"""


def test_veto_bars_a_and_b_and_exemption_spares_d() -> None:
    firms = _firms(
        {
            "land_mu": [10.0] * 6,
            "tax_10k_cny": [100.0, 10.0, 10.0, 100.0, 10.0, 500.0],
            "incident": [True, False, True, False, True, False],
            "first_year": [False, True, False, True, True, False],
        },
        ids=["V1", "V2", "V3", "V4", "V5", "V6"],
    )
    ev = evaluate(firms, _parcels(), year=YEAR, scheme=Scheme.from_yaml(SCORED))
    # scores: tax/mu ÷ 10 × 100, capped at 1.2 × 100: 100, 10, 10, 100, 10, 120
    assert ev["score"].tolist() == [100.0, 10.0, 10.0, 100.0, 10.0, 120.0]
    assert ev["grade"].tolist() == [
        "C",  # A, vetoed → at best C
        "C",  # D, first year → at worst C
        "D",  # D with an incident stays D
        "A",  # A in its first year stays A
        "C",  # D, first year and incident → C
        "A",
    ]
    assert ev.loc["V1", "reasons"] == "veto (incident): at best C"
    assert ev.loc["V2", "reasons"] == "exemption (first_year): at worst C"


def test_veto_in_the_default_percentile_scheme() -> None:
    firms = FOUR.assign(incident=[True, False, False, False])
    ev = evaluate(firms, _parcels(), year=YEAR)
    assert ev.loc["W1", "grade"] == "C"
    assert ev.loc["W1", "rank"] == 1  # still ranked first on its score


def test_bonus_points() -> None:
    firms = _firms(
        {
            "land_mu": [10.0] * 3,
            "tax_10k_cny": [50.0] * 3,
            "high_tech": pd.array([True, False, None], dtype="boolean"),
        }
    )
    ev = evaluate(firms, _parcels(), year=YEAR, scheme=Scheme.from_yaml(SCORED))
    assert ev["bonus_points"].tolist() == [5.0, 0.0, 0.0]
    assert ev["score"].tolist() == [55.0, 50.0, 50.0]


def test_absent_flag_columns_are_noted() -> None:
    ev = evaluate(FOUR, _parcels(), year=YEAR)
    assert ev.attrs["notes"] == [
        "column 'incident' absent: its bonus/veto/exemption was not applied",
        "column 'first_year' absent: its bonus/veto/exemption was not applied",
    ]
    assert ev.attrs["scheme"] == "zhejiang-2018"


def test_grading_within_groups() -> None:
    text = (
        load_scheme("zhejiang-2018")
        .to_yaml()
        .replace("  by: percentile\n", "  by: percentile\n  group_by: industry\n")
    )
    scheme = Scheme.from_yaml(text)
    firms = _generated(40, seed=1)
    firms["industry"] = ["ai"] * 20 + ["bio"] * 20
    ev = evaluate(firms, _parcels(), year=YEAR, scheme=scheme)
    counts = ev.groupby("industry")["grade"].value_counts().unstack()
    assert counts.loc["ai"].tolist() == [4, 12, 3, 1]
    assert counts.loc["bio"].tolist() == [4, 12, 3, 1]
    assert ev.groupby("industry")["rank"].max().tolist() == [20, 20]


def test_unknown_scheme_name() -> None:
    from landasset import ProfileError

    with pytest.raises(ProfileError, match="is not a bundled scheme"):
        evaluate(FOUR, _parcels(), year=YEAR, scheme="zhejiang")


# -- by_parcel ---------------------------------------------------------------------------


def test_by_parcel_is_area_weighted() -> None:
    firms = FOUR.assign(parcel_id=["P1", "P1", "P2", "P2"], land_mu=[10.0, 30.0, 5.0, 15.0])
    ev = evaluate(firms, _parcels(), year=YEAR)
    table = by_parcel(ev, _parcels())
    # P1: tax 500 + 300 on 10 + 30 mu → 800 / 40 = 20 per mu (= (50×10 + 10×30) / 40)
    assert table.loc["P1", "tax_per_mu_10k_cny"] == pytest.approx(20.0)
    assert table.loc["P1", "land_mu"] == 40.0
    # score: land-weighted mean of the two scores
    expected = (ev.loc["W1", "score"] * 10 + ev.loc["W2", "score"] * 30) / 40
    assert table.loc["P1", "score"] == pytest.approx(expected)
    assert table.loc["P2", "worst_grade"] == ev.loc[["W3", "W4"], "grade"].max()
    assert table.loc["P3", "tenants"] == 0
    assert np.isnan(table.loc["P3", "score"])
    assert table[["tenants_A", "tenants_B", "tenants_C", "tenants_D"]].sum().sum() == 4
    assert table.index.equals(_parcels().index)


# -- scope: which firms a scheme grades ---------------------------------------------------

TAX_ONLY_SCOPED = """
version: 1
name: scoped
scope:
  industry_codes: ['13-15', '34']
  land_uses: [industrial, B1]
  size: above_scale
  above_scale_revenue_10k_cny: 2000
indicators: [{name: tax_per_mu_10k_cny, weight: 100, benchmark: percentile}]
grading: {by: percentile, bands: [{grade: A, from: 0, to: 50}, {grade: B, from: 50, to: 100}]}
"""


def test_scope_grades_only_the_firms_it_names() -> None:
    parcels = _parcels(4).assign(land_use=["M1", "B1", "R2", None])
    firms = pd.DataFrame(
        {
            "industry_code": ["C3411", "14", "65", "34", "34", None, "34", "34"],
            "parcel_id": ["P1", "P1", "P1", "P2", "P3", "P1", "P4", "P1"],
            "land_mu": [5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0],
            "tax_10k_cny": [100.0, 50.0, 900.0, 10.0, 800.0, 700.0, 600.0, 400.0],
            "above_scale": [True, None, True, True, True, True, True, False],
            "revenue_10k_cny": [100.0, 2000.0, 9000.0, 3000.0, 9000.0, 9000.0, 9000.0, 9000.0],
        },
        index=pd.Index([f"S{i}" for i in range(1, 9)], name="enterprise_id"),
    )
    ev = evaluate(firms, parcels, year=YEAR, scheme=Scheme.from_yaml(TAX_ONLY_SCOPED))
    # S1 (C3411 → 34, flagged above scale although its revenue is small: the flag wins),
    # S2 (14, no flag: revenue 2000 ≥ 2000) and S4 (34 on commercial land B1) are in scope
    assert ev["in_scope"].tolist() == [True, True, False, True, False, False, False, False]
    # ranked among themselves only: tax per mu 20, 10, 2 → ranks 1, 2, 3; A = top 50 %
    # (floor(3 × 0.5 + 0.5) = 2 firms)
    assert ev["grade"].tolist()[:2] == ["A", "A"] and ev.loc["S4", "grade"] == "B"
    assert ev.loc["S1", "tax_per_mu_10k_cny_points"] == pytest.approx(100.0)  # 3/3 × 100
    head = "not graded: out of scope of 'scoped' (industries 13-15, 34; land industrial, B1; above-scale firms): "
    assert ev.loc["S3", "reasons"] == head + "industry 65"
    assert ev.loc["S5", "reasons"] == head + "land use R2"
    assert ev.loc["S6", "reasons"] == head + "no industry_code"
    assert (
        ev.loc["S7", "reasons"] == head + "no land use (no parcel, or the parcel has no land_use)"
    )
    assert ev.loc["S8", "reasons"] == head + "small firm"
    assert ev.loc[~ev["in_scope"], ["score", "rank", "grade"]].isna().all().all()
    assert ev.attrs["scope"] == "industries 13-15, 34; land industrial, B1; above-scale firms"


def test_scope_size_needs_a_flag_or_a_threshold() -> None:
    small = Scheme.from_yaml(
        TAX_ONLY_SCOPED.replace("size: above_scale", "size: small")
        .replace("  above_scale_revenue_10k_cny: 2000\n", "")
        .replace("  land_uses: [industrial, B1]\n", "")
    )
    firms = pd.DataFrame(
        {
            "industry_code": ["34", "34", "34"],
            "parcel_id": ["P1", "P2", "P3"],
            "tax_10k_cny": [100.0, 50.0, 10.0],
            "above_scale": pd.array([False, None, True], dtype="boolean"),
            "revenue_10k_cny": [100.0, 100.0, 100.0],
        },
        index=pd.Index(["M1", "M2", "M3"], name="enterprise_id"),
    )
    ev = evaluate(firms, _parcels(3), year=YEAR, scheme=small)
    assert ev["in_scope"].tolist() == [True, False, False]
    assert ev.loc["M2", "reasons"].endswith("size unknown (no above_scale value)")
    assert ev.loc["M3", "reasons"].endswith("above-scale firm")
    no_code = evaluate(firms.drop(columns="industry_code"), _parcels(3), year=YEAR, scheme=small)
    assert no_code["reasons"].str.endswith(
        "no industry_code column; size unknown (no above_scale value)"
    ).tolist() == [
        False,
        True,
        False,
    ]


def test_the_bundled_scopes_split_industrial_and_services_firms() -> None:
    firms = _firms(
        {
            "industry_code": ["34", "34", "65", "51", "73", "64"],
            "above_scale": [True, False, True, True, False, True],
            "land_mu": [10.0] * 6,
            "tax_10k_cny": [100.0] * 6,
        }
    )
    graded = {
        name: evaluate(firms, _parcels(), year=YEAR, scheme=name)["in_scope"].tolist()
        for name in ("zhejiang-2018", "zhejiang-2018-small", "zhejiang-2018-services")
    }
    assert graded == {
        "zhejiang-2018": [True, False, False, False, False, False],
        "zhejiang-2018-small": [False, True, False, False, False, False],
        "zhejiang-2018-services": [False, False, True, True, True, True],
    }


@settings(max_examples=40, deadline=None)
@given(
    taxes=st.lists(st.floats(1.0, 1000.0), min_size=2, max_size=12),
    outsiders=st.lists(
        st.tuples(st.sampled_from(["65", "51", "73", None]), st.floats(1.0, 1e4)), max_size=8
    ),
)
def test_firms_out_of_scope_never_change_the_grades_of_the_others(taxes, outsiders) -> None:
    inside = _firms({"land_mu": [10.0] * len(taxes), "tax_10k_cny": taxes})
    extra = pd.DataFrame(
        {
            "industry": "software",
            "industry_code": [code for code, _ in outsiders],
            "above_scale": True,
            "land_mu": 10.0,
            "tax_10k_cny": [tax for _, tax in outsiders],
        },
        index=pd.Index([f"X{i}" for i in range(len(outsiders))], name="enterprise_id"),
    )
    scheme = Scheme.from_yaml(TAX_ONLY_SCOPED.replace("  land_uses: [industrial, B1]\n", ""))
    alone = evaluate(inside, _parcels(), year=YEAR, scheme=scheme)
    mixed = evaluate(pd.concat([inside, extra]), _parcels(), year=YEAR, scheme=scheme)
    pd.testing.assert_series_equal(mixed.loc[inside.index, "grade"], alone["grade"])
    pd.testing.assert_series_equal(mixed.loc[inside.index, "score"], alone["score"])
    assert mixed.loc[extra.index, "grade"].isna().all()
    assert mixed["in_scope"].sum() == len(inside)
