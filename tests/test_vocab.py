"""One vocabulary: stage ids, labels and colours, area units and geometry types are
written once (landasset._vocab, shapely.GeometryType) and every output agrees."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.colors import to_rgba

import landasset as la
from landasset import _stages, _vocab, styles, units
from landasset._errors import LandassetValueError
from landasset.lifecycle.stages import PHASES, Stage
from landasset.viz import _fonts, maps
from landasset.viz._common import stage_label, stage_order
from landasset.viz.html_report import stage_bilingual

SRC = Path(__file__).resolve().parents[1] / "src" / "landasset"
VOCAB = SRC / "_vocab.py"

#: The names and colours as the operator's handbook gives them: an oracle written out
#: here, not read from the library.
HANDBOOK = {
    "planned": ("储备计划", "planned for the reserve", "reserve"),
    "acquiring": ("收储", "being acquired", "reserve"),
    "reserved": ("入库储备", "in the reserve", "reserve"),
    "supply_ready": ("具备供地条件", "ready for supply", "reserve"),
    "supplied": ("出让/划拨", "supplied", "develop"),
    "permitted": ("规划/施工许可", "permitted", "develop"),
    "under_construction": ("在建", "under construction", "develop"),
    "completed": ("竣工备案", "completed and filed", "develop"),
    "operating": ("运营", "operating", "operate"),
    "renewal": ("更新改造(腾笼换鸟)", "in renewal", "operate"),
    "retired": ("注销(分割/合并/到期)", "retired", "retired"),
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _qml_stage_classes() -> dict[str, tuple[tuple[float, ...], str]]:
    """Stage → (RGBA fill in 0..1, label) as the QGIS style of a staged parcel layer says."""
    qml = styles.layer_qml("parcels", "stage", ["parcel_id", "stage"], family="polygon")
    root = ET.fromstring(qml.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("attr") == "stage"
    fills = {}
    for symbol in renderer.iter("symbol"):
        (colour,) = [p.get("v") for p in symbol.iter("prop") if p.get("k") == "color"]
        fills[symbol.get("name")] = tuple(int(c) / 255 for c in colour.split(","))
    return {
        c.get("value"): (fills[c.get("symbol")], c.get("label"))
        for c in renderer.iter("category")
        if c.get("value")
    }


# -- colours -----------------------------------------------------------------------------


def test_qgis_style_and_stage_map_use_the_same_colour_for_each_stage(sample_site: la.Site):
    qml = _qml_stage_classes()
    assert list(qml) == list(HANDBOOK)
    parcels = sample_site.parcels
    live = [s for s in HANDBOOK if s != "retired"]  # a retired parcel is not mapped as live
    assert len(parcels) >= len(live)
    stages = pd.Series(
        [live[i % len(live)] for i in range(len(parcels))],
        index=parcels.index.astype(str),
        dtype=object,
    )
    ax = maps.plot_stage_map(sample_site, stages, as_of="2025-12-31")
    (drawn,) = [c for c in ax.collections if c.get_gid() == "parcels"]
    faces = drawn.get_facecolor()
    assert len(faces) == len(parcels)
    for stage in live:
        position = int(np.flatnonzero(stages.to_numpy() == stage)[0])
        assert np.allclose(faces[position], qml[stage][0], atol=1e-9), stage
    # the legend patch of each stage has the same colour too
    legend = ax.get_legend()
    patches = {
        t.get_text().split(" — ")[0]: h
        for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
    }
    for stage in live:
        assert np.allclose(patches[stage_label(stage)].get_facecolor(), qml[stage][0]), stage


def test_every_stage_colour_is_the_same_in_styles_viz_and_the_table():
    from landasset.viz._common import STAGE_COLOURS

    qml = _qml_stage_classes()
    assert set(STAGE_COLOURS) == set(qml) == set(_vocab.STAGE_IDS)
    for stage, (fill, _) in qml.items():
        assert fill == pytest.approx(to_rgba(STAGE_COLOURS[stage]))
    # eleven stages, eleven different colours
    assert len({fill for fill, _ in qml.values()}) == len(qml)


def test_grade_colours_agree_between_qgis_and_matplotlib():
    from landasset.viz._common import GRADE_COLOURS

    assert list(styles.GRADE_COLOURS) == list(GRADE_COLOURS) == ["A", "B", "C", "D"]
    for grade, (rgb, _) in styles.GRADE_COLOURS.items():
        expected = to_rgba(GRADE_COLOURS[grade])[:3]
        assert tuple(int(c) / 255 for c in rgb.split(",")) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("colour", "triplet"),
    [
        ("#000000", "0,0,0"),
        ("#ffffff", "255,255,255"),
        ("#1A9641", "26,150,65"),
        ("808080", "128,128,128"),
    ],
)
def test_rgb_triplet(colour: str, triplet: str):
    assert _vocab.rgb_triplet(colour) == triplet


@pytest.mark.parametrize("colour", ["#fff", "red", "#12345", ""])
def test_rgb_triplet_refuses_what_is_not_rrggbb(colour: str):
    with pytest.raises(LandassetValueError, match="#rrggbb"):
        _vocab.rgb_triplet(colour)


# -- labels ------------------------------------------------------------------------------


def test_the_table_is_the_handbook():
    assert [(s.id, (s.label_zh, s.label, s.phase)) for s in _vocab.STAGES] == list(HANDBOOK.items())
    assert _stages.STAGE_IDS == _vocab.STAGE_IDS == tuple(HANDBOOK)
    assert dict(PHASES) == {
        "reserve": "储备",
        "develop": "开发",
        "operate": "运营",
        "retired": "注销",
    }


def test_every_stage_label_comes_from_the_one_table():
    table = {s.id: s for s in _vocab.STAGES}
    # lifecycle
    assert [s.value for s in Stage] == list(table)
    for stage in Stage:
        assert (stage.label_zh, stage.label, stage.phase) == HANDBOOK[stage.value]
    # QGIS styles
    assert styles.STAGE_LABELS is _vocab.STAGE_LABELS
    assert {stage: label for stage, (_, label) in _qml_stage_classes().items()} == {
        stage: f"{zh} {en}" for stage, (zh, en, _) in HANDBOOK.items()
    }
    # matplotlib maps and charts, the HTML report
    assert stage_order() == list(HANDBOOK)
    for stage, (zh, _, _) in HANDBOOK.items():
        assert stage_label(stage) == _fonts.label(stage, zh)
        assert stage_label(Stage(stage)) == _fonts.label(stage, zh)
        assert stage_bilingual(stage) == f"{stage} {zh}"
    assert stage_label("built") == "built"
    assert stage_bilingual("built") == "built"


def _constants(path: Path) -> list[tuple[object, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.value, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p != VOCAB)


#: Words that are a stage label but are used as something else: the sample history's
#: event notes say "入库储备" (the act of taking land into the reserve).
NOT_LABELS = {("_samplegen/history.py", "入库储备")}


def test_no_module_retypes_a_stage_label():
    words = {zh for zh, _, _ in HANDBOOK.values()}
    words |= {en for stage, (_, en, _) in HANDBOOK.items() if en != stage}
    found = [
        f"{path.relative_to(SRC)}:{line}: {value!r}"
        for path in _modules()
        for value, line in _constants(path)
        if value in words and (path.relative_to(SRC).as_posix(), value) not in NOT_LABELS
    ]
    assert found == []


def test_no_module_keeps_its_own_table_of_stage_labels_or_colours():
    """No dict literal outside the vocabulary maps stage ids to labels or colours (a table
    of other facts by stage, like the sample history's actors, is fine)."""
    ids = set(HANDBOOK)
    words = {w for zh, en, _ in HANDBOOK.values() for w in (zh, en)}
    colour = re.compile(r"#[0-9a-fA-F]{6}|\d{1,3},\d{1,3},\d{1,3}")

    def vocabulary(value: ast.AST) -> bool:
        return any(
            isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and (n.value in words or colour.fullmatch(n.value) is not None)
            for n in ast.walk(value)
        )

    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if len(keys & ids) >= 3 and any(vocabulary(v) for v in node.values):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert found == []


# -- units and geometry types ------------------------------------------------------------


def test_one_mu_is_defined_once():
    assert units.MU_M2 is _vocab.MU_M2
    assert _vocab.MU_M2 * 3 == 2000.0
    assert (units.HA_M2, units.KM2_M2, units.MU_PER_HA) == (10_000.0, 1_000_000.0, 15.0)

    def is_mu(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.right, ast.Constant)
            and (node.left.value, node.right.value) == (2000, 3)
        )

    found = [
        f"{path.relative_to(SRC)}:{node.lineno}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if is_mu(node)
    ]
    assert found == []


def _is_type_id_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) == "get_type_id"
    )


def test_geometry_types_are_named_not_numbered():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typed = set()  # names bound to a get_type_id result
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _is_type_id_call(node.value):
                typed |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            operands: list[ast.AST] = []
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "isin":
                operands = list(node.args)
            else:
                continue
            about_types = any(
                _is_type_id_call(o) or (isinstance(o, ast.Name) and o.id in typed) for o in operands
            )
            numbers = [
                n
                for o in operands
                for n in ast.walk(o)
                if isinstance(n, ast.Constant) and type(n.value) is int
            ]
            if about_types and numbers:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert found == []


def test_geometry_type_members_select_what_the_numbers_did():
    geoms = np.array(
        [
            shapely.Point(0, 0),
            shapely.box(0, 0, 1, 1),
            shapely.MultiPolygon([shapely.box(0, 0, 1, 1)]),
            shapely.LineString([(0, 0), (1, 1)]),
            None,
        ],
        dtype=object,
    )
    types = shapely.get_type_id(geoms)
    assert (types == shapely.GeometryType.POLYGON).tolist() == [False, True, False, False, False]
    polygonal = np.isin(types, (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON))
    assert polygonal.tolist() == [False, True, True, False, False]
