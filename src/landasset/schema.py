"""Layer schemas and their validation.

A district is made of ten kinds of layer (see :data:`LAYERS`). Each is a
GeoDataFrame whose index is the layer's stable id (``parcel_id``, ``building_id``,
...). Required columns are few; known optional columns are typed when present;
unknown columns are kept untouched.

:func:`validate` checks a layer and lists *every* problem at once, with the row id,
the column, what is wrong and what to do. Nothing is silently dropped: with
``fix=True`` the repairs it can make are made on a copy and each repaired or removed
row is reported.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> from landasset.schema import validate
>>> parcels = gpd.GeoDataFrame(
...     {"parcel_id": ["A-01", "A-01"], "land_use": ["M1", "Q7"]},
...     geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
...     crs="EPSG:4549",
... )
>>> report = validate(parcels, "parcels")
>>> report.ok
False
>>> [p.problem for p in report.problems]  # doctest: +NORMALIZE_WHITESPACE
['duplicate id', 'duplicate id', 'unknown land-use code']
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landasset._errors import CRSError, LandassetValueError, SchemaError
from landasset.landuse import is_known_land_use

__all__ = [
    "COLUMN_TYPES",
    "DEFAULT_OVERLAP_TOLERANCE_M2",
    "LAYERS",
    "LAYER_KINDS",
    "SEVERITIES",
    "SPACE_STATUSES",
    "LayerSpec",
    "Problem",
    "ValidationReport",
    "empty_layer",
    "validate",
]

#: Overlaps up to this area (m²) between parcels, or between buildings, are not
#: reported (slivers of digitising).
DEFAULT_OVERLAP_TOLERANCE_M2 = 1.0

#: The column types a schema can name.
COLUMN_TYPES: tuple[str, ...] = ("string", "float", "int", "bool", "date")

#: Problem severities: ``error`` blocks use; ``warning`` is worth a look; ``repaired``
#: and ``skipped`` record what ``fix=True`` changed or removed; ``note`` records a
#: change made by policy (a reprojection, polygons reduced to centroids).
SEVERITIES: tuple[str, ...] = ("error", "warning", "repaired", "skipped", "note")

Severity = Literal["error", "warning", "repaired", "skipped", "note"]

_GEOMETRY_FAMILY = {
    "polygon": ("Polygon", "MultiPolygon"),
    "line": ("LineString", "MultiLineString"),
    "point": ("Point",),
    # spaces: a unit's (or its building's) footprint, or a point; an empty template
    # is written as MultiPolygon (the last type)
    "polygon_or_point": ("Point", "Polygon", "MultiPolygon"),
}

#: The statuses of a unit of floor space (``spaces.status``): ``vacant`` (free to
#: let), ``reserved`` (held for a tenant in negotiation), ``let`` (leased).
SPACE_STATUSES: tuple[str, ...] = ("vacant", "reserved", "let")


@dataclass(frozen=True)
class LayerSpec:
    """The schema of one layer kind.

    Attributes
    ----------
    kind : str
        Layer kind, also its layer name in a GeoPackage (``"parcels"``).
    id_column : str
        The stable id, the index of the layer once validated.
    geometry : {"polygon", "line", "point", "polygon_or_point"}
        Geometry family; single and multi parts are both accepted for polygons and
        lines; ``"polygon_or_point"`` (spaces) accepts polygons and points.
    columns : Mapping[str, str]
        Known columns and their type (one of :data:`COLUMN_TYPES`).
    required : tuple of str
        Columns that must exist and hold a value on every row.
    required_any : tuple of str
        At least one of these columns must exist (buildings: floors, height or GFA).
    nonnegative : tuple of str
        Numeric columns that may not be negative.
    label_zh : str
        Chinese name of the layer.
    """

    kind: str
    id_column: str
    geometry: Literal["polygon", "line", "point", "polygon_or_point"]
    columns: Mapping[str, str]
    required: tuple[str, ...] = ()
    required_any: tuple[str, ...] = ()
    nonnegative: tuple[str, ...] = ()
    label_zh: str = ""

    @property
    def geometry_types(self) -> tuple[str, ...]:
        """The accepted shapely geometry type names."""
        return _GEOMETRY_FAMILY[self.geometry]


_ENTERPRISE_NUMBERS = (
    "tax_10k_cny",
    "revenue_10k_cny",
    "value_added_10k_cny",
    "energy_tce",
    "emissions_t",
    "rnd_10k_cny",
    "land_mu",
)

#: The ten layer kinds of a site, by name.
LAYERS: dict[str, LayerSpec] = {
    spec.kind: spec
    for spec in (
        LayerSpec(
            "parcels",
            "parcel_id",
            "polygon",
            {
                "name": "string",
                "land_use": "string",
                "far_min": "float",
                "far_max": "float",
                "height_max_m": "float",
                "coverage_min": "float",
                "green_max": "float",
                "zone": "string",
            },
            nonnegative=("far_min", "far_max", "height_max_m", "coverage_min", "green_max"),
            label_zh="地块",
        ),
        LayerSpec(
            "buildings",
            "building_id",
            "polygon",
            {
                "floors": "int",
                "height_m": "float",
                "gfa_m2": "float",
                "parcel_id": "string",
                "use": "string",
                "completed_year": "int",
            },
            required_any=("floors", "height_m", "gfa_m2"),
            nonnegative=("floors", "height_m", "gfa_m2"),
            label_zh="建筑",
        ),
        LayerSpec("axes", "axis_id", "line", {"name": "string", "kind": "string"}, label_zh="轴线"),
        LayerSpec(
            "streets", "street_id", "line", {"name": "string", "walkable": "bool"}, label_zh="街道"
        ),
        LayerSpec(
            "transit_lines",
            "line_id",
            "line",
            {"name": "string", "mode": "string", "opening_date": "date"},
            label_zh="轨道线路",
        ),
        LayerSpec(
            "stations",
            "station_id",
            "point",
            {"name": "string", "line_id": "string", "opening_date": "date"},
            label_zh="站点",
        ),
        LayerSpec(
            "amenities",
            "amenity_id",
            "point",
            {"category": "string", "name": "string"},
            required=("category",),
            label_zh="配套设施",
        ),
        LayerSpec(
            "enterprises",
            "enterprise_id",
            "point",
            {
                "industry": "string",
                "name": "string",
                "parcel_id": "string",
                "building_id": "string",
                "high_tech": "bool",
                "zjtx": "bool",
                "leading_industry": "bool",
                "year": "int",
                "employees": "int",
                **dict.fromkeys(_ENTERPRISE_NUMBERS, "float"),
            },
            required=("industry",),
            nonnegative=(
                "revenue_10k_cny",
                "employees",
                "energy_tce",
                "emissions_t",
                "rnd_10k_cny",
                "land_mu",
            ),
            label_zh="企业",
        ),
        LayerSpec(
            "constraints",
            "constraint_id",
            "polygon",
            {"kind": "string", "name": "string", "hard": "bool"},
            required=("kind",),
            label_zh="管控区",
        ),
        LayerSpec(
            "spaces",
            "space_id",
            "polygon_or_point",
            {
                "building_id": "string",
                "floor": "int",
                "area_m2": "float",
                "clear_height_m": "float",
                "floor_load_kn_m2": "float",
                "power_kva": "float",
                "rent_cny_m2_month": "float",
                "available_from": "date",
                "status": "string",
                "parcel_id": "string",
                "name": "string",
                "kind": "string",
            },
            required=("building_id", "area_m2"),
            nonnegative=("clear_height_m", "floor_load_kn_m2", "power_kva", "rent_cny_m2_month"),
            label_zh="可招商空间",
        ),
    )
}

#: The layer kinds in their canonical order.
LAYER_KINDS: tuple[str, ...] = tuple(LAYERS)


@dataclass(frozen=True)
class Problem:
    """One finding of a validation.

    ``id`` is the row's id (``"#12"``, the row number, when the row has none; None for
    a finding about the whole layer); ``column`` the
    column concerned (``"geometry"`` for geometry, None for the layer).
    """

    kind: str
    id: str | None
    column: str | None
    problem: str
    fix: str
    severity: Severity = "error"


@dataclass
class ValidationReport:
    """Every problem found in one or more layers.

    Attributes
    ----------
    problems : list of Problem
        In the order found.
    data : GeoDataFrame or None
        For a single-layer validation: the layer normalised (indexed by its id,
        known columns typed) and, with ``fix=True``, repaired. None for a combined
        report.
    """

    problems: list[Problem] = field(default_factory=list)
    data: gpd.GeoDataFrame | None = None

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the layer unusable as it is."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems worth a look that do not block use."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def repairs(self) -> list[Problem]:
        """What ``fix=True`` changed or removed, and policy changes (notes)."""
        return [p for p in self.problems if p.severity in ("repaired", "skipped", "note")]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and repairs allowed)."""
        return not self.errors

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def extend(self, other: ValidationReport | Iterable[Problem]) -> None:
        """Append the problems of another report (its data is not carried over)."""
        self.problems.extend(other.problems if isinstance(other, ValidationReport) else other)

    def to_frame(self) -> pd.DataFrame:
        """One row per problem: kind, id, column, problem, fix, severity."""
        columns = ["kind", "id", "column", "problem", "fix", "severity"]
        return pd.DataFrame(
            [[getattr(p, c) for c in columns] for p in self.problems], columns=columns
        )

    def summary(self) -> str:
        """A one-line count of errors, warnings and repairs."""
        return (
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s), "
            f"{len(self.repairs)} repair(s)/note(s)"
        )

    def raise_if_errors(self) -> None:
        """Raise :class:`~landasset.SchemaError` listing the errors (up to 20 of them).

        The report is kept on the exception as ``.report``.
        """
        errors = self.errors
        if not errors:
            return
        lines = [
            f"  {p.kind}[{p.id if p.id is not None else '*'}].{p.column or '*'}: "
            f"{p.problem} — {p.fix}"
            for p in errors[:20]
        ]
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        message = (
            f"{len(errors)} schema error(s):\n" + "\n".join(lines) + more + "\n"
            "Fix the data, or pass fix=True to repair what can be repaired "
            "(each repair is reported)."
        )
        raise SchemaError(message, report=self)

    def __repr__(self) -> str:
        return f"<ValidationReport: {self.summary()}>"

    def _repr_html_(self) -> str:
        colour = {"error": "#b00020", "warning": "#a15c00"}
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape('' if v is None else str(v))}</td>"
                for v in (p.severity, p.kind, p.id, p.column, p.problem, p.fix)
            ).replace("<td>", f"<td style='color:{colour.get(p.severity, '#333')}'>", 1)
            + "</tr>"
            for p in self.problems[:200]
        )
        more = (
            f"<p>... {len(self.problems) - 200} more; see .to_frame()</p>"
            if len(self.problems) > 200
            else ""
        )
        head = "".join(
            f"<th>{h}</th>" for h in ("severity", "layer", "id", "column", "problem", "fix")
        )
        return (
            f"<div><strong>ValidationReport</strong>: {html.escape(self.summary())}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}</div>"
        )


