"""``landasset serve postgresql://…``: the sample district imported into PostGIS
(``landasset db import``), served over HTTP, with tokens mapped to database roles.

The zone-limited token below has no zones in the token file: only the database role it
names (``bo_yungu``, a recorder granted zone 云谷 by ``landasset db grant``) limits it, so
a refusal for a 云栖 parcel can only come from the database's row-level security.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator

import pandas as pd
import pytest
from click.testing import CliRunner

import landasset as la
from landasset.cli import cli
from landasset.lifecycle import Ledger
from landasset.sample import sample_path

from .conftest import MAX_ITEMS, Server, httpx, start_server, stop_server

# without the driver the tests skip, with the reason, except in CI where they must run
psycopg = (
    importlib.import_module("psycopg")
    if os.environ.get("CI", "").lower() == "true"
    else pytest.importorskip("psycopg", reason="needs psycopg: pip install 'landasset[postgis]'")
)
features_module = pytest.importorskip("owslib.ogcapi.features")

TOKENS = {
    "all": "pg-recorder-token-0001",
    "yungu": "pg-yungu-token-0001",
    "ghost": "pg-ghost-token-0001",
}

#: A recorder of every zone (the server's own login), and one that records as the
#: database role bo_yungu, with no zones of its own in this file.
TOKEN_FILE = f"""\
version: 1
reads: open
tokens:
  - name: investment-system
    role: recorder
    token: {TOKENS["all"]}
  - name: yungu-desk
    role: recorder
    db_role: bo_yungu
    token: {TOKENS["yungu"]}
  - name: ghost-desk
    role: recorder
    db_role: no_such_login
    token: {TOKENS["ghost"]}
"""


def _cli(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def pg_server(pg_cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The sample imported into a fresh database (a 云谷-only recorder granted), served."""
    url = pg_cluster.url(pg_cluster.new_database())
    _cli("db", "import", str(sample_path("yunqi")), url)
    _cli("db", "grant", url, "bo_yungu", "--role", "recorder", "--zone", "云谷")
    process, running = start_server(
        tmp_path_factory.mktemp("serve-pg"), source=url, tokens_text=TOKEN_FILE
    )
    try:
        yield running
    finally:
        stop_server(process)


def _supplied(parcel_id: str) -> dict:
    return {
        "type": "Feature",
        "geometry": None,
        "properties": {
            "parcel_id": parcel_id,
            "stage": "supplied",
            "date": "2026-03-02",
            "contract_id": f"C-{parcel_id}",
            "mode": "listing",
            "land_use": "M1",
            "price_10k_cny": 3000,
            "agreed_start": "2026-09-01",
            "agreed_completion": "2028-09-01",
        },
    }


