"""Helpers shared by the sample generators: ids, text and date columns, placement."""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from landasset.sample import SAMPLE_CRS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]

#: The date the Yunqi sample describes: stages, dates and the 2025 enterprise figures
#: are "as of" this day; the last day of the sample history.
YUNQI_AS_OF: Final = pd.Timestamp("2025-12-31")


def projected_centre(lonlat: tuple[float, float]) -> tuple[float, float]:
    """Projected EPSG:4549 coordinates of ``lonlat``, rounded to the metre."""
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", SAMPLE_CRS, always_xy=True).transform(*lonlat)
    return float(round(x)), float(round(y))


def numbered(prefix: str, n: int, width: int) -> npt.NDArray[np.str_]:
    """``prefix`` + 1-based zero-padded numbers: P0000001, P0000002, ..."""
    if n == 0:
        return np.array([], dtype=f"U{len(prefix) + width}")
    digits = np.char.zfill(np.arange(1, n + 1).astype(f"U{width}"), width)
    return np.char.add(prefix, digits)


# pandas' default dtype for text ("str" from pandas 3 on, object before): the dtype a
# GeoPackage read gives back, so that a stored and a fresh build compare equal
STR_DTYPE: Final = pd.Series(["a"]).dtype


def as_index(ids: npt.ArrayLike, name: str) -> pd.Index:
    return pd.Index(np.asarray(ids, dtype=object), dtype=STR_DTYPE, name=name)


def strings(values: npt.ArrayLike) -> pd.api.extensions.ExtensionArray:
    """A pandas text array; None stays missing."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object).astype(STR_DTYPE).array


def dates(values: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    return np.asarray(values, dtype="datetime64[D]").astype("datetime64[ms]")


def frame(
    columns: dict[str, object], geometry: npt.NDArray[np.object_], index: pd.Index
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geometry, index=index, crs=SAMPLE_CRS)


def place(geoms: npt.NDArray[np.object_], dx: float, dy: float) -> npt.NDArray[np.object_]:
    """Shift local-metre geometries to the projected centre, rounded to the centimetre."""
    out: npt.NDArray[np.object_] = shapely.transform(
        geoms, lambda xy: np.round(xy + np.array([dx, dy]), 2)
    )
    return out


def ellipse(cx: float, cy: float, ax: float, ay: float, n: int = 72) -> FloatArray:
    """A closed ring of ``n`` vertices on an axis-aligned ellipse, to the centimetre."""
    t = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    ring = np.column_stack([cx + ax * np.cos(t), cy + ay * np.sin(t)])
    closed: FloatArray = np.vstack([ring, ring[:1]]).round(2)
    return closed
