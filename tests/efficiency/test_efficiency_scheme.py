"""Scheme files: bundled schemes, YAML round trip, validation with key paths."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from landasset import LandassetIOError, ProfileError
from landasset.efficiency import (
    INDICATORS,
    Band,
    Grading,
    Indicator,
    Scheme,
    Scope,
    list_schemes,
    load_scheme,
)

MINIMAL = """
version: 1
name: test
indicators:
  - {name: tax_per_mu_10k_cny, weight: 60}
  - {name: value_added_per_mu_10k_cny, weight: 40, benchmark: 100, cap: 2}
grading:
  by: percentile
  bands:
    - {grade: A, from: 0, to: 20}
    - {grade: B, from: 20, to: 80}
    - {grade: C, from: 80, to: 95}
    - {grade: D, from: 95, to: 100}
"""


def _with(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def test_bundled_schemes_listed_and_loaded() -> None:
    assert list_schemes() == [
        "huangyan-2023",
        "zhejiang-2018",
        "zhejiang-2018-services",
        "zhejiang-2018-small",
    ]
    for name in list_schemes():
        scheme = load_scheme(name)
        assert scheme.name == name
        assert scheme.grades == ("A", "B", "C", "D")


def test_zhejiang_default_is_the_provincial_pattern() -> None:
    scheme = load_scheme("zhejiang-2018")
    assert [i.name for i in scheme.indicators] == [
        "tax_per_mu_10k_cny",
        "value_added_per_mu_10k_cny",
        "labour_productivity_10k_cny",
        "value_added_per_tce_10k_cny",
        "value_added_per_t_emission_10k_cny",
        "rnd_intensity",
    ]
    assert {i.benchmark for i in scheme.indicators} == {"percentile"}
    assert sum(i.weight for i in scheme.indicators) == 100
    assert [(b.grade, b.from_percent, b.to_percent) for b in scheme.grading.bands] == [
        ("A", 0, 20),
        ("B", 20, 80),
        ("C", 80, 95),
        ("D", 95, 100),
    ]
    assert [(v.column, v.best_grade) for v in scheme.vetoes] == [("incident", "C")]
    assert [(e.column, e.worst_grade) for e in scheme.exemptions] == [("first_year", "C")]


def test_huangyan_has_the_published_benchmarks() -> None:
    scheme = load_scheme("huangyan-2023")
    got = {i.name: (i.benchmark, i.weight, i.cap) for i in scheme.indicators}
    assert got == {
        "tax_per_mu_10k_cny": (24.097, 30, None),
        "value_added_per_mu_10k_cny": (136.16, 20, None),
        "value_added_per_tce_10k_cny": (2.694, 20, None),
        "value_added_per_t_emission_10k_cny": (4929.81, 10, None),
        "labour_productivity_10k_cny": (18.14, 10, None),
        "rnd_intensity": (0.0302, 10, None),
    }


@pytest.mark.parametrize("name", ["zhejiang-2018", "huangyan-2023"])
def test_round_trip_is_exact(name: str, tmp_path: Path) -> None:
    scheme = load_scheme(name)
    text = scheme.to_yaml()
    assert text.startswith("version: 1\n")
    again = Scheme.from_yaml(text)
    assert again == scheme
    assert again.to_yaml() == text
    path = tmp_path / "copy.yaml"
    scheme.to_yaml(path)
    assert Scheme.from_yaml(path) == scheme
    assert Scheme.from_yaml(str(path)) == scheme


def test_round_trip_of_every_feature() -> None:
    text = (
        MINIMAL
        + """
bonuses:
  - {column: high_tech, points: 5, label: 国高新}
  - {column: zjtx, points: 3}
vetoes:
  - {column: incident, best_grade: D}
exemptions:
  - {column: first_year}
