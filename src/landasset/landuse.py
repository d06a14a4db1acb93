"""Land-use codes and the coarse families they map to.

Two coding systems are in use on Chinese planning data and both are accepted, stored
as strings:

* GB 50137-2011 (城市用地分类与规划建设用地标准): letter codes for the major, medium
  and small classes of urban construction land (``M1``, ``B14``, ``S41``, ``U11``) and
  of urban and rural land (``H4``, ``H41``, ``E11``); ``M0`` is the "new industrial"
  (新型产业用地) class used by Zhejiang and Shenzhen.
* The national land and sea classification (国土空间调查、规划、用途管制用地用海分类
  指南, 2020, 2023 edition): first-, second- and third-level digit codes such as ``09``
  (commercial), ``1001`` (industrial), ``100101``–``100103`` (industrial classes 1–3),
  ``070101`` (urban housing class 1), ``090101`` (retail).

Each listed code maps to one family: industrial, commercial, residential, public,
green, transport, warehouse or other. Beyond the table:

* a small class that is not listed (``B19``, ``090199``) is read as its listed medium
  class (``B1``, ``0901``), with a :class:`LandUseCodeWarning`: never silently;
* a mixed code (``B1/B2``, ``R2+B1``, ``R2B1``) has the families of all its parts
  (:func:`land_use_parts`), and a rule on the family reads every part;
* anything else is ``"unknown"``: schema validation reports it, and a suitability
  rule on an unknown family never passes (the parcel is not eligible).

Examples
--------
>>> from landasset.landuse import land_use_family
>>> land_use_family(["M1", "100102", "B2", "14", "X9"]).tolist()
['industrial', 'industrial', 'commercial', 'green', 'unknown']
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from landasset._errors import LandassetValueError, LandUseCodeWarning

__all__ = [
    "FAMILIES",
    "LAND_USE_CODES",
    "LandUseCodeWarning",
    "is_known_land_use",
    "land_use_family",
    "land_use_name",
    "land_use_parts",
]

#: The coarse families every code maps to (plus ``"unknown"`` for codes not in the table).
FAMILIES: tuple[str, ...] = (
    "industrial",
    "commercial",
    "residential",
    "public",
    "green",
    "transport",
    "warehouse",
    "other",
)

# (code, standard, family, name_zh, name_en)
# GB 50137-2011 城市用地分类与规划建设用地标准: table 3.2.2 (城乡用地: H, E) and table
# 3.3.2 (城市建设用地: R, A, B, M, W, S, U, G), major, medium and small classes. M0
# (新型产业用地) is a local addition (Zhejiang, Shenzhen), not a class of the standard.
_GB = "GB50137"
_GT = "GT2020"
_ROWS: list[tuple[str, str, str, str, str]] = [
    ("R", _GB, "residential", "居住用地", "residential"),
    ("R1", _GB, "residential", "一类居住用地", "residential class 1"),
    ("R11", _GB, "residential", "住宅用地", "housing (class 1)"),
    ("R12", _GB, "residential", "服务设施用地", "residential services (class 1)"),
    ("R2", _GB, "residential", "二类居住用地", "residential class 2"),
    ("R21", _GB, "residential", "住宅用地", "housing (class 2)"),
    ("R22", _GB, "residential", "服务设施用地", "residential services (class 2)"),
    ("R3", _GB, "residential", "三类居住用地", "residential class 3"),
    ("R31", _GB, "residential", "住宅用地", "housing (class 3)"),
    ("R32", _GB, "residential", "服务设施用地", "residential services (class 3)"),
    ("A", _GB, "public", "公共管理与公共服务设施用地", "public administration and services"),
    ("A1", _GB, "public", "行政办公用地", "administration"),
    ("A2", _GB, "public", "文化设施用地", "culture"),
    ("A21", _GB, "public", "图书展览用地", "libraries and exhibitions"),
    ("A22", _GB, "public", "文化活动用地", "cultural activities"),
    ("A3", _GB, "public", "教育科研用地", "education and research"),
    ("A31", _GB, "public", "高等院校用地", "universities"),
    ("A32", _GB, "public", "中等专业学校用地", "vocational schools"),
    ("A33", _GB, "public", "中小学用地", "primary and secondary schools"),
    ("A34", _GB, "public", "特殊教育用地", "special education"),
    ("A35", _GB, "public", "科研用地", "research"),
    ("A4", _GB, "public", "体育用地", "sports"),
    ("A41", _GB, "public", "体育场馆用地", "stadiums and sports halls"),
    ("A42", _GB, "public", "体育训练用地", "sports training"),
    ("A5", _GB, "public", "医疗卫生用地", "health care"),
    ("A51", _GB, "public", "医院用地", "hospitals"),
    ("A52", _GB, "public", "卫生防疫用地", "disease prevention"),
    ("A53", _GB, "public", "特殊医疗用地", "special medical care"),
    ("A59", _GB, "public", "其他医疗卫生用地", "other health care"),
    ("A6", _GB, "public", "社会福利用地", "social welfare"),
    ("A7", _GB, "public", "文物古迹用地", "heritage"),
    ("A8", _GB, "public", "外事用地", "foreign affairs"),
    ("A9", _GB, "public", "宗教用地", "religious"),
    ("B", _GB, "commercial", "商业服务业设施用地", "commercial and business"),
    ("B1", _GB, "commercial", "商业用地", "commercial"),
    ("B11", _GB, "commercial", "零售商业用地", "retail"),
    ("B12", _GB, "commercial", "批发市场用地", "wholesale markets"),
    ("B13", _GB, "commercial", "餐饮用地", "catering"),
    ("B14", _GB, "commercial", "旅馆用地", "hotels"),
    ("B2", _GB, "commercial", "商务用地", "business offices"),
    ("B21", _GB, "commercial", "金融保险用地", "finance and insurance"),
    ("B22", _GB, "commercial", "艺术传媒用地", "arts and media"),
    ("B29", _GB, "commercial", "其他商务用地", "other business"),
    ("B3", _GB, "commercial", "娱乐康体用地", "recreation"),
    ("B31", _GB, "commercial", "娱乐用地", "entertainment"),
    ("B32", _GB, "commercial", "康体用地", "fitness and leisure"),
    ("B4", _GB, "commercial", "公用设施营业网点用地", "utility outlets"),
    ("B41", _GB, "commercial", "加油加气站用地", "fuel and gas stations"),
    ("B49", _GB, "commercial", "其他公用设施营业网点用地", "other utility outlets"),
    ("B9", _GB, "commercial", "其他服务设施用地", "other services"),
    ("M", _GB, "industrial", "工业用地", "industrial"),
    ("M0", _GB, "industrial", "新型产业用地", "new industrial (M0)"),
    ("M1", _GB, "industrial", "一类工业用地", "industrial class 1"),
    ("M2", _GB, "industrial", "二类工业用地", "industrial class 2"),
    ("M3", _GB, "industrial", "三类工业用地", "industrial class 3"),
    ("W", _GB, "warehouse", "物流仓储用地", "logistics and warehousing"),
    ("W1", _GB, "warehouse", "一类物流仓储用地", "warehousing class 1"),
    ("W2", _GB, "warehouse", "二类物流仓储用地", "warehousing class 2"),
    ("W3", _GB, "warehouse", "三类物流仓储用地", "warehousing class 3"),
    ("S", _GB, "transport", "道路与交通设施用地", "roads and transport"),
    ("S1", _GB, "transport", "城市道路用地", "urban roads"),
    ("S2", _GB, "transport", "城市轨道交通用地", "urban rail transit"),
    ("S3", _GB, "transport", "交通枢纽用地", "transport hubs"),
    ("S4", _GB, "transport", "交通场站用地", "transport yards"),
    ("S41", _GB, "transport", "公共交通场站用地", "public transport yards"),
    ("S42", _GB, "transport", "社会停车场用地", "public car parks"),
    ("S9", _GB, "transport", "其他交通设施用地", "other transport"),
    ("U", _GB, "public", "公用设施用地", "utilities"),
    ("U1", _GB, "public", "供应设施用地", "supply utilities"),
    ("U11", _GB, "public", "供水用地", "water supply"),
    ("U12", _GB, "public", "供电用地", "power supply"),
    ("U13", _GB, "public", "供燃气用地", "gas supply"),
    ("U14", _GB, "public", "供热用地", "heat supply"),
    ("U15", _GB, "public", "通信用地", "telecommunications"),
    ("U16", _GB, "public", "广播电视用地", "broadcasting"),
    ("U2", _GB, "public", "环境设施用地", "environmental utilities"),
    ("U21", _GB, "public", "排水用地", "drainage"),
    ("U22", _GB, "public", "环卫用地", "sanitation"),
    ("U3", _GB, "public", "安全设施用地", "safety utilities"),
    ("U31", _GB, "public", "消防用地", "fire services"),
    ("U32", _GB, "public", "防洪用地", "flood defence"),
    ("U9", _GB, "public", "其他公用设施用地", "other utilities"),
    ("G", _GB, "green", "绿地与广场用地", "green space and squares"),
    ("G1", _GB, "green", "公园绿地", "parks"),
    ("G2", _GB, "green", "防护绿地", "protective green"),
    ("G3", _GB, "green", "广场用地", "squares"),
    ("H", _GB, "other", "建设用地", "construction land"),
    ("H1", _GB, "other", "城乡居民点建设用地", "urban and rural settlements"),
    ("H11", _GB, "other", "城市建设用地", "urban construction land"),
    ("H12", _GB, "other", "镇建设用地", "town construction land"),
    ("H13", _GB, "other", "乡建设用地", "township construction land"),
    ("H14", _GB, "other", "村庄建设用地", "village construction land"),
    ("H2", _GB, "transport", "区域交通设施用地", "regional transport"),
    ("H21", _GB, "transport", "铁路用地", "railways"),
    ("H22", _GB, "transport", "公路用地", "highways"),
    ("H23", _GB, "transport", "港口用地", "ports"),
    ("H24", _GB, "transport", "机场用地", "airports"),
    ("H25", _GB, "transport", "管道运输用地", "pipelines"),
    ("H3", _GB, "public", "区域公用设施用地", "regional utilities"),
    ("H4", _GB, "other", "特殊用地", "special use"),
    ("H41", _GB, "other", "军事用地", "military"),
    ("H42", _GB, "other", "安保用地", "security"),
    ("H5", _GB, "industrial", "采矿用地", "mining"),
    ("H9", _GB, "other", "其他建设用地", "other construction land"),
    ("E", _GB, "other", "非建设用地", "non-construction land"),
    ("E1", _GB, "other", "水域", "water"),
    ("E11", _GB, "other", "自然水域", "natural water"),
    ("E12", _GB, "other", "水库", "reservoirs"),
    ("E13", _GB, "other", "坑塘沟渠", "ponds and ditches"),
    ("E2", _GB, "other", "农林用地", "agriculture and forestry"),
    ("E9", _GB, "other", "其他非建设用地", "other non-construction"),
    # 国土空间调查、规划、用途管制用地用海分类指南 (2020 trial, 2023 edition): first-level
    # (two digits), second-level (four) and third-level (six) codes
    ("01", _GT, "other", "耕地", "cropland"),
    ("0101", _GT, "other", "水田", "paddy fields"),
    ("0102", _GT, "other", "水浇地", "irrigated land"),
    ("0103", _GT, "other", "旱地", "dry land"),
    ("02", _GT, "other", "园地", "orchards"),
    ("0201", _GT, "other", "果园", "fruit orchards"),
    ("0202", _GT, "other", "茶园", "tea gardens"),
    ("03", _GT, "other", "林地", "forest"),
    ("0301", _GT, "other", "乔木林地", "tree forest"),
    ("0302", _GT, "other", "竹林地", "bamboo forest"),
    ("0303", _GT, "other", "灌木林地", "shrubland"),
    ("0304", _GT, "other", "其他林地", "other forest"),
    ("04", _GT, "other", "草地", "grassland"),
    ("0401", _GT, "other", "天然牧草地", "natural pasture"),
    ("0402", _GT, "other", "人工牧草地", "sown pasture"),
    ("0403", _GT, "other", "其他草地", "other grassland"),
    ("05", _GT, "other", "湿地", "wetland"),
    ("06", _GT, "other", "农业设施建设用地", "agricultural facilities"),
    ("0601", _GT, "other", "乡村道路用地", "rural roads"),
    ("0602", _GT, "other", "种植设施建设用地", "cultivation facilities"),
    ("0603", _GT, "other", "畜禽养殖设施建设用地", "livestock facilities"),
    ("0604", _GT, "other", "水产养殖设施建设用地", "aquaculture facilities"),
    ("07", _GT, "residential", "居住用地", "residential"),
    ("0701", _GT, "residential", "城镇住宅用地", "urban housing"),
    ("070101", _GT, "residential", "一类城镇住宅用地", "urban housing class 1"),
    ("070102", _GT, "residential", "二类城镇住宅用地", "urban housing class 2"),
    ("070103", _GT, "residential", "三类城镇住宅用地", "urban housing class 3"),
    ("0702", _GT, "residential", "城镇社区服务设施用地", "community services"),
    ("0703", _GT, "residential", "农村宅基地", "rural housing"),
    ("070301", _GT, "residential", "一类农村宅基地", "rural housing class 1"),
    ("070302", _GT, "residential", "二类农村宅基地", "rural housing class 2"),
    ("0704", _GT, "residential", "农村社区服务设施用地", "rural community services"),
    ("08", _GT, "public", "公共管理与公共服务用地", "public administration and services"),
    ("0801", _GT, "public", "机关团体用地", "government"),
    ("0802", _GT, "public", "科研用地", "research"),
    ("0803", _GT, "public", "文化用地", "culture"),
    ("080301", _GT, "public", "图书与展览用地", "libraries and exhibitions"),
    ("080302", _GT, "public", "文化活动用地", "cultural activities"),
    ("0804", _GT, "public", "教育用地", "education"),
    ("080401", _GT, "public", "高等教育用地", "higher education"),
    ("080402", _GT, "public", "中等职业教育用地", "vocational education"),
    ("080403", _GT, "public", "中小学用地", "primary and secondary schools"),
    ("080404", _GT, "public", "幼儿园用地", "kindergartens"),
    ("080405", _GT, "public", "其他教育用地", "other education"),
    ("0805", _GT, "public", "体育用地", "sports"),
    ("080501", _GT, "public", "体育场馆用地", "stadiums and sports halls"),
    ("080502", _GT, "public", "体育训练用地", "sports training"),
    ("0806", _GT, "public", "医疗卫生用地", "health care"),
    ("080601", _GT, "public", "医院用地", "hospitals"),
    ("080602", _GT, "public", "基层医疗卫生设施用地", "primary health care"),
    ("080603", _GT, "public", "公共卫生用地", "public health"),
    ("0807", _GT, "public", "社会福利用地", "social welfare"),
    ("080701", _GT, "public", "老年人社会福利用地", "welfare for the elderly"),
    ("080702", _GT, "public", "儿童社会福利用地", "welfare for children"),
    ("080703", _GT, "public", "残疾人社会福利用地", "welfare for the disabled"),
    ("080704", _GT, "public", "其他社会福利用地", "other social welfare"),
    ("09", _GT, "commercial", "商业服务业用地", "commercial and business"),
    ("0901", _GT, "commercial", "商业用地", "commercial"),
    ("090101", _GT, "commercial", "零售商业用地", "retail"),
    ("090102", _GT, "commercial", "批发市场用地", "wholesale markets"),
    ("090103", _GT, "commercial", "餐饮用地", "catering"),
    ("090104", _GT, "commercial", "旅馆用地", "hotels"),
    ("090105", _GT, "commercial", "公用设施营业网点用地", "utility outlets"),
    ("0902", _GT, "commercial", "商务金融用地", "business and finance"),
    ("0903", _GT, "commercial", "娱乐用地", "entertainment"),
    ("0904", _GT, "commercial", "其他商业服务业用地", "other commercial"),
    ("10", _GT, "industrial", "工矿用地", "industry and mining"),
    ("1001", _GT, "industrial", "工业用地", "industrial"),
    ("100101", _GT, "industrial", "一类工业用地", "industrial class 1"),
    ("100102", _GT, "industrial", "二类工业用地", "industrial class 2"),
    ("100103", _GT, "industrial", "三类工业用地", "industrial class 3"),
    ("1002", _GT, "industrial", "采矿用地", "mining"),
    ("1003", _GT, "industrial", "盐田", "salt pans"),
    ("11", _GT, "warehouse", "仓储用地", "warehousing"),
    ("1101", _GT, "warehouse", "物流仓储用地", "logistics and warehousing"),
    ("110101", _GT, "warehouse", "一类物流仓储用地", "warehousing class 1"),
    ("110102", _GT, "warehouse", "二类物流仓储用地", "warehousing class 2"),
    ("110103", _GT, "warehouse", "三类物流仓储用地", "warehousing class 3"),
    ("1102", _GT, "warehouse", "储备库用地", "reserve depots"),
    ("12", _GT, "transport", "交通运输用地", "transport"),
    ("1201", _GT, "transport", "铁路用地", "railways"),
    ("1202", _GT, "transport", "公路用地", "highways"),
    ("1203", _GT, "transport", "机场用地", "airports"),
    ("1204", _GT, "transport", "港口码头用地", "ports and docks"),
    ("1205", _GT, "transport", "管道运输用地", "pipelines"),
    ("1206", _GT, "transport", "城市轨道交通用地", "urban rail transit"),
    ("1207", _GT, "transport", "城镇村道路用地", "urban and village roads"),
    ("1208", _GT, "transport", "交通场站用地", "transport yards"),
    ("120801", _GT, "transport", "对外交通场站用地", "intercity transport yards"),
    ("120802", _GT, "transport", "公共交通场站用地", "public transport yards"),
    ("120803", _GT, "transport", "社会停车场用地", "public car parks"),
    ("1209", _GT, "transport", "其他交通设施用地", "other transport"),
    ("13", _GT, "public", "公用设施用地", "utilities"),
    ("1301", _GT, "public", "供水用地", "water supply"),
    ("1302", _GT, "public", "排水用地", "drainage"),
    ("1303", _GT, "public", "供电用地", "power supply"),
    ("1304", _GT, "public", "供燃气用地", "gas supply"),
    ("1305", _GT, "public", "供热用地", "heat supply"),
    ("1306", _GT, "public", "通信用地", "telecommunications"),
    ("1307", _GT, "public", "邮政用地", "postal services"),
    ("1308", _GT, "public", "广播电视设施用地", "broadcasting"),
    ("1309", _GT, "public", "环卫用地", "sanitation"),
    ("1310", _GT, "public", "消防用地", "fire services"),
    ("1311", _GT, "public", "水工设施用地", "hydraulic works"),
    ("1312", _GT, "public", "其他公用设施用地", "other utilities"),
    ("14", _GT, "green", "绿地与开敞空间用地", "green and open space"),
    ("1401", _GT, "green", "公园绿地", "parks"),
    ("1402", _GT, "green", "防护绿地", "protective green"),
    ("1403", _GT, "green", "广场用地", "squares"),
    ("15", _GT, "other", "特殊用地", "special use"),
    ("1501", _GT, "other", "军事设施用地", "military"),
    ("1502", _GT, "other", "使领馆用地", "embassies and consulates"),
    ("1503", _GT, "other", "宗教用地", "religious"),
    ("1504", _GT, "other", "文物古迹用地", "heritage"),
    ("1505", _GT, "other", "监教场所用地", "detention"),
    ("1506", _GT, "other", "殡葬用地", "funeral"),
    ("1507", _GT, "other", "其他特殊用地", "other special use"),
    ("16", _GT, "other", "留白用地", "reserved (white) land"),
    ("17", _GT, "other", "陆地水域", "inland water"),
    ("1701", _GT, "other", "河流水面", "rivers"),
    ("1702", _GT, "other", "湖泊水面", "lakes"),
    ("1703", _GT, "other", "水库水面", "reservoirs"),
    ("1704", _GT, "other", "坑塘水面", "ponds"),
    ("1705", _GT, "other", "沟渠", "ditches"),
    ("1706", _GT, "other", "冰川及常年积雪", "glaciers and permanent snow"),
    ("18", _GT, "other", "渔业用海", "fishery sea"),
    ("19", _GT, "other", "工矿通信用海", "industrial and communication sea"),
    ("20", _GT, "other", "交通运输用海", "transport sea"),
    ("21", _GT, "other", "游憩用海", "recreational sea"),
    ("22", _GT, "other", "特殊用海", "special-use sea"),
    ("23", _GT, "other", "其他土地", "other land"),
    ("24", _GT, "other", "其他海域", "other sea"),
]

#: Every known code: index ``code``; columns ``standard`` (``GB50137`` or ``GT2020``),
#: ``family``, ``name_zh`` and ``name_en``.
LAND_USE_CODES: pd.DataFrame = pd.DataFrame(
    _ROWS, columns=["code", "standard", "family", "name_zh", "name_en"]
).set_index("code")

_FAMILY: dict[str, str] = dict(zip(LAND_USE_CODES.index, LAND_USE_CODES["family"], strict=True))


#: The major classes of GB 50137-2011, the letters a concatenated mixed code is made of.
#: Each part of a concatenated code carries its medium class (``R2B1``): letters alone
#: (``GRASS`` from an OpenStreetMap ``landuse`` tag) are a word, not five codes.
_GB_MAJORS = "RABMWSUGHE"
_GB_SMALL = re.compile(r"^[A-Z]\d\d$")
_GT_THIRD = re.compile(r"^\d{6}$")
_GB_CONCAT = re.compile(rf"^(?:[{_GB_MAJORS}]\d+){{2,}}$")
_GB_TOKEN = re.compile(r"[A-Z]\d*")
#: What separates the parts of a mixed code: ``B1/B2``, ``R2+B1``, ``B1、B2``, ``B1,B2``.
_SEPARATORS = re.compile(r"\s*[/+、,，;；]\s*")


def _as_series(codes: Iterable[object] | pd.Series) -> pd.Series:
    if isinstance(codes, pd.Series):
        return codes
    return pd.Series(list(codes), dtype="object")


def _normalise(codes: pd.Series) -> pd.Series:
    # "m1" and " M1 " are the same code; numbers read from a spreadsheet lose their
    # leading zero, which we cannot restore, so they stay unknown and get reported
    return codes.astype("string").str.strip().str.upper()


def _parts(code: str) -> tuple[str, ...]:
    """The parts of a (possibly mixed) normalised code: ``R2B1`` → ``("R2", "B1")``."""
    pieces = [p for p in _SEPARATORS.split(code) if p]
    out: list[str] = []
    for piece in pieces:
        if piece not in _FAMILY and _GB_CONCAT.match(piece):
            out.extend(_GB_TOKEN.findall(piece))
        else:
            out.append(piece)
    return tuple(out) if out else (code,)


def _listed_parent(part: str) -> str | None:
    """The medium class of an unlisted small class (``B19`` → ``B1``, ``090199`` →
    ``0901``) when that one is listed; None otherwise."""
    if _GB_SMALL.match(part) or _GT_THIRD.match(part):
        parent = part[:2] if _GB_SMALL.match(part) else part[:4]
        if parent in _FAMILY:
            return parent
    return None


@dataclass(frozen=True)
class _Resolved:
    parts: tuple[str, ...]
    families: tuple[str, ...]  # one per part, "unknown" when it has none
    matched: tuple[str | None, ...]  # the listed code each part was read as
    fallbacks: tuple[tuple[str, str], ...]  # (part, listed parent) read by prefix

    @property
    def family(self) -> str:
        return "/".join(dict.fromkeys(self.families))

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(p for p, f in zip(self.parts, self.families, strict=True) if f == "unknown")


def _resolve_one(code: str) -> _Resolved:
    parts = _parts(code)
    families: list[str] = []
    matched: list[str | None] = []
    fallbacks: list[tuple[str, str]] = []
    for part in parts:
        if part in _FAMILY:
            families.append(_FAMILY[part])
            matched.append(part)
            continue
        parent = _listed_parent(part)
        if parent is not None:
            families.append(_FAMILY[parent])
            matched.append(parent)
            fallbacks.append((part, parent))
        else:
            families.append("unknown")
            matched.append(None)
    return _Resolved(parts, tuple(families), tuple(matched), tuple(fallbacks))


def _resolve(codes: pd.Series) -> tuple[npt.NDArray[np.intp], list[_Resolved]]:
    """Factorised codes (-1 = missing) and the resolution of each distinct code: only
    the few distinct codes are looked at in Python."""
    norm = _normalise(codes)
    ids, uniques = pd.factorize(norm.astype(object), use_na_sentinel=True)
    return ids, [_resolve_one(str(u)) for u in uniques]


def _warn_fallbacks(resolved: Sequence[_Resolved]) -> None:
    pairs = dict(pair for r in resolved for pair in r.fallbacks)
    if not pairs:
        return
    listed = ", ".join(
        f"{part!r} as {parent!r} ({_FAMILY[parent]})" for part, parent in pairs.items()
    )
    warnings.warn(
        f"land-use codes not in the table were read by their medium class: {listed}; "
        "check the codes, or map them to listed ones",
        LandUseCodeWarning,
        stacklevel=3,
    )


def land_use_family(codes: Iterable[object] | pd.Series) -> pd.Series:
    """The family of each land-use code (``"unknown"`` when it has none).

    * A listed code has its family (:data:`LAND_USE_CODES`).
    * A small class that is not listed (``B19``, ``090199``) takes the family of its
      listed medium class (``B1``, ``0901``), with a :class:`LandUseCodeWarning`
      naming it: never silently.
    * A mixed code (``B1/B2``, ``R2+B1``, ``R2B1``) has the families of its parts,
      in order and without repeats, joined by ``/``: ``"residential/commercial"``.
      Constraint rules on ``land_use_family`` read every part
      (:class:`~landasset.suitability.MeasureRule`).
    * Anything else is ``"unknown"`` (a mixed code with an unknown part includes
      ``"unknown"``): rules never pass it.

    Missing codes give a missing family (``<NA>``). A Series keeps its index.

    >>> land_use_family(["m0", "0902", None, "R2B1", "B1/B2", "H41"]).tolist()
    ['industrial', 'commercial', <NA>, 'residential/commercial', 'commercial', 'other']
    """
    series = _as_series(codes)
    ids, resolved = _resolve(series)
    _warn_fallbacks(resolved)
    table = np.array([r.family for r in resolved] + [None], dtype=object)
    family = pd.array(table[ids], dtype="string")
    return pd.Series(family, index=series.index, name="land_use_family")


def land_use_parts(codes: Iterable[object] | pd.Series) -> pd.DataFrame:
    """How each code is read: its parts, their families and the listed codes used.

    Returns
    -------
    DataFrame
        On the input's index: ``parts`` (tuple of normalised codes; a plain code is
        one part), ``families`` (one per part, ``"unknown"`` when none),
        ``listed_as`` (the listed code each part was read as, None when unknown),
        ``unknown`` (the parts without a family) and ``note`` (how unlisted small
        classes were read, "" when none). Missing codes give empty tuples.

    >>> table = land_use_parts(["R2B1", "B19", "X9"])
    >>> table["families"].tolist()
    [('residential', 'commercial'), ('commercial',), ('unknown',)]
    >>> table.loc[1, "note"], table.loc[2, "unknown"]
    ("'B19' is not listed; read as its medium class 'B1'", ('X9',))
    """
    series = _as_series(codes)
    ids, resolved = _resolve(series)
    rows = [*resolved, _Resolved((), (), (), ())]  # code -1 (missing) picks the empty one

    def column(values: list[object]) -> pd.Series:
        table = np.empty(len(values), dtype=object)
        table[:] = values
        return pd.Series(table[ids], index=series.index, dtype=object)

    notes: list[object] = [
        "; ".join(
            f"{part!r} is not listed; read as its medium class {parent!r}"
            for part, parent in r.fallbacks
        )
        for r in rows
    ]
    return pd.DataFrame(
        {
            "parts": column([r.parts for r in rows]),
            "families": column([r.families for r in rows]),
            "listed_as": column([r.matched for r in rows]),
            "unknown": column([r.unknown for r in rows]),
            "note": column(notes),
        },
        index=series.index,
    )


def land_use_name(codes: Iterable[object] | pd.Series, *, lang: str = "zh") -> pd.Series:
    """The name of each listed code in Chinese (``lang="zh"``) or English (``lang="en"``).

    A mixed code of listed parts gives their names joined by ``/``; a code that is not
    listed (or has an unlisted part) gives ``<NA>``: no name is made up.

    >>> land_use_name(["M1"]).tolist(), land_use_name(["M1"], lang="en").tolist()
    (['一类工业用地'], ['industrial class 1'])
    >>> land_use_name(["B1/B2", "B19"]).tolist()
    ['商业用地/商务用地', <NA>]
    """
    if lang not in ("zh", "en"):
        raise LandassetValueError(
            f"{lang!r} is not a language of the table; use one of: 'zh', 'en'"
        )
    series = _as_series(codes)
    ids, resolved = _resolve(series)
    names = LAND_USE_CODES[f"name_{lang}"]
    table = np.array(
        [
            "/".join(names[p] for p in r.parts) if all(p in _FAMILY for p in r.parts) else None
            for r in resolved
        ]
        + [None],
        dtype=object,
    )
    return pd.Series(
        pd.array(table[ids], dtype="string"), index=series.index, name=f"land_use_name_{lang}"
    )


def is_known_land_use(codes: Iterable[object] | pd.Series) -> pd.Series:
    """True where the code is listed, or a mixed code of listed parts (missing: False).

    A small class read by its medium class (``B19``) is not "known": validation
    reports it so that it can be checked.

    >>> is_known_land_use(["M2", "M7", "B1/B2", "B19"]).tolist()
    [True, False, True, False]
    """
    series = _as_series(codes)
    ids, resolved = _resolve(series)
    table = np.array([all(p in _FAMILY for p in r.parts) for r in resolved] + [False])
    return pd.Series(table[ids], index=series.index, name="land_use_known", dtype=bool)
