"""The :class:`Site`: the layers of one district, validated, in one metric CRS.

Examples
--------
>>> import landasset as la
>>> site = la.sample.load("yunqi")
>>> site.crs.to_epsg()
4549
>>> len(site.parcels) >= 300
True
>>> site.parcels.index.name
'parcel_id'
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from landasset._buildings import building_floor_area
from landasset._errors import (
    CRSError,
    LandassetIOError,
    LandassetKeyError,
    LandassetValueError,
    SchemaError,
)
from landasset.crs import is_metric, local_crs
from landasset.schema import (
    LAYER_KINDS,
    LAYERS,
    Problem,
    ValidationReport,
    _check_crs_present,
    _nonfinite,
    empty_layer,
)
from landasset.schema import validate as validate_layer
from landasset.units import m2_to_mu

__all__ = ["Site", "read_site"]


class Site:
    """The layers of one district, each indexed by its id, all in one metric CRS.

    Parameters
    ----------
    parcels, buildings, axes, streets, transit_lines, stations, amenities, constraints, enterprises, spaces : GeoDataFrame, optional
        The layers (see :data:`landasset.schema.LAYERS` for their schemas). Each
        carries its id as a column (``parcel_id``, ...) or as an index of that name.
        An absent layer becomes an empty layer of the right schema. A space whose
        ``building_id`` is not in a non-empty buildings layer is an error.
    crs : CRS-like, optional
        The metric CRS to work in. By default the parcels' own CRS when it is
        projected, metric and not a Mercator projection; otherwise
        :func:`landasset.crs.local_crs` of the parcels (Hangzhou → EPSG:4549).
    fix : bool, default False
        Repair what can be repaired (see :func:`landasset.schema.validate`).
    validate : bool, default True
        Check every layer. ``False`` skips the checks (for large, trusted data):
        layers are still reprojected and indexed by their id.
    extra : mapping of str to GeoDataFrame, optional
        Other layers to keep beside the known ones (reprojected, not validated).
    datum : {"gcj02", "bd09"}, optional
        The layers' lon/lat are Chinese web-map coordinates (Amap/Tencent
        ``"gcj02"``, Baidu ``"bd09"``): convert every layer to true WGS84 first
        (each conversion is a note in ``report``). Every non-empty layer must be in
        EPSG:4326; points outside China are left unchanged, with an
        :class:`~landasset.OutsideChinaWarning`.

    Attributes
    ----------
    crs : pyproj.CRS
        The site's metric CRS.
    report : ValidationReport
        Every problem, repair and reprojection, across all layers.
    extra : dict of str to GeoDataFrame
        The layers that are not one of the ten kinds.

    Raises
    ------
    CRSError
        A non-empty layer has no CRS, ``crs`` is not a metric projected CRS, or
        ``datum`` is given and a layer is not in EPSG:4326.
    SchemaError
        Validation found errors; the full report is on the exception's ``.report``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["A-01"], "land_use": ["M1"]},
    ...     geometry=[box(120.0, 30.0, 120.001, 30.001)],
    ...     crs="EPSG:4326",
    ... )
    >>> site = Site(parcels=parcels)
    >>> site.crs.to_epsg()
    4549
    >>> site.report.repairs[0].problem
    'reprojected from EPSG:4326 to EPSG:4549'
    >>> len(site.buildings), site.buildings.index.name
    (0, 'building_id')
    """

    def __init__(
        self,
        *,
        parcels: gpd.GeoDataFrame | None = None,
        buildings: gpd.GeoDataFrame | None = None,
        axes: gpd.GeoDataFrame | None = None,
        streets: gpd.GeoDataFrame | None = None,
        transit_lines: gpd.GeoDataFrame | None = None,
        stations: gpd.GeoDataFrame | None = None,
        amenities: gpd.GeoDataFrame | None = None,
        constraints: gpd.GeoDataFrame | None = None,
        enterprises: gpd.GeoDataFrame | None = None,
        spaces: gpd.GeoDataFrame | None = None,
        crs: Any = None,
        fix: bool = False,
        validate: bool = True,
        extra: Mapping[str, gpd.GeoDataFrame] | None = None,
        datum: str | None = None,
    ) -> None:
        given = {
            "parcels": parcels,
            "buildings": buildings,
            "axes": axes,
            "streets": streets,
            "transit_lines": transit_lines,
            "stations": stations,
            "amenities": amenities,
            "constraints": constraints,
            "enterprises": enterprises,
            "spaces": spaces,
        }
        layers = {k: v for k, v in given.items() if v is not None}
        for kind, gdf in layers.items():
            if not isinstance(gdf, gpd.GeoDataFrame):
                raise SchemaError(
                    f"the {kind} layer is a {type(gdf).__name__}, not a GeoDataFrame; "
                    "build one with geopandas.GeoDataFrame(..., geometry=..., crs=...)"
                )
            _check_crs_present(gdf, kind)
        extra = dict(extra or {})
        for name, gdf in extra.items():
            _check_crs_present(gdf, name)
        datum_notes = _from_datum(layers, extra, datum)

        self.crs: CRS = _choose_crs(crs, layers)
        self.report = ValidationReport()
        self.report.extend(datum_notes)
        self._layers: dict[str, gpd.GeoDataFrame] = {}
        for kind in LAYER_KINDS:
            gdf = layers.get(kind)
            if gdf is None:
                self._layers[kind] = empty_layer(kind, self.crs)
                continue
            gdf = self._reproject(gdf, kind)
            if validate:
                layer_report = validate_layer(gdf, kind, fix=fix)
                self.report.extend(layer_report)
                assert layer_report.data is not None
                self._layers[kind] = layer_report.data
            else:
                self._layers[kind] = _index_by_id(gdf, kind)
        self.extra: dict[str, gpd.GeoDataFrame] = {
            name: self._reproject(gdf, name) for name, gdf in extra.items()
        }
        if validate:
            self.report.extend(
                _unknown_buildings(self._layers["spaces"], self._layers["buildings"])
            )
        self.report.raise_if_errors()

    # -- construction helpers ---------------------------------------------------------
    def _reproject(self, gdf: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
        if gdf.crs is None:  # only an empty layer gets here
            return gdf.set_crs(self.crs)
        if CRS.from_user_input(gdf.crs) == self.crs:
            return gdf
        source = _crs_name(gdf.crs)
        self.report.extend(
            [
                Problem(
                    kind,
                    None,
                    "geometry",
                    f"reprojected from {source} to {_crs_name(self.crs)}",
                    "none needed; the site works in one metric CRS",
                    "note",
                )
            ]
        )
        return gdf.to_crs(self.crs)

    # -- access -----------------------------------------------------------------------
    @property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The ten layers by kind (a new dict; the frames are the site's own)."""
        return dict(self._layers)

    def __getitem__(self, kind: str) -> gpd.GeoDataFrame:
        if kind in self._layers:
            return self._layers[kind]
        if kind in self.extra:
            return self.extra[kind]
        raise LandassetKeyError(
            f"{kind!r} is not a layer of this site; use one of: "
            + ", ".join(map(repr, [*LAYER_KINDS, *self.extra]))
        )

    def __contains__(self, kind: object) -> bool:
        return kind in self._layers or kind in self.extra

    @property
    def parcels(self) -> gpd.GeoDataFrame:
        """Parcels (地块), indexed by ``parcel_id``."""
        return self._layers["parcels"]

    @property
    def buildings(self) -> gpd.GeoDataFrame:
        """Buildings (建筑), indexed by ``building_id``."""
        return self._layers["buildings"]

    @property
    def axes(self) -> gpd.GeoDataFrame:
        """Axes (轴线), corridor streets, indexed by ``axis_id``."""
        return self._layers["axes"]

    @property
    def streets(self) -> gpd.GeoDataFrame:
        """The walkable street network, indexed by ``street_id``."""
        return self._layers["streets"]

    @property
    def transit_lines(self) -> gpd.GeoDataFrame:
        """Transit lines, indexed by ``line_id``."""
        return self._layers["transit_lines"]

    @property
    def stations(self) -> gpd.GeoDataFrame:
        """Transit stations, indexed by ``station_id``."""
        return self._layers["stations"]

    @property
    def amenities(self) -> gpd.GeoDataFrame:
        """Amenities (points of daily life), indexed by ``amenity_id``."""
        return self._layers["amenities"]

    @property
    def constraints(self) -> gpd.GeoDataFrame:
        """Constraint areas, indexed by ``constraint_id``."""
        return self._layers["constraints"]

    @property
    def enterprises(self) -> gpd.GeoDataFrame:
        """Enterprises (企业), tenants, indexed by ``enterprise_id``."""
        return self._layers["enterprises"]

    @property
    def spaces(self) -> gpd.GeoDataFrame:
        """Units of floor space to let (可招商空间), indexed by ``space_id``.

        >>> import landasset as la
        >>> spaces = la.sample.load("yunqi").spaces
        >>> spaces.index.name, sorted(spaces["status"].unique())
        ('space_id', ['let', 'reserved', 'vacant'])
        """
        return self._layers["spaces"]

    def replace(self, **layers: gpd.GeoDataFrame) -> Site:
        """A new site with some layers replaced (validated and reprojected again).

        >>> import landasset as la
        >>> site = la.sample.load("yunqi")
        >>> smaller = site.replace(parcels=site.parcels.iloc[:10])
        >>> len(smaller.parcels), len(site.parcels) > 10
        (10, True)
        """
        unknown = set(layers) - set(LAYER_KINDS)
        if unknown:
            raise LandassetValueError(
                f"{sorted(unknown)} are not layer kinds; use one of: "
                + ", ".join(map(repr, LAYER_KINDS))
            )
        merged = {**self._layers, **layers}
        return Site(**merged, crs=self.crs, extra=self.extra)

    # -- description ------------------------------------------------------------------
    def summary(self, *, stages: Any = None, as_of: Any = None) -> pd.DataFrame:
        """One row per layer: rows, geometry types, extent, area and floor area.

        ``area_mu`` is the total polygon area in mu (parcels, buildings' footprints,
        constraints); ``gfa_m2`` the total gross floor area of the buildings in m²
        (``gfa_m2``, else footprint × floors, else footprint × round(height / 3.5)).

        Parameters
        ----------
        stages : Ledger or Series, optional
            Lifecycle stages (a :class:`~landasset.Ledger`, read on ``as_of``, or a
            Series of stage ids by ``parcel_id``). When given, retired parcels (split
            or merged parents, which stay in the layer for their history) are left
            out of the parcels' row, so that their ground is not counted twice next
            to their children's; a :class:`~landasset.RetiredParcelsWarning` names
            them and ``attrs["retired"]`` lists their ids.
        as_of : date-like, optional
            The day a ledger is read on (default: after its latest events).

        >>> import landasset as la
        >>> table = la.sample.load("yunqi").summary()
        >>> list(table.columns)
        ['rows', 'geometry_types', 'minx', 'miny', 'maxx', 'maxy', 'area_mu', 'gfa_m2']
        """
        from landasset._stages import live_mask, stage_series, warn_retired

        retired: list[Any] = []
        layers = {**self._layers, **self.extra}
        if stages is not None:
            parcels = self._layers["parcels"]
            live = live_mask(parcels.index, stage_series(stages, as_of))
            if not live.all():
                retired = parcels.index[~live].tolist()
                warn_retired(parcels.index[~live], what="the site summary", stacklevel=2)
                layers["parcels"] = parcels[live]
        rows = []
        for kind, gdf in layers.items():
            geoms = gdf.geometry
            types = ", ".join(sorted(set(geoms.geom_type.dropna()))) if len(gdf) else ""
            bounds = geoms.total_bounds if len(gdf) else np.full(4, np.nan)
            polygonal = kind in LAYERS and LAYERS[kind].geometry == "polygon"
            area = float(m2_to_mu(geoms.area.sum())) if polygonal else np.nan
            gfa = float(building_floor_area(gdf).sum()) if kind == "buildings" else np.nan
            rows.append([kind, len(gdf), types, *bounds, area, gfa])
        table = pd.DataFrame(
            rows,
            columns=[
                "layer",
                "rows",
                "geometry_types",
                "minx",
                "miny",
                "maxx",
                "maxy",
                "area_mu",
                "gfa_m2",
            ],
        ).set_index("layer")
        table.attrs["retired"] = retired
        return table

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self._layers.items() if len(v))
        return f"<Site crs={_crs_name(self.crs)} {counts or 'empty'}>"

    def _repr_html_(self) -> str:
        table = self.summary()
        head = "".join(
            f"<th>{h}</th>" for h in ("layer", "rows", "geometry", "area (亩)", "GFA (m²)")
        )
        body = "".join(
            f"<tr><td>{html.escape(str(kind))}</td><td>{row.rows:,}</td>"
            f"<td>{html.escape(row.geometry_types)}</td>"
            f"<td>{'' if np.isnan(row.area_mu) else f'{row.area_mu:,.1f}'}</td>"
            f"<td>{'' if np.isnan(row.gfa_m2) else f'{row.gfa_m2:,.0f}'}</td></tr>"
            for kind, row in table.iterrows()
        )
        return (
            f"<div><strong>Site</strong> in {html.escape(_crs_name(self.crs))} "
            f"({html.escape(self.crs.name)}) — {html.escape(self.report.summary())}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )

    # -- output -----------------------------------------------------------------------
    def to_file(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write every layer (and the extra ones) into one GeoPackage.

        Layer names are the layer kinds; empty layers are written too, so the file
        is a complete template. Only ``.gpkg`` holds a whole site.

        >>> import tempfile, pathlib, landasset as la
        >>> site = la.sample.load("yunqi")
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = site.to_file(pathlib.Path(tmp) / "copy.gpkg")
        ...     len(la.read_site(path).parcels) == len(site.parcels)
        True
        """
        from landasset.io import write_layers

        path = Path(path)
        if path.suffix.lower() != ".gpkg":
            raise LandassetIOError(
                f"a whole site is written to a GeoPackage, not {path.suffix or 'a file without extension'!r}; "
                "name the file *.gpkg, or write single layers with landasset.write_layer"
            )
        return write_layers({**self._layers, **self.extra}, path, overwrite=overwrite)

    def to_postgis(self, url: str, *, overwrite: bool = False) -> list[str]:
        """Write every layer (and the extra ones) as tables of a PostGIS schema.

        One transaction: all layers or none. Each table gets the layer's Chinese
        column aliases as comments and its default QGIS style in
        ``public.layer_styles``; see :mod:`landasset.postgis`.

        Parameters
        ----------
        url : str
            ``postgresql://user@host/dbname`` (``?schema=name``, default ``public``).
        overwrite : bool, default False
            Replace tables of the same names.

        Returns
        -------
        list of str
            The tables written, layer kinds first.
        """
        from landasset.postgis import write_layers as write_tables

        return write_tables({**self._layers, **self.extra}, url, overwrite=overwrite)


def read_site(
    path: str | Path,
    *,
    engine: str = "pyogrio",
    validate: bool = True,
    fix: bool = False,
    crs: Any = None,
    datum: str | None = None,
) -> Site:
    """Read a GeoPackage whose layer names are the layer kinds into a :class:`Site`.

    Layers with other names are kept aside in ``site.extra`` and named in the report;
    tables without geometry (such as a lifecycle ledger) are left in the file.

    Parameters
    ----------
    path : str or Path
        A ``.gpkg`` file, or a PostGIS schema as ``postgresql://user@host/dbname``
        (``?schema=name``; see :mod:`landasset.postgis`).
    engine : {"pyogrio", "fiona"}
        The reading engine.
    validate, fix, crs, datum
        As for :class:`Site`.

    Columns named by a Chinese alias (``地块编号`` → ``parcel_id``, see
    :data:`landasset.io.COLUMN_ALIASES`) are renamed on reading; each rename is a
    note in ``site.report``.

    Examples
    --------
    >>> import landasset as la
    >>> from landasset.sample import sample_path
    >>> site = la.read_site(sample_path("yunqi"))
    >>> site.crs.to_epsg()
    4549
    """
    from landasset._postgres import is_url

    if is_url(path):
        from landasset.postgis import read_layers as read_tables

        layers = read_tables(str(path))
    else:
        from landasset.io import read_layers

        layers = read_layers(path, engine=engine)
    known = {k: v for k, v in layers.items() if k in LAYERS}
    others = {k: v for k, v in layers.items() if k not in LAYERS}
    spatial = {
        k: v for k, v in others.items() if isinstance(v, gpd.GeoDataFrame) and v.geometry.name in v
    }
    site = Site(**known, crs=crs, fix=fix, validate=validate, extra=spatial, datum=datum)
    site.report.extend(
        [
            Problem(name, None, None, note, "none needed", "note")
            for name, gdf in layers.items()
            for note in gdf.attrs.get("notes", [])
        ]
    )
    for name in spatial:
        site.report.extend(
            [Problem(name, None, None, "not a layer kind", "kept aside in site.extra", "note")]
        )
    return site


# -- private helpers -------------------------------------------------------------------


def _unknown_buildings(spaces: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> list[Problem]:
    """An error for each space whose building is not in a non-empty buildings layer."""
    if not len(spaces) or not len(buildings) or "building_id" not in spaces.columns:
        return []
    ref = spaces["building_id"]
    unknown = ref.notna().to_numpy(dtype=bool) & ~ref.isin(buildings.index).to_numpy(dtype=bool)
    return [
        Problem(
            "spaces",
            str(space_id),
            "building_id",
            f"unknown building {building!r}",
            "correct building_id to a building of the buildings layer, or add the building",
            "error",
        )
        for space_id, building in zip(
            spaces.index[unknown].tolist(), ref[unknown].tolist(), strict=True
        )
    ]


def _index_by_id(gdf: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
    id_column = LAYERS[kind].id_column
    if id_column in gdf.columns:
        gdf = gdf.set_index(id_column)
    elif gdf.index.name != id_column:
        raise SchemaError(
            f"the {kind} layer has no {id_column!r} column or index; add one "
            "(validate=False cannot generate ids)"
        )
    gdf.index = gdf.index.astype(str)
    return gdf


def _from_datum(
    layers: dict[str, gpd.GeoDataFrame],
    extra: dict[str, gpd.GeoDataFrame],
    datum: str | None,
) -> list[Problem]:
    """Convert every non-empty layer from a web datum to WGS84, in place; the notes."""
    if datum is None:
        return []
    from landasset.io import _check_datum_name
    from landasset.io import _from_datum as convert

    _check_datum_name(datum)
    problems = []
    for group in (layers, extra):
        for name, gdf in group.items():
            if not len(gdf):
                continue
            notes: list[str] = []
            group[name] = convert(gdf, datum, f"the {name} layer", notes)
            problems += [
                Problem(name, None, "geometry", note, "none needed", "note") for note in notes
            ]
    return problems


def _crs_name(crs: Any) -> str:
    crs = CRS.from_user_input(crs)
    code = crs.to_epsg()
    return f"EPSG:{code}" if code else crs.name


def _choose_crs(crs: Any, layers: Mapping[str, gpd.GeoDataFrame]) -> CRS:
    if crs is not None:
        chosen = CRS.from_user_input(crs)
        if not is_metric(chosen):
            raise CRSError(
                f"a site works in a projected metric CRS; {_crs_name(chosen)} is not one "
                "(geographic and Mercator CRSs distort areas and distances). Leave crs=None "
                "to use landasset.crs.local_crs, or name a CGCS2000 Gauss-Kruger zone "
                "(EPSG:4534-4554) or a UTM zone"
            )
        return chosen
    order = ["parcels", *[k for k in LAYER_KINDS if k != "parcels"]]
    for kind in order:
        gdf = layers.get(kind)
        if gdf is None or not len(gdf) or shapely.is_empty(gdf.geometry.to_numpy()).all():
            continue
        own = CRS.from_user_input(gdf.crs)
        if is_metric(own):
            return own
        # NaN or infinite coordinates are reported by validation; they place nothing
        usable = ~_nonfinite(gdf.geometry.to_numpy())
        return local_crs(gdf[usable] if usable.any() else gdf)
    raise CRSError(
        "every layer is empty, so no CRS can be derived from the data; pass crs=, "
        "e.g. Site(crs='EPSG:4549')"
    )