def empty_layer(kind: str, crs: Any = None) -> gpd.GeoDataFrame:
    """A zero-row layer of ``kind`` with its id index and every known column typed.

    >>> stations = empty_layer("stations", "EPSG:4549")
    >>> stations.index.name, str(stations["opening_date"].dtype), list(stations.columns)
    ('station_id', 'datetime64[ns]', ['name', 'line_id', 'opening_date', 'geometry'])
    """
    spec = _spec(kind)
    data = {name: pd.Series([], dtype=_DTYPES[typ]) for name, typ in spec.columns.items()}
    index = pd.Index([], dtype="object", name=spec.id_column)
    gdf = gpd.GeoDataFrame(
        data, index=index, geometry=gpd.GeoSeries([], index=index, crs=crs), crs=crs
    )
    # lets writers give the empty layer its geometry type (a template for QGIS)
    gdf.attrs["geometry_type"] = spec.geometry_types[-1]
    return gdf


_DTYPES = {
    "string": "str",
    "float": "float64",
    "int": "Int64",
    "bool": "boolean",
    "date": "datetime64[ns]",
}

_TRUE = {"true", "t", "yes", "y", "1", "是", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "否", "0.0"}


def _spec(kind: str) -> LayerSpec:
    if kind not in LAYERS:
        raise LandassetValueError(
            f"{kind!r} is not a layer kind; use one of: {', '.join(map(repr, LAYER_KINDS))}"
        )
    return LAYERS[kind]


