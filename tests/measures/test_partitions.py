"""compute() in partitions and worker processes: the same table to the bit."""

from __future__ import annotations

import multiprocessing
import pickle
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import landasset as la
from landasset.measures import Context, MeasureError, UnreachableWarning, compute
from landasset.measures import batch as b

#: Every measure, as tests/measures/test_compute.py lists them.
ALL_SPECS = [
    "area_m2",
    "area_mu",
    "compactness",
    {"measure": "gross_floor_area"},
    {"measure": "floor_area_ratio", "by": "overlap"},
    {"measure": "building_coverage"},
    {"measure": "nearest_distance", "features": "axes"},
    {"measure": "nearest_id", "features": "stations"},
    {"measure": "count_within", "radius": 500, "category": "cafe"},
    {"measure": "sum_within", "column": "employees", "radius": 1000},
    {"measure": "frontage", "tolerance": 25},
    {"measure": "walk_distance"},
    {"measure": "cluster_strength", "industry": "aerospace_information", "radius": 1000},
    {"measure": "constrained_share", "kind": "ecological_redline"},
]

#: Every kind of measure that reads the context's layers across partition edges:
#: radius counts and sums, clusters, network distance, nearest features, frontage.
CITY_SPECS = [
    "area_mu",
    "compactness",
    {"measure": "walk_distance", "name": "walk"},
    {"measure": "walk_distance", "max_distance": 600.0, "name": "walk_600"},
    {"measure": "nearest_distance", "features": "axes", "name": "axis_m"},
    {"measure": "nearest_id", "features": "stations"},
    {"measure": "count_within", "points": "amenities", "radius": 500},
    {"measure": "count_within", "radius": 300, "origin": "centroid", "name": "c300"},
    {"measure": "sum_within", "column": "employees", "radius": 800},
    {"measure": "cluster_strength", "industry": "aerospace_information", "radius": 1000},
    {"measure": "frontage", "tolerance": 25},
    {"measure": "constrained_share"},
]


@pytest.fixture(scope="module")
def city() -> la.Site:
    return la.sample.synthetic_city(3_000, seed=7)


@pytest.fixture(scope="module")
def whole(city: la.Site) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        return compute(city, CITY_SPECS, as_of="2030-01-01", workers=1, partitions=1)


def assert_same_bits(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left, right, check_exact=True)
    for column in left.columns:
        a, c = left[column].to_numpy(), right[column].to_numpy()
        if a.dtype.kind == "f":
            # the same bits, not merely equal values (-0.0 and 0.0 differ here)
            assert np.array_equal(a.view(np.int64), c.view(np.int64)), column
        else:
            assert np.array_equal(a, c), column


@pytest.mark.parametrize("partitions", [2, 3, 7, 40])
def test_partitions_in_one_process_give_the_same_bits(city, whole, partitions):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        table = compute(city, CITY_SPECS, as_of="2030-01-01", workers=1, partitions=partitions)
    assert_same_bits(whole, table)
    assert table.attrs["as_of"] == pd.Timestamp("2030-01-01")


@pytest.mark.parametrize("partitions", [2, 5])
def test_two_worker_processes_give_the_same_bits(city, whole, partitions):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        table = compute(city, CITY_SPECS, as_of="2030-01-01", workers=2, partitions=partitions)
    assert_same_bits(whole, table)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(partitions=st.integers(min_value=1, max_value=60), n=st.integers(min_value=1, max_value=400))
