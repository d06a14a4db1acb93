"""A synthetic district of any size, for benchmarks and tests.

Not imported by ``import landasset``: it loads on the first use of
:func:`landasset.sample.synthetic_city`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from landasset._errors import LandassetTypeError, LandassetValueError
from landasset._samplegen._common import (
    FloatArray,
    IntArray,
    as_index,
    dates,
    ellipse,
    numbered,
    projected_centre,
)
from landasset.sample import SAMPLE_CRS
from landasset.site import Site
from landasset.units import MU_M2

__all__ = ["synthetic_city", "write_synthetic_city"]


def synthetic_city(n_parcels: int, *, seed: int = 0) -> Site:
    """A synthetic district of ``n_parcels`` parcels, for benchmarks and tests.

    A jittered street grid around Hangzhou (EPSG:4549) with gaps: about 5 % of the
    street edges are missing and a few small "islands" of streets are cut off from the
    rest, so the network has several connected components. Blocks are divided into
    two rows of lots, 5–60 mu each. Everything is vectorised: one million parcels
    (with ~150,000 street edges, 500 stations, 500,000 amenities and 300,000
    enterprises) build in seconds.

    Parameters
    ----------
    n_parcels : int
        Exact number of parcels (ids ``P0000001`` ...), at least 1.
    seed : int, default 0
        Seed of the random generator; the same seed gives the same city.

    Returns
    -------
    Site
        Parcels (``land_use``, ``far_min``, ``far_max``), streets (split at
        intersections, ``walkable``), axes, transit lines and stations (some planned,
        with a future ``opening_date``), amenities (~0.5 per parcel, by ``category``),
        enterprises (~0.3 per parcel, with industry and yearly figures) and a few
        constraint areas.

    Raises
    ------
    TypeError
        ``n_parcels`` is not an integer.
    ValueError
        ``n_parcels`` is less than 1.

    Examples
    --------
    >>> city = synthetic_city(1000, seed=1)
    >>> len(city.parcels), city.parcels.index[0], city.crs.to_epsg()
    (1000, 'P0000001', 4549)
    >>> bool(city.parcels.geometry.is_valid.all())
    True
    >>> 100 <= len(city.streets) <= 220, len(city.amenities), len(city.enterprises)
    (True, 500, 300)
    """
    if isinstance(n_parcels, bool) or not isinstance(n_parcels, (int, np.integer)):
        raise LandassetTypeError(f"n_parcels must be a positive integer, not {n_parcels!r}")
    if n_parcels < 1:
        raise LandassetValueError(f"n_parcels must be at least 1, not {n_parcels}")
    layers = _synthetic_layers(int(n_parcels), np.random.default_rng(seed))
    return Site(**layers)


#: The layers of a written city's context (every layer but the parcels), one folder each.
CONTEXT_LAYERS: Final = (
    "axes",
    "streets",
    "transit_lines",
    "stations",
    "amenities",
    "constraints",
    "enterprises",
)


def write_synthetic_city(
    path: str | os.PathLike[str],
    n_parcels: int,
    *,
    tile_parcels: int = 50_000,
    seed: int = 0,
) -> list[Path]:
    """Write a synthetic city of ``n_parcels`` parcels tile by tile, never whole.

    The city is a square grid of tiles, each a district as :func:`synthetic_city`
    builds one (its own street grid, stations, axes, amenities, enterprises and
    constraints) of ``tile_parcels`` parcels (the last tile holds the rest), drawn
    from the seed ``(seed, tile)`` alone and moved to its place on the grid: any tile
    can be built by itself and is the same, whatever the size of the city. Tiles are
    two kilometres apart, so their street networks do not meet. One tile is built,
    written and dropped at a time, so the memory held is one tile's, not the city's.

    Written under ``path``: ``parts/part.00000.parquet`` ... (the parcels of one tile
    per file, GeoParquet 1.1 with a ``bbox`` covering column: the partitions
    :func:`landasset.scale.score` reads) and ``context/<layer>/part.00000.parquet``
    ... for each other layer (read a layer back with ``geopandas.read_parquet`` on
    its folder). Parcel ids run over the city (``P0000001`` ...); the ids of the
    other layers start with their tile (``T00000.S000001``).

    Parameters
    ----------
    path : str or os.PathLike
        The folder to write (created if missing; files of the same names replaced).
    n_parcels : int
        Exact number of parcels, at least 1.
    tile_parcels : int, default 50,000
        Parcels per tile, and so per partition file, at least 1.
    seed : int, default 0
        Seed of the city; the same seed gives the same files, byte for byte.

    Returns
    -------
    list of Path
        The parcel partition files, in order.

    Raises
    ------
    TypeError
        ``n_parcels`` or ``tile_parcels`` is not an integer.
    ValueError
        ``n_parcels`` or ``tile_parcels`` is less than 1.

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> folder = tempfile.mkdtemp()
    >>> files = write_synthetic_city(folder, 2500, tile_parcels=1000, seed=1)
    >>> [f.name for f in files]
    ['part.00000.parquet', 'part.00001.parquet', 'part.00002.parquet']
    >>> last = gpd.read_parquet(files[-1])
    >>> len(last), last.index[0]
    (500, 'P0002001')
    >>> len(gpd.read_parquet(f"{folder}/context/amenities"))
    1250
    """
    n = _positive("n_parcels", n_parcels)
    size = _positive("tile_parcels", tile_parcels)
    out = Path(path)
    n_tiles = -(-n // size)
    written = []
    for tile in range(n_tiles):
        layers = _tile_layers(n, tile, tile_parcels=size, seed=seed)
        written.append(_write_part(layers.pop("parcels"), out / "parts", tile))
        for name, frame in layers.items():
            _write_part(frame, out / "context" / name, tile)
        del layers
    return written


def _positive(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise LandassetTypeError(f"{name} must be a positive integer, not {value!r}")
    if value < 1:
        raise LandassetValueError(f"{name} must be at least 1, not {value}")
    return int(value)


def _write_part(frame: gpd.GeoDataFrame, folder: Path, i: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part.{i:05d}.parquet"
    tmp = folder / f".part.{i:05d}.parquet.tmp"
    frame.to_parquet(tmp, write_covering_bbox=True, schema_version="1.1.0")
    os.replace(tmp, path)
    return path


def _tile_layers(
    n_parcels: int, tile: int, *, tile_parcels: int, seed: int
) -> dict[str, gpd.GeoDataFrame]:
    """The layers of one tile of :func:`write_synthetic_city`'s city, built alone."""
    n_tiles = -(-n_parcels // tile_parcels)
    first = tile * tile_parcels
    n = min(tile_parcels, n_parcels - first)
    layers = _synthetic_layers(n, np.random.default_rng([seed, tile]))
    # the pitch of the grid: the largest extent a tile of tile_parcels can take
    ncols = max(3, int(np.ceil(np.sqrt(tile_parcels / 13.0 * 0.75))))
    nrows = max(2, int(np.ceil(tile_parcels / (8 * ncols))) + 1)
    pitch_x, pitch_y = ncols * 640.0 + 2000.0, nrows * 460.0 + 2000.0
    side = int(np.ceil(np.sqrt(n_tiles)))
    row, col = divmod(tile, side)
    shift = np.array([(col - (side - 1) / 2) * pitch_x, (row - (side - 1) / 2) * pitch_y])
    width = max(7, len(str(n_parcels)))
    local = layers["parcels"].index.str[1:].astype(np.int64).to_numpy()
    parcel_ids = _parcel_ids(local + first, width)
    prefix = f"T{tile:05d}."
    for name, frame in layers.items():
        moved = shapely.transform(frame.geometry.to_numpy(), lambda xy: (xy + shift).round(2))
        frame.geometry = gpd.GeoSeries(moved, index=frame.index, crs=frame.crs)
        if name == "parcels":
            frame.index = as_index(parcel_ids, frame.index.name)
        else:
            frame.index = as_index(
                np.char.add(prefix, frame.index.to_numpy(dtype=str)), frame.index.name
            )
    stations = layers["stations"]
    stations["line_id"] = np.char.add(prefix, stations["line_id"].to_numpy(dtype=str)).astype(
        object
    )
    enterprises = layers["enterprises"]
    number = enterprises["parcel_id"].str[1:].astype(np.int64).to_numpy() + first
    enterprises["parcel_id"] = _parcel_ids(number, width).astype(object)
    return layers


def _parcel_ids(numbers: IntArray, width: int) -> npt.NDArray[np.str_]:
    ids: npt.NDArray[np.str_] = np.char.add("P", np.char.zfill(numbers.astype(f"U{width}"), width))
    return ids


_SYN_LONLAT: Final = (120.16, 30.28)
_SYN_HALF_ROAD: Final = 12.0
_SYN_LAND_USE: Final = (
    ("M1", 0.2), ("M0", 0.12), ("100101", 0.12), ("M2", 0.08), ("1001", 0.05),
    ("B1", 0.06), ("B2", 0.05), ("0902", 0.04), ("R2", 0.1), ("0701", 0.04),
    ("G1", 0.04), ("14", 0.02), ("A3", 0.03), ("S4", 0.01), ("W1", 0.04),
)  # fmt: skip
_SYN_FAR: Final = {
    "M1": (1.2, 2.5), "M0": (2.0, 3.5), "100101": (1.2, 2.5), "M2": (1.0, 2.0),
    "1001": (1.2, 2.5), "B1": (np.nan, 4.0), "B2": (np.nan, 5.0), "0902": (np.nan, 4.5),
    "R2": (np.nan, 2.5), "0701": (np.nan, 2.2), "G1": (np.nan, 0.1), "14": (np.nan, 0.1),
    "A3": (np.nan, 1.5), "S4": (np.nan, 1.0), "W1": (0.8, 1.5),
}  # fmt: skip
_SYN_AMENITY: Final = (
    ("cafe", 0.25), ("convenience_store", 0.3), ("gym", 0.1), ("canteen", 0.25),
    ("park_entrance", 0.09), ("talent_service_center", 0.01),
)  # fmt: skip
_SYN_INDUSTRY: Final = (
    ("aerospace_information", 0.15), ("artificial_intelligence", 0.3),
    ("smart_manufacturing", 0.3), ("life_health", 0.15), ("other", 0.1),
)  # fmt: skip


def _bilinear(corners: FloatArray, u: FloatArray, v: FloatArray) -> FloatArray:
    """Points at (u, v) in quads with corners (SW, SE, NE, NW): shape (n, 4, 2)."""
    u = u[:, None]
    v = v[:, None]
    out: FloatArray = (
        (1 - u) * (1 - v) * corners[:, 0]
        + u * (1 - v) * corners[:, 1]
        + u * v * corners[:, 2]
        + (1 - u) * v * corners[:, 3]
    )
    return out


def _synthetic_layers(n: int, rng: np.random.Generator) -> dict[str, gpd.GeoDataFrame]:
    cx, cy = projected_centre(_SYN_LONLAT)
    # -- grid: enough cells that even 8-lot blocks would hold n parcels ---------------
    blocks_est = n / 13.0
    ncols = max(3, int(np.ceil(np.sqrt(blocks_est * 0.75))))
    nrows_max = int(np.ceil(n / (8 * ncols))) + 1
    m = rng.integers(4, 10, size=ncols * nrows_max)  # lot columns per block (2 rows)
    filled = np.cumsum(2 * m)
    k_cells = int(np.searchsorted(filled, n)) + 1  # cells holding parcels (row-major)
    nrows = max(2, int(np.ceil(k_cells / ncols)))
    col_w = rng.uniform(400.0, 640.0, ncols)
    row_h = rng.uniform(300.0, 460.0, nrows)
    xs = np.concatenate([[0.0], np.cumsum(col_w)])
    ys = np.concatenate([[0.0], np.cumsum(row_h)])
    x0, y0 = cx - xs[-1] / 2, cy - ys[-1] / 2
    node_x = x0 + xs[None, :] + rng.uniform(-25.0, 25.0, (nrows + 1, ncols + 1))
    node_y = y0 + ys[:, None] + rng.uniform(-25.0, 25.0, (nrows + 1, ncols + 1))
    nodes = np.column_stack([node_x.ravel(), node_y.ravel()])  # node j*(ncols+1)+i

    def node(i: IntArray, j: IntArray) -> IntArray:
        return j * (ncols + 1) + i

    # -- parcels ------------------------------------------------------------------------
    cell = np.arange(k_cells)
    ci, cj = cell % ncols, cell // ncols
    corners = nodes[
        np.stack([node(ci, cj), node(ci + 1, cj), node(ci + 1, cj + 1), node(ci, cj + 1)], axis=1)
    ]
    width = (
        np.hypot(*(corners[:, 1] - corners[:, 0]).T) + np.hypot(*(corners[:, 2] - corners[:, 3]).T)
    ) / 2
    height = (
        np.hypot(*(corners[:, 3] - corners[:, 0]).T) + np.hypot(*(corners[:, 2] - corners[:, 1]).T)
    ) / 2
    du, dv = _SYN_HALF_ROAD / width, _SYN_HALF_ROAD / height
    split_jitter = rng.uniform(-0.22, 0.22, size=(k_cells, 10))
    v_mid = 0.5 + rng.uniform(-0.1, 0.1, size=k_cells)
    mk = m[:k_cells]
    lots = 2 * mk
    block = np.repeat(cell, lots)[:n]
    q = (np.arange(int(lots.sum())) - np.repeat(np.cumsum(lots) - lots, lots))[:n]
    mb = mk[block]
    row, col = q // mb, q % mb
    t_left = np.where(col == 0, 0.0, (col + split_jitter[block, col]) / mb)
    t_right = np.where(
        col + 1 == mb, 1.0, (col + 1 + split_jitter[block, np.minimum(col + 1, 9)]) / mb
    )
    s_low = np.where(row == 0, 0.0, v_mid[block])
    s_high = np.where(row == 0, v_mid[block], 1.0)
    dub, dvb = du[block], dv[block]
    u0, u1 = dub + (1 - 2 * dub) * t_left, dub + (1 - 2 * dub) * t_right
    v0, v1 = dvb + (1 - 2 * dvb) * s_low, dvb + (1 - 2 * dvb) * s_high
    quad = corners[block]
    ring = np.stack(
        [
            _bilinear(quad, u0, v0),
            _bilinear(quad, u1, v0),
            _bilinear(quad, u1, v1),
            _bilinear(quad, u0, v1),
            _bilinear(quad, u0, v0),
        ],
        axis=1,
    )
    parcel_geoms = shapely.polygons(np.round(ring, 2))
    del ring

    codes = np.array([c for c, _ in _SYN_LAND_USE], dtype=object)
    probs = np.array([p for _, p in _SYN_LAND_USE])
    probs = probs / probs.sum()
    block_code = rng.choice(len(codes), size=k_cells, p=probs)
    own_code = rng.choice(len(codes), size=n, p=probs)
    code_idx = np.where(rng.uniform(size=n) < 0.8, block_code[block], own_code)
    far_min_t = np.array([_SYN_FAR[c][0] for c in codes])
    far_max_t = np.array([_SYN_FAR[c][1] for c in codes])
    far_scale = rng.choice(np.array([0.8, 1.0, 1.2]), size=n)
    parcel_ids = numbered("P", n, max(7, len(str(n))))
    parcels = gpd.GeoDataFrame(
        {
            "land_use": codes[code_idx],
            "far_min": far_min_t[code_idx],
            "far_max": np.round(far_max_t[code_idx] * far_scale, 1),
        },
        geometry=parcel_geoms,
        index=as_index(parcel_ids, "parcel_id"),
        crs=SAMPLE_CRS,
    )

    # -- streets: grid edges with gaps and a few cut-off islands ------------------------
    hi, hj = np.meshgrid(np.arange(ncols), np.arange(nrows + 1))
    vi, vj = np.meshgrid(np.arange(ncols + 1), np.arange(nrows))
    a = np.concatenate([node(hi.ravel(), hj.ravel()), node(vi.ravel(), vj.ravel())])
    b = np.concatenate([node(hi.ravel() + 1, hj.ravel()), node(vi.ravel(), vj.ravel() + 1)])
    group = np.full(len(nodes), -1)
    n_islands = 1 + k_cells // 3000
    for k in range(n_islands):  # a handful of islands, not per parcel
        w_, h_ = rng.integers(3, 5, size=2)
        i0 = rng.integers(1, max(2, ncols - w_))
        j0 = rng.integers(1, max(2, nrows - h_))
        ii, jj = np.meshgrid(
            np.arange(i0, min(i0 + w_, ncols + 1)), np.arange(j0, min(j0 + h_, nrows + 1))
        )
        group[node(ii.ravel(), jj.ravel())] = k
    keep = (group[a] == group[b]) & (rng.uniform(size=len(a)) >= 0.05)
    a, b = a[keep], b[keep]
    street_geoms = shapely.linestrings(np.stack([nodes[a], nodes[b]], axis=1).round(2))
    n_streets = len(a)
    streets = gpd.GeoDataFrame(
        {"walkable": rng.uniform(size=n_streets) >= 0.015},
        geometry=street_geoms,
        index=as_index(numbered("S", n_streets, max(6, len(str(n_streets)))), "street_id"),
        crs=SAMPLE_CRS,
    )

    # -- stations and transit lines -----------------------------------------------------
    degree = np.bincount(np.concatenate([a, b]), minlength=len(nodes))
    mainland = np.flatnonzero((degree >= 2) & (group == -1))
    if len(mainland) < 2:  # a tiny city whose gaps left one crossing or none
        mainland = np.flatnonzero((degree >= 1) & (group == -1))
    n_st = min(max(2, round(n / 2000)), len(mainland))
    st_nodes = rng.choice(mainland, size=n_st, replace=False)
    st_xy = nodes[st_nodes] + 8.0  # in the street corner
    n_lines = max(1, n_st // 12)
    line_of = rng.permutation(n_st) % n_lines
    angle = rng.uniform(0, np.pi, n_lines)
    along = st_xy[:, 0] * np.cos(angle[line_of]) + st_xy[:, 1] * np.sin(angle[line_of])
    order = np.lexsort((along, line_of))
    day = np.timedelta64(1, "D")
    planned_line = rng.uniform(size=n_lines) < 0.25
    planned_line[0] = False
    line_open = np.where(
        planned_line,
        np.datetime64("2026-06-30") + rng.integers(0, 6 * 365, n_lines) * day,
        np.datetime64("2005-01-01") + rng.integers(0, 20 * 365, n_lines) * day,
    )
    infill = (~planned_line[line_of]) & (rng.uniform(size=n_st) < 0.1)
    infill[0] = True  # at least one planned station, however small the city
    st_open = np.where(
        infill,
        np.datetime64("2026-01-01") + rng.integers(0, 5 * 365, n_st) * day,
        line_open[line_of],
    )
    line_ids = numbered("L", n_lines, 3)
    stations = gpd.GeoDataFrame(
        {"line_id": line_ids[line_of].astype(object), "opening_date": dates(st_open)},
        geometry=shapely.points(st_xy.round(2)),
        index=as_index(numbered("ST", n_st, 5), "station_id"),
        crs=SAMPLE_CRS,
    )
    transit_lines = gpd.GeoDataFrame(
        {"mode": np.full(n_lines, "metro", dtype=object), "opening_date": dates(line_open)},
        geometry=shapely.linestrings(st_xy[order].round(2), indices=line_of[order]),
        index=as_index(line_ids, "line_id"),
        crs=SAMPLE_CRS,
    )

    # -- points inside parcels ------------------------------------------------------------
    def inside(which: IntArray) -> npt.NDArray[np.object_]:
        uu = u0[which] + (u1[which] - u0[which]) * rng.uniform(0.1, 0.9, len(which))
        vv = v0[which] + (v1[which] - v0[which]) * rng.uniform(0.1, 0.9, len(which))
        pts: npt.NDArray[np.object_] = shapely.points(_bilinear(quad[which], uu, vv).round(2))
        return pts

    n_am = round(0.5 * n)
    am_parcel = rng.integers(0, n, n_am)
    cat_names = np.array([c for c, _ in _SYN_AMENITY], dtype=object)
    cat_p = np.array([p for _, p in _SYN_AMENITY])
    amenities = gpd.GeoDataFrame(
        {"category": cat_names[rng.choice(len(cat_names), size=n_am, p=cat_p / cat_p.sum())]},
        geometry=inside(am_parcel),
        index=as_index(numbered("A", n_am, max(7, len(str(n_am)))), "amenity_id"),
        crs=SAMPLE_CRS,
    )

    n_ent = round(0.3 * n)
    workplace = np.flatnonzero(
        np.isin(codes[code_idx], ["M1", "M0", "100101", "M2", "1001", "B2", "0902", "W1"])
    )
    if len(workplace) == 0:
        workplace = np.arange(n)
    ent_parcel = workplace[rng.integers(0, len(workplace), n_ent)]
    ind_names = np.array([c for c, _ in _SYN_INDUSTRY], dtype=object)
    ind_p = np.array([p for _, p in _SYN_INDUSTRY])
    ind = rng.choice(len(ind_names), size=n_ent, p=ind_p / ind_p.sum())
    other = ind == len(ind_names) - 1
    employees = np.maximum(3, np.round(rng.lognormal(np.log(60.0), 0.9, n_ent))).astype(np.int64)
    revenue = np.round(employees * rng.lognormal(np.log(120.0), 0.5, n_ent), 1)
    energy = np.round(
        revenue * np.where(other, rng.uniform(0.08, 0.3, n_ent), rng.uniform(0.005, 0.06, n_ent)), 1
    )
    parcel_mu = shapely.area(parcel_geoms[ent_parcel]) / MU_M2
    enterprises = gpd.GeoDataFrame(
        {
            "industry": ind_names[ind],
            "parcel_id": parcel_ids[ent_parcel].astype(object),
            "leading_industry": ~other,
            "high_tech": rng.uniform(size=n_ent) < np.where(other, 0.03, 0.45),
            "zjtx": rng.uniform(size=n_ent) < np.where(other, 0.01, 0.12),
            "year": np.full(n_ent, 2025),
            "employees": employees,
            "revenue_10k_cny": revenue,
            "value_added_10k_cny": np.round(revenue * rng.uniform(0.15, 0.4, n_ent), 1),
            "tax_10k_cny": np.round(revenue * rng.uniform(0.01, 0.09, n_ent), 1),
            "energy_tce": energy,
            "emissions_t": np.round(energy * rng.uniform(2.4, 2.8, n_ent), 1),
            "rnd_10k_cny": np.round(
                revenue * np.where(other, 0.01, rng.uniform(0.03, 0.15, n_ent)), 1
            ),
            "land_mu": np.where(rng.uniform(size=n_ent) < 0.1, np.round(parcel_mu, 2), np.nan),
        },
        geometry=inside(ent_parcel),
        index=as_index(numbered("E", n_ent, max(7, len(str(n_ent)))), "enterprise_id"),
        crs=SAMPLE_CRS,
    )

    # -- axes: a few long corridors along grid rows and columns ---------------------------
    n_axes = 2 + int(np.ceil(n / 250_000))
    axis_lines = []
    for k in range(n_axes):  # a few lines, not per parcel
        if k % 2 == 0:
            jrow = int(rng.integers(0, nrows + 1))
            axis_lines.append(
                shapely.linestrings(
                    nodes[node(np.arange(ncols + 1), np.full(ncols + 1, jrow))].round(2)
                )
            )
        else:
            icol = int(rng.integers(0, ncols + 1))
            axis_lines.append(
                shapely.linestrings(
                    nodes[node(np.full(nrows + 1, icol), np.arange(nrows + 1))].round(2)
                )
            )
    axes = gpd.GeoDataFrame(
        {
            "name": np.array([f"Axis {k + 1}" for k in range(n_axes)], dtype=object),
            "kind": np.array(
                ["golden_axis" if k < 2 else "corridor" for k in range(n_axes)], dtype=object
            ),
        },
        geometry=np.array(axis_lines),
        index=as_index(numbered("AX", n_axes, 2), "axis_id"),
        crs=SAMPLE_CRS,
    )

    # -- constraints: a few ellipses ---------------------------------------------------------
    n_c = 3 + n // 100_000
    kinds = np.array(["ecological_redline", "flood_zone", "permanent_farmland"], dtype=object)
    c_kind = kinds[np.arange(n_c) % 3]
    ccx = x0 + rng.uniform(0.1, 0.9, n_c) * xs[-1]
    ccy = y0 + rng.uniform(0.1, 0.9, n_c) * ys[-1]
    rings = np.stack(
        [ellipse(float(px), float(py), float(ax), float(ay)) for px, py, ax, ay in zip(
            ccx, ccy, rng.uniform(150.0, 900.0, n_c), rng.uniform(150.0, 900.0, n_c), strict=True)]
    )  # fmt: skip
    constraints = gpd.GeoDataFrame(
        {"kind": c_kind, "hard": c_kind != "flood_zone"},
        geometry=shapely.polygons(rings),
        index=as_index(numbered("C", n_c, 3), "constraint_id"),
        crs=SAMPLE_CRS,
    )
    return {
        "parcels": parcels,
        "axes": axes,
        "streets": streets,
        "transit_lines": transit_lines,
        "stations": stations,
        "amenities": amenities,
        "constraints": constraints,
        "enterprises": enterprises,
    }
