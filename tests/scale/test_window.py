"""A folder of GeoParquet context layers, read a window per partition: the same bits
as the whole context (a Site) and as one process, the widening path exercised, and
the refusals."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("dask_geopandas")
distributed = pytest.importorskip("distributed")

import landasset as la  # noqa: E402
from landasset import _window, scale  # noqa: E402
from landasset._errors import CRSError, LandassetValueError  # noqa: E402
from landasset._samplegen.synthetic import CONTEXT_LAYERS  # noqa: E402
from landasset.measures import Context, MeasureError  # noqa: E402
from landasset.suitability import load_profile  # noqa: E402

from .test_scale import AS_OF, assert_same_bits, client  # noqa: E402, F401

#: every measure with a window rule, walk_distance with and without max_distance
WINDOW_SPECS = [
    "area_mu",
    "compactness",
    {"measure": "walk_distance", "name": "walk"},
    {"measure": "walk_distance", "max_distance": 900.0, "name": "walk_900"},
    {"measure": "nearest_distance", "features": "axes", "kind": "golden_axis", "name": "axis"},
    {"measure": "nearest_id", "features": "stations", "name": "station"},
    {"measure": "count_within", "points": "amenities", "radius": 500},
    {"measure": "sum_within", "column": "revenue_10k_cny", "radius": 700, "name": "revenue"},
    {"measure": "cluster_strength", "industry": "aerospace_information", "radius": 1000},
    {"measure": "frontage", "tolerance": 25},
    {"measure": "constrained_share"},
    {"measure": "constrained_share", "kind": "flood_zone", "name": "flood"},
]


def write_layer(frame: gpd.GeoDataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, write_covering_bbox=True, schema_version="1.1.0")


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as objects (dask gives a nearest_id column the string dtype)."""
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.StringDtype):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def whole_context(folder: Path) -> dict[str, gpd.GeoDataFrame]:
    return {name: gpd.read_parquet(folder / "context" / name) for name in CONTEXT_LAYERS}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """3,000 parcels in tiles of 400: most parcels near a tile's edge, and the
    nearest station often beyond the first window."""
    folder = tmp_path_factory.mktemp("wcity")
    la.sample.write_synthetic_city(folder, 3_000, tile_parcels=400, seed=3)
    return folder


def test_compute_with_a_folder_context_equals_the_site_and_one_process(city, client):  # noqa: F811
    context = whole_context(city)
    parcels = gpd.read_parquet(city / "parts")
    stats: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = la.measures.compute(
            la.Site(parcels=parcels, **context), WINDOW_SPECS, as_of=AS_OF
        )
        site = scale.compute(
            city / "parts", la.Site(**context), WINDOW_SPECS, as_of=AS_OF, client=client,
            shuffle=False,
        ).compute()  # fmt: skip
        window = scale.compute(
            city / "parts", city / "context", WINDOW_SPECS, as_of=AS_OF, client=client,
            shuffle=False, stats=stats,
        ).compute()  # fmt: skip
    want = pd.DataFrame(expected)
    assert_same_bits(want, as_text(pd.DataFrame(site.drop(columns="geometry")).loc[want.index]))
    assert_same_bits(want, as_text(pd.DataFrame(window.drop(columns="geometry")).loc[want.index]))
    # the values are not trivial: some of each kind of answer
    assert np.isinf(want["walk"]).any() and np.isfinite(want["walk"]).any()
    assert (np.isinf(want["walk_900"]) & np.isfinite(want["walk"])).any()
    assert want["revenue"].gt(0).any() and want["frontage_m"].gt(0).any()
    assert want["constrained_share"].gt(0).any()
    # the first windows left some parcels unproven (the nearest station is far in
    # these small tiles): they were measured again, in wider windows
    assert stats["partitions"] == 8
    assert stats["unproven"] and sum(stats["widened"].values()) + stats["whole"] > 0
    assert stats["windows"] > stats["partitions"]
    assert all(b > 0 for b in stats["bytes"]) and len(stats["rows"]) == 8


