"""A windowed context: the layers of a city read from GeoParquet, a window at a time.

:mod:`landasset.scale` measures a partition of parcels against the context rows near
it only: a folder of context layers (``<folder>/<layer>/*.parquet`` or
``<folder>/<layer>.parquet``) is indexed once from its metadata (per file: its
GeoParquet ``bbox``, row count and CRS), and each task reads the rows whose bounding
box meets its partition's bounds grown by a margin (``bbox`` covering column), builds
a :class:`~landasset.measures.Context` on that window and measures the partition.

A value measured in a window equals the whole context's when everything it depends
on lies inside the window. Each measure has a rule (:data:`RULES`) that says, per
parcel, whether its value is *proven* from what was read; a parcel whose value is
not is measured again in a wider window, until proven, the whole extent being exact
by definition. See docs/scale.md for the rules and why they hold.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.parquet as pq
import shapely
from pyproj import CRS

from landasset._errors import CRSError, LandassetValueError
from landasset.measures import Context, MeasureError
from landasset.measures import network as _n
from landasset.measures import proximity as _p
from landasset.measures.batch import LAYER_PARAMETERS
from landasset.schema import LAYERS

__all__ = ["DEFAULT_MARGIN_M", "RULES", "ContextFolder", "WindowPlan", "index_folder"]

#: The margin (metres) around a partition for the measures without a fixed reach
#: (nearest feature, walking distance): a parcel whose value is not proven within it
#: is measured again in a wider window.
DEFAULT_MARGIN_M = 2_000.0

#: Rounding allowance (metres) of every "lies inside the window" comparison.
_TOL = 1e-6

#: The layers a context folder may hold (the parcels are the ones measured, not context).
CONTEXT_LAYERS = tuple(name for name in LAYERS if name != "parcels")

Box = tuple[float, float, float, float]


# -- the index (client side, metadata only) ----------------------------------------------


@dataclass(frozen=True)
class LayerFile:
    """One GeoParquet file of a context layer: its path, bounding box and row count."""

    path: str
    bbox: Box | None  # None: no geometry in the file
    rows: int
    #: whether the file has a bbox covering column to filter its rows by
    covering: bool = True


@dataclass(frozen=True)
class ContextFolder:
    """The index of a folder of context layers: what a window read needs, and small.

    ``layers`` maps a layer name to its files in name order (the layer's row order
    is the files' order, then the rows' order in each); ``crs`` is the layers' CRS,
    ``bounds`` the box over every file's.
    """

    folder: str
    layers: Mapping[str, tuple[LayerFile, ...]]
    crs: CRS
    bounds: Box

    def rows(self, layer: str) -> int:
        """Rows of a layer over all its files (0 for a layer the folder lacks)."""
        return sum(f.rows for f in self.layers.get(layer, ()))


def _geo_metadata(path: Path) -> dict[str, Any]:
    metadata = pq.read_schema(path).metadata or {}
    if b"geo" not in metadata:
        raise LandassetValueError(
            f"{str(path)!r} is not GeoParquet (it has no 'geo' metadata); write the layer "
            "with GeoDataFrame.to_parquet(path, write_covering_bbox=True)"
        )
    geo: dict[str, Any] = json.loads(metadata[b"geo"])
    return geo


def _file_entry(path: Path) -> tuple[LayerFile, CRS]:
    geo = _geo_metadata(path)
    column = geo["columns"][geo["primary_column"]]
    crs_json = column.get("crs", "OGC:CRS84")  # GeoParquet: a missing crs is lon/lat
    crs = CRS.from_user_input("OGC:CRS84") if crs_json is None else CRS.from_user_input(crs_json)
    rows = pq.read_metadata(path).num_rows
    bbox = column.get("bbox")
    if bbox is None and rows:
        # no bbox in the metadata: measure it from this file alone
        bounds = gpd.read_parquet(path, columns=[geo["primary_column"]]).total_bounds
        bbox = list(bounds) if np.isfinite(bounds).all() else None
    box = None if bbox is None else (float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3]))
    return LayerFile(str(path), box, rows, "covering" in column), crs


def index_folder(path: str | os.PathLike[str]) -> ContextFolder:
    """Index a folder of context layers from the files' metadata (no row is read).

    Raises
    ------
    LandassetValueError
        The folder does not exist, holds no layer, holds an entry that is not a
        context layer, or a file that is not GeoParquet.
    CRSError
        The layers are not all in one CRS.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise LandassetValueError(
            f"{str(folder)!r} is not a folder of context layers; give a folder that holds "
            "<layer>/*.parquet or <layer>.parquet (e.g. streets/, stations.parquet)"
        )
    found: dict[str, list[Path]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            name, files = entry.name, sorted(p for p in entry.glob("*.parquet") if p.is_file())
        elif entry.suffix == ".parquet":
            name, files = entry.stem, [entry]
        else:
            continue
        if name not in CONTEXT_LAYERS:
            raise LandassetValueError(
                f"{str(entry)!r} is not a context layer; name layers after the site's: "
                + ", ".join(CONTEXT_LAYERS)
                + (" (the parcels are scored, not read as context)" if name == "parcels" else "")
            )
        if name in found:
            raise LandassetValueError(
                f"the layer {name!r} is in {str(folder)!r} twice ({name}/ and {name}.parquet); "
                "keep one of them"
            )
        if not files:
            raise LandassetValueError(
                f"the layer folder {str(entry)!r} holds no .parquet file; remove it or write "
                "the layer there"
            )
        found[name] = files
    if not found:
        raise LandassetValueError(
            f"the folder {str(folder)!r} holds no context layer; give a folder with "
            "<layer>/*.parquet or <layer>.parquet files named after the site's layers: "
            + ", ".join(CONTEXT_LAYERS)
        )
    layers: dict[str, tuple[LayerFile, ...]] = {}
    crs: CRS | None = None
    first = ""
    boxes = []
    for name, files in found.items():
        entries: list[LayerFile] = []
        for f in files:
            item, file_crs = _file_entry(f)
            if crs is None:
                crs, first = file_crs, str(f)
            elif not file_crs.equals(crs):
                raise CRSError(
                    f"the context layers are not in one CRS: {str(f)!r} is in "
                    f"{file_crs.to_string()} but {first!r} in {crs.to_string()}; reproject "
                    "the layer (GeoDataFrame.to_crs) and write it again"
                )
            entries.append(item)
            if item.bbox is not None:
                boxes.append(item.bbox)
        layers[name] = tuple(entries)
    assert crs is not None
    if not crs.is_projected:
        raise CRSError(
            f"the context layers are in {crs.to_string()}, not a metric CRS; reproject "
            "them to the site's projected CRS (e.g. EPSG:4549 around Hangzhou)"
        )
    stack = np.array(boxes) if boxes else np.array([[np.inf, np.inf, -np.inf, -np.inf]])
    bounds = (
        float(stack[:, 0].min()),
        float(stack[:, 1].min()),
        float(stack[:, 2].max()),
        float(stack[:, 3].max()),
    )
    return ContextFolder(str(folder), layers, crs, bounds)


def _meets(a: Box | None, b: Box) -> bool:
    return a is not None and a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]


