"""Land control indicators, tenant quality, renewal candidates and industry mix.

Industrial land control indicators (工业项目建设用地控制指标, 国土资发〔2008〕24号):

* FAR (容积率) = gross floor area / site area, at least the minimum for the project's
  industry (:data:`FAR_MIN_BY_INDUSTRY`, by 2-digit national economic classification
  code);
* building coverage (建筑系数) ≥ 30 %;
* green ratio (绿地率) ≤ 20 %;
* office and living-service facilities (行政办公及生活服务设施) ≤ 7 % of the site.

The tables and thresholds are parameters: pass your own to replace them.

Examples
--------
>>> from landasset.efficiency import FAR_MIN_BY_INDUSTRY, far_minimum
>>> float(FAR_MIN_BY_INDUSTRY["25"]), float(FAR_MIN_BY_INDUSTRY["39"])
(0.5, 0.7)
>>> far_minimum(["C3411", "27", "65", None]).tolist()
[0.7, 0.7, nan, nan]
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, overload

import geopandas as gpd
import numpy as np
import pandas as pd

from landasset._buildings import STOREY_HEIGHT_M, TALL_STOREY_M, building_floor_area
from landasset._dates import DateLike, to_day_or_none
from landasset._errors import LandassetTypeError, LandassetValueError
from landasset._stages import STAGE_IDS, stage_series
from landasset.efficiency._enterprises import (
    as_enterprises,
    building_parcels,
    enterprise_land,
    join_texts,
    text_column,
    two_digit,
)
from landasset.efficiency.grading import by_parcel
from landasset.investment import InvestmentMinimums
from landasset.landuse import land_use_family
from landasset.measures import (
    area_m2,
    building_coverage,
    floor_area_ratio,
    gross_floor_area,
    industrial_floor_area_ratio,
)
from landasset.units import MU_M2

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from landasset.site import Site

__all__ = [
    "COVERAGE_MIN",
    "FAR_MIN_BY_INDUSTRY",
    "GREEN_MAX",
    "OFFICE_LIVING_MAX",
    "OFFICE_LIVING_USES",
    "RENEWAL_METRICS",
    "far_minimum",
    "industry_mix",
    "land_indicators",
    "renewal_candidates",
    "tenant_quality",
]


def _far_table() -> pd.Series:
    rows = {
        1.0: [13, 14, 15, 16, 18, 19, 24, 30, 40, 41, 42],
        0.8: [17, 20, 21, 22, 23, 28, 29],
        0.7: [27, 31, 34, 35, 36, 37, 39, 43],
        0.6: [26, 32, 33],
        0.5: [25],
    }
    table = {f"{code:02d}": far for far, codes in rows.items() for code in codes}
    series = pd.Series(table, name="far_min", dtype=float).sort_index()
    series.index.name = "industry_code"
    return series


#: Minimum FAR by 2-digit industry code (国民经济行业分类), 国土资发〔2008〕24号.
#: A Series you can copy, edit and pass as ``far_minimums=``. Codes not listed (services
#: such as 65 software) have no national minimum.
FAR_MIN_BY_INDUSTRY: pd.Series = _far_table()

#: Building coverage (建筑系数) floor, 国土资发〔2008〕24号.
COVERAGE_MIN = 0.30
#: Green ratio (绿地率) ceiling, 国土资发〔2008〕24号.
GREEN_MAX = 0.20
#: Office and living-service share ceiling, 国土资发〔2008〕24号.
OFFICE_LIVING_MAX = 0.07

#: Building ``use`` values (lower-cased, stripped) counted as office and living service.
#: Everything else — production, warehouse, R&D, missing — counts as production.
OFFICE_LIVING_USES: frozenset[str] = frozenset(
    {
        "office",
        "administration",
        "dormitory",
        "canteen",
        "living",
        "residential",
        "apartment",
        "housing",
        "hotel",
        "guesthouse",
        "办公",
        "行政办公",
        "宿舍",
        "食堂",
        "生活",
        "生活配套",
        "生活服务",
        "住宅",
        "公寓",
        "宾馆",
        "酒店",
        "招待所",
    }
)

#: Metrics renewal candidates can be ranked by: per-mu money indicators, so that the
#: gain (area in mu × gap) is in 10k CNY per year.
RENEWAL_METRICS: tuple[str, ...] = (
    "tax_per_mu_10k_cny",
    "value_added_per_mu_10k_cny",
    "revenue_per_mu_10k_cny",
)


class _Ledger(Protocol):
    def stages(self, as_of: Any = None) -> pd.Series: ...


@overload
def far_minimum(
    codes: str | int | None,
    *,
    far_minimums: Mapping[str, float] | pd.Series = ...,
) -> float: ...


@overload
def far_minimum(
    codes: pd.Series | Iterable[Any],
    *,
    far_minimums: Mapping[str, float] | pd.Series = ...,
) -> pd.Series: ...


def far_minimum(
    codes: Any, *, far_minimums: Mapping[str, float] | pd.Series = FAR_MIN_BY_INDUSTRY
) -> float | pd.Series:
    """The minimum FAR for an industry code, or for each code of a collection.

    Codes are read as national economic classification codes: the first two digits
    count, after an optional section letter (``"C3411"`` → ``"34"``); integers are
    zero-padded (``7`` → ``"07"``). Like shapely's functions, a single code (a string,
    an integer or None) gives a float, and a collection gives a Series named
    ``far_min`` — aligned on the input's index when it is a Series, numbered from 0
    otherwise. A code without a minimum gives NaN.

    Examples
    --------
    >>> far_minimum("34"), far_minimum(25), far_minimum("65")
    (0.7, 0.5, nan)
    >>> far_minimum(["13", 25, "C2710", "x"]).tolist()
    [1.0, 0.5, 0.7, nan]
    >>> import pandas as pd
    >>> far_minimum(pd.Series({"P1": "C3411", "P2": None})).to_dict()
    {'P1': 0.7, 'P2': nan}
    """
    if codes is None or isinstance(codes, str | int | np.integer):
        one = pd.Series([codes], dtype=object)
        return float(_far_min(_two_digit(one), far_minimums).iloc[0])
    if isinstance(codes, pd.Series):
        series = pd.Series(codes.to_numpy(dtype=object), index=codes.index, dtype=object)
    else:
        try:
            series = pd.Series(list(codes), dtype=object)
        except TypeError:
            raise LandassetTypeError(
                "codes is an industry code (such as '34' or 'C3411') or a collection of "
                f"them, not {type(codes).__name__}"
            ) from None
    return _far_min(_two_digit(series), far_minimums).rename("far_min")


def land_indicators(
    parcels: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    enterprises: pd.DataFrame | None = None,
    industry_codes: Mapping[str, Any] | pd.Series | None = None,
    far_minimums: Mapping[str, float] | pd.Series = FAR_MIN_BY_INDUSTRY,
    coverage_min: float = COVERAGE_MIN,
    green_max: float = GREEN_MAX,
    office_living_max: float = OFFICE_LIVING_MAX,
    office_living_uses: Collection[str] = OFFICE_LIVING_USES,
    land_uses: Collection[str] | None = None,
    investment_minimums: InvestmentMinimums | None = None,
    region_class: str | None = None,
    storey_height_m: float = STOREY_HEIGHT_M,
    tall_storey_m: float = TALL_STOREY_M,
) -> pd.DataFrame:
    """The industrial land control indicators of every parcel, with pass/fail.

    Parameters
    ----------
    parcels : GeoDataFrame
        Parcels indexed by ``parcel_id`` in a metric CRS. Optional columns used:
        ``industry_code``; ``far_min``, ``coverage_min``, ``green_max`` (planning
        conditions, as fractions); ``green_ratio`` (fraction) or ``green_area_m2``;
        ``investment_10k_cny`` (fixed-asset investment, 万元) and ``region_class``.
    buildings : GeoDataFrame
        Buildings; each belongs to the parcel in its ``parcel_id`` column, else to the
        parcel holding most of its footprint. Floor area by
        :func:`landasset._buildings.building_floor_area`; ``use`` for office/living.
    enterprises : DataFrame, optional
        Tenants with ``industry_code`` (and ``parcel_id``/``building_id`` or points) to
        find each parcel's industry; their ``investment_10k_cny`` summed per parcel is
        the parcel's investment where the parcel has none of its own.
    industry_codes : Series or mapping, optional
        Industry code per ``parcel_id``; overrides the parcels' ``industry_code`` column
        and the tenants' codes.
    far_minimums : Series or mapping, default :data:`FAR_MIN_BY_INDUSTRY`
        Minimum FAR by 2-digit code; replace it with your own table.
    coverage_min, green_max, office_living_max : float
        The national thresholds (0.30, 0.20, 0.07).
    office_living_uses : collection of str, default :data:`OFFICE_LIVING_USES`
        Building ``use`` values counted as office and living service.
    land_uses : collection of str, optional
        The ``land_use`` codes assessed. Default: every code of the industrial family
        (:func:`landasset.landuse.land_use_family`) except ``M0``, new industrial land
        (新型产业用地), which local rules govern with other limits. Without a
        ``land_use`` column every parcel is assessed.
    investment_minimums : InvestmentMinimums, optional
        Minimum investment intensity by region class and industry, from
        :func:`landasset.investment.read_investment_minimums` (there is no national
        default to ship). Without it the intensity is still computed but not checked.
    region_class : str, optional
        The region class of every parcel in the table; a parcel's own ``region_class``
        value takes precedence.
    storey_height_m : float, default 3.5
        Storey height for buildings known only by height (floors = round(height /
        storey height)).
    tall_storey_m : float, default 8.0
        A storey higher than this counts twice in ``far_industrial``.

    Returns
    -------
    DataFrame
        Indexed like ``parcels``: ``area_mu``, ``gfa_m2``, ``far`` (plain: every
        storey once), ``far_industrial`` (storeys over 8 m twice, the FAR checked; NaN
        on parcels whose land use is not assessed), ``coverage``, ``footprint_m2``,
        ``industry_code`` (the code that sets the minimum), ``far_min``, ``far_ok``,
        ``coverage_min``, ``coverage_ok``, ``green_ratio``, ``green_max``,
        ``green_ok``, ``office_living_share``, ``office_living_max``,
        ``office_living_ok``, ``investment_10k_cny``, ``investment_source``
        (``"parcel"``, ``"enterprises"`` or NaN), ``investment_intensity_10k_cny_per_mu``,
        ``region_class``, ``investment_min_10k_cny_per_mu``, ``investment_ok``,
        ``investment_note`` (why the intensity or its minimum is missing, ``""`` if
        nothing is), ``passes`` (every assessed check passes) and ``fails``
        (the failed checks in words, ``""`` if none). Ratios are fractions (0.3 = 30 %).
        Values are given for every parcel; ``*_ok`` and ``passes`` are nullable
        booleans, missing where a check cannot be assessed: parcels of other land uses
        (see ``land_uses``), parcels without buildings (vacant or not yet built land is
        the lifecycle's concern: idle land), and checks without data.

    Notes
    -----
    * FAR minimum: the strictest of the industry minimum and the parcel's own
      ``far_min``. A parcel with several tenants is held to the highest minimum among
      their industries (``industry_code`` names that industry). Codes not in the table
      (e.g. 65 software) set no minimum; with no ``far_min`` either, FAR is not assessed.
    * FAR is checked as ``far_industrial``: a storey higher than 8 m counts its floor
      area twice (国土资发〔2008〕24号), with storey heights from ``storey_heights``,
      ``height_m / floors`` or ``height_m`` and ``storey_height_m`` (see
      :func:`landasset.measures.industrial_floor_area_ratio`). The rule is part of the
      industrial land control indicators, so it is applied only to the parcels
      assessed (``land_uses``); ``far`` keeps the plain ratio for every parcel.
    * Investment intensity (投资强度) = fixed-asset investment / site area, in 万元
      per mu: the parcel's ``investment_10k_cny``, else the sum of its tenants'
      ``investment_10k_cny`` when every tenant gives one; otherwise NaN and
      ``investment_note`` says why. Its minimum is looked up by the parcel's region
      class and ``industry_code`` (the code that sets the FAR minimum): the most
      specific entry of the table, ``"*"`` entries included.
    * Coverage is building footprints / site area: a lower bound of the statutory
      建筑系数, which also counts structures and open storage yards. The threshold is
      ``max(coverage_min, parcel coverage_min)``.
    * Green ratio is assessed only from a ``green_ratio`` or ``green_area_m2`` column;
      the threshold is ``min(green_max, parcel green_max)``.
    * Office and living share uses the apportioning method of the same document: office
      and living floor area / total floor area (which equals their apportioned land /
      site area). Assessed only when buildings have a ``use`` column; buildings whose use
      is missing count as production.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["P1"], "industry_code": ["34"]},
    ...     geometry=[box(0, 0, 100, 100)], crs="EPSG:4549",
    ... ).set_index("parcel_id")
    >>> buildings = gpd.GeoDataFrame(
    ...     {"building_id": ["B1", "B2"], "parcel_id": ["P1", "P1"],
    ...      "floors": [2, 4], "use": ["factory", "dormitory"]},
    ...     geometry=[box(0, 0, 50, 40), box(60, 0, 70, 10)], crs="EPSG:4549",
    ... ).set_index("building_id")
    >>> row = land_indicators(parcels, buildings).loc["P1"]
    >>> float(row.far), float(row.far_min), bool(row.far_ok)  # (2000×2 + 100×4) / 10000
    (0.44, 0.7, False)
    >>> float(row.coverage), float(round(row.office_living_share, 4))  # 2100 / 10000, 400 / 4400
    (0.21, 0.0909)
    >>> row.fails
    'FAR 0.44 < 0.70; coverage 21.0 % < 30.0 %; office/living 9.1 % > 7.0 %'
    """
    if investment_minimums is not None and not isinstance(investment_minimums, InvestmentMinimums):
        raise LandassetTypeError(
            "investment_minimums is an InvestmentMinimums table, as "
            "landasset.investment.read_investment_minimums(path) returns, not "
            f"{type(investment_minimums).__name__}"
        )
    index = parcels.index
    pid = index.astype(str)
    area = area_m2(parcels)
    positive = area > 0
    out = pd.DataFrame(index=index)
    out["area_mu"] = area / MU_M2
    out["gfa_m2"] = gross_floor_area(parcels, buildings, storey_height_m=storey_height_m)
    out["far"] = floor_area_ratio(parcels, buildings, storey_height_m=storey_height_m)
    assessed_use = _assessed_land_use(parcels, land_uses)
    out["far_industrial"] = industrial_floor_area_ratio(
        parcels, buildings, storey_height_m=storey_height_m, tall_storey_m=tall_storey_m
    ).where(assessed_use)
    out["coverage"] = building_coverage(parcels, buildings)
    out["footprint_m2"] = out["coverage"] * area
    # per building, for the office and living share
    b_parcel = building_parcels(buildings, parcels) if len(buildings) else pd.Series(dtype=object)
    key = pd.Series(b_parcel.to_numpy(dtype=object), dtype=object)
    gfa = pd.Series(
        building_floor_area(buildings, storey_height_m=storey_height_m).to_numpy(dtype=float),
        dtype=float,
    )
    # a parcel whose buildings have unknown floor area (gfa NaN) still has buildings
    has_buildings = ((out["footprint_m2"] > 0) | (out["gfa_m2"] != 0)).to_numpy(dtype=bool)

    # FAR minimum -------------------------------------------------------------------
    codes = _parcel_codes(parcels, enterprises, industry_codes, far_minimums)
    out["industry_code"] = codes["industry_code"].reindex(index).astype(object)
    industry_min = codes["far_min"].reindex(index).astype(float)
    planning_min = _fraction_column(parcels, "far_min")
    out["far_min"] = np.fmax(industry_min.to_numpy(), planning_min.to_numpy())
    out["far_ok"] = _check(
        out["far_industrial"] >= out["far_min"],
        out["far_industrial"].notna() & out["far_min"].notna(),
    )

    # coverage ------------------------------------------------------------------------
    out["coverage_min"] = np.fmax(
        coverage_min, _fraction_column(parcels, "coverage_min").to_numpy()
    )
    out["coverage_ok"] = _check(out["coverage"] >= out["coverage_min"], out["coverage"].notna())

    # green ratio ---------------------------------------------------------------------
    if "green_ratio" in parcels.columns:
        green = _fraction_column(parcels, "green_ratio")
    elif "green_area_m2" in parcels.columns:
        green = (_fraction_column(parcels, "green_area_m2") / area).where(positive)
    else:
        green = pd.Series(np.nan, index=index)
    out["green_ratio"] = green.to_numpy(dtype=float)
    out["green_max"] = np.fmin(green_max, _fraction_column(parcels, "green_max").to_numpy())
    out["green_ok"] = _check(out["green_ratio"] <= out["green_max"], out["green_ratio"].notna())

    # office and living share -----------------------------------------------------------
    if "use" in buildings.columns and len(buildings):
        uses = {str(u).strip().lower() for u in office_living_uses}
        use = buildings["use"].astype(object).where(buildings["use"].notna(), "")
        is_office = use.astype(str).str.strip().str.lower().isin(uses).to_numpy(dtype=bool)
        office = gfa.where(pd.Series(is_office), 0.0).groupby(key).sum()
        total = gfa.groupby(key).sum(min_count=1)
        share = (office / total.where(total > 0)).reindex(pid)
        share.index = index
        out["office_living_share"] = share.astype(float)
    else:
        out["office_living_share"] = np.nan
    out["office_living_max"] = float(office_living_max)
    out["office_living_ok"] = _check(
        out["office_living_share"] <= out["office_living_max"], out["office_living_share"].notna()
    )

    # investment intensity ---------------------------------------------------------------
    invest = _investment(parcels, enterprises, investment_minimums, region_class, out)
    for column in invest.columns:
        out[column] = invest[column]
    out["investment_ok"] = _check(
        out["investment_intensity_10k_cny_per_mu"] >= out["investment_min_10k_cny_per_mu"],
        out["investment_intensity_10k_cny_per_mu"].notna()
        & out["investment_min_10k_cny_per_mu"].notna(),
    )
    out["investment_note"] = invest.attrs["note"]

    checks = ["far_ok", "coverage_ok", "green_ok", "office_living_ok", "investment_ok"]
    outside = ~(assessed_use & has_buildings)
    for c in checks:
        out.loc[outside, c] = pd.NA
    assessed = pd.concat([out[c].notna() for c in checks], axis=1).any(axis=1)
    failed = pd.concat([out[c].eq(False).fillna(False) for c in checks], axis=1).any(axis=1)
    out["passes"] = pd.array(np.where(failed, False, True), dtype="boolean")
    out.loc[~assessed.to_numpy(), "passes"] = pd.NA
    out["fails"] = join_texts(
        [
            np.where(
                out["far_ok"].eq(False).fillna(False),
                "FAR " + _fmt(out["far_industrial"], "%.2f") + " < " + _fmt(out["far_min"], "%.2f"),
                "",
            ),
            np.where(
                out["coverage_ok"].eq(False).fillna(False),
                "coverage " + _pct(out["coverage"]) + " < " + _pct(out["coverage_min"]),
                "",
            ),
            np.where(
                out["green_ok"].eq(False).fillna(False),
                "green " + _pct(out["green_ratio"]) + " > " + _pct(out["green_max"]),
                "",
            ),
            np.where(
                out["office_living_ok"].eq(False).fillna(False),
                "office/living "
                + _pct(out["office_living_share"])
                + " > "
                + _pct(out["office_living_max"]),
                "",
            ),
            np.where(
                out["investment_ok"].eq(False).fillna(False),
                "investment "
                + _fmt(out["investment_intensity_10k_cny_per_mu"], "%.1f")
                + " < "
                + _fmt(out["investment_min_10k_cny_per_mu"], "%.1f")
                + " 10k CNY/mu",
                "",
            ),
        ]
    )
    return out


def tenant_quality(
    enterprises: pd.DataFrame, *, leading_industries: str | Iterable[str] | None
) -> pd.DataFrame:
    """Tenant quality flags: national high-tech, 专精特新, fit to the leading industries.

    Parameters
    ----------
    enterprises : DataFrame
        Indexed by ``enterprise_id``; ``high_tech``, ``zjtx``, ``industry`` and
        ``industry_code`` are used when present.
    leading_industries : str, iterable of str or None
        The district's leading industries, matched against ``industry`` and against
        the 2-digit ``industry_code``. A single string is one industry
        (``"textiles"`` is the same as ``["textiles"]``, not its letters). ``None``
        uses the enterprises' own ``leading_industry`` column.

    Returns
    -------
    DataFrame
        Indexed by ``enterprise_id``: ``industry``, ``high_tech``, ``zjtx``,
        ``leading_industry`` (booleans; a missing flag counts as False),
        ``quality_flags`` (how many of the three, 0–3) and ``label`` (国高新 · 专精特新 · 主导产业, the ones
        that apply), ready to filter (``table[table.high_tech & table.leading_industry]``).

    Examples
    --------
    >>> import pandas as pd
    >>> firms = pd.DataFrame(
    ...     {"industry": ["artificial_intelligence", "textiles"], "high_tech": [True, None],
    ...      "zjtx": [True, False]},
    ...     index=pd.Index(["E1", "E2"], name="enterprise_id"),
    ... )
    >>> tenant_quality(firms, leading_industries=["artificial_intelligence"])[["quality_flags", "label"]]
                   quality_flags            label
    enterprise_id
    E1                 3  国高新 · 专精特新 · 主导产业
    E2                 0
    """
    ent = as_enterprises(enterprises)
    out = pd.DataFrame(index=ent.index)
    out["industry"] = ent["industry"].astype(object) if "industry" in ent.columns else np.nan
    out["high_tech"] = _bool(ent, "high_tech")
    out["zjtx"] = _bool(ent, "zjtx")
    if leading_industries is None:
        out["leading_industry"] = _bool(ent, "leading_industry")
    else:
        wanted = _industries(leading_industries)
        fit = np.zeros(len(ent), dtype=bool)
        if "industry" in ent.columns:
            fit |= ent["industry"].astype(object).isin(wanted).to_numpy(dtype=bool)
        if "industry_code" in ent.columns:
            codes = _two_digit(ent["industry_code"])
            fit |= codes.isin(wanted).to_numpy(dtype=bool)
        out["leading_industry"] = fit
    out["quality_flags"] = (
        out[["high_tech", "zjtx", "leading_industry"]].sum(axis=1).astype("int64")
    )
    out["label"] = join_texts(
        [
            np.where(out["high_tech"], "国高新", ""),
            np.where(out["zjtx"], "专精特新", ""),
            np.where(out["leading_industry"], "主导产业", ""),
        ],
        sep=" · ",
    )
    return out


def renewal_candidates(
    site: Any,
    evaluation: pd.DataFrame,
    *,
    ledger: _Ledger | None = None,
    as_of: DateLike | None = None,
    metric: str = "tax_per_mu_10k_cny",
    stages: str | Collection[str] = ("operating", "renewal"),
) -> pd.DataFrame:
    """Parcels to renew (腾笼换鸟): worst-grade tenants or land below the control indicators.

    Parameters
    ----------
    site : Site
        The district (parcels, buildings, enterprises).
    evaluation : DataFrame
        :func:`~landasset.efficiency.evaluate` of the site's enterprises.
    ledger : Ledger or Series, optional
        The lifecycle ledger, whose ``stages(as_of=...)`` give each parcel's stage, or
        those stages as a Series by ``parcel_id``. Without a
        ledger, the parcels' own ``stage`` column is used when they have one; otherwise
        a parcel with at least one graded tenant counts as ``"operating"`` and the
        others have no stage.
    as_of : date-like, optional
        The day the ledger's stages are read on (ledger only). None (no date): every
        recorded event counts, so each parcel has its latest stage — the same None as
        scoring and the maps. Kept, as a Timestamp or None, in ``attrs["as_of"]``.
    metric : str, default "tax_per_mu_10k_cny"
        The per-mu indicator the gain is measured in (one of :data:`RENEWAL_METRICS`,
        present in the evaluation).
    stages : str or collection of str, default ("operating", "renewal")
        Stages considered, lifecycle stage ids (:class:`~landasset.lifecycle.Stage`
        members work too); a single string is one stage. Parcels already in
        ``renewal`` stay on the list, marked by their stage.

    Returns
    -------
    DataFrame
        One row per candidate, indexed by ``parcel_id``, best gain first: ``zone`` (when
        the parcels have one), ``stage``, ``area_mu``, ``tenants``, ``graded``,
        ``worst_grade_tenants`` (count of tenants in the scheme's last grade, D), the
        metric's parcel value, ``park_median`` (median over the considered parcels),
        ``gap`` (median − value, at least 0), ``gain_10k_cny`` (``area_mu × gap``: the
        yearly gain if the parcel reached the park median), ``land_fails`` and
        ``reasons``. Ties in gain are ordered by worst-grade tenants, then parcel_id.

    Raises
    ------
    LandassetValueError
        (a ``ValueError``) ``metric`` is not a per-mu indicator of the evaluation, a
        stage is not a lifecycle stage, or ``as_of`` is given without a ledger.

    Examples
    --------
    >>> import landasset as la
    >>> from landasset import efficiency as eff
    >>> site = la.sample.load("yunqi")
    >>> evaluation = eff.evaluate(site.enterprises, site.parcels, year=2025,
    ...                           buildings=site.buildings)
    >>> candidates = eff.renewal_candidates(site, evaluation)
    >>> candidates.index[0], candidates["zone"].iloc[0], round(float(candidates["gain_10k_cny"].iloc[0]))
    ('XH120602-02', '老园区', 2486)
    """
    chosen_stages = _stage_ids(stages)
    day = to_day_or_none(as_of)
    if day is not None and ledger is None:
        raise LandassetValueError(
            "as_of dates the ledger's stages; pass ledger= as well, or drop as_of"
        )
    if metric not in RENEWAL_METRICS or metric not in evaluation.columns:
        choices = [m for m in RENEWAL_METRICS if m in evaluation.columns]
        raise LandassetValueError(
            f"{metric!r} is not a per-mu indicator of this evaluation; use one of: "
            + (", ".join(map(repr, choices)) or "(none: evaluate with a scheme that has one)")
        )
    parcels = site.parcels
    grades = list(evaluation.attrs.get("grades") or ["A", "B", "C", "D"])
    worst = grades[-1]
    parcel_table = by_parcel(evaluation, parcels)
    land = land_indicators(parcels, site.buildings, enterprises=site.enterprises)

    if ledger is not None:
        stage = stage_series(ledger, day)
        stage.index = stage.index.astype(str)
        stage = stage.reindex(parcels.index.astype(str))
        stage.index = parcels.index
    elif "stage" in parcels.columns:
        stage = parcels["stage"].astype(object)
    else:
        operating = (parcel_table["graded"] > 0).to_numpy(dtype=bool)
        stage = pd.Series(
            np.where(operating, "operating", np.full(len(operating), None)),
            index=parcels.index,
            dtype=object,
        )
    considered = stage.isin(chosen_stages).to_numpy(dtype=bool)

    worst_count = parcel_table[f"tenants_{worst}"]
    land_failed = land["passes"].eq(False).fillna(False).to_numpy(dtype=bool)
    candidate = considered & ((worst_count > 0).to_numpy() | land_failed)

    value = parcel_table[metric]
    median = float(value[considered].median()) if considered.any() else np.nan
    gap = (median - value).clip(lower=0)
    gain = parcel_table["area_mu"] * gap

    ev = evaluation[evaluation["grade"] == worst]
    worst_ids = (
        ev.index.astype(str)
        .to_series(index=ev.index)
        .groupby(ev["parcel_id"].astype(str))
        .agg(", ".join)
    )
    worst_ids = worst_ids.reindex(parcels.index.astype(str)).fillna("").to_numpy(dtype=object)
    graded = parcel_table["graded"].to_numpy()
    reasons = join_texts(
        [
            np.where(
                worst_count > 0,
                worst_count.astype(str).to_numpy(dtype=object)
                + " of "
                + pd.Series(graded).astype(str).to_numpy(dtype=object)
                + f" graded tenants in grade {worst} ("
                + worst_ids
                + ")",
                "",
            ),
            np.where(
                land_failed, "land below standard: " + land["fails"].to_numpy(dtype=object), ""
            ),
            np.where(
                gap > 0,
                f"{metric} " + _fmt(value, "%.1f") + " vs park median " + f"{median:.1f}",
                "",
            ),
        ]
    )

    out = pd.DataFrame(index=parcels.index)
    if "zone" in parcels.columns:
        out["zone"] = parcels["zone"].astype(object)
    out["stage"] = stage
    out["area_mu"] = parcel_table["area_mu"]
    out["tenants"] = parcel_table["tenants"]
    out["graded"] = parcel_table["graded"]
    out["worst_grade_tenants"] = worst_count
    out[metric] = value
    out["park_median"] = median
    out["gap"] = gap
    out["gain_10k_cny"] = gain
    out["land_fails"] = land["fails"].astype(object)
    out["reasons"] = pd.Series(reasons, index=parcels.index, dtype=object)
    out = out[candidate]
    order = pd.DataFrame(
        {
            "gain": out["gain_10k_cny"].fillna(-np.inf).to_numpy(),
            "worst": out["worst_grade_tenants"].to_numpy(),
            "id": out.index.astype(str),
        },
        index=out.index,
    ).sort_values(["gain", "worst", "id"], ascending=[False, False, True], kind="mergesort")
    out = out.loc[order.index]
    out.attrs.update({"metric": metric, "park_median": median, "as_of": day})
    return out


def industry_mix(site: Site, *, by: str | None = "zone") -> pd.DataFrame:
    """Enterprises, floor area and output per industry, by zone (or another column).

    Parameters
    ----------
    site : Site
        The district.
    by : str or None, default "zone"
        A parcel column (through each enterprise's parcel) or an enterprise column to
        group by first; ``None`` for the whole site.

    Returns
    -------
    DataFrame
        Indexed by (``by``, ``industry``) — or ``industry`` alone when ``by`` is None —:
        ``enterprises``, ``floor_area_m2`` (each enterprise's ``floor_area_m2``, else
        its building's floor area split equally among the building's enterprises),
        ``floor_area_share`` (within the group), ``land_mu`` (as found by
        :func:`~landasset.efficiency.evaluate`), and the sums of ``revenue_10k_cny``
        (output), ``value_added_10k_cny``, ``tax_10k_cny`` and ``employees`` where
        present. Enterprises without a group value are grouped under NaN.

    Raises
    ------
    ValueError
        ``by`` is neither a parcel nor an enterprise column.
    """
    ent = as_enterprises(site.enterprises)
    parcels = site.parcels
    land = enterprise_land(ent, parcels, site.buildings if len(site.buildings) else None)
    keys: list[str] = []
    frame = pd.DataFrame(index=ent.index)
    if by is not None:
        if by in ent.columns:
            frame[by] = ent[by].astype(object)
        elif by in parcels.columns:
            lookup = pd.Series(parcels[by].to_numpy(dtype=object), index=parcels.index.astype(str))
            frame[by] = land["parcel_id"].map(lookup).astype(object)
        else:
            choices = sorted({*parcels.columns, *ent.columns} - {"geometry"})
            raise LandassetValueError(
                f"{by!r} is not a parcel or enterprise column; use one of: "
                + ", ".join(map(repr, choices))
                + ", or None"
            )
        keys.append(by)
    frame["industry"] = ent["industry"].astype(object) if "industry" in ent.columns else np.nan
    keys.append("industry")
    frame["floor_area_m2"] = _enterprise_floor_area(ent, site.buildings)
    frame["land_mu"] = land["land_mu"].to_numpy(dtype=float)
    sums = [
        c
        for c in ("revenue_10k_cny", "value_added_10k_cny", "tax_10k_cny", "employees")
        if c in ent.columns
    ]
    for c in sums:
        frame[c] = pd.to_numeric(ent[c], errors="coerce").astype(float)
    grouped = frame.groupby(keys, dropna=False, sort=True)
    out = grouped.size().rename("enterprises").to_frame()
    for c in ["floor_area_m2", "land_mu", *sums]:
        out[c] = grouped[c].sum(min_count=1)
    if by is not None:
        total = out["floor_area_m2"].groupby(level=0, dropna=False).transform("sum")
    else:
        total = pd.Series(out["floor_area_m2"].sum(), index=out.index)
    out.insert(2, "floor_area_share", out["floor_area_m2"] / total.where(total > 0))
    return out


# -- helpers ------------------------------------------------------------------------------


def _enterprise_floor_area(ent: pd.DataFrame, buildings: gpd.GeoDataFrame) -> np.ndarray:
    n = len(ent)
    floor = np.full(n, np.nan)
    if len(buildings) and "building_id" in ent.columns:
        gfa = building_floor_area(buildings)
        gfa.index = buildings.index.astype(str)
        bid = text_column(ent, "building_id")
        floor = (bid.map(gfa) / bid.map(bid.value_counts())).to_numpy(dtype=float, na_value=np.nan)
    if "floor_area_m2" in ent.columns:
        own = pd.to_numeric(ent["floor_area_m2"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        floor = np.where(np.isnan(own), floor, own)
    return floor


def _tenant_parcel(ent: pd.DataFrame, parcels: gpd.GeoDataFrame) -> pd.Series:
    """Each enterprise's parcel_id (its column, else its building's or containing parcel)."""
    parcel = text_column(ent, "parcel_id")
    if parcel.isna().any():
        parcel = enterprise_land(ent, parcels, None)["parcel_id"].astype(object)
    return parcel


def _investment(
    parcels: gpd.GeoDataFrame,
    enterprises: pd.DataFrame | None,
    minimums: InvestmentMinimums | None,
    region_class: str | None,
    out: pd.DataFrame,
) -> pd.DataFrame:
    """Investment, its source, intensity, region class and minimum per parcel (+ a note)."""
    index = parcels.index
    pid = pd.Index(index.astype(str))
    n = len(index)
    own = _fraction_column(parcels, "investment_10k_cny").to_numpy(dtype=float)
    from_tenants = np.full(n, np.nan)
    tenant_note = np.full(n, "", dtype=object)
    if enterprises is not None and len(enterprises) and "investment_10k_cny" in enterprises.columns:
        ent = as_enterprises(enterprises)
        frame = pd.DataFrame(
            {
                "parcel": _tenant_parcel(ent, parcels).to_numpy(dtype=object),
                "value": pd.to_numeric(ent["investment_10k_cny"], errors="coerce").to_numpy(
                    dtype=float, na_value=np.nan
                ),
            }
        )
        frame = frame[frame["parcel"].notna()]
        grouped = frame.groupby("parcel")["value"]
        total = grouped.sum(min_count=1).reindex(pid)
        tenants = grouped.size().reindex(pid).fillna(0).to_numpy(dtype=np.int64)
        lacking = frame["value"].isna().groupby(frame["parcel"]).sum().reindex(pid).fillna(0)
        lacking_n = lacking.to_numpy(dtype=np.int64)
        complete = (tenants > 0) & (lacking_n == 0)
        from_tenants = np.where(complete, total.to_numpy(dtype=float), np.nan)
        tenant_note = np.where(
            (tenants > 0) & (lacking_n > 0),
            "investment_10k_cny missing for "
            + lacking_n.astype(str).astype(object)
            + " of "
            + tenants.astype(str).astype(object)
            + " tenants",
            "",
        )
        tenant_column = True
    else:
        tenant_column = False
    has_own = ~np.isnan(own)
    investment = np.where(has_own, own, from_tenants)
    source = np.full(n, np.nan, dtype=object)
    source[~np.isnan(from_tenants)] = "enterprises"
    source[has_own] = "parcel"
    area_mu = out["area_mu"].to_numpy(dtype=float)
    intensity = np.divide(
        investment, area_mu, out=np.full(n, np.nan), where=~np.isnan(investment) & (area_mu > 0)
    )
    missing = np.where(
        tenant_note != "",
        tenant_note,
        "no investment_10k_cny on the parcel"
        + ("" if not tenant_column else " or its tenants")
        + ("" if tenant_column else " (nor an enterprise investment_10k_cny column)"),
    )
    notes: list[np.ndarray] = [np.where(np.isnan(investment), missing, "")]

    # region class and minimum
    regions = pd.Series(region_class, index=pid, dtype=object)
    if "region_class" in parcels.columns:
        column = text_column(parcels, "region_class")
        column.index = pid
        regions = column.where(column.notna(), regions)
    regions = regions.where(regions.isna(), regions.astype(str))
    codes = pd.Series(out["industry_code"].to_numpy(dtype=object), index=pid)
    minimum = np.full(n, np.nan)
    if minimums is not None:
        minimum = minimums.minimums(
            region_classes=regions.to_numpy(dtype=object),
            industry_codes=codes.to_numpy(dtype=object),
        )
        region_text = regions.fillna("").astype(str).to_numpy(dtype=object)
        code_text = codes.fillna("").astype(str).to_numpy(dtype=object)
        notes.append(
            np.select(
                [
                    np.isnan(minimum) & regions.isna().to_numpy(),
                    np.isnan(minimum) & codes.isna().to_numpy(),
                    np.isnan(minimum),
                ],
                [
                    "no region class (give region_class= or a region_class column)",
                    "no industry code for the investment minimum",
                    "no investment minimum for region class "
                    + region_text
                    + ", industry "
                    + code_text,
                ],
                default="",
            )
        )
    else:
        notes.append(np.full(n, "no investment minimum table (investment_minimums=)", dtype=object))
    result = pd.DataFrame(
        {
            "investment_10k_cny": investment,
            "investment_source": source,
            "investment_intensity_10k_cny_per_mu": intensity,
            "region_class": regions.where(regions.notna(), np.nan).to_numpy(dtype=object),
            "investment_min_10k_cny_per_mu": minimum,
        },
        index=index,
    )
    result.attrs["note"] = join_texts(notes)
    return result


def _parcel_codes(
    parcels: gpd.GeoDataFrame,
    enterprises: pd.DataFrame | None,
    industry_codes: Mapping[str, Any] | pd.Series | None,
    far_minimums: Mapping[str, float] | pd.Series,
) -> pd.DataFrame:
    """industry_code and its far_min per parcel (the strictest tenant's)."""
    index = parcels.index
    pid = pd.Index(index.astype(str))
    if industry_codes is not None:
        given = pd.Series(
            dict(industry_codes) if not isinstance(industry_codes, pd.Series) else industry_codes
        )
        given.index = given.index.astype(str)
        codes = _two_digit(given.reindex(pid))
    elif "industry_code" in parcels.columns:
        codes = _two_digit(pd.Series(parcels["industry_code"].to_numpy(dtype=object), index=pid))
    else:
        codes = pd.Series(np.nan, index=pid, dtype=object)
    codes.index = pid
    table = pd.DataFrame(
        {"industry_code": codes, "far_min": _far_min(codes, far_minimums).to_numpy()}, index=pid
    )

    if enterprises is not None and len(enterprises) and "industry_code" in enterprises.columns:
        ent = as_enterprises(enterprises)
        parcel = text_column(ent, "parcel_id")
        if parcel.isna().any():
            # the same parcel lookup as evaluate (building's parcel, then containing parcel)
            parcel = enterprise_land(ent, parcels, None)["parcel_id"].astype(object)
        tenant = pd.DataFrame(
            {
                "parcel": parcel.to_numpy(dtype=object),
                "code": _two_digit(ent["industry_code"]).to_numpy(dtype=object),
            }
        )
        tenant["far_min"] = _far_min(tenant["code"], far_minimums).to_numpy()
        tenant = tenant[tenant["parcel"].notna() & tenant["far_min"].notna()]
        strictest = tenant.sort_values(
            ["parcel", "far_min", "code"], ascending=[True, False, True]
        ).drop_duplicates("parcel")
        strictest = strictest.set_index("parcel").reindex(pid)
        use_tenant = table["far_min"].isna().to_numpy() & strictest["far_min"].notna().to_numpy()
        table.loc[use_tenant, "industry_code"] = strictest.loc[use_tenant, "code"].to_numpy()
        table.loc[use_tenant, "far_min"] = strictest.loc[use_tenant, "far_min"].to_numpy()
    table.index = index
    return table


def _assessed_land_use(parcels: gpd.GeoDataFrame, land_uses: Collection[str] | None) -> np.ndarray:
    if "land_use" not in parcels.columns:
        return np.ones(len(parcels), dtype=bool)
    codes = parcels["land_use"].astype(object)
    if land_uses is not None:
        return codes.isin([str(c) for c in land_uses]).to_numpy(dtype=bool)
    industrial = (land_use_family(codes) == "industrial").to_numpy(dtype=bool)
    return industrial & (codes != "M0").to_numpy(dtype=bool) & codes.notna().to_numpy(dtype=bool)


def _industries(leading_industries: str | Iterable[str]) -> set[str]:
    if isinstance(leading_industries, str):
        return {leading_industries}  # one industry, not its letters
    try:
        return {str(x) for x in leading_industries}
    except TypeError:
        raise LandassetTypeError(
            "leading_industries is an industry name or a list of them (such as "
            f"['artificial_intelligence', '27']) or None, not {leading_industries!r}"
        ) from None


def _stage_ids(stages: str | Collection[str]) -> list[str]:
    """The stage ids asked for, each checked against the lifecycle stages."""
    given: Iterable[object] = [stages] if isinstance(stages, str) else stages
    try:
        items = list(given)
    except TypeError:
        raise LandassetTypeError(
            f"stages is a stage id or a collection of them (such as ('operating', "
            f"'renewal')), not {stages!r}"
        ) from None
    chosen = []
    for item in items:
        value = getattr(item, "value", item)  # a Stage member gives its id
        if not isinstance(value, str) or value not in STAGE_IDS:
            raise LandassetValueError(
                f"{item!r} in stages is not a lifecycle stage; use one of: "
                + ", ".join(map(repr, STAGE_IDS))
            )
        chosen.append(value)
    return chosen


def _two_digit(codes: pd.Series) -> pd.Series:
    """Two-digit industry codes: ``"C3411"`` → ``"34"``, ``7`` → ``"07"``, else NaN."""
    return two_digit(codes)


def _far_min(codes: pd.Series, far_minimums: Mapping[str, float] | pd.Series) -> pd.Series:
    table = (
        pd.Series(far_minimums, dtype=float)
        if not isinstance(far_minimums, pd.Series)
        else far_minimums.astype(float)
    )
    table.index = [str(i).zfill(2) for i in table.index]
    return pd.Series(codes.map(table).to_numpy(dtype=float, na_value=np.nan), index=codes.index)


def _fraction_column(parcels: gpd.GeoDataFrame, column: str) -> pd.Series:
    if column not in parcels.columns:
        return pd.Series(np.nan, index=parcels.index, dtype=float)
    return pd.to_numeric(parcels[column], errors="coerce").astype(float)


def _check(passes: pd.Series, assessed: pd.Series) -> pd.Series:
    out = pd.Series(
        pd.array(passes.fillna(False).to_numpy(dtype=bool), dtype="boolean"), index=passes.index
    )
    out[~assessed.to_numpy(dtype=bool)] = pd.NA
    return out


def _bool(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    values = frame[column]
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.fillna(False).to_numpy(dtype=bool)
    return (pd.to_numeric(values, errors="coerce").fillna(0) != 0).to_numpy(dtype=bool)


def _fmt(values: pd.Series, pattern: str) -> np.ndarray:
    """Numbers as text with a printf ``pattern`` (vectorised; "" where missing)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    text = np.char.mod(pattern, np.nan_to_num(numbers)).astype(object)
    return np.where(np.isnan(numbers), "", text)


def _pct(values: pd.Series) -> np.ndarray:
    return _fmt(values * 100, "%.1f") + " %"
