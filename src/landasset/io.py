"""Read and write layers by file extension, with the pyogrio or fiona engine.

The format always follows the file extension (:data:`FORMATS`); an unknown extension
is an error, never a silent Shapefile. GeoPackage is the home format: a whole site is
one ``.gpkg`` holding one layer per kind.

==============  ===============  ===================================================
extension       format           what it cannot carry
==============  ===============  ===================================================
``.gpkg``       GeoPackage       nothing landasset uses; several layers per file
``.parquet``    GeoParquet 1.1   the layer's geometry type when it has zero rows
``.fgb``        FlatGeobuf       row order: rows come back in spatial-index order
``.geojson``    GeoJSON          any CRS but WGS84 (RFC 7946: written in EPSG:4326,
                                 7 decimals ≈ 1 cm); the columns of a zero-row layer
``.shp``        Shapefile        times of day and time zones (Date fields only);
                                 field names over 10 bytes (known columns are
                                 renamed by :data:`SHAPEFILE_NAMES`, others refused),
                                 text over 254 bytes (refused, not truncated);
                                 zero-row layers need ``geometry_type``; mixed
                                 geometry families
==============  ===============  ===================================================

Shapefile field names
    A ``.dbf`` field name holds at most 10 bytes. The schema and output columns that
    are longer (``opening_date``, ``building_id``, ``height_max_m``, ...) are written
    under the fixed short names of :data:`SHAPEFILE_NAMES` (``open_date``,
    ``bldg_id``, ``hgt_max_m``, ...) and renamed back whenever a Shapefile is read,
    so a layer round-trips through a Shapefile with its own column names. Any other
    name over 10 bytes is refused with a suggested rename, never truncated.

QGIS styles
    Every GeoPackage layer of a known kind (its name is the kind, or it is a scored,
    staged or graded parcel layer) is written with a default QGIS style and Chinese
    field aliases in the file's ``layer_styles`` table (:mod:`landasset.styles`).
    Date columns whose values are all whole days are stored as GeoPackage ``DATE``
    fields (they read back as ``datetime64[ms]`` like any date).

What comes back is the same whatever the format and engine (the two engines give
equal frames):

* integer fields are ``int64``, or nullable ``Int64`` when the column holds a null;
* boolean fields are ``bool``, or nullable ``boolean`` when the column holds a null;
* date and datetime fields are ``datetime64[ms]`` (OGR's resolution; time zones kept);
* text fields use pandas' default string dtype; real fields are ``float64``;
* a layer read without ``kind`` has a RangeIndex; with ``kind`` it goes through
  :func:`landasset.schema.validate` and comes back indexed by its id.

Read-only formats (:data:`READ_FORMATS`)
    File Geodatabases (``.gdb`` folders), KML (read by pyogrio with either engine, as
    fiona's GDAL lacks LIBKML), GeoJSON named ``.json`` (written too) and CSV with
    point coordinates in ``lon``/``lat`` columns (EPSG:4326, stated in a note) or
    ``x``/``y`` columns (``crs=`` required), as GDAL reads them.

Chinese source data
    Columns named by a Chinese alias (:data:`COLUMN_ALIASES`: ``地块编号`` →
    ``parcel_id``, ``用地性质`` → ``land_use``, ...) are renamed on reading, and
    ``columns=`` renames any column; ``datum="gcj02"`` or ``"bd09"`` converts
    Amap/Tencent/Baidu lon/lat to WGS84. Each change is a sentence in the layer's
    ``attrs["notes"]`` (and a log line on the ``landasset`` logger).

A failed write never costs the old data. A whole-file format is written to a
temporary file in the same folder that is moved into place with :func:`os.replace`
only once complete (a Shapefile's sidecar files are moved together, and the old ones
put back if a move fails). Adding or replacing a layer in a GeoPackage that holds
other layers (or a lifecycle ledger) writes into a copy of the file that replaces it
the same way. A write that fails — disk full, a read-only folder, an exception in the
data — leaves the old file byte for byte as it was and no temporary files. (A
connection kept open on the old file, such as an open ledger, keeps seeing the old
file: reopen it after writing a layer.)

Examples
--------
>>> import tempfile, pathlib
>>> import geopandas as gpd
>>> from shapely import box
>>> from landasset.io import read_layer, write_layer
>>> parcels = gpd.GeoDataFrame(
...     {"parcel_id": ["XH120101-08"], "name": ["云栖一号地块"]},
...     geometry=[box(514920, 3350506, 515020, 3350606)],
...     crs="EPSG:4549",
... ).set_index("parcel_id")
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = write_layer(parcels, pathlib.Path(tmp) / "site.gpkg", layer="parcels")
...     back = read_layer(path, "parcels")
>>> back.index.name, back.loc["XH120101-08", "name"], back.crs.to_epsg()
('parcel_id', '云栖一号地块', 4549)
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import errno
import importlib
import logging
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landasset._errors import (
    CRSError,
    LandassetError,
    LandassetIOError,
    LandassetValueError,
    OutsideChinaWarning,
)
from landasset._lazy import attach

__all__ = [
    "COLUMN_ALIASES",
    "ENGINES",
    "FORMATS",
    "READ_FORMATS",
    "SHAPEFILE_NAMES",
    "OutsideChinaWarning",
    "atomic_write",
    "check_writable",
    "format_for",
    "list_layers",
    "read_layer",
    "read_layers",
    "writable_format",
    "write_layer",
    "write_layers",
]

#: File extension → format (OGR driver name; GeoParquet is written by geopandas).
FORMATS: Mapping[str, str] = MappingProxyType(
    {
        ".gpkg": "GPKG",
        ".parquet": "GeoParquet",
        ".fgb": "FlatGeobuf",
        ".geojson": "GeoJSON",
        ".shp": "ESRI Shapefile",
    }
)

#: Formats that are read but not written: File Geodatabase folders, KML, GeoJSON named
#: ``.json`` (written as well) and CSV with coordinate columns, as GDAL reads them.
READ_FORMATS: Mapping[str, str] = MappingProxyType(
    {
        **FORMATS,
        ".json": "GeoJSON",
        ".gdb": "OpenFileGDB",
        ".kml": "KML",
        ".csv": "CSV",
    }
)
_WRITABLE = (*FORMATS, ".json")

#: The reading engines.
ENGINES: tuple[str, ...] = ("pyogrio", "fiona")

#: Schema and output columns longer than a Shapefile's 10-byte field names → the fixed
#: short name they are written under. Reading any ``.shp`` renames them back. Short
#: names are unique, ASCII, at most 10 bytes, and none is a long name's own spelling.
SHAPEFILE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        # ids and schema columns
        "building_id": "bldg_id",
        "enterprise_id": "ent_id",
        "constraint_id": "cnstr_id",
        "height_max_m": "hgt_max_m",
        "coverage_min": "cov_min",
        "completed_year": "compl_yr",
        "opening_date": "open_date",
        "industry_code": "ind_code",
        "leading_industry": "lead_ind",
        "tax_10k_cny": "tax_10k",
        "revenue_10k_cny": "rev_10k",
        "value_added_10k_cny": "va_10k",
        "emissions_t": "emis_t",
        "rnd_10k_cny": "rnd_10k",
        "floor_area_m2": "flr_ar_m2",
        "clear_height_m": "clr_hgt_m",
        "floor_load_kn_m2": "flr_load",
        "rent_cny_m2_month": "rent_m2_mo",
        "available_from": "avail_from",
        # lifecycle
        "supply_mode": "sup_mode",
        "contract_id": "contr_id",
        "price_10k_cny": "price_10k",
        "supply_date": "sup_date",
        "agreed_start": "agr_start",
        "agreed_completion": "agr_compl",
        "acceptance_date": "accept_dt",
        "filing_date": "filing_dt",
        "recorded_at": "rec_at",
        "stage_since": "stg_since",
        "days_in_stage": "days_stage",
        # measures and suitability
        "compactness": "compact",
        "constraint_share": "cnstr_shr",
        "excluded_by": "excl_by",
        "runner_up_score": "ru_score",
        "score_aerospace": "sc_aero",
        "score_smart_manufacturing": "sc_smart",
        "score_life_health": "sc_life",
        # efficiency
        "land_mu_source": "lmu_src",
        "tax_per_mu_10k_cny": "tax_pmu",
        "value_added_per_mu_10k_cny": "va_pmu",
        "revenue_per_mu_10k_cny": "rev_pmu",
        "labour_productivity_10k_cny": "lab_prod",
        "value_added_per_tce_10k_cny": "va_ptce",
        "value_added_per_t_emission_10k_cny": "va_pemis",
        "rnd_intensity": "rnd_int",
        "tax_per_mu_10k_cny_points": "tax_pmu_pt",
        "value_added_per_mu_10k_cny_points": "va_pmu_pt",
        "revenue_per_mu_10k_cny_points": "rev_pmu_pt",
        "labour_productivity_10k_cny_points": "lab_pro_pt",
        "value_added_per_tce_10k_cny_points": "va_ptce_pt",
        "value_added_per_t_emission_10k_cny_points": "va_pemi_pt",
        "rnd_intensity_points": "rnd_int_pt",
        "bonus_points": "bonus_pts",
        "worst_grade": "worst_grd",
        # a match's shortlist
        "candidate_id": "cand_id",
        "ok_available": "ok_avail",
        "ok_pollution_class": "ok_poll",
        "ok_clear_height": "ok_clr_hgt",
        "ok_floor_load": "ok_flr_ld",
        "ok_eligible": "ok_elig",
        "explanation": "explain",
        "waste_share": "waste_shr",
        "delivery_date": "deliv_date",
        "price_10k_cny_per_mu": "price_pmu",
        "price_source": "price_src",
        "land_revenue_10k_cny": "land_rev",
        "cost_10k_cny": "cost_10k",
        "tax_10k_cny_per_mu": "tax_10k_mu",
        "rent_10k_cny_per_year": "rent_yr",
        "npv_10k_cny": "npv_10k",
        "payback_years": "payback_yr",
    }
)
_SHAPEFILE_LONG_NAMES = {short: long for long, short in SHAPEFILE_NAMES.items()}

PathLike = str | os.PathLike[str]

# Shapefile: the files written with the .shp, and derived files that would be stale
# after the .shp is replaced (spatial indexes, a code page that no longer applies).
_SHP_WRITTEN = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_SHP_STALE = (".cpg", ".prj", ".qix", ".sbn", ".sbx", ".fix", ".atx", ".ain", ".aih")
_SHP_FIELD_BYTES = 10
_SHP_TEXT_BYTES = 254
_MULTI_LAYER = ("GPKG",)

_log = logging.getLogger("landasset")

# pandas' default dtype for text: "str" from pandas 3 on, object before.
_STR_DTYPE = pd.Series(["a"]).dtype


# -- formats and layers -----------------------------------------------------------------


def format_for(path: PathLike) -> str:
    """The format of a file, from its extension.

    Parameters
    ----------
    path : str or PathLike
        A file path (or a ``.gdb`` folder); only its extension (case-insensitive) is
        used.

    Returns
    -------
    str
        The format name from :data:`READ_FORMATS` (``"GPKG"``, ``"GeoParquet"``,
        ``"CSV"``, ...). Only the extensions of :data:`FORMATS` (and ``.json``) can
        be written.

    Raises
    ------
    LandassetIOError
        The extension is not one of :data:`READ_FORMATS`.

    Examples
    --------
    >>> format_for("site.GPKG")
    'GPKG'
    >>> format_for("parcels.csv")
    'CSV'
    >>> format_for("parcels.xls")
    Traceback (most recent call last):
    ...
    landasset.LandassetIOError: cannot tell the format of 'parcels.xls' ...
    """
    suffix = Path(path).suffix.lower()
    if suffix in READ_FORMATS:
        return READ_FORMATS[suffix]
    choices = ", ".join(f"{ext} ({name})" for ext, name in READ_FORMATS.items())
    what = f"extension {suffix!r}" if suffix else "no extension"
    raise LandassetIOError(
        f"cannot tell the format of {str(path)!r} ({what}); name the file with one of: {choices}"
    )


def writable_format(path: PathLike) -> str:
    """The format a file is written in, from its extension; refuses read-only formats.

    Parameters
    ----------
    path : str or PathLike
        A file path; only its extension (case-insensitive) is used.

    Returns
    -------
    str
        The format name from :data:`FORMATS` (``"GeoJSON"`` for ``.json`` too).

    Raises
    ------
    LandassetIOError
        The extension is unknown, or names a format that is only read (CSV, ...).

    Examples
    --------
    >>> writable_format("out.gpkg")
    'GPKG'
    >>> writable_format("parcels.csv")
    Traceback (most recent call last):
    ...
    landasset.LandassetIOError: CSV files (.csv) are read, not written; ...
    """
    path = Path(path)
    driver = format_for(path)
    if path.suffix.lower() not in _WRITABLE:
        choices = ", ".join(f"{ext} ({name})" for ext, name in FORMATS.items())
        raise LandassetIOError(
            f"{driver} files ({path.suffix}) are read, not written; name {path.name} with "
            f"one of: {choices}"
        )
    return driver


def list_layers(path: PathLike) -> list[str]:
    """The names of the feature layers (layers with geometry) in a file.

    Tables without geometry, such as the lifecycle ledger or QGIS' ``layer_styles``,
    are not listed. A single-layer format lists its one layer (a GeoParquet file's
    layer is its file name).

    Parameters
    ----------
    path : str or PathLike
        An existing file of one of the :data:`FORMATS`.

    Returns
    -------
    list of str

    Raises
    ------
    LandassetIOError
        The file does not exist, cannot be opened, or its extension is unknown.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> pts = gpd.GeoDataFrame(geometry=[Point(514920, 3350506)], crs="EPSG:4549")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "site.gpkg"
    ...     _ = write_layer(pts, path, layer="stations")
    ...     _ = write_layer(pts, path, layer="amenities")
    ...     list_layers(path)
    ['stations', 'amenities']
    """
    path = Path(path)
    driver = format_for(path)
    _require_file(path)
    if driver == "GeoParquet":
        return [path.stem]
    if driver == FORMATS[".shp"]:
        _check_shapefile_parts(path)
    return [name for name, geometry_type in _ogr_layers(path) if geometry_type is not None]


# -- reading ----------------------------------------------------------------------------


def read_layer(
    path: PathLike,
    kind: str | None = None,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    engine: str = "pyogrio",
    columns: Mapping[str, str] | None = None,
    aliases: bool = True,
    crs: Any = None,
    datum: str | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer of a file, optionally validated as a layer kind.

    Parameters
    ----------
    path : str or PathLike
        A file of one of the :data:`READ_FORMATS` (a ``.gdb`` File Geodatabase is a
        folder).
    kind : str, optional
        A layer kind (``"parcels"``, ``"stations"``, ...). When given, the layer is
        checked with :func:`landasset.schema.validate`; errors raise
        :class:`~landasset.SchemaError` and the normalised layer, indexed by its id,
        is returned.
    layer : str, optional
        The layer to read from a GeoPackage. Defaults to ``kind`` when the file has
        several layers and ``kind`` is given, else to the file's only layer. For a
        single-layer format it may be omitted (or must name that layer).
    encoding : str, optional
        Shapefiles only: the text encoding of the ``.dbf``, e.g. ``"gbk"`` for legacy
        Chinese files that have no ``.cpg``. By default the ``.cpg`` (or the code
        page in the ``.dbf`` header) is used; a Shapefile that declares neither and
        holds non-ASCII text is refused rather than decoded as Latin-1, and text that
        does not decode in the encoding (GBK read as UTF-8) is refused too.
    engine : {"pyogrio", "fiona"}, default "pyogrio"
        pyogrio reads through Arrow where it can (much faster) and falls back to its
        row reader where Arrow cannot be used (e.g. a non-UTF-8 Shapefile). Both
        engines return equal frames. GeoParquet is read by geopandas either way.
    columns : mapping of str to str, optional
        Source column → landasset column, applied on reading (``{"地块号":
        "parcel_id"}``). It wins over the default aliases; mapping a column to itself
        keeps it as it is. A key that is not a column, two columns mapped to one
        name, or a new name that is already a column is an error.
    aliases : bool, default True
        Rename the columns named by a Chinese alias (:data:`COLUMN_ALIASES`:
        ``地块编号`` → ``parcel_id``, ``用地性质`` → ``land_use``, ...).
    crs : CRS-like, optional
        The CRS the coordinates are in, for a file that declares none (a CSV with
        ``x``/``y`` columns needs it). A file whose own CRS differs is refused.
    datum : {"gcj02", "bd09"}, optional
        The layer's lon/lat are Chinese web-map coordinates (Amap/Tencent
        ``"gcj02"``, Baidu ``"bd09"``): convert them to true WGS84 (EPSG:4326)
        with :func:`landasset.crs.from_web_datum`. The layer must be in EPSG:4326.
        Points outside China are left unchanged, with an
        :class:`OutsideChinaWarning`.

    Returns
    -------
    GeoDataFrame
        Without ``kind``: the raw layer with a RangeIndex and the dtypes listed in
        the module documentation. A zero-row layer remembers its declared geometry
        type in ``attrs["geometry_type"]`` so that writing it back keeps it.
        ``attrs["notes"]`` lists what was changed on reading (renamed columns, the
        CRS of CSV lon/lat, a datum conversion), one sentence each.

    Raises
    ------
    LandassetIOError
        The file is missing or unreadable (a Shapefile without its ``.dbf`` or
        ``.shx``), the extension is unknown, the layer is not in the file (or must
        be named), the text does not decode, or ``columns`` does not fit the layer.
    CRSError
        ``crs`` differs from the file's own CRS; a CSV with ``x``/``y`` columns
        and no ``crs``; ``datum`` on a layer not in EPSG:4326.
    SchemaError
        ``kind`` is given and the layer does not pass validation.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> stations = gpd.GeoDataFrame(
    ...     {"station_id": ["S1"], "name": ["云栖站"], "opening_date": ["2027-06-30"]},
    ...     geometry=[Point(514920, 3350506)],
    ...     crs="EPSG:4549",
    ... )
    >>> stations["opening_date"] = pd.to_datetime(stations["opening_date"])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_layer(stations, pathlib.Path(tmp) / "stations.fgb")
    ...     raw = read_layer(path, engine="fiona")
    ...     checked = read_layer(path, "stations")
    >>> raw.dtypes["opening_date"], raw.loc[0, "name"]
    (dtype('<M8[ms]'), '云栖站')
    >>> list(checked.index)
    ['S1']

    Chinese column names and a CSV of Amap (GCJ-02) lon/lat:

    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     csv = pathlib.Path(tmp) / "poi.csv"
    ...     _ = csv.write_text("地块编号,用地性质,lon,lat\\nA-01,M1,120.1,30.3\\n", encoding="utf-8")
    ...     poi = read_layer(csv, datum="gcj02")
    >>> list(poi.columns), poi.crs.to_epsg()
    (['parcel_id', 'land_use', 'geometry'], 4326)
    >>> poi.attrs["notes"][1]
    'column 地块编号 renamed to parcel_id (Chinese alias)'
    """
    if engine not in ENGINES:
        raise LandassetIOError(
            f"{engine!r} is not a reading engine; use one of: "
            + ", ".join(repr(e) for e in ENGINES)
        )
    path = Path(path)
    driver = format_for(path)
    _check_encoding_allowed(driver, encoding)
    _check_datum_name(datum)
    user_crs = _user_crs(crs)
    _require_file(path)
    notes: list[str] = []
    if driver == "GeoParquet":
        if layer is not None and layer != path.stem:
            raise LandassetIOError(
                f"{path} holds one layer, {path.stem!r}; leave layer= out to read it"
            )
        gdf = _read_parquet(path)
    elif driver == "CSV":
        gdf = _read_csv(path, layer, engine, user_crs, notes)
    else:
        if driver == FORMATS[".shp"]:
            _check_shapefile_parts(path)
        name = _choose_layer(path, driver, kind, layer)
        gdf = _read_ogr(path, name, encoding, engine)
    if user_crs is not None and driver != "CSV":
        gdf = _with_user_crs(gdf, user_crs, path)
    gdf = _rename_columns(gdf, columns, aliases, path, notes)
    if datum is not None:
        gdf = _from_datum(gdf, datum, path.name, notes)
    for line in notes:
        _log.info("%s: %s", path.name, line)
    if kind is None:
        gdf.attrs["notes"] = notes
        return gdf
    schema = importlib.import_module("landasset.schema")
    report = schema.validate(gdf, kind)
    report.raise_if_errors()
    data: gpd.GeoDataFrame = report.data
    data.attrs["notes"] = notes
    return data