def _grown(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def _nowhere(index: ContextFolder) -> Box:
    """A box that meets no file of the folder."""
    x, y = index.bounds[2] + 1e9, index.bounds[3] + 1e9
    return (x, y, x + 1.0, y + 1.0)


def _covers(outer: Box, inner: Box) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and outer[2] >= inner[2]
        and outer[3] >= inner[3]
    )


@dataclass
class ReadStats:
    """What one task read: files opened (and their bytes on disk), rows read."""

    files: int = 0
    bytes: int = 0
    rows: int = 0


def read_layer(
    index: ContextFolder, layer: str, box: Box, stats: ReadStats | None = None
) -> gpd.GeoDataFrame | None:
    """The rows of ``layer`` whose bounding box meets ``box``, in the layer's order
    (the files' order, then each file's); None for a layer the folder lacks."""
    files = index.layers.get(layer)
    if not files:
        return None
    parts = []
    for f in files:
        if not _meets(f.bbox, box):
            continue
        if f.covering:
            parts.append(gpd.read_parquet(f.path, bbox=box))
        else:  # no bbox column: the file read whole, its rows filtered here
            frame = gpd.read_parquet(f.path)
            b = frame.geometry.bounds.to_numpy()
            meets = (
                (b[:, 0] <= box[2])
                & (b[:, 2] >= box[0])
                & (b[:, 1] <= box[3])
                & (b[:, 3] >= box[1])
            )
            parts.append(frame[meets])
        if stats is not None:
            stats.files += 1
            stats.bytes += os.path.getsize(f.path)
            stats.rows += len(parts[-1])
    if not parts:
        # no file meets the window: the layer's columns, no row
        first = files[0]
        if first.covering:
            return gpd.read_parquet(first.path, bbox=_nowhere(index))
        return gpd.read_parquet(first.path).iloc[:0]
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts)


def _layer_column(index: ContextFolder, layer: str, column: str) -> set[Any]:
    """The distinct values of one column of a layer, read file by file."""
    values: set[Any] = set()
    for f in index.layers.get(layer, ()):
        names = pq.read_schema(f.path).names
        if column not in names:
            continue
        table = pq.read_table(f.path, columns=[column])
        values.update(v for v in table.column(column).to_pylist() if v is not None)
    return values


