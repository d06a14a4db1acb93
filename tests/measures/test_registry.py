"""The measure registry: one decorated function per measure, explicit intermediates."""

from __future__ import annotations

import doctest
import inspect
from collections import Counter

import pandas as pd
import pytest

import landasset as la
from landasset import measures as m
from landasset.measures import MEASURES, REQUIRED, MeasureError, compute
from landasset.measures._registry import LAYER, REGISTRY

#: The measures as the spec format has always listed them (profiles rely on it).
SPEC_FORMAT = {
    "area_m2": {},
    "area_mu": {},
    "compactness": {},
    "gross_floor_area": {"buildings": "buildings", "by": "auto", "storey_height_m": 3.5},
    "floor_area_ratio": {"buildings": "buildings", "by": "auto", "storey_height_m": 3.5},
    "industrial_floor_area_ratio": {
        "buildings": "buildings",
        "by": "auto",
        "storey_height_m": 3.5,
        "tall_storey_m": 8.0,
    },
    "building_coverage": {"buildings": "buildings"},
    "nearest_distance": {"features": REQUIRED, "kind": None},
    "nearest_id": {"features": REQUIRED, "kind": None},
    "count_within": {
        "points": "amenities",
        "radius": REQUIRED,
        "category": None,
        "origin": "edge",
    },
    "sum_within": {
        "points": "enterprises",
        "column": REQUIRED,
        "radius": REQUIRED,
        "category": None,
        "origin": "edge",
    },
    "frontage": {"axes": "axes", "tolerance": 15.0, "kind": None},
    "walk_distance": {
        "targets": "stations",
        "streets": "streets",
        "max_distance": None,
        "as_of": None,
    },
    "cluster_strength": {
        "enterprises": "enterprises",
        "industry": REQUIRED,
        "radius": REQUIRED,
        "origin": "edge",
    },
    "constrained_share": {"constraints": "constraints", "kind": None, "hard": None},
}


def test_the_table_is_derived_from_the_functions_and_keeps_the_spec_format():
    assert set(REGISTRY) == set(MEASURES) == set(SPEC_FORMAT)
    for name, params in SPEC_FORMAT.items():
        # same parameters, same order, same defaults
        assert list(MEASURES[name].items()) == list(params.items()), name


@pytest.mark.parametrize("name", sorted(SPEC_FORMAT))
def test_every_measure_is_a_public_function_with_a_runnable_example(name):
    definition = REGISTRY[name]
    function = getattr(m, name)
    assert function is definition.function
    assert name in m.__all__ and not name.startswith("_")
    assert inspect.isfunction(function)
    doc = inspect.getdoc(function) or ""
    assert "Examples\n--------" in doc and "Returns\n-------" in doc
    tests = doctest.DocTestFinder().find(function, name, globs={"la": la})
    examples = sum(len(t.examples) for t in tests)
    assert examples >= 2, name
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test, out=lambda _: None)
    assert runner.summarize(verbose=False) == doctest.TestResults(0, examples)


@pytest.mark.parametrize("name", sorted(SPEC_FORMAT))
def test_spec_parameters_are_the_functions_own(name):
    definition = REGISTRY[name]
    signature = inspect.signature(definition.function)
    parameters = list(signature.parameters)
    assert parameters[0] == "parcels"
    for key, param in definition.params.items():
        if key == "kind" and definition.narrows is not None:
            # narrows a layer before the call: not an argument of the function
            assert key not in signature.parameters
            assert definition.params[definition.narrows].kind == LAYER
            continue
        assert key in signature.parameters, (name, key)
        default = signature.parameters[key].default
        if param.kind != LAYER:
            expected = REQUIRED if default is inspect.Parameter.empty else default
            assert param.default == expected, (name, key)
    for keyword in definition.shared:
        # intermediates are keyword-only and optional: the function builds them
        parameter = signature.parameters[keyword]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert parameter.default is None


# every intermediate shared by at least two specs, and one that is not
SHARING_SPECS = [
    {"measure": "walk_distance", "name": "metro_m"},
    {"measure": "walk_distance", "targets": "amenities", "name": "amenity_m"},
    {"measure": "nearest_distance", "features": "stations", "name": "station_m"},
    {"measure": "nearest_id", "features": "stations"},
    {"measure": "count_within", "points": "enterprises", "radius": 500},
    {"measure": "sum_within", "column": "employees", "radius": 1000},
    {"measure": "cluster_strength", "industry": "artificial_intelligence", "radius": 800},
    {"measure": "frontage", "name": "front_15"},
    {"measure": "frontage", "tolerance": 25, "name": "front_25"},
    {"measure": "constrained_share", "kind": "ecological_redline", "name": "red_a"},
    {"measure": "constrained_share", "kind": ["ecological_redline"], "name": "red_b"},
    {"measure": "constrained_share", "name": "any_constraint"},
    {"measure": "gross_floor_area"},
    {"measure": "floor_area_ratio"},
    {"measure": "building_coverage"},
]