def read_layers(
    path: PathLike,
    *,
    engine: str = "pyogrio",
    columns: Mapping[str, str] | None = None,
    aliases: bool = True,
) -> dict[str, gpd.GeoDataFrame]:
    """Read every feature layer of a file, raw (not validated), by layer name.

    Parameters
    ----------
    path : str or PathLike
        Usually a GeoPackage or a File Geodatabase; a single-layer format gives a
        one-entry dict.
    engine : {"pyogrio", "fiona"}, default "pyogrio"
    columns, aliases
        As for :func:`read_layer`, for every layer (a ``columns`` key need only be
        a column of some layer).

    Returns
    -------
    dict of str to GeoDataFrame
        In the file's layer order. Tables without geometry are not read.

    Raises
    ------
    LandassetIOError
        As for :func:`read_layer`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> site = {
    ...     "parcels": gpd.GeoDataFrame(
    ...         {"parcel_id": ["P1"]}, geometry=[box(0, 0, 10, 10)], crs="EPSG:4549"
    ...     ),
    ...     "stations": gpd.GeoDataFrame(
    ...         {"station_id": ["S1"]}, geometry=[Point(5, 5)], crs="EPSG:4549"
    ...     ),
    ... }
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_layers(site, pathlib.Path(tmp) / "site.gpkg")
    ...     layers = read_layers(path)
    >>> {name: len(gdf) for name, gdf in layers.items()}
    {'parcels': 1, 'stations': 1}
    """
    names = list_layers(path)
    if columns:
        present: set[str] = set()
        for name in names:
            present.update(_layer_fields(Path(path), name))
        missing = [c for c in columns if c not in present]
        if missing:
            raise LandassetIOError(
                f"columns= renames {', '.join(missing)}, but no layer of {path} has such "
                "a column; check the spelling"
            )
    out = {}
    for name in names:
        fields = _layer_fields(Path(path), name)
        own = {k: v for k, v in (columns or {}).items() if k in fields}
        out[name] = read_layer(path, layer=name, engine=engine, columns=own, aliases=aliases)
    return out


