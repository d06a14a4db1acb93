import pandas as pd

from landasset.landuse import (
    FAMILIES,
    LAND_USE_CODES,
    is_known_land_use,
    land_use_family,
    land_use_name,
)


def test_both_coding_systems_map_to_families():
    codes = [
        "M1",
        "M0",
        "100101",
        "100103",
        "1001",
        "B2",
        "0902",
        "09",
        "R2",
        "07",
        "G1",
        "14",
        "S1",
        "12",
        "W1",
        "11",
        "A3",
        "08",
        "E1",
    ]
    expected = (
        ["industrial"] * 5
        + ["commercial"] * 3
        + ["residential"] * 2
        + ["green"] * 2
        + ["transport"] * 2
        + ["warehouse"] * 2
        + ["public"] * 2
        + ["other"]
    )
    assert land_use_family(codes).tolist() == expected


def test_every_table_family_is_a_known_family():
    assert set(LAND_USE_CODES["family"]) <= set(FAMILIES)
    assert LAND_USE_CODES.index.is_unique


def test_unknown_and_missing_codes():
    fam = land_use_family(pd.Series(["M9", None, " m2 "], index=[10, 11, 12]))
    assert list(fam.index) == [10, 11, 12]
    assert fam.iloc[0] == "unknown"
    assert pd.isna(fam.iloc[1])
    assert fam.iloc[2] == "industrial"
    assert is_known_land_use(["M9", None, "m2"]).tolist() == [False, False, True]


def test_names_in_both_languages():
    assert land_use_name(["100102"]).tolist() == ["二类工业用地"]
    assert land_use_name(["B2"], lang="en").tolist() == ["business offices"]
