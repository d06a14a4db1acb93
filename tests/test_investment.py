"""The minimum investment intensity table (国土资发〔2008〕24号): file format and lookup."""

from __future__ import annotations

import math
from importlib import resources

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import landasset as la
from landasset.investment import (
    InvestmentMinimums,
    example_investment_minimums,
    read_investment_minimums,
)

TABLE = """
version: 1
name: test-county
unit: 10k CNY per ha
sources: [a county notice]
minimums:
  "1": {"27": 6000, "34": 5250, "*": 4500}
  "2": {"27": 5250}
  "*": {"27": 3000, "*": 1500}
"""


@pytest.fixture(scope="module")
def table() -> InvestmentMinimums:
    return read_investment_minimums(TABLE)


def test_units_per_ha_are_read_into_per_mu(table: InvestmentMinimums) -> None:
    # 1 ha = 15 mu: 6000 万元/公顷 = 400 万元/亩
    assert table.to_series().to_dict() == {
        ("*", "*"): 100.0,
        ("*", "27"): 200.0,
        ("1", "*"): 300.0,
        ("1", "27"): 400.0,
        ("1", "34"): 350.0,
        ("2", "27"): 350.0,
    }
    assert (table.name, table.unit, table.example, table.sources) == (
        "test-county",
        "10k CNY per ha",
        False,
        ("a county notice",),
    )
    frame = table.to_frame()
    assert list(frame.columns) == ["region_class", "industry_code", "investment_min_10k_cny_per_mu"]
    assert len(frame) == len(table) == 6


@pytest.mark.parametrize(
    ("region_class", "industry_code", "where", "minimum"),
    [
        ("1", "27", "minimums.1.27", 400.0),
        ("1", "2711", "minimums.1.27", 400.0),  # a 2-digit entry covers its 4-digit codes
        ("1", "C2711", "minimums.1.27", 400.0),  # with the section letter too
        ("1", "39", "minimums.1.*", 300.0),  # the region's "*" before the "*" region
        ("2", "39", "minimums.*.*", 100.0),  # class 2 has no "*": the any-region row
        ("2", "27", "minimums.2.27", 350.0),
        ("9", "2711", "minimums.*.27", 200.0),  # an unknown class: the "*" region
        (None, "27", "minimums.*.27", 200.0),
        ("1", None, "minimums.1.*", 300.0),
        ("1", "x", "minimums.1.*", 300.0),  # not a code: only "*" industry entries
    ],
)
def test_the_most_specific_entry_wins(
    table: InvestmentMinimums,
    region_class: str | None,
    industry_code: str | None,
    where: str,
    minimum: float,
) -> None:
    found = table.match(region_class=region_class, industry_code=industry_code)
    assert found is not None and (found.where, found.minimum) == (where, minimum)
    assert table.minimum(region_class=region_class, industry_code=industry_code) == minimum
    assert table.minimums(
        region_classes=[region_class], industry_codes=[industry_code]
    ).tolist() == [minimum]


def test_no_entry_gives_nan() -> None:
    table = read_investment_minimums(
        'version: 1\nname: t\nunit: 10k CNY per mu\nminimums: {"1": {"39": 450}}\n'
    )
    assert table.match(region_class="2", industry_code="39") is None
    assert math.isnan(table.minimum(region_class="1", industry_code="27"))
    assert np.isnan(
        table.minimums(region_classes=["1", "1", None], industry_codes=["27", None, "39"])
    ).all()
    assert table.minimums(region_classes=[], industry_codes=[]).tolist() == []
    assert table.minimums(region_classes=["1"], industry_codes=["3911"]).tolist() == [450.0]


codes = st.one_of(
    st.none(),
    st.sampled_from(["27", "2711", "C2711", "34", "3411", "39", "65", "x", ""]),
)
regions = st.one_of(st.none(), st.sampled_from(["1", "2", "9", "*", ""]))


@given(st.lists(st.tuples(regions, codes), max_size=30))
def test_the_vectorised_lookup_agrees_with_one_at_a_time(pairs: list) -> None:
    table = read_investment_minimums(TABLE)
    one = [table.minimum(region_class=r, industry_code=c) for r, c in pairs]
    many = table.minimums(
        region_classes=[r for r, _ in pairs], industry_codes=[c for _, c in pairs]
    )
    np.testing.assert_array_equal(many, np.array(one, dtype=float))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (TABLE.replace("per ha", "per acre"), "unit: .*'10k CNY per mu'"),
        (TABLE.replace('"34"', '"3411"'), r"minimums\.1: .*2-digit industry code"),
        (TABLE.replace('{"27": 5250}', '{"27": -1}'), r"minimums\.2\.27: expected a positive"),
        (TABLE.replace('{"27": 5250}', '{"27": .nan}'), r"minimums\.2\.27: expected a positive"),
        (TABLE.replace('{"27": 5250}', '{"27": "5250"}'), r"minimums\.2\.27: expected a positive"),
        (TABLE.replace('{"27": 5250}', '{"27": 5250, 27: 1}'), r"minimums\.2\.27: listed twice"),
        (TABLE.replace('{"27": 5250}', "{}"), r"minimums\.2: expected a mapping"),
        (TABLE.replace("version: 1", "version: 2"), "version: 1"),
        (TABLE.replace("unit: 10k CNY per ha\n", ""), "missing required key 'unit'"),
        (TABLE + "example: maybe\n", "example: expected true or false"),
        (TABLE + "rows: []\n", "rows: unknown key"),
        (TABLE.replace("[a county notice]", "a county notice"), "sources: expected a list"),
        ("[1, 2]", "expected a mapping"),
    ],
)
def test_refused_inputs_name_the_key_path(text: str, match: str) -> None:
    with pytest.raises(la.ProfileError, match=match):
        read_investment_minimums(text)


def test_a_missing_file_is_an_io_error(tmp_path) -> None:
    with pytest.raises(la.LandassetIOError):
        read_investment_minimums(tmp_path / "county.yaml")


def test_the_example_table_is_marked_as_an_example(tmp_path) -> None:
    table = example_investment_minimums()
    assert table.example is True and table.name == "investment-minimums-example"
    assert len(table) > 0 and all(e.minimum > 0 for e in table.entries)
    source = resources.files("landasset") / "tables" / "investment-minimums-example.yaml"
    text = source.read_text(encoding="utf-8")
    assert text.startswith("# EXAMPLE ONLY — NOT OFFICIAL FIGURES.")
    # the same file read by path gives the same table
    path = tmp_path / "copy.yaml"
    path.write_text(text, encoding="utf-8")
    assert read_investment_minimums(path) == table


def test_the_table_is_frozen() -> None:
    table = example_investment_minimums()
    with pytest.raises(AttributeError):
        table.name = "other"  # type: ignore[misc]


def test_the_vectorised_lookup_needs_one_code_per_region_class(table: InvestmentMinimums) -> None:
    with pytest.raises(la.LandassetValueError, match="2 region classes but 1 industry codes"):
        table.minimums(region_classes=["1", "2"], industry_codes=["27"])
    # arrays and Series are taken as they are, numbers as their text
    import pandas as pd

    got = table.minimums(
        region_classes=pd.Series([1, None], index=[10, 20], dtype=object),
        industry_codes=np.array([2711, "34"], dtype=object),
    )
    assert got.tolist() == [400.0, 100.0]