def _layer_fields(path: Path, layer: str) -> set[str]:
    """The column names of one layer, as they will read (Shapefile names long)."""
    if format_for(path) == "GeoParquet":
        import pyarrow.parquet as pq

        return set(pq.read_schema(path).names)
    import pyogrio

    try:
        info = pyogrio.read_info(path, layer=layer)
    except (RuntimeError, ValueError, OSError, UnicodeDecodeError):
        return set()
    return {_SHAPEFILE_LONG_NAMES.get(str(f), str(f)) for f in info["fields"]}


def _read_parquet(path: Path) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise LandassetIOError(f"cannot read {path} as GeoParquet: {exc}") from exc
    return _normalise(gdf, {})


# CSV coordinate columns (compared case-insensitively): lon/lat are EPSG:4326 degrees,
# x/y are in a CRS the user names.
_CSV_LON = ("lon", "lng", "long", "longitude", "经度")
_CSV_LAT = ("lat", "latitude", "纬度")
_CSV_X = ("x", "x坐标", "easting")
_CSV_Y = ("y", "y坐标", "northing")


def _read_csv(
    path: Path, layer: str | None, engine: str, user_crs: Any, notes: list[str]
) -> gpd.GeoDataFrame:
    """A CSV with point coordinates in lon/lat or x/y columns, as GDAL reads it."""
    if layer is not None and layer != path.stem:
        raise LandassetIOError(f"{path} holds one layer, {path.stem!r}; leave layer= out")
    header = _csv_header(path)
    lowered = {name.strip().lower(): name for name in header}

    def find(candidates: tuple[str, ...]) -> str | None:
        return next((lowered[c] for c in candidates if c in lowered), None)

    lon, lat, x, y = find(_CSV_LON), find(_CSV_LAT), find(_CSV_X), find(_CSV_Y)
    lonlat = lon is not None and lat is not None
    xy = x is not None and y is not None
    if lonlat and xy:
        raise LandassetIOError(
            f"{path.name} has both lon/lat ({lon}, {lat}) and x/y ({x}, {y}) columns; "
            "drop or rename one pair so the coordinates are not guessed"
        )
    if not (lonlat or xy):
        raise LandassetIOError(
            f"{path.name} has no coordinate columns (found: {', '.join(header)}); name "
            "them lon and lat (WGS84 degrees) or x and y (and pass crs=)"
        )
    xcol, ycol = (lon, lat) if lonlat else (x, y)
    assert xcol is not None and ycol is not None
    if xy and user_crs is None:
        raise CRSError(
            f"{path.name} holds coordinates in columns {xcol} and {ycol} but no CRS; "
            "say which CRS they are in, e.g. crs='EPSG:4549'; landasset does not guess it"
        )
    options = {
        "X_POSSIBLE_NAMES": xcol,
        "Y_POSSIBLE_NAMES": ycol,
        "KEEP_GEOM_COLUMNS": "NO",
        "AUTODETECT_TYPE": "YES",
        "EMPTY_STRING_AS_NULL": "YES",
    }
    try:
        if engine == "pyogrio":
            gdf = gpd.read_file(path, engine="pyogrio", use_arrow=False, **options)
        else:
            gdf = gpd.read_file(path, engine="fiona", **options)
    except (RuntimeError, ValueError, OSError) as exc:
        raise LandassetIOError(f"cannot read {path} as CSV: {exc}") from exc
    gdf = _normalise(gdf, {})
    if user_crs is not None:
        gdf = gdf.set_crs(user_crs, allow_override=True)
    else:
        gdf = gdf.set_crs("EPSG:4326", allow_override=True)
        notes.append(f"coordinates from columns {xcol}/{ycol} read as lon/lat in EPSG:4326")
    if lonlat and len(gdf):
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise CRSError(
                f"columns {xcol}/{ycol} of {path.name} are named lon/lat but hold values "
                f"outside ±180/±90 (x {minx:g}..{maxx:g}, y {miny:g}..{maxy:g}); they look "
                "projected: name them x and y and pass crs="
            )
    return gdf