def test_sum_within_needs_the_whole_layers_grid_to_add_in_the_same_order(city, monkeypatch):
    """The edge kernel adds a parcel's values cell by cell of a grid over the selected
    points: a window's own grid would add them in another order (other last bits)."""
    context = whole_context(city)
    specs = [
        {"measure": "sum_within", "points": "enterprises", "column": column, "radius": radius}
        | {"name": f"{column}_{radius}"}
        for column in ("revenue_10k_cny", "tax_10k_cny")
        for radius in (300.0, 1000.0)
    ]
    whole = Context(la.Site(**context), specs, as_of=None)
    index = _window.index_folder(city / "context")
    plan = _window.WindowPlan.build(index, specs, None, None)
    jobs = plan.gather_jobs()
    plan.gathered(jobs, [plan.gather_one(*job) for job in jobs])
    parts = [gpd.read_parquet(f) for f in scale.partition_files(city / "parts")]

    def differences() -> int:
        count = 0
        for part in parts:
            got, _, _ = plan.measure_partition(part)
            want, _ = whole.measure_partition(part)
            count += int((got.to_numpy() != want.to_numpy()).sum())
        return count

    assert differences() == 0
    monkeypatch.setattr(_window.WindowPlan, "_align_grids", lambda self, context: None)
    assert differences() > 0  # so the test above can fail


def overlapping_constraints(seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 3_000, (60, 2))
    polygons = [
        shapely.Polygon(shapely.Point(*c).buffer(rng.uniform(50, 400), quad_segs=3).exterior)
        for c in centres
    ] + [
        shapely.box(x, y, x + rng.uniform(100, 2_500), y + rng.uniform(20, 200))
        for x, y in rng.uniform(0, 3_000, (20, 2))
    ]
    return gpd.GeoDataFrame(
        {"kind": ["flood_zone"] * len(polygons)},
        geometry=polygons,
        index=pd.Index([f"C{i:03d}" for i in range(len(polygons))], name="constraint_id"),
        crs="EPSG:4549",
    )


def test_constrained_share_reads_the_constraints_dissolved_over_the_whole_layer(tmp_path):
    """Dissolving only a window's constraints changes some shares in the last bits
    (the union's vertices depend on every polygon); the window reads the whole
    layer's dissolve and gives the whole answer."""
    constraints = overlapping_constraints(1)
    rng = np.random.default_rng(2)
    parcels = gpd.GeoDataFrame(
        geometry=[
            shapely.box(x, y, x + rng.uniform(20, 200), y + rng.uniform(20, 200))
            for x, y in rng.uniform(0, 2_800, (400, 2))
        ],
        index=pd.Index([f"P{i:04d}" for i in range(400)], name="parcel_id"),
        crs="EPSG:4549",
    )
    write_layer(constraints, tmp_path / "context" / "constraints.parquet")
    specs = [{"measure": "constrained_share"}]
    want, _ = Context(la.Site(constraints=constraints), specs).measure_partition(parcels)
    plan = _window.WindowPlan.build(_window.index_folder(tmp_path / "context"), specs, None, 50.0)
    plan.gathered(plan.gather_jobs(), [plan.gather_one(*j) for j in plan.gather_jobs()])
    naive = []
    for rows in np.array_split(np.arange(400), 16):
        part = parcels.iloc[rows]
        got, _, figures = plan.measure_partition(part)
        assert got["constrained_share"].equals(want["constrained_share"].iloc[rows])
        assert figures["windows"] == 1  # reach 0: proven in the first window
        box = _window._grown(tuple(part.total_bounds), 50.0)
        local = Context(
            la.Site(constraints=constraints.cx[box[0] : box[2], box[1] : box[3]]), specs
        )
        naive.append(local.measure_partition(part)[0]["constrained_share"])
    # a window's own dissolve differs somewhere: the test above can fail
    assert not pd.concat(naive).equals(want["constrained_share"])


