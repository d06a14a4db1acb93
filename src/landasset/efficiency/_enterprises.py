"""Enterprises and their land: the parcel and land area of each enterprise.

Shared by :func:`~landasset.efficiency.evaluate` (which grades per mu of land) and the
land-control, tenant and industry-mix tables of :mod:`landasset.efficiency.land`; the
rules for finding an enterprise's parcel and land area are documented in
:mod:`landasset.efficiency.grading`.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landasset._buildings import building_floor_area
from landasset.measures import area_mu, assign_buildings

__all__ = [
    "as_enterprises",
    "building_parcels",
    "enterprise_land",
    "join_texts",
    "text_column",
    "two_digit",
]


# -- land of an enterprise --------------------------------------------------------------------------------


def enterprise_land(
    ent: pd.DataFrame, parcels: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame | None
) -> pd.DataFrame:
    """parcel_id, land_mu, land_mu_source and (when missing) a note, per enterprise."""
    n = len(ent)
    parcel_area = area_mu(parcels)
    parcel_ids = parcels.index.astype(str)
    parcel_area.index = parcel_ids

    parcel = text_column(ent, "parcel_id")
    building_parcel = pd.Series(None, index=ent.index, dtype=object)
    floor = np.full(n, np.nan)
    if buildings is not None and len(buildings) and "building_id" in ent.columns:
        b_parcel = building_parcels(buildings, parcels)
        b_gfa = building_floor_area(buildings)
        b_gfa.index = b_parcel.index
        bid = text_column(ent, "building_id")
        building_parcel = bid.map(b_parcel).astype(object)
        tenants_in_building = bid.map(bid.value_counts())
        floor = (bid.map(b_gfa) / tenants_in_building).to_numpy(dtype=float, na_value=np.nan)
        if "floor_area_m2" in ent.columns:
            own = pd.to_numeric(ent["floor_area_m2"], errors="coerce").to_numpy(
                dtype=float, na_value=np.nan
            )
            floor = np.where(np.isnan(own), floor, own)
        parcel_gfa = b_gfa.groupby(b_parcel).sum(min_count=1)
    else:
        parcel_gfa = pd.Series(dtype=float)
    parcel = parcel.where(parcel.notna(), building_parcel)
    missing = parcel.isna().to_numpy()
    if missing.any() and isinstance(ent, gpd.GeoDataFrame) and ent.geometry.name in ent.columns:
        parcel[missing] = _containing_parcel(ent.geometry.to_numpy()[missing], parcels)

    known = parcel.isin(parcel_ids).to_numpy()
    area = parcel.map(parcel_area).to_numpy(dtype=float, na_value=np.nan)

    given = np.full(n, np.nan)
    if "land_mu" in ent.columns:
        given = pd.to_numeric(ent["land_mu"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
    share_parcel = building_parcel.where(building_parcel.notna(), parcel)
    share_area = share_parcel.map(parcel_area).to_numpy(dtype=float, na_value=np.nan)
    share_gfa = share_parcel.map(parcel_gfa).to_numpy(dtype=float, na_value=np.nan)
    share_ok = ~np.isnan(floor) & ~np.isnan(share_area) & (share_gfa > 0)
    share = np.divide(share_area * floor, share_gfa, out=np.full(n, np.nan), where=share_ok)
    tenants = parcel.map(parcel.value_counts()).to_numpy(dtype=float, na_value=np.nan)
    sole = known & (tenants == 1)

    has_given = ~np.isnan(given)
    land = np.where(has_given, given, np.where(share_ok, share, np.where(sole, area, np.nan)))
    source = np.where(
        has_given,
        "column",
        np.where(share_ok, "floor_area_share", np.where(sole, "sole_tenant", np.full(n, None))),
    )
    tenants_text = pd.Series(tenants).fillna(0).astype("int64").astype(str).to_numpy(dtype=object)
    parcel_text = parcel.fillna("").astype(str).to_numpy(dtype=object)
    note = np.select(
        [parcel.isna().to_numpy(), ~known],
        [
            "no land area (no land_mu, parcel_id, building or containing parcel)",
            "no land area (parcel '" + parcel_text + "' is not in the parcels layer)",
        ],
        default="no land area (parcel '"
        + parcel_text
        + "' has "
        + tenants_text
        + " tenants; give land_mu, or buildings and building_id to share it by floor area)",
    )
    return pd.DataFrame(
        {
            "parcel_id": parcel.astype(object),
            "land_mu": land,
            "land_mu_source": source,
            "land_mu_note": note,
        },
        index=ent.index,
    )


def building_parcels(buildings: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame) -> pd.Series:
    """parcel_id of each building: its own column, else the parcel of largest overlap."""
    own = text_column(buildings, "parcel_id")
    missing = own.isna().to_numpy()
    if missing.any():
        assigned = assign_buildings(buildings.iloc[np.flatnonzero(missing)], parcels)
        own[missing] = assigned.to_numpy(dtype=object)
    own.index = buildings.index.astype(str)
    return own


def _containing_parcel(points: np.ndarray, parcels: gpd.GeoDataFrame) -> np.ndarray:
    out = np.full(len(points), None, dtype=object)
    if not len(parcels) or not len(points):
        return out
    tree = shapely.STRtree(parcels.geometry.to_numpy())
    valid = ~shapely.is_missing(points) & ~shapely.is_empty(points)
    where = np.flatnonzero(valid)
    left, right = tree.query(points[valid], predicate="intersects")
    first = pd.DataFrame({"e": left, "p": right}).sort_values(["e", "p"]).drop_duplicates("e")
    out[where[first["e"].to_numpy()]] = parcels.index.astype(str).to_numpy()[first["p"].to_numpy()]
    return out


# -- small helpers -------------------------------------------------------------------------


def as_enterprises(enterprises: pd.DataFrame) -> pd.DataFrame:
    if "enterprise_id" in enterprises.columns:
        enterprises = enterprises.set_index("enterprise_id")
    out = enterprises.copy()
    out.index = pd.Index(out.index.astype(str), name="enterprise_id")
    return out


def text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(None, index=frame.index, dtype=object)
    values = frame[column]
    present = values.notna().to_numpy(dtype=bool)
    out = np.full(len(values), None, dtype=object)
    out[present] = values[present].astype(str).to_numpy(dtype=object)
    return pd.Series(out, index=frame.index, dtype=object)


def join_texts(parts: Sequence[np.ndarray], sep: str = "; ") -> np.ndarray:
    """Join per-row texts, skipping empty ones."""
    if not parts:
        return np.array([], dtype=object)
    out = np.asarray(parts[0], dtype=object)
    for part in parts[1:]:
        part = np.asarray(part, dtype=object)
        out = np.where(part == "", out, np.where(out == "", part, out + sep + part))
    return out


def two_digit(codes: pd.Series) -> pd.Series:
    """Two-digit industry codes: ``"C3411"`` → ``"34"``, ``7`` → ``"07"``, else NaN."""
    text = text_column(pd.DataFrame({"code": codes.to_numpy(dtype=object)}), "code")
    digits = text.astype(object).str.extract(r"^\s*[A-Za-z]?(\d+)", expand=False)
    two = digits.str.zfill(2).str.slice(0, 2)
    return pd.Series(two.to_numpy(dtype=object), index=codes.index, dtype=object).where(
        digits.notna().to_numpy(), np.nan
    )