def _csv_header(path: Path) -> list[str]:
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
    except UnicodeDecodeError:
        raise LandassetIOError(
            f"{path.name} is not UTF-8 text; GDAL reads CSV as UTF-8: save it as "
            "UTF-8 (e.g. iconv -f gbk -t utf-8) and read it again"
        ) from None
    delimiter = max(",;\t", key=first.count)
    return next(csv.reader([first], delimiter=delimiter), [])


def _user_crs(crs: Any) -> Any:
    if crs is None:
        return None
    from pyproj import CRS
    from pyproj.exceptions import CRSError as ProjCRSError

    try:
        return CRS.from_user_input(crs)
    except ProjCRSError:
        raise CRSError(f"{crs!r} is not a CRS PROJ knows; write it as 'EPSG:4549'") from None


def _with_user_crs(gdf: gpd.GeoDataFrame, crs: Any, path: Path) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        return gdf.set_crs(crs)
    if gdf.crs == crs:
        return gdf
    raise CRSError(
        f"{path.name} declares its CRS ({gdf.crs.to_string()}), which is not the crs= given "
        f"({crs.to_string()}); leave crs= out to read it as declared, and reproject with "
        "gdf.to_crs(...) if you need another CRS"
    )


def _source_key(name: str) -> str:
    """A column name as compared with the aliases: NFKC (full-width brackets), no spaces."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", name).split()).lower()


def _column_aliases() -> dict[str, str]:
    from landasset.styles import ALIASES

    counts: dict[str, int] = {}
    for alias in ALIASES.values():
        counts[alias] = counts.get(alias, 0) + 1
    table = {alias: column for column, alias in ALIASES.items() if counts[alias] == 1}
    table.update(_SOURCE_SPELLINGS)
    return table


# Spellings common in Chinese planning and land-registry sources, beside the aliases
# landasset writes (landasset.styles.ALIASES).
_SOURCE_SPELLINGS = {
    "地块编码": "parcel_id",
    "地块号": "parcel_id",
    "宗地编号": "parcel_id",
    "宗地号": "parcel_id",
    "地块名称": "name",
    "用地代码": "land_use",
    "用地性质代码": "land_use",
    "用地类型": "land_use",
    "建筑限高": "height_max_m",
    "限高(米)": "height_max_m",
    "建筑密度下限(%)": "coverage_min",
    "绿地率上限(%)": "green_max",
    "建筑编码": "building_id",
    "企业名称": "name",
    "统一社会信用代码": "enterprise_id",
    # spaces
    "面积(㎡)": "area_m2",
    "空间面积": "area_m2",
    "所在楼层": "floor",
    "荷载(kN/㎡)": "floor_load_kn_m2",
    "入驻日期": "available_from",
    "招商状态": "status",
}

#: Chinese column name → landasset column, applied by :func:`read_layer` unless
#: ``aliases=False``: every unambiguous alias of :data:`landasset.styles.ALIASES`
#: (the names landasset writes into QGIS styles) and common source spellings.
#: Names are compared after NFKC normalisation without spaces (full-width brackets
#: match).
COLUMN_ALIASES: Mapping[str, str] = MappingProxyType(_column_aliases())
_ALIAS_KEYS = {_source_key(k): v for k, v in COLUMN_ALIASES.items()}


def _rename_columns(
    gdf: gpd.GeoDataFrame,
    columns: Mapping[str, str] | None,
    aliases: bool,
    path: Path,
    notes: list[str],
) -> gpd.GeoDataFrame:
    """Apply ``columns`` and the default Chinese aliases; note each rename."""
    geometry = gdf.geometry.name
    present = [str(c) for c in gdf.columns if c != geometry]
    user = dict(columns or {})
    missing = [c for c in user if c not in present]
    if missing:
        raise LandassetIOError(
            f"columns= renames {', '.join(missing)}, but {path.name} has no such column "
            f"(its columns: {', '.join(present)})"
        )
    renames: dict[str, tuple[str, str]] = {}
    for source, target in user.items():
        if not isinstance(target, str) or not target:
            raise LandassetIOError(
                f"columns= maps {source} to {target!r}; the new name must be a non-empty string"
            )
        if target != source:
            renames[source] = (target, "columns=")
    if aliases:
        for source in present:
            if source in user:
                continue
            target_alias = _ALIAS_KEYS.get(_source_key(source))
            if target_alias is not None and target_alias != source:
                renames[source] = (target_alias, "Chinese alias")
    by_target: dict[str, list[str]] = {}
    for source, (target, _) in renames.items():
        by_target.setdefault(target, []).append(source)
    for target, sources in by_target.items():
        if len(sources) > 1:
            raise LandassetIOError(
                f"columns {' and '.join(sources)} of {path.name} would both be renamed "
                f"to {target}; map all but one to other names with columns= "
                f"(e.g. columns={{{sources[1]!r}: {sources[1] + '_2'!r}}})"
            )
        if target in present and target not in renames:
            (source,) = sources
            raise LandassetIOError(
                f"column {source} of {path.name} would be renamed to {target}, but "
                f"{path.name} already has a column {target}; keep it with "
                f"columns={{{source!r}: {source!r}}}, or give it another name"
            )
        if target == geometry:
            raise LandassetIOError(
                f"column {sources[0]} of {path.name} would be renamed to {target}, the "
                "geometry column; choose another name with columns="
            )
    if not renames:
        return gdf
    for source, (target, why) in renames.items():
        notes.append(f"column {source} renamed to {target} ({why})")
    return gdf.rename(columns={s: t for s, (t, _) in renames.items()})


def _check_datum_name(datum: str | None) -> None:
    from landasset.crs import WEB_DATUMS

    if datum is not None and datum not in WEB_DATUMS:
        raise LandassetValueError(
            f"{datum!r} is not a web datum; use one of: " + ", ".join(repr(d) for d in WEB_DATUMS)
        )


def _from_datum(gdf: gpd.GeoDataFrame, datum: str, what: str, notes: list[str]) -> gpd.GeoDataFrame:
    """Convert ``gdf`` from a web datum to WGS84; warn about points outside China."""
    import numpy as np
    import shapely
    from pyproj import CRS

    from landasset.crs import CHINA_BOUNDS, from_web_datum

    _check_datum_name(datum)
    if gdf.crs is None or not _is_wgs84_lonlat(CRS.from_user_input(gdf.crs)):
        label = "no CRS" if gdf.crs is None else f"CRS {CRS.from_user_input(gdf.crs).to_string()}"
        raise CRSError(
            f"datum={datum!r} converts lon/lat degrees, which are stored labelled as "
            f"EPSG:4326, but {what} has {label}; if its coordinates really are {datum} "
            "lon/lat, set the label first (gdf.set_crs('EPSG:4326', allow_override=True), "
            "or crs='EPSG:4326' when reading); otherwise leave datum= out"
        )
    coords = shapely.get_coordinates(gdf.geometry.to_numpy())
    minx, miny, maxx, maxy = CHINA_BOUNDS
    inside = (
        (coords[:, 0] >= minx)
        & (coords[:, 0] <= maxx)
        & (coords[:, 1] >= miny)
        & (coords[:, 1] <= maxy)
    )
    outside = int(len(coords) - np.count_nonzero(inside))
    if outside:
        import warnings

        warnings.warn(
            f"{outside} of {len(coords)} points of {what} lie outside China, where the "
            f"{datum} datum does not apply; they were left unchanged",
            OutsideChinaWarning,
            stacklevel=3,
        )
    out = from_web_datum(gdf, datum)  # type: ignore[arg-type]
    notes.append(
        f"coordinates converted from {datum} to WGS84 (EPSG:4326)"
        + (f"; {outside} points outside China left unchanged" if outside else "")
    )
    return out


def _is_wgs84_lonlat(crs: Any) -> bool:
    from pyproj import CRS

    return bool(crs.to_epsg() == 4326 or crs.equals(CRS("OGC:CRS84"), ignore_axis_order=True))


def _check_shapefile_parts(path: Path) -> None:
    missing = [ext for ext in (".shx", ".dbf") if _sidecar(path, ext) is None]
    if missing:
        parts = {".shx": "the shape index", ".dbf": "the attribute table"}
        what = ", ".join(f"{path.with_suffix(ext).name} ({parts[ext]})" for ext in missing)
        raise LandassetIOError(
            f"the Shapefile {path.name} is incomplete: {what} is missing; a Shapefile is "
            "the .shp, .shx and .dbf together (and .prj, .cpg): copy the missing part "
            "beside the .shp"
        )


def _read_ogr(path: Path, layer: str, encoding: str | None, engine: str) -> gpd.GeoDataFrame:
    import pyogrio

    declared = True
    if FORMATS[".shp"] == format_for(path):
        _check_shapefile_parts(path)
        if encoding is None:
            declared = _shapefile_declares_encoding(path)
        _check_dbf_text(path, encoding)
    try:
        info = pyogrio.read_info(path, layer=layer, encoding=encoding)
        # KML is read by pyogrio with either engine: fiona's GDAL has no LIBKML, whose
        # ExtendedData columns the plain KML driver drops
        if engine == "pyogrio" or format_for(path) == "KML":
            gdf = _read_pyogrio(path, layer, encoding)
        else:
            gdf = gpd.read_file(path, layer=layer, encoding=encoding, engine="fiona")
    except UnicodeDecodeError as exc:
        raise LandassetIOError(
            f"the text in {path} is not {encoding or 'UTF-8'} ({exc.reason}); pass the "
            "file's encoding, e.g. encoding='gbk' for legacy Chinese Shapefiles "
            "(CLI: --encoding gbk)"
        ) from exc
    except (RuntimeError, ValueError, OSError) as exc:  # pyogrio and fiona errors
        raise LandassetIOError(f"cannot read layer {layer!r} of {path}: {exc}") from exc
    if not declared:
        _refuse_undeclared_non_ascii(path, gdf)
    field_dtypes = {str(n): str(t) for n, t in zip(info["fields"], info["dtypes"], strict=True)}
    gdf = _normalise(gdf, field_dtypes)
    if format_for(path) == FORMATS[".shp"]:
        gdf = _long_shapefile_names(gdf)
    if len(gdf) == 0 and info.get("geometry_type"):
        gdf.attrs["geometry_type"] = str(info["geometry_type"])
    return gdf


def _read_pyogrio(path: Path, layer: str, encoding: str | None) -> gpd.GeoDataFrame:
    from pyogrio.errors import DataSourceError

    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        pa = None
    if pa is not None:
        nullable = {
            pa.int8(): pd.Int64Dtype(),
            pa.int16(): pd.Int64Dtype(),
            pa.int32(): pd.Int64Dtype(),
            pa.int64(): pd.Int64Dtype(),
            pa.bool_(): pd.BooleanDtype(),
        }
        try:
            gdf: gpd.GeoDataFrame = gpd.read_file(
                path,
                layer=layer,
                encoding=encoding,
                engine="pyogrio",
                use_arrow=True,
                arrow_to_pandas_kwargs={"types_mapper": nullable.get},
            )
            return gdf
        except DataSourceError as exc:
            # Arrow needs UTF-8 text (GDAL recodes only some formats); fall back.
            if "not encoded in UTF-8" not in str(exc):
                raise
    fallback: gpd.GeoDataFrame = gpd.read_file(
        path, layer=layer, encoding=encoding, engine="pyogrio", use_arrow=False
    )
    return fallback


def _choose_layer(path: Path, driver: str, kind: str | None, layer: str | None) -> str:
    table = _ogr_layers(path)
    features = [name for name, geometry_type in table if geometry_type is not None]
    if layer is not None:
        if layer in features:
            return layer
        if layer in (name for name, _ in table):
            raise LandassetIOError(
                f"{layer!r} in {path} is a table without geometry, not a feature layer"
            )
        raise LandassetIOError(
            f"{path} has no layer {layer!r}; its layers are: {', '.join(features) or 'none'}"
        )
    if len(features) == 1:
        return features[0]
    if kind is not None and kind in features:
        return kind
    if not features:
        raise LandassetIOError(f"{path} holds no layer with geometry")
    hint = f" (none is named {kind!r})" if kind is not None else ""
    raise LandassetIOError(
        f"{path} holds several layers{hint}: {', '.join(features)}; "
        "name the one to read with layer= (CLI: --layer)"
    )


def _ogr_layers(path: Path) -> list[tuple[str, str | None]]:
    import pyogrio

    try:
        table = pyogrio.list_layers(path)
    except (RuntimeError, OSError) as exc:
        raise LandassetIOError(f"cannot open {path}: {exc}") from exc
    return [(str(name), None if gtype is None else str(gtype)) for name, gtype in table]


def _require_file(path: Path) -> None:
    if not path.exists():
        raise LandassetIOError(f"{path} does not exist")
    if path.suffix.lower() == ".gdb":
        if not path.is_dir():
            raise LandassetIOError(f"{path} is not a File Geodatabase (a .gdb folder)")
        return
    if not path.is_file():
        raise LandassetIOError(f"{path} is not a file")


def _check_encoding_allowed(driver: str, encoding: str | None) -> None:
    if encoding is None:
        return
    if driver != FORMATS[".shp"]:
        raise LandassetIOError(
            f"encoding= applies to Shapefiles only; {driver} files are always UTF-8"
        )
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise LandassetIOError(
            f"{encoding!r} is not a known text encoding; for Chinese Shapefiles use "
            "'gbk' (or 'gb18030'), otherwise 'utf-8'"
        ) from None


def _shapefile_declares_encoding(path: Path) -> bool:
    """True when a .cpg file or the .dbf code page byte says how text is encoded."""
    if _sidecar(path, ".cpg") is not None:
        return True
    dbf = _sidecar(path, ".dbf")
    if dbf is None:
        return True  # no attributes, nothing to decode
    with open(dbf, "rb") as fh:
        header = fh.read(32)
    return len(header) > 29 and header[29] != 0


_DBF_SAMPLE = 4 << 20  # bytes of records checked for their encoding


def _check_dbf_text(path: Path, encoding: str | None) -> None:
    """Refuse text that the encoding in use would garble (GDAL only warns).

    The encoding in use is ``encoding`` or the one the ``.cpg`` names. The field names
    and up to 4 MB of records must decode in it; UTF-8 text read as a legacy code page
    (GBK, ...) is refused too, as such text almost never is valid UTF-8 by chance.
    """
    used = encoding or _cpg_encoding(path)
    dbf = _sidecar(path, ".dbf")
    if used is None or dbf is None:
        return
    with open(dbf, "rb") as fh:
        header = fh.read(32)
        if len(header) < 32:
            return
        size = int.from_bytes(header[8:10], "little")
        descriptors = fh.read(max(size - 32, 0))
        records = fh.read(_DBF_SAMPLE)
    names = [
        descriptors[i : i + 11].split(b"\0", 1)[0]
        for i in range(0, len(descriptors) - 31, 32)
        if descriptors[i] != 0x0D
    ]
    data = b"\n".join([*names, records])
    if data.isascii():
        return
    codec = codecs.lookup(used).name
    how = f"given as encoding={encoding!r}" if encoding else "named by its .cpg"
    if codec != "utf-8" and _decodes(data, "utf-8"):
        raise LandassetIOError(
            f"the text in {path} is UTF-8, not {used} (the encoding {how}): it would be "
            "read garbled; pass encoding='utf-8' (CLI: --encoding utf-8)"
        )
    if not _decodes(data, codec):
        raise LandassetIOError(
            f"the text in {path} is not {used} (the encoding {how}); pass the file's "
            "encoding, e.g. encoding='gbk' for legacy Chinese Shapefiles "
            "(CLI: --encoding gbk)"
        )


def _decodes(data: bytes, codec: str) -> bool:
    try:
        codecs.getincrementaldecoder(codec)().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _cpg_encoding(path: Path) -> str | None:
    """The encoding a ``.cpg`` names, when Python knows it (``936`` is ``cp936``)."""
    cpg = _sidecar(path, ".cpg")
    if cpg is None:
        return None
    value = cpg.read_text(encoding="ascii", errors="replace").strip()
    for candidate in (value, f"cp{value}"):
        try:
            codecs.lookup(candidate)
        except LookupError:
            continue
        return candidate
    return None


def _sidecar(path: Path, ext: str) -> Path | None:
    for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return None


def _refuse_undeclared_non_ascii(path: Path, gdf: gpd.GeoDataFrame) -> None:
    names = [str(c) for c in gdf.columns if not str(c).isascii()]
    columns = names[:]
    for name in gdf.columns:
        col = gdf[name]
        if name == gdf.geometry.name or not _is_text(col):
            continue
        if col.dropna().astype(str).str.contains(r"[^\x00-\x7f]", regex=True).any():
            columns.append(str(name))
    if columns:
        raise LandassetIOError(
            f"{path} has no .cpg file saying how its text is encoded, and its text is "
            f"not plain ASCII (columns: {', '.join(dict.fromkeys(columns))}); pass "
            "encoding=, e.g. encoding='gbk' for legacy Chinese Shapefiles (CLI: --encoding)"
        )


# -- dtype normalisation ------------------------------------------------------------------


def _long_shapefile_names(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rename the short names of :data:`SHAPEFILE_NAMES` back to the columns' own names."""
    present = {str(c) for c in gdf.columns}
    renames = {
        short: long
        for short, long in _SHAPEFILE_LONG_NAMES.items()
        if short in present and long not in present
    }
    return gdf.rename(columns=renames) if renames else gdf


