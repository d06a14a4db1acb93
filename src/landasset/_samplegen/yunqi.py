"""The illustrative Yunqi / Yungu district: the builder of ``sample_data/yunqi.gpkg``.

Not imported by ``import landasset`` nor by :func:`landasset.sample.load` when the
GeoPackage is installed: it runs when the file is rebuilt
(``python sample_data/build_yunqi.py``), when :func:`landasset.sample.build_yunqi` is
called, or when ``load`` finds no file. The story and the ids that carry it are in
``sample_data/README.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from landasset._samplegen._common import (
    FloatArray,
    ObjArray,
    as_index,
    dates,
    frame,
    numbered,
    place,
    projected_centre,
    strings,
)
from landasset.landuse import land_use_family
from landasset.units import MU_M2

__all__ = ["build_yunqi"]


def build_yunqi() -> dict[str, gpd.GeoDataFrame]:
    """Build the layers of the illustrative Yunqi / Yungu district.

    The result is the same on every run and every machine (fixed seed, coordinates
    rounded to the centimetre, no overlay operations). Geometry is illustrative, not
    surveyed; names and figures are invented for teaching (see
    ``sample_data/README.md`` for the story and the ids that carry it).

    Returns
    -------
    dict of str to GeoDataFrame
        The ten layers by kind (``parcels``, ``buildings``, ``axes``, ``streets``,
        ``transit_lines``, ``stations``, ``amenities``, ``constraints``,
        ``enterprises``, ``spaces``), each indexed by its id, in EPSG:4549 around
        120.08°E 30.13°N. Pass them to :class:`~landasset.Site` with ``Site(**layers)``.

    Examples
    --------
    >>> layers = build_yunqi()
    >>> {kind: len(gdf) for kind, gdf in layers.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'parcels': 455, 'buildings': 983, 'axes': 4, 'streets': 199, 'transit_lines': 2,
     'stations': 6, 'amenities': 539, 'enterprises': 592, 'constraints': 4, 'spaces': 933}
    >>> buildings = layers["buildings"]
    >>> centre = buildings[buildings["parcel_id"].isin(["XH120205-01", "XH120205-02"])]
    >>> len(centre), int(centre["gfa_m2"].sum())
    (7, 200000)
    """
    return _Yunqi().build()


_YUNQI_LONLAT: Final = (120.08, 30.13)
_YUNQI_SEED: Final = 20251231

# The district on a 12 × 9 grid of cells, north row first. Each letter is what a cell
# holds:
#   X  云栖 land reserve (planned industrial, 储备)    Y  云谷 developed industrial parks
#   A  航天中心 aerospace center campus                Q  云栖 developed parks and offices
#   O  老园区 old park due for renewal (腾笼换鸟)        C  commercial and business
#   H  residential                                     G  green space / parks
#   P  public facilities and transport                 L  铜鉴湖 lake (no parcels)
#   E  hills under the ecological red line (no parcels)
_MAP: Final = (
    "XXXYYYXXXEEE",
    "XXYYAYXXXXEE",
    "YYYYYYQQQQXE",
    "XYYCCQQQQQQX",
    "XXGCPQQQCCHH",
    "OOOOGGLLGQHH",
    "OOOOGLLLLGHP",
    "EOOOGLLLLGPH",
    "EEOOGGLLGHHH",
)
_COL_W: Final = (330.0, 350.0, 340.0, 360.0, 380.0, 340.0, 330.0, 360.0, 350.0, 340.0, 360.0, 330.0)
_ROW_H: Final = (320.0, 340.0, 360.0, 340.0, 330.0, 350.0, 340.0, 330.0, 320.0)
# Pairs of cells (row, col) joined into one super-block (the street between them is absent).
_MERGES: Final = (((2, 1), (2, 2)), ((2, 8), (2, 9)))

# Street names: north-south streets by x-edge (west to east), east-west ones by y-edge
# (north to south).
_NS_NAMES: Final = (
    "龙坞路", "云谷西路", "象山路", "荆大路", "云谷路", "航天路", "梵村路",
    "云栖大道", "枫桦西路", "兰里路", "美院南路", "之浦路", "五云路",
)  # fmt: skip
_EW_NAMES: Final = (
    "转塘北路", "云谷北路", "科创路", "云溪路", "山景路",
    "双流路", "铜鉴湖北路", "铜鉴湖路", "龙门坎路", "之江路",
)  # fmt: skip
_ARTERIALS: Final = frozenset({"荆大路", "山景路", "云栖大道", "转塘北路", "之江路"})
# The two south-edge segments below the old park are an expressway (not walkable).
_EXPRESSWAY: Final = ((9, 2), (9, 3))  # (y-edge, column)
_EXPRESSWAY_NAME: Final = "之江快速路"

# Lots per block (rows, columns) by cell letter; a few blocks differ.
_LAYOUT: Final = {
    "X": (2, 4), "Y": (2, 3), "A": (2, 1), "Q": (2, 3), "O": (2, 3),
    "C": (2, 2), "H": (2, 2), "G": (1, 1), "P": (1, 2),
}  # fmt: skip
_LAYOUT_OVERRIDE: Final = {"XH120101": (2, 5), "XH120302": (2, 6), "XH120309": (2, 4)}

# Stages of the reserve blocks other than ``reserved`` (the stage of the rest).
_RESERVE_PLANNED: Final = ("XH120201", "XH120109", "XH120210", "XH120311", "XH120412")
_RESERVE_ACQUIRING: Final = ("XH120202", "XH120108", "XH120208", "XH120209", "XH120501")
_RESERVE_SUPPLY_READY: Final = ("XH120207",)

_ZONE: Final = {
    "X": "云栖", "Y": "云谷", "A": "云栖", "Q": "云栖", "O": "老园区",
    "C": "转塘", "H": "转塘", "P": "转塘", "G": "转塘",
}  # fmt: skip

# Land-use codes drawn per cell letter (code, probability): both coding styles.
_LAND_USE: Final = {
    "X": (("M0", 0.35), ("M1", 0.25), ("100101", 0.25), ("1001", 0.15)),
    "Y": (("M0", 0.4), ("M1", 0.25), ("100101", 0.2), ("B2", 0.08), ("0902", 0.07)),
    "Q": (("M0", 0.3), ("0902", 0.2), ("B2", 0.2), ("100101", 0.1), ("A35", 0.1), ("B1", 0.1)),
    "O": (("M2", 0.35), ("M1", 0.25), ("100102", 0.25), ("1001", 0.15)),
    "C": (("B1", 0.3), ("B2", 0.3), ("0902", 0.25), ("0901", 0.15)),
    "H": (("R2", 0.6), ("0701", 0.4)),
    "G": (("G1", 0.5), ("14", 0.3), ("1401", 0.2)),
    "P": (("A3", 0.3), ("0804", 0.2), ("U", 0.2), ("A5", 0.15), ("S", 0.15)),
    "A": (("M0", 1.0),),
}

# Planning conditions by land-use code: (far_min, far_max choices, height_max choices,
# coverage_min, green_max); None where the code carries no such condition.
_INDUSTRIAL_M0 = (2.0, (3.0, 3.5, 4.0), (60.0, 80.0, 100.0), 0.30, 0.15)
_INDUSTRIAL_1 = (1.2, (2.0, 2.5, 3.0), (40.0, 50.0, 60.0), 0.35, 0.20)
_INDUSTRIAL_2 = (1.0, (1.5, 2.0), (24.0, 30.0), 0.40, 0.15)
_CONDITIONS: Final[
    dict[str, tuple[float | None, tuple[float, ...], tuple[float, ...], float | None, float | None]]
] = {
    "M0": _INDUSTRIAL_M0,
    "M1": _INDUSTRIAL_1,
    "100101": _INDUSTRIAL_1,
    "1001": _INDUSTRIAL_1,
    "M2": _INDUSTRIAL_2,
    "100102": _INDUSTRIAL_2,
    "B1": (None, (3.0, 3.5, 4.0), (60.0, 80.0), None, None),
    "B2": (None, (3.5, 4.0, 5.0), (80.0, 100.0), None, None),
    "0901": (None, (3.0, 3.5), (60.0, 80.0), None, None),
    "0902": (None, (3.5, 4.0, 5.0), (80.0, 100.0), None, None),
    "A35": (None, (2.0, 2.5), (40.0, 50.0), None, None),
    "R2": (None, (2.2, 2.5, 2.8), (54.0, 60.0, 80.0), None, None),
    "0701": (None, (2.2, 2.5), (54.0, 60.0), None, None),
    "G1": (None, (0.1,), (12.0,), None, None),
    "14": (None, (0.1,), (12.0,), None, None),
    "1401": (None, (0.1,), (12.0,), None, None),
    "A3": (None, (1.5, 2.0), (24.0, 40.0), None, None),
    "0804": (None, (1.2, 1.5), (24.0,), None, None),
    "U": (None, (1.0,), (24.0,), None, None),
    "A5": (None, (2.0, 2.5), (50.0,), None, None),
    "S": (None, (0.5, 1.0), (15.0,), None, None),
    "S3": (None, (2.0,), (40.0,), None, None),
}

# Industries of the enterprises; national economic classification codes (2 digits).
_INDUSTRY_CODES: Final = {
    "aerospace_information": (("37", 0.35), ("39", 0.35), ("65", 0.3)),
    "artificial_intelligence": (("65", 0.6), ("64", 0.2), ("39", 0.2)),
    "smart_manufacturing": (("34", 0.35), ("35", 0.25), ("38", 0.2), ("40", 0.2)),
    "life_health": (("27", 0.5), ("35", 0.3), ("73", 0.2)),
    "other": (("17", 0.25), ("29", 0.25), ("33", 0.25), ("30", 0.1), ("51", 0.15)),
}
_INDUSTRIES: Final = tuple(_INDUSTRY_CODES)
_INDUSTRY_WORDS: Final = {
    "aerospace_information": (
        "航天科技",
        "卫星应用",
        "遥感信息",
        "空天技术",
        "卫星科技",
        "导航技术",
        "测控技术",
        "宇航科技",
    ),
    "artificial_intelligence": ("智能科技", "人工智能", "数据科技", "智算科技"),
    "smart_manufacturing": ("智能装备", "精密机械", "自动化", "机器人"),
    "life_health": ("生物医药", "医疗器械", "健康科技", "基因科技"),
    "other": ("纺织", "塑料制品", "五金制品", "建材", "商贸"),
}
_NAME_WORDS: Final = (
    "云栖", "云谷", "星图", "天枢", "北辰", "鲲鹏", "智元", "灵犀", "青禾", "远望",
    "星河", "致远", "数澜", "启明", "望舒", "羲和", "天穹", "凌云", "博雅", "恒泰",
    "瑞丰", "华越", "金石", "明达", "之江", "钱塘", "西溪", "龙坞", "梵村", "五云",
    "若水", "岚山", "栖霞", "长风", "九章", "观澜", "墨子", "玄武", "朱雀", "白鹭",
)  # fmt: skip

_AMENITY_ZH: Final = {
    "cafe": "咖啡",
    "convenience_store": "便利店",
    "gym": "健身房",
    "canteen": "食堂",
    "park_entrance": "公园入口",
    "talent_service_center": "人才服务中心",
}


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], size: int) -> ObjArray:
    codes = np.array([c for c, _ in table], dtype=object)
    p = np.array([w for _, w in table])
    out: ObjArray = codes[rng.choice(len(codes), size=size, p=p / p.sum())]
    return out


class _Yunqi:
    """Builds the Yunqi layers step by step; all geometry first in local metres."""

    def __init__(self) -> None:
        self.rng = np.random.default_rng(_YUNQI_SEED)
        self.cx, self.cy = projected_centre(_YUNQI_LONLAT)
        self.cells = np.array([list(row) for row in _MAP])
        self.nrows, self.ncols = self.cells.shape
        total_w, total_h = sum(_COL_W), sum(_ROW_H)
        self.xe = np.concatenate([[0.0], np.cumsum(_COL_W)]) - total_w / 2
        self.ye = total_h / 2 - np.concatenate([[0.0], np.cumsum(_ROW_H)])

    # -- grid helpers -------------------------------------------------------------------
    def gx(self, col: npt.ArrayLike) -> FloatArray:
        """x in metres of a fractional column-edge index."""
        x: FloatArray = np.interp(np.asarray(col, dtype=float), np.arange(self.ncols + 1), self.xe)
        return x.round(2)

    def gy(self, row: npt.ArrayLike) -> FloatArray:
        """y in metres of a fractional row-edge index (0 = north edge)."""
        y: FloatArray = np.interp(np.asarray(row, dtype=float), np.arange(self.nrows + 1), self.ye)
        return y.round(2)

    def gxy(self, points: Sequence[tuple[float, float]]) -> FloatArray:
        pts = np.asarray(points, dtype=float)
        return np.column_stack([self.gx(pts[:, 0]), self.gy(pts[:, 1])])

    def place(self, geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
        return place(geoms, self.cx, self.cy)

    # -- build --------------------------------------------------------------------------
    def build(self) -> dict[str, gpd.GeoDataFrame]:
        self._streets()
        self._blocks()
        self._parcels()
        self._lifecycle()
        self._buildings()
        self._enterprises()
        self._transit()
        self._axes()
        self._constraints()
        self._amenities()
        layers = {
            "parcels": self.parcels,
            "buildings": self.buildings,
            "axes": self.axes,
            "streets": self.streets,
            "transit_lines": self.transit_lines,
            "stations": self.stations,
            "amenities": self.amenities,
            "enterprises": self.enterprises,
            "constraints": self.constraints,
        }
        from landasset._samplegen.spaces import build_spaces  # its own seed: nothing else moves

        layers["spaces"] = build_spaces(self.buildings, self.parcels)
        # the geometry column last, as GIS software shows it
        return {
            kind: gdf[[*(c for c in gdf.columns if c != "geometry"), "geometry"]]
            for kind, gdf in layers.items()
        }

    # -- streets ------------------------------------------------------------------------
    def _streets(self) -> None:
        nr, nc = self.nrows, self.ncols
        open_land = np.isin(self.cells, ["L", "E"])
        label = np.arange(nr * nc).reshape(nr, nc)
        for (r1, c1), (r2, c2) in _MERGES:
            label[r2, c2] = label[r1, c1]
        self.label = label
        pad_open = np.pad(open_land, 1, constant_values=True)
        pad_label = np.pad(label, 1, constant_values=-1)
        # vertical segment on x-edge i between y-edges r and r+1: cells (r, i-1), (r, i)
        r, i = np.meshgrid(np.arange(nr), np.arange(nc + 1), indexing="ij")
        v_exists = ~(pad_open[r + 1, i] & pad_open[r + 1, i + 1]) & (
            pad_label[r + 1, i] != pad_label[r + 1, i + 1]
        )
        # horizontal segment on y-edge j between x-edges c and c+1: cells (j-1, c), (j, c)
        j, c = np.meshgrid(np.arange(nr + 1), np.arange(nc), indexing="ij")
        h_exists = ~(pad_open[j, c + 1] & pad_open[j + 1, c + 1]) & (
            pad_label[j, c + 1] != pad_label[j + 1, c + 1]
        )
        self.v_exists, self.h_exists = v_exists, h_exists

        ns_half = np.array([20.0 if n in _ARTERIALS else 12.0 for n in _NS_NAMES])
        ew_half = np.array([20.0 if n in _ARTERIALS else 12.0 for n in _EW_NAMES])
        expressway = np.zeros_like(h_exists)
        for jj, cc in _EXPRESSWAY:
            expressway[jj, cc] = True
        # setbacks of each cell side: half the street width, 10 m beside open land or
        # the district edge, 0 inside a super-block
        v_half = np.where(
            v_exists,
            ns_half[i],
            np.where(pad_label[r + 1, i] == pad_label[r + 1, i + 1], 0.0, 10.0),
        )
        h_half = np.where(
            h_exists,
            np.where(expressway, 30.0, ew_half[j]),
            np.where(pad_label[j, c + 1] == pad_label[j + 1, c + 1], 0.0, 10.0),
        )
        self.v_half, self.h_half = v_half, h_half

        vr, vi = np.nonzero(v_exists)
        hj, hc = np.nonzero(h_exists)
        v_coords = np.stack(
            [
                np.column_stack([self.xe[vi], self.ye[vr]]),
                np.column_stack([self.xe[vi], self.ye[vr + 1]]),
            ],
            axis=1,
        )
        h_coords = np.stack(
            [
                np.column_stack([self.xe[hc], self.ye[hj]]),
                np.column_stack([self.xe[hc + 1], self.ye[hj]]),
            ],
            axis=1,
        )
        coords = np.concatenate([v_coords, h_coords])
        names = np.array([_NS_NAMES[k] for k in vi] + [_EW_NAMES[k] for k in hj], dtype=object)
        is_expressway = np.concatenate([np.zeros(len(vi), bool), expressway[hj, hc]])
        names[is_expressway] = _EXPRESSWAY_NAME
        road_class = np.where(
            is_expressway,
            "expressway",
            np.where(np.isin(names, list(_ARTERIALS)), "arterial", "local"),
        ).astype(object)
        self.street_nodes = coords
        n = len(coords)
        geoms = self.place(shapely.linestrings(coords))
        self.streets = frame(
            {
                "name": strings(names),
                "walkable": ~is_expressway,
                "road_class": strings(road_class),
            },
            geoms,
            as_index(numbered("RD", n, 4), "street_id"),
        )

    # -- blocks and lots --------------------------------------------------------------
    def _blocks(self) -> None:
        """One row per block: code, letter, cells and the rectangle after setbacks."""
        codes, letters, rows, cols, rects = [], [], [], [], []
        seen: set[int] = set()
        for r in range(self.nrows):
            for c in range(self.ncols):
                lab = int(self.label[r, c])
                letter = str(self.cells[r, c])
                if lab in seen or letter in ("L", "E"):
                    continue
                seen.add(lab)
                c_last = c
                while c_last + 1 < self.ncols and self.label[r, c_last + 1] == lab:
                    c_last += 1
                x0 = self.xe[c] + self.v_half[r, c]
                x1 = self.xe[c_last + 1] - self.v_half[r, c_last + 1]
                y1 = self.ye[r] - self.h_half[r, c]
                y0 = self.ye[r + 1] + self.h_half[r + 1, c]
                codes.append(f"XH12{r + 1:02d}{c + 1:02d}")
                letters.append(letter)
                rows.append(r)
                cols.append(c)
                rects.append((x0, y0, x1, y1))
        self.block_code = np.array(codes, dtype=object)
        self.block_letter = np.array(letters, dtype=object)
        self.block_row = np.array(rows)
        self.block_col = np.array(cols)
        self.block_rect = np.array(rects)

    def _parcels(self) -> None:
        rng = self.rng
        layouts = np.array(
            [
                _LAYOUT_OVERRIDE.get(code, _LAYOUT[letter])
                for code, letter in zip(self.block_code, self.block_letter, strict=True)
            ]
        )
        nlots = layouts[:, 0] * layouts[:, 1]
        block = np.repeat(np.arange(len(nlots)), nlots)
        q = np.arange(len(block)) - np.repeat(np.cumsum(nlots) - nlots, nlots)
        ncol = layouts[block, 1]
        lot_row, lot_col = q // ncol, q % ncol
        # the north row's share of the block depth; column widths vary by ±25 %
        north_share = 0.5 + rng.uniform(-0.08, 0.08, len(nlots))
        north_share[self.block_letter == "A"] = 0.55
        north_share[layouts[:, 0] == 1] = 1.0
        widths = 0.75 + 0.5 * rng.uniform(size=len(block))
        # the reserve block by the planned station: two wide commercial-aerospace plots
        # (lots 08 and 09) and a narrow station-hub lot (10) in its south row
        reserve = np.flatnonzero(self.block_code == "XH120101")[0]
        north_share[reserve] = 0.45
        widths[(block == reserve) & (lot_row == 1)] = [0.6, 0.6, 1.3, 1.3, 0.6]
        group = block * 2 + lot_row  # one group per row of lots, in lot order
        gsum = np.bincount(group, weights=widths)
        before = np.cumsum(gsum) - gsum
        cum = np.cumsum(widths)
        right = (cum - before[group]) / gsum[group]
        left = (cum - widths - before[group]) / gsum[group]
        left[lot_col == 0] = 0.0
        right[lot_col == ncol - 1] = 1.0
        x0, y0, x1, y1 = self.block_rect[block].T
        w, h = x1 - x0, y1 - y0
        share = north_share[block]
        top = np.where(lot_row == 0, 0.0, share)
        bottom = np.where(lot_row == 0, share, 1.0)
        rect = np.round(
            np.column_stack([x0 + w * left, y1 - h * bottom, x0 + w * right, y1 - h * top]), 2
        )
        # adjacent lots share their edges exactly
        self.lot_rect = rect
        self.lot_block = block
        self.lot_letter = self.block_letter[block]
        self.parcel_ids = np.array(
            [f"{code}-{k + 1:02d}" for code, k in zip(self.block_code[block], q, strict=True)],
            dtype=object,
        )
        n = len(block)
        letter = self.lot_letter
        land_use = np.empty(n, dtype=object)
        for key, table in _LAND_USE.items():
            mask = letter == key
            land_use[mask] = _pick(rng, table, int(mask.sum()))
        zone = np.array([_ZONE[k] for k in letter], dtype=object)
        brow = self.block_row[block]
        bcol = self.block_col[block]
        zone[(letter == "G") & (brow >= 5)] = "铜鉴湖"
        zone[(letter == "C") & (bcol <= 4)] = "云谷"  # offices along 荆大路
        zone[(letter == "C") & (brow >= 3) & (bcol >= 5)] = "云栖"  # and along 山景路
        name = np.full(n, None, dtype=object)

        pid = self.parcel_ids
        idx = {p: k for k, p in enumerate(pid)}
        self.idx = idx
        # the aerospace center: a research zone (north) and an assembly and test zone
        centre = self.block_code[block] == "XH120205"
        land_use[centre] = np.array(["M0", "M1"], dtype=object)
        name[idx["XH120205-01"]] = "航天中心（研发区）"
        name[idx["XH120205-02"]] = "航天中心（总装测试区）"
        # the commercial-aerospace plots in the reserve, beside the planned station
        land_use[idx["XH120101-08"]] = "M0"
        land_use[idx["XH120101-09"]] = "100101"
        name[idx["XH120101-08"]] = "商业航天产业地块（一）"
        name[idx["XH120101-09"]] = "商业航天产业地块（二）"
        land_use[idx["XH120101-10"]] = "S3"
        name[idx["XH120101-10"]] = "云谷北站交通枢纽用地"
        # the reserve block by the station lies in the 双浦 planning unit
        zone[self.block_code[block] == "XH120101"] = "双浦"
        # other notable parcels
        for pid_, nm in (
            ("XH120309-01", "云栖小镇国际会展中心"),
            ("XH120302-01", "云谷智造园一期"),
            ("XH120302-02", "云谷智造园二期"),
            ("XH120404-01", "云谷人才服务中心"),
            ("XH120406-01", "云栖人才公寓"),
            ("XH120601-01", "转塘老工业园1号厂区"),
            ("XH120602-01", "转塘老工业园2号厂区"),
            ("XH120701-01", "转塘老工业园3号厂区"),
            ("XH120605-01", "铜鉴湖公园西园"),
            ("XH120710-01", "铜鉴湖公园东园"),
            ("XH120606-01", "铜鉴湖公园北园"),
            ("XH120503-01", "荆大路口袋公园"),
        ):
            name[idx[pid_]] = nm
        land_use[idx["XH120404-01"]] = "B2"
        land_use[idx["XH120309-01"]] = "B2"
        land_use[idx["XH120406-01"]] = "R2"
        self.land_use = land_use

        far_min = np.full(n, np.nan)
        far_max = np.full(n, np.nan)
        height = np.full(n, np.nan)
        coverage = np.full(n, np.nan)
        green = np.full(n, np.nan)
        for code, (fmin, fmaxes, heights, cov, grn) in _CONDITIONS.items():
            mask = land_use == code
            k = int(mask.sum())
            if not k:
                continue
            far_max[mask] = rng.choice(np.array(fmaxes), size=k)
            height[mask] = rng.choice(np.array(heights), size=k)
            if fmin is not None:
                far_min[mask] = fmin
                coverage[mask] = cov
                green[mask] = grn
        # the aerospace center's planning conditions were set for its project
        far_min[centre], far_max[centre] = 1.5, 3.0
        height[centre] = 100.0
        # the commercial-aerospace plots: planning conditions issued for them (规划条件)
        for pid_, conditions in (
            ("XH120101-08", (2.0, 3.0, 80.0, 0.30, 0.15)),
            ("XH120101-09", (1.2, 2.5, 50.0, 0.35, 0.20)),
        ):
            k = idx[pid_]
            far_min[k], far_max[k], height[k], coverage[k], green[k] = conditions
        self.far_min, self.far_max, self.height_max = far_min, far_max, height
        self.zone = zone

        geoms = self.place(shapely.box(*rect.T))
        self.parcels = frame(
            {
                "name": strings(name),
                "land_use": strings(land_use),
                "zone": strings(zone),
                "far_min": far_min,
                "far_max": far_max,
                "height_max_m": height,
                "coverage_min": coverage,
                "green_max": green,
            },
            geoms,
            as_index(pid, "parcel_id"),
        )
        self.parcel_area = np.round((rect[:, 2] - rect[:, 0]) * (rect[:, 3] - rect[:, 1]), 2)

    # -- lifecycle attributes ------------------------------------------------------------
    def _lifecycle(self) -> None:
        """Stage as of YUNQI_AS_OF and the dates a ledger can be seeded from."""
        rng = self.rng
        letter = self.lot_letter
        n = len(letter)
        idx = self.idx
        block_code = self.block_code[self.lot_block]
        stage = np.full(n, "operating", dtype=object)
        # the 云栖 reserve: blocks at each reserve stage (the rest are reserved, 入库储备)
        stage[letter == "X"] = "reserved"
        stage[np.isin(block_code, _RESERVE_PLANNED)] = "planned"
        stage[np.isin(block_code, _RESERVE_ACQUIRING)] = "acquiring"
        stage[np.isin(block_code, _RESERVE_SUPPLY_READY)] = "supply_ready"
        stage[np.isin(self.parcel_ids, [f"XH120103-0{k}" for k in range(1, 5)])] = "supply_ready"
        # the commercial-aerospace plots: planning conditions set, ready for supply
        stage[np.isin(self.parcel_ids, ["XH120101-08", "XH120101-09"])] = "supply_ready"
        # the aerospace center: filed in October 2025, its tenants moved in
        stage[letter == "A"] = "operating"
        y_draw = rng.uniform(size=n)
        y = letter == "Y"
        stage[y & (y_draw < 0.06)] = "under_construction"
        stage[y & (y_draw >= 0.06) & (y_draw < 0.09)] = "permitted"
        stage[y & (y_draw >= 0.09) & (y_draw < 0.12)] = "completed"
        stage[y & (y_draw >= 0.12) & (y_draw < 0.16)] = "supply_ready"
        q = letter == "Q"
        stage[q & (y_draw < 0.05)] = "under_construction"
        stage[q & (y_draw >= 0.05) & (y_draw < 0.08)] = "completed"
        o = letter == "O"
        stage[o & (y_draw < 0.35)] = "renewal"
        # story parcels: two supplied but idle (供而未用), one filed late
        idle = ["XH120304-01", "XH120306-04"]
        for p in idle:
            stage[idx[p]] = "supplied"
        late_filing = idx["XH120104-02"]
        stage[late_filing] = "operating"
        self.stage = stage

        supplied_plus = ~np.isin(stage, ["planned", "acquiring", "reserved", "supply_ready"])
        started = np.isin(stage, ["under_construction", "completed", "operating", "renewal"])
        accepted = np.isin(stage, ["completed", "operating", "renewal"])
        # supply dates: old park 1992–2003, others 2008–2020; recent stages 2022–2025
        day = np.timedelta64(1, "D")
        supply = np.where(
            o,
            np.datetime64("1992-03-01") + rng.integers(0, 11 * 365, n) * day,
            np.datetime64("2008-01-01") + rng.integers(0, 12 * 365, n) * day,
        )
        recent = np.isin(stage, ["permitted", "under_construction", "supplied"]) | (
            (stage == "completed") & (letter != "A")
        )
        supply = np.where(
            recent, np.datetime64("2022-06-01") + rng.integers(0, 700, n) * day, supply
        )
        supply = np.where(
            stage == "permitted",
            np.datetime64("2025-01-06") + rng.integers(0, 160, n) * day,
            supply,
        )
        agreed_start = supply + (150 + rng.integers(0, 60, n)) * day
        agreed_completion = agreed_start + (730 + rng.integers(0, 366, n)) * day
        start = agreed_start + rng.integers(-45, 91, n) * day
        acceptance = start + (540 + rng.integers(0, 360, n)) * day
        filing = acceptance + rng.integers(3, 15, n) * day
        # completed parcels passed acceptance in 2025
        done_recently = (stage == "completed") & (letter != "A")
        acceptance = np.where(
            done_recently, np.datetime64("2025-02-01") + rng.integers(0, 240, n) * day, acceptance
        )
        filing = np.where(done_recently, acceptance + rng.integers(3, 15, n) * day, filing)
        start = np.where(done_recently, np.minimum(start, acceptance - 400 * day), start)
        start = np.where(
            stage == "under_construction",
            np.minimum(start, np.datetime64("2025-11-30")),
            start,
        )
        # the aerospace center: listed 2022-12, started 2023-05, filed 2025-10
        centre = letter == "A"
        supply[centre] = np.datetime64("2022-12-26")
        agreed_start[centre] = np.datetime64("2023-06-30")
        agreed_completion[centre] = np.datetime64("2025-12-31")
        start[centre] = np.datetime64("2023-05-18")
        acceptance[centre] = np.datetime64("2025-09-26")
        filing[centre] = np.datetime64("2025-10-10")
        # idle land: agreed start long past, no start
        supply[idx["XH120304-01"]] = np.datetime64("2023-03-20")
        agreed_start[idx["XH120304-01"]] = np.datetime64("2023-09-30")
        agreed_completion[idx["XH120304-01"]] = np.datetime64("2025-09-30")
        supply[idx["XH120306-04"]] = np.datetime64("2024-05-28")
        agreed_start[idx["XH120306-04"]] = np.datetime64("2024-11-30")
        agreed_completion[idx["XH120306-04"]] = np.datetime64("2026-11-30")
        # completion filed 45 days after acceptance (over the 15-day window)
        supply[late_filing] = np.datetime64("2016-08-15")
        agreed_start[late_filing] = np.datetime64("2017-02-01")
        agreed_completion[late_filing] = np.datetime64("2019-02-01")
        start[late_filing] = np.datetime64("2017-03-10")
        acceptance[late_filing] = np.datetime64("2019-06-10")
        filing[late_filing] = np.datetime64("2019-07-25")

        nat = np.datetime64("NaT")
        self.parcels["stage"] = strings(stage)
        mode = np.where(
            np.isin(letter, ["G", "P"]),
            "allocation",
            np.where(
                np.isin(letter, ["C", "H"]),
                "auction",
                np.where(o | (rng.uniform(size=n) < 0.15), "agreement", "listing"),
            ),
        ).astype(object)
        mode[letter == "A"] = "listing"  # the aerospace center was listed (挂牌)
        # the supply law (Policy.supply_modes): industrial land by auction, tender or
        # listing from 2007 (国发〔2006〕31号), commercial land by auction or tender
        # (城市房地产管理法 §13); earlier agreements stay as they were
        family = land_use_family(
            pd.Series(self.parcels["land_use"].to_numpy(dtype=object))
        ).to_numpy(dtype=object)
        post_2007 = supply >= np.datetime64("2007-01-01")
        mode[(family == "industrial") & post_2007 & (mode == "agreement")] = "listing"
        commercial = (family == "commercial") & (supply >= np.datetime64("1995-01-01"))
        mode[commercial & np.isin(mode, ["agreement", "listing"])] = "auction"
        mode[~supplied_plus] = None
        self.parcels["supply_mode"] = strings(mode)
        year = supply.astype("datetime64[Y]").astype(int) + 1970
        contract = np.array([f"330106{yy}A{k + 1:04d}" for k, yy in enumerate(year)], dtype=object)
        contract[~supplied_plus | (mode == "allocation")] = None
        self.parcels["contract_id"] = strings(contract)
        for col, values, mask in (
            ("supply_date", supply, supplied_plus),
            ("agreed_start", agreed_start, supplied_plus),
            ("agreed_completion", agreed_completion, supplied_plus),
            ("start_date", start, started),
            ("acceptance_date", acceptance, accepted),
            ("filing_date", filing, accepted),
        ):
            self.parcels[col] = dates(np.where(mask, values, nat))
        self.acceptance_year = np.where(
            accepted, acceptance.astype("datetime64[Y]").astype(int) + 1970, 0
        )
        self.built = accepted

    # -- buildings ----------------------------------------------------------------------
    def _buildings(self) -> None:
        rng = self.rng
        letter = self.lot_letter
        rect = self.lot_rect
        lots = np.flatnonzero(self.built & ~np.isin(letter, ["A", "G", "X"]))
        lt = letter[lots]
        land_use = self.land_use[lots]
        industrial = np.isin(land_use, ["M0", "M1", "M2", "100101", "100102", "1001"])
        w = rect[lots, 2] - rect[lots, 0]
        h = rect[lots, 3] - rect[lots, 1]
        setback = np.where(lt == "O", 6.0, np.where(np.isin(lt, ["C", "H"]), 12.0, 10.0))
        inner_w, inner_h = w - 2 * setback, h - 2 * setback
        # buildings across and along each lot
        nx_max = np.select([lt == "O", lt == "H", lt == "C", lt == "P"], [2, 3, 2, 2], default=3)
        nx = np.clip(np.round(inner_w / 55.0), 1, nx_max).astype(int)
        ny = np.clip(np.round(inner_h / 60.0), 1, 3).astype(int)
        ny = np.where(lt == "O", np.minimum(ny, rng.integers(1, 3, len(lots))), ny)
        ny = np.where(np.isin(lt, ["C", "P"]), 1, np.where(lt == "H", np.minimum(ny, 2), ny))
        cover = np.select(
            [lt == "O", lt == "H", lt == "C", lt == "P"],
            [rng.uniform(0.45, 0.58, len(lots)), rng.uniform(0.2, 0.25, len(lots)),
             rng.uniform(0.3, 0.4, len(lots)), rng.uniform(0.25, 0.35, len(lots))],
            default=rng.uniform(0.32, 0.42, len(lots)),
        )  # fmt: skip
        frac = np.clip(np.sqrt(cover * w * h / (inner_w * inner_h)), 0.3, 0.85)
        count = nx * ny
        b = np.repeat(np.arange(len(lots)), count)
        k = np.arange(len(b)) - np.repeat(np.cumsum(count) - count, count)
        bx, by = k % nx[b], k // nx[b]
        cell_w, cell_h = inner_w[b] / nx[b], inner_h[b] / ny[b]
        fw = cell_w * frac[b] * rng.uniform(0.9, 1.05, len(b))
        fh = cell_h * frac[b] * rng.uniform(0.9, 1.05, len(b))
        fw, fh = np.minimum(fw, cell_w * 0.92), np.minimum(fh, cell_h * 0.92)
        ox = (cell_w - fw) * rng.uniform(0.3, 0.7, len(b))
        oy = (cell_h - fh) * rng.uniform(0.3, 0.7, len(b))
        bx0 = rect[lots[b], 0] + setback[b] + bx * cell_w + ox
        by1 = rect[lots[b], 3] - setback[b] - by * cell_h - oy
        brect = np.round(np.column_stack([bx0, by1 - fh, bx0 + fw, by1]), 2)
        blt = lt[b]
        nb = len(b)
        area = (brect[:, 2] - brect[:, 0]) * (brect[:, 3] - brect[:, 1])
        # floors: the old park is low-rise; elsewhere they reach a target FAR between
        # 55 % and 95 % of the parcel's maximum (a few Yungu parcels stay below their
        # minimum: land not fully used, 用而未尽)
        target_far = self.far_max[lots] * rng.uniform(0.55, 0.95, len(lots))
        below = (lt == "Y") & ~np.isnan(self.far_min[lots]) & (rng.uniform(size=len(lots)) < 0.1)
        target_far[below] = self.far_min[lots][below] * rng.uniform(0.6, 0.9, int(below.sum()))
        footprint = np.bincount(b, weights=area, minlength=len(lots))
        lot_floors = target_far * w * h / footprint
        storey = np.select([blt == "H", blt == "C"], [3.0, 3.9], default=4.2)
        max_floors = np.floor(self.height_max[lots[b]] / storey)
        floors = np.clip(np.round(lot_floors[b] * rng.uniform(0.8, 1.2, nb)), 1, max_floors)
        floors = np.where(blt == "O", rng.choice([1, 1, 1, 2, 3], nb), floors).astype(float)
        storey = np.where((blt == "O") & (floors == 1), 8.5, storey)
        height = np.round(floors * storey + rng.uniform(0.0, 1.5, nb), 1)
        use = np.select(
            [blt == "O", blt == "H", blt == "C", blt == "P", industrial[b]],
            ["industrial", "residential", "commercial", "public", "industrial"],
            default="office",
        ).astype(object)
        use[(blt == "O") & (rng.uniform(size=nb) < 0.2)] = "warehouse"
        research = np.isin(blt, ["Y", "Q"]) & (rng.uniform(size=nb) < 0.45)
        use[research] = "research"
        last = k == count[b] - 1
        use[last & (count[b] >= 4) & np.isin(blt, ["Y", "Q"]) & (rng.uniform(size=nb) < 0.4)] = (
            "dormitory"
        )
        completed = self.acceptance_year[lots[b]].astype(float)
        # old buildings from surveys: a few carry only their height
        height_only = rng.uniform(size=nb) < np.where(blt == "O", 0.08, 0.02)
        floors[height_only] = np.nan
        gfa = np.round(area * floors)

        # the aerospace center: 7 buildings, 200,000 m² in all (offsets within its lots)
        a_rows = []
        for pid, specs in (
            (
                "XH120205-01",
                (
                    ("航天中心总部大楼", 20, 60, 60, 50, 22, 99.0, "office"),
                    ("研发楼A", 110, 110, 90, 30, 10, 42.0, "research"),
                    ("研发楼B", 110, 40, 90, 30, 10, 42.0, "research"),
                    ("数据与测控中心", 230, 90, 70, 50, 6, 30.0, "research"),
                    ("人才公寓与食堂", 230, 25, 60, 25, 10, 33.0, "dormitory"),
                ),
            ),
            (
                "XH120205-02",
                (
                    ("卫星总装测试厂房", 20, 30, 150, 80, 2, 24.0, "industrial"),
                    ("载荷试验楼", 210, 40, 100, 50, 4, 22.0, "industrial"),
                ),
            ),
        ):
            lot = self.idx[pid]
            lx, ly = rect[lot, 0], rect[lot, 1]
            for nm, ox_, oy_, bw, bh, fl, ht, us in specs:
                a_rows.append(
                    (pid, nm, lx + ox_, ly + oy_, lx + ox_ + bw, ly + oy_ + bh, fl, ht, us)
                )
        a_rect = np.array([r[2:6] for r in a_rows], dtype=float)
        a_floors = np.array([r[6] for r in a_rows], dtype=float)
        a_area = (a_rect[:, 2] - a_rect[:, 0]) * (a_rect[:, 3] - a_rect[:, 1])

        parcel_of = np.concatenate([self.parcel_ids[lots[b]], [r[0] for r in a_rows]]).astype(
            object
        )
        seq = np.concatenate([k + 1, np.arange(1, 6), np.arange(1, 3)])
        ids = np.array([f"{p}-B{s:02d}" for p, s in zip(parcel_of, seq, strict=True)], dtype=object)
        all_rect = np.vstack([brect, a_rect])
        names = np.concatenate([np.full(nb, None, dtype=object), [r[1] for r in a_rows]])
        self.building_rect = all_rect
        self.building_parcel = parcel_of
        self.building_use = np.concatenate([use, [r[8] for r in a_rows]]).astype(object)
        self.building_gfa = np.concatenate([gfa, a_area * a_floors])
        self.building_area = np.concatenate([area, a_area])
        self.building_zone = np.concatenate([blt, np.full(len(a_rows), "A", dtype=object)])
        floors_all = np.concatenate([floors, a_floors])
        self.buildings = frame(
            {
                "name": strings(names),
                "floors": pd.array(floors_all, dtype="Int64"),
                "height_m": np.concatenate([height, [r[7] for r in a_rows]]),
                "gfa_m2": self.building_gfa,
                "parcel_id": strings(parcel_of),
                "use": strings(self.building_use),
                "completed_year": pd.array(
                    np.concatenate([completed, np.full(len(a_rows), 2025.0)]), dtype="Int64"
                ),
            },
            self.place(shapely.box(*all_rect.T)),
            as_index(ids, "building_id"),
        )
        self.building_ids = ids

    # -- enterprises --------------------------------------------------------------------
    def _enterprises(self) -> None:
        rng = self.rng
        parcels = self.parcel_ids
        letter = self.lot_letter
        workplace = np.isin(
            self.building_use, ["industrial", "warehouse", "office", "research", "commercial"]
        )
        by_parcel = pd.Series(np.flatnonzero(workplace)).groupby(self.building_parcel[workplace])
        hosts = {p: g.to_numpy() for p, g in by_parcel}
        host_lots = np.array([self.idx[p] for p in parcels if p in hosts])
        hl = letter[host_lots]
        # the parks in the blocks around the aerospace center host its suppliers and
        # partners (an aerospace-information cluster of some 200 firms with the center)
        lot_row = self.block_row[self.lot_block]
        lot_col = self.block_col[self.lot_block]
        a_lot = self.idx["XH120205-01"]
        near_centre = (
            (np.abs(lot_row - lot_row[a_lot]) <= 1)
            & (np.abs(lot_col - lot_col[a_lot]) <= 1)
            & np.isin(letter, ["Y", "Q"])
        )
        # tenants per parcel: single plants in the old park, clusters elsewhere; the
        # center's research zone is an incubator of small firms, its test zone less so
        a_tenants = np.where(self.parcel_ids[host_lots] == "XH120205-01", 100, 30)
        tenants = np.select(
            [hl == "O", near_centre[host_lots], hl == "Y", hl == "Q", hl == "C", hl == "A"],
            [rng.choice([1, 1, 1, 1, 2, 2, 3], len(hl)), rng.integers(2, 5, len(hl)),
             rng.integers(1, 4, len(hl)), rng.choice([1, 1, 2, 2, 3], len(hl)),
             rng.integers(0, 2, len(hl)), a_tenants],
            default=0,
        )  # fmt: skip
        industrial_lot = np.isin(self.land_use[host_lots], ["M1", "100101", "1001"])
        single = (
            (hl == "Y")
            & ~near_centre[host_lots]
            & industrial_lot
            & (rng.uniform(size=len(hl)) < 0.5)
        )
        tenants[single] = 1
        lot_of = np.repeat(host_lots, tenants)
        n = len(lot_of)
        zone = letter[lot_of]
        mix_key = zone.copy()
        mix_key[near_centre[lot_of]] = "N"
        # which building: weighted by floor area within the parcel
        building = np.empty(n, dtype=int)
        u = rng.uniform(size=n)
        for k, lot in enumerate(lot_of):
            cand = hosts[parcels[lot]]
            if zone[k] == "A":
                cand = cand[self.building_use[cand] != "dormitory"]
            weight = np.nan_to_num(self.building_gfa[cand], nan=0.0) + self.building_area[cand]
            building[k] = cand[
                min(int(np.searchsorted(np.cumsum(weight) / weight.sum(), u[k])), len(cand) - 1)
            ]
        # industry mix by zone
        mix = {
            "A": (0.88, 0.08, 0.04, 0.0, 0.0),
            "N": (0.5, 0.25, 0.15, 0.1, 0.0),
            "Y": (0.15, 0.45, 0.25, 0.1, 0.05),
            "Q": (0.1, 0.4, 0.15, 0.3, 0.05),
            "O": (0.0, 0.0, 0.6, 0.05, 0.35),
            "C": (0.0, 0.4, 0.0, 0.2, 0.4),
        }
        industry = np.empty(n, dtype=object)
        for z, p in mix.items():
            m = mix_key == z
            industry[m] = np.array(_INDUSTRIES, dtype=object)[
                rng.choice(len(_INDUSTRIES), size=int(m.sum()), p=np.array(p) / sum(p))
            ]
        industry[np.flatnonzero(zone == "A")[0]] = "aerospace_information"  # the anchor
        industry_code = np.empty(n, dtype=object)
        for ind, table in _INDUSTRY_CODES.items():
            m = industry == ind
            industry_code[m] = _pick(rng, table, int(m.sum()))
        old = zone == "O"
        tech = ~old & (industry != "other")
        employees = np.maximum(
            5,
            np.round(
                rng.lognormal(
                    np.log(np.select([zone == "A", old, zone == "C"], [60, 45, 20], 80)), 0.8
                )
            ),
        )
        per_head = {"aerospace_information": 160, "artificial_intelligence": 120,
                    "smart_manufacturing": 110, "life_health": 150, "other": 60}  # fmt: skip
        rpe = np.array([per_head[i] for i in industry]) * np.where(old, 0.6, 1.0)
        revenue = np.round(employees * rpe * rng.lognormal(0.0, 0.4, n), 1)
        value_added = np.round(
            revenue * np.where(old, rng.uniform(0.12, 0.22, n), rng.uniform(0.22, 0.4, n)), 1
        )
        tax = np.round(
            revenue * np.where(old, rng.uniform(0.01, 0.03, n), rng.uniform(0.04, 0.09, n)), 1
        )
        intensity = {"aerospace_information": (0.01, 0.03), "artificial_intelligence": (0.005, 0.02),
                     "smart_manufacturing": (0.02, 0.06), "life_health": (0.02, 0.05),
                     "other": (0.08, 0.25)}  # fmt: skip
        lo = np.array([intensity[i][0] for i in industry])
        hi = np.array([intensity[i][1] for i in industry])
        energy = np.round(revenue * rng.uniform(lo, hi) * np.where(old, 2.5, 1.0), 1)
        emissions = np.round(energy * rng.uniform(2.4, 2.8, n), 1)
        rnd = np.round(
            revenue * np.where(tech, rng.uniform(0.06, 0.18, n), rng.uniform(0.002, 0.015, n)), 1
        )
        high_tech = rng.uniform(size=n) < np.where(
            tech, 0.55, np.where(old & (industry != "other"), 0.05, 0.02)
        )
        zjtx = rng.uniform(size=n) < np.where(tech, 0.18, 0.02)
        leading = (industry != "other") & ~(old & (rng.uniform(size=n) < 0.6))
        # one-tenant plants report their own land
        per_lot = np.bincount(lot_of, minlength=len(parcels))
        single_tenant = (
            (per_lot[lot_of] == 1)
            & np.isin(zone, ["O", "Y"])
            & np.isin(self.land_use[lot_of], ["M1", "M2", "100101", "100102", "1001"])
            & (rng.uniform(size=n) < 0.4)
        )
        land_mu = np.where(single_tenant, np.round(self.parcel_area[lot_of] / MU_M2, 2), np.nan)
        # positions inside the building footprints
        r = self.building_rect[building]
        px = r[:, 0] + (r[:, 2] - r[:, 0]) * rng.uniform(0.15, 0.85, n)
        py = r[:, 1] + (r[:, 3] - r[:, 1]) * rng.uniform(0.15, 0.85, n)
        names = self._company_names(industry, zone, rng)
        self.enterprises = frame(
            {
                "name": strings(names),
                "industry": strings(industry),
                "industry_code": strings(industry_code),
                "parcel_id": strings(parcels[lot_of]),
                "building_id": strings(self.building_ids[building]),
                "leading_industry": leading,
                "high_tech": high_tech,
                "zjtx": zjtx,
                "year": np.full(n, 2025),
                "employees": employees.astype(np.int64),
                "revenue_10k_cny": revenue,
                "value_added_10k_cny": value_added,
                "tax_10k_cny": tax,
                "energy_tce": energy,
                "emissions_t": emissions,
                "rnd_10k_cny": rnd,
                "land_mu": land_mu,
            },
            self.place(shapely.points(np.round(px, 2), np.round(py, 2))),
            as_index(numbered("E", n, 4), "enterprise_id"),
        )

    @staticmethod
    def _company_names(industry: ObjArray, zone: ObjArray, rng: np.random.Generator) -> ObjArray:
        names = np.empty(len(industry), dtype=object)
        for ind, words in _INDUSTRY_WORDS.items():
            rows = np.flatnonzero(industry == ind)
            pool = np.array([f"{a}{b}" for a in _NAME_WORDS for b in words], dtype=object)
            chosen = pool[rng.permutation(len(pool))[: len(rows)]]
            prefix = np.where(rng.uniform(size=len(rows)) < 0.7, "杭州", "浙江")
            names[rows] = [f"{p}{c}有限公司" for p, c in zip(prefix, chosen, strict=True)]
        anchor = np.flatnonzero(zone == "A")[0]
        names[anchor] = "杭州航天中心科技发展有限公司"
        return names

    # -- transit ------------------------------------------------------------------------
    def _transit(self) -> None:
        # stations at street corners (x-edge, y-edge)
        stations = (
            ("ST01", "转塘站", 11, 4, "L1"),
            ("ST02", "云栖小镇站", 9, 4, "L1"),
            ("ST03", "山景路站", 6, 4, "L1"),
            ("ST04", "荆大路站", 3, 4, "L1"),
            ("ST05", "云谷站", 3, 2, "L1"),
            ("ST06", "云谷北站", 1, 1, "L1E"),
        )
        # in the street corner, clear of the parcels (setbacks are 12 m or more)
        sx = np.array([self.xe[s[2]] for s in stations]) - 8.0
        sy = np.array([self.ye[s[3]] for s in stations]) + 8.0
        opening = ["2021-12-30"] * 5 + ["2027-12-28"]
        self.station_xy = np.column_stack([sx, sy])
        self.stations = frame(
            {
                "name": strings([s[1] for s in stations]),
                "line_id": strings([s[4] for s in stations]),
                "opening_date": dates(opening),
            },
            self.place(shapely.points(np.round(sx, 2), np.round(sy, 2))),
            as_index([s[0] for s in stations], "station_id"),
        )
        # phase 1 along 山景路 then north along 荆大路; phase 2 west along 云谷北路
        phase1 = self.gxy([(12, 4), (3, 4), (3, 2)])
        phase2 = self.gxy([(3, 2), (3, 1), (1, 1), (0.6, 1)])
        self.transit_lines = frame(
            {
                "name": strings(["云栖线（示意）一期", "云栖线（示意）二期"]),
                "mode": strings(["metro", "metro"]),
                "opening_date": dates(["2021-12-30", "2027-12-28"]),
            },
            self.place(np.array([shapely.linestrings(phase1), shapely.linestrings(phase2)])),
            as_index(["L1", "L1E"], "line_id"),
        )

    def _axes(self) -> None:
        axes = (
            ("AX01", "荆大路", "golden_axis", [(3, 0), (3, 5)]),
            ("AX02", "山景路", "golden_axis", [(5, 4), (12, 4)]),
            ("AX03", "云栖大道", "urban_axis", [(7, 0), (7, 5)]),
            (
                "AX04",
                "铜鉴湖—五云山绿廊",
                "green_corridor",
                [(7, 7), (8.5, 5.5), (9.5, 3.5), (10.5, 1.5)],
            ),
        )
        self.axes = frame(
            {
                "name": strings([a[1] for a in axes]),
                "kind": strings([a[2] for a in axes]),
            },
            self.place(np.array([shapely.linestrings(self.gxy(a[3])) for a in axes])),
            as_index([a[0] for a in axes], "axis_id"),
        )

    # -- constraints --------------------------------------------------------------------
    def _constraints(self) -> None:
        # ecological red lines: the hills (E cells) and spurs cutting into parcels
        ne = self.gxy(
            [(9, 0), (12, 0), (12, 3.0), (11.15, 3.0), (11.05, 2.25), (10.2, 2.1),
             (10.1, 1.2), (9.8, 1.1), (9.1, 1.15), (8.85, 0.6), (8.9, 0.2), (9, 0)]
        )  # fmt: skip
        sw = self.gxy(
            [(0, 7), (0.95, 6.9), (1.2, 7.3), (1.12, 7.95), (2.15, 8.05), (2.2, 8.5),
             (2.05, 9), (0, 9), (0, 7)]
        )  # fmt: skip
        # 铜鉴湖 lake park: the lake cells (L) and a landscape control belt reaching
        # into the parcels around them
        lake = self.gxy(
            [(6, 5), (6.3, 4.85), (7.7, 4.85), (8, 5), (8, 5.9), (8.2, 6), (9, 6), (9.15, 6.3),
             (9.15, 7.7), (9, 8), (8, 8), (8, 9), (6, 9), (6, 8), (5, 8), (4.88, 7.7),
             (4.88, 6.3), (5, 6), (5.8, 6), (6, 5.9), (6, 5)]
        )  # fmt: skip
        # flood zone: a band along the 龙门坎溪 stream through the old park to the lake
        centre = self.gxy(
            [(0.2, 7.9), (1.2, 7.5), (2.0, 7.15), (2.8, 6.95), (3.6, 6.85), (4.4, 7.0), (5.3, 7.05)]
        )
        band = _band(centre, 85.0)
        rings = [ne, sw, lake, band]
        self.constraints = frame(
            {
                "name": strings(
                    [
                        "五云山生态保护红线",
                        "龙门山生态保护红线",
                        "铜鉴湖公园（湖区景观控制范围）",
                        "龙门坎溪50年一遇洪水风险区",
                    ]
                ),
                "kind": strings(
                    ["ecological_redline", "ecological_redline", "lake_park", "flood_zone"]
                ),
                "hard": np.array([True, True, False, False]),
            },
            self.place(np.array([shapely.polygons(r) for r in rings])),
            as_index(["CN01", "CN02", "CN03", "CN04"], "constraint_id"),
        )

    # -- amenities ----------------------------------------------------------------------
    def _amenities(self) -> None:
        rng = self.rng
        letter = self.lot_letter
        rect = self.lot_rect
        n = len(letter)
        cxy = np.column_stack([(rect[:, 0] + rect[:, 2]) / 2, (rect[:, 1] + rect[:, 3]) / 2])
        # nearness to the golden axes and stations draws shops
        axis_x = self.xe[3]
        axis_y = self.ye[4]
        d_axis = np.minimum(
            np.where(cxy[:, 1] > self.ye[5], np.abs(cxy[:, 0] - axis_x), np.inf),
            np.where(cxy[:, 0] > self.xe[5], np.abs(cxy[:, 1] - axis_y), np.inf),
        )
        d_station = np.min(
            np.hypot(cxy[:, :1] - self.station_xy[:5, 0], cxy[:, 1:] - self.station_xy[:5, 1]),
            axis=1,
        )
        near = 1.0 + 2.0 * np.exp(-d_axis / 300.0) + 1.5 * np.exp(-d_station / 400.0)
        base = np.array([{"Q": 3.0, "Y": 2.5, "A": 2.0, "C": 4.0, "H": 2.5, "P": 1.0,
                          "O": 0.25, "G": 0.3}.get(k, 0.0) for k in letter])  # fmt: skip
        built = self.built | np.isin(letter, ["G"])
        shop_w = base * near * built
        canteen_w = (
            np.array([{"Q": 2.0, "Y": 2.5, "A": 2.0, "O": 0.6}.get(k, 0.0) for k in letter]) * built
        )
        counts = {"cafe": 170, "convenience_store": 175, "gym": 45, "canteen": 120}
        lots, cats = [], []
        for category, k in counts.items():
            weight = canteen_w if category == "canteen" else shop_w
            lots.append(rng.choice(n, size=k, p=weight / weight.sum()))
            cats.append(np.full(k, category, dtype=object))
        lot = np.concatenate(lots)
        cat = np.concatenate(cats)
        r = rect[lot]
        px = r[:, 0] + 8 + (r[:, 2] - r[:, 0] - 16) * rng.uniform(size=len(lot))
        py = r[:, 1] + 8 + (r[:, 3] - r[:, 1] - 16) * rng.uniform(size=len(lot))
        zone = self.zone[lot]
        seq = pd.Series(np.ones(len(lot))).groupby([zone, cat]).cumsum().astype(int).to_numpy()
        names = np.array(
            [f"{z}{_AMENITY_ZH[c]}{s}号" for z, c, s in zip(zone, cat, seq, strict=True)],
            dtype=object,
        )
        # park entrances: on each side of a lake cell that faces a street (15 m inside),
        # and one on the south side of each green parcel
        lr, lc = np.nonzero(self.cells == "L")
        mx, my = (self.xe[lc] + self.xe[lc + 1]) / 2, (self.ye[lr] + self.ye[lr + 1]) / 2
        sides = (
            (self.h_exists[lr, lc], mx, self.ye[lr] - 15.0),
            (self.h_exists[lr + 1, lc], mx, self.ye[lr + 1] + 15.0),
            (self.v_exists[lr, lc], self.xe[lc] + 15.0, my),
            (self.v_exists[lr, lc + 1], self.xe[lc + 1] - 15.0, my),
        )
        ex = np.concatenate([x[m] for m, x, _ in sides])
        ey = np.concatenate([y[m] for m, _, y in sides])
        green = np.flatnonzero(letter == "G")
        gx_ = (rect[green, 0] + rect[green, 2]) / 2
        gy_ = rect[green, 1] + 5.0
        park_names = [f"铜鉴湖公园{k + 1}号入口" for k in range(len(ex))] + [
            f"{self.zone[g]}公园{k + 1}号入口" for k, g in enumerate(green)
        ]
        # talent service centers (人才服务中心): Yungu, Yunqi, the aerospace center, Zhuantang
        talent = [
            ("云谷人才服务中心", "XH120404-01"),
            ("云栖人才服务中心", "XH120406-01"),
            ("航天中心人才服务站", "XH120205-01"),
            ("转塘人才驿站", "XH120507-01"),
        ]
        t_lot = np.array([self.idx[p] for _, p in talent])
        tx = (rect[t_lot, 0] + rect[t_lot, 2]) / 2
        ty = rect[t_lot, 1] + 12.0
        tx[2] = rect[t_lot[2], 2] - 20.0  # beside the campus gate, clear of the buildings
        all_x = np.concatenate([px, ex, gx_, tx])
        all_y = np.concatenate([py, ey, gy_, ty])
        all_cat = np.concatenate(
            [cat, np.full(len(ex) + len(green), "park_entrance", dtype=object),
             np.full(len(talent), "talent_service_center", dtype=object)]
        )  # fmt: skip
        all_names = np.concatenate([names, park_names, [t[0] for t in talent]]).astype(object)
        order = np.lexsort((all_names, all_cat))  # stable ids by category then name
        k = len(all_x)
        self.amenities = frame(
            {"category": strings(all_cat[order]), "name": strings(all_names[order])},
            self.place(shapely.points(np.round(all_x[order], 2), np.round(all_y[order], 2))),
            as_index(numbered("AM", k, 4), "amenity_id"),
        )


def _band(centre: FloatArray, half_width: float) -> FloatArray:
    """A polygon ring: the polyline ``centre`` widened by ``half_width`` on each side."""
    d = np.gradient(centre, axis=0)
    d /= np.hypot(d[:, 0], d[:, 1])[:, None]
    normal = np.column_stack([-d[:, 1], d[:, 0]])
    left = centre + half_width * normal
    right = centre - half_width * normal
    ring = np.vstack([left, right[::-1], left[:1]])
    return np.round(ring, 2)