"""
    )
    text = _with(
        text, "grading:\n  by: percentile", "grading:\n  by: percentile\n  group_by: industry"
    )
    text = _with(
        text,
        "  - {name: tax_per_mu_10k_cny, weight: 60}",
        "  - {name: tax_per_mu_10k_cny, weight: 60}\n"
        "  - {name: output_per_head, numerator: revenue_10k_cny, denominator: employees,"
        " weight: 5, benchmark: 50, cap: 1.5, zero_denominator: full_points}",
    )
    scheme = Scheme.from_yaml(text)
    assert scheme.indicators[1].custom
    assert scheme.exemptions[0].worst_grade == "C"  # the default
    assert scheme.grading.group_by == "industry"
    assert Scheme.from_yaml(scheme.to_yaml()) == scheme
    assert Scheme.from_yaml(scheme.to_yaml()).to_yaml() == scheme.to_yaml()


def test_score_bands_round_trip() -> None:
    text = _with(
        MINIMAL,
        """  by: percentile
  bands:
    - {grade: A, from: 0, to: 20}
    - {grade: B, from: 20, to: 80}
    - {grade: C, from: 80, to: 95}
    - {grade: D, from: 95, to: 100}""",
        """  by: score
  bands:
    - {grade: A, min: 80}
    - {grade: B, min: 60}
    - {grade: C, min: 40}
    - {grade: D, min: null}""",
    )
    scheme = Scheme.from_yaml(text)
    assert [b.min_score for b in scheme.grading.bands] == [80, 60, 40, None]
    assert Scheme.from_yaml(scheme.to_yaml()) == scheme


def test_unknown_indicator_is_refused_with_choices() -> None:
    text = _with(MINIMAL, "name: tax_per_mu_10k_cny", "name: tax_per_acre")
    with pytest.raises(ProfileError) as err:
        Scheme.from_yaml(text)
    message = str(err.value)
    assert "indicators[0].name" in message
    assert "'tax_per_acre' is not a known indicator" in message
    assert all(name in message for name in INDICATORS)
    assert isinstance(err.value, ValueError)


def test_known_indicator_cannot_change_its_source_columns() -> None:
    text = _with(
        MINIMAL,
        "{name: tax_per_mu_10k_cny, weight: 60}",
        "{name: tax_per_mu_10k_cny, weight: 60, numerator: revenue_10k_cny}",
    )
    with pytest.raises(
        ProfileError, match=r"indicators\[0\]\.numerator: tax_per_mu_10k_cny is fixed"
    ):
        Scheme.from_yaml(text)


@pytest.mark.parametrize(
    ("old", "new", "where", "words"),
    [
        (
            "{grade: C, from: 80, to: 95}",
            "{grade: C, from: 85, to: 95}",
            "grading.bands[2].from",
            "a gap",
        ),
        (
            "{grade: C, from: 80, to: 95}",
            "{grade: C, from: 75, to: 95}",
            "grading.bands[2].from",
            "an overlap",
        ),
        (
            "{grade: A, from: 0, to: 20}",
            "{grade: A, from: 5, to: 20}",
            "grading.bands[0].from",
            "a gap",
        ),
        (
            "{grade: D, from: 95, to: 100}",
            "{grade: D, from: 95, to: 99}",
            "grading.bands[3].to",
            "0–100 %",
        ),
        (
            "{grade: B, from: 20, to: 80}",
            "{grade: B, from: 20, to: 20}",
            "grading.bands[1].to",
            "not after",
        ),
    ],
)
def test_bands_must_cover_0_to_100_percent(old: str, new: str, where: str, words: str) -> None:
    with pytest.raises(ProfileError) as err:
        Scheme.from_yaml(_with(MINIMAL, old, new))
    assert where in str(err.value)
    assert words in str(err.value)


def test_score_bands_must_leave_no_score_without_grade() -> None:
    score = """grading:
  by: score
  bands:
    - {grade: A, min: 80}
    - {grade: B, min: 60}
