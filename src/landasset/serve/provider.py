"""The pygeoapi feature provider that serves a site's layers through the library.

:class:`LandassetProvider` is a pygeoapi ``BaseProvider`` plugin. Each collection of a
``landasset serve`` configuration names it with ``options: {view: ...}``:

* a layer kind (``parcels``, ``buildings``, ...): the layer as the library reads it
  (:func:`landasset.read_site`: Chinese column aliases renamed, one metric CRS);
* ``stages``: the parcels with their lifecycle stage on the day given as the request's
  ``datetime`` (the latest stage without one), read from the ledger by
  :meth:`landasset.Ledger.stages`;
* ``events``: the ledger's events (geometry: their parcel's), and the one editable
  collection: an OGC API – Features Part 4 *create* (``POST .../items`` with a GeoJSON
  feature) records a lifecycle event with :meth:`landasset.Ledger.record`.

Coordinates come out in the CRS the request asks for (OGC API – Features Part 2), in
that CRS's own axis order: CRS84 is (lon, lat); the site's CGCS2000 Gauss-Krüger CRS
(EPSG:4549 …) is (northing, easting), as its EPSG definition orders them. Bounding boxes
reach the provider in the storage CRS (the site's), in the same order.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from pygeoapi.provider.base import (
    BaseProvider,
    ProviderGenericError,
    ProviderInvalidQueryError,
    ProviderItemNotFoundError,
)
from pyproj import CRS

from landasset.serve._json import records as rows
from landasset.serve._site import open_ledger, site_for
from landasset.serve.access import PRINCIPAL_KEY

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd

__all__ = ["DATED_VIEWS", "VIEWS", "LandassetProvider", "as_of_day", "http_error", "view_frame"]

LOGGER = logging.getLogger(__name__)

#: The views that are not layers.
VIEWS = ("stages", "events")

#: What ``datetime`` means per view: the as-of day of stages, the last day of events,
#: the day by which stations and lines are open. Other collections have no dates.
DATED_VIEWS = {
    "stages": "the stage of each parcel on that day",
    "events": "the events dated on or before that day",
    "stations": "the stations open on that day",
    "transit_lines": "the lines open on that day",
}

#: The columns of the stages view besides the stage itself.
STAGE_COLUMNS = ("name", "land_use", "zone")

#: Event properties that are not event data.
EVENT_KEYS = ("parcel_id", "stage", "date", "actor")


def http_error(status: HTTPStatus, message: str) -> ProviderGenericError:
    """A pygeoapi provider error that answers with ``status`` and ``message``.

    pygeoapi reads the status and OGC code of a provider error from the error itself;
    a refused event is 400 (``InvalidParameterValue``), a write outside the caller's
    zones or without a caller 403 (``Forbidden``).

    Examples
    --------
    >>> error = http_error(HTTPStatus.FORBIDDEN, "not in your zones")
    >>> int(error.http_status_code), error.ogc_exception_code, error.message
    (403, 'Forbidden', 'not in your zones')
    """
    error = ProviderGenericError(user_msg=message)
    error.http_status_code = status
    error.ogc_exception_code = (
        "Forbidden" if status == HTTPStatus.FORBIDDEN else "InvalidParameterValue"
    )
    return error


def as_of_day(value: str | None, view: str) -> pd.Timestamp | None:
    """The day a request's ``datetime`` names for ``view`` (None when it names none).

    An RFC 3339 instant (``2024-05-01`` or ``2024-05-01T00:00:00Z``) is read as its
    day; an interval is refused, as is a date on a collection without dates.

    Examples
    --------
    >>> as_of_day("2024-05-01T00:00:00Z", "stages")
    Timestamp('2024-05-01 00:00:00')
    >>> as_of_day("2024-01-01/2024-12-31", "stages")
    Traceback (most recent call last):
    ...
    pygeoapi.provider.base.ProviderInvalidQueryError: ...
    """
    from landasset._dates import to_day

    if value is None:
        return None
    if view not in DATED_VIEWS:
        raise ProviderInvalidQueryError(
            user_msg=f"collection {view!r} has no dates; datetime applies to "
            + ", ".join(f"{k} ({v})" for k, v in DATED_VIEWS.items())
        )
    if "/" in value:
        raise ProviderInvalidQueryError(
            user_msg=f"datetime {value!r} is an interval; {view} take one day "
            f"(YYYY-MM-DD): {DATED_VIEWS[view]}"
        )
    try:
        return to_day(value[:10] if len(value) > 10 and value[10] in "Tt " else value)
    except ValueError as exc:
        raise ProviderInvalidQueryError(user_msg=f"datetime: {exc}") from exc


def view_frame(path: str, view: str, as_of: pd.Timestamp | None = None) -> gpd.GeoDataFrame:
    """The features of a view of the site in ``path``, in the site's CRS, indexed by id.

    Parameters
    ----------
    path : str
        The site's GeoPackage, or its PostGIS URL.
    view : str
        A layer kind or one of :data:`VIEWS`.
    as_of : Timestamp, optional
        The day (see :data:`DATED_VIEWS`).

    Examples
    --------
    >>> from landasset.sample import sample_path
    >>> stages = view_frame(str(sample_path("yunqi")), "stages", pd.Timestamp("2025-12-31"))
    >>> stages.loc["XH120101-01", ["stage", "stage_label"]].tolist()
    ['reserved', '入库储备']
    """
    import geopandas as gpd

    from landasset._vocab import STAGE_LABELS

    site = site_for(path)
    if view == "stages":
        parcels = site.parcels
        frame = gpd.GeoDataFrame(
            parcels[[c for c in STAGE_COLUMNS if c in parcels.columns]],
            geometry=parcels.geometry,
            crs=parcels.crs,
        )
        ledger = open_ledger(path, read_only=True)
        stages = pd.Series(dtype=object)
        if ledger is not None:
            with ledger:
                stages = ledger.stages(as_of=as_of)
        frame["stage"] = stages.reindex(frame.index).astype(object)
        frame["stage"] = frame["stage"].where(frame["stage"].notna(), None)
        frame["stage_label"] = [
            STAGE_LABELS[s][0] if s in STAGE_LABELS else None for s in frame["stage"]
        ]
        frame["as_of"] = None if as_of is None else as_of.strftime("%Y-%m-%d")
        return frame
    if view == "events":
        ledger = open_ledger(path, read_only=True)
        if ledger is None:
            events = pd.DataFrame(columns=["parcel_id", "stage", "date", "actor"])
            events.index.name = "event_id"
        else:
            with ledger:
                events = ledger.events(as_of=as_of)
        geometry = site.parcels.geometry.reindex(events["parcel_id"].astype(str)).to_numpy()
        frame = gpd.GeoDataFrame(events, geometry=geometry, crs=site.crs)
        frame.index = frame.index.astype(str)
        return frame
    layer = site[view]
    if as_of is not None and "opening_date" in layer.columns:
        opening = pd.to_datetime(layer["opening_date"], errors="coerce")
        layer = layer[opening.isna() | (opening <= as_of)]
    return layer


def _json_type(series: pd.Series) -> dict[str, Any]:
    if pd.api.types.is_bool_dtype(series):
        return {"type": "boolean"}
    if pd.api.types.is_integer_dtype(series):
        return {"type": "integer"}
    if pd.api.types.is_float_dtype(series):
        return {"type": "number"}
    if pd.api.types.is_datetime64_any_dtype(series):
        return {"type": "string", "format": "date"}
    return {"type": "string"}


def _north_first(crs: CRS) -> bool:
    axes = crs.axis_info
    return bool(axes) and axes[0].direction.lower() in ("north", "south")


_FIELDS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}


class LandassetProvider(BaseProvider):
    """pygeoapi feature provider over a landasset site (see the module's page).

    ``provider_def`` is pygeoapi's: ``data`` the site's GeoPackage, ``options.view`` a
    layer kind, ``"stages"`` or ``"events"``, ``storage_crs`` the site CRS's URI.
    """

    def __init__(self, provider_def: dict[str, Any]) -> None:
        super().__init__(provider_def)
        options = self.options or {}
        self.view = str(options.get("view", ""))
        self.path = str(self.data)
        self.site = site_for(self.path)
        if self.view not in VIEWS and self.view not in self.site.layers:
            raise ProviderGenericError(
                user_msg=f"the site has no layer {self.view!r}; serve one of "
                f"{sorted(self.site.layers)} or {list(VIEWS)}"
            )
        self.editable = self.view == "events" and bool(provider_def.get("editable", False))
        self.id_field = provider_def.get("id_field") or "id"
        self.storage_crs_uri = str(provider_def.get("storage_crs") or "")
        self._fields = self.get_fields()

    # -- metadata ------------------------------------------------------------------------
    def get_fields(self) -> dict[str, dict[str, Any]]:
        """Property names and their JSON types (worked out once per view and process)."""
        key = (self.path, self.view)
        if key not in _FIELDS:
            _FIELDS[key] = self._work_out_fields()
        return _FIELDS[key]

    def _work_out_fields(self) -> dict[str, dict[str, Any]]:
        if self.view == "events":
            return {
                "parcel_id": {"type": "string"},
                "stage": {"type": "string"},
                "date": {"type": "string", "format": "date"},
                "recorded_at": {"type": "string", "format": "date-time"},
                "actor": {"type": "string"},
            }
        frame = view_frame(self.path, self.view) if self.view == "stages" else self.site[self.view]
        return {
            str(c): _json_type(frame[c])
            for c in frame.columns
            if c != frame.geometry.name and c != self.id_field
        }

    # -- reads ---------------------------------------------------------------------------
    def query(
        self,
        offset: int = 0,
        limit: int = 10,
        resulttype: str = "results",
        bbox: list[float] | None = None,
        datetime_: str | None = None,
        properties: list[tuple[str, str]] | None = None,
        sortby: list[dict[str, str]] | None = None,
        select_properties: list[str] | None = None,
        skip_geometry: bool = False,
        q: str | None = None,
        crs_transform_spec: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Features of the view, filtered, sorted and paged (pygeoapi's query)."""
        frame = view_frame(self.path, self.view, as_of_day(datetime_, self.view))
        if bbox:
            frame = frame.iloc[self._in_bbox(frame, bbox)]
        for name, value in properties or []:
            if name == self.id_field:
                frame = frame[frame.index.astype(str) == str(value)]
            elif name in frame.columns:
                frame = frame[frame[name].astype(str) == str(value)]
            else:
                raise ProviderInvalidQueryError(
                    user_msg=f"{name!r} is not a property of {self.view}; "
                    f"use one of {sorted(self.fields)}"
                )
        if sortby:
            keys = [s["property"] for s in sortby]
            missing = [k for k in keys if k not in frame.columns]
            if missing:
                raise ProviderInvalidQueryError(
                    user_msg=f"cannot sort {self.view} by {missing}; use {sorted(self.fields)}"
                )
            frame = frame.sort_values(keys, ascending=[s.get("order", "+") != "-" for s in sortby])
        matched = len(frame)
        result: dict[str, Any] = {
            "type": "FeatureCollection",
            "features": [],
            "numberMatched": matched,
        }
        if resulttype == "hits":
            result["numberReturned"] = 0
            return result
        page = frame.iloc[offset : offset + limit]
        result["features"] = self._features(
            page, crs_transform_spec, select_properties, skip_geometry
        )
        result["numberReturned"] = len(result["features"])
        return result

    def get(self, identifier: str, crs_transform_spec: Any = None, **kwargs: Any) -> dict[str, Any]:
        """One feature by id (pygeoapi's get)."""
        frame = view_frame(self.path, self.view)
        key = str(identifier)
        if key not in frame.index:
            raise ProviderItemNotFoundError(user_msg=f"{self.view} has no item {key!r}")
        return self._features(frame.loc[[key]], crs_transform_spec, None, False)[0]

    def _in_bbox(self, frame: gpd.GeoDataFrame, bbox: list[float]) -> np.ndarray:
        from pyproj import Transformer

        minx, miny, maxx, maxy = (float(v) for v in bbox[:4])
        storage = self._storage()
        if _north_first(storage):  # the bbox comes in the storage CRS's axis order
            minx, miny, maxx, maxy = miny, minx, maxy, maxx
        site_crs = CRS(frame.crs)
        if storage != site_crs:
            to_site = Transformer.from_crs(storage, site_crs, always_xy=True)
            minx, miny, maxx, maxy = to_site.transform_bounds(minx, miny, maxx, maxy)
        hits = frame.sindex.query(shapely.box(minx, miny, maxx, maxy), predicate="intersects")
        return np.sort(hits)

    def _features(
        self,
        page: gpd.GeoDataFrame,
        spec: Any,
        select: list[str] | None,
        skip_geometry: bool,
    ) -> list[dict[str, Any]]:
        columns = [c for c in page.columns if c != page.geometry.name]
        if select:
            columns = [c for c in columns if c in select]
        records = rows(pd.DataFrame(page[columns]))
        geometries: list[Any] = [None] * len(page)
        if not skip_geometry:
            target = CRS.from_wkt(spec.target_crs_wkt) if spec is not None else self._storage()
            series = page.geometry.to_crs(target)
            values = series.to_numpy()
            if _north_first(target):
                values = shapely.transform(values, lambda xy: xy[:, ::-1])
            geometries = [
                None if g is None or shapely.is_empty(g) else shapely.geometry.mapping(g)
                for g in values
            ]
        return [
            {"type": "Feature", "id": str(fid), "geometry": geom, "properties": props}
            for fid, geom, props in zip(page.index, geometries, records, strict=True)
        ]

    def _storage(self) -> CRS:
        if not self.storage_crs_uri or self.storage_crs_uri.endswith("CRS84"):
            return CRS.from_user_input("OGC:CRS84")
        return CRS(self.site.crs)

    # -- writes --------------------------------------------------------------------------
    def create(self, item: Any) -> str:
        """Record the lifecycle event of a GeoJSON feature; its event id.

        ``properties`` hold ``parcel_id``, ``stage``, ``date`` and the event's data
        fields; the actor is the caller's name, passed on by the access middleware.
        """
        from landasset._errors import LandassetError

        try:
            feature = json.loads(item) if isinstance(item, (str, bytes)) else item
        except ValueError as exc:
            raise http_error(HTTPStatus.BAD_REQUEST, f"the body is not JSON: {exc}") from exc
        if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
            raise http_error(
                HTTPStatus.BAD_REQUEST,
                "an event is a GeoJSON Feature whose properties hold parcel_id, stage, "
                "date and the stage's fields",
            )
        caller = feature.get(PRINCIPAL_KEY)
        if not isinstance(caller, dict) or not caller.get("name"):
            raise http_error(
                HTTPStatus.FORBIDDEN,
                "events are recorded only through the server's access layer, with a recorder token",
            )
        props = dict(feature["properties"])
        missing = [k for k in ("parcel_id", "stage", "date") if props.get(k) in (None, "")]
        if missing:
            raise http_error(
                HTTPStatus.BAD_REQUEST,
                f"the event lacks {missing}; give parcel_id, stage and date "
                "(YYYY-MM-DD) in properties",
            )
        actor = str(caller["name"])
        if props.get("actor") not in (None, actor):
            raise http_error(
                HTTPStatus.BAD_REQUEST,
                f"the event names actor {props['actor']!r} but the token is "
                f"{actor!r}'s; leave actor out (the token's name is recorded)",
            )
        parcel_id = str(props.pop("parcel_id"))
        zones = caller.get("zones") or []
        if zones and caller.get("role") != "admin":
            zone = self.site.parcels["zone"].get(parcel_id) if "zone" in self.site.parcels else None
            if zone not in zones:
                raise http_error(
                    HTTPStatus.FORBIDDEN,
                    f"parcel {parcel_id!r} lies in zone {zone!r}; the token of "
                    f"{actor!r} may record only in {zones}",
                )
        stage = props.pop("stage")
        on = props.pop("date")
        props.pop("actor", None)
        db_role = caller.get("db_role")
        try:
            ledger = open_ledger(
                self.path, read_only=False, db_role=None if db_role is None else str(db_role)
            )
            assert ledger is not None
            with ledger:
                event = ledger.record(parcel_id, stage, on, actor=actor, **props)
        except PermissionError as exc:  # the database refused the role (privileges, RLS)
            raise http_error(HTTPStatus.FORBIDDEN, str(exc).strip("'\"")) from exc
        except (LandassetError, ValueError, TypeError, KeyError) as exc:
            raise http_error(HTTPStatus.BAD_REQUEST, str(exc).strip("'\"")) from exc
        LOGGER.info("recorded event %s: %s → %s by %s", event.event_id, parcel_id, stage, actor)
        return str(event.event_id)
