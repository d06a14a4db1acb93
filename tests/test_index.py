"""ParcelIndex: results equal brute force after random edits."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from shapely import Point, box

import landasset as la
from landasset.index import PREDICATES, ParcelIndex, ParcelIndexError


def random_parcel(rng: np.random.Generator) -> shapely.Geometry:
    x, y = rng.uniform(0, 1000, 2)
    w, h = rng.uniform(1, 80, 2)
    if rng.random() < 0.3:
        return shapely.Point(x, y).buffer(w / 2, quad_segs=4)
    return box(x, y, x + w, y + h)


def brute_query(parcels: dict, geometry, predicate: str | None) -> list[str]:
    if predicate is None:
        search = box(*geometry.bounds)
        hits = [pid for pid, g in parcels.items() if box(*g.bounds).intersects(search)]
    else:
        hits = [pid for pid, g in parcels.items() if getattr(shapely, predicate)(geometry, g)]
    return sorted(hits)


def brute_nearest(parcels: dict, geometry, k: int) -> list[str]:
    ranked = sorted(parcels, key=lambda pid: (shapely.distance(geometry, parcels[pid]), pid))
    return ranked[:k]


def test_random_edit_sequence_matches_brute_force():
    rng = np.random.default_rng(3)
    start = {f"P{i:04d}": random_parcel(rng) for i in range(150)}
    frame = gpd.GeoDataFrame(
        geometry=list(start.values()),
        index=pd.Index(list(start), name="parcel_id"),
        crs="EPSG:4549",
    )
    index = ParcelIndex.from_frame(frame)
    truth = dict(start)
    fresh = 0
    for step in range(400):
        op = rng.integers(0, 4)
        if op == 0 or not truth:  # a new parcel
            pid = f"N{fresh:04d}"
            fresh += 1
            truth[pid] = random_parcel(rng)
            index.insert(pid, truth[pid])
        elif op == 1:  # a parcel retired
            pid = sorted(truth)[rng.integers(len(truth))]
            del truth[pid]
            index.delete(pid)
        elif op == 2:  # redrawn
            pid = sorted(truth)[rng.integers(len(truth))]
            truth[pid] = random_parcel(rng)
            index.update(pid, truth[pid])
        else:  # split in two
            pid = sorted(truth)[rng.integers(len(truth))]
            minx, miny, maxx, maxy = truth.pop(pid).bounds
            index.delete(pid)
            mid = (minx + maxx) / 2
            for suffix, part in (
                ("a", box(minx, miny, mid, maxy)),
                ("b", box(mid, miny, maxx, maxy)),
            ):
                truth[pid + suffix] = part
                index.insert(pid + suffix, part)
        # a query after every edit, as in editing work
        probe = random_parcel(rng)
        predicate = [None, *PREDICATES][step % (len(PREDICATES) + 1)]
        assert index.query(probe, predicate=predicate) == brute_query(truth, probe, predicate)
        if step % 10 == 0:
            k = int(rng.integers(1, 6))
            assert index.nearest(probe.centroid, top_k=k) == brute_nearest(truth, probe.centroid, k)
    assert len(index) == len(truth)
    assert set(index) == set(truth)


class IndexMachine(RuleBasedStateMachine):
    """Hypothesis drives inserts, deletes and updates; every state matches brute force."""

    def __init__(self) -> None:
        super().__init__()
        self.index = ParcelIndex()
        self.truth: dict[str, shapely.Geometry] = {}

    boxes = st.tuples(
        st.integers(0, 100), st.integers(0, 100), st.integers(1, 30), st.integers(1, 30)
    ).map(lambda t: box(t[0], t[1], t[0] + t[2], t[1] + t[3]))
    ids = st.text(alphabet="ABC123", min_size=1, max_size=3)

    @rule(pid=ids, geometry=boxes)
    def insert(self, pid, geometry):
        if pid in self.truth:
            with pytest.raises(KeyError, match="already in the index"):
                self.index.insert(pid, geometry)
        else:
            self.index.insert(pid, geometry)
            self.truth[pid] = geometry

    @precondition(lambda self: self.truth)
    @rule(data=st.data())
    def delete(self, data):
        pid = data.draw(st.sampled_from(sorted(self.truth)))
        self.index.delete(pid)
        del self.truth[pid]

    @precondition(lambda self: self.truth)
    @rule(data=st.data(), geometry=boxes)
    def update(self, data, geometry):
        pid = data.draw(st.sampled_from(sorted(self.truth)))
        self.index.update(pid, geometry)
        self.truth[pid] = geometry

    @rule(geometry=boxes, predicate=st.sampled_from([None, *PREDICATES]))
    def query(self, geometry, predicate):
        assert self.index.query(geometry, predicate=predicate) == brute_query(
            self.truth, geometry, predicate
        )

    @rule(x=st.integers(-20, 140), y=st.integers(-20, 140), k=st.integers(1, 4))
    def nearest(self, x, y, k):
        assert self.index.nearest(Point(x, y), top_k=k) == brute_nearest(self.truth, Point(x, y), k)

    @invariant()
    def same_set(self):
        assert len(self.index) == len(self.truth)
        assert sorted(self.index) == sorted(self.truth)


TestIndexMachine = IndexMachine.TestCase
TestIndexMachine.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)


def test_bbox_queries_and_errors():
    index = ParcelIndex()
    assert len(index) == 0 and index.nearest(Point(0, 0), top_k=3) == []
    index.insert("A", box(0, 0, 10, 10))
    index.insert("B", box(20, 0, 30, 10))
    assert index.query((5, 5, 25, 6)) == ["A", "B"]
    assert index.query((11, 0, 19, 10)) == []
    assert index.query((0, 0, 100, 100), predicate="contains") == ["A", "B"]
    assert index.query(box(0, 0, 10, 10), predicate="touches") == []
    assert index.query(shapely.Polygon(), predicate="intersects") == []
    assert index.nearest(Point(15.5, 5), top_k=1) == ["B"]
    assert index.nearest(Point(15, 5), top_k=1) == ["A"]  # a tie goes to the smaller id
    assert index.nearest(Point(15, 5), top_k=5) == ["A", "B"]
    with pytest.warns(FutureWarning, match=r"nearest\(k=\.\.\.\) is renamed .*top_k"):
        assert index.nearest(Point(15, 5), k=5) == ["A", "B"]  # the old spelling, one release
    assert "A" in index and "Z" not in index and index.geometry("A").area == 100
    with pytest.raises(ParcelIndexError, match=r"'near' is not a predicate.*'intersects'"):
        index.query((0, 0, 1, 1), predicate="near")
    with pytest.raises(ParcelIndexError, match="min > max"):
        index.query((10, 0, 0, 10))
    with pytest.raises(ParcelIndexError, match="bounding box"):
        index.query("everything")  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="'Z' is not in the index"):
        index.delete("Z")
    with pytest.raises(KeyError, match="already in the index; use update"):
        index.insert("A", box(0, 0, 1, 1))
    with pytest.raises(TypeError, match="parcel ids are strings"):
        index.insert(7, box(0, 0, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(la.SchemaError, match="no geometry"):
        index.insert("C", shapely.Polygon())
    with pytest.raises(ParcelIndexError, match="k must be"):
        index.nearest(Point(0, 0), top_k=0)
    assert isinstance(ParcelIndexError("x"), ValueError)


def test_from_frame_on_the_sample(sample_site):
    parcels = sample_site.parcels
    index = ParcelIndex.from_frame(parcels)
    assert len(index) == len(parcels)
    target = parcels.geometry.iloc[10]
    expected = sorted(parcels.index[parcels.geometry.intersects(target)])
    assert index.query(target, predicate="intersects") == expected
    with pytest.raises(la.SchemaError, match="more than once"):
        ParcelIndex.from_frame(pd.concat([parcels.iloc[:2], parcels.iloc[:1]]))


def test_bad_ids_raise_landasset_errors_that_are_still_builtins():
    index = ParcelIndex()
    index.insert("A", box(0, 0, 10, 10))
    for call in (
        lambda: index.delete("Z"),
        lambda: index.update("Z", box(0, 0, 1, 1)),
        lambda: index.geometry("Z"),
    ):
        with pytest.raises(la.LandassetKeyError, match="'Z' is not in the index; check the id"):
            call()
    with pytest.raises(la.LandassetKeyError) as missing:
        index.delete("Z")
    assert isinstance(missing.value, KeyError)  # existing ``except KeyError`` still works
    assert str(missing.value).startswith("parcel 'Z'")  # no KeyError repr quoting
    with pytest.raises(la.LandassetKeyError, match="'A' is already in the index; use update"):
        index.insert("A", box(0, 0, 1, 1))
    with pytest.raises(
        la.LandassetTypeError, match=r"parcel ids are strings.*convert with str"
    ) as bad:
        index.insert(7, box(0, 0, 1, 1))  # type: ignore[arg-type]
    assert isinstance(bad.value, TypeError)
    with pytest.raises(la.LandassetTypeError, match="not int 7"):
        index.delete(7)  # type: ignore[arg-type]