"""
    text = MINIMAL[: MINIMAL.index("grading:")] + score
    with pytest.raises(
        ProfileError, match=r"grading\.bands\[1\]\.min: the last band must be open below"
    ):
        Scheme.from_yaml(text)
    rising = text.replace("{grade: B, min: 60}", "{grade: B, min: 90}\n    - {grade: C, min: null}")
    with pytest.raises(ProfileError, match=r"grading\.bands\[1\]\.min: band 'B' has min 90"):
        Scheme.from_yaml(rising)


@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['echo pwned']",
        "!!python/object:landasset.efficiency.scheme.Band {grade: A}",
        "!!python/name:os.system",
    ],
)
def test_python_tags_are_refused(payload: str) -> None:
    text = _with(MINIMAL, "name: test", f"name: {payload}")
    with pytest.raises(ProfileError, match="refuses Python tags"):
        Scheme.from_yaml(text)


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        (
            "weight: 60}",
            "weigth: 60}",
            r"indicators\[0\]\.weigth: unknown key; use one of: name, weight",
        ),
        ("weight: 60}", "weight: -1}", r"indicators\[0\]\.weight: expected a positive number"),
        ("weight: 60}", "weight: true}", r"indicators\[0\]\.weight: expected a positive number"),
        (
            "benchmark: 100",
            "benchmark: pct",
            r"indicators\[1\]\.benchmark: 'pct' is not a benchmark",
        ),
        ("weight: 60}", "weight: 60, cap: 2}", r"indicators\[0\]\.cap: a cap applies to benchmark"),
        (
            "by: percentile",
            "by: rank",
            r"grading\.by: 'rank' is not a grading method; use one of: 'percentile', 'score'",
        ),
        ("version: 1", "version: 2", r"version: 2 is not a scheme format"),
        (
            "weight: 60}",
            "weight: 60, zero_denominator: skip}",
            r"zero_denominator: 'skip' is not a zero-denominator rule; use one of: 'not_graded', 'full_points'",
        ),
    ],
)
def test_errors_name_the_key_path_and_choices(old: str, new: str, match: str) -> None:
    with pytest.raises(ProfileError, match=match):
        Scheme.from_yaml(_with(MINIMAL, old, new))


def test_cross_field_rules() -> None:
    veto = MINIMAL + "vetoes:\n  - {column: incident, best_grade: E}\n"
    with pytest.raises(
        ProfileError,
        match=r"vetoes\[0\]\.best_grade: 'E' is not a grade of this scheme; use one of: 'A', 'B', 'C', 'D'",
    ):
        Scheme.from_yaml(veto)
    full = _with(MINIMAL, "benchmark: 100, cap: 2", "benchmark: 100, zero_denominator: full_points")
    with pytest.raises(ProfileError, match="needs a cap"):
        Scheme.from_yaml(full)
    twice = _with(MINIMAL, "name: value_added_per_mu_10k_cny", "name: tax_per_mu_10k_cny")
    with pytest.raises(ProfileError, match="listed twice"):
        Scheme.from_yaml(twice)


def test_missing_keys_and_bad_documents() -> None:
    with pytest.raises(ProfileError, match="missing required key 'grading'"):
        Scheme.from_yaml("version: 1\nname: x\nindicators: [{name: rnd_intensity, weight: 1}]")
    with pytest.raises(ProfileError, match="expected a mapping"):
        Scheme.from_yaml("- just\n- a list\n")
    with pytest.raises(ProfileError, match="scheme text is not valid YAML"):
        Scheme.from_yaml("version: 1\nname: [unclosed\n")
    with pytest.raises(LandassetIOError, match="no scheme file"):
        Scheme.from_yaml("no/such/scheme.yaml")


def test_errors_in_a_file_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "county.yaml"
    path.write_text(
        _with(MINIMAL, "{grade: C, from: 80, to: 95}", "{grade: C, from: 85, to: 95}"),
        encoding="utf-8",
    )
    with pytest.raises(
        ProfileError, match=r"^scheme file 'county.yaml' \('test'\), grading\.bands\[2\]\.from"
    ):
        Scheme.from_yaml(path)


def test_unknown_bundled_name_lists_choices() -> None:
    with pytest.raises(
        ProfileError,
        match="'zhejiang-2019' is not a bundled scheme; use one of: 'huangyan-2023', 'zhejiang-2018'",
    ):
        load_scheme("zhejiang-2019")


def test_direct_construction_is_validated() -> None:
    indicator = Indicator("tax_per_mu_10k_cny", 1.0, "percentile", "tax_10k_cny", "land_mu")
    good = Grading("percentile", (Band("A", 0, 50), Band("B", 50, 100)))
    scheme = Scheme(name="direct", indicators=(indicator,), grading=good)
    assert scheme.grades == ("A", "B")
    with pytest.raises(ProfileError, match="must cover 0–100 %"):
        Scheme(
            name="bad",
            indicators=(indicator,),
            grading=Grading("percentile", (Band("A", 0, 50), Band("B", 60, 100))),
        )
    with pytest.raises(ProfileError, match="tax_per_mu_10k_cny is tax_10k_cny / land_mu"):
        dataclasses.replace(
            scheme, indicators=(dataclasses.replace(indicator, numerator="revenue_10k_cny"),)
        )


def test_to_yaml_is_plain_safe_yaml() -> None:
    data = yaml.safe_load(load_scheme("zhejiang-2018").to_yaml())
    assert data["version"] == 1
    assert data["indicators"][0] == {
        "name": "tax_per_mu_10k_cny",
        "weight": 30.0,
        "benchmark": "percentile",
        "label": "亩均税收",
    }


def test_html_repr_lists_indicators_and_bands() -> None:
    page = load_scheme("zhejiang-2018")._repr_html_()
    assert "tax_per_mu_10k_cny" in page
    assert "A: 0–20 %" in page
    assert "veto incident" in page


# -- scope --------------------------------------------------------------------------------

SCOPED = """
version: 1
name: scoped
scope: {industry_codes: ['06-46', '65'], land_uses: [industrial], size: small,
        above_scale_revenue_10k_cny: 2000}