def _is_text(col: pd.Series) -> bool:
    return isinstance(col.dtype, pd.StringDtype) or pd.api.types.is_object_dtype(col.dtype)


def _normalise(gdf: gpd.GeoDataFrame, field_dtypes: Mapping[str, str]) -> gpd.GeoDataFrame:
    """Give every column the dtype documented in the module, whatever the reader."""
    geometry = gdf.geometry.name
    out = {}
    for name in gdf.columns:
        if name == geometry:
            continue
        col = gdf[name]
        declared = field_dtypes.get(str(name), "")
        new = _normalise_column(col, declared)
        if new is not col:
            out[name] = new
    if out:
        gdf = gdf.assign(**{str(k): v for k, v in out.items()})
    return gdf


def _normalise_column(col: pd.Series, declared: str) -> pd.Series:
    dtype = col.dtype
    is_int = declared.startswith(("int", "uint")) or (
        not declared and pd.api.types.is_integer_dtype(dtype)
    )
    is_bool = declared == "bool" or (not declared and pd.api.types.is_bool_dtype(dtype))
    if is_int:
        if col.isna().any():
            return col if dtype == "Int64" else col.astype("Int64")
        return col if dtype == "int64" else col.astype("int64")
    if is_bool:
        if col.isna().any():
            return col if dtype == "boolean" else col.astype("boolean")
        return col if dtype == "bool" else col.astype("bool")
    if declared.startswith("datetime64") or pd.api.types.is_datetime64_any_dtype(dtype):
        if not pd.api.types.is_datetime64_any_dtype(dtype):
            col = pd.to_datetime(col, format="ISO8601")
        return col.dt.as_unit("ms")
    if pd.api.types.is_float_dtype(dtype):
        return col if dtype == "float64" else col.astype("float64")
    if (
        pd.api.types.is_object_dtype(dtype)
        and not pd.api.types.is_object_dtype(_STR_DTYPE)
        and pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty")
    ):
        return col.astype(_STR_DTYPE)
    return col


