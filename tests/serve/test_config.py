"""The pygeoapi configuration and the provider and processes, called in this process."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely

import landasset as la
from landasset import LandassetValueError
from landasset.lifecycle import Ledger
from landasset.sample import sample_path

pytest.importorskip("pygeoapi", reason="the OGC API service needs landasset[serve]")

from pygeoapi.provider.base import (
    ProviderGenericError,
    ProviderInvalidQueryError,
    ProviderItemNotFoundError,
)

from landasset.serve import config as serve_config
from landasset.serve.provider import LandassetProvider

SITE_CRS = "http://www.opengis.net/def/crs/EPSG/0/4549"


@pytest.fixture(scope="module")
def config():
    return serve_config.pygeoapi_config(sample_path("yunqi"), port=8123, max_items=200)


def provider(view: str, **extra) -> LandassetProvider:
    return LandassetProvider(
        {
            "type": "feature",
            "name": "landasset.serve.provider.LandassetProvider",
            "data": str(sample_path("yunqi")),
            "options": {"view": view},
            "storage_crs": SITE_CRS,
            "id_field": "id",
            **extra,
        }
    )


# -- configuration -------------------------------------------------------------------------


def test_one_collection_per_non_empty_layer_then_the_views_then_the_processes(config, sample_site):
    collections = [k for k, v in config["resources"].items() if v["type"] == "collection"]
    assert collections == [k for k, v in sample_site.layers.items() if len(v)] + [
        "stages",
        "events",
    ]
    processes = [k for k, v in config["resources"].items() if v["type"] == "process"]
    assert processes == list(serve_config.available_processes())
    assert config["server"]["limits"] == {
        "default_items": 100,
        "max_items": 200,
        "on_exceed": "throttle",
    }


def test_only_the_events_collection_is_editable(config):
    editable = [
        k
        for k, v in config["resources"].items()
        if v["type"] == "collection" and v["providers"][0].get("editable")
    ]
    assert editable == ["events"]
    closed = serve_config.pygeoapi_config(sample_path("yunqi"), writable=False)
    assert closed["resources"]["events"]["providers"][0]["editable"] is False


def test_collections_offer_crs84_and_the_site_crs_and_store_in_the_site_crs(config, sample_site):
    parcels = config["resources"]["parcels"]
    provider_def = parcels["providers"][0]
    assert provider_def["crs"] == [serve_config.CRS84, SITE_CRS]
    assert provider_def["storage_crs"] == SITE_CRS
    bbox = parcels["extents"]["spatial"]["bbox"]
    expected = sample_site.parcels.to_crs("OGC:CRS84").total_bounds
    assert np.allclose(bbox, expected, rtol=0, atol=1e-12)


def test_match_is_offered_only_when_the_library_has_it(monkeypatch):
    has = serve_config.matching() is not None
    assert ("match" in serve_config.available_processes()) is has
    assert has is hasattr(la, "match")
    monkeypatch.setattr(serve_config, "matching", lambda: None)
    assert "match" not in serve_config.available_processes()


def test_a_default_page_above_the_cap_is_refused():
    with pytest.raises(LandassetValueError, match="between 1 and max_items"):
        serve_config.pygeoapi_config(sample_path("yunqi"), default_items=50, max_items=10)


def test_the_openapi_document_describes_the_items_and_the_processes(config):
    document = serve_config.openapi_document(config)
    assert document["openapi"].startswith("3.0")
    limit = next(
        p
        for p in document["paths"]["/collections/parcels/items"]["get"]["parameters"]
        if isinstance(p, dict) and p.get("name") == "limit"
    )
    assert limit["schema"]["maximum"] == 200
    assert "/processes/evaluate/execution" in document["paths"]


# -- the provider --------------------------------------------------------------------------


def test_stages_view_on_a_day_is_the_ledgers_with_labels():
    day = "2023-06-30"
    result = provider("stages").query(limit=1000, datetime_=day)
    with Ledger.open(sample_path("yunqi"), read_only=True) as ledger:
        expected = ledger.stages(as_of=day)
    served = {f["id"]: f["properties"]["stage"] for f in result["features"]}
    assert {k: v for k, v in served.items() if v is not None} == expected.to_dict()
    labels = {f["properties"]["stage"]: f["properties"]["stage_label"] for f in result["features"]}
    assert labels.get("operating") == "运营"


def test_without_a_transform_the_site_crs_comes_northing_first(sample_site):
    feature = provider("parcels").get("XH120101-01")
    ring = np.array(feature["geometry"]["coordinates"][0])
    expected = shapely.get_coordinates(sample_site.parcels.geometry.loc["XH120101-01"])
    assert np.array_equal(ring[:, ::-1], expected)


def test_paging_sorting_properties_and_hits():
    p = provider("parcels")
    hits = p.query(resulttype="hits")
    assert hits["features"] == [] and hits["numberMatched"] == 455
    by_zone = p.query(properties=[("zone", "云栖")], limit=1000)
    assert by_zone["numberMatched"] == 218
    assert {f["properties"]["zone"] for f in by_zone["features"]} == {"云栖"}
    ordered = p.query(sortby=[{"property": "far_max", "order": "-"}], limit=5)
    values = [f["properties"]["far_max"] for f in ordered["features"]]
    assert values == sorted(values, reverse=True)
    chosen = p.query(select_properties=["zone"], skip_geometry=True, limit=2)
    assert [set(f["properties"]) for f in chosen["features"]] == [{"zone"}, {"zone"}]
    assert chosen["features"][0]["geometry"] is None
    with pytest.raises(ProviderInvalidQueryError):
        p.query(properties=[("colour", "red")])
    with pytest.raises(ProviderItemNotFoundError):
        p.get("XH999999-99")


def test_a_write_without_the_access_layer_is_forbidden():
    events = provider("events", editable=True)
    assert events.editable
    body = {"type": "Feature", "geometry": None, "properties": {"parcel_id": "XH120101-01"}}
    with pytest.raises(ProviderGenericError, match="recorder token") as caught:
        events.create(json.dumps(body))
    assert caught.value.http_status_code == 403


def test_json_values_are_plain_and_full_precision():
    from landasset.serve._json import plain, records

    frame = pd.DataFrame(
        {
            "x": [0.1234567890123456789, np.nan],
            "d": pd.to_datetime(["2024-05-01", None]),
            "n": pd.array([1, None], dtype="Int64"),
        }
    )
    assert records(frame) == [
        {"x": 0.1234567890123456789, "d": "2024-05-01", "n": 1},
        {"x": None, "d": None, "n": None},
    ]
    assert plain(np.bool_(True)) is True and plain(float("inf")) is None


def test_events_view_on_a_day_holds_the_events_up_to_it():
    day = pd.Timestamp("2021-06-30")
    result = provider("events").query(limit=100_000, datetime_="2021-06-30")
    with Ledger.open(sample_path("yunqi"), read_only=True) as ledger:
        expected = ledger.events(as_of=day)
    assert [f["id"] for f in result["features"]] == [str(i) for i in expected.index]
    assert max(f["properties"]["date"] for f in result["features"]) <= "2021-06-30"


def test_match_process_returns_the_librarys_candidates():
    projects = serve_config.matching()
    if projects is None:
        pytest.skip("project matching (landasset.projects.match) is not in this installation")
    from landasset.serve.processes import MatchProcessor

    path = str(sample_path("yunqi"))
    _, out = MatchProcessor({"name": "match", "site": path}).execute(
        {"project": "aerospace_plant", "as_of": "2025-12-31", "limit": 5}
    )
    with Ledger.open(path, read_only=True) as ledger:
        expected = projects.match(
            projects.load_project("aerospace_plant"),
            la.read_site(path),
            as_of="2025-12-31",
            stages=ledger,
            limit=5,
        )
    assert [c["candidate_id"] for c in out["candidates"]] == list(expected.candidates.index)
    with pytest.raises(Exception, match="not a bundled project"):
        MatchProcessor({"name": "match", "site": path}).execute(
            {"project": "/etc/passwd.yaml", "as_of": "2025-12-31"}
        )


def test_a_site_without_parcels_serves_its_other_layers_and_empty_views(sample_site, tmp_path):
    path = sample_site.replace(parcels=sample_site.parcels.iloc[:0]).to_file(tmp_path / "e.gpkg")
    resources = serve_config.pygeoapi_config(path)["resources"]
    assert "parcels" not in resources and "buildings" in resources
    assert resources["stages"]["extents"]["spatial"]["bbox"] == [-180.0, -90.0, 180.0, 90.0]
