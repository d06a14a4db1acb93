"""Land control indicators, tenant quality, renewal candidates and industry mix."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Point, Polygon, box

import landasset as la
from landasset.efficiency import (
    FAR_MIN_BY_INDUSTRY,
    Scheme,
    evaluate,
    far_minimum,
    industry_mix,
    land_indicators,
    renewal_candidates,
    tenant_quality,
)
from landasset.investment import read_investment_minimums

# -- the national FAR table (国土资发〔2008〕24号) ------------------------------------------

TABLE = {
    1.0: ["13", "14", "15", "16", "18", "19", "24", "30", "40", "41", "42"],
    0.8: ["17", "20", "21", "22", "23", "28", "29"],
    0.7: ["27", "31", "34", "35", "36", "37", "39", "43"],
    0.6: ["26", "32", "33"],
    0.5: ["25"],
}


@pytest.mark.parametrize(
    ("far", "code"), [(far, code) for far, codes in TABLE.items() for code in codes]
)
def test_far_minimum_by_industry_code(far: float, code: str) -> None:
    assert FAR_MIN_BY_INDUSTRY[code] == far
    assert far_minimum([code]).iloc[0] == far
    # one code gives one value (not a value per character of the text)
    assert far_minimum(code) == far
    assert isinstance(far_minimum(code), float)
    assert far_minimum(int(code)) == far
    assert far_minimum(f"C{code}11") == far


def test_far_minimum_of_one_code_outside_the_table_is_nan() -> None:
    listed = {c for codes in TABLE.values() for c in codes}
    for number in range(1, 100):
        code = f"{number:02d}"
        if code not in listed:
            assert np.isnan(far_minimum(code)), code
    assert np.isnan(far_minimum(None))


def test_far_minimum_keeps_a_series_index() -> None:
    codes = pd.Series(["C3411", None, "25"], index=pd.Index(["P1", "P2", "P3"], name="parcel_id"))
    got = far_minimum(codes)
    assert got.name == "far_min"
    assert got.index.equals(codes.index)
    assert got.tolist()[0] == 0.7 and np.isnan(got.iloc[1]) and got.iloc[2] == 0.5


def test_far_minimum_refuses_a_non_code() -> None:
    with pytest.raises(la.LandassetTypeError, match="industry code"):
        far_minimum(3.4)  # type: ignore[call-overload]


def test_far_table_has_exactly_the_listed_codes() -> None:
    assert sorted(FAR_MIN_BY_INDUSTRY.index) == sorted(c for codes in TABLE.values() for c in codes)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("C3411", 0.7),
        ("3411", 0.7),
        (25, 0.5),
        ("c26", 0.6),
        (" 13", 1.0),
        ("65", np.nan),
        ("12", np.nan),
        (None, np.nan),
        ("x", np.nan),
    ],
)
def test_far_minimum_reads_code_forms(code: object, expected: float) -> None:
    got = far_minimum([code]).iloc[0]
    assert got == expected or (np.isnan(expected) and np.isnan(got))


def test_far_table_can_be_replaced() -> None:
    assert far_minimum(["34", "65"], far_minimums={"34": 1.5, "65": 2.0}).tolist() == [1.5, 2.0]


# -- land_indicators -------------------------------------------------------------------------


def _land_layers() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    # six 100 m × 100 m parcels (10,000 m² = 15 mu), 200 m apart
    ids = ["L1", "L2", "L3", "L4", "L5", "L6"]
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ids,
            "land_use": ["M1", "M2", "M0", "M1", "B1", "100101"],
            "industry_code": [None, "C2710", None, None, None, "65"],
            "far_min": [np.nan, 1.2, np.nan, np.nan, np.nan, np.nan],
            "green_ratio": [np.nan, 0.25, np.nan, np.nan, np.nan, 0.1],
        },
        geometry=[box(200.0 * i, 0, 200.0 * i + 100, 100) for i in range(6)],
        crs="EPSG:4549",
    ).set_index("parcel_id")

    def at(i: int, x0: float, y0: float, x1: float, y1: float) -> Polygon:
        return box(200.0 * i + x0, y0, 200.0 * i + x1, y1)

    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["B1", "B2", "B3", "B4", "B5", "B6"],
            "parcel_id": ["L1", "L1", "L2", None, "L5", "L6"],  # B4 found by overlap
            "floors": [2, 4, 3, 5, 10, 2],
            "use": ["factory", "dormitory", "industrial", "research", "office", "Office"],
        },
        geometry=[
            at(0, 0, 0, 50, 40),
            at(0, 60, 0, 70, 10),
            at(1, 0, 0, 50, 100),
            at(2, 0, 0, 50, 50),
            at(4, 0, 0, 50, 50),
            at(5, 0, 0, 40, 100),
        ],
        crs="EPSG:4549",
    ).set_index("building_id")
    tenants = pd.DataFrame(
        {"parcel_id": ["L1", "L1", "L2"], "industry_code": ["34", "25", "13"]},
        index=pd.Index(["T1", "T2", "T3"], name="enterprise_id"),
    )
    return parcels, buildings, tenants


def test_land_indicators_hand_computed() -> None:
    parcels, buildings, tenants = _land_layers()
    table = land_indicators(parcels, buildings, enterprises=tenants)
    l1 = table.loc["L1"]
    # L1: B1 2,000 m² × 2 floors + B2 100 m² × 4 floors = 4,400 m² on 10,000 m²
    assert l1["gfa_m2"] == 4400.0
    assert l1["far"] == pytest.approx(0.44)
    # tenants in industries 34 (0.7) and 25 (0.5): the stricter 0.7 applies
    assert (l1["industry_code"], l1["far_min"], l1["far_ok"]) == ("34", 0.7, False)
    assert l1["coverage"] == pytest.approx(0.21)  # 2,100 m² of footprint
    assert not l1["coverage_ok"]
    assert l1["office_living_share"] == pytest.approx(400 / 4400)  # the dormitory
    assert not l1["office_living_ok"]
    assert pd.isna(l1["green_ok"])  # no green data: not assessed
    assert not l1["passes"]
    assert l1["fails"] == "FAR 0.44 < 0.70; coverage 21.0 % < 30.0 %; office/living 9.1 % > 7.0 %"

    l2 = table.loc["L2"]
    # L2: 5,000 m² × 3 floors → FAR 1.5; the parcel's code C2710 (0.7) is checked, and its
    # planning far_min 1.2 is stricter; the tenant's code 13 is not used (the parcel has one)
    assert (l2["far"], l2["industry_code"], l2["far_min"], l2["far_ok"]) == (1.5, "27", 1.2, True)
    assert (l2["coverage"], l2["coverage_ok"]) == (0.5, True)
    assert (l2["green_ratio"], l2["green_ok"]) == (0.25, False)
    assert l2["fails"] == "green 25.0 % > 20.0 %"

    # L3 is M0 and L5 commercial: values, no verdict; L4 has no buildings: no verdict
    assert table.loc["L3", "far"] == pytest.approx(1.25)  # B4 assigned by overlap
    for pid in ("L3", "L4", "L5"):
        assert (
            table.loc[pid, ["far_ok", "coverage_ok", "green_ok", "office_living_ok", "passes"]]
            .isna()
            .all()
        )
        assert table.loc[pid, "fails"] == ""
    # L6: code 65 (software) has no national minimum and the parcel none of its own
    l6 = table.loc["L6"]
    assert pd.isna(l6["far_min"]) and pd.isna(l6["far_ok"])
    assert (l6["office_living_share"], l6["office_living_ok"]) == (1.0, False)  # "Office"
    assert l6["green_ok"]
    assert table["passes"].dtype == "boolean"
    assert table.index.equals(parcels.index)


def test_land_indicators_options() -> None:
    parcels, buildings, tenants = _land_layers()
    loose = land_indicators(
        parcels, buildings, enterprises=tenants, far_minimums={"34": 0.4, "27": 0.3}
    )
    assert loose.loc["L1", "far_ok"]
    overridden = land_indicators(parcels, buildings, industry_codes={"L1": "25"})
    assert overridden.loc["L1", "far_min"] == 0.5
    only_m0 = land_indicators(parcels, buildings, land_uses=["M0"])
    assert only_m0["passes"].notna().tolist() == [False, False, True, False, False, False]
    no_use = land_indicators(parcels, buildings.drop(columns="use"))
    assert no_use["office_living_share"].isna().all()
    stricter = land_indicators(parcels.assign(coverage_min=0.6), buildings)
    assert stricter.loc["L2", "coverage_min"] == 0.6 and not stricter.loc["L2", "coverage_ok"]


def test_land_indicators_without_land_use_column_assesses_all_built_parcels() -> None:
    parcels, buildings, _ = _land_layers()
    table = land_indicators(parcels.drop(columns="land_use"), buildings)
    assert table["passes"].notna().tolist() == [True, True, True, False, True, True]


# -- tenant_quality --------------------------------------------------------------------------


def test_tenant_quality_flags() -> None:
    firms = pd.DataFrame(
        {
            "industry": ["artificial_intelligence", "textiles", "life_health", "other"],
            "industry_code": ["65", "17", "27", None],
            "high_tech": pd.array([True, None, False, True], dtype="boolean"),
            "zjtx": pd.array([True, False, None, False], dtype="boolean"),
            "leading_industry": pd.array([True, False, False, True], dtype="boolean"),
        },
        index=pd.Index(["E1", "E2", "E3", "E4"], name="enterprise_id"),
    )
    table = tenant_quality(firms, leading_industries=["artificial_intelligence", "27"])
    assert table["leading_industry"].tolist() == [True, False, True, False]
    assert table["quality_flags"].tolist() == [3, 0, 1, 1]
    assert table["label"].tolist() == ["国高新 · 专精特新 · 主导产业", "", "主导产业", "国高新"]
    assert table[table["high_tech"] & table["leading_industry"]].index.tolist() == ["E1"]
    from_column = tenant_quality(firms, leading_industries=None)
    assert from_column["leading_industry"].tolist() == [True, False, False, True]


def test_tenant_quality_takes_a_single_industry_as_one() -> None:
    firms = pd.DataFrame(
        {"industry": ["textiles", "t", "e"], "industry_code": ["17", "s", "x"]},
        index=pd.Index(["E1", "E2", "E3"], name="enterprise_id"),
    )
    one = tenant_quality(firms, leading_industries="textiles")
    # the string is one industry, not the letters t, e, x, i, l, s
    assert one["leading_industry"].tolist() == [True, False, False]
    listed = tenant_quality(firms, leading_industries=["textiles"])
    pd.testing.assert_frame_equal(one, listed)
    assert tenant_quality(firms, leading_industries="17")["leading_industry"].tolist() == [
        True,
        False,
        False,
    ]
    with pytest.raises(
        la.LandassetTypeError, match="leading_industries is an industry name or a list"
    ):
        tenant_quality(firms, leading_industries=17)  # type: ignore[arg-type]


# -- a small district for renewal and industry mix -----------------------------------------------

SCORED = Scheme.from_yaml(
    "version: 1\nname: t\nindicators: [{name: tax_per_mu_10k_cny, weight: 100, benchmark: 20}]\n"
    "grading: {by: score, bands: [{grade: A, min: 90}, {grade: B, min: 60}, {grade: C, min: 30}, {grade: D, min: null}]}"
)


@pytest.fixture
def district() -> la.Site:
    ids = ["R1", "R2", "R3", "R4", "R5"]
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ids,
            "land_use": ["M1"] * 5,
            "zone": ["north", "north", "south", "south", "south"],
        },
        geometry=[box(200.0 * i, 0, 200.0 * i + 100, 100) for i in range(5)],  # 15 mu each
        crs="EPSG:4549",
    )
    buildings = gpd.GeoDataFrame(
        {
            "building_id": [f"B{i}" for i in range(1, 6)],
            "parcel_id": ids,
            "floors": [3, 3, 3, 1, 3],
            "use": ["factory"] * 5,
        },
        geometry=[
            box(200.0 * i, 0, 200.0 * i + 50, 80) for i in range(5)
        ],  # 4,000 m², coverage 0.4
        crs="EPSG:4549",
    )
    enterprises = gpd.GeoDataFrame(
        {
            "enterprise_id": [f"E{i}" for i in range(1, 6)],
            "industry": ["ai", "ai", "bio", "ai", "bio"],
            "industry_code": ["34"] * 5,
            "parcel_id": ids,
            "building_id": [f"B{i}" for i in range(1, 6)],
            "land_mu": [15.0] * 5,
            # tax per mu 40, 20, 2, 10, 1
            "tax_10k_cny": [600.0, 300.0, 30.0, 150.0, 15.0],
            "revenue_10k_cny": [6000.0, 3000.0, 300.0, 1500.0, 150.0],
        },
        geometry=[Point(200.0 * i + 10, 10) for i in range(5)],
        crs="EPSG:4549",
    )
    return la.Site(parcels=parcels, buildings=buildings, enterprises=enterprises)


class _StubLedger:
    def __init__(self, stages: dict[str, str]) -> None:
        self._stages = pd.Series(stages, name="stage")
        self.asked: list[object] = []

    def stages(self, as_of: object = None) -> pd.Series:
        self.asked.append(as_of)
        return self._stages


def test_renewal_candidates_with_a_ledger(district: la.Site) -> None:
    ev = evaluate(district.enterprises, district.parcels, year=2025, scheme=SCORED)
    # scores 200, 100, 10, 50, 5 → A, A, D, C, D
    assert ev["grade"].tolist() == ["A", "A", "D", "C", "D"]
    ledger = _StubLedger(
        {
            "R1": "operating",
            "R2": "renewal",
            "R3": "operating",
            "R4": "operating",
            "R5": "completed",
        }
    )
    out = renewal_candidates(district, ev, ledger=ledger, as_of="2025-06-30")
    # the ledger is read on the day, normalised as every as_of is
    assert ledger.asked == [pd.Timestamp("2025-06-30")]
    assert out.attrs["as_of"] == pd.Timestamp("2025-06-30")
    # R3 has a D tenant, R4's FAR is 4,000 / 10,000 = 0.4 < 0.7; R5 (D) is not operating.
    # Median tax per mu over R1–R4 = median(40, 20, 2, 10) = 15 → gains 15 × 13, 15 × 5
    assert out.index.tolist() == ["R3", "R4"]
    assert out["gain_10k_cny"].tolist() == pytest.approx([195.0, 75.0])
    assert out["park_median"].iloc[0] == 15.0
    assert (
        out.loc["R3", "reasons"]
        == "1 of 1 graded tenants in grade D (E3); tax_per_mu_10k_cny 2.0 vs park median 15.0"
    )
    assert out.loc["R4", "reasons"].startswith("land below standard: FAR 0.40 < 0.70")
    assert out.loc["R4", "stage"] == "operating"


def test_renewal_candidates_without_a_ledger(district: la.Site) -> None:
    ev = evaluate(district.enterprises, district.parcels, year=2025, scheme=SCORED)
    out = renewal_candidates(district, ev)
    # every parcel has a graded tenant → operating; median(40, 20, 2, 10, 1) = 10
    # gains: R5 15 × 9 = 135, R3 15 × 8 = 120, R4 15 × 0 = 0
    assert out.index.tolist() == ["R5", "R3", "R4"]
    assert out["gain_10k_cny"].tolist() == pytest.approx([135.0, 120.0, 0.0])
    assert (out["stage"] == "operating").all()


def test_renewal_candidates_checks_arguments(district: la.Site) -> None:
    ev = evaluate(district.enterprises, district.parcels, year=2025, scheme=SCORED)
    with pytest.raises(ValueError, match="pass ledger= as well"):
        renewal_candidates(district, ev, as_of="2025-01-01")
    with pytest.raises(
        ValueError,
        match="'score' is not a per-mu indicator of this evaluation; use one of: 'tax_per_mu_10k_cny'",
    ):
        renewal_candidates(district, ev, metric="score")


def test_renewal_candidates_validates_stages(district: la.Site) -> None:
    from landasset.lifecycle import Stage

    ev = evaluate(district.enterprises, district.parcels, year=2025, scheme=SCORED)
    ledger = _StubLedger(
        {"R1": "operating", "R2": "renewal", "R3": "operating", "R4": "renewal", "R5": "completed"}
    )
    with pytest.raises(
        la.LandassetValueError,
        match=r"'operational' in stages is not a lifecycle stage; use one of: 'planned', "
        r"'acquiring', .*'operating', 'renewal', 'retired'",
    ) as caught:
        renewal_candidates(district, ev, ledger=ledger, stages=["operational"])
    assert isinstance(caught.value, ValueError)
    with pytest.raises(la.LandassetValueError, match="3 in stages is not a lifecycle stage"):
        renewal_candidates(district, ev, ledger=ledger, stages=["operating", 3])  # type: ignore[list-item]
    # a bare string is one stage, not its letters
    one = renewal_candidates(district, ev, ledger=ledger, stages="operating")
    assert one.index.tolist() == ["R3"] and (one["stage"] == "operating").all()
    both = renewal_candidates(district, ev, ledger=ledger, stages=[Stage.operating, "renewal"])
    assert both.index.tolist() == renewal_candidates(district, ev, ledger=ledger).index.tolist()
    assert set(both["stage"]) == {"operating", "renewal"}


def test_industry_mix(district: la.Site) -> None:
    mix = industry_mix(district)
    assert mix.index.names == ["zone", "industry"]
    # north: E1, E2 (ai) in 12,000 m² buildings; south: E3, E5 (bio) 12,000 m², E4 (ai) 4,000 m²
    assert mix.loc[("north", "ai"), "enterprises"] == 2
    assert mix.loc[("north", "ai"), "floor_area_m2"] == 24000.0
    assert mix.loc[("south", "bio"), "floor_area_share"] == pytest.approx(24000 / 28000)
    assert mix.loc[("south", "ai"), "tax_10k_cny"] == 150.0
    whole = industry_mix(district, by=None)
    assert whole.index.name == "industry"
    assert whole["floor_area_share"].sum() == pytest.approx(1.0)
    by_industry_code = industry_mix(district, by="industry_code")
    assert by_industry_code.index.names == ["industry_code", "industry"]
    with pytest.raises(
        ValueError, match="'district' is not a parcel or enterprise column; use one of: "
    ):
        industry_mix(district, by="district")


# -- industrial FAR and investment intensity in land_indicators (国土资发〔2008〕24号) --------


def test_land_indicators_counts_storeys_over_8_m_twice() -> None:
    parcels, buildings, tenants = _land_layers()
    # B1 (2,000 m², 2 floors) 18 m high: two 9 m storeys, each > 8 m, count twice:
    # 2,000 × 2 × 2 + B2 100 × 4 = 8,400 m² on 10,000 m² → 0.84 ≥ 0.7 (plain FAR 0.44)
    tall = buildings.assign(height_m=[18.0, np.nan, np.nan, np.nan, 40.0, np.nan])
    table = land_indicators(parcels, tall, enterprises=tenants)
    l1 = table.loc["L1"]
    assert l1["far"] == pytest.approx(0.44)
    assert l1["far_industrial"] == pytest.approx(0.84)
    assert l1["far_ok"]
    assert "FAR" not in l1["fails"]
    # L5 is commercial land: the industrial rule does not apply (B5 has 4 m storeys anyway)
    assert pd.isna(table.loc["L5", "far_industrial"])
    assert table.loc["L5", "far"] == pytest.approx(2.5)
    # a failing FAR is reported with the counted figure
    low = tall.assign(height_m=[16.0, np.nan, np.nan, np.nan, 40.0, np.nan])  # 8 m: once
    assert (
        land_indicators(parcels, low, enterprises=tenants)
        .loc["L1", "fails"]
        .startswith("FAR 0.44 < 0.70")
    )
    # the storey height that turns height into floors is a parameter
    by_height = tall.assign(floors=[np.nan, 4, 3, 5, 10, 2], height_m=[24.0] + [np.nan] * 5)
    plain = land_indicators(parcels, by_height, enterprises=tenants)  # 24 / 3.5 → 7 floors
    assert plain.loc["L1", "gfa_m2"] == 2000 * 7 + 400
    high = land_indicators(parcels, by_height, enterprises=tenants, storey_height_m=12.0)
    assert high.loc["L1", "gfa_m2"] == 2000 * 2 + 400  # two 12 m storeys ...
    assert high.loc["L1", "far_industrial"] == pytest.approx((2000 * 4 + 400) / 10_000)


TABLE_PER_HA = """
version: 1
name: test-county
unit: 10k CNY per ha
minimums:
  "1": {"27": 6000, "34": 5250}
  "2": {"27": 5250}
