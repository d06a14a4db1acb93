"""The OGC API service over HTTP, with real clients: OWSLib, httpx and QGIS's OAPIF provider.

Every test talks to a ``landasset serve`` process (see conftest.py) and checks what it
answers against the library or pyproj computing the same thing in this process.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

import landasset as la
from landasset.lifecycle import Ledger

from .conftest import DEFAULT_ITEMS, MAX_ITEMS, TOKENS, Server

httpx = pytest.importorskip("httpx")
features_module = pytest.importorskip("owslib.ogcapi.features")
processes_module = pytest.importorskip("owslib.ogcapi.processes")

SITE_CRS = "http://www.opengis.net/def/crs/EPSG/0/4549"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def all_items(server: Server, collection: str, **params: object) -> list[dict]:
    """Every feature of a collection, page by page (the server caps a page)."""
    out: list[dict] = []
    offset = 0
    while True:
        page = httpx.get(
            f"{server.url}/collections/{collection}/items",
            params={**params, "limit": MAX_ITEMS, "offset": offset, "f": "json"},
            timeout=60,
        )
        assert page.status_code == 200, page.text
        features = page.json()["features"]
        out.extend(features)
        if len(features) < MAX_ITEMS:
            return out
        offset += MAX_ITEMS


def ledger_of(server: Server) -> Ledger:
    return Ledger.open(server.site, read_only=True)


# -- the API's own documents --------------------------------------------------------------


def test_landing_page_conformance_and_openapi(server):
    landing = httpx.get(f"{server.url}/", params={"f": "json"}, timeout=30).json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"service-desc", "conformance", "data"} <= rels
    conforms = set(httpx.get(f"{server.url}/conformance", timeout=30).json()["conformsTo"])
    spec = "http://www.opengis.net/spec/"
    assert {
        spec + "ogcapi-features-1/1.0/conf/core",
        spec + "ogcapi-features-1/1.0/conf/geojson",
        spec + "ogcapi-features-1/1.0/conf/oas30",
        spec + "ogcapi-features-2/1.0/conf/crs",
        spec + "ogcapi-features-4/1.0/conf/create-replace-delete",
        spec + "ogcapi-processes-1/1.0/conf/core",
    } <= conforms
    document = httpx.get(f"{server.url}/openapi", params={"f": "json"}, timeout=60).json()
    assert document["openapi"].startswith("3.0")
    assert "/collections/parcels/items" in document["paths"]
    assert "post" in document["paths"]["/collections/events/items"]
    assert "/processes/score/execution" in document["paths"]


# -- OGC API - Features with OWSLib --------------------------------------------------------


def test_owslib_lists_one_collection_per_non_empty_layer_and_the_views(server, sample_site):
    client = features_module.Features(server.url)
    ids = [c["id"] for c in client.collections()["collections"]]
    layers = [kind for kind, layer in sample_site.layers.items() if len(layer)]
    assert ids == [*layers, "stages", "events"]
    parcels = client.collection("parcels")
    assert parcels["extent"]["spatial"]["crs"] == CRS84
    assert SITE_CRS in parcels["crs"] and parcels["storageCrs"] == SITE_CRS


def test_owslib_reads_items_with_limit_and_offset(server, sample_site):
    client = features_module.Features(server.url)
    page = client.collection_items("parcels", limit=7, offset=5)
    assert [f["id"] for f in page["features"]] == list(sample_site.parcels.index[5:12])
    assert page["numberMatched"] == len(sample_site.parcels)
    assert page["numberReturned"] == 7
    first = page["features"][0]["properties"]
    row = sample_site.parcels.iloc[5]
    assert first["zone"] == row["zone"] and first["land_use"] == row["land_use"]
    assert first["far_max"] == row["far_max"]


def test_page_size_is_capped_and_defaulted(server):
    client = features_module.Features(server.url)
    assert client.collection_items("buildings", limit=10_000)["numberReturned"] == MAX_ITEMS
    assert client.collection_items("buildings")["numberReturned"] == DEFAULT_ITEMS


def test_bbox_in_crs84_selects_the_parcels_that_meet_it(server, sample_site):
    client = features_module.Features(server.url)
    bbox = [120.07, 30.128, 120.076, 30.134]
    page = client.collection_items("parcels", bbox=bbox, limit=MAX_ITEMS)
    # outside oracle: pyproj takes the corners into the site CRS, shapely intersects
    to_site = Transformer.from_crs("OGC:CRS84", "EPSG:4549", always_xy=True)
    x1, y1 = to_site.transform(bbox[0], bbox[1])
    x2, y2 = to_site.transform(bbox[2], bbox[3])
    parcels = sample_site.parcels
    expected = parcels.index[parcels.intersects(shapely.box(x1, y1, x2, y2))]
    assert 0 < len(expected) < MAX_ITEMS
    assert sorted(f["id"] for f in page["features"]) == sorted(expected)
    assert page["numberMatched"] == len(expected)


def test_bbox_crs_takes_the_bbox_in_the_site_crs_in_its_axis_order(server, sample_site):
    parcels = sample_site.parcels
    x1, y1, x2, y2 = 505_600.0, 3_335_850.0, 506_000.0, 3_336_300.0
    expected = parcels.index[parcels.intersects(shapely.box(x1, y1, x2, y2))]
    assert 0 < len(expected) < MAX_ITEMS
    client = features_module.Features(server.url)
    # EPSG:4549 orders its axes northing, easting
    page = client.collection_items(
        "parcels", bbox=[y1, x1, y2, x2], limit=MAX_ITEMS, **{"bbox-crs": SITE_CRS}
    )
    assert sorted(f["id"] for f in page["features"]) == sorted(expected)


def test_geojson_is_crs84_equal_to_the_sites_geometry_reprojected(server, sample_site):
    features = all_items(server, "parcels")
    assert [f["id"] for f in features] == list(sample_site.parcels.index)
    served = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    expected = sample_site.parcels.geometry.to_crs("OGC:CRS84").to_numpy()
    got, want = shapely.get_coordinates(served), shapely.get_coordinates(expected)
    assert got.shape == want.shape
    assert np.abs(got - want).max() < 1e-9
    assert got[:, 0].min() > 119 and got[:, 1].max() < 31  # lon, lat in that order


def test_crs_parameter_returns_the_site_crs_coordinates(server, sample_site):
    response = httpx.get(
        f"{server.url}/collections/parcels/items",
        params={"crs": SITE_CRS, "limit": 5, "f": "json"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["Content-Crs"] == f"<{SITE_CRS}>"
    features = response.json()["features"]
    served = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    want = shapely.get_coordinates(sample_site.parcels.geometry.iloc[:5].to_numpy())
    # northing, easting: the axis order of EPSG:4549
    assert np.abs(shapely.get_coordinates(served)[:, ::-1] - want).max() < 1e-6


def test_a_crs_the_collection_does_not_offer_is_refused(server):
    response = httpx.get(
        f"{server.url}/collections/parcels/items",
        params={"crs": "http://www.opengis.net/def/crs/EPSG/0/3857", "f": "json"},
        timeout=30,
    )
    assert response.status_code == 400


# -- stages on a day -----------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2019-06-30", "2022-03-01", "2025-12-31"])
def test_stages_as_of_a_day_equal_the_ledgers(server, day):
    features = all_items(server, "stages", datetime=day)
    served = pd.Series({f["id"]: f["properties"]["stage"] for f in features}, dtype=object)
    with ledger_of(server) as ledger:
        expected = ledger.stages(as_of=day)
    known = served.dropna()
    assert known.sort_index().to_dict() == expected.sort_index().to_dict()
    assert {f["properties"]["as_of"] for f in features} == {day}


def test_stages_take_an_rfc3339_instant_as_its_day(server):
    with_time = all_items(server, "stages", datetime="2022-03-01T00:00:00Z")
    day = all_items(server, "stages", datetime="2022-03-01")
    assert [f["properties"]["stage"] for f in with_time] == [f["properties"]["stage"] for f in day]


@pytest.mark.parametrize(
    ("collection", "value", "says"),
    [
        ("stages", "2022-01-01/2022-12-31", "interval"),
        ("buildings", "2022-01-01", "has no dates"),
        ("stages", "2022-02-30", "2022-02-30"),
    ],
)
def test_datetime_that_names_no_day_is_refused(server, collection, value, says):
    response = httpx.get(
        f"{server.url}/collections/{collection}/items",
        params={"datetime": value, "f": "json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert says in response.json()["description"]


def test_stations_as_of_a_day_are_those_open(server, sample_site):
    stations = sample_site.stations
    opening = pd.to_datetime(stations["opening_date"], errors="coerce")
    assert opening.notna().any()
    day = opening.dropna().min() + pd.Timedelta(days=1)
    served = all_items(server, "stations", datetime=day.strftime("%Y-%m-%d"))
    expected = stations.index[opening.isna() | (opening <= day)]
    assert sorted(f["id"] for f in served) == sorted(expected)
    assert len(expected) < len(stations)


# -- processes -----------------------------------------------------------------------------


def test_processes_offered_are_score_explain_evaluate_and_match_only_with_the_library(server):
    listed = httpx.get(f"{server.url}/processes", params={"f": "json"}, timeout=30).json()
    ids = {p["id"] for p in listed["processes"]}
    expected = {"score", "explain", "evaluate"} | ({"match"} if hasattr(la, "match") else set())
    assert ids == expected


def test_match_process_answers_the_librarys_candidates_in_order(server, sample_site):
    from landasset.projects import load_project, match

    client = processes_module.Processes(server.url)
    answer = client.execute(
        "match", inputs={"project": "ai_office", "as_of": "2025-12-31", "limit": 5}
    )
    result = answer["outputs"][0] if "outputs" in answer else answer
    with ledger_of(server) as ledger:
        expected = match(
            load_project("ai_office"), sample_site, as_of="2025-12-31", stages=ledger, limit=5
        )
    assert len(expected) > 1
    assert [c["candidate_id"] for c in result["candidates"]] == list(expected.candidates.index)
    assert result["offered"] == {k: int(v) for k, v in dict(expected.offered).items()}
    refused = httpx.post(
        f"{server.url}/processes/match/execution",
        json={"inputs": {"project": "/etc/passwd.yaml", "as_of": "2025-12-31"}},
        timeout=60,
    )
    assert refused.status_code >= 400 and "not a bundled project" in refused.text


def test_score_process_ranks_as_the_library_does(server, sample_site):
    client = processes_module.Processes(server.url)
    answer = client.execute(
        "score", inputs={"profile": "aerospace", "as_of": "2025-12-31", "top": 5}
    )
    result = answer["outputs"][0] if "outputs" in answer else answer
    with ledger_of(server) as ledger:
        library = la.load_profile("aerospace").score(sample_site, as_of="2025-12-31", stages=ledger)
    best = library.sort_values("rank").head(5)
    assert [p["parcel_id"] for p in result["parcels"]] == list(best.index)
    assert result["parcels"][0]["parcel_id"] == library["rank"].idxmin()
    assert [p["score"] for p in result["parcels"]] == list(best["score"])
    assert result["ranked"] == int(library["rank"].notna().sum())


def test_explain_process_contributions_sum_to_the_score(server):
    response = httpx.post(
        f"{server.url}/processes/explain/execution",
        json={"inputs": {"profile": "ai", "parcel_id": "XH120507-02", "as_of": "2025-12-31"}},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    result = response.json()
    total = sum(c["contribution"] for c in result["criteria"])
    assert abs(total - result["score"]) < 1e-12
    assert result["rank"] >= 1


def test_evaluate_process_grades_as_the_library_does(server, sample_site):
    from landasset.efficiency import evaluate

    response = httpx.post(
        f"{server.url}/processes/evaluate/execution",
        json={"inputs": {"year": 2025, "scheme": "zhejiang-2018"}},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    result = response.json()
    graded = evaluate(
        sample_site.enterprises,
        sample_site.parcels,
        year=2025,
        scheme="zhejiang-2018",
        buildings=sample_site.buildings,
    )
    assert result["grades"] == {k: int(v) for k, v in graded["grade"].value_counts().items()}
    served = {e["enterprise_id"]: e["grade"] for e in result["enterprises"]}
    assert served == graded["grade"].where(graded["grade"].notna(), None).to_dict()


def test_a_process_refuses_an_unknown_profile_naming_the_bundled_ones(server):
    response = httpx.post(
        f"{server.url}/processes/score/execution",
        json={"inputs": {"profile": "aero"}},
        timeout=60,
    )
    assert response.status_code == 400
    assert "'aerospace'" in response.json()["description"]


# -- writes --------------------------------------------------------------------------------


def parcel_in(server: Server, sample_site: la.Site, stage: str, *, north: bool) -> str:
    """A parcel now in ``stage``, in zone 双浦 (the 双浦 desk's) or outside it."""
    with ledger_of(server) as ledger:
        stages = ledger.stages()
    zones = sample_site.parcels["zone"]
    candidates = [p for p in stages.index[stages == stage] if (zones.get(p) == "双浦") == north]
    assert candidates
    return candidates[0]


def reserved_parcel(server: Server, sample_site: la.Site) -> str:
    """A parcel in the reserve (双浦 holds reserved plots of the sample)."""
    return parcel_in(server, sample_site, "reserved", north=True)


def supply_ready(parcel_id: str) -> dict:
    return {
        "type": "Feature",
        "geometry": None,
        "properties": {
            "parcel_id": parcel_id,
            "stage": "supply_ready",
            "date": "2026-03-02",
            "land_use": "M1",
            "far_min": 1.2,
            "far_max": 2.5,
        },
    }


def post_event(server: Server, body: dict | bytes, token: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/geo+json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(
        f"{server.url}/collections/events/items", content=content, headers=headers, timeout=60
    )


@pytest.mark.parametrize(
    ("token", "status"),
    [(None, 401), ("not-a-token-of-this-server", 401), (TOKENS["reader"], 403)],
)
def test_writes_without_a_recorder_token_are_refused_and_record_nothing(
    server, sample_site, token, status
):
    parcel = reserved_parcel(server, sample_site)
    with ledger_of(server) as ledger:
        before = len(ledger)
    response = post_event(server, supply_ready(parcel), token)
    assert response.status_code == status
    assert "token" in response.json()["description"]
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    with ledger_of(server) as ledger:
        assert len(ledger) == before
        assert ledger.stage(parcel) == "reserved"


def test_a_recorder_writes_an_event_into_the_ledger_as_its_actor(server, sample_site):
    parcel = reserved_parcel(server, sample_site)
    body = supply_ready(parcel)
    # a principal the client claims is replaced by the token's
    body["landasset:principal"] = {"name": "someone-else", "role": "admin", "zones": []}
    response = post_event(server, body, TOKENS["recorder"])
    assert response.status_code == 201, response.text
    event_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with ledger_of(server) as ledger:
        event = ledger.event(event_id)
        assert ledger.stage(parcel) == "supply_ready"
    assert (event.parcel_id, event.stage, str(event.date)) == (parcel, "supply_ready", "2026-03-02")
    assert event.actor == "investment-system"
    assert event.data["far_max"] == 2.5
    served = httpx.get(
        f"{server.url}/collections/events/items/{event_id}", params={"f": "json"}, timeout=30
    ).json()
    assert served["properties"]["parcel_id"] == parcel
    assert served["properties"]["actor"] == "investment-system"


def test_an_illegal_move_is_refused_with_the_allowed_moves(server, sample_site):
    parcel = reserved_parcel(server, sample_site)
    body = supply_ready(parcel)
    body["properties"]["stage"] = "operating"
    response = post_event(server, body, TOKENS["recorder"])
    assert response.status_code == 400
    assert "allowed from 'reserved'" in response.json()["description"]


def test_a_recorder_with_zones_writes_only_in_them(server, sample_site):
    outside = parcel_in(server, sample_site, "operating", north=False)
    refused = post_event(server, supply_ready(outside), TOKENS["north"])
    assert refused.status_code == 403
    assert "双浦" in refused.json()["description"]
    inside = reserved_parcel(server, sample_site)
    accepted = post_event(server, supply_ready(inside), TOKENS["north"])
    assert accepted.status_code == 201, accepted.text
    with ledger_of(server) as ledger:
        assert ledger.stage(inside) == "supply_ready"
        assert ledger.stage(outside) == "operating"


def test_a_body_over_the_cap_is_refused_with_413(server, sample_site):
    parcel = reserved_parcel(server, sample_site)
    body = supply_ready(parcel)
    body["properties"]["note"] = "x" * 5000
    response = post_event(server, body, TOKENS["recorder"])
    assert response.status_code == 413
    assert "4096" in response.json()["description"]
    with ledger_of(server) as ledger:
        assert ledger.stage(parcel) == "reserved"


# -- QGIS ----------------------------------------------------------------------------------

SYSTEM_PYTHON = "/usr/bin/python3"

QGIS_SCRIPT = """
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
out = {}
for name in sys.argv[2:]:
    layer = QgsVectorLayer(f"url='{sys.argv[1]}' typename='{name}'", name, "OAPIF")
    out[name] = {
        "valid": layer.isValid(),
        "count": sum(1 for _ in layer.getFeatures()),
        "fields": [f.name() for f in layer.fields()],
        "crs": layer.crs().authid(),
    }
print("RESULT " + json.dumps(out), flush=True)
os._exit(0)  # QGIS 3.22 may crash while tearing down the network provider
"""


def _qgis_missing() -> str | None:
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} not found"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return "QGIS is not installed (apt-get install python3-qgis qgis-providers)"
    return None


@pytest.mark.qgis
def test_qgis_oapif_provider_loads_collections_headless(server, sample_site, tmp_path):
    reason = _qgis_missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"QGIS is required in CI: {reason}")
        pytest.skip(reason)
    script = tmp_path / "oapif.py"
    script.write_text(QGIS_SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL"))}
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env.update(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime))
    run = subprocess.run(
        [SYSTEM_PYTHON, str(script), server.url, "parcels", "stages"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert run.returncode == 0 and lines, run.stdout + run.stderr
    result = json.loads(lines[0][len("RESULT ") :])
    for name in ("parcels", "stages"):
        assert result[name]["valid"], result[name]
        assert result[name]["count"] == len(sample_site.parcels)
    assert {"zone", "land_use", "far_max"} <= set(result["parcels"]["fields"])
    assert {"stage", "stage_label"} <= set(result["stages"]["fields"])
