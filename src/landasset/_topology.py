"""Which polygons of one layer overlap (share interior), and by how many square metres.

Shared by the schema checks (overlapping and duplicate parcels, overlapping
buildings) and the floor-area rules (footprints that overlap are counted once).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS

__all__ = ["area_m2", "overlapping_pairs"]

#: Rows per STRtree query, so the candidate pairs of a large layer stay bounded.
_CHUNK = 65_536


def overlapping_pairs(
    geoms: npt.NDArray[np.object_],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Position pairs ``(i, j)``, ``i < j``, of polygons whose interiors intersect.

    Touching along an edge or at a corner is not overlapping. Candidates are the
    pairs whose bounding boxes meet (a spatial-index query); each is then tested with
    the DE-9IM pattern ``T********`` (the interiors share a point), which is faster
    than prepared ``overlaps`` and ``contains`` queries on a layer of neighbours that
    touch. Missing and empty geometries never pair.

    >>> from shapely import box
    >>> import numpy as np
    >>> geoms = np.array([box(0, 0, 2, 2), box(2, 0, 4, 2), box(1, 1, 3, 3), box(0, 0, 1, 1)])
    >>> i, j = overlapping_pairs(geoms)
    >>> [(int(a), int(b)) for a, b in zip(i, j)]
    [(0, 2), (0, 3), (1, 2)]
    """
    geoms = np.asarray(geoms, dtype=object)
    usable = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    if len(usable) < 2:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    sub = geoms[usable]
    tree = shapely.STRtree(sub)
    firsts, seconds = [], []
    for start in range(0, len(sub), _CHUNK):
        a, b = tree.query(sub[start : start + _CHUNK])
        a = a + start
        keep = a < b
        a, b = a[keep], b[keep]
        share = shapely.relate_pattern(sub[a], sub[b], "T********")
        firsts.append(a[share])
        seconds.append(b[share])
    i = np.concatenate(firsts)
    j = np.concatenate(seconds)
    order = np.lexsort((j, i))
    return usable[i[order]].astype(np.intp), usable[j[order]].astype(np.intp)


def area_m2(geoms: npt.NDArray[np.object_], crs: Any) -> npt.NDArray[np.float64]:
    """Areas in m² whatever the CRS: geodesic on a geographic CRS, scaled by the
    axis unit on a projected one (feet, ...).

    >>> from shapely import box
    >>> import numpy as np
    >>> area_m2(np.array([box(0, 0, 10, 10)]), "EPSG:4549").tolist()
    [100.0]
    >>> round(float(area_m2(np.array([box(120, 30, 120.001, 30.001)]), "EPSG:4326")[0]))
    10696
    """
    geoms = np.asarray(geoms, dtype=object)
    crs = CRS.from_user_input(crs)
    if crs.is_geographic:
        geod = crs.get_geod()
        assert geod is not None  # every geographic CRS has an ellipsoid
        return np.array([abs(geod.geometry_area_perimeter(g)[0]) for g in geoms], dtype=np.float64)
    factor = 1.0
    if crs.axis_info:
        factor = float(crs.axis_info[0].unit_conversion_factor)
    return np.asarray(shapely.area(geoms), dtype=np.float64) * factor**2
