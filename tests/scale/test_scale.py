"""landasset.scale on a LocalCluster of two worker processes: the same bits as one
process, a worker killed mid-run, a context that does not cover the parcels."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask_geopandas")
distributed = pytest.importorskip("distributed")

import cloudpickle  # noqa: E402
import dask_geopandas  # noqa: E402

import landasset as la  # noqa: E402
from landasset import scale  # noqa: E402
from landasset.measures import MeasureError, UnreachableWarning, compute  # noqa: E402
from landasset.suitability import load_profile  # noqa: E402

SPECS = [
    "area_mu",
    {"measure": "walk_distance", "name": "walk"},
    {"measure": "nearest_distance", "features": "axes", "kind": "golden_axis", "name": "axis"},
    {"measure": "count_within", "points": "amenities", "radius": 500},
    {"measure": "cluster_strength", "industry": "aerospace_information", "radius": 1000},
    {"measure": "frontage", "tolerance": 25},
    {"measure": "constrained_share"},
]
AS_OF = "2030-01-01"


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        # the cluster's own start-up notes (ports, resources) are not ours to judge
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster)
    yield client
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.close()
        cluster.close()


def one_process(site, specs=SPECS):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        return compute(site, specs, as_of=AS_OF, workers=1)


def by_id(frame):
    frame = frame.compute() if hasattr(frame, "compute") else frame
    return pd.DataFrame(frame.drop(columns=frame.geometry.name)).sort_index()


def assert_same_bits(left: pd.DataFrame, right: pd.DataFrame) -> None:
    # ids compared as text: a GeoParquet round trip may change the string dtype's NA
    left, right = left.copy(), right.copy()
    left.index = left.index.astype(object)
    right.index = right.index.astype(object)
    for column in left.columns:
        # text too: a round trip may change the string dtype's NA, not the text
        if isinstance(left[column].dtype, pd.StringDtype):
            left[column] = left[column].astype(object).where(left[column].notna(), None)
            right[column] = right[column].astype(object).where(right[column].notna(), None)
    pd.testing.assert_frame_equal(left, right, check_exact=True)
    for column in left.columns:
        a, b = left[column].to_numpy(), right[column].to_numpy()
        if a.dtype.kind == "f":
            assert np.array_equal(a.view(np.int64), b.view(np.int64)), column


@pytest.mark.slow
def test_a_100000_parcel_city_on_two_workers_equals_one_process(client, tmp_path):
    city = la.sample.synthetic_city(100_000, seed=2)
    expected = one_process(city)
    parcels = dask_geopandas.from_geopandas(city.parcels, npartitions=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        # the parcels of this test live in the graph (from_geopandas), as dask notes
        warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
        files = scale.compute(parcels, city, SPECS, as_of=AS_OF, client=client, output=tmp_path)
    assert len(files) == 7
    written = pd.concat([pd.read_parquet(f) for f in files])
    assert "bbox" in written.columns  # GeoParquet 1.1 covering column
    got = written.drop(columns=["geometry", "bbox"]).sort_index()
    assert_same_bits(expected.sort_index(), got)


def test_measures_from_a_folder_of_partitions_equal_one_process(client, tmp_path):
    city = la.sample.synthetic_city(5_000, seed=4)
    scale.write_partitions(city.parcels, tmp_path / "parts", partitions=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        frame = scale.compute(
            tmp_path / "parts", city, SPECS, as_of=AS_OF, client=client, shuffle=False
        )
        shuffled = scale.compute(tmp_path / "parts", city, SPECS, as_of=AS_OF, client=client)
    expected = one_process(city).sort_index()
    assert_same_bits(expected, by_id(frame))
    assert_same_bits(expected, by_id(shuffled))


def test_unreachable_warnings_add_up_over_the_cluster(client):
    city = la.sample.synthetic_city(5_000, seed=4)
    spec = [{"measure": "walk_distance", "max_distance": 500.0}]
    with pytest.warns(UnreachableWarning) as one:
        compute(city, spec, as_of=AS_OF, workers=1)
    parcels = dask_geopandas.from_geopandas(city.parcels, npartitions=5)
    with pytest.warns(UnreachableWarning) as many:
        scale.compute(parcels, city, spec, as_of=AS_OF, client=client)
    assert [str(w.message) for w in many] == [str(w.message) for w in one]


def test_score_on_the_cluster_equals_model_score_ranks_included(client, tmp_path):
    city = la.sample.synthetic_city(6_000, seed=8)
    model = load_profile("aerospace")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = model.score(city, as_of=AS_OF, workers=1)
        parcels = dask_geopandas.from_geopandas(city.parcels, npartitions=4)
        files = scale.score(parcels, city, model, as_of=AS_OF, client=client, output=tmp_path)
    got = pd.concat([pd.read_parquet(f) for f in files]).sort_index()
    want = pd.DataFrame(expected.drop(columns="geometry")).sort_index()
    assert_same_bits(want, got.drop(columns=["geometry"])[want.columns])
    assert got["rank"].min() == 1 and got["rank"].max() > 100
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"part.{i:05d}.parquet" for i in range(4)]


class KillOnce(distributed.WorkerPlugin):
    """Ends the worker process the first time a landasset partition starts on it (a
    flag file makes it once over the whole cluster), as a machine lost mid-run."""

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def setup(self, worker) -> None:
        self.worker = worker

    def transition(self, key, start, finish, **kwargs) -> None:
        name = key if isinstance(key, str) else str(key)
        if finish == "executing" and scale.TASK_PREFIX in name:
            try:
                fd = os.open(self.flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return
            os.close(fd)
            os._exit(1)


def test_a_worker_killed_mid_run_is_replaced_and_the_result_is_the_same(client, tmp_path):
    city = la.sample.synthetic_city(4_000, seed=9)
    expected = one_process(city).sort_index()
    flag = tmp_path / "killed"
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        client.register_plugin(KillOnce(str(flag)), name="kill-once")
        parcels = dask_geopandas.from_geopandas(city.parcels, npartitions=6)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = scale.compute(parcels, city, SPECS, as_of=AS_OF, client=client)
    finally:
        client.unregister_worker_plugin("kill-once")
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert flag.exists()  # a worker did die
    assert_same_bits(expected, by_id(frame))
    client.wait_for_workers(2, timeout=60)


def test_a_context_that_does_not_cover_the_parcels_is_refused(client):
    small = la.sample.synthetic_city(300, seed=1)
    big = la.sample.synthetic_city(5_000, seed=1)
    parcels = dask_geopandas.from_geopandas(big.parcels, npartitions=2)
    with pytest.raises(MeasureError, match="the context does not cover the parcels"):
        scale.compute(parcels, small, ["area_mu"], client=client)


def test_whole_layer_measures_and_bad_inputs_are_refused(client, tmp_path, sample_site):
    with pytest.raises(MeasureError, match="need every parcel at once"):
        scale.compute(tmp_path, sample_site, ["gross_floor_area"], client=client)
    with pytest.raises(la.LandassetValueError, match=r"holds no \.parquet file"):
        scale.compute(tmp_path, sample_site, ["area_mu"], client=client)
    with pytest.raises(la.LandassetValueError, match=r"dask_geopandas\.GeoDataFrame"):
        scale.compute(sample_site.parcels, sample_site, ["area_mu"], client=client)
    with pytest.raises(la.LandassetValueError, match="not both"):
        scale.compute(tmp_path, sample_site, ["area_mu"], client=client, workers=2)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.parquet").write_bytes(b"")
    with pytest.raises(la.LandassetValueError, match="overwrite=True"):
        scale.compute(tmp_path, sample_site, ["area_mu"], client=client, output=tmp_path / "out")


def test_partition_files_are_in_name_order(tmp_path: Path):
    for name in ["part.00002.parquet", "part.00000.parquet", "notes.txt"]:
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in scale.partition_files(tmp_path)] == [
        "part.00000.parquet",
        "part.00002.parquet",
    ]
