import warnings

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landasset.landuse import (
    FAMILIES,
    LAND_USE_CODES,
    LandUseCodeWarning,
    is_known_land_use,
    land_use_family,
    land_use_name,
    land_use_parts,
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


# -- codes as printed in the standards ----------------------------------------------------
# (code, name) pairs copied from the standards' tables; the family comes from the major
# class each code sits under, as the standard groups it (GB 50137-2011 tables 3.2.2 and
# 3.3.2; 用地用海分类指南 first-level classes), not from the library's table.

GB_MAJOR_FAMILY = {
    "R": "residential",  # 居住用地
    "A": "public",  # 公共管理与公共服务设施用地
    "B": "commercial",  # 商业服务业设施用地
    "M": "industrial",  # 工业用地
    "W": "warehouse",  # 物流仓储用地
    "S": "transport",  # 道路与交通设施用地
    "U": "public",  # 公用设施用地
    "G": "green",  # 绿地与广场用地
    "E": "other",  # 非建设用地
}
GB_SMALL_CLASSES = [
    ("R21", "住宅用地"),
    ("R22", "服务设施用地"),
    ("A33", "中小学用地"),
    ("A35", "科研用地"),
    ("A51", "医院用地"),
    ("B11", "零售商业用地"),
    ("B14", "旅馆用地"),
    ("B21", "金融保险用地"),
    ("B41", "加油加气站用地"),
    ("S41", "公共交通场站用地"),
    ("S42", "社会停车场用地"),
    ("U11", "供水用地"),
    ("U12", "供电用地"),
    ("U22", "环卫用地"),
    ("E11", "自然水域"),
]
# H (建设用地) is split by what its medium classes are: regional transport, regional
# utilities, special use, mining, settlements
GB_H_CLASSES = [
    ("H1", "城乡居民点建设用地", "other"),
    ("H11", "城市建设用地", "other"),
    ("H2", "区域交通设施用地", "transport"),
    ("H21", "铁路用地", "transport"),
    ("H24", "机场用地", "transport"),
    ("H3", "区域公用设施用地", "public"),
    ("H4", "特殊用地", "other"),
    ("H41", "军事用地", "other"),
    ("H42", "安保用地", "other"),
    ("H5", "采矿用地", "industrial"),
    ("H9", "其他建设用地", "other"),
]
GT_FIRST_FAMILY = {
    "07": "residential",  # 居住用地
    "08": "public",  # 公共管理与公共服务用地
    "09": "commercial",  # 商业服务业用地
    "10": "industrial",  # 工矿用地
    "11": "warehouse",  # 仓储用地
    "12": "transport",  # 交通运输用地
    "13": "public",  # 公用设施用地
    "14": "green",  # 绿地与开敞空间用地
}
GT_THIRD_LEVEL = [
    ("070101", "一类城镇住宅用地"),
    ("070102", "二类城镇住宅用地"),
    ("080403", "中小学用地"),
    ("080601", "医院用地"),
    ("090101", "零售商业用地"),
    ("090104", "旅馆用地"),
    ("100101", "一类工业用地"),
    ("100103", "三类工业用地"),
    ("110101", "一类物流仓储用地"),
    ("120802", "公共交通场站用地"),
]
GT_SECOND_LEVEL = [
    ("1203", "机场用地"),
    ("1207", "城镇村道路用地"),
    ("1306", "通信用地"),
    ("1501", "军事设施用地"),
    ("0601", "乡村道路用地"),
]


@pytest.mark.parametrize(("code", "name"), GB_SMALL_CLASSES)
def test_gb50137_small_classes(code, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # listed: no fallback note
        assert land_use_family([code]).tolist() == [GB_MAJOR_FAMILY[code[0]]]
    assert land_use_name([code]).tolist() == [name]
    assert is_known_land_use([code.lower()]).tolist() == [True]


@pytest.mark.parametrize(("code", "name", "family"), GB_H_CLASSES)
def test_gb50137_construction_land_h_classes(code, name, family):
    assert land_use_family([code]).tolist() == [family]
    assert land_use_name([code]).tolist() == [name]


@pytest.mark.parametrize(("code", "name"), GT_THIRD_LEVEL + GT_SECOND_LEVEL)
def test_national_classification_second_and_third_levels(code, name):
    family = GT_FIRST_FAMILY.get(code[:2], "other")  # 06, 15: agricultural, special use
    assert land_use_family([code]).tolist() == [family]
    assert land_use_name([code]).tolist() == [name]


@pytest.mark.parametrize(
    ("code", "parent", "family"),
    [("B19", "B1", "commercial"), ("A36", "A3", "public"), ("090199", "0901", "commercial")],
)
def test_an_unlisted_small_class_is_read_by_its_medium_class_with_a_note(code, parent, family):
    with pytest.warns(LandUseCodeWarning, match=rf"'{code}' as '{parent}' \({family}\)"):
        assert land_use_family([code, "M1"]).tolist() == [family, "industrial"]
    table = land_use_parts([code])
    assert table.loc[0, "listed_as"] == (parent,)
    assert table.loc[0, "note"] == f"{code!r} is not listed; read as its medium class {parent!r}"
    assert is_known_land_use([code]).tolist() == [False]  # validation still reports it
    assert land_use_name([code]).isna().all()  # no name is made up


@pytest.mark.parametrize("code", ["M9", "M91", "X9", "MX", "0999", "701", "99"])
def test_codes_without_a_listed_class_stay_unknown(code):
    # M9 is no medium class of the standard; M91's medium class is not listed either;
    # 701 is 0701 with its leading zero lost, which cannot be restored safely
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert land_use_family([code]).tolist() == ["unknown"]
    assert land_use_parts([code]).loc[0, "unknown"] == (code,)


@pytest.mark.parametrize(
    ("code", "parts", "family"),
    [
        ("B1/B2", ("B1", "B2"), "commercial"),
        ("R2B1", ("R2", "B1"), "residential/commercial"),
        ("M1+B2", ("M1", "B2"), "industrial/commercial"),
        ("b1、r21", ("B1", "R21"), "commercial/residential"),
        ("0701/0901", ("0701", "0901"), "residential/commercial"),
        ("M1/X9", ("M1", "X9"), "industrial/unknown"),
    ],
)
def test_mixed_codes_have_the_family_of_each_part(code, parts, family):
    assert land_use_family([code]).tolist() == [family]
    table = land_use_parts([code])
    assert table.loc[0, "parts"] == parts
    oracle = tuple(
        GB_MAJOR_FAMILY[p[0]] if p[0].isalpha() and p != "X9" else
        GT_FIRST_FAMILY.get(p[:2], "unknown")
        for p in parts
    )  # fmt: skip
    assert table.loc[0, "families"] == oracle


@pytest.mark.parametrize("word", ["grass", "garages", "RB", "ARMS", "BRAGS"])
def test_words_made_of_major_class_letters_are_not_mixed_codes(word):
    # OpenStreetMap landuse tags such as "grass" are spelt with GB major-class letters
    # (G, R, A, S); a concatenated mixed code carries a medium class in each part (R2B1)
    assert land_use_parts([word]).loc[0, "parts"] == (word.upper(),)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # unknown, and no fallback note either
        assert land_use_family([word]).tolist() == ["unknown"]


@given(
    st.lists(
        st.sampled_from([c for c, _ in GB_SMALL_CLASSES + GT_THIRD_LEVEL]), min_size=1, max_size=4
    ),
    st.sampled_from(["/", "+", "、", ","]),
)
def test_a_mixed_code_reads_every_part(codes, separator):
    def family(c: str) -> str:
        return GB_MAJOR_FAMILY[c[0]] if c[0].isalpha() else GT_FIRST_FAMILY[c[:2]]

    expected = "/".join(dict.fromkeys(family(c) for c in codes))
    assert land_use_family([separator.join(codes)]).tolist() == [expected]
    assert land_use_parts([separator.join(codes)]).loc[0, "parts"] == tuple(codes)
