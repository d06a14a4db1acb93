"""QGIS default styles and Chinese field aliases for the GeoPackages landasset writes.

Every GeoPackage layer of a known kind that :mod:`landasset.io` writes carries a
default QGIS style: a row of the ``layer_styles`` table, the table QGIS itself
creates when you *Save as Default → Datasource Database*. Opening the file in QGIS
shows the layer already styled, with Chinese field aliases (``area_mu`` → 面积(亩),
``score`` → 适宜性得分) in the attribute table and forms.

The style follows the layer's columns (:func:`default_style`):

=====================  ==========================  ===================================
layer                  recognised by               style
=====================  ==========================  ===================================
parcels, enterprises   a ``grade`` column          categorised A–D (green → red)
parcels                a ``score`` column          graduated, 5 equal classes, red →
                                                   green
parcels                a ``stage`` column          categorised by lifecycle stage,
                                                   labels in Chinese and English
parcels, buildings     (kind only)                 single fill
axes                   (kind only)                 wide gold line, labelled by name
streets                (kind only)                 thin grey line
transit_lines,         ``opening_date``            rule-based: open solid, planned
stations                                           (opening after today) dashed
amenities              ``category``                categorised by category
constraints            ``hard``                    hard red hatch, soft orange outline
spaces                 ``status``                  categorised: vacant green, reserved
                                                   amber, let grey
=====================  ==========================  ===================================

A layer is of a known kind when its name is the kind (``parcels``, ``stations``, ...)
and its geometry fits; a layer with another name is recognised as scored, staged or
graded parcels by a ``parcel_id`` column, polygons and a ``score``/``stage``/``grade``
column (graded enterprises likewise by ``enterprise_id`` and points).

The ``layer_styles`` table has QGIS's exact schema (``id``, ``f_table_catalog``,
``f_table_schema``, ``f_table_name``, ``f_geometry_column``, ``styleName``,
``styleQML``, ``styleSLD``, ``useAsDefault``, ``description``, ``owner``, ``ui``,
``update_time``) and is registered in ``gpkg_contents`` as an ``attributes`` table,
so the file still passes the GeoPackage validator. QGIS looks a style up by
``f_table_schema = ''``, the table name and the *real* geometry column; rows are
written that way.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> from landasset.styles import default_style, field_aliases
>>> scored = gpd.GeoDataFrame(
...     {"parcel_id": ["P1"], "area_mu": [15.0], "score": [0.8]},
...     geometry=[box(0, 0, 100, 100)],
...     crs="EPSG:4549",
... )
>>> style = default_style(scored, "scored")
>>> style.kind, style.theme
('parcels', 'score')
>>> "graduatedSymbol" in style.qml
True
>>> field_aliases(["area_mu", "score", "mystery"])
{'area_mu': '面积(亩)', 'score': '适宜性得分'}
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from landasset import _vocab
from landasset._errors import LandassetIOError, LandassetValueError
from landasset._vocab import rgb_triplet

__all__ = [
    "ALIASES",
    "AMENITY_LABELS",
    "GRADE_COLOURS",
    "SPACE_STATUS_COLOURS",
    "STAGE_LABELS",
    "STYLE_NAME",
    "THEMES",
    "LayerStyle",
    "default_style",
    "field_aliases",
    "layer_qml",
    "read_layer_styles",
    "remove_layer_styles",
    "write_layer_styles",
]

#: The ``styleName`` of the rows landasset writes (and replaces on rewrite).
STYLE_NAME = "landasset"

#: The themes a style can have.
THEMES: tuple[str, ...] = (
    "score",
    "grade",
    "stage",
    "category",
    "planned",
    "hard",
    "status",
    "single",
)

Theme = Literal["score", "grade", "stage", "category", "planned", "hard", "status", "single"]

# -- aliases --------------------------------------------------------------------------

_ID_ALIASES = {
    "parcel_id": "地块编号",
    "building_id": "建筑编号",
    "axis_id": "轴线编号",
    "street_id": "街道编号",
    "line_id": "线路编号",
    "station_id": "站点编号",
    "amenity_id": "设施编号",
    "enterprise_id": "企业编号",
    "constraint_id": "管控区编号",
    "space_id": "空间编号",
}

_SCHEMA_ALIASES = {
    # parcels
    "name": "名称",
    "land_use": "用地性质",
    "far_min": "容积率下限",
    "far_max": "容积率上限",
    "height_max_m": "建筑限高(米)",
    "coverage_min": "建筑密度下限",
    "green_max": "绿地率上限",
    "zone": "片区",
    # buildings
    "floors": "层数",
    "height_m": "建筑高度(米)",
    "gfa_m2": "建筑面积(平方米)",
    "use": "用途",
    "completed_year": "竣工年份",
    # axes, streets, transit
    "kind": "类型",
    "walkable": "可步行",
    "road_class": "道路等级",
    "mode": "交通方式",
    "opening_date": "开通日期",
    # amenities
    "category": "类别",
    # enterprises
    "industry": "行业",
    "industry_code": "行业代码",
    "high_tech": "国家高新技术企业",
    "zjtx": "专精特新",
    "leading_industry": "主导产业",
    "year": "年份",
    "tax_10k_cny": "税收(万元)",
    "revenue_10k_cny": "营业收入(万元)",
    "value_added_10k_cny": "增加值(万元)",
    "employees": "从业人数",
    "energy_tce": "能耗(吨标准煤)",
    "emissions_t": "排放量(吨)",
    "rnd_10k_cny": "研发投入(万元)",
    "land_mu": "用地面积(亩)",
    "floor_area_m2": "使用建筑面积(平方米)",
    # constraints
    "hard": "刚性管控",
    # spaces (area_m2 is 面积(平方米), as elsewhere)
    "floor": "楼层",
    "clear_height_m": "净高(m)",
    "floor_load_kn_m2": "楼面荷载(kN/㎡)",
    "power_kva": "电力容量(kVA)",
    "rent_cny_m2_month": "租金(元/㎡·月)",
    "available_from": "可入驻日期",
    "status": "状态",
}

_LIFECYCLE_ALIASES = {
    "stage": "生命周期阶段",
    "stage_zh": "阶段(中文)",
    "stage_label": "阶段名称",
    "phase": "环节",
    "since": "进入阶段日期",
    "stage_since": "进入阶段日期",
    "days_in_stage": "本阶段天数",
    "supply_mode": "供地方式",
    "contract_id": "出让合同编号",
    "price_10k_cny": "出让价款(万元)",
    "supply_date": "供地日期",
    "agreed_start": "约定开工日期",
    "agreed_completion": "约定竣工日期",
    "start_date": "实际开工日期",
    "acceptance_date": "竣工验收日期",
    "filing_date": "竣工备案日期",
    "date": "日期",
    "recorded_at": "登记时间",
    "actor": "登记人",
    "data": "附加数据",
    "days_left": "剩余天数",
    "idle_days": "闲置天数",
    "risk": "风险",
    "category_zh": "类别(中文)",
    "reserve_mu": "储备面积(亩)",
}

_MEASURE_ALIASES = {
    "area_m2": "面积(平方米)",
    "area_mu": "面积(亩)",
    "area_ha": "面积(公顷)",
    "far": "容积率",
    "coverage": "建筑密度",
    "compactness": "紧凑度",
    "frontage_m": "临街长度(米)",
    "constraint_share": "管控区占比",
}

_SCORING_ALIASES = {
    "score": "适宜性得分",
    "rank": "排名",
    "eligible": "符合准入条件",
    "excluded_by": "排除原因",
    "missing": "缺失指标",
    "best": "最适宜产业",
    "runner_up": "次适宜产业",
    "runner_up_score": "次适宜得分",
    "margin": "得分差",
    "conflict": "产业冲突",
    "p_top_k": "进入前k名概率",
    "mean_rank": "平均排名",
    "rank_std": "排名标准差",
    "rank_best": "最好排名",
    "rank_worst": "最差排名",
    "site_id": "候选用地编号",
    "parcel_ids": "组成地块",
    "n_parcels": "地块数",
    "min_score": "最低得分",
    "excess_mu": "超出面积(亩)",
    "score_aerospace": "空天信息得分",
    "score_ai": "人工智能得分",
    "score_smart_manufacturing": "智能制造得分",
    "score_life_health": "生命健康得分",
}

# Criterion columns of a scored layer: m_<criterion>, v_<criterion>, c_<criterion>.
_CRITERION_PREFIXES = {"m_": "原始值", "v_": "标准化值", "c_": "贡献"}

_EFFICIENCY_ALIASES = {
    "grade": "亩均效益等级",
    "land_mu_source": "用地面积来源",
    "tax_per_mu_10k_cny": "亩均税收(万元/亩)",
    "value_added_per_mu_10k_cny": "亩均增加值(万元/亩)",
    "revenue_per_mu_10k_cny": "亩均营业收入(万元/亩)",
    "labour_productivity_10k_cny": "全员劳动生产率(万元/人)",
    "value_added_per_tce_10k_cny": "单位能耗增加值(万元/吨标准煤)",
    "value_added_per_t_emission_10k_cny": "单位排放增加值(万元/吨)",
    "rnd_intensity": "研发经费投入强度",
    "bonus_points": "加分",
    "reasons": "说明",
    "tenants": "入驻企业数",
    "graded": "参评企业数",
    "worst_grade": "最低等级",
    "tenants_A": "A类企业数",
    "tenants_B": "B类企业数",
    "tenants_C": "C类企业数",
    "tenants_D": "D类企业数",
}

# The shortlist of a project match (landasset.match, MatchResult.to_file).
_MATCH_ALIASES = {
    "candidate_id": "候选编号",
    "space_ids": "组成空间",
    "passes": "是否满足全部条件",
    "ok_available": "按期可交付",
    "ok_area": "面积符合",
    "ok_far": "容积率符合",
    "ok_height": "限高符合",
    "ok_pollution_class": "工业类别符合",
    "ok_clear_height": "净高符合",
    "ok_floor_load": "荷载符合",
    "ok_power": "电力符合",
    "ok_budget": "预算符合",
    "ok_eligible": "符合产业准入",
    "n_failed": "不满足条件数",
    "failed": "不满足的条件及原因",
    "explanation": "得分主要来源",
    "fit": "规模匹配度",
    "waste_share": "超出需求比例",
    "delivery_date": "预计交付日期",
    "price_10k_cny_per_mu": "地价(万元/亩)",
    "price_source": "地价来源",
    "land_revenue_10k_cny": "土地出让收入(万元)",
    "cost_10k_cny": "收储与开发成本(万元)",
    "tax_source": "税收来源",
    "rent_10k_cny_per_year": "年租金(万元)",
    "npv_10k_cny": "净现值(万元)",
    "payback_years": "回收期(年)",
}

#: Column → Chinese alias written to the QML ``<aliases>`` block: every schema column
#: (ids included), the measures, and the scoring, lifecycle and efficiency outputs.
#: Efficiency indicator points (``<indicator>_points``) get ``<alias>得分``.
ALIASES: Mapping[str, str] = MappingProxyType(
    {
        **_ID_ALIASES,
        **_SCHEMA_ALIASES,
        **_MEASURE_ALIASES,
        **_LIFECYCLE_ALIASES,
        **_SCORING_ALIASES,
        **_EFFICIENCY_ALIASES,
        **_MATCH_ALIASES,
    }
)

# In an efficiency result ``score`` is the per-mu score, not suitability.
_THEME_ALIASES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"grade": MappingProxyType({"score": "亩均效益综合得分", "rank": "亩均效益排名"})}
)

#: Lifecycle stage → (Chinese label, English label): the vocabulary's table
#: (``landasset._vocab.STAGES``), as in :mod:`landasset.lifecycle`.
STAGE_LABELS: Mapping[str, tuple[str, str]] = _vocab.STAGE_LABELS

#: Grade → (RGB colour, label) of the A–D style.
GRADE_COLOURS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "A": (rgb_triplet(_vocab.GRADE_COLOURS["A"]), "A 类(优先发展)"),
        "B": (rgb_triplet(_vocab.GRADE_COLOURS["B"]), "B 类(提升发展)"),
        "C": (rgb_triplet(_vocab.GRADE_COLOURS["C"]), "C 类(整治提升)"),
        "D": (rgb_triplet(_vocab.GRADE_COLOURS["D"]), "D 类(倒逼转型)"),
    }
)

#: Space status → (RGB colour, label) of the spaces style.
SPACE_STATUS_COLOURS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "vacant": ("26,150,65", "空置可招商 vacant"),
        "reserved": ("253,174,97", "意向预留 reserved"),
        "let": ("150,150,150", "已出租 let"),
    }
)

#: Amenity category → Chinese label (other categories keep their value as label).
AMENITY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "cafe": "咖啡馆",
        "convenience_store": "便利店",
        "canteen": "食堂",
        "gym": "健身房",
        "park_entrance": "公园入口",
        "talent_service_center": "人才服务中心",
    }
)

_SCORE_RAMP = ("215,25,28", "253,174,97", "255,255,191", "166,217,106", "26,150,65")
_QUALITATIVE = (
    "31,119,180",
    "255,127,14",
    "44,160,44",
    "214,39,40",
    "148,103,189",
    "140,86,75",
    "227,119,194",
    "127,127,127",
    "188,189,34",
    "23,190,207",
)
_OTHER = "200,200,200"
_QGIS_VERSION = "3.22.16-Białowieża"
_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"

_GEOMETRY_FAMILY = {
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
    "LineString": "line",
    "MultiLineString": "line",
    "LinearRing": "line",
    "Point": "point",
    "MultiPoint": "point",
}
_SYMBOL_TYPE = {"polygon": "fill", "line": "line", "point": "marker"}


def field_aliases(columns: Iterable[str], *, theme: str | None = None) -> dict[str, str]:
    """The Chinese aliases of the known columns among ``columns``.

    Parameters
    ----------
    columns : iterable of str
        Column names, in layer order.
    theme : str, optional
        The style theme (:data:`THEMES`). In a ``"grade"`` layer ``score`` and
        ``rank`` are the per-mu efficiency score and rank; in a ``"score"`` layer the
        criterion columns ``m_<name>``, ``v_<name>`` and ``c_<name>`` read
        ``<name>(原始值)``, ``<name>(标准化值)`` and ``<name>(贡献)``.

    Returns
    -------
    dict of str to str
        Known column → alias, in the order of ``columns``; unknown columns are left
        out (QGIS then shows the field name).

    Examples
    --------
    >>> field_aliases(["parcel_id", "tax_per_mu_10k_cny_points", "score"], theme="grade")
    {'parcel_id': '地块编号', 'tax_per_mu_10k_cny_points': '亩均税收(万元/亩)得分', 'score': '亩均效益综合得分'}
    >>> field_aliases(["score", "c_metro"], theme="score")
    {'score': '适宜性得分', 'c_metro': 'metro(贡献)'}
    """
    special = _THEME_ALIASES.get(theme or "", {})
    out: dict[str, str] = {}
    for column in columns:
        name = str(column)
        alias = special.get(name) or ALIASES.get(name)
        if alias is None and name.endswith("_points") and name[: -len("_points")] in ALIASES:
            alias = ALIASES[name[: -len("_points")]] + "得分"
        if alias is None and theme == "score" and name[:2] in _CRITERION_PREFIXES:
            alias = f"{name[2:]}({_CRITERION_PREFIXES[name[:2]]})"
        if alias is not None:
            out[name] = alias
    return out


# -- choosing a style -----------------------------------------------------------------


@dataclass(frozen=True)
class LayerStyle:
    """A QGIS default style for one layer of a GeoPackage.

    Attributes
    ----------
    table : str
        The layer (table) name in the GeoPackage.
    kind : str
        The layer kind it was recognised as (``"parcels"``, ``"stations"``, ...).
    theme : str
        What the style shows (:data:`THEMES`).
    qml : str
        The QGIS style document (QML).
    description : str
        A one-line description, stored in the ``description`` column.
    """

    table: str
    kind: str
    theme: str
    qml: str
    description: str


def default_style(gdf: Any, layer: str) -> LayerStyle | None:
    """The default QGIS style of a layer, or None when it is not a known layer kind.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer as it is written (the id may be the index or a column).
    layer : str
        Its layer name in the GeoPackage.

    Returns
    -------
    LayerStyle or None

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> stations = gpd.GeoDataFrame(
    ...     {"station_id": ["S1"], "opening_date": [pd.Timestamp("2027-12-28")]},
    ...     geometry=[Point(0, 0)],
    ...     crs="EPSG:4549",
    ... )
    >>> default_style(stations, "stations").theme
    'planned'
    >>> default_style(stations, "my_points") is None
    True
    """
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    columns = [str(n) for n in gdf.index.names if n is not None and n not in columns] + columns
    family = _family(gdf)
    kind = _recognise(layer, columns, family)
    if kind is None:
        return None
    if family is None:
        family = _kind_family(kind)
    theme = _theme(kind, columns)
    values = _category_values(gdf, "category") if theme == "category" else []
    qml = layer_qml(kind, theme, columns, family=family, categories=values)
    return LayerStyle(layer, kind, theme, qml, _describe(kind, theme))


def _family(gdf: Any) -> str | None:
    types = set(gdf.geom_type.dropna()) if len(gdf) else set()
    if not types:
        declared = str(gdf.attrs.get("geometry_type") or "")
        types = {declared.removesuffix(" Z")} if declared else set()
    families = {_GEOMETRY_FAMILY.get(t) for t in types}
    if len(families) == 1:
        return families.pop()
    return None


def _kind_family(kind: str) -> str:
    from landasset.schema import LAYERS

    family = LAYERS[kind].geometry
    return "polygon" if family == "polygon_or_point" else family


def _recognise(layer: str, columns: Sequence[str], family: str | None) -> str | None:
    from landasset.schema import LAYERS

    if layer in LAYERS:
        expected = LAYERS[layer].geometry
        accepted = ("polygon", "point") if expected == "polygon_or_point" else (expected,)
        return layer if family is None or family in accepted else None
    themed = {"score", "stage", "grade", "worst_grade"} & set(columns)
    if family == "polygon" and "parcel_id" in columns and themed:
        return "parcels"
    if family == "point" and "enterprise_id" in columns and "grade" in columns:
        return "enterprises"
    if family == "polygon" and "candidate_id" in columns and "score" in columns:
        return "parcels"  # a match's shortlist: graduated by score
    return None


def _grade_column(columns: Sequence[str]) -> str | None:
    for name in ("grade", "worst_grade"):
        if name in columns:
            return name
    return None


def _theme(kind: str, columns: Sequence[str]) -> Theme:
    has = set(columns)
    if kind in ("parcels", "enterprises") and _grade_column(columns) is not None:
        return "grade"
    if kind == "parcels" and "score" in has:
        return "score"
    if kind == "parcels" and "stage" in has:
        return "stage"
    if kind == "amenities" and "category" in has:
        return "category"
    if kind in ("stations", "transit_lines") and "opening_date" in has:
        return "planned"
    if kind == "constraints" and "hard" in has:
        return "hard"
    if kind == "spaces" and "status" in has:
        return "status"
    return "single"


def _category_values(gdf: Any, column: str) -> list[str]:
    if column not in gdf.columns:
        return []
    return sorted({str(v) for v in pd.Series(gdf[column]).dropna()})


def _describe(kind: str, theme: str) -> str:
    what = {
        "score": "by suitability score (graduated)",
        "grade": "by per-mu efficiency grade A-D (categorised)",
        "stage": "by lifecycle stage (categorised)",
        "category": "by category (categorised)",
        "planned": "open solid, planned dashed (rule-based)",
        "hard": "hard constraints hatched (rule-based)",
        "status": "by letting status (categorised)",
        "single": "single symbol",
    }[theme]
    return f"landasset default style: {kind} {what}, Chinese field aliases"


# -- QML ------------------------------------------------------------------------------


def layer_qml(
    kind: str,
    theme: str,
    columns: Sequence[str],
    *,
    family: str,
    categories: Sequence[str] = (),
) -> str:
    """The QML document of a layer style.

    Parameters
    ----------
    kind : str
        The layer kind (:data:`landasset.schema.LAYER_KINDS`).
    theme : str
        One of :data:`THEMES`.
    columns : sequence of str
        The layer's attribute columns (their aliases are written).
    family : {"polygon", "line", "point"}
        The geometry family, which sets the symbol type (fill, line or marker).
    categories : sequence of str, optional
        For the ``"category"`` theme: the values to give a class each (an "other"
        class catches the rest).

    Returns
    -------
    str
        A QGIS 3 style document (renderer and ``<aliases>``), as QGIS stores it in
        ``layer_styles.styleQML``.

    Raises
    ------
    ValueError
        Unknown ``theme`` or ``family``.

    Examples
    --------
    >>> qml = layer_qml("parcels", "stage", ["parcel_id", "stage"], family="polygon")
    >>> qml.startswith("<!DOCTYPE qgis")
    True
    >>> 'label="储备计划 planned for the reserve"' in qml
    True
    """
    if theme not in THEMES:
        raise LandassetValueError(
            f"{theme!r} is not a style theme; use one of: {', '.join(THEMES)}"
        )
    if family not in _SYMBOL_TYPE:
        raise LandassetValueError(
            f"{family!r} is not a geometry family; use polygon, line or point"
        )
    root = ET.Element(
        "qgis",
        {
            "version": _QGIS_VERSION,
            "styleCategories": "Symbology|Labeling|Fields",
            "labelsEnabled": "0",
        },
    )
    root.append(_renderer(kind, theme, family, categories, _grade_column(columns) or "grade"))
    labeling = _labeling(kind, columns)
    if labeling is not None:
        root.set("labelsEnabled", "1")
        root.append(labeling)
    aliases = ET.SubElement(root, "aliases")
    field_index = {name: i + 1 for i, name in enumerate(columns)}  # fid is field 0
    for name, alias in field_aliases(columns, theme=theme).items():
        ET.SubElement(
            aliases, "alias", {"field": name, "index": str(field_index[name]), "name": alias}
        )
    ET.SubElement(root, "layerGeometryType").text = {"point": "0", "line": "1", "polygon": "2"}[
        family
    ]
    ET.indent(root, space="  ")
    return _DOCTYPE + "\n" + ET.tostring(root, encoding="unicode") + "\n"


def _renderer(
    kind: str, theme: str, family: str, categories: Sequence[str], grade: str
) -> ET.Element:
    if theme == "score":
        return _graduated("score", family)
    if theme == "grade":
        classes = [(g, colour, label) for g, (colour, label) in GRADE_COLOURS.items()]
        return _categorised(grade, family, classes, other="未评价 not graded")
    if theme == "stage":
        classes = [
            (stage.id, rgb_triplet(stage.colour), f"{stage.label_zh} {stage.label}")
            for stage in _vocab.STAGES
        ]
        return _categorised("stage", family, classes, other="其他 other")
    if theme == "category":
        values = list(categories) or list(AMENITY_LABELS)
        classes = [
            (
                value,
                _QUALITATIVE[i % len(_QUALITATIVE)],
                f"{AMENITY_LABELS[value]} {value}" if value in AMENITY_LABELS else value,
            )
            for i, value in enumerate(values)
        ]
        return _categorised("category", family, classes, other="其他 other")
    if theme == "status":
        classes = [(s, colour, label) for s, (colour, label) in SPACE_STATUS_COLOURS.items()]
        return _categorised("status", family, classes, other="状态未知 no status")
    if theme == "planned":
        colour = "220,30,90" if kind == "transit_lines" else "200,30,80"
        return _rules(
            family,
            [
                ('"opening_date" IS NULL OR "opening_date" <= now()', "已开通 open", colour, {}),
                ('"opening_date" > now()', "规划 planned (not yet open)", colour, {"dash": True}),
            ],
        )
    if theme == "hard":
        return _rules(
            family,
            [
                ('"hard"', "刚性管控 hard", "215,25,28", {"hatch": True}),
                ('NOT "hard" OR "hard" IS NULL', "弹性管控 soft", "253,141,60", {"hollow": True}),
            ],
        )
    return _single(kind, family)


def _renderer_element(kind: str, **attrs: str) -> ET.Element:
    return ET.Element(
        "renderer-v2",
        {"type": kind, "forceraster": "0", "symbollevels": "0", "enableorderby": "0", **attrs},
    )


def _graduated(attr: str, family: str) -> ET.Element:
    renderer = _renderer_element("graduatedSymbol", attr=attr, graduatedMethod="GraduatedColor")
    ranges = ET.SubElement(renderer, "ranges")
    symbols = ET.SubElement(renderer, "symbols")
    n = len(_SCORE_RAMP)
    for i, colour in enumerate(_SCORE_RAMP):
        lower, upper = i / n, (i + 1) / n
        ET.SubElement(
            ranges,
            "range",
            {
                "render": "true",
                "symbol": str(i),
                "lower": f"{lower:.6f}",
                "upper": f"{upper:.6f}",
                "label": f"{lower:.1f} – {upper:.1f}",
            },
        )
        symbols.append(_symbol(str(i), family, colour))
    source = ET.SubElement(renderer, "source-symbol")
    source.append(_symbol("0", family, _SCORE_RAMP[2]))
    method = ET.SubElement(renderer, "classificationMethod", {"id": "EqualInterval"})
    ET.SubElement(method, "symmetricMode", {"enabled": "0", "symmetrypoint": "0", "astride": "0"})
    ET.SubElement(
        method,
        "labelFormat",
        {"format": "%1 – %2", "labelprecision": "1", "trimtrailingzeroes": "0"},
    )
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    return renderer


def _categorised(
    attr: str, family: str, classes: Sequence[tuple[str, str, str]], *, other: str
) -> ET.Element:
    renderer = _renderer_element("categorizedSymbol", attr=attr)
    cats = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, (value, colour, label) in enumerate(classes):
        ET.SubElement(
            cats, "category", {"render": "true", "symbol": str(i), "value": value, "label": label}
        )
        symbols.append(_symbol(str(i), family, colour))
    i = len(classes)
    ET.SubElement(
        cats, "category", {"render": "true", "symbol": str(i), "value": "", "label": other}
    )
    symbols.append(_symbol(str(i), family, _OTHER))
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    return renderer


def _rules(family: str, rules: Sequence[tuple[str, str, str, Mapping[str, bool]]]) -> ET.Element:
    renderer = _renderer_element("RuleRenderer")
    root_rule = ET.SubElement(renderer, "rules", {"key": "{root}"})
    symbols = ET.SubElement(renderer, "symbols")
    for i, (expression, label, colour, how) in enumerate(rules):
        ET.SubElement(
            root_rule,
            "rule",
            {"key": f"{{rule{i}}}", "filter": expression, "label": label, "symbol": str(i)},
        )
        symbols.append(
            _symbol(
                str(i),
                family,
                colour,
                dash=how.get("dash", False),
                hatch=how.get("hatch", False),
                hollow=how.get("hollow", False),
            )
        )
    return renderer


def _single(kind: str, family: str) -> ET.Element:
    looks: dict[str, tuple[str, dict[str, Any]]] = {
        "parcels": ("255,247,220", {"outline": "120,100,60"}),
        "buildings": ("170,170,170", {"outline": "110,110,110"}),
        "axes": ("230,170,20", {"width": "1.6"}),
        "streets": ("150,150,150", {"width": "0.35"}),
        "transit_lines": ("220,30,90", {"width": "0.8"}),
        "stations": ("200,30,80", {}),
        "amenities": ("31,119,180", {}),
        "enterprises": ("90,90,200", {}),
        "constraints": ("215,25,28", {"hatch": True}),
        "spaces": ("26,150,65", {"outline": "20,100,40"}),
    }
    colour, how = looks.get(kind, ("150,150,150", {}))
    renderer = _renderer_element("singleSymbol")
    symbols = ET.SubElement(renderer, "symbols")
    symbols.append(_symbol("0", family, colour, **how))
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    return renderer


def _symbol(
    name: str,
    family: str,
    colour: str,
    *,
    outline: str = "80,80,80",
    width: str | None = None,
    dash: bool = False,
    hatch: bool = False,
    hollow: bool = False,
) -> ET.Element:
    """A QGIS symbol with one simple symbol layer, written as QGIS 3.22 writes it."""
    symbol_type = _SYMBOL_TYPE[family]
    symbol = ET.Element(
        "symbol",
        {
            "type": symbol_type,
            "name": name,
            "alpha": "1",
            "clip_to_extent": "1",
            "force_rhr": "0",
        },
    )
    rgba = f"{colour},255"
    props: dict[str, str]
    if symbol_type == "fill":
        layer_class = "SimpleFill"
        props = {
            "border_width_map_unit_scale": "3x:0,0,0,0,0,0",
            "color": rgba if not hollow else f"{colour},0",
            "joinstyle": "bevel",
            "offset": "0,0",
            "offset_map_unit_scale": "3x:0,0,0,0,0,0",
            "offset_unit": "MM",
            "outline_color": f"{colour},255" if (hatch or hollow) else f"{outline},255",
            "outline_style": "dash" if (dash or hollow) else "solid",
            "outline_width": "0.5" if (hatch or hollow) else "0.26",
            "outline_width_unit": "MM",
            "style": "b_diagonal" if hatch else ("no" if hollow else "solid"),
        }
    elif symbol_type == "line":
        layer_class = "SimpleLine"
        props = {
            "align_dash_pattern": "0",
            "capstyle": "round",
            "customdash": "5;2",
            "customdash_map_unit_scale": "3x:0,0,0,0,0,0",
            "customdash_unit": "MM",
            "draw_inside_polygon": "0",
            "joinstyle": "round",
            "line_color": rgba,
            "line_style": "dash" if dash else "solid",
            "line_width": width or ("0.8" if dash else "0.5"),
            "line_width_unit": "MM",
            "offset": "0",
            "offset_map_unit_scale": "3x:0,0,0,0,0,0",
            "offset_unit": "MM",
            "ring_filter": "0",
            "use_custom_dash": "0",
            "width_map_unit_scale": "3x:0,0,0,0,0,0",
        }
    else:
        layer_class = "SimpleMarker"
        props = {
            "angle": "0",
            "color": "255,255,255,255" if dash else rgba,
            "horizontal_anchor_point": "1",
            "joinstyle": "bevel",
            "name": "circle",
            "offset": "0,0",
            "offset_map_unit_scale": "3x:0,0,0,0,0,0",
            "offset_unit": "MM",
            "outline_color": rgba if dash else "50,50,50,255",
            "outline_style": "dash" if dash else "solid",
            "outline_width": "0.6" if dash else "0.3",
            "outline_width_map_unit_scale": "3x:0,0,0,0,0,0",
            "outline_width_unit": "MM",
            "scale_method": "diameter",
            "size": "3" if dash else "2.4",
            "size_map_unit_scale": "3x:0,0,0,0,0,0",
            "size_unit": "MM",
            "vertical_anchor_point": "1",
        }
    _data_defined(symbol)
    layer = ET.SubElement(
        symbol, "layer", {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"}
    )
    option_map = ET.SubElement(layer, "Option", {"type": "Map"})
    for key, value in props.items():
        ET.SubElement(option_map, "Option", {"type": "QString", "name": key, "value": value})
    for key, value in props.items():
        ET.SubElement(layer, "prop", {"k": key, "v": value})
    _data_defined(layer)
    return symbol


def _data_defined(parent: ET.Element) -> None:
    holder = ET.SubElement(parent, "data_defined_properties")
    option = ET.SubElement(holder, "Option", {"type": "Map"})
    ET.SubElement(option, "Option", {"type": "QString", "name": "name", "value": ""})
    ET.SubElement(option, "Option", {"name": "properties"})
    ET.SubElement(option, "Option", {"type": "QString", "name": "type", "value": "collection"})


def _labeling(kind: str, columns: Sequence[str]) -> ET.Element | None:
    if kind not in ("axes", "stations") or "name" not in columns:
        return None
    labeling = ET.Element("labeling", {"type": "simple"})
    settings = ET.SubElement(labeling, "settings", {"calloutType": "simple"})
    text = ET.SubElement(
        settings,
        "text-style",
        {
            "fieldName": "name",
            "isExpression": "0",
            "fontFamily": "Noto Sans CJK SC",
            "fontSize": "9",
            "fontSizeUnit": "Point",
            "textColor": "50,50,50,255",
            "textOpacity": "1",
            "namedStyle": "Regular",
        },
    )
    ET.SubElement(
        text,
        "text-buffer",
        {
            "bufferDraw": "1",
            "bufferSize": "0.8",
            "bufferSizeUnits": "MM",
            "bufferColor": "255,255,255,255",
            "bufferOpacity": "1",
        },
    )
    ET.SubElement(
        settings,
        "placement",
        {"placement": "2" if kind == "axes" else "0", "dist": "1.5", "distUnits": "MM"},
    )
    ET.SubElement(settings, "rendering", {"obstacle": "1", "scaleVisibility": "0"})
    return labeling


# -- the layer_styles table ------------------------------------------------------------

_CREATE_TABLE = (
    'CREATE TABLE "layer_styles" ('
    '"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), '
    '"f_table_schema" TEXT(256), '
    '"f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), '
    '"styleName" TEXT(30), '
    '"styleQML" TEXT, '
    '"styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, '
    '"description" TEXT, '
    '"owner" TEXT(30), '
    '"ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
_GPKG_TIME = "%Y-%m-%dT%H:%M:%S.{ms:03d}Z"


def _now() -> str:
    now = datetime.now(timezone.utc)
    return now.strftime(_GPKG_TIME).format(ms=now.microsecond // 1000)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _existing(path: str | Path) -> Path:
    # sqlite3.connect would silently create an empty file at a wrong path
    p = Path(path)
    if not p.is_file():
        where = "" if p.parent.is_dir() else f" (nor does the folder {p.parent})"
        raise LandassetIOError(
            f"{p} does not exist{where}; give the path of an existing GeoPackage, such as "
            "one written by landasset.write_layer"
        )
    return p


def _ensure_table(con: sqlite3.Connection) -> None:
    exists = con.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'layer_styles'"
    ).fetchone()
    if not exists:
        con.execute(_CREATE_TABLE)
    registered = con.execute(
        "SELECT 1 FROM gpkg_contents WHERE table_name = 'layer_styles'"
    ).fetchone()
    if not registered:
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'QGIS layer styles', ?)",
            (_now(),),
        )


def _geometry_column(con: sqlite3.Connection, table: str) -> str:
    row = con.execute(
        "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
    ).fetchone()
    if row is None:
        raise LandassetValueError(f"{table!r} is not a feature table of this GeoPackage")
    return str(row[0])


def write_layer_styles(path: str | Path, styles: Iterable[LayerStyle]) -> None:
    """Store default QGIS styles in a GeoPackage's ``layer_styles`` table.

    The table is created with QGIS's schema and registered in ``gpkg_contents`` when
    missing. For each style, an earlier landasset style of the same table is replaced,
    and other styles of the table stop being the default (as QGIS does when it saves a
    new default).

    Parameters
    ----------
    path : str or PathLike
        An existing GeoPackage holding the styled tables.
    styles : iterable of LayerStyle
        One style per table (:func:`default_style`).

    Raises
    ------
    LandassetIOError
        (an ``OSError``) ``path`` does not exist.
    LandassetValueError
        (a ``ValueError``) A style names a table that is not a feature table of the file.
    sqlite3.Error
        The file cannot be written (nothing is changed: one transaction).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["P1"], "stage": ["reserved"]},
    ...     geometry=[box(0, 0, 100, 100)],
    ...     crs="EPSG:4549",
    ... )
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "site.gpkg"
    ...     parcels.to_file(path, layer="parcels")  # a plain write, no style
    ...     write_layer_styles(path, [default_style(parcels, "parcels")])
    ...     table = read_layer_styles(path)
    >>> list(table.loc[0, ["f_table_schema", "f_table_name", "f_geometry_column", "styleName"]])
    ['', 'parcels', 'geom', 'landasset']
    >>> bool(table.loc[0, "useAsDefault"])
    True
    """
    styles = list(styles)
    if not styles:
        return
    con = sqlite3.connect(str(_existing(path)))
    try:
        with con:
            _ensure_table(con)
            for style in styles:
                geometry = _geometry_column(con, style.table)
                con.execute(
                    "DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?",
                    (style.table, STYLE_NAME),
                )
                con.execute(
                    "UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?",
                    (style.table,),
                )
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                    "description, owner, ui, update_time) "
                    "VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', NULL, ?)",
                    (style.table, geometry, STYLE_NAME, style.qml, style.description, _now()),
                )
            con.execute(
                "UPDATE gpkg_contents SET last_change = ? WHERE table_name = 'layer_styles'",
                (_now(),),
            )
    finally:
        con.close()


def remove_layer_styles(path: str | Path, tables: Iterable[str]) -> None:
    """Remove the landasset default styles of some tables (other styles stay).

    Used when a layer is replaced by one that has no landasset style, so that a stale
    style does not describe columns that are gone.

    Parameters
    ----------
    path : str or PathLike
        A GeoPackage.
    tables : iterable of str
        Table names.
    """
    names = list(tables)
    if not names:
        return
    con = sqlite3.connect(str(_existing(path)))
    try:
        with con:
            exists = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'layer_styles'"
            ).fetchone()
            if exists:
                con.executemany(
                    "DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?",
                    [(name, STYLE_NAME) for name in names],
                )
    finally:
        con.close()


def read_layer_styles(path: str | Path) -> pd.DataFrame:
    """The rows of a GeoPackage's ``layer_styles`` table.

    Parameters
    ----------
    path : str or PathLike
        A GeoPackage.

    Returns
    -------
    DataFrame
        One row per stored style with QGIS's columns; empty (with those columns)
        when the file has no ``layer_styles`` table.

    Raises
    ------
    LandassetIOError
        (an ``OSError``) ``path`` does not exist or is not a GeoPackage.
    """
    columns = [
        "id",
        "f_table_catalog",
        "f_table_schema",
        "f_table_name",
        "f_geometry_column",
        "styleName",
        "styleQML",
        "styleSLD",
        "useAsDefault",
        "description",
        "owner",
        "ui",
        "update_time",
    ]
    p = _existing(path)
    con = sqlite3.connect(str(p))
    try:
        exists = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'layer_styles'"
        ).fetchone()
        if not exists:
            return pd.DataFrame(columns=columns)
        rows = con.execute(
            "SELECT " + ", ".join(_quote(c) for c in columns) + " FROM layer_styles ORDER BY id"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise LandassetIOError(
            f"cannot read the styles of {p}: {exc}; give a GeoPackage (.gpkg) file"
        ) from None
    finally:
        con.close()
    return pd.DataFrame(rows, columns=columns)