class _Collector:
    """Accumulates problems for one layer; ids are looked up by position."""

    def __init__(self, kind: str, ids: np.ndarray) -> None:
        self.kind = kind
        self.ids = ids
        self.problems: list[Problem] = []

    def layer(self, column: str | None, problem: str, fix: str, severity: Severity) -> None:
        self.problems.append(Problem(self.kind, None, column, problem, fix, severity))

    def rows(
        self,
        mask: np.ndarray,
        column: str | None,
        problem: str,
        fix: str,
        severity: Severity,
    ) -> None:
        """One problem for each row where ``mask`` is True."""
        self.rows_at(np.flatnonzero(mask), column, problem, fix, severity)

    def rows_at(
        self,
        positions: np.ndarray,
        column: str | None,
        problems: str | Sequence[str] | np.ndarray,
        fix: str,
        severity: Severity,
    ) -> None:
        """One problem for each row position, in the order given.

        ``problems`` is one description for every row, or one per position (such as
        the reason each geometry is invalid).
        """
        positions = np.asarray(positions, dtype=np.intp)
        if not len(positions):
            return
        if isinstance(problems, str):
            texts: Sequence[str] | np.ndarray = [problems] * len(positions)
        else:
            texts = problems
            if len(texts) != len(positions):  # pragma: no cover - a caller's bug
                raise AssertionError("rows_at needs one problem per position")
        kind = self.kind
        self.problems.extend(
            Problem(
                kind,
                f"#{pos}" if row_id is None else str(row_id),  # row number when no id
                column,
                str(text),
                fix,
                severity,
            )
            for pos, row_id, text in zip(
                positions.tolist(), self.ids[positions].tolist(), texts, strict=True
            )
        )