# -- writing ----------------------------------------------------------------------------


def write_layer(
    gdf: gpd.GeoDataFrame,
    path: PathLike,
    *,
    layer: str | None = None,
    overwrite: bool = False,
    encoding: str | None = None,
    geometry_type: str | None = None,
) -> Path:
    """Write a layer to a file whose format follows the extension.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer; it must have a CRS. A named index (``parcel_id``) is written as
        the first column; an unnamed integer index (RangeIndex) is not written; an
        unnamed index of another type is written as a column named ``index``.
    path : str or PathLike
        Destination; the format follows the extension (:data:`FORMATS`).
    layer : str, optional
        Layer name inside a GeoPackage (default: the file name without extension).
        Adding a layer to an existing GeoPackage keeps its other layers. FlatGeobuf
        and GeoJSON store the name too; a Shapefile's or GeoParquet file's layer is
        its file name.
    overwrite : bool, default False
        Replace an existing file (or, for a GeoPackage, an existing layer of that
        name; the file's other layers stay).
    encoding : str, optional
        Shapefiles only: the ``.dbf`` text encoding, ``"UTF-8"`` by default, written
        to the ``.cpg``. Use ``"gbk"`` for software that reads only legacy code pages.
    geometry_type : str, optional
        The layer's declared geometry type (``"Point"``, ``"MultiPolygon"``, ...).
        Inferred from the data by default; a zero-row layer uses
        ``gdf.attrs["geometry_type"]`` (set by :func:`read_layer`) or else stays
        ``"Unknown"`` (a Shapefile needs one).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    CRSError
        The layer has no CRS.
    LandassetIOError
        Unknown extension, the file or layer exists and ``overwrite`` is False,
        a Shapefile cannot hold the data (long field names, long text, times of
        day), or the write failed (nothing is left behind).

    Notes
    -----
    * GeoJSON is written per RFC 7946: reprojected to WGS84 (EPSG:4326) with no
      ``crs`` member, coordinates rounded to 7 decimals.
    * GeoParquet is written as version 1.1.0 with a ``bbox`` covering column, so
      readers can skip row groups by extent.
    * Replacing the only layer of a GeoPackage replaces the file atomically. Adding
      or replacing a layer in a GeoPackage that holds other layers or tables is done
      in a copy of the file that replaces it once complete; a failed write leaves
      the file byte for byte as it was (the error says so).
    * Shapefile field names are limited to 10 bytes in the chosen encoding (a
      Chinese character is 3 bytes in UTF-8, 2 in GBK). Known longer columns are
      written under their short name from :data:`SHAPEFILE_NAMES` (and renamed back
      on reading); other longer names are refused, never truncated: rename them first
      (the error suggests names), or use a GeoPackage. Datetime columns are written as
      Date fields and refused if any value has a time of day or a time zone.
    * A GeoPackage layer of a known kind gets a default QGIS style with Chinese field
      aliases (:mod:`landasset.styles`); replacing a layer replaces its landasset
      style. Datetime columns holding whole days only are written as ``DATE`` fields.

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["XH120101-08"], "名称": ["云栖一号地块"]},
    ...     geometry=[box(514920, 3350506, 515020, 3350606)],
    ...     crs="EPSG:4549",
    ... ).set_index("parcel_id")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_layer(parcels, pathlib.Path(tmp) / "parcels.geojson")
    ...     doc = json.loads(path.read_text(encoding="utf-8"))
    ...     again = write_layer(parcels, path)
    Traceback (most recent call last):
    ...
    landasset.LandassetIOError: ... exists; pass overwrite=True ...
    >>> "crs" in doc, doc["features"][0]["properties"]
    (False, {'parcel_id': 'XH120101-08', '名称': '云栖一号地块'})
    """
    path = Path(path)
    driver = writable_format(path)
    _check_encoding_allowed(driver, encoding)
    if driver == FORMATS[".shp"] and encoding is None:
        encoding = "UTF-8"
    frame = _prepare(gdf, path, driver, encoding)
    if geometry_type is None and len(frame) == 0:
        geometry_type = gdf.attrs.get("geometry_type")
    if driver in ("GeoParquet", FORMATS[".shp"]) and layer not in (None, path.stem):
        raise LandassetIOError(
            f"a {driver} file's layer is its file name ({path.stem!r}); leave layer= out "
            "or name the file after the layer"
        )
    if driver == FORMATS[".shp"] and len(frame) == 0 and geometry_type in (None, "Unknown"):
        raise LandassetIOError(
            f"a zero-row Shapefile needs a geometry type; pass geometry_type= "
            f"(e.g. 'Polygon') to write {path.name}"
        )
    name = layer or path.stem
    _require_folder(path)

    if driver == "GPKG" and path.exists():
        try:
            existing = [n for n, _ in _ogr_layers(path)]
        except LandassetIOError:
            existing = [name]  # not a readable GeoPackage: only a whole-file overwrite
        if name in existing and not overwrite:
            raise LandassetIOError(
                f"layer {name!r} exists in {path}; pass overwrite=True to replace it "
                "(CLI: --overwrite)"
            )
        if existing != [name]:
            # other layers (or a ledger) live in the file: add or replace this one in place
            _add_gpkg_layer(frame, path, name, geometry_type, replace=name in existing)
            return path
        overwrite = True  # the file holds only this layer: replace the whole file

    if _exists(path, driver) and not overwrite:
        raise LandassetIOError(
            f"{path} exists; pass overwrite=True to replace it (CLI: --overwrite)"
        )
    with _atomic(path, driver) as tmp:
        if driver == "GeoParquet":
            _parquet_write(frame, tmp)
        else:
            options = {"RFC7946": "YES"} if driver == "GeoJSON" else None
            _ogr_write(
                frame,
                tmp,
                driver=driver,
                layer=None if driver == FORMATS[".shp"] else name,
                encoding=encoding,
                geometry_type=geometry_type,
                layer_options=options,
            )
            if driver == "GPKG":
                _write_styles(tmp, {name: frame})
            if driver == FORMATS[".shp"] and not tmp.with_suffix(".cpg").exists():
                tmp.with_suffix(".cpg").write_text(str(encoding), encoding="ascii")
    return path