indicators: [{name: tax_per_mu_10k_cny, weight: 100}]
grading: {by: score, bands: [{grade: A, min: 50}, {grade: B, min: null}]}
"""


def test_scope_reads_and_round_trips() -> None:
    scheme = Scheme.from_yaml(SCOPED)
    assert scheme.scope == Scope(
        industry_codes=("06-46", "65"),
        land_uses=("industrial",),
        size="small",
        above_scale_revenue_10k_cny=2000.0,
    )
    assert scheme.scope.codes() == {f"{c:02d}" for c in range(6, 47)} | {"65"}
    assert Scheme.from_yaml(scheme.to_yaml()) == scheme
    assert {"industry_code", "above_scale", "revenue_10k_cny"} <= set(scheme.columns)
    # no scope: every enterprise, and nothing written
    plain = Scheme.from_yaml(
        SCOPED.replace(SCOPED[SCOPED.index("scope:") : SCOPED.index("indicators")], "")
    )
    assert plain.scope.everyone and "scope:" not in plain.to_yaml()
    assert plain.scope.describe() == "every enterprise"


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("'06-46'", "'3411'", r"scope\.industry_codes\[0\]: '3411' is not a 2-digit"),
        ("'06-46'", "'46-06'", r"industry_codes\[0\]: '46-06'"),
        ("size: small", "size: medium", r"scope\.size: 'medium' is not a size; use one of: 'any'"),
        ("2000}", "-5}", r"scope\.above_scale_revenue_10k_cny: expected a positive number"),
        ("land_uses:", "land_use:", r"scope\.land_use: unknown key"),
        ("[industrial]", "['']", r"scope\.land_uses\[0\]: expected a non-empty string"),
    ],
)
def test_scope_errors_name_the_key(old: str, new: str, match: str) -> None:
    with pytest.raises(ProfileError, match=match):
        Scheme.from_yaml(SCOPED.replace(old, new))


def test_scope_built_in_python_is_checked() -> None:
    scheme = load_scheme("zhejiang-2018")
    with pytest.raises(ProfileError, match="not a 2-digit industry code"):
        dataclasses.replace(scheme, scope=Scope(industry_codes=("C34",)))


def test_bundled_scopes() -> None:
    industrial = load_scheme("zhejiang-2018").scope
    assert (industrial.size, industrial.above_scale_revenue_10k_cny) == ("above_scale", 2000.0)
    assert industrial.codes() == {f"{c:02d}" for c in range(6, 47)}
    assert not {"51", "64", "65", "73"} & industrial.codes()
    small = load_scheme("zhejiang-2018-small")
    assert small.scope.size == "small" and small.scope.codes() == industrial.codes()
    assert [i.name for i in small.indicators] == ["tax_per_mu_10k_cny"]
    services = load_scheme("zhejiang-2018-services")
    assert {"51", "64", "65", "73"} <= services.scope.codes()
    assert not services.scope.codes() & industrial.codes()
    assert [i.name for i in services.indicators] == ["tax_per_mu_10k_cny", "revenue_per_mu_10k_cny"]
    assert "example" in services.notes.lower()