def validate(
    gdf: gpd.GeoDataFrame,
    kind: str,
    *,
    fix: bool = False,
    overlap_tolerance_m2: float = DEFAULT_OVERLAP_TOLERANCE_M2,
) -> ValidationReport:
    """Check a layer against the schema of ``kind`` and report every problem.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer. Its id is taken from the id column (``parcel_id`` for parcels),
        else from an index of that name.
    kind : str
        One of :data:`LAYER_KINDS`.
    fix : bool, default False
        Repair what can be repaired on a copy: invalid geometry (``make_valid``,
        keeping the parts of the layer's geometry type), missing ids (generated as
        ``<kind>-<row number>``), Z coordinates (dropped). Rows whose geometry is
        null, empty, of the wrong type, has NaN or infinite coordinates, or has
        nothing of the right type left after ``make_valid`` (a collinear sliver) are
        removed, and so is every later copy of a parcel whose geometry repeats an
        earlier one (the first row is kept). Every repaired and removed row is
        reported. Duplicate ids, bad values and missing required columns are never
        guessed at: they stay errors. Validating the layer that ``fix=True`` returns
        reports no geometry error.
    overlap_tolerance_m2 : float, default 1.0
        Parcels that overlap each other, and buildings that do, are reported (as
        warnings, with both ids and the overlap area in m²) when they share more
        than this area. Small slivers of digitising are below it.

    Returns
    -------
    ValidationReport
        ``.data`` is the normalised layer: indexed by its id (str), known columns
        typed (string → pandas' str dtype (object on pandas 2), float → float64, int → Int64,
        bool → boolean, date → datetime64), other columns untouched. Values that
        cannot be converted are reported and left missing.

    Raises
    ------
    SchemaError
        Only when ``kind`` is not a layer kind; data problems go in the report.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    >>> gdf = gpd.GeoDataFrame({"parcel_id": ["P1"]}, geometry=[bowtie], crs="EPSG:4549")
    >>> validate(gdf, "parcels").errors[0].problem
    'invalid geometry: Self-intersection[5 5]'
    >>> fixed = validate(gdf, "parcels", fix=True)
    >>> fixed.ok, float(fixed.data.area.iloc[0])
    (True, 50.0)
    """
    spec = _spec(kind)
    if not (
        isinstance(overlap_tolerance_m2, numbers.Real)
        and not isinstance(overlap_tolerance_m2, (bool, np.bool_))
        and np.isfinite(overlap_tolerance_m2)
        and overlap_tolerance_m2 >= 0
    ):
        raise LandassetValueError(
            f"overlap_tolerance_m2 must be a finite number of m² >= 0, not "
            f"{overlap_tolerance_m2!r}; the default is {DEFAULT_OVERLAP_TOLERANCE_M2}"
        )
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise SchemaError(
            f"the {kind} layer is a {type(gdf).__name__}, not a GeoDataFrame; "
            "build one with geopandas.GeoDataFrame(..., geometry=..., crs=...)"
        )
    data = gdf.copy()
    ids, id_problem = _resolve_ids(data, spec)
    col = _Collector(kind, ids)
    if id_problem:
        col.layer(spec.id_column, *id_problem, severity="error")

    # --- CRS -----------------------------------------------------------------------
    if data.crs is None and len(data):
        col.layer(
            "geometry",
            "missing CRS",
            "set the CRS the coordinates are in with gdf.set_crs('EPSG:...'); "
            "landasset never guesses one",
            "error",
        )

    # --- ids -----------------------------------------------------------------------
    missing_id = pd.isna(pd.Series(ids, dtype="object")).to_numpy()
    if id_problem is None and missing_id.any():
        if fix:
            ids = ids.copy()
            taken = set(ids[~missing_id].tolist())
            for pos in np.flatnonzero(missing_id):
                candidate, n = f"{kind}-{pos + 1}", 1
                while candidate in taken:  # never collide with an id the layer has
                    n += 1
                    candidate = f"{kind}-{pos + 1}-{n}"
                ids[pos] = candidate
                taken.add(candidate)
            col.ids = ids
            col.rows(missing_id, spec.id_column, "missing id", "generated an id", "repaired")
        else:
            col.rows(
                missing_id,
                spec.id_column,
                "missing id",
                f"give every row a unique {spec.id_column}, or pass fix=True to generate ids",
                "error",
            )
    id_series = pd.Series(ids, dtype="object")
    dup = (id_series.duplicated(keep=False) & id_series.notna()).to_numpy()
    if dup.any():
        col.rows(
            dup,
            spec.id_column,
            "duplicate id",
            f"make {spec.id_column} unique (ids are never renumbered automatically)",
            "error",
        )

    # --- columns -------------------------------------------------------------------
    for name in spec.required:
        if name not in data.columns:
            col.layer(name, "missing required column", f"add a {name!r} column", "error")
        else:
            col.rows(
                pd.isna(data[name]).to_numpy(),
                name,
                "missing required value",
                f"fill {name!r} on every row",
                "error",
            )
    if spec.required_any and not any(c in data.columns for c in spec.required_any):
        col.layer(
            None,
            f"none of the columns {', '.join(spec.required_any)}",
            f"add at least one of {', '.join(spec.required_any)} (floor area cannot be "
            "derived otherwise)",
            "error",
        )
    elif spec.required_any:
        present = [c for c in spec.required_any if c in data.columns]
        none_set = np.logical_and.reduce([pd.isna(data[c]).to_numpy() for c in present])
        col.rows(
            none_set,
            "/".join(present),
            "no floors, height or floor area",
            "fill one of them; the building's floor area will be missing",
            "warning",
        )
    for name, typ in spec.columns.items():
        if name in data.columns:
            data[name] = _coerce(data[name], typ, name, col)
    for name in spec.nonnegative:
        if name in data.columns:
            values = pd.to_numeric(data[name], errors="coerce")
            col.rows(
                (values < 0).fillna(False).to_numpy(dtype=bool),
                name,
                "negative value",
                f"{name} cannot be negative; correct the source data",
                "error",
            )
    if spec.kind == "spaces":
        _check_spaces(data, col)
    if "land_use" in spec.columns and "land_use" in data.columns:
        codes = data["land_use"]
        unknown = (codes.notna() & ~is_known_land_use(codes)).to_numpy(dtype=bool)
        col.rows(
            unknown,
            "land_use",
            "unknown land-use code",
            "use a GB 50137-2011 code (M1, B2, ...) or a 2020 classification code "
            "(1001, 0902, ...); see landasset.landuse.LAND_USE_CODES",
            "warning",
        )

    # --- geometry ------------------------------------------------------------------
    keep = np.ones(len(data), dtype=bool)
    geoms = data.geometry.to_numpy().copy()
    null = shapely.is_missing(geoms)
    empty = ~null & shapely.is_empty(geoms)
    for mask, what in ((null, "null geometry"), (empty, "empty geometry")):
        if fix:
            col.rows(mask, "geometry", what, "row removed", "skipped")
            keep &= ~mask
        else:
            col.rows(
                mask, "geometry", what, "give the row a geometry, or fix=True removes it", "error"
            )
    present = ~null & ~empty

    # NaN or infinite x/y: GEOS cannot compute anything on them, so they are found
    # before any other geometry check and never reach one
    nonfinite = present & _nonfinite(geoms)
    if nonfinite.any():
        what = "NaN or infinite coordinate"
        if fix:
            col.rows(nonfinite, "geometry", what, "row removed (nothing to repair)", "skipped")
            keep &= ~nonfinite
        else:
            col.rows(
                nonfinite,
                "geometry",
                what,
                "correct the coordinates in the source data, or fix=True removes the row",
                "error",
            )
        present &= ~nonfinite

    if spec.kind == "amenities":
        polys = present & np.isin(
            shapely.get_type_id(geoms),
            (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON),
        )  # → centroid
        if polys.any():
            geoms[polys] = shapely.centroid(geoms[polys])
            col.rows(
                polys, "geometry", "polygon amenity", "replaced by its centroid (policy)", "note"
            )

    has_z = present & shapely.has_z(geoms)
    if has_z.any():
        if fix:
            geoms[has_z] = shapely.force_2d(geoms[has_z])
            col.rows(has_z, "geometry", "Z coordinates", "dropped Z", "repaired")
        else:
            col.rows(
                has_z,
                "geometry",
                "Z coordinates",
                "measures use x and y only; fix=True drops Z",
                "warning",
            )

    family = " or ".join(spec.geometry_types)
    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        positions = np.flatnonzero(invalid)
        reasons = [f"invalid geometry: {r}" for r in shapely.is_valid_reason(geoms[positions])]
        if fix:
            repaired = _extract(shapely.make_valid(geoms[positions]), spec)
            # a collinear sliver or a ring folded onto itself has no area: make_valid
            # leaves only lines or points, and the row is removed, never "repaired"
            salvaged = ~shapely.is_empty(repaired)
            geoms[positions[salvaged]] = repaired[salvaged]
            keep[positions[~salvaged]] = False
            reasons_arr = np.asarray(reasons, dtype=object)
            col.rows_at(
                positions[salvaged],
                "geometry",
                reasons_arr[salvaged],
                "repaired with make_valid",
                "repaired",
            )
            col.rows_at(
                positions[~salvaged],
                "geometry",
                reasons_arr[~salvaged],
                f"make_valid leaves no {family} (a sliver without area, or a line folded "
                "onto itself); row removed",
                "skipped",
            )
        else:
            col.rows_at(
                positions,
                "geometry",
                reasons,
                "repair with shapely.make_valid, or pass fix=True",
                "error",
            )

    allowed = set(spec.geometry_types)
    types = shapely.get_type_id(geoms)
    allowed_ids = [shapely.GeometryType[name.upper()] for name in allowed]
    present &= keep
    wrong = present & ~np.isin(types, allowed_ids)
    if wrong.any():
        if fix:
            extracted = _extract(geoms[wrong], spec)
            salvaged = ~shapely.is_empty(extracted) & ~shapely.is_missing(extracted)
            positions = np.flatnonzero(wrong)
            geoms[positions[salvaged]] = extracted[salvaged]
            keep[positions[~salvaged]] = False
            col.rows_at(
                positions[salvaged],
                "geometry",
                f"wrong geometry type (expected {family})",
                "kept the parts of the right type",
                "repaired",
            )
            col.rows_at(
                positions[~salvaged],
                "geometry",
                f"wrong geometry type (expected {family})",
                "row removed",
                "skipped",
            )
        else:
            col.rows(
                wrong,
                "geometry",
                f"wrong geometry type (expected {family})",
                f"give the {kind} layer {spec.geometry} geometries; fix=True keeps the parts "
                "of the right type and removes the rest",
                "error",
            )

    # --- topology: overlapping and duplicate polygons ----------------------------------
    if spec.kind in _TOPOLOGY_CHECKED and data.crs is not None:
        checked = present & keep
        if not fix:  # invalid or mistyped geometries are errors already
            checked &= ~invalid & ~wrong
        _check_overlaps(col, spec, geoms, checked, keep, data.crs, overlap_tolerance_m2, fix)

    # --- assemble the normalised layer ---------------------------------------------
    data = data.set_geometry(gpd.GeoSeries(geoms, index=data.index, crs=data.crs))
    if spec.id_column in data.columns:
        data = data.drop(columns=spec.id_column)
    data.index = pd.Index([None if pd.isna(i) else str(i) for i in ids], name=spec.id_column)
    if fix:
        data = data[keep]
    return ValidationReport(col.problems, data)