def test_any_partition_count_gives_the_same_bits(partitions, n):
    site = la.sample.synthetic_city(n, seed=n)
    specs = [s for s in CITY_SPECS if not (isinstance(s, dict) and s["measure"] == "frontage")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        one = compute(site, specs, as_of="2030-01-01", workers=1, partitions=1)
        parts = compute(site, specs, as_of="2030-01-01", workers=1, partitions=partitions)
    assert_same_bits(one, parts)


def test_every_measure_of_the_sample_district_in_partitions(sample_site):
    # the floor-area measures need every parcel (which parcel holds the larger part
    # of a building): they are measured on the whole layer, the others per partition
    one = compute(sample_site, ALL_SPECS, as_of="2030-01-01", workers=1)
    parts = compute(sample_site, ALL_SPECS, as_of="2030-01-01", workers=1, partitions=6)
    assert_same_bits(one, parts)
    context = Context(sample_site, ALL_SPECS)
    assert context.whole_layer == ("gfa_m2", "far", "building_coverage")


def test_whole_layer_measures_run_in_the_parent_while_two_workers_measure(sample_site):
    # with worker processes, the floor-area measures are computed in this process
    # while the workers measure the partitions: the same bits, and they are not
    # measured on a partition (a worker never sees a whole-layer column)
    one = compute(sample_site, ALL_SPECS, as_of="2030-01-01", workers=1)
    seen: list[tuple[int, tuple[str, ...], int]] = []
    measure_part = Context._measure_part

    def spy(self, parcels, *, whole_layer=False):
        workers = len(multiprocessing.active_children())
        frame, caught = measure_part(self, parcels, whole_layer=whole_layer)
        seen.append((len(parcels), tuple(frame.columns), workers))
        return frame, caught

    # the forked workers record into their own copies of the list: it holds the
    # parent's calls only
    Context._measure_part = spy
    try:
        two = compute(sample_site, ALL_SPECS, as_of="2030-01-01", workers=2, partitions=4)
    finally:
        Context._measure_part = measure_part
    assert_same_bits(one, two)
    [(n, columns, workers)] = seen
    assert (n, columns) == (len(sample_site.parcels), ("gfa_m2", "far", "building_coverage"))
    assert workers == 2  # the pool's processes were alive: measured side by side


def test_unreachable_warnings_of_partitions_add_up_to_the_one_process_warning(city):
    spec = [{"measure": "walk_distance", "max_distance": 600.0}]
    with pytest.warns(UnreachableWarning) as one:
        compute(city, spec, as_of="2030-01-01", workers=1, partitions=1)
    with pytest.warns(UnreachableWarning) as parts:
        compute(city, spec, as_of="2030-01-01", workers=1, partitions=9)
    assert [str(w.message) for w in parts] == [str(w.message) for w in one]
    assert len(one) == 1 and "of 3000 parcels" in str(one[0].message)


def test_progress_after_every_partition_is_done(city):
    done: list[str] = []
    compute(city, ["area_mu", "compactness"], workers=1, partitions=4, progress=done.append)
    assert done == ["area_mu", "compactness"]


def test_hilbert_partitions_are_compact_and_cover_every_parcel_once(city):
    parcels = city.parcels
    parts = b.hilbert_partitions(parcels, partitions=8)
    assert sorted(len(p) for p in parts) == [375] * 8
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(len(parcels)))

    def spread(groups):
        # summed areas of the groups' bounding boxes
        return sum(
            np.prod(np.ptp(parcels.geometry.iloc[g].centroid.get_coordinates(), axis=0))
            for g in groups
        )

    rng = np.random.default_rng(0)
    random_groups = np.array_split(rng.permutation(len(parcels)), 8)
    assert spread(parts) < spread(random_groups) / 3


def test_hilbert_curve_visits_neighbouring_cells():
    # on a 4 x 4 grid the curve steps from a cell to an adjacent one each time
    x, y = np.meshgrid(np.arange(4), np.arange(4))
    keys = b._hilbert_keys(x.ravel().astype(np.int64), y.ravel().astype(np.int64), 2)
    assert sorted(keys.tolist()) == list(range(16))
    order = np.argsort(keys)
    steps = np.abs(np.diff(x.ravel()[order])) + np.abs(np.diff(y.ravel()[order]))
    assert (steps == 1).all()


def test_partitions_keep_parcels_without_geometry(sample_site):
    parcels = sample_site.parcels.copy()
    parcels.loc[parcels.index[:3], "geometry"] = None
    parts = b.hilbert_partitions(parcels, partitions=4)
    assert set(parts[-1]) >= {0, 1, 2}


def test_context_pickles_by_measure_name_and_measures_alike(city, whole):
    context = Context(city, CITY_SPECS, as_of="2030-01-01").prepare()
    copy = pickle.loads(pickle.dumps(context))
    assert copy.columns == context.columns and copy.bounds == context.bounds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        assert_same_bits(whole, copy.measure(city.parcels, partitions=3))


