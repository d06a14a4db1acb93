"""compute(): every measure on the sample district, spec validation, shared work."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from shapely import LineString, Point, box

import landasset as la
from landasset import measures as m
from landasset.measures import MEASURES, MeasureError, UnreachableWarning, compute

ALL_SPECS = [
    "area_m2",
    "area_mu",
    "compactness",
    {"measure": "gross_floor_area"},
    {"measure": "floor_area_ratio", "by": "overlap"},
    {"measure": "industrial_floor_area_ratio", "storey_height_m": 4.0},
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


def test_every_measure_is_covered():
    assert {s if isinstance(s, str) else s["measure"] for s in ALL_SPECS} == set(MEASURES)


def test_compute_all_measures_on_the_sample_equals_the_functions(sample_site):
    site = sample_site
    table = compute(site, ALL_SPECS, as_of="2026-01-01")
    assert table.index.equals(site.parcels.index)
    assert list(table.columns) == [
        "area_m2",
        "area_mu",
        "compactness",
        "gfa_m2",
        "far",
        "far_industrial",
        "building_coverage",
        "nearest_distance_m",
        "nearest_id",
        "count_within",
        "sum_within",
        "frontage_m",
        "walk_distance_m",
        "cluster_strength",
        "constrained_share",
    ]
    p = site.parcels
    expected = [
        m.area_m2(p),
        m.area_mu(p),
        m.compactness(p),
        m.gross_floor_area(p, site.buildings),
        m.floor_area_ratio(p, site.buildings, by="overlap"),
        m.industrial_floor_area_ratio(p, site.buildings, storey_height_m=4.0),
        m.building_coverage(p, site.buildings),
        m.nearest_distance(p, site.axes),
        m.nearest_id(p, site.stations),
        m.count_within(p, site.amenities, 500, category="cafe"),
        m.sum_within(p, site.enterprises, "employees", 1000),
        m.frontage(p, site.axes, tolerance=25),
        m.walk_distance(p, site.stations, site.streets, as_of="2026-01-01"),
        m.cluster_strength(p, site.enterprises, "aerospace_information", 1000),
        m.constrained_share(p, site.constraints, kind="ecological_redline"),
    ]
    for series in expected:
        pd.testing.assert_series_equal(table[series.name], series)
    # values that say something: all parcels near a station, some under a red line
    assert table["walk_distance_m"].lt(float("inf")).all()
    assert (table["constrained_share"] > 0).any()
    assert table["count_within"].dtype.kind == "i"


def test_planned_station_through_compute(sample_site):
    site = sample_site
    spec = [
        {"measure": "walk_distance", "name": "metro_m"},
        {"measure": "nearest_distance", "features": site.stations.loc[["ST06"]], "name": "st06_m"},
    ]
    before = compute(site, spec, as_of="2026-01-01")
    after = compute(site, spec, as_of="2028-01-01")
    near = before["st06_m"] < 200
    assert near.sum() >= 3
    assert (after.loc[near, "metro_m"] < before.loc[near, "metro_m"]).all()
    # a spec's own as_of wins over the call's
    own = compute(site, [{"measure": "walk_distance", "as_of": "2028-01-01"}], as_of="2026-01-01")
    pd.testing.assert_series_equal(
        own["walk_distance_m"], after["metro_m"].rename("walk_distance_m")
    )


def test_shared_intermediates_are_built_once(sample_site, monkeypatch):
    calls = {"graph": 0}
    original = m.network.street_graph

    def counting(streets):
        calls["graph"] += 1
        return original(streets)

    monkeypatch.setattr(m.network, "street_graph", counting)
    compute(
        sample_site,
        [
            {"measure": "walk_distance", "name": "metro"},
            {"measure": "walk_distance", "targets": "amenities", "name": "amenity"},
            {"measure": "walk_distance", "as_of": "2026-01-01", "name": "metro_2026"},
        ],
    )
    assert calls["graph"] == 1


def test_progress_reports_each_column_in_order_and_keeps_intermediates_shared(
    sample_site, monkeypatch
):
    # one log of events: intermediates built (street graph, feature trees) and
    # progress calls, so the order of both is checked
    events: list[str] = []
    graph, features = m.network.street_graph, m.proximity._features

    def counting_graph(streets):
        events.append("<graph>")
        return graph(streets)

    def counting_features(layer):
        events.append("<features>")
        return features(layer)

    monkeypatch.setattr(m.network, "street_graph", counting_graph)
    monkeypatch.setattr(m.proximity, "_features", counting_features)
    specs = [
        {"measure": "walk_distance", "name": "metro"},
        "area_mu",
        {"measure": "walk_distance", "targets": "amenities", "name": "amenity"},
        {"measure": "nearest_distance", "features": "stations", "name": "station_m"},
        {"measure": "walk_distance", "as_of": "2026-01-01", "name": "metro_2026"},
        {"measure": "nearest_id", "features": "stations"},
    ]
    table = compute(sample_site, specs, as_of="2030-01-01", progress=events.append)
    assert events == [
        "<graph>",
        "metro",
        "area_mu",
        "amenity",
        "<features>",
        "station_m",
        "metro_2026",
        "nearest_id",
    ]
    # the callback changes nothing in the result
    monkeypatch.undo()
    pd.testing.assert_frame_equal(table, compute(sample_site, specs, as_of="2030-01-01"))


def test_progress_is_not_called_when_a_spec_is_invalid(sample_site):
    done: list[str] = []
    with pytest.raises(MeasureError, match="unknown measure 'nope'"):
        compute(sample_site, ["area_mu", {"measure": "nope"}], progress=done.append)
    assert done == []
    compute(sample_site, [], progress=done.append)
    assert done == []


def test_progress_must_be_callable(sample_site):
    with pytest.raises(MeasureError, match=r"progress must be a callable .* not 'bar'"):
        compute(sample_site, ["area_mu"], progress="bar")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "specs", [[], ["area_mu"], [{"measure": "nearest_distance", "features": "axes"}]]
)
@pytest.mark.parametrize("as_of", ["soon", "2026-13-45", float("nan"), [2026, 1, 1]])
def test_a_bad_as_of_is_refused_even_when_no_spec_reads_it(sample_site, specs, as_of):
    with pytest.raises(MeasureError, match=r"as_of=.* is not a date") as caught:
        compute(sample_site, specs, as_of=as_of)
    assert repr(as_of) in str(caught.value)
    assert isinstance(caught.value, la.LandassetError)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "as_of", [None, "2026-01-01", pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-01").date()]
)
def test_a_good_as_of_is_accepted_without_walk_distance(sample_site, as_of):
    table = compute(sample_site, ["area_mu"], as_of=as_of)
    pd.testing.assert_series_equal(table["area_mu"], m.area_mu(sample_site.parcels))


def test_a_specs_own_bad_as_of_names_the_spec(sample_site):
    with pytest.raises(MeasureError, match=r"spec 1 .*as_of='later' is not a date"):
        compute(
            sample_site,
            ["area_mu", {"measure": "walk_distance", "as_of": "later"}],
            as_of="2026-01-01",
        )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("walk_distanc", r"unknown measure 'walk_distanc'; use one of: 'area_m2', 'area_mu'"),
        ({"targets": "stations"}, "has no 'measure' key; use one of"),
        (
            {"measure": "walk_distance", "target": "stations"},
            r"no parameter 'target'; its parameters are: 'targets', 'streets', 'max_distance', 'as_of', 'name'",
        ),
        ({"measure": "count_within"}, r"count_within needs 'radius'"),
        ({"measure": "count_within", "radius": "500"}, "radius must be a number"),
        ({"measure": "count_within", "radius": -5}, "radius must be >= 0"),
        (
            {"measure": "count_within", "radius": 5, "origin": "middle"},
            r"'middle' is not a valid origin for count_within; use one of: 'edge', 'centroid'",
        ),
        (
            {"measure": "nearest_distance", "features": "metro"},
            r"no layer 'metro'; use one of: 'parcels', 'buildings'",
        ),
        ({"measure": "constrained_share", "hard": "yes"}, "hard must be true, false or null"),
        (
            {"measure": "cluster_strength", "industry": 3, "radius": 5},
            "industry must be a string or a list",
        ),
        ({"measure": "area_mu", "name": ""}, "'name' must be a non-empty string"),
        (42, "a spec is a measure name or a mapping"),
    ],
)
def test_specs_are_validated(sample_site, spec, message):
    with pytest.raises(MeasureError, match=message):
        compute(sample_site, [spec])


def test_invalid_as_of_and_duplicate_columns(sample_site):
    with pytest.raises(MeasureError, match="not a date"):
        compute(sample_site, ["walk_distance"], as_of="soon")
    with pytest.raises(
        MeasureError,
        match="several specs give the column 'count_within'; give each a distinct 'name'",
    ):
        compute(
            sample_site,
            [
                {"measure": "count_within", "radius": 100},
                {"measure": "count_within", "radius": 500},
            ],
        )
    with pytest.raises(MeasureError, match="list of specs"):
        compute(sample_site, "area_mu")  # type: ignore[arg-type]
    empty = compute(sample_site, [])
    assert empty.shape == (len(sample_site.parcels), 0)


def test_every_spec_is_checked_before_anything_runs(sample_site, monkeypatch):
    ran = []
    monkeypatch.setattr(m.network, "street_graph", lambda streets: ran.append(1))
    with pytest.raises(MeasureError):
        compute(sample_site, ["walk_distance", {"measure": "nope"}])
    assert not ran


def test_unreachable_warning_names_the_column(frame):
    site = la.Site(
        parcels=frame([box(0, 0, 10, 10), box(0, 500, 10, 510)], "P", "parcel_id"),
        streets=frame(
            [LineString([(0, -10), (100, -10)]), LineString([(0, 520), (100, 520)])],
            "S",
            "street_id",
        ),
        stations=frame([Point(50, -10)], "T", "station_id"),
    )
    with pytest.warns(UnreachableWarning, match=r"^metro: walk_distance: 1 of 2 parcels"):
        table = compute(site, [{"measure": "walk_distance", "name": "metro"}])
    assert table["metro"].tolist()[0] == pytest.approx(10 + 40)


def test_layers_in_another_crs_are_refused(sample_site):
    other = sample_site.stations.to_crs("EPSG:32650")
    with pytest.raises(la.CRSError, match="one CRS"):
        compute(sample_site, [{"measure": "nearest_distance", "features": other}])


@pytest.mark.slow
def test_compute_on_a_synthetic_city():
    site = la.sample.synthetic_city(10_000, seed=1)
    specs = [
        "area_mu",
        {"measure": "walk_distance", "max_distance": 3000},
        {"measure": "count_within", "radius": 500},
        {"measure": "nearest_distance", "features": "axes"},
        {"measure": "constrained_share"},
    ]
    with warnings.catch_warnings():
        # the synthetic street grid may leave a few blocks cut off: that is its business
        warnings.simplefilter("ignore", UnreachableWarning)
        table = compute(site, specs)
        sub = compute(site.replace(parcels=site.parcels.iloc[::13]), specs)
    assert len(table) == 10_000
    assert table["walk_distance_m"].lt(3000).sum() > 500
    pd.testing.assert_frame_equal(sub, table.iloc[::13])


# -- kind: narrowing a context layer to some of its kinds -----------------------------


@pytest.mark.parametrize(
    ("kind", "kinds"),
    [
        ("golden_axis", ["golden_axis"]),
        (["golden_axis"], ["golden_axis"]),
        (["green_corridor", "urban_axis"], ["green_corridor", "urban_axis"]),
    ],
)
def test_kind_measures_the_filtered_layer(sample_site, kind, kinds):
    site = sample_site
    p, axes = site.parcels, site.axes
    only = axes[axes["kind"].isin(kinds)]
    assert 0 < len(only) < len(axes)
    table = compute(
        site,
        [
            {"measure": "nearest_distance", "features": "axes", "kind": kind},
            {"measure": "nearest_id", "features": "axes", "kind": kind},
            {"measure": "frontage", "kind": kind, "tolerance": 25},
            {"measure": "nearest_distance", "features": "axes", "name": "all_axes_m"},
        ],
    )
    pd.testing.assert_series_equal(table["nearest_distance_m"], m.nearest_distance(p, only))
    pd.testing.assert_series_equal(table["nearest_id"], m.nearest_id(p, only))
    pd.testing.assert_series_equal(table["frontage_m"], m.frontage(p, only, tolerance=25))
    assert table["nearest_id"].isin(only.index).all()
    # fewer features can only be farther, and on the sample some parcels are
    assert (table["nearest_distance_m"] >= table["all_axes_m"]).all()
    assert (table["nearest_distance_m"] > table["all_axes_m"]).any()


def test_kind_on_a_given_geodataframe(sample_site):
    axes = sample_site.axes
    table = compute(
        sample_site, [{"measure": "nearest_distance", "features": axes, "kind": "golden_axis"}]
    )
    expected = m.nearest_distance(sample_site.parcels, axes[axes["kind"] == "golden_axis"])
    pd.testing.assert_series_equal(table["nearest_distance_m"], expected)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"measure": "nearest_distance", "features": "axes", "kind": "golden"},
            r"spec 0 .*: the features layer 'axes' has no kind 'golden'; its kinds are: "
            r"'golden_axis', 'green_corridor', 'urban_axis'$",
        ),
        (
            {"measure": "frontage", "kind": ["golden_axis", "blue_axis"]},
            r"the axes layer 'axes' has no kind 'blue_axis'; its kinds are: 'golden_axis'",
        ),
        (
            {"measure": "nearest_id", "features": "stations", "kind": "golden_axis"},
            r"kind= was given but the features layer 'stations' has no 'kind' column",
        ),
        (
            {"measure": "nearest_distance", "features": "axes", "kind": []},
            r"kind is an empty list; name at least one kind",
        ),
        (
            {"measure": "frontage", "kind": 3},
            r"kind must be a string or a list of strings, not 3",
        ),
    ],
)
def test_a_bad_kind_is_refused_listing_the_choices(sample_site, spec, message):
    with pytest.raises(MeasureError, match=message):
        compute(sample_site, ["area_mu", spec] if "spec 0" not in message else [spec])


def test_kind_on_a_geoseries_names_the_layer(sample_site):
    with pytest.raises(MeasureError, match=r"the features layer \(a GeoSeries\) has no 'kind'"):
        compute(
            sample_site,
            [{"measure": "nearest_distance", "features": sample_site.axes.geometry, "kind": "x"}],
        )


def test_a_bad_kind_is_refused_before_anything_runs(sample_site, monkeypatch):
    ran = []
    monkeypatch.setattr(m.network, "street_graph", lambda streets: ran.append(1))
    with pytest.raises(MeasureError, match="no kind 'golden'"):
        compute(sample_site, ["walk_distance", {"measure": "frontage", "kind": "golden"}])
    assert not ran


def test_one_tree_per_distinct_layer_and_kind(sample_site, monkeypatch):
    built: list[tuple[str, tuple[str, ...]]] = []
    features, segments = m.proximity._features, m.proximity._segments

    def counting_features(layer):
        built.append(("features", tuple(sorted(set(layer["kind"])))))
        return features(layer)

    def counting_segments(layer):
        built.append(("segments", tuple(sorted(set(layer["kind"])))))
        return segments(layer)

    monkeypatch.setattr(m.proximity, "_features", counting_features)
    monkeypatch.setattr(m.proximity, "_segments", counting_segments)
    golden = {"measure": "nearest_distance", "features": "axes", "kind": "golden_axis"}
    table = compute(
        sample_site,
        [
            {**golden, "name": "a"},
            {**golden, "kind": ["golden_axis"], "name": "b"},
            {"measure": "nearest_id", "features": "axes", "kind": "golden_axis"},
            {**golden, "kind": ["urban_axis", "golden_axis"], "name": "c"},
            {**golden, "kind": ["golden_axis", "urban_axis", "urban_axis"], "name": "d"},
            {**golden, "kind": None, "name": "e"},
            {"measure": "frontage", "kind": "golden_axis", "name": "f"},
            {"measure": "frontage", "kind": ["golden_axis"], "name": "g"},
            {"measure": "frontage", "name": "h"},
        ],
    )
    everything = ("golden_axis", "green_corridor", "urban_axis")
    assert sorted(built) == sorted(
        [
            ("features", ("golden_axis",)),
            ("features", ("golden_axis", "urban_axis")),
            ("features", everything),
            ("segments", ("golden_axis",)),
            ("segments", everything),
        ]
    )
    # shared intermediates give the same values as separate calls
    pd.testing.assert_series_equal(table["a"], table["b"].rename("a"))
    pd.testing.assert_series_equal(table["c"], table["d"].rename("c"))
    assert not table["a"].equals(table["c"].rename("a"))
    pd.testing.assert_series_equal(table["f"], table["g"].rename("f"))