def _check_spaces(data: gpd.GeoDataFrame, col: _Collector) -> None:
    """Floor area above zero, a known status; a unit without status is a warning."""
    if "area_m2" in data.columns:
        area = pd.to_numeric(data["area_m2"], errors="coerce")
        col.rows(
            (area <= 0).fillna(False).to_numpy(dtype=bool),
            "area_m2",
            "floor area not above zero",
            "area_m2 is the unit's floor area in m² and must be > 0; correct the source data",
            "error",
        )
    choices = ", ".join(map(repr, SPACE_STATUSES))
    if "status" not in data.columns:
        if len(data):
            col.layer(
                "status",
                "no status column",
                f"add a 'status' column ({choices}); a unit without status is never "
                "counted as available",
                "warning",
            )
        return
    status = data["status"]
    missing = pd.isna(status).to_numpy(dtype=bool)
    col.rows(
        missing,
        "status",
        "missing status",
        f"fill status with one of: {choices}; until then the unit is not counted as available",
        "warning",
    )
    unknown = np.flatnonzero(~missing & ~status.isin(SPACE_STATUSES).to_numpy(dtype=bool))
    col.rows_at(
        unknown,
        "status",
        [f"{v!r} is not a space status" for v in status.to_numpy()[unknown].tolist()],
        f"use one of: {choices}",
        "error",
    )


