import itertools
import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

import landasset as la
from landasset import CRSError, LandassetValueError, SchemaError
from landasset.suitability import assemble, assembly, load_profile


def _result(scores, *, eligible=None, cols=3, gap=0.0, crs="EPSG:4549"):
    """A grid of 100 m squares (15 mu each), row-major, ``gap`` metres apart."""
    n = len(scores)
    step = 100.0 + gap
    geoms = [
        box(
            (i % cols) * step, (i // cols) * step, (i % cols) * step + 100, (i // cols) * step + 100
        )
        for i in range(n)
    ]
    return gpd.GeoDataFrame(
        {"score": scores, "eligible": eligible if eligible is not None else [True] * n},
        geometry=geoms,
        index=pd.Index([f"Q{i}" for i in range(n)], name="parcel_id"),
        crs=crs,
    )


def _connected(geometry) -> bool:
    return isinstance(shapely.union_all(geometry), shapely.Polygon)


def test_groups_of_adjacent_parcels_meet_the_demand():
    # 3 × 3 grid, 15 mu each; a 40 mu project needs three adjacent parcels
    scores = [0.9, 0.8, 0.1, 0.7, 0.95, 0.2, 0.1, 0.3, 0.6]
    sites = assemble(_result(scores), demand_mu=40, max_parcels=3)
    assert len(sites) > 0
    assert (sites["area_mu"] >= 40).all() and (sites["n_parcels"] == 3).all()
    np.testing.assert_allclose(sites["area_mu"], 45.0)
    assert sites["score"].is_monotonic_decreasing
    assert sites["rank"].tolist() == list(range(1, len(sites) + 1))
    for geom in sites.geometry:
        assert isinstance(geom, shapely.Polygon)  # dissolved and connected
    best = sites.iloc[0]
    # Q4 (0.95) with Q0 (0.9) is not adjacent (diagonal); Q4, Q1 (0.8) and Q0 are an L
    assert set(best["parcel_ids"].split(",")) == {"Q0", "Q1", "Q4"}
    assert best["parcel_ids"].split(",")[0] == "Q4"  # best-scoring first
    assert best["score"] == pytest.approx((0.95 + 0.9 + 0.8) / 3)
    assert best["min_score"] == 0.8 and best["excess_mu"] == pytest.approx(5.0)
    assert sites.index.name == "site_id" and sites.index[0] == "S0001"


def test_every_site_is_connected_and_unique():
    rng = np.random.default_rng(3)
    res = _result(rng.random(16).tolist(), cols=4)
    sites = assemble(res, demand_mu=50, max_parcels=4, beam=3, disjoint=False, limit=None)
    assert len(sites) > 5 and sites["parcel_ids"].is_unique
    for ids in sites["parcel_ids"]:
        assert _connected(res.loc[ids.split(",")].geometry)


def test_a_large_parcel_is_a_site_by_itself_and_filters_apply():
    res = _result([0.5, 0.9, 0.4], cols=3)
    res.loc["Q1", "geometry"] = box(100, 0, 200, 300)  # 45 mu
    sites = assemble(res, demand_mu=40)
    assert sites.iloc[0]["parcel_ids"] == "Q1" and sites.iloc[0]["n_parcels"] == 1
    none = assemble(_result([0.9, 0.9], eligible=[True, False]), demand_mu=25)
    assert len(none) == 0 and list(none.columns)[-1] == "geometry"
    low = assemble(_result([0.9, 0.1, 0.9]), demand_mu=25, min_score=0.5)
    assert len(low) == 0  # Q0 and Q2 are not adjacent once Q1 is filtered out
    limited = assemble(_result([0.9, 0.8, 0.7, 0.6], cols=4), demand_mu=25, limit=1)
    assert len(limited) == 1


def test_tolerance_bridges_a_street():
    res = _result([0.9, 0.8], gap=20.0)
    assert len(assemble(res, demand_mu=25)) == 0
    bridged = assemble(res, demand_mu=25, tolerance_m=25.0)
    assert bridged.iloc[0]["parcel_ids"] == "Q0,Q1"
    assert isinstance(bridged.geometry.iloc[0], shapely.MultiPolygon)


def test_invalid_arguments():
    res = _result([0.9, 0.8])
    with pytest.raises(LandassetValueError, match="demand_mu must be a number > 0"):
        assemble(res, demand_mu=0)
    with pytest.raises(LandassetValueError, match="max_parcels must be a whole number"):
        assemble(res, demand_mu=10, max_parcels=2.5)
    with pytest.raises(SchemaError, match="no 'eligible' column"):
        assemble(res.drop(columns="eligible"), demand_mu=10)
    with pytest.raises(CRSError):
        assemble(res.set_crs("EPSG:4326", allow_override=True), demand_mu=10)


def test_on_the_sample(sample_site):
    result = load_profile("smart_manufacturing").score(sample_site, as_of="2025-12-31")
    sites = assemble(result, demand_mu=150, max_parcels=4, min_score=0.5)
    assert len(sites) > 0 and (sites["area_mu"] >= 150).all()
    for ids in sites["parcel_ids"].head(5):
        members = result.loc[ids.split(",")]
        assert members["eligible"].all() and (members["score"] >= 0.5).all()
        assert shapely.union_all(members.geometry.buffer(1.0)).geom_type == "Polygon"


def test_zero_rows():
    empty = _result([0.5]).iloc[:0]
    sites = assemble(empty, demand_mu=10)
    assert len(sites) == 0 and sites.crs == empty.crs


# -- an independent oracle: every connected group on a small grid, by brute force ------


def _grid(scores, widths, heights, *, shuffle=None):
    """Rectangles on a grid of column ``widths`` × row ``heights`` (metres), row-major,
    ids ``Q00``…; with ``shuffle`` (a permutation) the rows come in that order."""
    cols = len(widths)
    xs = np.concatenate([[0.0], np.cumsum(widths)])
    ys = np.concatenate([[0.0], np.cumsum(heights)])
    geoms = [
        box(xs[i % cols], ys[i // cols], xs[i % cols + 1], ys[i // cols + 1])
        for i in range(len(scores))
    ]
    frame = gpd.GeoDataFrame(
        {"score": scores, "eligible": [True] * len(scores)},
        geometry=geoms,
        index=pd.Index([f"Q{i:02d}" for i in range(len(scores))], name="parcel_id"),
        crs="EPSG:4549",
    )
    return frame.iloc[shuffle] if shuffle is not None else frame


def _oracle(scores, widths, heights, demand_mu, max_parcels):
    """Every site the search defines, from the grid's rook adjacency (not geometry).

    A site grown from seed s is a connected group g containing s with area >= demand,
    reached through groups short of the demand: g == {s}, or some m != s leaves g - m
    connected, containing s and short of the demand. Each seed's best (score, then
    least area, then fewest parcels, then ids) is a site; sites are ranked alike.
    """
    networkx = pytest.importorskip("networkx")
    cols, n = len(widths), len(scores)
    graph = networkx.Graph()
    graph.add_nodes_from(range(n))
    for i in range(n):
        if i % cols + 1 < cols and i + 1 < n:
            graph.add_edge(i, i + 1)
        if i + cols < n:
            graph.add_edge(i, i + cols)
    area = np.array([widths[i % cols] * heights[i // cols] / (2000 / 3) for i in range(n)])
    score = np.asarray(scores, dtype=float)

    def connected(nodes):
        return len(nodes) > 0 and networkx.is_connected(graph.subgraph(nodes))

    def key(g):
        # scores compared to 12 decimals and areas to 1e-9 mu: exact ties stay ties
        a = area[list(g)].sum()
        s = (area[list(g)] * score[list(g)]).sum() / a
        return (-round(float(s), 12), round(float(a), 9), len(g), g)

    best: dict[int, tuple] = {}
    for size in range(1, max_parcels + 1):
        for g in itertools.combinations(range(n), size):
            if area[list(g)].sum() < demand_mu or not connected(g):
                continue
            for s in g:
                reachable = size == 1 or any(
                    m != s
                    and area[[x for x in g if x != m]].sum() < demand_mu
                    and connected([x for x in g if x != m])
                    for m in g
                )
                if reachable and (s not in best or key(g) < key(best[s])):
                    best[s] = g
    ranked = sorted(set(best.values()), key=key)
    return [[f"Q{i:02d}" for i in g] for g in ranked], key


def _disjoint_greedy(ranked):
    used, out = set(), []
    for g in ranked:
        if used.isdisjoint(g):
            out.append(g)
            used.update(g)
    return out


def _groups(sites):
    return [sorted(ids.split(",")) for ids in sites["parcel_ids"]]


grid_cases = st.tuples(
    st.integers(2, 4),  # columns
    st.integers(2, 3),  # rows
    st.integers(0, 2**32 - 1),
)


@settings(max_examples=60, deadline=None)
@given(grid_cases, st.integers(2, 4), st.sampled_from([20.0, 35.0, 55.0]), st.booleans())
def test_a_wide_beam_finds_what_brute_force_finds(case, max_parcels, demand_mu, ties):
    cols, rows, seed = case
    rng = np.random.default_rng(seed)
    n = cols * rows
    # with ties: equal squares and one-decimal scores, so that many groups tie exactly
    scores = rng.random(n).round(1 if ties else 6).tolist()
    widths = [100.0] * cols if ties else rng.uniform(60, 140, cols).tolist()
    heights = [100.0] * rows if ties else rng.uniform(60, 140, rows).tolist()
    expected, _ = _oracle(scores, widths, heights, demand_mu, max_parcels)
    res = _grid(scores, widths, heights)
    every = assemble(
        res, demand_mu=demand_mu, max_parcels=max_parcels, beam=10_000, limit=None, disjoint=False
    )
    assert _groups(every) == expected
    disjoint = assemble(res, demand_mu=demand_mu, max_parcels=max_parcels, beam=10_000, limit=None)
    assert _groups(disjoint) == _disjoint_greedy(expected)
    if expected:
        best = assemble(res, demand_mu=demand_mu, max_parcels=max_parcels, beam=10_000, limit=1)
        assert _groups(best) == expected[:1]


def test_the_oracle_on_a_hand_checked_case():
    # a row of three 15 mu squares scoring 1, 0, 1 and a demand of 20 mu: {Q00, Q01} and
    # {Q01, Q02} reach it (score 0.5); {Q00, Q01, Q02} is never grown (each pair is
    # complete already), and Q00 with Q02 are not adjacent
    expected, _ = _oracle([1.0, 0.0, 1.0], [100.0] * 3, [100.0], 20.0, 3)
    assert expected == [["Q00", "Q01"], ["Q01", "Q02"]]
    sites = assemble(_grid([1.0, 0.0, 1.0], [100.0] * 3, [100.0]), demand_mu=20, disjoint=False)
    assert _groups(sites) == expected
    assert _groups(assemble(_grid([1.0, 0.0, 1.0], [100.0] * 3, [100.0]), demand_mu=20)) == [
        ["Q00", "Q01"]
    ]


@settings(max_examples=40, deadline=None)
@given(grid_cases, st.integers(1, 5), st.booleans(), st.integers(1, 4))
def test_the_bound_never_changes_the_answer(case, limit, disjoint, beam):
    """Stopping early (seeds searched in batches of 1, 2, 4, ...) gives the first
    ``limit`` sites of a search of every seed."""
    cols, rows, seed = case
    rng = np.random.default_rng(seed)
    n = cols * rows * 2
    res = _grid(rng.random(n).tolist(), rng.uniform(60, 140, cols * 2).tolist(), [100.0] * rows)
    kw = {"demand_mu": 40.0, "max_parcels": 4, "beam": beam, "disjoint": disjoint}
    every = assemble(res, limit=None, **kw)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(assembly, "_FIRST_BATCH", 1)
        some = assemble(res, limit=limit, **kw)
    assert _groups(some) == _groups(every)[:limit]
    np.testing.assert_array_equal(some["score"], every["score"].head(limit))
    if len(every) > limit:
        assert some.attrs["limit_reached"]
    if not some.attrs["limit_reached"]:
        assert len(every) <= limit and some.attrs["seeds_searched"] == len(res)


@settings(max_examples=25, deadline=None)
@given(grid_cases, st.integers(1, 3))
def test_disjoint_sites_share_no_parcel_and_are_deterministic(case, limit):
    cols, rows, seed = case
    rng = np.random.default_rng(seed)
    n = cols * rows * 2
    # few distinct scores: many ties, broken by parcel id whatever the row order
    scores = rng.choice([0.2, 0.5, 0.8], n).tolist()
    widths, heights = [100.0] * (cols * 2), [100.0] * rows
    sites = assemble(_grid(scores, widths, heights), demand_mu=25, limit=limit * 3)
    ids = [p for g in _groups(sites) for p in g]
    assert len(ids) == len(set(ids))
    shuffled = assemble(
        _grid(scores, widths, heights, shuffle=rng.permutation(n)), demand_mu=25, limit=limit * 3
    )
    assert sites["parcel_ids"].tolist() == shuffled["parcel_ids"].tolist()
    assert sites["score"].tolist() == shuffled["score"].tolist()


def test_limit_defaults_to_50_and_says_when_it_cut_the_answer():
    rng = np.random.default_rng(7)
    res = _result(rng.random(400).tolist(), cols=20)  # 20 × 20 squares of 15 mu
    sites = assemble(res, demand_mu=10)  # every parcel is a site by itself
    assert len(sites) == 50 and sites.attrs["limit"] == 50
    assert sites.attrs["limit_reached"] and sites.attrs["disjoint"]
    assert sites.attrs["candidates"] == 400 and sites.attrs["seeds_searched"] < 400
    np.testing.assert_allclose(sites["score"], np.sort(res["score"])[::-1][:50])
    few = assemble(res.head(3), demand_mu=10)
    assert len(few) == 3 and not few.attrs["limit_reached"]
    assert few.attrs["seeds_searched"] == 3 and few.attrs["retired_parcels"] == []


def test_disjoint_keeps_the_best_site_and_drops_overlapping_ones():
    # 3 × 3 grid of 15 mu: the best 40 mu site is {Q0, Q1, Q4}; every other site that
    # overlaps it goes; the next is the best one made of the remaining parcels
    scores = [0.9, 0.8, 0.1, 0.7, 0.95, 0.2, 0.1, 0.3, 0.6]
    every = assemble(_result(scores), demand_mu=40, max_parcels=3, disjoint=False)
    kept = assemble(_result(scores), demand_mu=40, max_parcels=3)
    assert set(kept.iloc[0]["parcel_ids"].split(",")) == {"Q0", "Q1", "Q4"}
    assert _groups(kept) == _disjoint_greedy(_groups(every))
    assert len(kept) < len(every)
    assert kept["rank"].tolist() == list(range(1, len(kept) + 1))


def test_retired_parcels_are_left_out_and_listed():
    scores = [0.9, 0.8, 0.1, 0.7, 0.95, 0.2, 0.1, 0.3, 0.6]
    stages = pd.Series(["operating"] * 9, index=[f"Q{i}" for i in range(9)])
    stages["Q4"] = "retired"
    sites = assemble(_result(scores), demand_mu=40, max_parcels=3, stages=stages, limit=None)
    assert sites.attrs["retired_parcels"] == ["Q4"]
    assert sites.attrs["candidates"] == 8
    assert not any("Q4" in g for g in _groups(sites))
    assert set(sites.iloc[0]["parcel_ids"].split(",")) == {"Q0", "Q1", "Q3"}


def split_sample(tmp_path):
    """A copy of the sample GeoPackage in which parcel XH120101-08 was split in two
    halves (ledger and parcels layer); returns the path, the parent and the halves."""
    from landasset import read_site
    from landasset.lifecycle import Ledger

    path = tmp_path / "yunqi.gpkg"
    shutil.copy(la.sample.sample_path("yunqi"), path)
    parent = "XH120101-08"
    poly = read_site(path).parcels.geometry[parent]
    minx, miny, maxx, maxy = poly.bounds
    mid = (minx + maxx) / 2
    halves = {
        f"{parent}-A": poly.intersection(box(minx - 1, miny - 1, mid, maxy + 1)),
        f"{parent}-B": poly.intersection(box(mid, miny - 1, maxx + 1, maxy + 1)),
    }
    with Ledger.open(path) as ledger:
        ledger.split(parent, halves, "2025-09-30", actor="test")
    return path, parent, sorted(halves)


def test_a_real_ledger_split_retires_the_parent(tmp_path):
    """After a split the parent stays in the parcels layer (retired) next to its
    children; with the ledger it is not offered twice."""
    from landasset import read_site
    from landasset.lifecycle import Ledger

    path, parent, halves = split_sample(tmp_path)
    site = read_site(path)
    assert {parent, *halves} <= set(site.parcels.index)
    result = load_profile("aerospace").score(site, as_of="2025-12-31")
    result.loc[[parent, *halves], ["eligible", "score"]] = [True, 1.0]  # the best parcels
    demand = float(result.area[parent] / (2000 / 3)) * 0.9
    loose = assemble(result, demand_mu=demand, disjoint=False, limit=None)
    assert parent in loose["parcel_ids"].tolist()  # counted twice without the ledger
    with Ledger.open(path) as ledger:
        sites = assemble(result, demand_mu=demand, stages=ledger, as_of="2025-12-31")
    assert sites.attrs["retired_parcels"] == [parent]
    assert not any(parent in g for g in _groups(sites))
    assert sorted(sites.iloc[0]["parcel_ids"].split(",")) == halves


def test_the_command_leaves_out_retired_parcels_and_says_so(tmp_path):
    from click.testing import CliRunner

    from landasset.cli import cli
    from landasset.io import read_layer

    path, parent, _ = split_sample(tmp_path)
    out = tmp_path / "sites.gpkg"
    args = ["assemble", str(path), "-p", "aerospace", "--demand-mu", "30", "--as-of", "2025-12-31"]
    result = CliRunner().invoke(cli, [*args, "--limit", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    # scoring leaves the parent out and says so; assemble never sees it
    assert "leaves out 1 retired parcel(s) (split or merged parents" in result.stderr
    assert repr(parent) in result.stderr
    assert "more may follow (raise --limit" in result.stderr
    sites = read_layer(out)
    assert len(sites) == 3 and (sites["area_mu"] >= 30).all()
    ids = [p for g in sites["parcel_ids"] for p in g.split(",")]
    assert len(ids) == len(set(ids)) and parent not in ids
    both = CliRunner().invoke(cli, [*args, "--limit", "20", "--overlapping"])
    assert both.exit_code == 0, both.output
    shown = [line.split()[0] for line in both.stdout.splitlines() if line.startswith("S0")]
    assert len(shown) == 20


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"limit": 0}, "limit must be a whole number > 0"),
        ({"limit": 2.5}, "limit must be a whole number"),
        ({"disjoint": "yes"}, "disjoint must be True or False"),
        ({"beam": 0}, "beam must be a whole number > 0"),
    ],
)
def test_invalid_options_name_the_fix(kwargs, match):
    with pytest.raises(LandassetValueError, match=match):
        assemble(_result([0.9, 0.8]), demand_mu=10, **kwargs)