def check_writable(path: PathLike, *, layer: str | None = None, overwrite: bool = False) -> None:
    """Refuse an output before any work, as :func:`write_layer` would refuse it.

    Checks the extension (a format landasset writes), the folder (it must exist)
    and an existing target: an existing file needs ``overwrite``, except that a new
    layer may be added to an existing GeoPackage beside its other layers.

    Parameters
    ----------
    path : str or PathLike
        The file to be written.
    layer : str, optional
        The layer to be written into a GeoPackage; None: the whole file is written
        (an existing GeoPackage needs ``overwrite``).
    overwrite : bool, default False
        Whether an existing file (or GeoPackage layer) will be replaced.

    Raises
    ------
    LandassetIOError
        Unknown or read-only extension, missing folder, or an existing target and
        ``overwrite`` is False.

    Examples
    --------
    >>> check_writable("out.xyz")
    Traceback (most recent call last):
    ...
    landasset.LandassetIOError: cannot tell the format of 'out.xyz' ...
    """
    path = Path(path)
    driver = writable_format(path)
    _require_folder(path)
    if overwrite or not _exists(path, driver):
        return
    if driver == "GPKG" and layer is not None:
        name = layer
        try:
            existing = [n for n, _ in _ogr_layers(path)]
        except LandassetIOError:
            existing = [name]  # not a readable GeoPackage: only a whole-file overwrite
        if name not in existing:
            return
        raise LandassetIOError(
            f"layer {name!r} exists in {path}; pass overwrite=True to replace it (CLI: --overwrite)"
        )
    raise LandassetIOError(f"{path} exists; pass overwrite=True to replace it (CLI: --overwrite)")


def write_layers(
    layers: Mapping[str, gpd.GeoDataFrame], path: PathLike, *, overwrite: bool = False
) -> Path:
    """Write several layers into one new GeoPackage, atomically.

    All layers are written to a temporary GeoPackage in the same folder, which is
    moved into place only when every layer is written.

    Parameters
    ----------
    layers : Mapping of str to GeoDataFrame
        Layer name → layer, written in this order (each as by :func:`write_layer`;
        a zero-row layer keeps ``attrs["geometry_type"]`` when it has one).
    path : str or PathLike
        A ``.gpkg`` file.
    overwrite : bool, default False
        Replace an existing file as a whole (its other layers and tables, such as a
        lifecycle ledger, are not carried over).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    LandassetIOError
        Not a ``.gpkg``, no layers, or the file exists and ``overwrite`` is False.
    CRSError
        A layer has no CRS.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> pts = gpd.GeoDataFrame(geometry=[Point(514920, 3350506)], crs="EPSG:4549")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_layers({"stations": pts, "amenities": pts}, pathlib.Path(tmp) / "s.gpkg")
    ...     list_layers(path)
    ['stations', 'amenities']
    """
    path = Path(path)
    driver = writable_format(path)
    if driver != "GPKG":
        raise LandassetIOError(
            f"several layers go into one GeoPackage, not a {driver} file; name the "
            "file *.gpkg, or write the layers one by one with write_layer"
        )
    if not layers:
        raise LandassetIOError(f"no layers to write to {path}")
    frames = {name: _prepare(gdf, path, driver, None) for name, gdf in layers.items()}
    _require_folder(path)
    if path.exists() and not overwrite:
        raise LandassetIOError(
            f"{path} exists; pass overwrite=True to replace it (CLI: --overwrite)"
        )
    with _atomic(path, driver) as tmp:
        for name, frame in frames.items():
            gtype = layers[name].attrs.get("geometry_type") if len(frame) == 0 else None
            _ogr_write(
                frame,
                tmp,
                driver=driver,
                layer=name,
                encoding=None,
                geometry_type=gtype,
                layer_options=None,
            )
        _write_styles(tmp, frames)
    return path


def _ogr_write(
    frame: gpd.GeoDataFrame,
    path: Path,
    *,
    driver: str,
    layer: str | None,
    encoding: str | None,
    geometry_type: str | None,
    layer_options: Mapping[str, str] | None,
) -> None:
    """Write through pyogrio's Arrow path (the single place OGR formats are written)."""
    import pyogrio

    pyogrio.write_dataframe(
        frame,
        path,
        layer=layer,
        driver=driver,
        encoding=encoding,
        geometry_type=geometry_type,
        layer_options=dict(layer_options) if layer_options else None,
        use_arrow=True,
    )


def _parquet_write(frame: gpd.GeoDataFrame, path: Path) -> None:
    # pandas stores ``attrs`` in the file's metadata as JSON: a result's provenance
    # (the day it was scored for, the parcels it left out) travels with it, as text
    frame = frame.copy(deep=False)
    frame.attrs = {str(k): _json_safe(v) for k, v in frame.attrs.items()}
    frame.to_parquet(path, index=False, schema_version="1.1.0", write_covering_bbox=True)


def _json_safe(value: Any) -> Any:
    """``value`` as JSON can hold it: days as ISO text, containers item by item."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()[:10] if _is_midnight(value) else value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, pd.Index, np.ndarray)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def _is_midnight(value: dt.date) -> bool:
    if not isinstance(value, dt.datetime):
        return True
    return (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)


def _prepare(
    gdf: gpd.GeoDataFrame, path: Path, driver: str, encoding: str | None
) -> gpd.GeoDataFrame:
    """The frame as it will be written: index as columns, checked for the format."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise LandassetIOError(
            f"write_layer writes a GeoDataFrame, not a {type(gdf).__name__}; build one "
            "with geopandas.GeoDataFrame(..., geometry=..., crs=...)"
        )
    if gdf.crs is None:
        raise CRSError(
            f"the layer for {path.name} has no CRS; if you know the CRS its coordinates "
            "are in, set it with gdf.set_crs('EPSG:4549') (set_crs, not to_crs); "
            "landasset never writes a layer without one"
        )
    frame = _index_as_columns(gdf)
    if driver == "GeoJSON" and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs("EPSG:4326")
    if driver == FORMATS[".shp"]:
        frame = _shapefile_ready(frame, path, str(encoding))
    if driver == "GPKG":
        frame = _whole_days_as_dates(frame)
    return frame


