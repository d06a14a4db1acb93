"""Measure and score a partitioned parcel set on a dask cluster.

The parcels come as a dask-geopandas GeoDataFrame or as a folder of GeoParquet
files, one partition each; the other layers come as a context :class:`~landasset.Site`
(the streets, stations, amenities ... of the whole district or province). The
:class:`~landasset.measures.Context` (the specs resolved against the site, the street
graph, snapping tree, feature trees and point grids) is built once on the client
and sent once to every worker (``Client.scatter(..., broadcast=True)``); each task
then reads one partition, measures it, and writes it to partitioned GeoParquet
(GeoParquet 1.1 with the ``bbox`` covering column) or keeps it in the cluster's
memory. No process ever holds the whole parcel layer. A parcel's values depend only
on that parcel and on the context, so the answer is the same to the bit as
:func:`landasset.measures.compute` and :meth:`SuitabilityModel.score` in one
process, whatever the partitioning; the ranks of :func:`score` are global (a second,
light pass over the scores).

A context too large for one worker comes as a folder of GeoParquet layers instead of
a Site: the client reads only the files' metadata, and each task reads the context
rows within its partition's bounds grown by a margin, builds a ``Context`` on that
window and measures the partition there. A rule per measure proves each value from
what the window holds (a radius inside it, a nearest feature nearer than its edge, a
walk that cannot leave it); a parcel whose value is not proven is measured again in
a wider window, the whole extent last, so the answer is still the whole context's to
the bit, and no process holds a whole layer (see ``landasset._window``).

It needs the ``scale`` extra (``pip install 'landasset[scale]'``: dask-geopandas and
distributed). See docs/scale.md for running on an existing cluster.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landasset._errors import LandassetValueError
from landasset._window import WindowPlan, check_margin, index_folder
from landasset.measures import Context, MeasureError

if TYPE_CHECKING:
    from landasset.site import Site
    from landasset.suitability import SuitabilityModel

__all__ = ["compute", "partition_files", "score", "write_partitions"]

#: Task keys start with this (a worker plugin or a dashboard can find them by it).
TASK_PREFIX = "landasset-part"


def _dask() -> Any:
    try:
        import dask
        import distributed
    except ImportError as exc:  # pragma: no cover - the extra is installed in CI
        raise ImportError(
            "landasset.scale needs dask and distributed: pip install 'landasset[scale]'"
        ) from exc
    return dask, distributed


def partition_files(path: str | os.PathLike[str]) -> list[Path]:
    """The GeoParquet partitions of a folder, in name order (``*.parquet``).

    Raises
    ------
    LandassetValueError
        The folder does not exist or holds no ``.parquet`` file.
    """
    path = Path(path)
    if not path.is_dir():
        raise LandassetValueError(
            f"{str(path)!r} is not a folder of GeoParquet partitions; give a folder "
            "that holds one .parquet file per partition (write_partitions writes one)"
        )
    files = sorted(p for p in path.iterdir() if p.suffix == ".parquet" and p.is_file())
    if not files:
        raise LandassetValueError(
            f"the folder {str(path)!r} holds no .parquet file; write the parcels there "
            "partition by partition (landasset.scale.write_partitions)"
        )
    return files


def write_partitions(
    parcels: gpd.GeoDataFrame, path: str | os.PathLike[str], *, partitions: int
) -> list[Path]:
    """Write parcels as spatially compact GeoParquet partitions (Hilbert order).

    Each file is GeoParquet 1.1 with a ``bbox`` covering column, named
    ``part.00000.parquet`` ...

    Returns
    -------
    list of Path
        The files written, in order.
    """
    from landasset.measures import hilbert_partitions

    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i, rows in enumerate(hilbert_partitions(parcels, partitions=partitions)):
        written.append(_write(parcels.iloc[rows], out, i))
    return written


def _write(frame: gpd.GeoDataFrame, folder: Path, i: int) -> Path:
    path = folder / f"part.{i:05d}.parquet"
    tmp = folder / f".part.{i:05d}.parquet.tmp"
    frame = frame.copy(deep=False)
    frame.attrs = {}  # the date and the retired list are the caller's, not the file's
    frame.to_parquet(tmp, write_covering_bbox=True, schema_version="1.1.0")
    os.replace(tmp, path)  # a retried task never leaves half a file
    return path


def _load(source: Any) -> gpd.GeoDataFrame:
    if isinstance(source, (str, Path)):
        return gpd.read_parquet(source)
    return source


# -- the tasks (run on the workers) ----------------------------------------------------


def _measure(
    context: Context | WindowPlan, parcels: Any
) -> tuple[pd.DataFrame, dict[str, list[Any]], dict[str, Any] | None]:
    """The partition's columns and warnings, and the window figures (None for a
    context Site)."""
    if isinstance(context, WindowPlan):
        return context.measure_partition(parcels)
    frame, caught = context.measure_partition(parcels)
    return frame, caught, None


def _measure_task(
    context: Context | WindowPlan, source: Any, i: int, output: str | None
) -> tuple[Any, dict[str, list[Any]], int, dict[str, Any] | None]:
    parcels = _load(source)
    frame, caught, figures = _measure(context, parcels)
    table = gpd.GeoDataFrame(frame, geometry=parcels.geometry, crs=parcels.crs)
    if output is not None:
        return str(_write(table, Path(output), i)), caught, len(table), figures
    return table, caught, len(table), figures


def _score_task(
    context: Context | WindowPlan,
    model: SuitabilityModel,
    source: Any,
    i: int,
    output: str | None,
) -> tuple[
    Any,
    dict[str, list[Any]],
    int,
    np.ndarray,
    list[tuple[type[Warning], str]],
    dict[str, Any] | None,
]:
    parcels = _load(source)
    frame, caught, figures = _measure(context, parcels)
    measures = pd.concat([frame, model.parcel_columns(parcels)], axis=1)
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        result = model.score_frame(parcels, measures, as_of=context.as_of)
    ranked = result["rank"].notna().to_numpy()
    score = result["score"].to_numpy(dtype=np.float64)[ranked]
    notes = [(w.category, str(w.message)) for w in shown]
    if output is not None:
        path = _write(result, Path(output), i).rename(Path(output) / f".scored.{i:05d}.parquet")
        return str(path), caught, len(result), score, notes, figures
    return result, caught, len(result), score, notes, figures


def _rank_task(best_first: np.ndarray, source: Any, i: int, output: str | None) -> Any:
    result = _load(source)
    rank = result["rank"].to_numpy(dtype="float64", na_value=np.nan)
    has = ~np.isnan(rank)
    score = result["score"].to_numpy(dtype=np.float64)
    # competition rank over every partition: 1 + how many ranked scores are higher
    higher = len(best_first) - np.searchsorted(best_first, score[has], side="right")
    values = np.zeros(len(result), dtype=np.int64)
    values[has] = higher + 1
    result["rank"] = pd.arrays.IntegerArray(values, ~has)
    if output is not None:
        path = _write(result, Path(output), i)
        os.remove(source)
        return str(path)
    return result


# -- the client side -------------------------------------------------------------------


def _sources(parcels: Any, shuffle: bool) -> list[Any]:
    """One source per partition: a file path or a delayed GeoDataFrame."""
    import dask_geopandas

    if isinstance(parcels, (str, os.PathLike)):
        files = partition_files(parcels)
        if not shuffle:
            return [str(f) for f in files]
        parcels = _lazy_frame(files)
    if not isinstance(parcels, dask_geopandas.GeoDataFrame):
        raise LandassetValueError(
            "parcels must be a dask_geopandas.GeoDataFrame or a folder of GeoParquet "
            f"partitions, not {type(parcels).__name__}; for a GeoDataFrame in memory use "
            "landasset.measures.compute(site, specs, workers=N)"
        )
    if shuffle:
        # the shuffle puts the Hilbert distance in the index: keep the ids aside
        name = parcels.index.name
        column = "__landasset_id__"
        parcels = parcels.rename_axis(column).reset_index().spatial_shuffle(by="hilbert")
        parcels = parcels.map_partitions(
            _restore_index, column, name, meta=parcels._meta.pipe(_restore_index, column, name)
        )
    return list(parcels.to_delayed())


def _restore_index(frame: Any, column: str, name: Any) -> Any:
    return frame.set_index(column).rename_axis(name)


def _lazy_frame(files: list[Path]) -> Any:
    """The partitions of a folder as a dask-geopandas frame, one file each (read
    when a task needs it)."""
    import dask
    import dask.dataframe as dd
    import dask_geopandas

    meta = gpd.read_parquet(files[0]).iloc[:0]
    parts = [dask.delayed(gpd.read_parquet)(str(f)) for f in files]
    return dask_geopandas.from_dask_dataframe(dd.from_delayed(parts, meta=meta))


def _check_client(client: Any, workers: int | None) -> None:
    if client is not None and workers is not None:
        raise LandassetValueError(
            "give client= (an existing cluster) or workers= (a local one), not both"
        )
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise LandassetValueError(f"workers must be a whole number >= 1, not {workers!r}")


def _client(client: Any, workers: int | None) -> tuple[Any, Callable[[], None]]:
    _, distributed = _dask()
    if client is not None:
        return client, lambda: None
    cluster = distributed.LocalCluster(
        n_workers=workers or 1, threads_per_worker=1, processes=True, dashboard_address=None
    )
    own = distributed.Client(cluster)

    def close() -> None:
        own.close()
        cluster.close()

    return own, close


def _run(
    client: Any,
    function: Callable[..., Any],
    broadcast: Sequence[Any],
    sources: list[Any],
    output: str | None,
    stage: str,
) -> list[Any]:
    dask, _ = _dask()
    from landasset._dask_plugins import GeoImports

    # every worker, and any that replaces a lost one mid-run, reads geometries
    client.register_plugin(GeoImports(), name=GeoImports.name)
    shared = [client.scatter(obj, broadcast=True, hash=False) for obj in broadcast]
    tasks = [
        dask.delayed(function, pure=False)(
            *shared, source, i, output, dask_key_name=f"{TASK_PREFIX}-{stage}-{i}"
        )
        for i, source in enumerate(sources)
    ]
    futures = client.compute(tasks)
    return list(client.gather(futures))


def _as_frame(parts: list[Any]) -> Any:
    import dask.dataframe as dd
    import dask_geopandas

    return dd.concat([dask_geopandas.from_geopandas(p, npartitions=1) for p in parts])


def _prepare_output(output: str | os.PathLike[str] | None, overwrite: bool) -> str | None:
    if output is None:
        return None
    out = Path(output)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise LandassetValueError(
                f"the output folder {str(out)!r} is not empty; choose another folder or "
                "pass overwrite=True to replace its .parquet partitions"
            )
        for old in out.glob("*.parquet"):
            old.unlink()
    out.mkdir(parents=True, exist_ok=True)
    return str(out)


def compute(
    parcels: Any,
    site: Site | str | os.PathLike[str],
    specs: Sequence[str | Mapping[str, Any]],
    *,
    as_of: Any = None,
    client: Any = None,
    workers: int | None = None,
    output: str | os.PathLike[str] | None = None,
    shuffle: bool = True,
    overwrite: bool = False,
    margin: float | None = None,
    stats: dict[str, Any] | None = None,
) -> Any:
    """Measure a partitioned parcel set against a context site on a dask cluster.

    Parameters
    ----------
    parcels : dask_geopandas.GeoDataFrame or path
        The parcels, partitioned: a dask-geopandas frame, or a folder of GeoParquet
        files (one partition each), in the site's CRS and within its extent.
    site : Site or path
        The context: the layers the specs read (its own parcels are not measured).
        A folder of GeoParquet context layers (``<layer>/*.parquet`` or
        ``<layer>.parquet``, named after the site's layers, as
        :func:`landasset.sample.write_synthetic_city` writes under ``context/``) is
        a *windowed* context: the client reads only the files' metadata, and each
        task reads the rows near its partition (its bounds grown by ``margin``,
        filtered by the ``bbox`` covering column), so no process holds a whole
        layer. Each value is proven from what its window holds, by a rule per
        measure (docs/scale.md); a parcel whose value is not is measured again in a
        wider window, up to the whole extent, so the result equals the whole
        context's to the bit.
    specs, as_of
        As :func:`landasset.measures.compute`.
    client : distributed.Client, optional
        The cluster to run on. Default: a LocalCluster of ``workers`` processes,
        closed at the end.
    workers : int, optional
        Worker processes of the local cluster (default 1); only without ``client``.
    output : path, optional
        A folder to write the result to, as GeoParquet 1.1 partitions with a
        ``bbox`` covering column (``part.00000.parquet`` ...): the way to stay out
        of core. None: the partitions come back to the client, as a dask-geopandas
        frame (for results that fit in its memory).
    shuffle : bool, default True
        Shuffle the parcels into spatially compact partitions first (dask-geopandas'
        Hilbert ``spatial_shuffle``). Leave it off for partitions already compact
        (as :func:`write_partitions` writes them): then each task reads its own file
        and nothing else.
    overwrite : bool, default False
        Replace the ``.parquet`` files of a non-empty ``output`` folder.
    margin : float, optional
        With a context folder: metres around a partition that its first window
        reaches. Default: the largest fixed reach of the specs (radius, tolerance,
        ``max_distance``), and at least 2,000 m for the nearest feature and the
        walking distance, whose reach is the value found.
    stats : dict, optional
        With a context folder: filled with the windows' figures (``margin``,
        ``partitions``, ``windows`` read, ``unproven`` per column in the first
        windows, ``widened`` per level, ``whole``, and per task ``files``,
        ``bytes`` and ``rows`` of context read).

    Returns
    -------
    dask_geopandas.GeoDataFrame or list of Path
        One column per spec plus the geometry, on the parcels' index; or, with
        ``output``, the files written.

    Raises
    ------
    MeasureError
        A spec is wrong (checked before anything runs), or a partition lies outside
        the site's extent or in another CRS (the context does not cover it), or a
        spec needs the whole parcel layer at once (the floor-area measures: which
        parcel holds the larger part of a building), or, with a context folder, a
        spec's measure has no window rule or gives a layer as a GeoDataFrame.
    LandassetValueError
        The context folder holds no layer, or ``margin`` is not a number > 0 or is
        given with a Site.
    CRSError
        The context folder's layers are not all in one metric CRS.
    """
    _dask()
    _check_client(client, workers)
    context = _context(site, specs, as_of, margin)
    _check_files(context, parcels)
    out = _prepare_output(output, overwrite)
    sources = _sources(parcels, shuffle)
    client, close = _client(client, workers)
    try:
        _gather(client, context)
        results = _run(client, _measure_task, [context], sources, out, "measure")
    finally:
        close()
    _warner(context).warn(
        [caught for _, caught, *_ in results], n_parcels=sum(n for _, _, n, _ in results)
    )
    _fill(stats, context, [figures for *_, figures in results])
    if out is not None:
        return [Path(path) for path, *_ in results]
    return _as_frame([frame for frame, *_ in results])


def _context(site: Any, specs: Sequence[Any], as_of: Any, margin: Any) -> Context | WindowPlan:
    if isinstance(site, (str, os.PathLike)):
        return WindowPlan.build(index_folder(site), specs, as_of, check_margin(margin))
    if margin is not None:
        raise LandassetValueError(
            f"margin={margin!r} is for a context folder (a window around each partition); "
            "with a Site every task has the whole context: leave margin out"
        )
    context = Context(site, specs, as_of=as_of)
    if context.whole_layer:
        raise MeasureError(
            f"{', '.join(context.whole_layer)} need every parcel at once (which parcel "
            "holds the larger part of a building) and cannot be measured partition by "
            "partition; give the buildings a parcel_id column and use by='parcel_id', "
            "or measure them with landasset.measures.compute"
        )
    return context.prepare()


def _check_files(context: Context | WindowPlan, parcels: Any) -> None:
    """With a context folder and a folder of partitions: the partitions' extent and
    CRS checked against the layers from the files' metadata, before any task."""
    if isinstance(context, WindowPlan) and isinstance(parcels, (str, os.PathLike)):
        context.check_files(partition_files(parcels))


def _gather(client: Any, context: Context | WindowPlan) -> None:
    """With a context folder: the one pass over the whole layers (the targets'
    largest snap, the point grids' extents), one task per file."""
    if not isinstance(context, WindowPlan):
        return
    jobs = context.gather_jobs()
    if jobs:
        futures = [
            client.submit(context.gather_one, what, key, i, pure=False) for what, key, i in jobs
        ]
        context.gathered(jobs, client.gather(futures))


def _warner(context: Context | WindowPlan) -> Context:
    if isinstance(context, WindowPlan):
        assert context.skeleton is not None
        return context.skeleton
    return context


def _fill(
    stats: dict[str, Any] | None,
    context: Context | WindowPlan,
    figures: Sequence[dict[str, Any] | None],
) -> None:
    """The window figures of every task, added up into ``stats``."""
    if stats is None or not isinstance(context, WindowPlan):
        return
    unproven: dict[str, int] = {}
    widened: dict[int, int] = {}
    for f in figures:
        assert f is not None
        for column, count in f["unproven"].items():
            unproven[column] = unproven.get(column, 0) + count
        for level, count in f["widened"].items():
            widened[level] = widened.get(level, 0) + count
    stats.update(
        margin=context.margin,
        target_pad=dict(context.target_pad),
        partitions=len(figures),
        windows=sum(f["windows"] for f in figures if f),
        unproven=unproven,
        widened=widened,
        whole=sum(f["whole"] for f in figures if f),
        files=[f["files"] for f in figures if f],
        bytes=[f["bytes"] for f in figures if f],
        rows=[f["rows"] for f in figures if f],
    )


def score(
    parcels: Any,
    site: Site | str | os.PathLike[str],
    model: SuitabilityModel,
    *,
    as_of: Any = None,
    client: Any = None,
    workers: int | None = None,
    output: str | os.PathLike[str] | None = None,
    shuffle: bool = True,
    overwrite: bool = False,
    margin: float | None = None,
    stats: dict[str, Any] | None = None,
) -> Any:
    """Score a partitioned parcel set on a dask cluster, as ``model.score`` would.

    Every partition is measured and scored where it lies; the ranks are then set
    over all the partitions (competition ranking, 1 = best), so each row equals
    ``model.score(site_with_all_parcels)``'s to the bit. Parameters as
    :func:`compute`; stage rules are not supported here (score such a model with
    :meth:`SuitabilityModel.score`).

    Returns
    -------
    dask_geopandas.GeoDataFrame or list of Path
        The columns of :meth:`SuitabilityModel.score_frame`; or, with ``output``, the
        files written.

    Raises
    ------
    LandassetValueError
        The model has a stage rule, or a method whose score of a parcel depends on
        the others (TOPSIS normalises over all parcels); or as :func:`compute` (a
        context folder without layers, a bad ``margin``).
    MeasureError, CRSError
        As :func:`compute`.
    """
    _dask()
    _check_client(client, workers)
    from landasset.suitability import StageRule

    if model.method != "wlc" and model.method != "owa":
        raise LandassetValueError(
            f"model {model.name!r} uses {model.method!r}, whose score of a parcel depends "
            "on every other parcel; score it with model.score(site) in one process, or "
            "use 'wlc' or 'owa'"
        )
    if any(isinstance(rule, StageRule) for rule in model.constraints):
        raise LandassetValueError(
            f"model {model.name!r} has a stage rule; score it with model.score(site, "
            "stages=...) in one process"
        )
    context = _context(site, list(model.computed_specs().values()), as_of, margin)
    _check_files(context, parcels)
    out = _prepare_output(output, overwrite)
    sources = _sources(parcels, shuffle)
    client, close = _client(client, workers)
    try:
        _gather(client, context)
        first = _run(client, _score_task, [context, model], sources, out, "score")
        best_first = np.sort(np.concatenate([s for _, _, _, s, _, _ in first]))
        parts = [source for source, *_ in first]
        ranked = _run(client, _rank_task, [best_first], parts, out, "rank")
    finally:
        close()
    _warner(context).warn(
        [caught for _, caught, *_ in first], n_parcels=sum(n for _, _, n, *_ in first)
    )
    _fill(stats, context, [figures for *_, figures in first])
    seen = set()
    for *_, notes, _ in first:
        for category, message in notes:
            if (category, message) not in seen:
                seen.add((category, message))
                warnings.warn(message, category, stacklevel=2)
    if out is not None:
        return [Path(path) for path in ranked]
    return _as_frame(ranked)
