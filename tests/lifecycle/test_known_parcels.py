"""Events name known parcels: the ids of the GeoPackage's parcels layer, or known_parcels."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from landasset import LandassetKeyError, LandassetTypeError
from landasset.lifecycle import Ledger, Stage

from .conftest import X0, Y0, small_parcels


def _frame(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"parcel_id": ids, "stage": "planned", "on": "2020-01-01", "actor": "a"})


def test_typo_refused_with_the_close_match(parcels_gpkg: Path) -> None:
    with Ledger.open(parcels_gpkg) as led:
        with pytest.raises(LandassetKeyError) as info:
            led.record("A-O1", "planned", "2020-01-01", actor="a")
        assert str(info.value) == (
            "1 parcel id is not in the parcels layer of site.gpkg, nothing was recorded: "
            "'A-O1' (did you mean 'A-01'?); correct the id, or add the parcel first"
        )
        assert len(led) == 0
        assert led.record("A-01", "planned", "2020-01-01", actor="a").event_id == 1


def test_record_many_lists_every_unknown_id_and_records_nothing(parcels_gpkg: Path) -> None:
    unknown = [f"Z-{i:02d}" for i in range(25)]
    with Ledger.open(parcels_gpkg) as led:
        with pytest.raises(LandassetKeyError) as info:
            led.record_many(_frame(["A-01", *unknown, "A-02", "Z-00"]))
        message = str(info.value)
        assert message.startswith("25 parcel ids are not in the parcels layer of site.gpkg")
        listing = message.split("recorded: ")[1]
        assert re.findall(r"(?:^|, )'([^']+)'", listing) == unknown[:20]  # each once, in order
        assert "… and 5 more" in listing
        assert len(led) == 0
        ids = led.record_many(_frame(["A-01", "A-02", "A-03"]))
        assert ids.tolist() == [1, 2, 3]


def test_known_parcels_given_replaces_the_layer(parcels_gpkg: Path) -> None:
    with Ledger.open(parcels_gpkg, known_parcels=["A-01", "EXT-9"]) as led:
        led.record("EXT-9", "planned", "2020-01-01", actor="a")
        with pytest.raises(LandassetKeyError, match=r"not in known_parcels.*'A-02'"):
            led.record("A-02", "planned", "2020-01-01", actor="a")
        assert led.parcel_ids().tolist() == ["EXT-9"]


def test_no_parcels_layer_no_check(tmp_path: Path) -> None:
    for name in ("plain.gpkg", "plain.sqlite"):
        with Ledger.open(tmp_path / name) as led:
            assert led.record("ANY-ID", "planned", "2020-01-01", actor="a").event_id == 1
    with Ledger.open(":memory:") as led:
        assert led.record("ANY-ID", "planned", "2020-01-01", actor="a").event_id == 1
    led = Ledger.open(":memory:", known_parcels=pd.Index(["P1"]))
    with pytest.raises(LandassetKeyError, match="'ANY-ID'"):
        led.record("ANY-ID", "planned", "2020-01-01", actor="a")
    led.close()


def test_ids_are_read_once_and_again_when_the_layer_gained_parcels(parcels_gpkg: Path) -> None:
    with Ledger.open(parcels_gpkg) as led:
        reads: list[str] = []
        led.connection.set_trace_callback(
            lambda sql: reads.append(sql) if sql.startswith("SELECT parcel_id FROM") else None
        )
        led.record("A-01", "planned", "2020-01-01", actor="a")
        led.record("A-02", "planned", "2020-01-01", actor="a")
        led.record_many(_frame(["A-03"]))
        assert len(reads) == 1
        # another program adds a parcel to the layer while the ledger is open
        new = small_parcels().iloc[:1].rename(index={"A-01": "A-04"})
        pyogrio.write_dataframe(new.reset_index(), parcels_gpkg, layer="parcels", append=True)
        led.record("A-04", "planned", "2020-01-01", actor="a")
        assert len(reads) == 2
        with pytest.raises(LandassetKeyError, match="'A-05'"):
            led.record("A-05", "planned", "2020-01-01", actor="a")
        led.connection.set_trace_callback(None)


def test_split_children_are_known(parcels_gpkg: Path) -> None:
    with Ledger.open(parcels_gpkg) as led:
        led.record("A-01", "reserved", "2020-01-01", actor="a")
        led.split(
            "A-01",
            {"S1": box(X0, Y0, X0 + 50, Y0 + 100), "S2": box(X0 + 50, Y0, X0 + 100, Y0 + 100)},
            "2021-01-01",
            actor="a",
        )
        e = led.record("S1", "supply_ready", "2021-02-01", actor="a", land_use="M1", far_max=2.0)
        assert e.stage is Stage.supply_ready
    with Ledger.open(":memory:", known_parcels=["P"]) as led:
        led.record("P", "reserved", "2020-01-01", actor="a")
        led.split("P", {"P1": None, "P2": None}, "2021-01-01", actor="a")
        e = led.record("P2", "supply_ready", "2022-01-01", actor="a", land_use="M1", far_max=2.0)
        assert e.stage is Stage.supply_ready and led.stage("P1") is Stage.reserved
        with pytest.raises(LandassetKeyError, match="'P3'"):
            led.record("P3", "planned", "2022-01-01", actor="a")


@pytest.mark.parametrize(
    ("given", "message"),
    [("A-01", "not one id 'A-01'"), (["A-01", None], "missing id")],
)
def test_known_parcels_checked(given: object, message: str) -> None:
    with pytest.raises(LandassetTypeError, match=message):
        Ledger.open(":memory:", known_parcels=given)  # type: ignore[arg-type]


KNOWN = ["K1", "K2", "K3", "K4"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([*KNOWN, "U1", "U2", "k1"]), min_size=1, max_size=8))
def test_a_batch_goes_in_exactly_when_all_its_ids_are_known(ids: list[str]) -> None:
    with Ledger.open(":memory:", known_parcels=KNOWN) as led:
        frame = pd.DataFrame(
            {"parcel_id": ids, "stage": "planned", "on": "2020-01-01", "actor": "a"}
        ).drop_duplicates("parcel_id")
        unknown = sorted(set(ids) - set(KNOWN))
        if unknown:
            with pytest.raises(LandassetKeyError) as info:
                led.record_many(frame)
            assert str(info.value).startswith(f"{len(unknown)} parcel id")
            assert all(repr(u) in str(info.value) for u in unknown)
            assert len(led) == 0
        else:
            assert len(led.record_many(frame)) == len(frame) == len(led)