def _whole_days_as_dates(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Datetime columns holding only whole days (no time zone) as Arrow dates.

    A GeoPackage ``DATETIME`` must be written ``YYYY-MM-DDTHH:MM:SS[.SSS]Z``; OGR
    writes zone-less values without the ``Z``, which the GeoPackage validator flags.
    Dates (opening dates, contract dates) are ``DATE`` fields instead.
    """
    import pyarrow as pa

    changes: dict[str, pd.Series] = {}
    for name in frame.columns:
        col = frame[name]
        if name == frame.geometry.name or not pd.api.types.is_datetime64_any_dtype(col.dtype):
            continue
        if getattr(col.dt, "tz", None) is not None:
            continue
        present = col.dropna()
        if len(present) and (present == present.dt.normalize()).all():
            changes[str(name)] = col.astype(pd.ArrowDtype(pa.date32()))
    return frame.assign(**changes) if changes else frame


def _index_as_columns(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    index = gdf.index
    named = any(n is not None for n in index.names)
    if not named and pd.api.types.is_integer_dtype(index.dtype):
        return gdf.reset_index(drop=True)
    if not named:
        index = index.rename("index")
    clash = [str(n) for n in index.names if n in gdf.columns]
    if clash:
        raise LandassetIOError(
            f"the index and a column are both named {', '.join(clash)}; drop or rename "
            "one before writing"
        )
    return gdf.set_axis(index, axis=0).reset_index()


def _shapefile_ready(frame: gpd.GeoDataFrame, path: Path, encoding: str) -> gpd.GeoDataFrame:
    frame = _short_shapefile_names(frame)
    geometry = frame.geometry.name
    too_long: list[str] = []
    bad_names: list[str] = []
    for name in frame.columns:
        if name == geometry:
            continue
        try:
            size = len(str(name).encode(encoding))
        except UnicodeEncodeError:
            bad_names.append(str(name))
            continue
        if size > _SHP_FIELD_BYTES:
            too_long.append(str(name))
    if bad_names:
        raise LandassetIOError(
            f"field names {', '.join(bad_names)} cannot be written in {encoding}; "
            "pick another encoding (UTF-8 holds everything) or rename them"
        )
    if too_long:
        suggestion = _short_names(too_long, [str(c) for c in frame.columns], encoding)
        raise LandassetIOError(
            f"Shapefile field names are limited to {_SHP_FIELD_BYTES} bytes in {encoding}, "
            f"so {', '.join(too_long)} would be truncated; rename them first, e.g. "
            f"gdf.rename(columns={suggestion}) (use rename_axis for the index), "
            f"or write {path.with_suffix('.gpkg').name} instead"
        )
    changes: dict[str, pd.Series] = {}
    for name in frame.columns:
        if name == geometry:
            continue
        col = frame[name]
        if _is_text(col):
            values = col.dropna().astype(str)
            try:
                sizes = values.str.encode(encoding).str.len()
            except UnicodeEncodeError:
                raise LandassetIOError(
                    f"column {name} holds text that cannot be written in {encoding}; "
                    "use encoding='UTF-8'"
                ) from None
            if len(sizes) and sizes.max() > _SHP_TEXT_BYTES:
                raise LandassetIOError(
                    f"column {name} holds text longer than {_SHP_TEXT_BYTES} bytes, the "
                    "Shapefile limit; it would be truncated. Use a GeoPackage"
                )
        elif pd.api.types.is_datetime64_any_dtype(col.dtype):
            if getattr(col.dt, "tz", None) is not None:
                raise LandassetIOError(
                    f"column {name} has time zones, which a Shapefile cannot store; "
                    "use a GeoPackage, or convert with .dt.tz_localize(None)"
                )
            present = col.dropna()
            if (present != present.dt.normalize()).any():
                raise LandassetIOError(
                    f"column {name} has times of day, but a Shapefile stores dates only; "
                    "use a GeoPackage, or keep the dates with .dt.normalize()"
                )
            import pyarrow as pa

            changes[str(name)] = col.astype(pd.ArrowDtype(pa.date32()))
    if changes:
        frame = frame.assign(**changes)
    return frame


def _short_shapefile_names(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rename known long columns to their :data:`SHAPEFILE_NAMES` short name."""
    present = {str(c) for c in frame.columns}
    renames = {long: short for long, short in SHAPEFILE_NAMES.items() if long in present}
    clash = [f"{long} and {short}" for long, short in renames.items() if short in present]
    if clash:
        raise LandassetIOError(
            f"a Shapefile stores {', '.join(clash)} under the same field name; drop or "
            "rename one of each pair, or write a GeoPackage"
        )
    return frame.rename(columns=renames) if renames else frame


def _short_names(names: Sequence[str], taken: Sequence[str], encoding: str) -> dict[str, str]:
    """Distinct names of at most 10 bytes, for the error message."""
    used = {n for n in taken if n not in names}
    out: dict[str, str] = {}
    for name in names:
        base = name
        while len(base.encode(encoding)) > _SHP_FIELD_BYTES:
            base = base[:-1]
        candidate, i = base, 1
        while candidate in used:
            suffix = str(i)
            stem = base
            while len((stem + suffix).encode(encoding)) > _SHP_FIELD_BYTES:
                stem = stem[:-1]
            candidate, i = stem + suffix, i + 1
        used.add(candidate)
        out[name] = candidate
    return out


def _require_folder(path: Path) -> None:
    if not path.parent.is_dir():
        raise LandassetIOError(f"folder {path.parent} does not exist; create it first")


def _exists(path: Path, driver: str) -> bool:
    if driver == FORMATS[".shp"]:
        return any(_sidecar(path, ext) is not None for ext in (".shp", ".dbf", ".shx"))
    return path.exists()


@contextlib.contextmanager
def atomic_write(path: PathLike) -> Iterator[Path]:
    """Write a file in one step: yield a temporary path beside ``path`` to write to,
    and move it into place only when the block succeeds.

    On any failure the temporary files are removed and ``path`` (with a Shapefile's
    sidecars) is left exactly as it was; the error says so. Use it to build a file in
    several steps (layers, then a ledger) that must appear whole or not at all.

    Parameters
    ----------
    path : str or PathLike
        The file to write; its extension must be one of :data:`FORMATS`.

    Yields
    ------
    Path
        A temporary path in the same folder, with the same extension.

    Raises
    ------
    LandassetIOError
        The extension is not writable, or writing or moving the file failed.

    Examples
    --------
    >>> import tempfile
    >>> import landasset as la
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_write(folder / "site.gpkg") as tmp:
    ...     written = la.sample.load("yunqi").to_file(tmp)
    >>> sorted(p.name for p in folder.iterdir())
    ['site.gpkg']
    """
    target = Path(path)
    with _atomic(target, writable_format(target)) as tmp:
        yield tmp


@contextlib.contextmanager
def _atomic(path: Path, driver: str) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place if the block succeeds.

    On any failure the temporary files are removed and ``path`` (with a Shapefile's
    sidecars) is left exactly as it was.
    """
    token = uuid.uuid4().hex[:12]
    tmp = path.with_name(f".{path.stem}.{token}.tmp{path.suffix.lower()}")
    kept = "the file is as it was" if _exists(path, driver) else "nothing was written"
    try:
        yield tmp
        if driver == FORMATS[".shp"]:
            _replace_shapefile(tmp, path)
        else:
            with contextlib.suppress(OSError):
                if path.exists():
                    shutil.copymode(path, tmp)
            os.replace(tmp, path)
    except BaseException as exc:
        _remove_tmp(tmp)
        if not isinstance(exc, Exception):
            raise
        if isinstance(exc, LandassetError) and not isinstance(exc, LandassetIOError):
            raise
        import sqlite3

        if isinstance(exc, (OSError, RuntimeError, ValueError, TypeError, sqlite3.Error)):
            detail = _failure_detail(exc, path)
            error = LandassetIOError(f"could not write {path}: {detail}; {kept}")
            error._write_detail = detail  # type: ignore[attr-defined]  # read by an outer write
            raise error from exc
        raise


def _failure_detail(exc: BaseException, path: Path) -> str:
    """Why a write failed, in words: a full disk is named as such, whatever layer saw it.

    A failure already explained by an inner atomic write (a temporary file written
    inside another) keeps that explanation instead of repeating "could not write".
    """
    import sqlite3

    inner = getattr(exc, "_write_detail", None)
    if inner is not None:
        return str(inner)
    cause: BaseException | None = exc
    while cause is not None:
        full = (isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT)) or (
            isinstance(cause, sqlite3.Error)
            and (
                getattr(cause, "sqlite_errorcode", None) == getattr(sqlite3, "SQLITE_FULL", 13)
                or "database or disk is full" in str(cause)
            )
        )
        if full:
            return f"the disk holding {path.parent.resolve()} is full ({cause})"
        cause = cause.__cause__
    return str(exc).rstrip(". ")


def _replace_shapefile(tmp: Path, path: Path) -> None:
    """Move the new Shapefile's files over the old ones; restore the old ones on failure."""
    upper = path.suffix.isupper()
    old = [
        candidate
        for ext in dict.fromkeys((*_SHP_WRITTEN, *_SHP_STALE))
        for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper()))
        if candidate.exists()
    ]
    backups: list[tuple[Path, Path]] = []
    moved: list[Path] = []
    try:
        for original in old:
            backup = tmp.parent / f"{tmp.stem}.old{original.suffix}"
            os.replace(original, backup)
            backups.append((backup, original))
        for ext in _SHP_WRITTEN:
            src = tmp.with_suffix(ext)
            if src.exists():
                dest = path.with_suffix(ext.upper() if upper else ext)
                os.replace(src, dest)
                moved.append(dest)
    except BaseException:
        for dest in moved:
            with contextlib.suppress(OSError):
                dest.unlink()
        for backup, original in backups:
            with contextlib.suppress(OSError):
                os.replace(backup, original)
        raise
    for backup, _ in backups:
        with contextlib.suppress(OSError):
            backup.unlink()


def _remove_tmp(tmp: Path) -> None:
    prefix = tmp.name[: -len(tmp.suffix)]
    for entry in tmp.parent.iterdir():
        if entry.name == tmp.name or entry.name.startswith(prefix + "."):
            with contextlib.suppress(OSError):
                if entry.is_dir():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()


def _add_gpkg_layer(
    frame: gpd.GeoDataFrame, path: Path, name: str, geometry_type: str | None, *, replace: bool
) -> None:
    """Add or replace one layer of a GeoPackage that holds others, without risking them.

    The file is copied (with SQLite's online backup, so a ledger in WAL mode is copied
    consistently), the layer is written into the copy, and the copy is moved over the
    file with :func:`os.replace`. Until that rename the file is untouched; any failure
    removes the copy.
    """
    with _atomic(path, "GPKG") as tmp:
        _copy_sqlite(path, tmp)
        _ogr_write(
            frame,
            tmp,
            driver="GPKG",
            layer=name,
            encoding=None,
            geometry_type=geometry_type,
            layer_options=None,
        )
        _write_styles(tmp, {name: frame})


def _copy_sqlite(src: Path, dest: Path) -> None:
    """A consistent copy of an SQLite database (GeoPackage) at ``dest``."""
    import sqlite3

    try:
        source = sqlite3.connect(f"file:{src.resolve().as_posix()}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(dest)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if code == getattr(sqlite3, "SQLITE_FULL", 13):
            raise OSError(errno.ENOSPC, f"no space left to copy {src.name}") from exc
        raise OSError(f"could not copy {src.name}: {exc}") from exc


def _write_styles(path: Path, frames: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Store the default QGIS style of each styleable layer; drop stale ones."""
    import sqlite3

    from landasset import styles

    found = {name: styles.default_style(frame, name) for name, frame in frames.items()}
    try:
        styles.remove_layer_styles(path, [name for name, style in found.items() if style is None])
        styles.write_layer_styles(path, [style for style in found.values() if style is not None])
    except sqlite3.Error as exc:
        raise LandassetIOError(f"could not store the QGIS styles in {path}: {exc}") from exc


# io sits below site and never imports it: ``landasset.io.read_site`` says where
# read_site lives instead of reaching up for it
__getattr__, __dir__ = attach(
    __name__,
    {},
    moved={
        "read_site": "a whole GeoPackage becomes a Site with landasset.read_site "
        "(landasset.site.read_site)"
    },
)