"""


def test_investment_intensity_from_parcel_or_tenants() -> None:
    parcels, buildings, tenants = _land_layers()
    minimums = read_investment_minimums(TABLE_PER_HA)
    # per ha ÷ 15 = per mu: 6000 → 400, 5250 → 350
    assert minimums.to_series().to_dict() == {
        ("1", "27"): 400.0,
        ("1", "34"): 350.0,
        ("2", "27"): 350.0,
    }
    parcels = parcels.assign(investment_10k_cny=[6000.0, np.nan, np.nan, np.nan, np.nan, np.nan])
    tenants = tenants.assign(investment_10k_cny=[2000.0, np.nan, 3000.0])
    table = land_indicators(
        parcels, buildings, enterprises=tenants, investment_minimums=minimums, region_class="1"
    )
    # L1: its own 6,000 万元 on 15 mu = 400 万元/mu ≥ 350 (region 1, industry 34)
    l1 = table.loc["L1"]
    assert (l1["investment_10k_cny"], l1["investment_source"]) == (6000.0, "parcel")
    assert l1["investment_intensity_10k_cny_per_mu"] == pytest.approx(400.0)
    assert (l1["investment_min_10k_cny_per_mu"], l1["investment_ok"]) == (350.0, True)
    assert l1["investment_note"] == ""
    # L2: its tenant's 3,000 万元 / 15 mu = 200 < 400 (region 1, industry 27)
    l2 = table.loc["L2"]
    assert (l2["investment_source"], l2["investment_intensity_10k_cny_per_mu"]) == (
        "enterprises",
        pytest.approx(200.0),
    )
    assert (l2["investment_min_10k_cny_per_mu"], l2["investment_ok"]) == (400.0, False)
    assert l2["fails"] == "green 25.0 % > 20.0 %; investment 200.0 < 400.0 10k CNY/mu"
    assert not l2["passes"]
    # L6: nothing to read, and code 65 has no minimum: NaN with the reasons
    l6 = table.loc["L6"]
    assert pd.isna(l6["investment_intensity_10k_cny_per_mu"]) and pd.isna(l6["investment_ok"])
    assert l6["investment_note"] == (
        "no investment_10k_cny on the parcel or its tenants; "
        "no investment minimum for region class 1, industry 65"
    )
    # without the parcel's own figure, L1's tenants are incomplete (T2 has none): NaN
    partial = land_indicators(
        parcels.drop(columns="investment_10k_cny"), buildings, enterprises=tenants
    ).loc["L1"]
    assert pd.isna(partial["investment_10k_cny"])
    assert partial["investment_note"] == (
        "investment_10k_cny missing for 1 of 2 tenants; "
        "no investment minimum table (investment_minimums=)"
    )
    # a parcel's region_class overrides the keyword; without either there is no minimum
    regional = land_indicators(
        parcels.assign(region_class=[None, "2", None, None, None, None]),
        buildings,
        enterprises=tenants,
        investment_minimums=minimums,
        region_class="1",
    )
    assert regional.loc["L2", "investment_min_10k_cny_per_mu"] == 350.0
    assert regional.loc["L1", "region_class"] == "1"
    unplaced = land_indicators(
        parcels, buildings, enterprises=tenants, investment_minimums=minimums
    ).loc["L1"]
    assert pd.isna(unplaced["investment_min_10k_cny_per_mu"])
    assert "no region class" in unplaced["investment_note"]


def test_investment_minimums_refuse_a_non_table() -> None:
    parcels, buildings, _ = _land_layers()
    with pytest.raises(la.LandassetTypeError, match="read_investment_minimums"):
        land_indicators(parcels, buildings, investment_minimums={"1": 3})  # type: ignore[arg-type]


def test_investment_minimums_any_region_and_most_specific_entry() -> None:
    parcels, buildings, tenants = _land_layers()
    minimums = read_investment_minimums(
        TABLE_PER_HA.replace('"2": {"27": 5250}', '"2": {"27": 5250}\n  "*": {"*": 1500}')
    )
    table = land_indicators(
        parcels.assign(region_class=[None, "1", "2", None, None, None]),
        buildings,
        enterprises=tenants,
        investment_minimums=minimums,
    )
    # L1 has no region class: only the "*" region applies (1500 / 15 = 100 per mu)
    assert table.loc["L1", "investment_min_10k_cny_per_mu"] == 100.0
    # L2 is in class 1, industry 27: its own entry (6000 / 15) beats "*"
    assert table.loc["L2", "investment_min_10k_cny_per_mu"] == 400.0
    # L6 (industry 65) finds the "*"/"*" entry too
    assert table.loc["L6", "investment_min_10k_cny_per_mu"] == 100.0
    assert "no investment minimum" not in table.loc["L6", "investment_note"]