def _resolve_ids(
    data: gpd.GeoDataFrame, spec: LayerSpec
) -> tuple[np.ndarray, tuple[str, str] | None]:
    if spec.id_column in data.columns:
        values = data[spec.id_column]
    elif data.index.name == spec.id_column:
        values = data.index.to_series()
    else:
        return (
            np.array([None] * len(data), dtype=object),
            (
                f"no {spec.id_column!r} column or index",
                f"add a {spec.id_column!r} column of unique ids (it becomes the index)",
            ),
        )
    out = np.empty(len(values), dtype=object)
    na = pd.isna(values).to_numpy()
    out[~na] = [_id_str(v) for v in values.to_numpy()[~na]]
    out[na] = None
    return out, None


def _id_str(value: object) -> str:
    # 12.0 read from a spreadsheet is the id "12", not "12.0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _coerce(values: pd.Series, typ: str, name: str, col: _Collector) -> pd.Series:
    missing = pd.isna(values)
    if typ == "string":
        return _as_text(values, np.asarray(missing, dtype=bool))
    if typ in ("float", "int"):
        num = pd.to_numeric(values, errors="coerce")
        bad = (num.isna() & ~missing).to_numpy(dtype=bool)
        col.rows(bad, name, f"not a number ({typ})", f"store {name} as a number", "error")
        if typ == "float":
            return num.astype("float64")
        fractional = (num.notna() & (num != np.round(num))).to_numpy(dtype=bool)
        col.rows(fractional, name, "not a whole number", f"store {name} as an integer", "error")
        return num.where(~fractional).round().astype("Int64")
    if typ == "bool":
        if pd.api.types.is_bool_dtype(values.dtype):
            return values.astype("boolean")
        text = values.astype("object").map(
            lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        )
        lowered = text.str.strip().str.lower()
        out = pd.Series(pd.NA, index=values.index, dtype="boolean")
        out[lowered.isin(_TRUE).to_numpy(dtype=bool)] = True
        out[lowered.isin(_FALSE).to_numpy(dtype=bool)] = False
        bad = (out.isna() & ~missing).to_numpy(dtype=bool)
        col.rows(
            bad, name, "not a yes/no value", f"store {name} as true/false (or 1/0, 是/否)", "error"
        )
        return out
    if typ == "date":
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            out = values
            if getattr(out.dt, "tz", None) is not None:
                out = out.dt.tz_convert(None)
            return out.astype("datetime64[ns]")
        parsed = pd.to_datetime(values.astype("object"), errors="coerce", format="mixed")
        bad = (parsed.isna() & ~missing).to_numpy(dtype=bool)
        col.rows(bad, name, "date does not parse", f"write {name} as YYYY-MM-DD", "error")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert(None)
        return parsed.astype("datetime64[ns]")
    raise AssertionError(f"unknown column type {typ!r}")  # pragma: no cover - schema bug