def _post(server: Server, body: dict, token: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/geo+json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(
        f"{server.url}/collections/events/items",
        content=json.dumps(body).encode(),
        headers=headers,
        timeout=60,
    )


def _ready_in(server: Server, site: la.Site, zone: str) -> list[str]:
    """Parcels of ``zone`` now supply-ready in the served database."""
    with Ledger.open(str(server.site), read_only=True) as ledger:
        stages = ledger.stages()
    zones = site.parcels["zone"]
    found = [p for p in stages.index[stages == "supply_ready"] if zones.get(p) == zone]
    assert found, f"the sample has no supply-ready parcel in {zone}"
    return found


def test_owslib_reads_the_parcels_from_postgis(pg_server, sample_site):
    api = features_module.Features(pg_server.url)
    assert {"parcels", "stages", "events"} <= set(api.feature_collections())
    page = api.collection_items("parcels", limit=7, offset=3)
    assert [f["id"] for f in page["features"]] == list(sample_site.parcels.index[3:10])
    assert page["numberMatched"] == len(sample_site.parcels)
    row = sample_site.parcels.iloc[3]
    assert page["features"][0]["properties"]["zone"] == row["zone"]
    # the database URL (its user, host and any password) is not shown to clients
    for path in ("/", "/collections", "/collections/parcels", "/processes", "/openapi"):
        text = httpx.get(f"{pg_server.url}{path}", params={"f": "json"}, timeout=60).text
        assert str(pg_server.site) not in text and "postgresql://" not in text, path


@pytest.mark.parametrize("day", ["2019-06-30", "2025-12-31"])
def test_stages_on_a_day_equal_the_postgis_ledgers(pg_server, day):
    features = []
    offset = 0
    while True:
        page = httpx.get(
            f"{pg_server.url}/collections/stages/items",
            params={"datetime": day, "limit": MAX_ITEMS, "offset": offset, "f": "json"},
            timeout=60,
        ).json()["features"]
        features.extend(page)
        if len(page) < MAX_ITEMS:
            break
        offset += MAX_ITEMS
    served = pd.Series({f["id"]: f["properties"]["stage"] for f in features}, dtype=object)
    with Ledger.open(str(pg_server.site), read_only=True) as ledger:
        expected = ledger.stages(as_of=day)
    assert len(expected) > 100
    assert served.reindex(expected.index).to_dict() == expected.to_dict()


def test_unauthenticated_writes_are_refused_and_record_nothing(pg_server, sample_site):
    parcel = _ready_in(pg_server, sample_site, "云谷")[0]
    with Ledger.open(str(pg_server.site), read_only=True) as ledger:
        before = len(ledger)
    response = _post(pg_server, _supplied(parcel), None)
    assert response.status_code == 401
    with Ledger.open(str(pg_server.site), read_only=True) as ledger:
        assert len(ledger) == before
        assert ledger.stage(parcel) == "supply_ready"


def test_a_recorder_token_writes_an_event_as_its_actor(pg_server, sample_site):
    parcel = _ready_in(pg_server, sample_site, "云栖")[-1]
    response = _post(pg_server, _supplied(parcel), TOKENS["all"])
    assert response.status_code == 201, response.text
    event_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    with Ledger.open(str(pg_server.site), read_only=True) as ledger:
        event = ledger.event(event_id)
        assert ledger.stage(parcel) == "supplied"
    assert (event.parcel_id, event.stage, event.actor) == (parcel, "supplied", "investment-system")
    assert event.data["contract_id"] == f"C-{parcel}"


def test_a_db_role_records_in_its_zone_as_the_tokens_actor(pg_server, sample_site):
    parcel = _ready_in(pg_server, sample_site, "云谷")[0]
    response = _post(pg_server, _supplied(parcel), TOKENS["yungu"])
    assert response.status_code == 201, response.text
    with Ledger.open(str(pg_server.site), read_only=True) as ledger:
        assert ledger.stage(parcel) == "supplied"
        events = ledger.events(parcels=[parcel])
    assert events["actor"].iloc[-1] == "yungu-desk"


def test_the_database_refuses_a_db_role_outside_its_zone(pg_server, sample_site):
    parcel = _ready_in(pg_server, sample_site, "云栖")[0]
    with Ledger.open(str(pg_server.site), read_only=True) as ledger:
        before = len(ledger)
    response = _post(pg_server, _supplied(parcel), TOKENS["yungu"])
    assert response.status_code == 403, response.text
    description = response.json()["description"]
    # the database's words (row-level security), not the service's zone check
    assert "the database refused" in description
    assert "violates row-level security policy" in description
    assert "may record only in" not in description
    with Ledger.open(str(pg_server.site), read_only=True) as ledger:
        assert len(ledger) == before
        assert ledger.stage(parcel) == "supply_ready"


def test_the_match_process_answers_la_match_on_the_postgis_ledger(pg_server, sample_site):
    from landasset.projects import load_project, match

    response = httpx.post(
        f"{pg_server.url}/processes/match/execution",
        json={"inputs": {"project": "aerospace_plant", "as_of": "2025-12-31", "limit": 6}},
        timeout=300,
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    with Ledger.open(str(pg_server.site), read_only=True) as ledger:
        expected = match(
            load_project("aerospace_plant"),
            la.read_site(str(pg_server.site)),
            as_of="2025-12-31",
            stages=ledger,
            limit=6,
        )
    assert len(expected) > 1
    assert [c["candidate_id"] for c in answer["candidates"]] == list(expected.candidates.index)


def test_a_db_role_the_server_cannot_take_is_refused_saying_so(pg_server, sample_site):
    parcel = _ready_in(pg_server, sample_site, "云谷")[-1]
    response = _post(pg_server, _supplied(parcel), TOKENS["ghost"])
    assert response.status_code == 403, response.text
    assert "cannot act as role 'no_such_login'" in response.json()["description"]
    with Ledger.open(str(pg_server.site), read_only=True) as ledger:
        assert ledger.stage(parcel) == "supply_ready"