def test_compute_builds_each_shared_intermediate_once(sample_site, monkeypatch):
    site = sample_site
    built: Counter[str] = Counter()

    def counting(module, name, label, *, when=lambda *a, **k: True):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            if when(*args, **kwargs):
                built[label] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counting(m.network, "street_graph", "street graph")
    # targets are snapped by each call; the parcels' snap is the shared one
    counting(
        m.network,
        "snap_to_edges",
        "parcel snap",
        when=lambda graph, geoms, **k: len(geoms) == len(site.parcels),
    )
    counting(m.proximity, "_features", "feature tree")
    counting(m.proximity, "point_tree", "point tree")
    counting(m.proximity, "_segments", "axis segments")
    counting(m.proximity, "dissolve_constraints", "dissolved constraints")
    counting(m.morphology, "building_overlaps", "building overlaps")
    table = compute(site, SHARING_SPECS, as_of="2030-01-01")
    assert dict(built) == {
        "street graph": 1,
        "parcel snap": 1,
        "feature tree": 1,
        "point tree": 2,  # enterprises by category (count, sum); by industry (cluster)
        "axis segments": 1,
        "dissolved constraints": 2,  # the red line (twice), every constraint
        "building overlaps": 2,  # plain (gfa, far); disjoint footprints (coverage)
    }
    assert table.shape == (len(site.parcels), len(SHARING_SPECS))


def test_compute_equals_calling_each_function_directly(sample_site):
    """The plain reference path: each function on its own, building its own work."""
    site = sample_site
    p = site.parcels
    table = compute(site, SHARING_SPECS, as_of="2030-01-01")
    expected = {
        "metro_m": m.walk_distance(p, site.stations, site.streets, as_of="2030-01-01"),
        "amenity_m": m.walk_distance(p, site.amenities, site.streets, as_of="2030-01-01"),
        "station_m": m.nearest_distance(p, site.stations),
        "nearest_id": m.nearest_id(p, site.stations),
        "count_within": m.count_within(p, site.enterprises, 500),
        "sum_within": m.sum_within(p, site.enterprises, "employees", 1000),
        "cluster_strength": m.cluster_strength(p, site.enterprises, "artificial_intelligence", 800),
        "front_15": m.frontage(p, site.axes),
        "front_25": m.frontage(p, site.axes, tolerance=25),
        "red_a": m.constrained_share(p, site.constraints, kind="ecological_redline"),
        "red_b": m.constrained_share(p, site.constraints, kind=["ecological_redline"]),
        "any_constraint": m.constrained_share(p, site.constraints),
        "gfa_m2": m.gross_floor_area(p, site.buildings),
        "far": m.floor_area_ratio(p, site.buildings),
        "building_coverage": m.building_coverage(p, site.buildings),
    }
    assert list(table.columns) == list(expected)
    for column, series in expected.items():
        pd.testing.assert_series_equal(table[column], series.rename(column), check_exact=True)
    # and the answers are not all alike (the comparison could fail)
    assert table["front_15"].sum() < table["front_25"].sum()
    assert table["any_constraint"].sum() > 0


def test_intermediates_passed_by_hand_give_the_same_answers(sample_site):
    site = sample_site
    p = site.parcels
    graph = m.street_graph(site.streets)
    snapped = m.snap_to_edges(graph, p)
    pd.testing.assert_series_equal(
        m.walk_distance(p, site.stations, site.streets, graph=graph, snapped=snapped),
        m.walk_distance(p, site.stations, site.streets),
        check_exact=True,
    )
    tree = m.point_tree(site.enterprises, category="artificial_intelligence", column="industry")
    for radius in (300, 1200):
        pd.testing.assert_series_equal(
            m.cluster_strength(p, site.enterprises, "artificial_intelligence", radius, tree=tree),
            m.cluster_strength(p, site.enterprises, "artificial_intelligence", radius),
            check_exact=True,
        )
    overlaps = m.building_overlaps(site.buildings, p)
    pd.testing.assert_series_equal(
        m.assign_buildings(site.buildings, p, overlaps=overlaps),
        m.assign_buildings(site.buildings, p),
    )


def test_an_intermediate_from_other_data_is_refused(sample_site):
    site = sample_site
    p = site.parcels
    with pytest.raises(MeasureError, match="built from 6 features, not from these 539"):
        m.nearest_distance(p, site.amenities, tree=m.feature_tree(site.stations))
    with pytest.raises(MeasureError, match="selects category=\\('cafe',\\)"):
        m.count_within(p, site.amenities, 500, tree=m.point_tree(site.amenities, category="cafe"))
    with pytest.raises(MeasureError, match="needs overlaps built with disjoint=True"):
        m.building_coverage(p, site.buildings, overlaps=m.building_overlaps(site.buildings, p))
    with pytest.raises(MeasureError, match="dissolved was built for kind="):
        m.constrained_share(
            p,
            site.constraints,
            kind="flood_zone",
            dissolved=m.dissolve_constraints(site.constraints),
        )
    graph = m.street_graph(site.streets)
    with pytest.raises(MeasureError, match="for these 3 parcels, not 455 geometries"):
        m.walk_distance(
            p.iloc[:3], site.stations, site.streets, graph=graph, snapped=m.snap_to_edges(graph, p)
        )
    with pytest.raises(
        MeasureError, match="segments must be the AxisSegments built from the same layer"
    ):
        m.frontage(p, site.axes, segments=graph)