def _as_text(values: pd.Series, missing: np.ndarray) -> pd.Series:
    """A string column's values as ``str``, as :func:`_id_str` writes them.

    Only the values that are not strings already are converted (numbers in a numeric
    column all at once). The Series is built from an array of ``str`` and ``None``,
    so pandas infers its dtype (its string dtype when it has one) as
    :meth:`pandas.Series.map` would.
    """
    present = ~missing
    kind = getattr(values.dtype, "kind", "O")
    if kind in ("i", "u", "b", "f"):  # numeric or boolean (numpy or nullable): no strings
        out = np.full(len(values), None, dtype=object)
        if kind == "f":
            out[present] = _float_text(values[present].to_numpy(dtype=np.float64))
        else:
            numpy_type = {"i": np.int64, "u": np.uint64, "b": np.bool_}[kind]
            out[present] = list(map(str, values[present].to_numpy(dtype=numpy_type).tolist()))
    else:
        out = values.astype("object").where(present, None).to_numpy(dtype=object, copy=True)
        if pd.api.types.infer_dtype(out, skipna=True) not in ("string", "empty"):
            is_text = np.fromiter(map(isinstance, out, repeat(str)), dtype=bool, count=len(out))
            convert = np.flatnonzero(present & ~is_text)
            out[convert] = [_id_str(v) for v in out[convert]]
    return pd.Series(out, index=values.index, name=values.name)


def _float_text(numbers: np.ndarray) -> np.ndarray:
    """:func:`_id_str` of float64 values, by kind at once (``12.0`` → ``"12"``)."""
    text = np.empty(len(numbers), dtype=object)
    whole = np.isfinite(numbers) & (numbers == np.trunc(numbers))
    text[whole] = list(map(str, map(int, numbers[whole].tolist())))
    text[~whole] = list(map(str, numbers[~whole].tolist()))
    return text


def _extract(geoms: np.ndarray, spec: LayerSpec) -> np.ndarray:
    """Keep the parts of each geometry that belong to the layer's family.

    Runs only over the rows being repaired, never over a whole layer.
    """
    out = np.empty(len(geoms), dtype=object)
    for i, geom in enumerate(geoms):
        parts = shapely.get_parts(geom)
        types = shapely.get_type_id(parts)
        if spec.geometry == "polygon" or (
            spec.geometry == "polygon_or_point" and (types == shapely.GeometryType.POLYGON).any()
        ):
            parts = parts[types == shapely.GeometryType.POLYGON]
            if len(parts) > 1:
                # polygons of a collection may touch or overlap: their union is valid
                merged = shapely.get_parts(shapely.union_all(parts))
                parts = merged[shapely.get_type_id(merged) == shapely.GeometryType.POLYGON]
            out[i] = parts[0] if len(parts) == 1 else shapely.multipolygons(parts)
        elif spec.geometry == "line":
            parts = parts[
                (types == shapely.GeometryType.LINESTRING)
                | (types == shapely.GeometryType.LINEARRING)
            ]
            parts = (
                shapely.linestrings(shapely.get_coordinates(parts[:1]))
                if len(parts) == 1
                else parts
            )
            out[i] = parts[0] if len(parts) == 1 else shapely.multilinestrings(parts)
        else:
            parts = parts[types == shapely.GeometryType.POINT]
            # several points cannot become one feature without guessing
            out[i] = parts[0] if len(parts) == 1 else _EMPTY
    return out


_EMPTY = shapely.from_wkt("GEOMETRYCOLLECTION EMPTY")


