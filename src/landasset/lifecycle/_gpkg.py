"""GeoPackage plumbing for the ledger: geometry blobs, SQL functions, registration.

The ledger talks to the GeoPackage with the standard library's :mod:`sqlite3`, not
through GDAL, so that its events and the parcel-layer edits of a split or merge share
one SQLite transaction. That means doing by hand what GDAL does for its own
connections:

* encode geometries as GeoPackage binary (``GP`` header, SRS id, envelope, ISO WKB);
* provide the SQL functions ``ST_IsEmpty``, ``ST_MinX``, ``ST_MaxX``, ``ST_MinY`` and
  ``ST_MaxY`` that GDAL's R-tree triggers call, so inserts keep the spatial index right;
* create a minimal GeoPackage when the file does not exist yet, and register the
  ledger tables in ``gpkg_contents`` (as ``attributes``) and ``gpkg_data_columns``
  (aliases, JSON mime type, the stage list as an enum constraint) so QGIS lists them
  with readable names.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from landasset._errors import SchemaError
from landasset._sqlite import is_wal_file

__all__ = [
    "ParcelLayer",
    "create_geopackage",
    "encode_geometry",
    "envelope",
    "find_parcel_layer",
    "is_geopackage",
    "is_wal_file",
    "register_functions",
    "register_table",
]

_GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
_GPKG_USER_VERSION = 10400  # GeoPackage 1.4
_ENVELOPE_SIZES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_SCHEMA_EXTENSION = "http://www.geopackage.org/spec/#extension_schema"


# -- geometry blobs -----------------------------------------------------------------------
def encode_geometry(geom: BaseGeometry, srs_id: int, *, z: bool = False) -> bytes:
    """GeoPackage binary for one geometry: header, xy envelope, ISO WKB (little endian).

    >>> from shapely import box
    >>> blob = encode_geometry(box(0, 0, 2, 1), 4549)
    >>> blob[:2], envelope(blob)
    (b'GP', (False, 0.0, 2.0, 0.0, 1.0))
    """
    wkb = shapely.to_wkb(geom, output_dimension=3 if z else 2, byte_order=1, flavor="iso")
    if shapely.is_empty(geom):
        flags = 0x01 | 0x10  # little endian, empty, no envelope
        return b"GP" + bytes([0, flags]) + struct.pack("<i", srs_id) + wkb
    minx, miny, maxx, maxy = shapely.bounds(geom).tolist()
    flags = 0x01 | (1 << 1)  # little endian, xy envelope
    return (
        b"GP"
        + bytes([0, flags])
        + struct.pack("<i", srs_id)
        + struct.pack("<4d", minx, maxx, miny, maxy)
        + wkb
    )


def decode_geometry(blob: bytes) -> BaseGeometry:
    """The shapely geometry of a GeoPackage binary blob."""
    flags = blob[3]
    size = _ENVELOPE_SIZES.get((flags >> 1) & 0x07, 0)
    return shapely.from_wkb(bytes(blob[8 + size :]))


def envelope(blob: bytes | None) -> tuple[bool, float, float, float, float]:
    """``(empty, minx, maxx, miny, maxy)`` of a GeoPackage binary blob.

    Read from the header envelope when there is one, else from the WKB. An empty or
    missing geometry gives ``(True, nan, nan, nan, nan)``.
    """
    nan = float("nan")
    if blob is None or len(blob) < 8 or blob[:2] != b"GP":
        return (True, nan, nan, nan, nan)
    flags = blob[3]
    if flags & 0x10:
        return (True, nan, nan, nan, nan)
    code = (flags >> 1) & 0x07
    order = "<" if flags & 0x01 else ">"
    if code:
        minx, maxx, miny, maxy = struct.unpack(order + "4d", bytes(blob[8:40]))
        return (False, minx, maxx, miny, maxy)
    geom = decode_geometry(blob)
    if geom is None or geom.is_empty:
        return (True, nan, nan, nan, nan)
    bx = shapely.bounds(geom).tolist()
    return (False, bx[0], bx[2], bx[1], bx[3])


def _st_is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return int(envelope(blob)[0])


def _st_coord(index: int) -> Any:
    def func(blob: bytes | None) -> float | None:
        env = envelope(blob)
        return None if env[0] else env[index]

    return func


def register_functions(con: sqlite3.Connection) -> None:
    """Give ``con`` the SQL functions GDAL's GeoPackage R-tree triggers call."""
    con.create_function("ST_IsEmpty", 1, _st_is_empty, deterministic=True)
    con.create_function("ST_MinX", 1, _st_coord(1), deterministic=True)
    con.create_function("ST_MaxX", 1, _st_coord(2), deterministic=True)
    con.create_function("ST_MinY", 1, _st_coord(3), deterministic=True)
    con.create_function("ST_MaxY", 1, _st_coord(4), deterministic=True)