def winding_axes(seed: int) -> gpd.GeoDataFrame:
    """Axes that bend, cross and go on as other axes, many beyond the window."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(40):
        corners = np.cumsum(rng.normal(0, 300, (int(rng.integers(2, 8)), 2)), axis=0)
        lines.append(shapely.LineString(corners + rng.uniform(-1_500, 1_500, 2)))
    for k in range(10):  # an axis going on as another one from its end
        end = np.array(lines[k * 3].coords[-1])
        lines.append(shapely.LineString([end, end + rng.normal(0, 400, 2)]))
    return gpd.GeoDataFrame(
        {"kind": ["golden_axis"] * len(lines)},
        geometry=lines,
        index=pd.Index([f"A{i:03d}" for i in range(len(lines))], name="axis_id"),
        crs="EPSG:4549",
    )


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_frontage_equals_the_whole_layer_near_bends_joints_and_crossings(tmp_path, seed):
    """A window changes the last bits of frontage near two axis segments or more (GEOS's
    tree over the layer orders them) and near a joint outside it: such parcels are
    measured against the whole axes layer, the others in their window."""
    axes = winding_axes(seed)
    rng = np.random.default_rng(seed + 100)
    parcels = gpd.GeoDataFrame(
        geometry=[
            shapely.box(x, y, x + rng.uniform(20, 120), y + rng.uniform(20, 120))
            for x, y in rng.uniform(-300, 300, (300, 2))
        ],
        index=pd.Index([f"P{i:04d}" for i in range(300)], name="parcel_id"),
        crs="EPSG:4549",
    )
    write_layer(axes, tmp_path / "axes.parquet")
    specs = [{"measure": "frontage", "tolerance": tolerance} | {"name": f"f{tolerance:g}"}
             for tolerance in (15.0, 35.0)]  # fmt: skip
    want, _ = Context(la.Site(axes=axes), specs).measure_partition(parcels)
    plan = _window.WindowPlan.build(_window.index_folder(tmp_path), specs, None, 40.0)
    got, _, figures = plan.measure_partition(parcels)
    assert_same_bits(want, got)
    assert want.gt(0).sum().min() > 20  # parcels along the axes
    # some parcels lie near two segments: measured against the whole axes layer
    assert figures["whole"] > 0 and figures["unproven"]
    # a window of the axes alone gives other bits for some of them: the test can fail
    box = _window._grown(tuple(parcels.total_bounds), 40.0)
    local = Context(la.Site(axes=axes.cx[box[0] : box[2], box[1] : box[3]]), specs)
    assert not local.measure_partition(parcels)[0].equals(want)


# -- small hand-made layers: beyond the margin, ties, cut-off components ------------------


def _ids(prefix: str, n: int, name: str) -> pd.Index:
    return pd.Index([f"{prefix}{i:03d}" for i in range(n)], name=name)


def _plan(folder: Path, specs: list, margin: float) -> _window.WindowPlan:
    plan = _window.WindowPlan.build(_window.index_folder(folder), specs, None, margin)
    jobs = plan.gather_jobs()
    plan.gathered(jobs, [plan.gather_one(*job) for job in jobs])
    return plan


PARCELS = gpd.GeoDataFrame(
    geometry=[shapely.box(0, 0, 10, 10), shapely.box(30, 0, 45, 12), shapely.box(0, 30, 8, 44)],
    index=_ids("P", 3, "parcel_id"),
    crs="EPSG:4549",
)

coordinate = st.integers(-400, 400).map(float)

#: a layer that spans more than the parcels and the features: the context's extent
EXTENT = gpd.GeoDataFrame(
    {"kind": ["urban_axis"]},
    geometry=[shapely.LineString([(-1_000, -1_000), (1_000, 1_000)])],
    index=_ids("A", 1, "axis_id"),
    crs="EPSG:4549",
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    points=st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=12),
    mirrored=st.booleans(),
    margin=st.sampled_from([5.0, 20.0, 60.0]),
)
def test_nearest_and_radius_measures_equal_the_whole_layer(points, mirrored, margin):
    xy = np.array(points)
    if mirrored:  # ties: each point's mirror about the first parcel's centre
        xy = np.vstack([xy, 10.0 - xy])
    n = len(xy)
    weights = np.round(np.linspace(0.1, 3.3, n) ** 1.5, 3)
    features = gpd.GeoDataFrame(
        {"category": ["cafe"] * n, "w": weights},
        geometry=shapely.points(xy),
        index=_ids("S", n, "station_id"),
        crs="EPSG:4549",
    )
    amenities = features.rename_axis("amenity_id")
    specs = [
        {"measure": "nearest_distance", "features": "stations"},
        {"measure": "nearest_id", "features": "stations"},
        {"measure": "count_within", "points": "amenities", "radius": 35.0},
        {"measure": "sum_within", "points": "amenities", "column": "w", "radius": 50.0},
    ]
    layers = {"stations": features, "amenities": amenities, "axes": EXTENT}
    want, _ = Context(la.Site(**layers), specs).measure_partition(PARCELS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # the layers in two files each: the layer order is the files', then the rows'
        for name, frame in layers.items():
            write_layer(frame.iloc[: len(frame) // 2], folder / name / "part.0.parquet")
            write_layer(frame.iloc[len(frame) // 2 :], folder / name / "part.1.parquet")
        plan = _plan(folder, specs, margin)
        got, _, figures = plan.measure_partition(PARCELS)
    assert_same_bits(want, got)
    # the first window reaches `margin` around the parcels' box: a nearest station
    # beyond the room of its parcel there must have been measured again
    box = _window._grown(tuple(PARCELS.total_bounds), margin)
    bounds = PARCELS.bounds.to_numpy()
    room = np.minimum.reduce(
        [bounds[:, 0] - box[0], bounds[:, 1] - box[1], box[2] - bounds[:, 2], box[3] - bounds[:, 3]]
    )
    beyond = want["nearest_distance_m"].to_numpy() > room - 1e-6
    radius_beyond = room.min() - 1e-6 < 50.0
    widened = sum(figures["widened"].values()) + figures["whole"]
    assert (widened > 0) == bool(beyond.any() or radius_beyond)
    assert (figures["windows"] > 1) == (widened > 0)


def _streets(lines: list[shapely.LineString]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"walkable": [True] * len(lines)},
        geometry=lines,
        index=_ids("R", len(lines), "street_id"),
        crs="EPSG:4549",
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    island=st.integers(20, 700).map(float),
    station_x=st.integers(-300, 600).map(float),
    max_distance=st.sampled_from([None, 40.0, 250.0]),
    margin=st.sampled_from([15.0, 80.0]),
)
def test_walk_distance_equals_the_whole_network(island, station_x, max_distance, margin):
    """A main street with a station, and an island street (no station) beside the
    third parcel: inf there is proven only once the island lies inside the window."""
    streets = _streets(
        [
            shapely.LineString([(-300, -5), (600, -5)]),
            shapely.LineString([(20, -5), (20, 25)]),
            shapely.LineString([(-10, 50), (-10 + island, 50)]),
            shapely.LineString([(-10 + island, 50), (-10 + island, 90)]),
        ]
    )
    stations = gpd.GeoDataFrame(
        geometry=[shapely.Point(station_x, -9)], index=_ids("S", 1, "station_id"), crs="EPSG:4549"
    )
    specs = [{"measure": "walk_distance", "max_distance": max_distance, "name": "walk"}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the island's parcel cannot reach the station
        want, _ = Context(la.Site(streets=streets, stations=stations), specs).measure_partition(
            PARCELS
        )
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            write_layer(streets, folder / "streets.parquet")
            write_layer(stations, folder / "stations.parquet")
            plan = _plan(folder, specs, margin)
            got, _, figures = plan.measure_partition(PARCELS)
    assert_same_bits(want, got)
    assert np.isinf(want["walk"].iloc[2])  # the island holds no station
    box = _window._grown(tuple(PARCELS.total_bounds), margin)
    island_inside = -10 + island < box[2] - 1e-6 and box[3] - 1e-6 > 90
    if max_distance is None and not island_inside:
        # the island reaches beyond the first window: its inf had to be proven wider
        assert figures["unproven"].get("walk", 0) >= 1
        assert sum(figures["widened"].values()) + figures["whole"] >= 1


# -- refusals -----------------------------------------------------------------------------


def test_a_folder_without_layers_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(LandassetValueError, match="holds no context layer"):
        _window.index_folder(tmp_path / "empty")
    with pytest.raises(LandassetValueError, match="not a folder of context layers"):
        _window.index_folder(tmp_path / "missing")
    write_layer(PARCELS, tmp_path / "ctx" / "parcels.parquet")
    with pytest.raises(LandassetValueError, match="scored, not read as context"):
        _window.index_folder(tmp_path / "ctx")
    (tmp_path / "ctx2" / "streets").mkdir(parents=True)
    with pytest.raises(LandassetValueError, match=r"holds no \.parquet file"):
        _window.index_folder(tmp_path / "ctx2")


def test_a_layer_in_another_crs_is_refused(tmp_path):
    streets = _streets([shapely.LineString([(0, 0), (100, 0)])])
    write_layer(streets, tmp_path / "streets.parquet")
    write_layer(
        streets.to_crs("EPSG:32650").rename_axis("station_id"), tmp_path / "stations.parquet"
    )
    with pytest.raises(CRSError, match=r"not in one CRS.*reproject"):
        _window.index_folder(tmp_path)
    geographic = streets.to_crs("EPSG:4326")
    write_layer(geographic, tmp_path / "lonlat" / "streets.parquet")
    with pytest.raises(CRSError, match="not a metric CRS"):
        _window.index_folder(tmp_path / "lonlat")


def test_bad_specs_and_margins_are_refused(city, monkeypatch):
    index = _window.index_folder(city / "context")
    with pytest.raises(
        MeasureError, match=r"frontage has no window rule.*pass the context as a Site"
    ):
        monkeypatch.delitem(_window.RULES, "frontage")
        _window.WindowPlan.build(index, [{"measure": "frontage"}], None, None)
    monkeypatch.undo()
    with pytest.raises(MeasureError, match="origin='centroid'"):
        _window.WindowPlan.build(
            index,
            [
                {
                    "measure": "sum_within",
                    "column": "tax_10k_cny",
                    "radius": 500,
                    "origin": "centroid",
                }
            ],
            None,
            None,
        )
    for whole_layer in ("floor_area_ratio", "building_coverage"):
        with pytest.raises(MeasureError, match="cannot be measured partition by partition"):
            _window.WindowPlan.build(index, [whole_layer], None, None)
    given = gpd.read_parquet(city / "context" / "stations")
    with pytest.raises(MeasureError, match="names its layers"):
        _window.WindowPlan.build(
            index, [{"measure": "walk_distance", "targets": given}], None, None
        )
    with pytest.raises(MeasureError, match="has no kind 'golden'; its kinds are: "):
        _window.WindowPlan.build(
            index,
            [{"measure": "nearest_distance", "features": "axes", "kind": "golden"}],
            None,
            None,
        )
    for kind in (5, [], ["golden_axis", 3]):
        with pytest.raises(MeasureError, match="kind"):
            _window.WindowPlan.build(index, [{"measure": "frontage", "kind": kind}], None, None)
    with pytest.raises(MeasureError, match="unknown measure"):
        _window.WindowPlan.build(index, ["walk_distanc"], None, None)
    for margin in (0, -5.0, float("nan"), "500", True):
        with pytest.raises(LandassetValueError, match="margin must be a number of metres > 0"):
            scale.compute(city / "parts", city / "context", ["area_mu"], margin=margin, workers=1)
    with pytest.raises(LandassetValueError, match="is for a context folder"):
        scale.compute(
            city / "parts", la.Site(**whole_context(city)), ["area_mu"], margin=100.0, workers=1
        )


def test_the_default_margin_is_the_largest_fixed_reach(city):
    index = _window.index_folder(city / "context")
    build = _window.WindowPlan.build
    assert build(index, ["area_mu"], None, None).margin == _window.DEFAULT_MARGIN_M
    radius = {"measure": "count_within", "radius": 3_500}
    assert build(index, ["area_mu", radius], None, None).margin == 3_500.0
    far = {"measure": "walk_distance", "max_distance": 5_000}
    assert build(index, [far], None, None).margin == 5_000.0 + la.measures.network.SNAP_TIE_M
    assert build(index, [radius], None, 800.0).margin == 800.0


def test_parcels_outside_the_layers_or_in_another_crs_are_refused(city):
    index = _window.index_folder(city / "context")
    plan = _window.WindowPlan.build(index, ["area_mu"], None, None)
    far = PARCELS.translate(index.bounds[2] + 10_000, index.bounds[3])
    with pytest.raises(MeasureError, match="the context does not cover the parcels"):
        plan.measure_partition(far)
    with pytest.raises(MeasureError, match="reproject them"):
        plan.measure_partition(PARCELS.to_crs("EPSG:32650"))


def test_an_empty_partition_gives_an_empty_table(city):
    plan = _window.WindowPlan.build(
        _window.index_folder(city / "context"), WINDOW_SPECS, AS_OF, None
    )
    got, _, figures = plan.measure_partition(PARCELS.iloc[:0])
    assert list(got.columns) == list(plan.columns) and len(got) == 0
    assert figures["windows"] == 1 and figures["rows"] == 0


@pytest.mark.slow
def test_a_city_scored_with_its_context_folder_equals_the_site_and_one_process(
    client,  # noqa: F811
    tmp_path,
):
    """100,000 parcels in tiles of 2,000, in 8 Hilbert partitions of several tiles
    each: scale.score with the context folder, with the Site, and model.score in one
    process give the same bits."""
    la.sample.write_synthetic_city(tmp_path / "city", 100_000, tile_parcels=2_000, seed=11)
    parcels = gpd.read_parquet(tmp_path / "city" / "parts")
    scale.write_partitions(parcels, tmp_path / "parts", partitions=8)
    context = whole_context(tmp_path / "city")
    model = load_profile("aerospace")
    stats: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = model.score(la.Site(parcels=parcels, **context), as_of=AS_OF, workers=1)
        del parcels
        site = scale.score(
            tmp_path / "parts", la.Site(**context), model, as_of=AS_OF, client=client,
            output=tmp_path / "by_site", shuffle=False,
        )  # fmt: skip
        window = scale.score(
            tmp_path / "parts", tmp_path / "city" / "context", model, as_of=AS_OF,
            client=client, output=tmp_path / "by_window", shuffle=False, stats=stats,
        )  # fmt: skip
    want = pd.DataFrame(expected.drop(columns="geometry")).sort_index()
    for files in (site, window):
        got = pd.concat([pd.read_parquet(f) for f in files]).sort_index()
        assert len(got) == 100_000
        assert_same_bits(want, got.drop(columns=["geometry"])[want.columns])
    assert stats["partitions"] == 8
    # every partition spans several tiles: it read context files of several tiles
    assert min(stats["files"]) > 2 * 7


def test_files_without_a_bbox_column_are_read_whole_and_filtered(tmp_path):
    """A layer written without the covering column (plain GeoParquet 1.0) is filtered
    row by row after reading each file: the same answer."""
    xy = np.array([[5.0, 60.0], [200.0, 0.0], [-90.0, -40.0], [35.0, 20.0]])
    stations = gpd.GeoDataFrame(
        geometry=shapely.points(xy), index=_ids("S", 4, "station_id"), crs="EPSG:4549"
    )
    stations.iloc[:2].to_parquet(tmp_path / "stations.parquet")  # no bbox column
    (tmp_path / "axes").mkdir()
    EXTENT.to_parquet(tmp_path / "axes" / "part.0.parquet")
    index = _window.index_folder(tmp_path)
    assert not index.layers["stations"][0].covering and index.layers["stations"][0].rows == 2
    specs = [{"measure": "nearest_id", "features": "stations"}]
    plan = _window.WindowPlan.build(index, specs, None, 10.0)
    got, _, figures = plan.measure_partition(PARCELS)
    want, _ = Context(la.Site(stations=stations.iloc[:2], axes=EXTENT), specs).measure_partition(
        PARCELS
    )
    assert_same_bits(want, got)
    assert figures["windows"] > 1  # the station at 200 m was beyond the first window


def test_partition_files_outside_the_layers_or_in_another_crs_are_refused_up_front(city, tmp_path):
    far = gpd.read_parquet(scale.partition_files(city / "parts")[0]).iloc[:10]
    moved = far.set_geometry(far.geometry.translate(1e6, 0))
    write_layer(moved, tmp_path / "far" / "part.00000.parquet")
    with pytest.raises(MeasureError, match=r"does not cover the parcels of .*part\.00000"):
        scale.compute(tmp_path / "far", city / "context", ["area_mu"], workers=1)
    write_layer(far.to_crs("EPSG:32650"), tmp_path / "utm" / "part.00000.parquet")
    with pytest.raises(MeasureError, match="reproject them"):
        scale.compute(tmp_path / "utm", city / "context", ["area_mu"], workers=1)