def _nonfinite(geoms: np.ndarray) -> np.ndarray:
    """True for each geometry with a NaN or infinite x or y."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    out = np.zeros(len(geoms), dtype=bool)
    out[index[~np.isfinite(coords).all(axis=1)]] = True
    return out


def _m2(area: float) -> str:
    """An area for a message: 0.1 m² precision, two significant digits below 1 m²."""
    return f"{area:.1f}" if area >= 1 else f"{area:.2g}"


#: Layer kinds whose polygons are checked for overlaps (parcels also for duplicates).
_TOPOLOGY_CHECKED = ("parcels", "buildings")


def _check_overlaps(
    col: _Collector,
    spec: LayerSpec,
    geoms: np.ndarray,
    checked: np.ndarray,
    keep: np.ndarray,
    crs: Any,
    tolerance_m2: float,
    fix: bool,
) -> None:
    """Report overlapping polygons, and parcels that repeat another's geometry.

    ``keep`` is updated in place: with ``fix``, later copies of a duplicated parcel
    are removed.
    """
    from landasset._topology import area_m2, overlapping_pairs

    positions = np.flatnonzero(checked)
    i, j = overlapping_pairs(geoms[positions])
    if not len(i):
        return
    first, second = positions[i], positions[j]
    noun = "parcel" if spec.kind == "parcels" else "building"
    ids = col.ids
    label = [f"#{p}" if ids[p] is None else str(ids[p]) for p in range(len(ids))]

    if spec.kind == "parcels":
        same = shapely.equals(geoms[first], geoms[second])
        if same.any():
            # one problem per repeated row, naming the first row it repeats
            dup_first, dup_second = first[same], second[same]
            order = np.lexsort((dup_first, dup_second))
            dup_first, dup_second = dup_first[order], dup_second[order]
            once = np.ones(len(dup_second), dtype=bool)
            once[1:] = dup_second[1:] != dup_second[:-1]
            dup_first, dup_second = dup_first[once], dup_second[once]
            # a row repeating a removed copy repeats the row that copy repeated
            originals = dict(zip(dup_second.tolist(), dup_first.tolist(), strict=True))
            texts = []
            for a in dup_first.tolist():
                while a in originals:
                    a = originals[a]
                texts.append(f"same geometry as parcel {label[a]}")
            if fix:
                keep[dup_second] = False
                col.rows_at(
                    dup_second,
                    "geometry",
                    texts,
                    "row removed; the first row with this geometry is kept",
                    "skipped",
                )
            else:
                col.rows_at(
                    dup_second,
                    "geometry",
                    texts,
                    "delete the repeated row or merge the two rows into one (the land would "
                    "count twice); fix=True keeps the first and removes the others",
                    "error",
                )
            first, second = first[~same], second[~same]
        if fix:
            alive = keep[first] & keep[second]
            first, second = first[alive], second[alive]

    overlap = shapely.intersection(geoms[first], geoms[second])
    area = area_m2(overlap, crs)
    big = area > tolerance_m2
    first, second, overlap, area = first[big], second[big], overlap[big], area[big]
    if not len(first):
        return
    own_first = area_m2(geoms[first], crs)
    own_second = area_m2(geoms[second], crs)
    # one inside the other: the problem is the inner one's
    inside_first = area >= own_second * (1 - 1e-9)
    inside_second = ~inside_first & (area >= own_first * (1 - 1e-9))
    inner = np.where(inside_second, first, second)
    outer = np.where(inside_second, second, first)
    contained = inside_first | inside_second
    if spec.kind == "parcels":
        fix_inside = (
            "merge the two parcels, or cut the inner one out of the outer (a hole); "
            "until then its land counts twice"
        )
        fix_overlap = (
            "split the overlap off one of the two parcels, or merge them; until then "
            "the overlap counts in both parcels' areas"
        )
    else:
        fix_inside = (
            "a building part inside its building: drop the part, or keep it (coverage "
            "and floor area count the overlap once, at the taller part's storeys)"
        )
        fix_overlap = (
            "split the overlap off one of the two footprints, merge them, or drop a "
            "building part; coverage and floor area count the overlap once"
        )
    for mask, rows, others, fix_text, verb in (
        (contained, inner, outer, fix_inside, "inside"),
        (~contained, first, second, fix_overlap, "overlaps"),
    ):
        if not mask.any():
            continue
        texts = [
            (
                f"inside {noun} {label[o]} ({_m2(a)} m²)"
                if verb == "inside"
                else f"overlaps {noun} {label[o]} by {_m2(a)} m²"
            )
            for o, a in zip(others[mask].tolist(), area[mask].tolist(), strict=True)
        ]
        col.rows_at(rows[mask], "geometry", texts, fix_text, "warning")


def _check_crs_present(gdf: gpd.GeoDataFrame, kind: str) -> None:
    """Raise CRSError when a non-empty layer has no CRS."""
    if gdf.crs is None and len(gdf):
        raise CRSError(
            f"the {kind} layer has no CRS. If you know it, set it with "
            f"gdf.set_crs('EPSG:...') (not to_crs); landasset never guesses a CRS"
        )