# -- the rules -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """When a measure's value, measured in a window, is the whole context's.

    ``reach(arguments)``: the distance (metres) from the parcel within which
    everything the value depends on lies, when it is fixed by the spec (radius,
    tolerance; 0 for the features that meet the parcel); None when it depends on
    the value found (nearest feature, walking distance). ``refuse(arguments)``: a
    reason the spec cannot be measured in a window, or None.
    """

    reach: Callable[[Mapping[str, Any]], float | None]
    refuse: Callable[[Mapping[str, Any]], str | None] = lambda arguments: None


def _no_layer(arguments: Mapping[str, Any]) -> float:
    return 0.0


def _radius(arguments: Mapping[str, Any]) -> float:
    return float(arguments["radius"])


def _sum_refuse(arguments: Mapping[str, Any]) -> str | None:
    if arguments.get("origin") == "centroid":
        return (
            "sum_within with origin='centroid' adds its values in the order of a KD-tree "
            "over the whole point layer, so a window could change the last bits of the sum"
        )
    return None


#: Per measure, its window rule; a measure without one is refused in window mode.
RULES: Mapping[str, Rule] = {
    "area_m2": Rule(_no_layer),
    "area_mu": Rule(_no_layer),
    "compactness": Rule(_no_layer),
    # the features that meet the parcel (read whole when they meet the window); the
    # constraints' dissolve is the whole layer's (see WindowPlan._whole_dissolve)
    "constrained_share": Rule(_no_layer),
    "count_within": Rule(_radius),
    "cluster_strength": Rule(_radius),
    "sum_within": Rule(_radius, _sum_refuse),
    "frontage": Rule(lambda arguments: float(arguments["tolerance"])),
    "nearest_distance": Rule(lambda arguments: None),
    "nearest_id": Rule(lambda arguments: None),
    "walk_distance": Rule(
        lambda arguments: (
            None
            if arguments.get("max_distance") is None
            else float(arguments["max_distance"]) + _n.SNAP_TIE_M
        )
    ),
}


def check_margin(margin: object) -> float | None:
    """``margin`` checked: None, or a finite number of metres > 0."""
    if margin is None:
        return None
    if isinstance(margin, bool) or not isinstance(margin, (int, float, np.integer, np.floating)):
        raise LandassetValueError(
            f"margin must be a number of metres > 0 (or None for the default), not {margin!r}"
        )
    value = float(margin)
    if not np.isfinite(value) or value <= 0:
        raise LandassetValueError(
            f"margin must be a number of metres > 0 (or None for the default), not {margin!r}"
        )
    return value


# -- the plan (built on the client, sent to every worker) -------------------------------


@dataclass(frozen=True)
class _Bound:
    """One spec as the plan reads it: its place, measure, column, parameters (layers
    by name, ``kind`` as given) and the layer its ``kind`` narrows (None: none)."""

    position: int
    measure: str
    column: str
    params: dict[str, Any]
    narrows: str | None


@dataclass(frozen=True)
class _Bind:
    bound: tuple[_Bound, ...]
    context: Context


def _bind_all(index: ContextFolder, specs: Sequence[Any], as_of: Any) -> _Bind:
    """The specs checked as :class:`Context` checks them, on the folder's layers
    without a row (``kind`` left out here: empty layers hold no kind; the plan
    checks the kinds against the whole layers)."""
    from landasset.site import Site

    frames = {}
    for name in index.layers:
        frame = read_layer(index, name, _nowhere(index))
        if frame is not None:
            frames[name] = frame
    site = Site(**frames, crs=index.crs)
    plain = [
        {k: v for k, v in spec.items() if k != "kind"} if isinstance(spec, Mapping) else spec
        for spec in specs
    ]
    context = Context(site, plain, as_of=as_of)
    bound = []
    for i, resolved in enumerate(context._specs):
        measure = resolved.measure.name
        params = dict(resolved.arguments)
        for key in LAYER_PARAMETERS[measure]:
            layer_key: Any = resolved.keys[key]  # ("layer", name)
            params[key] = layer_key[1]
        spec = specs[i]
        params["kind"] = spec.get("kind") if isinstance(spec, Mapping) else None
        bound.append(_Bound(i, measure, context.columns[i], params, resolved.measure.narrows))
    return _Bind(tuple(bound), context)


def _describe(position: int, spec: object) -> str:
    return f"spec {position} ({spec!r})"


def _kinds(kinds: Any, *, where: str) -> tuple[str, ...]:
    ok = isinstance(kinds, str) or (
        isinstance(kinds, (list, tuple)) and all(isinstance(k, str) for k in kinds)
    )
    if not ok:
        raise MeasureError(f"{where}: kind must be a string or a list of strings, not {kinds!r}")
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    if not wanted:
        raise MeasureError(
            f"{where}: kind is an empty list; name at least one kind, or leave kind out "
            "to measure every feature"
        )
    return tuple(sorted(set(wanted)))


def _category_key(category: Any) -> tuple[str, ...] | None:
    if category is None:
        return None
    return tuple(sorted(set([category] if isinstance(category, str) else category)))


def _shared(context: Context, spec: Any, keyword: str) -> Any:
    """The intermediate ``keyword`` of a resolved spec of a prepared context."""
    recipe = spec.measure.shared[keyword]
    key = (recipe.name, *(spec.keys[name] for name in recipe.inputs))
    return context._built[key]


@dataclass
class WindowPlan:
    """What every task needs to measure its partition in a window: the index, the
    specs, the date, the margin, and the few figures gathered from the whole layers
    (the kinds checked, the targets' largest snap, the point grids' extents).

    Build it with :meth:`build`; the client then runs the tasks of
    :meth:`gather_jobs` (:meth:`gather_one` each) on its cluster once and keeps
    their results with :meth:`gathered`, before it sends the plan to the workers.
    """

    index: ContextFolder
    specs: tuple[Any, ...]
    as_of: Any
    margin: float
    bound: tuple[Any, ...] = ()
    layers: tuple[str, ...] = ()
    #: (targets layer, streets layer) → metres: every target's access points lie
    #: within this of it (its snap length and the tie margin)
    target_pad: dict[tuple[str, str], float] = field(default_factory=dict)
    #: (points layer, column, category) → (lo, hi) of the selected points' xy
    point_extent: dict[Hashable, Any] = field(default_factory=dict)
    #: (constraints layer, kind, hard) → the selected constraints dissolved over the
    #: whole layer (a union's float vertices depend on every polygon in it)
    dissolved: dict[Hashable, Any] = field(default_factory=dict)
    columns: tuple[str, ...] = ()
    skeleton: Context | None = None

    @classmethod
    def build(
        cls, index: ContextFolder, specs: Sequence[Any], as_of: Any, margin: float | None
    ) -> WindowPlan:
        """Check the specs against the folder's layers (metadata and kinds only)."""
        if isinstance(specs, (str, Mapping)):
            raise MeasureError(
                "specs must be a list of specs; wrap a single spec in a list: [spec]"
            )
        for i, spec in enumerate(specs):
            name = spec if isinstance(spec, str) else None
            if isinstance(spec, Mapping):
                name = spec.get("measure")
            if not isinstance(name, str) or name not in LAYER_PARAMETERS:
                continue  # the Context below says what is wrong with it
            for key in LAYER_PARAMETERS[name]:
                value = spec.get(key) if isinstance(spec, Mapping) else None
                if value is not None and not isinstance(value, str):
                    raise MeasureError(
                        f"{_describe(i, spec)}: {key} is a {type(value).__name__}; with a "
                        "context folder a spec names its layers (e.g. 'stations'); write "
                        "the layer into the folder, or pass the context as a Site"
                    )
        pre = _bind_all(index, specs, as_of)
        bound = pre.bound
        if pre.context.whole_layer:
            raise MeasureError(
                f"{', '.join(pre.context.whole_layer)} need every parcel at once (which "
                "parcel holds the larger part of a building) and cannot be measured "
                "partition by partition; give the buildings a parcel_id column and use "
                "by='parcel_id', or measure them with landasset.measures.compute"
            )
        fixed = [0.0]
        layers: set[str] = set()
        for b in bound:
            where = _describe(b.position, specs[b.position])
            rule = RULES.get(b.measure)
            if rule is None:
                raise MeasureError(
                    f"{where}: {b.measure} has no window rule, so its value could not be "
                    "proven from a window of the context; pass the context as a Site "
                    "(landasset.Site or landasset.io.read_site) instead of a folder"
                )
            reason = rule.refuse(b.params)
            if reason is not None:
                raise MeasureError(
                    f"{where}: {reason}; pass the context as a Site instead of a folder, "
                    "or use origin='edge'"
                )
            layers.update(b.params[key] for key in LAYER_PARAMETERS[b.measure])
            reach = rule.reach(b.params)
            if reach is not None:
                fixed.append(reach)
        chosen = margin if margin is not None else max(DEFAULT_MARGIN_M, *fixed)
        plan = cls(index, tuple(specs), pre.context.as_of, chosen, bound, tuple(sorted(layers)))
        plan._check_kinds()
        # the specs checked against the layers' columns (no row read): a Context on
        # empty layers raises what Context raises on the whole site
        plan.skeleton = plan._context(_nowhere(index), ReadStats(), whole=False)
        plan.columns = tuple(b.column for b in bound)
        return plan

    def check_files(self, files: Sequence[str | os.PathLike[str]]) -> None:
        """Refuse partition files that the folder's layers do not cover, or in another
        CRS, from their metadata (before any task runs)."""
        for f in files:
            entry, crs = _file_entry(Path(f))
            if not crs.equals(self.index.crs):
                raise MeasureError(
                    f"the parcels of {str(f)!r} are in {crs.to_string()} but the context "
                    f"layers in {self.index.crs.to_string()}; reproject them with "
                    "parcels.to_crs(...) and write them again"
                )
            box, lo = entry.bbox, self.index.bounds
            if box is None:
                continue
            tol = 1e-6
            if (
                box[0] < lo[0] - tol
                or box[1] < lo[1] - tol
                or box[2] > lo[2] + tol
                or box[3] > lo[3] + tol
            ):
                raise MeasureError(
                    f"the context does not cover the parcels of {str(f)!r}: they reach "
                    f"({box[0]:.1f}, {box[1]:.1f}, {box[2]:.1f}, {box[3]:.1f}) but the "
                    f"context layers span ({lo[0]:.1f}, {lo[1]:.1f}, {lo[2]:.1f}, "
                    f"{lo[3]:.1f}); give a context folder whose layers cover every parcel"
                )

    def _check_kinds(self) -> None:
        for b in self.bound:
            target = b.narrows
            if target is None or b.params.get("kind") is None:
                continue
            where = _describe(b.position, self.specs[b.position])
            wanted = _kinds(b.params["kind"], where=where)
            layer = b.params[target]
            label = f"the {target} layer {layer!r}"
            files = self.index.layers.get(layer, ())
            if not files or "kind" not in pq.read_schema(files[0].path).names:
                raise MeasureError(
                    f"{where}: kind= was given but {label} has no 'kind' column; leave kind "
                    "out, or use a layer with a 'kind' column (such as 'axes')"
                )
            have = _layer_column(self.index, layer, "kind")
            unknown = [k for k in wanted if k not in have]
            if unknown:
                existing = sorted(str(v) for v in have)
                choices = (
                    ", ".join(map(repr, existing)) if existing else "none (the column is empty)"
                )
                raise MeasureError(
                    f"{where}: {label} has no kind {unknown[0]!r}; its kinds are: {choices}"
                )

    # -- figures from the whole layers, gathered once by tasks -----------------------

    def gather_jobs(self) -> list[tuple[str, Hashable, int]]:
        """(what, key, file) per task of the one pass over the whole layers."""
        jobs: list[tuple[str, Hashable, int]] = []
        for b in self.bound:
            key: tuple[Any, ...]
            if b.measure == "walk_distance":
                key = (b.params["targets"], b.params["streets"])
                if key not in {k for _, k, _ in jobs}:
                    jobs += [("pad", key, i) for i in range(len(self.index.layers.get(key[0], ())))]
            elif b.measure == "sum_within":
                key = (b.params["points"], "category", _category_key(b.params["category"]))
                if key not in {k for _, k, _ in jobs}:
                    jobs += [
                        ("extent", key, i) for i in range(len(self.index.layers.get(key[0], ())))
                    ]
            elif b.measure == "constrained_share":
                key = _dissolve_key(b.params)
                if key not in {k for _, k, _ in jobs}:
                    jobs.append(("dissolve", key, 0))
        return jobs

    def gather_one(self, what: str, key: Any, i: int) -> Any:
        """One task of the pass over the whole layers (run on a worker)."""
        if what == "pad":
            return _target_pad(self.index, key[0], key[1], i, self.margin)
        if what == "dissolve":
            return _dissolve(self.index, *key)
        layer, column, category = key
        frame = gpd.read_parquet(self.index.layers[layer][i].path)
        tree = _p.point_tree(
            frame, category=None if category is None else list(category), column=column
        )
        if not len(tree.xy):
            return None
        return tree.xy.min(axis=0), tree.xy.max(axis=0)

    def gathered(self, jobs: Sequence[tuple[str, Hashable, int]], results: Sequence[Any]) -> None:
        """Keep the pass's figures: the largest pad, the extent over every file."""
        for (what, key, _), value in zip(jobs, results, strict=True):
            if what == "pad":
                pair = (str(key[0]), str(key[1]))  # type: ignore[index]
                self.target_pad[pair] = max(self.target_pad.get(pair, 0.0), value)
            elif what == "dissolve":
                self.dissolved[key] = value
            elif value is not None:
                lo, hi = value
                old = self.point_extent.get(key)
                if old is not None:
                    lo, hi = np.minimum(lo, old[0]), np.maximum(hi, old[1])
                self.point_extent[key] = (lo, hi)

    # -- one window --------------------------------------------------------------------

    def _context(
        self,
        box: Box,
        stats: ReadStats,
        *,
        whole: bool,
        columns: Sequence[str] | None = None,
    ) -> Context:
        """A Context on the rows read in ``box`` (targets of walk_distance in ``box``
        grown by their pad), its bounds the whole folder's; with ``columns``, for
        those columns' specs only (and only their layers read)."""
        from landasset.site import Site

        chosen = [i for i, b in enumerate(self.bound) if columns is None or b.column in columns]
        needed = sorted(
            {
                b.params[k]
                for b in (self.bound[i] for i in chosen)
                for k in LAYER_PARAMETERS[b.measure]
            }
        )
        boxes = dict.fromkeys(needed, box)
        for (targets, _), pad in self.target_pad.items():
            if targets in boxes:
                boxes[targets] = _grown(box, pad + _TOL)
        frames = {}
        for name in needed:
            frame = read_layer(self.index, name, boxes[name], stats)
            if frame is not None:
                frames[name] = frame
        site = Site(**frames, crs=self.index.crs)
        specs = []
        narrowed: dict[tuple[str, tuple[str, ...]], gpd.GeoDataFrame] = {}
        for i in chosen:
            b = self.bound[i]
            spec = (
                dict(self.specs[i])
                if isinstance(self.specs[i], Mapping)
                else {"measure": b.measure}
            )
            target = b.narrows
            if target is not None and b.params.get("kind") is not None:
                # narrowed here: a window may lack a kind the whole layer holds
                kinds = _kinds(b.params["kind"], where="")
                layer = b.params[target]
                pair = (layer, kinds)
                if pair not in narrowed:
                    frame = site[layer]
                    narrowed[pair] = frame[frame["kind"].isin(kinds).to_numpy(dtype=bool)]
                spec[target] = narrowed[pair]
                spec["kind"] = None
            specs.append(spec)
        for position, i in enumerate(chosen):
            if self.bound[i].measure == "nearest_id":
                # its distance, to prove it (the same tree: no second build)
                spec = dict(specs[position])
                spec.update(measure="nearest_distance", name=_hidden(self.bound[i].column))
                specs.append(spec)
        context = Context(site, specs, as_of=self.as_of).prepare()
        context.bounds = self.index.bounds
        context.crs = self.index.crs
        if not whole:
            self._align_grids(context)
            self._whole_dissolve(context)
        return context

    def _whole_dissolve(self, context: Context) -> None:
        """Give constrained_share the constraints dissolved over the whole layer."""
        for spec in context._specs:
            if spec.measure.name != "constrained_share":
                continue
            b = self.bound[[x.column for x in self.bound].index(spec.column)]
            whole = self.dissolved.get(_dissolve_key(b.params))
            if whole is None:
                continue  # the specs' check on empty layers: nothing to measure
            recipe = spec.measure.shared["dissolved"]
            key = (recipe.name, *(spec.keys[name] for name in recipe.inputs))
            own = context._built[key]  # the window's own dissolve, from its rows
            context._built[key] = replace(whole, n_constraints=own.n_constraints)

    def _align_grids(self, context: Context) -> None:
        """Give sum_within's point trees the whole layer's grid, so that each parcel's
        values are added in the same order as over the whole layer."""
        for spec in context._specs:
            if spec.measure.name != "sum_within":
                continue
            b = self.bound[[x.column for x in self.bound].index(spec.column)]
            key = (b.params["points"], "category", _category_key(b.params["category"]))
            extent = self.point_extent.get(key)
            tree = _shared(context, spec, "tree")
            radius = float(spec.arguments["radius"])
            if extent is not None:
                tree.grids[radius] = _aligned_grid(tree.xy, radius, *extent, crs=self.index.crs)

    def measure_partition(
        self, parcels: Any
    ) -> tuple[pd.DataFrame, dict[str, list[Any]], dict[str, Any]]:
        """Measure one partition in windows, widened where a value is not proven.

        The first window measures every column; a wider one measures again only the
        columns, and the parcels, left unproven (reading only their layers).

        Returns the columns, the warnings caught per column (those of the
        measurement that gave each parcel its value), and the figures of the windows:
        ``windows`` read, ``unproven`` (column → parcels not proven in the first
        window), ``widened`` (level → parcels proven at that widening, counted once
        per column), ``whole`` (values measured against the whole extent),
        ``files``, ``bytes``, ``rows`` read.
        """
        where = SimpleNamespace(crs=self.index.crs, bounds=self.index.bounds)
        Context.check_parcels(where, parcels)  # type: ignore[arg-type]
        stats = ReadStats()
        figures: dict[str, Any] = {"windows": 0, "unproven": {}, "widened": {}, "whole": 0}
        n = len(parcels)
        geoms = np.asarray(parcels.geometry.array, dtype=object)
        box_each = shapely.bounds(geoms) if n else np.empty((0, 4))
        todo = {column: np.arange(n) for column in self.columns}
        margins = dict.fromkeys(self.columns, self.margin)
        values: pd.DataFrame | None = None
        caught_all: dict[str, list[Any]] = {column: [] for column in self.columns}
        level = 0
        while values is None or any(len(rows) for rows in todo.values()):
            # the columns left unproven, in groups of the same next margin
            groups: dict[float, list[str]] = {}
            for column in self.columns:
                if level == 0 or len(todo[column]):
                    groups.setdefault(margins[column], []).append(column)
            for margin, columns in sorted(groups.items()):
                values = self._window(
                    parcels, box_each, todo, margins, margin, columns, level, values,
                    caught_all, figures, stats,
                )  # fmt: skip
            level += 1
        assert values is not None
        figures.update(vars(stats))
        return values, caught_all, figures

    def _window(
        self,
        parcels: Any,
        box_each: Any,
        todo: dict[str, Any],
        margins: dict[str, float],
        margin: float,
        columns: list[str],
        level: int,
        values: pd.DataFrame | None,
        caught_all: dict[str, list[Any]],
        figures: dict[str, Any],
        stats: ReadStats,
    ) -> pd.DataFrame:
        """Measure ``columns`` of their parcels left to prove in one window of
        ``margin``; keep the proven values, their warnings, the next margins."""
        n = len(parcels)
        rows = np.unique(np.concatenate([todo[c] for c in columns])) if level else np.arange(n)
        part = parcels.iloc[rows]
        own = box_each[rows]
        finite = np.isfinite(own).all(axis=1)
        if not finite.any():  # no geometry: nothing to read
            box = _nowhere(self.index)
        elif not np.isfinite(margin):  # the whole extent
            box = _grown(self.index.bounds, 1.0)
        else:
            core = (
                float(own[finite, 0].min()),
                float(own[finite, 1].min()),
                float(own[finite, 2].max()),
                float(own[finite, 3].max()),
            )
            box = _grown(core, margin)
        whole = _covers(box, _grown(self.index.bounds, 1.0))
        context = self._context(box, stats, whole=whole, columns=None if level == 0 else columns)
        figures["windows"] += 1
        frame, caught = context.measure_partition(part)
        if whole:
            proven = {c: np.ones(len(rows), dtype=bool) for c in frame.columns}
            need = dict.fromkeys(frame.columns, 0.0)
        else:
            proven, need = self._proven(context, part, frame, box, own)
        if values is None:
            values = frame[list(self.columns)].copy()
        for column in columns:
            mine = np.isin(rows, todo[column])
            ok = proven[column] & mine
            got = np.flatnonzero(ok)
            if level:
                j = list(values.columns).index(column)
                values.iloc[rows[got], j] = frame[column].iloc[got].to_numpy()
            if caught.get(column) and not ok.all():
                # the warnings of the parcels proven here, not of the others
                sub = _only(context, column)
                _, more = sub._measure_part(part.iloc[got])
                caught_all[column].extend(more.get(column, []))
            else:
                caught_all[column].extend(caught.get(column, []))
            if level == 0 and (~ok).any():
                figures["unproven"][column] = int((~ok).sum())
            if level and got.size:
                if whole:
                    figures["whole"] += int(got.size)
                else:
                    widened = figures["widened"]
                    widened[level] = widened.get(level, 0) + int(got.size)
            todo[column] = rows[mine & ~proven[column]]
            margins[column] = max(2.0 * margin, need[column])
        return values

    def _proven(
        self, context: Context, parcels: Any, frame: pd.DataFrame, box: Box, bounds: Any
    ) -> tuple[dict[str, npt.NDArray[np.bool_]], dict[str, float]]:
        """Per column of the context, per parcel, whether the value is proven in
        ``box``; and per column the margin that its unproven ones need (0 when
        unknown: the margin is doubled; inf: the whole extent)."""
        room = np.minimum.reduce(
            [
                bounds[:, 0] - box[0],
                bounds[:, 1] - box[1],
                box[2] - bounds[:, 2],
                box[3] - bounds[:, 3],
            ]
        )
        no_geometry = ~np.isfinite(room)
        room = np.where(no_geometry, np.inf, room) - _TOL
        proven: dict[str, npt.NDArray[np.bool_]] = {}
        needs: dict[str, float] = {}
        slack = _n.SNAP_TIE_M + _TOL
        by_column = {b.column: b for b in self.bound}
        for spec in context._specs:
            b = by_column.get(spec.column)
            if b is None:
                continue  # a hidden column: read with its spec
            arguments = b.params
            fixed = RULES[b.measure].reach(arguments)
            need = 0.0
            if b.measure in ("nearest_distance", "nearest_id"):
                column = b.column if b.measure == "nearest_distance" else _hidden(b.column)
                d = frame[column].to_numpy(dtype=float)
                empty_whole = self.index.rows(arguments["features"]) == 0
                ok = np.where(np.isfinite(d), d <= room, empty_whole)
                far = np.where(~ok & np.isfinite(d), d + 2 * _TOL, 0.0)
                need = max(need, float(np.max(far, initial=0.0)))
            elif b.measure == "walk_distance":
                d = frame[b.column].to_numpy(dtype=float)
                ok = np.isfinite(d) & (d + slack <= room)
                far = np.where(~ok & np.isfinite(d), d + slack + _TOL, 0.0)
                need = max(need, float(np.max(far, initial=0.0)))
                if fixed is not None:
                    ok |= np.isinf(d) & (fixed + _TOL <= room)
                elif self.index.rows(arguments["targets"]) == 0:
                    ok |= np.isinf(d)  # no target at all: inf everywhere
                else:
                    inf = np.flatnonzero(np.isinf(d) & (room < np.inf))
                    if len(inf):
                        ok[inf] = self._cut_off(context, spec, parcels, inf, box, room)
                ok |= no_geometry
            elif b.measure == "frontage":
                assert fixed is not None
                ok, alone = self._one_segment(context, spec, parcels, box, fixed)
                ok &= fixed <= room
                # two axis segments or more near a parcel: GEOS's tree over the whole
                # layer orders them, which decides the sum's last bits: the whole layer
                need = max(need, fixed + 2 * _TOL if alone.all() else np.inf)
                ok |= no_geometry
            else:
                assert fixed is not None
                ok = fixed <= room
                need = max(need, fixed + 2 * _TOL)
            # a parcel without geometry reads nothing of the context
            proven[b.column] = ok | no_geometry
            needs[b.column] = need
        return proven, needs

    def _one_segment(
        self, context: Context, spec: Any, parcels: Any, box: Box, tolerance: float
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """For frontage: whether each parcel has at most one axis segment within
        ``tolerance`` whose ends lie inside the window (so the axes that go on from
        it were read, and its joints are the whole layer's), and whether it has at
        most one such segment at all."""
        segments = _shared(context, spec, "segments")
        geoms = np.asarray(parcels.geometry.array, dtype=object)
        n = len(geoms)
        if not len(segments.geoms) or not n:
            return np.ones(n, dtype=bool), np.ones(n, dtype=bool)
        p_idx, s_idx = segments.tree.query(
            shapely.boundary(geoms), predicate="dwithin", distance=tolerance
        )
        count = np.bincount(p_idx, minlength=n)

        def inside(xy: Any) -> Any:
            return (
                (xy[:, 0] > box[0] + _TOL)
                & (xy[:, 1] > box[1] + _TOL)
                & (xy[:, 0] < box[2] - _TOL)
                & (xy[:, 1] < box[3] - _TOL)
            )

        ends = np.ones(n, dtype=bool)
        np.logical_and.at(ends, p_idx, inside(segments.start[s_idx]) & inside(segments.end[s_idx]))
        alone = count <= 1
        return alone & ends, alone

    def _cut_off(
        self, context: Context, spec: Any, parcels: Any, rows: Any, box: Box, room: Any
    ) -> npt.NDArray[np.bool_]:
        """For parcels at inf: whether every street component they reach lies strictly
        inside the window (then it is the whole network's, and holds no target there
        either), and their nearest street is inside it."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        graph = _shared(context, spec, "graph")
        out = np.zeros(len(rows), dtype=bool)
        if graph.n_edges == 0:
            return out
        geoms = np.asarray(parcels.geometry.array, dtype=object)[rows]
        snap = _n.snap_to_edges(graph, geoms, workers=1)
        if not snap.n_access:
            return out
        adjacency = coo_matrix(
            (np.ones(graph.n_edges), (graph.edge_u, graph.edge_v)),
            shape=(graph.n_nodes, graph.n_nodes),
        )
        _, labels = connected_components(adjacency, directed=False)
        x, y = graph.node_xy[:, 0], graph.node_xy[:, 1]
        # nodes merge within NODE_PRECISION_M: strictly inside by more than that
        edge = 2 * _n.NODE_PRECISION_M
        inside = (
            (x > box[0] + edge) & (x < box[2] - edge) & (y > box[1] + edge) & (y < box[3] - edge)
        )
        complete = np.ones(labels.max() + 1, dtype=bool)
        np.logical_and.at(complete, labels, inside)
        edge_ok = complete[labels[graph.edge_u[snap.edge]]]
        bad = np.zeros(len(rows), dtype=bool)
        np.logical_or.at(bad, snap.owner, ~edge_ok)
        has = np.zeros(len(rows), dtype=bool)
        has[snap.owner] = True
        near = snap.snap_distance_m + _n.SNAP_TIE_M <= room[rows]
        return has & ~bad & near


def _only(context: Context, column: str) -> Context:
    """The context for one of its columns (the same intermediates)."""
    sub = copy.copy(context)
    sub._specs = tuple(spec for spec in context._specs if spec.column == column)
    sub.columns = (column,)
    sub.whole_layer = ()
    return sub


def _hidden(column: str) -> str:
    return f"\x00window distance {column}"


def _aligned_grid(xy: Any, radius: float, lo: Any, hi: Any, *, crs: Any) -> Any:
    """The window's points ``xy`` in the grid that the radius measures build over the
    whole layer, whose selected points span ``lo``..``hi``: the same cells, the points
    of each in the layer's order."""
    # the whole layer's grid: the one its two extreme corners alone give
    corners = gpd.GeoSeries(shapely.points(np.array([lo, hi], dtype=float)), crs=crs)
    grid = _p.point_tree(corners).grid(radius)
    row = np.clip(((xy[:, 1] - grid.y0) / grid.h).astype(np.int64), 0, grid.nrows - 1)
    col = np.clip(((xy[:, 0] - grid.x0) / grid.w).astype(np.int64), 0, grid.ncols - 1)
    cell = row * grid.ncols + col
    order = np.argsort(cell, kind="stable")
    start = np.searchsorted(cell[order], np.arange(grid.nrows * grid.ncols + 1, dtype=np.int64))
    start = start.astype(np.int32 if len(xy) < 2**31 else np.int64)
    return replace(
        grid, start=start, order=order.astype(np.intp), xy=np.ascontiguousarray(xy[order])
    )


def _dissolve_key(arguments: Mapping[str, Any]) -> tuple[Any, ...]:
    return (arguments["constraints"], _category_key(arguments["kind"]), arguments["hard"])


def _dissolve(index: ContextFolder, layer: str, kind: Any, hard: Any) -> Any:
    """The selected constraints of the whole layer dissolved, as
    :func:`~landasset.measures.dissolve_constraints` does (the one step that reads a
    whole layer: the constraint areas, a small layer)."""
    frame = read_layer(index, layer, _grown(index.bounds, 1.0))
    if frame is None:
        frame = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=index.crs))
    return _p.dissolve_constraints(frame, kind=None if kind is None else list(kind), hard=hard)