def test_context_builds_the_street_graph_once_for_every_partition(city, monkeypatch):
    calls = {"graph": 0, "samples": 0}
    graph, samples = la.measures.network.street_graph, la.measures.network._edge_samples

    def counting_graph(streets):
        calls["graph"] += 1
        return graph(streets)

    def counting_samples(g):
        calls["samples"] += 1
        return samples(g)

    monkeypatch.setattr(la.measures.network, "street_graph", counting_graph)
    monkeypatch.setattr(la.measures.network, "_edge_samples", counting_samples)
    specs = [{"measure": "walk_distance", "name": "a"}, {"measure": "walk_distance", "name": "b"}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        compute(city, specs, workers=1, partitions=5)
    assert calls == {"graph": 1, "samples": 1}


def test_context_refuses_parcels_it_does_not_cover(city):
    context = Context(la.sample.synthetic_city(200, seed=1), ["area_mu"])
    with pytest.raises(MeasureError, match="the context does not cover the parcels"):
        context.measure(city.parcels)
    with pytest.raises(MeasureError, match="reproject them"):
        context.measure(city.parcels.to_crs(4326))


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_workers_and_partitions_are_whole_numbers(sample_site, bad):
    with pytest.raises(MeasureError, match="workers must be a whole number"):
        compute(sample_site, ["area_mu"], workers=bad)
    with pytest.raises(MeasureError, match="partitions must be a whole number"):
        compute(sample_site, ["area_mu"], partitions=bad)


def test_default_partitioning():
    assert b._partition_count(0, 8, None) == 1
    assert b._partition_count(19_999, 8, None) == 1
    assert b._partition_count(1_000_000, 1, None) == 1
    assert b._partition_count(1_000_000, 2, None) == 16
    assert b._partition_count(4_000_000, 16, None) == 128
    assert b._partition_count(30, 1, 100) == 30


def test_context_finds_the_distances_from_the_stations_once(city, monkeypatch):
    calls = []
    build = la.measures.network._target_distances

    def counting(*args, **kwargs):
        calls.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr(la.measures.network, "_target_distances", counting)
    specs = [
        {"measure": "walk_distance", "name": "a"},
        {"measure": "walk_distance", "name": "b"},
        {"measure": "walk_distance", "name": "c", "max_distance": 300},
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        split = compute(city, specs, workers=1, partitions=5)
        whole = compute(city, specs, workers=1)
    # a and b share one; c (another max_distance) has its own; not one per partition
    assert len(calls) == 4
    assert_same_bits(whole, split)


def _tables(parcels: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """A next step that keeps what it was given (module level: picklable)."""
    assert table.index.equals(parcels.index)
    return table


@pytest.mark.parametrize(("workers", "partitions"), [(1, None), (1, 4), (2, 5)])
def test_map_partitions_sees_the_tables_measure_gives(city, whole, workers, partitions):
    context = Context(city, CITY_SPECS, as_of="2030-01-01")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        parts = context.map_partitions(
            city.parcels, _tables, workers=workers, partitions=partitions
        )
    assert len(parts) == (partitions or 1)
    rows = np.concatenate([r for r, _ in parts])
    # every parcel once, each partition's rows ascending
    assert np.array_equal(np.sort(rows), np.arange(len(city.parcels)))
    assert all(np.all(np.diff(r) > 0) for r, _ in parts)
    glued = pd.concat([t for _, t in parts]).iloc[np.argsort(rows, kind="stable")]
    assert_same_bits(whole, glued)


def test_map_partitions_warns_once_over_every_partition(city):
    context = Context(city, [{"measure": "walk_distance", "max_distance": 300.0}], as_of=None)
    with pytest.warns(UnreachableWarning) as one_piece:
        compute(city, [{"measure": "walk_distance", "max_distance": 300.0}], workers=1)
    with pytest.warns(UnreachableWarning) as split:
        context.map_partitions(city.parcels, _tables, workers=1, partitions=3)
    assert [str(w.message) for w in split] == [str(w.message) for w in one_piece]


def test_map_partitions_reports_progress_and_refuses_what_it_cannot(city, sample_site):
    context = Context(city, ["area_mu", "compactness"])
    done: list[str] = []
    context.map_partitions(city.parcels, _tables, partitions=1, progress=done.append)
    assert done == ["area_mu", "compactness"]
    done.clear()
    context.map_partitions(city.parcels, _tables, partitions=3, progress=done.append)
    assert done == ["area_mu", "compactness"]
    with pytest.raises(MeasureError, match="function must be a callable"):
        context.map_partitions(city.parcels, "sum")
    with pytest.raises(MeasureError, match="progress must be a callable"):
        context.map_partitions(city.parcels, _tables, progress="bar")
    with pytest.raises(MeasureError, match="partitions must be a whole number"):
        context.map_partitions(city.parcels, _tables, partitions=0)
    floor = Context(sample_site, [{"measure": "floor_area_ratio"}])
    with pytest.raises(MeasureError, match=r"need every parcel at once.*Context\.measure"):
        floor.map_partitions(sample_site.parcels, _tables)


def test_prepare_builds_only_the_point_index_each_spec_reads(city):
    # from the parcels' edges a count reads the grid, from their centroids the KD-tree
    context = Context(
        city,
        [
            {"measure": "count_within", "radius": 500, "name": "edge"},
            {
                "measure": "cluster_strength",
                "industry": "aerospace_information",
                "radius": 800,
                "origin": "centroid",
                "name": "centre",
            },
        ],
    ).prepare()
    trees = {
        key[0]: value
        for key, value in context._built.items()
        if isinstance(value, la.measures.PointTree)
    }
    edge, centre = trees["points by category"], trees["points by industry"]
    assert list(edge.grids) == [500.0] and "tree" not in edge.__dict__
    assert centre.grids == {} and "tree" in centre.__dict__


def test_two_threads_preparing_build_a_shared_intermediate_once(city, monkeypatch):
    # nearest_distance and nearest_id are prepared on different threads and share
    # one feature tree: it is built once, the other thread waits for it
    import threading

    calls = []
    build = la.measures.proximity._features

    def slow_counting(layer):
        calls.append(threading.get_ident())
        time.sleep(0.2)  # the other thread asks for it meanwhile
        return build(layer)

    monkeypatch.setattr(la.measures.proximity, "_features", slow_counting)
    specs = [
        {"measure": "nearest_distance", "features": "stations"},
        {"measure": "nearest_id", "features": "stations"},
    ]
    split = compute(city, specs, workers=1, partitions=3)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(split, compute(city, specs, workers=1), check_exact=True)
