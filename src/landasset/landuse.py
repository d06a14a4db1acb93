"""Land-use codes and the coarse families they map to.

Two coding systems are in use on Chinese planning data and both are accepted, stored
as strings:

* GB 50137-2011 (城市用地分类与规划建设用地标准): letter codes such as ``M1``, ``B2``;
  ``M0`` is the "new industrial" (新型产业用地) class used by Zhejiang and Shenzhen.
* The 2020 national land and sea classification (国土空间调查、规划、用途管制用地用海
  分类指南): digit codes such as ``1001`` (industrial), ``100101``–``100103``
  (industrial classes 1–3), ``09`` (commercial), ``14`` (green).

Each code maps to one family: industrial, commercial, residential, public, green,
transport, warehouse or other. A code that is not in :data:`LAND_USE_CODES` is
"unknown": :func:`land_use_family` gives it the family ``"unknown"`` and the schema
validation reports it.

Examples
--------
>>> from landasset.landuse import land_use_family
>>> land_use_family(["M1", "100102", "B2", "14", "X9"]).tolist()
['industrial', 'industrial', 'commercial', 'green', 'unknown']
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from landasset._errors import LandassetValueError

__all__ = [
    "FAMILIES",
    "LAND_USE_CODES",
    "is_known_land_use",
    "land_use_family",
    "land_use_name",
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
_ROWS: list[tuple[str, str, str, str, str]] = [
    # GB 50137-2011
    ("R", "GB50137", "residential", "居住用地", "residential"),
    ("R1", "GB50137", "residential", "一类居住用地", "residential class 1"),
    ("R2", "GB50137", "residential", "二类居住用地", "residential class 2"),
    ("R3", "GB50137", "residential", "三类居住用地", "residential class 3"),
    ("A", "GB50137", "public", "公共管理与公共服务设施用地", "public administration and services"),
    ("A1", "GB50137", "public", "行政办公用地", "administration"),
    ("A2", "GB50137", "public", "文化设施用地", "culture"),
    ("A3", "GB50137", "public", "教育科研用地", "education and research"),
    ("A35", "GB50137", "public", "科研用地", "research"),
    ("A4", "GB50137", "public", "体育用地", "sports"),
    ("A5", "GB50137", "public", "医疗卫生用地", "health care"),
    ("A6", "GB50137", "public", "社会福利用地", "social welfare"),
    ("A7", "GB50137", "public", "文物古迹用地", "heritage"),
    ("A8", "GB50137", "public", "外事用地", "foreign affairs"),
    ("A9", "GB50137", "public", "宗教用地", "religious"),
    ("B", "GB50137", "commercial", "商业服务业设施用地", "commercial and business"),
    ("B1", "GB50137", "commercial", "商业用地", "commercial"),
    ("B2", "GB50137", "commercial", "商务用地", "business offices"),
    ("B29", "GB50137", "commercial", "其他商务用地", "other business"),
    ("B3", "GB50137", "commercial", "娱乐康体用地", "recreation"),
    ("B4", "GB50137", "commercial", "公用设施营业网点用地", "utility outlets"),
    ("B9", "GB50137", "commercial", "其他服务设施用地", "other services"),
    ("M", "GB50137", "industrial", "工业用地", "industrial"),
    ("M0", "GB50137", "industrial", "新型产业用地", "new industrial (M0)"),
    ("M1", "GB50137", "industrial", "一类工业用地", "industrial class 1"),
    ("M2", "GB50137", "industrial", "二类工业用地", "industrial class 2"),
    ("M3", "GB50137", "industrial", "三类工业用地", "industrial class 3"),
    ("W", "GB50137", "warehouse", "物流仓储用地", "logistics and warehousing"),
    ("W1", "GB50137", "warehouse", "一类物流仓储用地", "warehousing class 1"),
    ("W2", "GB50137", "warehouse", "二类物流仓储用地", "warehousing class 2"),
    ("W3", "GB50137", "warehouse", "三类物流仓储用地", "warehousing class 3"),
    ("S", "GB50137", "transport", "道路与交通设施用地", "roads and transport"),
    ("S1", "GB50137", "transport", "城市道路用地", "urban roads"),
    ("S2", "GB50137", "transport", "城市轨道交通用地", "urban rail transit"),
    ("S3", "GB50137", "transport", "交通枢纽用地", "transport hubs"),
    ("S4", "GB50137", "transport", "交通场站用地", "transport yards"),
    ("S9", "GB50137", "transport", "其他交通设施用地", "other transport"),
    ("U", "GB50137", "public", "公用设施用地", "utilities"),
    ("U1", "GB50137", "public", "供应设施用地", "supply utilities"),
    ("U2", "GB50137", "public", "环境设施用地", "environmental utilities"),
    ("U3", "GB50137", "public", "安全设施用地", "safety utilities"),
    ("U9", "GB50137", "public", "其他公用设施用地", "other utilities"),
    ("G", "GB50137", "green", "绿地与广场用地", "green space and squares"),
    ("G1", "GB50137", "green", "公园绿地", "parks"),
    ("G2", "GB50137", "green", "防护绿地", "protective green"),
    ("G3", "GB50137", "green", "广场用地", "squares"),
    ("H", "GB50137", "other", "建设用地", "construction land"),
    ("E", "GB50137", "other", "非建设用地", "non-construction land"),
    ("E1", "GB50137", "other", "水域", "water"),
    ("E2", "GB50137", "other", "农林用地", "agriculture and forestry"),
    ("E9", "GB50137", "other", "其他非建设用地", "other non-construction"),
    # 2020 national land and sea classification (用地用海分类)
    ("01", "GT2020", "other", "耕地", "cropland"),
    ("02", "GT2020", "other", "园地", "orchards"),
    ("03", "GT2020", "other", "林地", "forest"),
    ("04", "GT2020", "other", "草地", "grassland"),
    ("05", "GT2020", "other", "湿地", "wetland"),
    ("06", "GT2020", "other", "农业设施建设用地", "agricultural facilities"),
    ("07", "GT2020", "residential", "居住用地", "residential"),
    ("0701", "GT2020", "residential", "城镇住宅用地", "urban housing"),
    ("0702", "GT2020", "residential", "城镇社区服务设施用地", "community services"),
    ("0703", "GT2020", "residential", "农村宅基地", "rural housing"),
    ("08", "GT2020", "public", "公共管理与公共服务用地", "public administration and services"),
    ("0801", "GT2020", "public", "机关团体用地", "government"),
    ("0802", "GT2020", "public", "科研用地", "research"),
    ("0803", "GT2020", "public", "文化用地", "culture"),
    ("0804", "GT2020", "public", "教育用地", "education"),
    ("0805", "GT2020", "public", "体育用地", "sports"),
    ("0806", "GT2020", "public", "医疗卫生用地", "health care"),
    ("0807", "GT2020", "public", "社会福利用地", "social welfare"),
    ("09", "GT2020", "commercial", "商业服务业用地", "commercial and business"),
    ("0901", "GT2020", "commercial", "商业用地", "commercial"),
    ("0902", "GT2020", "commercial", "商务金融用地", "business and finance"),
    ("0903", "GT2020", "commercial", "娱乐用地", "entertainment"),
    ("0904", "GT2020", "commercial", "其他商业服务业用地", "other commercial"),
    ("10", "GT2020", "industrial", "工矿用地", "industry and mining"),
    ("1001", "GT2020", "industrial", "工业用地", "industrial"),
    ("100101", "GT2020", "industrial", "一类工业用地", "industrial class 1"),
    ("100102", "GT2020", "industrial", "二类工业用地", "industrial class 2"),
    ("100103", "GT2020", "industrial", "三类工业用地", "industrial class 3"),
    ("1002", "GT2020", "industrial", "采矿用地", "mining"),
    ("1003", "GT2020", "industrial", "盐田", "salt pans"),
    ("11", "GT2020", "warehouse", "仓储用地", "warehousing"),
    ("1101", "GT2020", "warehouse", "物流仓储用地", "logistics and warehousing"),
    ("1102", "GT2020", "warehouse", "储备库用地", "reserve depots"),
    ("12", "GT2020", "transport", "交通运输用地", "transport"),
    ("1201", "GT2020", "transport", "铁路用地", "railways"),
    ("1202", "GT2020", "transport", "公路用地", "highways"),
    ("1207", "GT2020", "transport", "城镇道路用地", "urban roads"),
    ("1208", "GT2020", "transport", "交通场站用地", "transport yards"),
    ("13", "GT2020", "public", "公用设施用地", "utilities"),
    ("14", "GT2020", "green", "绿地与开敞空间用地", "green and open space"),
    ("1401", "GT2020", "green", "公园绿地", "parks"),
    ("1402", "GT2020", "green", "防护绿地", "protective green"),
    ("1403", "GT2020", "green", "广场用地", "squares"),
    ("15", "GT2020", "other", "特殊用地", "special use"),
    ("16", "GT2020", "other", "留白用地", "reserved (white) land"),
    ("17", "GT2020", "other", "陆地水域", "inland water"),
    ("23", "GT2020", "other", "其他土地", "other land"),
]

#: Every known code: index ``code``; columns ``standard`` (``GB50137`` or ``GT2020``),
#: ``family``, ``name_zh`` and ``name_en``.
LAND_USE_CODES: pd.DataFrame = pd.DataFrame(
    _ROWS, columns=["code", "standard", "family", "name_zh", "name_en"]
).set_index("code")


def _as_series(codes: Iterable[object] | pd.Series) -> pd.Series:
    if isinstance(codes, pd.Series):
        return codes
    return pd.Series(list(codes), dtype="object")


def _normalise(codes: pd.Series) -> pd.Series:
    # "m1" and " M1 " are the same code; numbers read from a spreadsheet lose their
    # leading zero, which we cannot restore, so they stay unknown and get reported
    return codes.astype("string").str.strip().str.upper()


def land_use_family(codes: Iterable[object] | pd.Series) -> pd.Series:
    """The family of each land-use code (``"unknown"`` when not in the table).

    Missing codes give a missing family (``<NA>``). A Series keeps its index.

    >>> land_use_family(["m0", "0902", None]).tolist()
    ['industrial', 'commercial', <NA>]
    """
    series = _as_series(codes)
    norm = _normalise(series)
    family = norm.map(LAND_USE_CODES["family"]).astype("string")
    family = family.mask(norm.notna() & family.isna(), "unknown")
    return pd.Series(family.array, index=series.index, name="land_use_family")


def land_use_name(codes: Iterable[object] | pd.Series, *, lang: str = "zh") -> pd.Series:
    """The name of each code in Chinese (``lang="zh"``) or English (``lang="en"``).

    >>> land_use_name(["M1"]).tolist(), land_use_name(["M1"], lang="en").tolist()
    (['一类工业用地'], ['industrial class 1'])
    """
    if lang not in ("zh", "en"):
        raise LandassetValueError(
            f"{lang!r} is not a language of the table; use one of: 'zh', 'en'"
        )
    series = _as_series(codes)
    names = _normalise(series).map(LAND_USE_CODES[f"name_{lang}"]).astype("string")
    return pd.Series(names.array, index=series.index, name=f"land_use_name_{lang}")


def is_known_land_use(codes: Iterable[object] | pd.Series) -> pd.Series:
    """True where the code is in :data:`LAND_USE_CODES` (missing codes are False).

    >>> is_known_land_use(["M2", "M7"]).tolist()
    [True, False]
    """
    series = _as_series(codes)
    known = _normalise(series).isin(LAND_USE_CODES.index).fillna(False).astype(bool)
    return pd.Series(known.to_numpy(), index=series.index, name="land_use_known")
