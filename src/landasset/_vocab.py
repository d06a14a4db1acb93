"""The house vocabulary: lifecycle stage ids, labels, phases and colours; grade colours;
area units.

Every module that names a stage, draws one or converts square metres to mu takes the
words and numbers from here, so the QGIS styles, the matplotlib and folium maps, the
charts, the report and the ledger say the same thing in the same colour:

- :data:`STAGES` is the one table of lifecycle stages (id, Chinese label, English
  label, phase, colour) in pipeline order. :class:`landasset.lifecycle.Stage`,
  :data:`landasset.styles.STAGE_LABELS`, the stage style of a GeoPackage layer, the
  stage map and the charts all read it.
- :data:`GRADE_COLOURS` is the colour of each per-mu grade (亩均效益等级 A–D).
- :data:`MU_M2` and its companions are the area units; :mod:`landasset.units`
  publishes them with the conversion functions.

Geometry types are not retyped as numbers either: code compares
``shapely.get_type_id`` with :class:`shapely.GeometryType` members.

This module imports nothing beyond the standard library, so the lightest modules
(the command line's option choices, suitability's stage rules) can use it.

Examples
--------
>>> from landasset._vocab import STAGE_COLOURS, STAGE_LABELS, rgb_triplet
>>> STAGE_LABELS["reserved"]
('入库储备', 'in the reserve')
>>> STAGE_COLOURS["operating"], rgb_triplet(STAGE_COLOURS["operating"])
('#74c476', '116,196,118')
>>> MU_M2 * 15
10000.0
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from landasset._errors import LandassetValueError

__all__ = [
    "GRADE_COLOURS",
    "HA_M2",
    "KM2_M2",
    "MU_M2",
    "MU_PER_HA",
    "NO_DATA_COLOUR",
    "PHASES",
    "STAGES",
    "STAGE_COLOURS",
    "STAGE_IDS",
    "STAGE_LABELS",
    "UNDER_CONTRACT_STAGES",
    "StageTerm",
    "rgb_triplet",
    "stage_bilingual",
]

# -- area units ---------------------------------------------------------------------

#: Square metres in one mu (亩), exactly 2000/3.
MU_M2: float = 2000.0 / 3.0
#: Square metres in one hectare.
HA_M2: float = 10_000.0
#: Square metres in one square kilometre.
KM2_M2: float = 1_000_000.0
#: Mu in one hectare (exactly 15).
MU_PER_HA: float = 15.0

# -- lifecycle stages ---------------------------------------------------------------


class StageTerm(NamedTuple):
    """One row of :data:`STAGES`."""

    id: str
    """The identifier stored in the ledger and in ``stage`` columns."""
    label_zh: str
    """The operator's Chinese name."""
    label: str
    """A short English name."""
    phase: str
    """``"reserve"`` (储备), ``"develop"`` (开发), ``"operate"`` (运营) or ``"retired"``."""
    colour: str
    """The fill colour on every map and style, ``#rrggbb``: blues for the reserve,
    oranges for development, green for operation, purple for renewal, grey for retired."""


#: The lifecycle stages in pipeline order: the one table of their names and colours.
STAGES: tuple[StageTerm, ...] = (
    StageTerm("planned", "储备计划", "planned for the reserve", "reserve", "#c6dbef"),
    StageTerm("acquiring", "收储", "being acquired", "reserve", "#9ecae1"),
    StageTerm("reserved", "入库储备", "in the reserve", "reserve", "#4292c6"),
    StageTerm("supply_ready", "具备供地条件", "ready for supply", "reserve", "#08519c"),
    StageTerm("supplied", "出让/划拨", "supplied", "develop", "#fdd0a2"),
    StageTerm("permitted", "规划/施工许可", "permitted", "develop", "#fdae6b"),
    StageTerm("under_construction", "在建", "under construction", "develop", "#f16913"),
    StageTerm("completed", "竣工备案", "completed and filed", "develop", "#a63603"),
    StageTerm("operating", "运营", "operating", "operate", "#74c476"),
    StageTerm("renewal", "更新改造(腾笼换鸟)", "in renewal", "operate", "#807dba"),
    StageTerm("retired", "注销(分割/合并/到期)", "retired", "retired", "#969696"),
)

#: The stage identifiers in pipeline order.
STAGE_IDS: tuple[str, ...] = tuple(s.id for s in STAGES)

#: Stage id → (Chinese label, English label).
STAGE_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {s.id: (s.label_zh, s.label) for s in STAGES}
)

#: Stage id → fill colour (``#rrggbb``).
STAGE_COLOURS: Mapping[str, str] = MappingProxyType({s.id: s.colour for s in STAGES})

#: The phases of the reserve → develop → operate chain with their Chinese names, in order.
PHASES: Mapping[str, str] = MappingProxyType(
    {"reserve": "储备", "develop": "开发", "operate": "运营", "retired": "注销"}
)

#: The stages in which a supply contract binds the parcel: from supply (出让/划拨) until
#: the land goes back to the reserve or is retired.
UNDER_CONTRACT_STAGES: tuple[str, ...] = (
    "supplied",
    "permitted",
    "under_construction",
    "completed",
    "operating",
    "renewal",
)

# -- other colours ------------------------------------------------------------------

#: Per-mu grade (亩均效益等级) → fill colour (``#rrggbb``), green (A) to red (D).
GRADE_COLOURS: Mapping[str, str] = MappingProxyType(
    {"A": "#1a9641", "B": "#a6d96a", "C": "#fdae61", "D": "#d7191c"}
)

#: The fill of a parcel without a value (no stage, no grade).
NO_DATA_COLOUR = "#e0e0e0"


def rgb_triplet(colour: str) -> str:
    """A ``#rrggbb`` colour as QGIS writes it in a style: ``"r,g,b"``.

    >>> rgb_triplet("#1a9641")
    '26,150,65'
    """
    digits = colour.removeprefix("#")
    if len(digits) != 6:
        raise LandassetValueError(f"{colour!r} is not a colour; write it as '#rrggbb'")
    return ",".join(str(int(digits[i : i + 2], 16)) for i in (0, 2, 4))


def stage_bilingual(stage: str) -> str:
    """``"operating 运营"``: the id and the Chinese label; an unknown id as given.

    >>> stage_bilingual("supplied"), stage_bilingual("built")
    ('supplied 出让/划拨', 'built')
    """
    labels = STAGE_LABELS.get(str(stage))
    return str(stage) if labels is None else f"{stage} {labels[0]}"