# -- the container ------------------------------------------------------------------------
def is_geopackage(con: sqlite3.Connection) -> bool:
    """True when the database has the GeoPackage core tables."""
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"gpkg_contents", "gpkg_spatial_ref_sys"} <= names


def create_geopackage(con: sqlite3.Connection) -> None:
    """Turn an empty database into a minimal, valid GeoPackage 1.4."""
    con.execute(f"PRAGMA application_id = {_GPKG_APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {_GPKG_USER_VERSION}")
    con.execute(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, "
        "srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL, "
        "organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)"
    )
    wgs84 = (
        'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
        'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
        'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
        'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
    )
    con.executemany(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                "Undefined cartesian SRS",
                -1,
                "NONE",
                -1,
                "undefined",
                "undefined cartesian coordinate reference system",
            ),
            (
                "Undefined geographic SRS",
                0,
                "NONE",
                0,
                "undefined",
                "undefined geographic coordinate reference system",
            ),
            (
                "WGS 84 geodetic",
                4326,
                "EPSG",
                4326,
                wgs84,
                "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
            ),
        ],
    )
    con.execute(
        "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, "
        "data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '', "
        "last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
        "min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER, "
        "CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))"
    )
    con.execute(
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
        "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, "
        "m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), "
        "CONSTRAINT uk_gc_table_name UNIQUE (table_name), "
        "CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name), "
        "CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))"
    )


def _ensure_schema_extension(con: sqlite3.Connection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
        "extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
        "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, "
        "column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, mime_type TEXT, "
        "constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
        "CONSTRAINT gdc_tn UNIQUE (table_name, name))"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL, "
        "constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, "
        "max NUMERIC, max_is_inclusive BOOLEAN, description TEXT, "
        "CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))"
    )
    for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
        # (table, NULL, name) rows are not caught by the UNIQUE constraint: NULLs differ
        con.execute(
            "INSERT INTO gpkg_extensions SELECT ?, NULL, 'gpkg_schema', ?, 'read-write' "
            "WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = ? "
            "AND column_name IS NULL AND extension_name = 'gpkg_schema')",
            (table, _SCHEMA_EXTENSION, table),
        )


@dataclass(frozen=True)
class Column:
    """A ledger table column as GeoPackage clients should show it."""

    name: str
    alias: str
    description: str
    mime_type: str | None = None
    constraint: str | None = None


