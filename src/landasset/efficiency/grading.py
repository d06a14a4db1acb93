"""Per-mu efficiency evaluation (亩均效益评价) of enterprises and parcels.

:func:`evaluate` grades every enterprise under a :class:`~landasset.efficiency.Scheme`;
:func:`by_parcel` rolls the result up to parcels, weighting by land area.

Land area (``land_mu``) of an enterprise, in this order (``land_mu_source`` says which):

1. ``"column"`` — its own ``land_mu`` value;
2. ``"floor_area_share"`` — its share of its parcel's gross floor area times the
   parcel's area, when ``buildings`` are given and it has a ``building_id``. Its floor
   area is its ``floor_area_m2`` column when present, else its building's floor area
   split equally among the enterprises in that building; the parcel's floor area is the
   sum over the buildings on the parcel (:func:`landasset._buildings.building_floor_area`);
3. ``"sole_tenant"`` — the whole parcel's area when it is the only enterprise on it;
4. missing otherwise: the enterprise is not graded and ``reasons`` says why.

An enterprise's parcel is its ``parcel_id``; else its building's parcel (the building's
``parcel_id``, else the parcel holding most of its footprint); else the parcel that
contains its point.

Ties in percentile grading are broken by score (rounded to 1e-9), then by
``enterprise_id`` in ascending string order, so the same data always give the same
grades and the band sizes are exact: with ``n`` graded firms, band ``j`` ends at
position ``floor(n × to_j / 100 + 0.5)``.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd

from landasset._errors import LandassetTypeError, NoEnterpriseForYearWarning
from landasset.efficiency._enterprises import (
    as_enterprises,
    enterprise_land,
    join_texts,
    two_digit,
)
from landasset.efficiency.scheme import INDICATORS, Indicator, Scheme, load_scheme
from landasset.landuse import land_use_family
from landasset.measures import area_mu

__all__ = ["LAND_MU_SOURCES", "by_parcel", "evaluate", "with_geometry"]

#: Values of the ``land_mu_source`` column (missing when no land area was found).
LAND_MU_SOURCES: tuple[str, ...] = ("column", "floor_area_share", "sole_tenant")

_ROUND = 9  # decimals kept when ranking scores, so float noise never breaks a tie


def evaluate(
    enterprises: pd.DataFrame,
    parcels: gpd.GeoDataFrame,
    *,
    year: int,
    scheme: str | Scheme = "zhejiang-2018",
    buildings: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Grade every enterprise by per-mu efficiency.

    Parameters
    ----------
    enterprises : DataFrame or GeoDataFrame
        The enterprise layer, indexed by ``enterprise_id`` (or with that column). The
        scheme's source columns are read from it (``tax_10k_cny``, ``employees``, ...),
        plus ``land_mu``, ``parcel_id``, ``building_id``, ``floor_area_m2``, ``year``
        and the flag columns of bonuses, vetoes and exemptions when present.
    parcels : GeoDataFrame
        Parcels indexed by ``parcel_id``, in a metric CRS (a :class:`~landasset.Site`'s).
    year : int
        The year evaluated. Rows whose ``year`` is another year are not graded; rows
        with no ``year`` (or no ``year`` column) are taken as data for ``year``. When
        every row holds another year, nobody can be graded and a
        :class:`~landasset.NoEnterpriseForYearWarning` names the years the data holds.
    scheme : str or Scheme, default "zhejiang-2018"
        A bundled scheme name (:func:`~landasset.efficiency.list_schemes`) or a Scheme.
    buildings : GeoDataFrame, optional
        Buildings indexed by ``building_id``; used to share a parcel among its tenants
        by floor area.

    Returns
    -------
    DataFrame
        One row per enterprise, indexed by ``enterprise_id``: ``parcel_id``,
        ``industry``, ``land_mu``, ``land_mu_source``, ``in_scope`` (whether the
        scheme's scope takes the firm); one column per indicator (named
        with its unit, e.g. ``tax_per_mu_10k_cny``; missing where it cannot be computed)
        and its points (``tax_per_mu_10k_cny_points``); ``bonus_points``; ``score``;
        ``rank`` (1 = best, within the grading group); ``grade`` (``"A"``–``"D"``,
        missing when not graded); ``reasons`` (``""`` when there is nothing to say;
        otherwise why it is not graded, and any veto, exemption or full-points rule
        applied, separated by ``"; "``). ``attrs`` holds the scheme name, its scope in
        words, the year, the grades and the indicator names.

    Notes
    -----
    A firm outside the scheme's :class:`~landasset.efficiency.Scope` (industry codes,
    land use of its parcel, above-scale or small) is not graded, whatever its data:
    ``reasons`` names the scheme, its scope and what puts the firm outside, and the firm
    takes no part in the others' percentile ranks. The bundled ``zhejiang-2018``
    grades above-scale industrial firms; ``zhejiang-2018-small`` and
    ``zhejiang-2018-services`` grade the small industrial and the services firms.

    A firm in scope is graded only when its land area is positive and every source column of
    the scheme holds a value; a zero or negative denominator (employees, energy) makes
    it ungraded too, unless the indicator's ``zero_denominator`` is ``full_points``. No
    division by zero reaches the result: there is no ``inf`` in any column.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["P1", "P2"]},
    ...     geometry=[box(0, 0, 200, 100), box(200, 0, 400, 100)],  # 30 mu each
    ...     crs="EPSG:4549",
    ... ).set_index("parcel_id")
    >>> firms = pd.DataFrame(
    ...     {
    ...         "industry": ["ai", "ai", "ai"],
    ...         "parcel_id": ["P1", "P2", "P2"],
    ...         "land_mu": [None, 10.0, 0.0],
    ...         "tax_10k_cny": [600.0, 100.0, 50.0],
    ...     },
    ...     index=pd.Index(["E1", "E2", "E3"], name="enterprise_id"),
    ... )
    >>> from landasset.efficiency import Scheme
    >>> tax_only = Scheme.from_yaml('''
    ... version: 1
    ... name: tax-only
    ... indicators: [{name: tax_per_mu_10k_cny, weight: 100, benchmark: 20}]
    ... grading: {by: score, bands: [{grade: A, min: 80}, {grade: B, min: null}]}
    ... ''')
    >>> result = evaluate(firms, parcels, year=2024, scheme=tax_only)
    >>> result[["land_mu", "land_mu_source", "tax_per_mu_10k_cny", "score", "grade"]]
                   land_mu land_mu_source  tax_per_mu_10k_cny  score grade
    enterprise_id
    E1                30.0    sole_tenant                20.0  100.0     A
    E2                10.0         column                10.0   50.0     B
    E3                 0.0         column                 NaN    NaN   NaN
    >>> result.loc["E3", "reasons"]
    'not graded: zero land area'
    """
    sch = _resolve_scheme(scheme)
    ent = as_enterprises(enterprises)
    n = len(ent)
    ids = ent.index.to_numpy(dtype=object).astype(str)

    land = enterprise_land(ent, parcels, buildings)
    land_mu = land["land_mu"].to_numpy(dtype=float)
    in_scope, out_of_scope = _scope(sch, ent, land["parcel_id"], parcels)

    # --- reasons a firm cannot be graded, one vectorised mask at a time --------------
    not_graded: list[np.ndarray] = []  # arrays of reason text ("" = none)
    notes: list[np.ndarray] = []  # reasons that do not block grading
    missing_land = np.isnan(land_mu)
    not_graded.append(np.where(missing_land, land["land_mu_note"].to_numpy(dtype=object), ""))
    not_graded.append(np.where(~missing_land & (land_mu <= 0), "zero land area", ""))

    if "year" in ent.columns:
        data_year = pd.to_numeric(ent["year"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        other_year = ~np.isnan(data_year) & (data_year != year)
        year_text = (
            pd.Series(data_year).fillna(0).astype("int64").astype(str).to_numpy(dtype=object)
        )
        not_graded.append(np.where(other_year, "data for " + year_text + f", not {year}", ""))
        if n and other_year.all():
            held = ", ".join(str(int(y)) for y in np.unique(data_year))
            warnings.warn(
                f"no enterprise has data for year {year}, so nobody is graded; "
                f"the data holds year(s): {held}; pass one of them as year=",
                NoEnterpriseForYearWarning,
                stacklevel=2,
            )

    columns = _source_columns(sch)
    values: dict[str, np.ndarray] = {}
    absent: list[str] = []
    for col in columns:
        if col == "land_mu":
            values[col] = land_mu
        elif col in ent.columns:
            values[col] = pd.to_numeric(ent[col], errors="coerce").to_numpy(
                dtype=float, na_value=np.nan
            )
        else:
            absent.append(col)
            values[col] = np.full(n, np.nan)
    if absent:
        not_graded.append(np.full(n, "missing column(s): " + ", ".join(absent), dtype=object))
    present = [c for c in columns if c not in absent and c != "land_mu"]
    not_graded.append(
        _name_list("missing value(s): ", {c: np.isnan(values[c]) for c in present}, n)
    )

    zero_blocks: dict[str, np.ndarray] = {}
    full_points: dict[str, np.ndarray] = {}
    for ind in sch.indicators:
        den = values[ind.denominator]
        zero = ~np.isnan(den) & (den <= 0)
        if ind.denominator == "land_mu":
            continue  # reported above as zero land area
        if ind.zero_denominator == "full_points":
            full = zero & ~np.isnan(values[ind.numerator])
            full_points[ind.name] = full
        else:
            zero_blocks[ind.denominator] = (
                zero_blocks.get(ind.denominator, np.zeros(n, bool)) | zero
            )
    not_graded.append(_name_list("zero ", zero_blocks, n))

    group_col = sch.grading.group_by
    if group_col is not None:
        if group_col in ent.columns:
            group = ent[group_col].astype(object).to_numpy()
            not_graded.append(np.where(pd.isna(group), f"missing value(s): {group_col}", ""))
        else:
            group = np.full(n, None, dtype=object)
            not_graded.append(np.full(n, f"missing column(s): {group_col}", dtype=object))
    else:
        group = np.zeros(n, dtype=np.int64)

    # a firm outside the scheme's scope is reported for that alone
    blocked = np.where(in_scope, join_texts(not_graded), out_of_scope)
    gradable = blocked == ""
    for name, full in full_points.items():
        denominator = next(i.denominator for i in sch.indicators if i.name == name)
        notes.append(np.where(full & gradable, f"zero {denominator}: full points for {name}", ""))

    # --- indicator values and points ---------------------------------------------------
    out = pd.DataFrame(index=ent.index)
    out["parcel_id"] = _text(land["parcel_id"].to_numpy(dtype=object), ent.index)
    out["industry"] = _text(
        ent["industry"].to_numpy(dtype=object) if "industry" in ent.columns else np.full(n, None),
        ent.index,
    )
    out["land_mu"] = land_mu
    out["land_mu_source"] = _text(land["land_mu_source"].to_numpy(dtype=object), ent.index)
    out["in_scope"] = in_scope
    points: dict[str, np.ndarray] = {}
    for ind in sch.indicators:
        num, den = values[ind.numerator], values[ind.denominator]
        ok = ~np.isnan(num) & ~np.isnan(den) & (den > 0)
        value = np.divide(num, den, out=np.full(n, np.nan), where=ok)
        out[ind.name] = value
        points[ind.name] = _points(ind, value, gradable, full_points.get(ind.name), group)
    for ind in sch.indicators:
        out[f"{ind.name}_points"] = points[ind.name]

    bonus = np.zeros(n)
    for b in sch.bonuses:
        bonus = bonus + np.where(_flag(ent, b.column), b.points, 0.0)
    out["bonus_points"] = np.where(gradable, bonus, np.nan)
    score = np.where(
        gradable, np.sum([points[i.name] for i in sch.indicators], axis=0) + bonus, np.nan
    )
    out["score"] = score

    # --- grades ------------------------------------------------------------------------
    rank, grade_idx = _grade(sch, score, ids, group, gradable)
    grades = np.array(sch.grades, dtype=object)
    for e in sch.exemptions:
        flag = _flag(ent, e.column) & gradable
        worst = sch.grades.index(e.worst_grade)
        notes.append(np.where(flag, f"exemption ({e.column}): at worst {e.worst_grade}", ""))
        grade_idx = np.where(flag, np.minimum(grade_idx, worst), grade_idx)
    for v in sch.vetoes:
        flag = _flag(ent, v.column) & gradable
        best = sch.grades.index(v.best_grade)
        notes.append(np.where(flag, f"veto ({v.column}): at best {v.best_grade}", ""))
        grade_idx = np.where(flag, np.maximum(grade_idx, best), grade_idx)
    rank_array = pd.array(rank, dtype="Int64")
    rank_array[~gradable] = pd.NA
    out["rank"] = rank_array
    grade = np.where(gradable, grades[np.clip(grade_idx, 0, len(grades) - 1)], np.full(n, None))
    out["grade"] = _text(grade, ent.index)
    reasons = join_texts([np.where(blocked == "", "", "not graded: " + blocked), *notes])
    out["reasons"] = pd.Series(reasons, index=ent.index, dtype=object)

    skipped = [
        c
        for c in (
            *(b.column for b in sch.bonuses),
            *(v.column for v in sch.vetoes),
            *(e.column for e in sch.exemptions),
        )
        if c not in ent.columns
    ]
    out.attrs.update(
        {
            "scheme": sch.name,
            "scope": sch.scope.describe(),
            "year": year,
            "grades": list(sch.grades),
            "indicators": [i.name for i in sch.indicators],
            "notes": [
                f"column {c!r} absent: its bonus/veto/exemption was not applied"
                for c in dict.fromkeys(skipped)
            ],
        }
    )
    return out


def by_parcel(evaluation: pd.DataFrame, parcels: gpd.GeoDataFrame) -> pd.DataFrame:
    """Roll an evaluation up to parcels, weighting enterprises by their land area.

    Parameters
    ----------
    evaluation : DataFrame
        The result of :func:`evaluate`.
    parcels : GeoDataFrame
        Parcels indexed by ``parcel_id``; the result has one row per parcel, in order.

    Returns
    -------
    DataFrame
        Indexed like ``parcels``: ``area_mu`` (the parcel), ``tenants`` (enterprises on
        it), ``graded``, ``land_mu`` (the tenants' land), each indicator as the
        land-weighted mean over the tenants that have it (for the per-mu indicators this
        equals the tenants' total over their total land), ``score`` (land-weighted mean
        over graded tenants), ``tenants_A`` … ``tenants_D`` (count per grade),
        ``worst_grade`` and ``grade``: the grade of the tenants holding most of the
        parcel's land (a tie goes to the worse grade) — the per-parcel grade that
        :func:`landasset.lifecycle.low_efficiency` reads. Parcels without tenants have
        0 counts and missing values.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["P1", "P2"]},
    ...     geometry=[box(0, 0, 200, 100), box(200, 0, 400, 100)],
    ...     crs="EPSG:4549",
    ... ).set_index("parcel_id")
    >>> evaluation = pd.DataFrame(
    ...     {
    ...         "parcel_id": ["P1", "P1"],
    ...         "land_mu": [10.0, 30.0],
    ...         "tax_per_mu_10k_cny": [40.0, 20.0],
    ...         "score": [90.0, 50.0],
    ...         "grade": ["A", "D"],
    ...     },
    ...     index=pd.Index(["E1", "E2"], name="enterprise_id"),
    ... )
    >>> evaluation.attrs = {"grades": ["A", "B", "C", "D"], "indicators": ["tax_per_mu_10k_cny"]}
    >>> table = by_parcel(evaluation, parcels)
    >>> row = table.loc["P1"]
    >>> float(row.tax_per_mu_10k_cny), float(row.score), row.worst_grade  # (40×10 + 20×30) / 40
    (25.0, 60.0, 'D')
    >>> row.grade  # the D tenant holds 30 of the 40 mu
    'D'
    >>> int(table.loc["P2", "tenants"])
    0
    """
    grades = list(evaluation.attrs.get("grades") or sorted(evaluation["grade"].dropna().unique()))
    indicators = list(
        evaluation.attrs.get("indicators") or [c for c in INDICATORS if c in evaluation.columns]
    )
    ev = evaluation[evaluation["parcel_id"].notna()]
    key = ev["parcel_id"].astype(str)
    weight = ev["land_mu"].astype(float).where(lambda s: s > 0)
    graded = ev["grade"].notna()

    table = pd.DataFrame(index=parcels.index)
    table["area_mu"] = area_mu(parcels)
    table["tenants"] = key.value_counts().reindex(parcels.index, fill_value=0).astype("int64")
    table["graded"] = (
        key[graded].value_counts().reindex(parcels.index, fill_value=0).astype("int64")
    )
    table["land_mu"] = weight.groupby(key).sum(min_count=1).reindex(parcels.index)
    for name in [*indicators, "score"]:
        if name not in ev.columns:
            continue
        value = ev[name].astype(float)
        w = weight.where(value.notna() & (graded if name == "score" else True))
        num = (value * w).groupby(key).sum(min_count=1)
        den = w.groupby(key).sum(min_count=1)
        table[name] = (num / den.where(den > 0)).reindex(parcels.index)
    for g in grades:
        table[f"tenants_{g}"] = (
            key[ev["grade"] == g]
            .value_counts()
            .reindex(parcels.index, fill_value=0)
            .astype("int64")
        )
    order = {g: i for i, g in enumerate(grades)}
    worst = ev["grade"].map(order).groupby(key).max()
    table["worst_grade"] = worst.map(dict(enumerate(grades))).reindex(parcels.index).astype(object)
    # the parcel's grade: the grade of the tenants holding most of its land (a tie goes
    # to the worse grade); tenants without a land figure count as holding none
    land_by_grade = (
        weight[graded]
        .fillna(0.0)
        .groupby([key[graded], ev.loc[graded, "grade"].astype(str)])
        .sum()
        .unstack()
    )
    worst_first = [g for g in reversed(grades) if g in land_by_grade.columns]
    land_by_grade = land_by_grade.reindex(columns=worst_first).fillna(0.0)
    dominant = land_by_grade.idxmax(axis=1) if len(land_by_grade) else pd.Series(dtype=object)
    table["grade"] = dominant.reindex(parcels.index).astype(object)
    table.attrs.update(
        {
            k: v
            for k, v in evaluation.attrs.items()
            if k in ("scheme", "year", "grades", "indicators")
        }
    )
    return table


def with_geometry(
    table: pd.DataFrame,
    features: gpd.GeoDataFrame,
    *,
    keep: tuple[str, ...] = ("name", "zone", "land_use", "stage"),
) -> gpd.GeoDataFrame:
    """A per-enterprise or per-parcel table as a map layer: the features' geometry joined.

    Parameters
    ----------
    table : DataFrame
        :func:`evaluate`'s result (indexed by ``enterprise_id``) or :func:`by_parcel`'s
        (indexed by ``parcel_id``).
    features : GeoDataFrame
        The layer ``table`` is indexed like: the enterprises or the parcels.
    keep : tuple of str, default ("name", "zone", "land_use", "stage")
        Columns of ``features`` carried over where present and not already in ``table``.

    Returns
    -------
    GeoDataFrame
        ``table``'s rows and columns, then the kept columns, then the geometry, in
        ``features``' CRS. A row of ``table`` with no feature has no geometry.

    Examples
    --------
    >>> import landasset as la
    >>> from landasset import efficiency as eff
    >>> site = la.sample.load("yunqi")
    >>> graded = eff.evaluate(site.enterprises, site.parcels, year=2025,
    ...                       buildings=site.buildings)
    >>> layer = eff.with_geometry(eff.by_parcel(graded, site.parcels), site.parcels)
    >>> len(layer) == len(site.parcels), layer.crs == site.parcels.crs, "zone" in layer
    (True, True, True)
    """
    geometry = features.geometry.name
    carried = [c for c in keep if c in features.columns and c not in table.columns]
    return gpd.GeoDataFrame(
        table.join(features[[*carried, geometry]]), geometry=geometry, crs=features.crs
    )


# -- scoring ----------------------------------------------------------------------------


def _points(
    ind: Indicator,
    value: np.ndarray,
    gradable: np.ndarray,
    full: np.ndarray | None,
    group: np.ndarray,
) -> np.ndarray:
    if ind.benchmark == "percentile":
        ranked = pd.Series(np.where(gradable, value, np.nan))
        pct = (
            ranked.groupby(group).rank(method="average", pct=True)
            if _grouped(group)
            else ranked.rank(method="average", pct=True)
        )
        pts = pct.to_numpy(dtype=float) * ind.weight
        full_value = ind.weight
    else:
        ratio = value / float(ind.benchmark)
        if ind.cap is not None:
            ratio = np.minimum(ratio, ind.cap)
        pts = ratio * ind.weight
        full_value = (ind.cap or 1.0) * ind.weight
    if full is not None:
        pts = np.where(full, full_value, pts)
    return np.where(gradable, pts, np.nan)


def _grade(
    sch: Scheme, score: np.ndarray, ids: np.ndarray, group: np.ndarray, gradable: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rank (1 = best within group) and band index of every gradable firm."""
    n = len(score)
    rank = np.zeros(n, dtype=np.int64)
    idx = np.zeros(n, dtype=np.int64)
    rows = np.flatnonzero(gradable)
    if not len(rows):
        return rank, idx
    key = np.round(score[rows], _ROUND)
    frame = pd.DataFrame(
        {
            "g": group[rows].astype(str) if _grouped(group) else 0,
            "neg": -key,
            "id": ids[rows],
            "row": rows,
        }
    )
    frame = frame.sort_values(["g", "neg", "id"], kind="mergesort")
    position = frame.groupby("g", sort=False).cumcount().to_numpy()
    size = frame.groupby("g", sort=False)["row"].transform("size").to_numpy()
    ordered = frame["row"].to_numpy()
    rank[ordered] = position + 1
    bands = sch.grading.bands
    if sch.grading.by == "percentile":
        ends = np.array([b.to_percent for b in bands[:-1]], dtype=float)
        cuts = np.floor(size[:, None] * ends[None, :] / 100.0 + 0.5)
        idx[ordered] = (position[:, None] >= cuts).sum(axis=1)
    else:
        mins = np.array([b.min_score for b in bands[:-1]], dtype=float)
        idx[rows] = (key[:, None] < mins[None, :]).sum(axis=1)
    return rank, idx


# -- small helpers -------------------------------------------------------------------------


def _scope(
    sch: Scheme, ent: pd.DataFrame, parcel_id: pd.Series, parcels: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each firm is in the scheme's scope, and why not ("" when it is)."""
    scope = sch.scope
    n = len(ent)
    reasons: list[np.ndarray] = []
    head = f"out of scope of {sch.name!r} ({scope.describe()}): "
    if scope.industry_codes:
        if "industry_code" in ent.columns:
            code = two_digit(ent["industry_code"])
            wanted = code.isin(scope.codes()).to_numpy(dtype=bool)
            missing = code.isna().to_numpy(dtype=bool)
            text = code.fillna("").astype(str).to_numpy(dtype=object)
            reasons.append(
                np.where(
                    missing,
                    "no industry_code",
                    np.where(wanted, "", "industry " + text),
                )
            )
        else:
            reasons.append(np.full(n, "no industry_code column", dtype=object))
    if scope.land_uses:
        if "land_use" in parcels.columns:
            lookup = pd.Series(
                parcels["land_use"].to_numpy(dtype=object), index=parcels.index.astype(str)
            )
            use = pd.Series(parcel_id.to_numpy(dtype=object), dtype=object).map(lookup)
            family = land_use_family(use).astype(object)
            listed = set(scope.land_uses)
            fits = use.isin(listed).to_numpy(dtype=bool) | family.isin(listed).to_numpy(dtype=bool)
            unknown = use.isna().to_numpy(dtype=bool)
            text = use.fillna("").astype(str).to_numpy(dtype=object)
            reasons.append(
                np.where(
                    unknown,
                    "no land use (no parcel, or the parcel has no land_use)",
                    np.where(fits, "", "land use " + text),
                )
            )
        else:
            reasons.append(np.full(n, "the parcels have no land_use column", dtype=object))
    if scope.size != "any":
        above = np.full(n, np.nan)
        if "above_scale" in ent.columns:
            # True/False, 1/0 (a missing or unreadable value: size from revenue)
            flag = pd.Series(ent["above_scale"].to_numpy(dtype=object), dtype=object)
            number = pd.to_numeric(flag, errors="coerce").astype(float).to_numpy()
            above = np.where(np.isin(number, (0.0, 1.0)), number, np.nan)
        threshold = scope.above_scale_revenue_10k_cny
        if threshold is not None and "revenue_10k_cny" in ent.columns:
            revenue = pd.to_numeric(ent["revenue_10k_cny"], errors="coerce").to_numpy(
                dtype=float, na_value=np.nan
            )
            by_revenue = np.where(np.isnan(revenue), np.nan, (revenue >= threshold).astype(float))
            above = np.where(np.isnan(above), by_revenue, above)
        how = "above_scale value" + (" or revenue_10k_cny" if threshold is not None else "")
        wrong = "small firm" if scope.size == "above_scale" else "above-scale firm"
        fits = above == 1.0 if scope.size == "above_scale" else above == 0.0
        reasons.append(
            np.where(
                np.isnan(above),
                f"size unknown (no {how})",
                np.where(fits, "", wrong),
            )
        )
    if not reasons:
        return np.ones(n, dtype=bool), np.full(n, "", dtype=object)
    joined = join_texts(reasons)
    out = np.where(joined == "", "", head + joined.astype(object))
    return out == "", out.astype(object)


def _resolve_scheme(scheme: str | Scheme) -> Scheme:
    if isinstance(scheme, Scheme):
        return scheme
    if isinstance(scheme, str):
        return load_scheme(scheme)
    raise LandassetTypeError(
        f"scheme must be a bundled scheme name or a Scheme, not {type(scheme).__name__}"
    )


def _source_columns(sch: Scheme) -> list[str]:
    cols: list[str] = []
    for ind in sch.indicators:
        cols += [ind.numerator, ind.denominator]
    return list(dict.fromkeys(cols))


def _flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    values = frame[column]
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.fillna(False).to_numpy(dtype=bool)
    numeric = pd.to_numeric(values, errors="coerce")
    return (numeric.fillna(0) != 0).to_numpy(dtype=bool)


def _text(values: np.ndarray, index: pd.Index) -> pd.Series:
    """An object Series of strings with NaN (not None) where missing, in pandas 2 and 3."""
    out = pd.Series(values, index=index, dtype=object)
    return out.where(out.notna(), np.nan)


def _grouped(group: np.ndarray) -> bool:
    return group.dtype == object


def _name_list(prefix: str, masks: dict[str, np.ndarray], n: int) -> np.ndarray:
    """``prefix + "a, b"`` naming the columns whose mask is true, per row ("" if none)."""
    names = np.full(n, "", dtype=object)
    for col, mask in masks.items():
        names = np.where(mask, np.where(names == "", col, names + ", " + col), names)
    return np.where(names == "", "", prefix + names)
