"""landasset.Project: reading, checking, writing and showing an incoming project."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landasset as la
from landasset.projects import (
    POLLUTION_CLASSES,
    Commitments,
    Project,
    list_projects,
    load_project,
)

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data" / "projects"


# -- the bundled samples -------------------------------------------------------------------


def test_samples_load():
    assert list_projects() == [
        "aerospace_plant",
        "ai_office",
        "life_science_pilot",
        "smart_manufacturing_plant",
    ]
    plant = load_project("aerospace_plant")
    assert (plant.kind, plant.industry, plant.area_mu_min, plant.area_mu_max) == (
        "land",
        "aerospace",
        35.0,
        45.0,
    )
    assert (plant.far_min, plant.far_max, plant.height_max_m) == (1.0, 2.5, 40.0)
    assert (plant.clear_height_m, plant.power_kva) == (12.0, 4000.0)
    assert plant.wanted_by == pd.Timestamp("2026-09-30")
    assert plant.commitments == Commitments(
        investment_intensity_10k_cny_per_mu=500,
        output_per_mu_10k_cny=1000,
        tax_per_mu_10k_cny=50,
        energy_tce_per_10k_cny=0.3,
        production_year=2029,
    )
    ai = load_project("ai_office")
    assert (ai.kind, ai.floor_area_m2_min, ai.floor_area_m2_max) == ("space", 2500.0, 3500.0)
    # three months after the sample's day
    assert ai.wanted_by == pd.Timestamp("2025-12-31") + pd.DateOffset(months=3)
    assert ai.rent_max_cny_m2_month == 80.0
    assert ai.area_mu_min is None and ai.area_mu_max is None
    life = load_project("life_science_pilot")
    assert (life.kind, life.floor_load_kn_m2, life.clear_height_m) == ("space", 5.0, 6.0)
    assert life.floor_area_m2_min <= 2000 <= life.floor_area_m2_max
    smart = load_project("smart_manufacturing_plant")
    assert (smart.kind, smart.area_mu_min, smart.area_mu_max) == ("land", 70.0, 90.0)


@pytest.mark.parametrize("name", list_projects())
def test_sample_data_holds_the_same_files(name):
    bundled = Path(la.projects.__file__).parent / "samples" / f"{name}.yaml"
    assert filecmp.cmp(bundled, SAMPLES / f"{name}.yaml", shallow=False)
    assert load_project(SAMPLES / f"{name}.yaml") == load_project(name)
    assert load_project(str(SAMPLES / f"{name}.yaml")) == load_project(name)


def test_package_level_names():
    assert la.Project is Project and la.Commitments is Commitments
    assert la.load_project is load_project
    assert la.available_spaces is la.projects.available_spaces


def test_unknown_sample_name():
    with pytest.raises(la.ProfileError, match="'aero' is not a bundled project; use one of"):
        load_project("aero")
    with pytest.raises(la.LandassetIOError, match="no project file at"):
        load_project("missing.yaml")


# -- kinds, nested forms ---------------------------------------------------------------------


def test_kinds():
    assert Project(id="a", area_mu_max=10).kind == "land"
    assert Project(id="b", floor_area_m2_min=500).kind == "space"
    assert Project(id="c", area_mu_min=5, floor_area_m2_min=500).kind == "either"
    with pytest.raises(la.LandassetValueError, match="gives no demand"):
        Project(id="d", gfa_m2=1000)


def test_nested_and_flat_forms_are_the_same():
    nested = Project.from_yaml(
        "version: 1\nid: x\narea_mu: {min: 10, max: 20}\nfar: {max: 2}\nfloor_area_m2: {min: 100}\n"
    )
    flat = Project.from_yaml(
        "version: 1\nid: x\narea_mu_min: 10\narea_mu_max: 20\nfar_max: 2\nfloor_area_m2_min: 100\n"
    )
    assert nested == flat
    assert (nested.area_mu_min, nested.area_mu_max, nested.far_max) == (10.0, 20.0, 2.0)
    assert nested.far_min is None


def test_dates_follow_the_one_rule():
    assert Project(id="a", area_mu_min=1, wanted_by="2026-03-31").wanted_by == pd.Timestamp(
        "2026-03-31"
    )
    text = "version: 1\nid: a\narea_mu_min: 1\nwanted_by: '2026-03-31'\n"
    assert Project.from_yaml(text).wanted_by == pd.Timestamp("2026-03-31")
    with pytest.raises(la.LandassetValueError, match="wanted_by='2026-02-30' is not a date"):
        Project(id="a", area_mu_min=1, wanted_by="2026-02-30")


# -- refused input ----------------------------------------------------------------------------


def _refused(text: str) -> str:
    with pytest.raises(la.ProfileError) as info:
        Project.from_yaml("version: 1\nid: p\n" + text)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("area_mu_min: 1\ncolour: red\n", "project text, colour: unknown key; use one of: id,"),
        (
            "area_mu: {min: 1, most: 5}\n",
            "project text, area_mu.most: unknown key; use min and max",
        ),
        (
            "area_mu_min: 1\ncommitments: {tax: 5}\n",
            "project text, commitments.tax: unknown key; use one of: investment_intensity",
        ),
        ("area_mu: 40\n", "project text, area_mu: expected a mapping {min: ..., max: ...}"),
        (
            "area_mu: {min: 10}\narea_mu_min: 12\n",
            "project text, area_mu: min given twice, as area_mu.min and as area_mu_min",
        ),
        ("area_mu: {min: 50, max: 40}\n", "area_mu: min 50 is above max 40; give min <= max"),
        ("area_mu_min: 1\nfar: {min: 3, max: 2}\n", "far: min 3 is above max 2"),
        (
            "floor_area_m2: {min: 4000, max: 3000}\n",
            "floor_area_m2: min 4000 is above max 3000",
        ),
        ("area_mu_min: -5\n", "area_mu_min must be a finite number above 0, not -5"),
        ("area_mu_min: 0\n", "area_mu_min must be a finite number above 0, not 0"),
        ("area_mu_min: 1\npower_kva: lots\n", "power_kva must be a number, not 'lots'"),
        ("area_mu_min: true\n", "area_mu_min must be a number, not True"),
        (
            "area_mu_min: 1\nrent_max_cny_m2_month: .inf\n",
            "rent_max_cny_m2_month must be a finite number above 0",
        ),
        ("area_mu_min: 1\njobs: 2.5\n", "jobs must be a whole number, not 2.5"),
        (
            "area_mu_min: 1\ncommitments: {production_year: 20299}\n",
            "commitments.production_year must be between 1900 and 2200",
        ),
        (
            "area_mu_min: 1\ncommitments: {tax_per_mu_10k_cny: -1}\n",
            "commitments.tax_per_mu_10k_cny must be a finite number above 0",
        ),
        (
            "area_mu_min: 1\npollution_class: heavy\n",
            "'heavy' is not a pollution class; use one of: 'M1', 'M2', 'M3'",
        ),
        (
            "area_mu_min: 1\nindustry: aero\n",
            "industry 'aero' is not a bundled profile; use one of: 'aerospace', 'ai',",
        ),
        (
            "area_mu_min: 1\nindustry: nowhere/x.yaml\n",
            "industry 'nowhere/x.yaml': no profile file there",
        ),
        (
            "area_mu_min: 1\nwanted_by: 2026-03-31 10:00:00\n",
            "wanted_by: datetime.datetime(2026, 3, 31, 10, 0) is not a day; write it YYYY-MM-DD",
        ),
        (
            "area_mu_min: 1\nwanted_by: 31/03/2026\n",
            "wanted_by='31/03/2026' is not a date written YYYY-MM-DD",
        ),
        ("gfa_m2: 1000\n", "project 'p' gives no demand"),
        ("area_mu_min: 1\nname: 5\n", "name must be a non-empty string, not 5"),
    ],
)
def test_refused_input(text, message):
    assert message in _refused(text)


def test_refused_documents():
    with pytest.raises(la.ProfileError, match="version: missing; start the file with version: 1"):
        Project.from_yaml("id: p\narea_mu_min: 1\n")
    with pytest.raises(la.ProfileError, match="version: 2 is not a project format"):
        Project.from_yaml("version: 2\nid: p\narea_mu_min: 1\n")
    with pytest.raises(la.ProfileError, match="id: missing; give the project an id"):
        Project.from_yaml("version: 1\narea_mu_min: 1\n")
    with pytest.raises(la.ProfileError, match="expected a mapping"):
        Project.from_yaml("- a\n- b\n")
    with pytest.raises(la.ProfileError, match="anchors and aliases"):
        Project.from_yaml("version: 1\nid: &x p\nname: *x\narea_mu_min: 1\n")
    with pytest.raises(la.ProfileError, match="appears twice"):
        Project.from_yaml("version: 1\nid: p\nid: q\narea_mu_min: 1\n")
    with pytest.raises(la.LandassetTypeError, match="id must be a non-empty string"):
        Project(id="", area_mu_min=1)
    with pytest.raises(la.LandassetTypeError, match="commitments must be a Commitments"):
        Project(id="p", area_mu_min=1, commitments={"tax_per_mu_10k_cny": 5})


def test_file_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nid: p\narea_mu: {min: 5, max: 1}\n", encoding="utf-8")
    with pytest.raises(la.ProfileError, match=r"^project file 'bad.yaml': area_mu: min 5"):
        load_project(path)


def test_a_profile_beside_the_project_file(tmp_path):
    profile = la.suitability.profile_path("ai")
    (tmp_path / "mine.yaml").write_bytes(profile.read_bytes())
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nid: p\nindustry: mine.yaml\narea_mu_min: 1\n", encoding="utf-8")
    project = load_project(path)
    assert project.industry == str(tmp_path / "mine.yaml")
    assert la.load_profile(project.industry).name == "ai"


# -- round trips ------------------------------------------------------------------------------


def test_to_yaml_writes_a_file(tmp_path):
    plant = load_project("aerospace_plant")
    text = plant.to_yaml(tmp_path / "copy.yaml")
    assert (tmp_path / "copy.yaml").read_text(encoding="utf-8") == text
    assert text.startswith("version: 1\nid: aerospace_plant\n")
    assert "wanted_by: 2026-09-30\n" in text
    assert load_project(tmp_path / "copy.yaml") == plant
    assert Project.from_yaml(text).to_yaml() == text


_number = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def projects(draw: st.DrawFn) -> Project:
    def maybe(strategy: st.SearchStrategy) -> object:
        return draw(st.one_of(st.none(), strategy))

    def pair() -> tuple[object, object]:
        low, high = maybe(_number), maybe(_number)
        if low is not None and high is not None and low > high:
            low, high = high, low
        return low, high

    area, floor, far = pair(), pair(), pair()
    if all(v is None for v in (*area, *floor)):
        area = (draw(_number), area[1])
    commitments = Commitments(
        investment_intensity_10k_cny_per_mu=maybe(_number),
        output_per_mu_10k_cny=maybe(_number),
        tax_per_mu_10k_cny=maybe(_number),
        energy_tce_per_10k_cny=maybe(_number),
        production_year=maybe(st.integers(1990, 2100)),
    )
    return Project(
        id=draw(st.text(min_size=1, max_size=12).filter(str.strip).filter(str.isprintable)),
        name=maybe(st.text(min_size=1, max_size=12).filter(str.strip).filter(str.isprintable)),
        industry=maybe(st.sampled_from(la.list_profiles())),
        area_mu_min=area[0],
        area_mu_max=area[1],
        gfa_m2=maybe(_number),
        floor_area_m2_min=floor[0],
        floor_area_m2_max=floor[1],
        far_min=far[0],
        far_max=far[1],
        height_max_m=maybe(_number),
        clear_height_m=maybe(_number),
        floor_load_kn_m2=maybe(_number),
        power_kva=maybe(_number),
        water_t_per_day=maybe(_number),
        pollution_class=maybe(st.sampled_from(POLLUTION_CLASSES)),
        budget_10k_cny_per_mu=maybe(_number),
        budget_10k_cny=maybe(_number),
        rent_max_cny_m2_month=maybe(_number),
        wanted_by=maybe(
            st.dates(pd.Timestamp("1990-01-01").date(), pd.Timestamp("2100-12-31").date())
        ),
        jobs=maybe(st.integers(0, 100_000)),
        commitments=commitments,
    )


@settings(max_examples=60, deadline=None)
@given(projects())
def test_yaml_round_trip(project):
    text = project.to_yaml()
    again = Project.from_yaml(text)
    assert again == project
    assert again.to_yaml() == text


# -- display ------------------------------------------------------------------------------


def test_repr():
    assert repr(load_project("aerospace_plant")) == (
        "<Project 'aerospace_plant' (land): land 35–45 mu, aerospace, wanted by 2026-09-30>"
    )
    assert repr(load_project("ai_office")) == (
        "<Project 'ai_office' (space): floor 2,500–3,500 m², ai, wanted by 2026-03-31>"
    )
    assert repr(Project(id="e", area_mu_max=5, floor_area_m2_min=100)) == (
        "<Project 'e' (either): land ≤ 5 mu or floor ≥ 100 m²>"
    )


def test_repr_html_escapes_and_lists_the_fields():
    page = Project(
        id="<x>", name="A & B", area_mu_min=3, commitments=Commitments(tax_per_mu_10k_cny=50)
    )._repr_html_()
    assert "<strong>Project &lt;x&gt;</strong> A &amp; B" in page
    assert "<td>area_mu_min</td><td>3.0</td>" in page
    assert "<td>commitments.tax_per_mu_10k_cny</td><td>50.0</td>" in page
    assert "<x>" not in page


@pytest.mark.parametrize("text", ["P\x85", "a\nb", "x\u2028y", "\x00"])
def test_ids_and_names_with_control_characters_are_refused(text):
    # YAML reads U+0085, U+2028 and newlines as line breaks: such an id would not come
    # back from its own file
    with pytest.raises(la.LandassetValueError, match="control character U\\+"):
        la.Project(id=text, area_mu_min=1)
    with pytest.raises(la.LandassetValueError, match="project's name holds"):
        la.Project(id="P", name=text, area_mu_min=1)
