"""Layers in PostGIS: a site's layers as tables of one PostgreSQL schema, styled for QGIS.

A database is named by a URL, ``postgresql://user@host/dbname`` (a unix socket folder
as ``?host=/path``, the schema as ``?schema=name``, default ``public``).
:func:`write_layer` writes one GeoDataFrame as a table, :func:`write_layers` several
in one transaction, :func:`read_layers` reads them back, and
:func:`landasset.read_site` / :meth:`landasset.Site.to_postgis` do the same for a
whole site. Each table gets

* a ``fid`` identity primary key (QGIS needs one), a ``geom`` column typed with its
  geometry type and SRID, a spatial (GiST) index and an index on the layer's id;
* the Chinese alias of every known column as its column comment, and the layer's
  Chinese name as the table comment;
* for the known layer kinds, its default QGIS style as the default row of QGIS's
  own ``public.layer_styles`` table, so QGIS opens the layer styled from the
  database;
* read rights for the ledger's roles (``landasset db init``): every role reads the
  layers, the recorder may add parcels (a split or merge), the admin writes them.

The driver is psycopg 3 (``pip install 'landasset[postgis]'``), used directly:
geometries travel as WKB through ``COPY``, so neither SQLAlchemy nor GeoAlchemy2 is
needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from landasset._errors import LandassetIOError, LandassetPermissionError, LandassetValueError
from landasset._postgres import check_name, connect, psycopg, quote_identifier, redacted
from landasset.schema import LAYERS

__all__ = [
    "GEOMETRY_COLUMN",
    "KEY_COLUMN",
    "LAYER_STYLES_SQL",
    "list_tables",
    "read_layer",
    "read_layers",
    "write_layer",
    "write_layers",
]

#: The geometry column of the tables landasset writes.
GEOMETRY_COLUMN = "geom"
#: The key column of the tables landasset writes.
KEY_COLUMN = "fid"
_ROLES = ("landasset_reader", "landasset_recorder", "landasset_admin")

#: QGIS's own ``public.layer_styles`` table (as QGIS creates it for PostgreSQL).
LAYER_STYLES_SQL = """CREATE TABLE IF NOT EXISTS public.layer_styles (
    id serial PRIMARY KEY,
    f_table_catalog varchar,
    f_table_schema varchar,
    f_table_name varchar,
    f_geometry_column varchar,
    stylename text,
    styleqml xml,
    stylesld xml,
    useasdefault boolean,
    description text,
    owner varchar(63) DEFAULT CURRENT_USER,
    ui xml,
    update_time timestamp DEFAULT CURRENT_TIMESTAMP,
    type varchar
)"""


# -- writing -------------------------------------------------------------------------------
def write_layer(gdf: gpd.GeoDataFrame, url: str, *, layer: str, overwrite: bool = False) -> str:
    """Write a layer as a table of the URL's schema; the table name.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer; it must have a CRS with an EPSG code. A named index (``parcel_id``)
        is written as a column.
    url : str
        ``postgresql://…`` (``?schema=`` picks the schema, created when missing).
    layer : str
        The table name (a plain name: letters, digits, underscores).
    overwrite : bool, default False
        Replace an existing table of that name.

    Raises
    ------
    LandassetIOError
        The table exists and ``overwrite`` is False; the database cannot be reached.
    LandassetPermissionError
        The role may not create or replace the table.
    """
    return write_layers({layer: gdf}, url, overwrite=overwrite)[0]


def write_layers(
    layers: Mapping[str, gpd.GeoDataFrame], url: str, *, overwrite: bool = False
) -> list[str]:
    """Write several layers in one transaction (all or none); their table names."""
    for name in layers:
        check_name(name, "the layer name")
    con, schema = connect(url)
    driver = psycopg()
    try:
        with con.transaction():
            con.execute("SET LOCAL client_min_messages = warning")
            # CREATE … IF NOT EXISTS needs the right to create even when nothing is made
            if not con.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
            ).fetchone():
                con.execute(f"CREATE SCHEMA {quote_identifier(schema)}")
            if not con.execute("SELECT to_regclass('public.layer_styles')").fetchone()[0]:
                con.execute(LAYER_STYLES_SQL)
            roles = _existing_roles(con)
            for name, gdf in layers.items():
                _write_one(con, schema, name, gdf, overwrite=overwrite, roles=roles)
    except driver.errors.InsufficientPrivilege as exc:
        raise LandassetPermissionError(
            f"cannot write layers to {redacted(url)}: {str(exc).strip()}; layers are written "
            "by an admin (`landasset db grant URL NAME --role admin`) or the owner"
        ) from None
    except driver.errors.DuplicateTable:
        raise LandassetIOError(
            f"a layer of that name already exists in schema {schema!r} of {redacted(url)}; "
            "pass overwrite=True (--overwrite) to replace it"
        ) from None
    finally:
        con.close()
    return list(layers)


def _existing_roles(con: Any) -> list[str]:
    rows = con.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (list(_ROLES),))
    return [r[0] for r in rows.fetchall()]


def _pg_type(col: pd.Series) -> str:
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        values = col.dropna()
        if getattr(dtype, "tz", None) is not None:
            return "timestamptz"
        if len(values) and (values.dt.normalize() == values).all():
            return "date"
        return "timestamp"
    values = col.dropna()
    if len(values) and all(isinstance(v, (bool, np.bool_)) for v in values):
        return "boolean"
    if len(values) and all(
        isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in values
    ):
        return "date"
    return "text"


def _cell(value: Any, typ: str) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if typ == "date" and isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if typ == "text" and not isinstance(value, str):
        return str(value)
    return value


def _geometry_type(geoms: gpd.GeoSeries) -> str:
    types = set(geoms.dropna().geom_type.unique()) - {None}
    if len(types) == 1:
        return str(next(iter(types)))
    if types <= {"Polygon", "MultiPolygon"}:
        return "MultiPolygon"
    if types <= {"LineString", "MultiLineString"}:
        return "MultiLineString"
    if types <= {"Point", "MultiPoint"}:
        return "MultiPoint"
    return "Geometry"


def _write_one(
    con: Any,
    schema: str,
    name: str,
    gdf: gpd.GeoDataFrame,
    *,
    overwrite: bool,
    roles: list[str],
) -> None:
    from psycopg import sql

    from landasset import styles

    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.crs is None:
        raise LandassetValueError(
            f"layer {name!r} needs a GeoDataFrame with a CRS; set one with .set_crs()"
        )
    epsg = CRS.from_user_input(gdf.crs).to_epsg()
    if epsg is None:
        raise LandassetValueError(
            f"layer {name!r} is in a CRS without an EPSG code; PostGIS stores an SRID: "
            "reproject it with .to_crs('EPSG:4549') (or another EPSG code) first"
        )
    named = any(n is not None for n in gdf.index.names)
    frame = gdf.reset_index() if named else gdf.reset_index(drop=True)
    geo = frame.geometry.name
    columns = [c for c in frame.columns if c != geo]
    for c in columns:
        if str(c).lower() in (KEY_COLUMN, GEOMETRY_COLUMN):
            raise LandassetValueError(
                f"layer {name!r} has a column {c!r}: the name is the table's own; rename it"
            )
    geom_type = _geometry_type(frame.geometry)
    geoms = frame.geometry.to_numpy()
    if geom_type.startswith("Multi"):
        single = geom_type[len("Multi") :]
        part_type, maker = {
            "Polygon": (shapely.GeometryType.POLYGON, shapely.multipolygons),
            "LineString": (shapely.GeometryType.LINESTRING, shapely.multilinestrings),
            "Point": (shapely.GeometryType.POINT, shapely.multipoints),
        }[single]
        is_single = shapely.get_type_id(geoms) == part_type
        if is_single.any():
            geoms = geoms.copy()
            parts = geoms[is_single]
            geoms[is_single] = maker(parts, indices=np.arange(len(parts)))
    types = {c: _pg_type(frame[c]) for c in columns}
    table = sql.Identifier(schema, name)
    if overwrite:
        con.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        con.execute(
            "DELETE FROM public.layer_styles WHERE f_table_schema = %s AND f_table_name = %s",
            (schema, name),
        )
    defs = [
        sql.SQL("{} bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY").format(
            sql.Identifier(KEY_COLUMN)
        )
    ]
    defs += [sql.SQL("{} " + types[c]).format(sql.Identifier(str(c))) for c in columns]
    defs.append(
        sql.SQL("{} geometry(" + geom_type + ", " + str(int(epsg)) + ")").format(
            sql.Identifier(GEOMETRY_COLUMN)
        )
    )
    con.execute(sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(", ").join(defs)))
    names = [str(c) for c in columns] + [GEOMETRY_COLUMN]
    wkb = shapely.to_wkb(shapely.set_srid(geoms, int(epsg)), hex=True, include_srid=True)
    values = [frame[c].to_numpy(dtype=object) for c in columns]
    with con.cursor().copy(
        sql.SQL("COPY {} ({}) FROM STDIN").format(
            table, sql.SQL(", ").join(sql.Identifier(n) for n in names)
        )
    ) as copy:
        for i in range(len(frame)):
            copy.write_row(
                [_cell(v[i], types[c]) for v, c in zip(values, columns, strict=True)]
                + [None if geoms[i] is None else wkb[i]]
            )
    index = sql.Identifier(f"{name}_{GEOMETRY_COLUMN}_idx")
    con.execute(
        sql.SQL("CREATE INDEX {} ON {} USING gist ({})").format(
            index, table, sql.Identifier(GEOMETRY_COLUMN)
        )
    )
    spec = LAYERS.get(name)
    if spec is not None and spec.id_column in columns:
        con.execute(
            sql.SQL("CREATE INDEX {} ON {} ({})").format(
                sql.Identifier(f"{name}_{spec.id_column}_idx"),
                table,
                sql.Identifier(spec.id_column),
            )
        )
    # Chinese names: the table's and each known column's, as comments
    style = styles.default_style(gdf, name)
    aliases = styles.field_aliases([str(c) for c in columns], theme=style.theme if style else None)
    if spec is not None and spec.label_zh:
        con.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(table, sql.Literal(spec.label_zh)))
    for column, alias in aliases.items():
        con.execute(
            sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                table, sql.Identifier(column), sql.Literal(alias)
            )
        )
    if style is not None:
        # ``type`` stays NULL: QGIS looks a layer's style up by catalog, schema, table,
        # geometry column and ``(type = <its URI's geometry type> OR type IS NULL)``, and
        # a URI without ``type=`` (a layer added by table name) asks for 'Unknown
        # geometry', so 'Polygon' would be found from the Browser only; NULL from both.
        con.execute(
            "UPDATE public.layer_styles SET useasdefault = false "
            "WHERE f_table_schema = %s AND f_table_name = %s",
            (schema, name),
        )
        con.execute(
            "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, stylename, styleqml, stylesld, useasdefault, description, type) "
            "VALUES (current_database(), %s, %s, %s, %s, XMLPARSE(DOCUMENT %s), NULL, true, %s, "
            "NULL)",
            (
                schema,
                name,
                GEOMETRY_COLUMN,
                f"{name} ({style.theme})",
                _strip_doctype(style.qml),
                style.description,
            ),
        )
    for role in roles:
        con.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(table, sql.Identifier(role)))
    if "landasset_admin" in roles:
        con.execute(sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO landasset_admin").format(table))
    if name == "parcels" and "landasset_recorder" in roles:
        # a split or merge adds the new parcels to the layer in the ledger's transaction
        con.execute(sql.SQL("GRANT INSERT ON {} TO landasset_recorder").format(table))
    writers = [r for r in roles if r in ("landasset_recorder", "landasset_admin")]
    if writers:
        seq = con.execute(
            "SELECT pg_get_serial_sequence(%s, %s)",
            (f"{quote_identifier(schema)}.{quote_identifier(name)}", KEY_COLUMN),
        ).fetchone()[0]
        con.execute(
            sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(
                sql.SQL(seq), sql.SQL(", ").join(sql.Identifier(r) for r in writers)
            )
        )
    if roles:
        con.execute(
            sql.SQL("GRANT SELECT ON public.layer_styles TO {}").format(
                sql.SQL(", ").join(sql.Identifier(r) for r in roles)
            )
        )


def _strip_doctype(qml: str) -> str:
    """The QML without its ``<!DOCTYPE …>`` line (PostgreSQL's xml type refuses DTDs)."""
    lines = [line for line in qml.splitlines() if not line.lstrip().startswith("<!DOCTYPE")]
    return "\n".join(lines)


# -- reading -------------------------------------------------------------------------------
def list_tables(url: str) -> list[str]:
    """The geometry tables of the URL's schema: the known layer kinds first, in their
    order, then the others by name."""
    con, schema = connect(url)
    try:
        return _tables(con, schema)
    finally:
        con.close()


def _tables(con: Any, schema: str) -> list[str]:
    rows = con.execute(
        "SELECT f_table_name FROM public.geometry_columns WHERE f_table_schema = %s",
        (schema,),
    ).fetchall()
    names = {r[0] for r in rows}
    known = [k for k in LAYERS if k in names]
    return known + sorted(names - set(known))


def read_layer(url: str, *, layer: str) -> gpd.GeoDataFrame:
    """Read one table of the URL's schema as a GeoDataFrame (without its ``fid``)."""
    check_name(layer, "the layer name")
    con, schema = connect(url)
    try:
        if layer not in _tables(con, schema):
            from landasset._errors import LandassetKeyError

            raise LandassetKeyError(
                f"schema {schema!r} of {redacted(url)} has no layer {layer!r}; it has "
                f"{', '.join(_tables(con, schema)) or 'none'}"
            )
        return _read_one(con, schema, layer)
    finally:
        con.close()


def read_layers(url: str) -> dict[str, gpd.GeoDataFrame]:
    """Every geometry table of the URL's schema, by name (known layer kinds first)."""
    con, schema = connect(url)
    try:
        return {name: _read_one(con, schema, name) for name in _tables(con, schema)}
    finally:
        con.close()


def _read_one(con: Any, schema: str, name: str) -> gpd.GeoDataFrame:
    from psycopg import sql

    geo = con.execute(
        "SELECT f_geometry_column, srid FROM public.geometry_columns "
        "WHERE f_table_schema = %s AND f_table_name = %s LIMIT 1",
        (schema, name),
    ).fetchone()
    geom_col, srid = geo[0], int(geo[1])
    cols = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        (schema, name),
    ).fetchall()
    key = con.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = to_regclass(%s) AND i.indisprimary",
        (f"{quote_identifier(schema)}.{quote_identifier(name)}",),
    ).fetchone()
    skip = {geom_col} | ({key[0]} if key is not None and key[0] == KEY_COLUMN else set())
    attrs = [(c, t) for c, t in cols if c not in skip]
    select = [sql.Identifier(c) for c, _ in attrs] + [
        sql.SQL("ST_AsBinary({})").format(sql.Identifier(geom_col))
    ]
    order = sql.Identifier(key[0]) if key is not None else sql.SQL("1")
    rows = con.execute(
        sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
            sql.SQL(", ").join(select), sql.Identifier(schema, name), order
        )
    ).fetchall()
    data: dict[str, Any] = {}
    for j, (column, typ) in enumerate(attrs):
        values = [r[j] for r in rows]
        data[column] = _column(values, typ)
    blobs = np.array([None if r[-1] is None else bytes(r[-1]) for r in rows], dtype=object)
    geometry = shapely.from_wkb(blobs) if len(blobs) else np.array([], dtype=object)
    crs = CRS.from_epsg(srid) if srid > 0 else None
    return gpd.GeoDataFrame(
        pd.DataFrame(data, index=pd.RangeIndex(len(rows))) if data else None,
        geometry=gpd.GeoSeries(geometry, index=pd.RangeIndex(len(rows)), crs=crs),
        crs=crs,
    )


def _column(values: list[Any], typ: str) -> pd.Series:
    if typ in ("bigint", "integer", "smallint"):
        if any(v is None for v in values):
            return pd.Series(values, dtype="Int64")
        return pd.Series(values, dtype="int64")
    if typ in ("double precision", "real", "numeric"):
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    if typ == "boolean":
        if any(v is None for v in values):
            return pd.Series(values, dtype="boolean")
        return pd.Series(values, dtype="bool")
    if typ in ("date", "timestamp without time zone"):
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[ns]")
    if typ == "timestamp with time zone":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), utc=True))
    return pd.Series(values, dtype=object)