def register_table(
    con: sqlite3.Connection,
    table: str,
    *,
    description: str,
    columns: Sequence[Column],
    enums: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Register an attribute table in ``gpkg_contents`` and describe its columns.

    ``enums`` maps a constraint name to ``{value: description}``; columns naming that
    constraint get it in ``gpkg_data_columns`` (GDAL reads it as a coded field
    domain, QGIS as a value map).
    """
    con.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES (?, 'attributes', ?, ?)",
        (table, table, description),
    )
    _ensure_schema_extension(con)
    for constraint, values in (enums or {}).items():
        con.executemany(
            "INSERT OR IGNORE INTO gpkg_data_column_constraints "
            "(constraint_name, constraint_type, value, description) VALUES (?, 'enum', ?, ?)",
            [(constraint, value, text) for value, text in values.items()],
        )
    con.executemany(
        "INSERT OR IGNORE INTO gpkg_data_columns "
        "(table_name, column_name, name, title, description, mime_type, constraint_name) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (table, c.name, c.alias, c.alias, c.description, c.mime_type, c.constraint)
            for c in columns
        ],
    )


def touch(con: sqlite3.Connection, table: str) -> None:
    """Set ``gpkg_contents.last_change`` of ``table`` to now."""
    con.execute(
        "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') "
        "WHERE table_name = ?",
        (table,),
    )


# -- the parcel layer ---------------------------------------------------------------------
def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class ParcelLayer:
    """The ``parcels`` feature table of a GeoPackage, as seen through sqlite3."""

    table: str
    geometry_column: str
    geometry_type: str
    srs_id: int
    z: bool
    fid_column: str
    columns: tuple[str, ...]

    def rows(self, con: sqlite3.Connection, parcel_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The rows of ``parcel_ids`` (by id) as column → value dicts."""
        out: dict[str, dict[str, Any]] = {}
        cols = ", ".join(quote_identifier(c) for c in self.columns)
        for pid in parcel_ids:
            cur = con.execute(
                f"SELECT {cols} FROM {quote_identifier(self.table)} WHERE parcel_id = ? "
                f"ORDER BY {quote_identifier(self.fid_column)} DESC LIMIT 1",
                (pid,),
            )
            row = cur.fetchone()
            if row is not None:
                out[pid] = dict(zip(self.columns, row, strict=True))
        return out

    def fit(self, geom: BaseGeometry) -> BaseGeometry:
        """``geom`` in the layer's geometry type (a Polygon becomes a one-part
        MultiPolygon in a MULTIPOLYGON layer); SchemaError when it cannot be."""
        kind = self.geometry_type.upper()
        if kind == "MULTIPOLYGON" and geom.geom_type == "Polygon":
            return shapely.MultiPolygon([geom])
        if kind == "POLYGON" and geom.geom_type == "MultiPolygon":
            parts = shapely.get_parts(geom)
            if len(parts) == 1:
                return parts[0]
            raise SchemaError(
                f"the {self.table} layer holds single Polygons; this MultiPolygon has "
                f"{len(parts)} parts: give one polygon per parcel"
            )
        return geom

    def insert(
        self,
        con: sqlite3.Connection,
        template: Mapping[str, Any],
        parcel_id: str,
        geom: BaseGeometry,
    ) -> None:
        """Insert a parcel copying ``template``'s attributes, with a new id and geometry."""
        geom = self.fit(geom)
        values = {c: template.get(c) for c in self.columns if c != self.fid_column}
        values["parcel_id"] = parcel_id
        values[self.geometry_column] = encode_geometry(geom, self.srs_id, z=self.z)
        names = list(values)
        con.execute(
            f"INSERT INTO {quote_identifier(self.table)} ({', '.join(quote_identifier(n) for n in names)}) "
            f"VALUES ({', '.join('?' for _ in names)})",
            [values[n] for n in names],
        )
        minx, miny, maxx, maxy = shapely.bounds(geom).tolist()
        con.execute(
            "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), "
            "min_y = min(coalesce(min_y, ?), ?), max_x = max(coalesce(max_x, ?), ?), "
            "max_y = max(coalesce(max_y, ?), ?), "
            "last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = ?",
            (minx, minx, miny, miny, maxx, maxx, maxy, maxy, self.table),
        )

    def geometry(self, row: Mapping[str, Any]) -> BaseGeometry | None:
        """The shapely geometry of a row from :meth:`rows`."""
        blob = row.get(self.geometry_column)
        return None if blob is None else decode_geometry(blob)


def find_parcel_layer(con: sqlite3.Connection, name: str = "parcels") -> ParcelLayer | None:
    """The GeoPackage's parcel feature table, or None when it has none."""
    if not is_geopackage(con):
        return None
    found = con.execute(
        "SELECT c.table_name, g.column_name, g.geometry_type_name, g.srs_id, g.z "
        "FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name "
        "WHERE c.data_type = 'features' AND lower(c.table_name) = lower(?)",
        (name,),
    ).fetchone()
    if found is None:
        return None
    table, geom_col, geom_type, srs_id, z = found
    info = con.execute(f"PRAGMA table_info({quote_identifier(table)})").fetchall()
    columns = tuple(r[1] for r in info)
    fid = next((r[1] for r in info if r[5] == 1), "fid")
    if "parcel_id" not in columns:
        return None
    return ParcelLayer(table, geom_col, geom_type, int(srs_id), bool(z == 1), fid, columns)


def areas(geoms: Sequence[BaseGeometry | None]) -> np.ndarray:
    """Areas of geometries (NaN for None)."""
    arr = np.array(list(geoms), dtype=object)
    return np.asarray(shapely.area(arr), dtype=float)