def _target_pad(index: ContextFolder, targets: str, streets: str, i: int, margin: float) -> float:
    """The largest distance, over the targets of one file, from a target to its
    access points on the whole street network (its snap length and the tie margin),
    proven as the values are: from the streets around the file, widened until every
    target's nearest street lies inside."""
    frame = gpd.read_parquet(index.layers[targets][i].path)
    geoms = np.asarray(frame.geometry.array, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if not len(geoms):
        return 0.0
    bounds = shapely.bounds(geoms)
    core = (
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    )
    r = margin
    while True:
        box = _grown(core, r)
        whole = _covers(box, _grown(index.bounds, 1.0))
        layer = read_layer(index, streets, box)
        graph = _n.street_graph(layer if layer is not None else gpd.GeoSeries([], crs=index.crs))
        snap = _n.snap_to_edges(graph, geoms, workers=1).snap_distance_m
        room = np.minimum.reduce(
            [
                bounds[:, 0] - box[0],
                bounds[:, 1] - box[1],
                box[2] - bounds[:, 2],
                box[3] - bounds[:, 3],
            ]
        )
        if whole or (snap + _n.SNAP_TIE_M + _TOL <= room).all():
            finite = snap[np.isfinite(snap)]
            return float(finite.max()) + _n.SNAP_TIE_M if len(finite) else 0.0
        r *= 2.0
