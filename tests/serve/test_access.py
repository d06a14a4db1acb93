"""Tokens, roles and caps: the token file and the ASGI middleware, in this process."""

from __future__ import annotations

import hashlib
import json

import pytest

from landasset import ProfileError
from landasset.serve.access import (
    PRINCIPAL_KEY,
    AccessMiddleware,
    AccessPolicy,
    Principal,
)

testclient = pytest.importorskip("starlette.testclient")

POLICY_TEXT = """\
version: 1
reads: {reads}
max_body_bytes: 100
tokens:
  - {{name: desk, role: recorder, token: recorder-secret}}
  - {{name: boss, role: admin, sha256: {admin_hash}}}
  - {{name: viewer, role: reader, token: reader-secret}}
"""


def policy(reads: str = "open") -> AccessPolicy:
    admin_hash = hashlib.sha256(b"admin-secret").hexdigest()
    return AccessPolicy.from_yaml(POLICY_TEXT.format(reads=reads, admin_hash=admin_hash))


async def echo(scope, receive, send):
    """An app that answers 200 with the method, path and body it received."""
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    payload = json.dumps(
        {
            "method": scope["method"],
            "path": scope["path"],
            "body": body.decode("utf-8", "replace"),
            "hex": body.hex(),
        }
    ).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": payload})


def client(reads: str = "open") -> testclient.TestClient:
    return testclient.TestClient(AccessMiddleware(echo, policy(reads)))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- the token file ------------------------------------------------------------------------


def test_tokens_map_to_principals_by_their_text_or_hash():
    read = policy()
    assert read.principal("recorder-secret") == Principal("desk", role="recorder")
    assert read.principal("admin-secret") == Principal("boss", role="admin")
    assert read.principal("reader-secret").may("read")
    assert read.principal("wrong") is None and read.principal(None) is None
    assert read.max_body_bytes == 100


def test_a_db_role_is_read_and_passed_on_with_the_principal():
    read = AccessPolicy.from_yaml(
        "tokens:\n  - {name: yungu-desk, role: recorder, db_role: bo_yungu, token: abcdefgh}"
    )
    principal = read.principal("abcdefgh")
    assert principal == Principal("yungu-desk", role="recorder", db_role="bo_yungu")
    assert principal.as_dict() == {
        "name": "yungu-desk",
        "role": "recorder",
        "zones": [],
        "db_role": "bo_yungu",
    }


def test_roles_are_ordered_reader_recorder_admin():
    allowed = {
        role: [a for a in ("read", "record", "admin") if Principal("x", role=role).may(a)]
        for role in ("reader", "recorder", "admin")
    }
    assert allowed == {
        "reader": ["read"],
        "recorder": ["read", "record"],
        "admin": ["read", "record", "admin"],
    }


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("tokens:\n  - {name: a, role: owner, token: abcdefgh}", "'owner' is not a role"),
        ("tokens:\n  - {name: a, role: reader}", "exactly one of 'token'"),
        ("tokens:\n  - {name: a, role: reader, token: x, sha256: ab}", "exactly one of"),
        ("tokens:\n  - {name: a, role: reader, token: short}", "8 characters"),
        ("tokens:\n  - {name: a, role: reader, token: 12345678}", "reads as int, not text"),
        ("tokens:\n  - {name: a, role: reader, sha256: xyz}", "64 hexadecimal"),
        ("tokens:\n  - {role: reader, token: abcdefgh}", "'name'"),
        (
            "tokens:\n  - {name: a, role: reader, token: abcdefgh}\n"
            "  - {name: b, role: admin, token: abcdefgh}",
            "given twice",
        ),
        ("reads: sometimes", "'sometimes' is not a read rule"),
        ("max_body_bytes: 0", "max_body_bytes"),
        ("version: 2", "version 2"),
        ("token: abc", "unknown keys ['token']"),
        ("tokens:\n  - {name: a, role: reader, token: abcdefgh, zone: x}", "unknown keys"),
        ("tokens:\n  - {name: a, role: recorder, token: abcdefgh, db_role: 7}", "'db_role'"),
        ("tokens:\n  - {name: a, role: recorder, token: abcdefgh, db_role: ''}", "'db_role'"),
    ],
)
def test_a_bad_token_file_is_refused_saying_what_to_fix(text, says):
    with pytest.raises(ProfileError) as caught:
        AccessPolicy.from_yaml(text)
    assert says in str(caught.value)


# -- the middleware ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status", "says"),
    [
        ({}, 401, "writing needs a token"),
        (bearer("guess"), 401, "not valid"),
        ({"Authorization": "Basic cmVjb3JkZXItc2VjcmV0"}, 401, "not valid"),
        (bearer("reader-secret"), 403, "role 'reader'"),
    ],
)
def test_writes_without_a_recorder_token_are_refused_as_json(headers, status, says):
    response = client().post("/collections/events/items", json={"x": 1}, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert says in response.json()["description"]


@pytest.mark.parametrize("method", ["put", "delete"])
def test_every_write_method_needs_a_token(method):
    response = getattr(client(), method)("/collections/events/items/7")
    assert response.status_code == 401


def test_a_recorder_or_admin_writes_and_its_principal_replaces_the_clients():
    body = {"type": "Feature", "properties": {}, PRINCIPAL_KEY: {"name": "me", "role": "admin"}}
    for token, name, role in (
        ("recorder-secret", "desk", "recorder"),
        ("admin-secret", "boss", "admin"),
    ):
        response = client().post("/collections/events/items", json=body, headers=bearer(token))
        assert response.status_code == 200
        passed = json.loads(response.json()["body"])
        assert passed[PRINCIPAL_KEY] == {"name": name, "role": role, "zones": []}


def test_reads_and_process_executions_are_open_by_default():
    c = client()
    assert c.get("/collections/parcels/items").status_code == 200
    executed = c.post("/processes/score/execution", json={"inputs": {}})
    assert executed.status_code == 200
    assert PRINCIPAL_KEY not in executed.json()["body"]


def test_token_only_reads_need_any_valid_token():
    c = client("token")
    refused = c.get("/collections/parcels/items")
    assert refused.status_code == 401 and "reading needs a token" in refused.json()["description"]
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert c.get("/collections/parcels/items", headers=bearer("guess")).status_code == 401
    assert c.get("/", headers=bearer("reader-secret")).status_code == 200


def test_a_body_over_the_cap_is_refused_by_its_declared_length():
    response = client().post(
        "/collections/events/items", content=b"x" * 101, headers=bearer("recorder-secret")
    )
    assert response.status_code == 413
    assert "101 bytes" in response.json()["description"]
    assert client().post("/processes/score/execution", content=b"x" * 101).status_code == 413


def test_a_streamed_body_over_the_cap_is_refused_as_it_arrives():
    def chunks():
        for _ in range(5):
            yield b"x" * 30

    response = client().post(
        "/collections/events/items", content=chunks(), headers=bearer("recorder-secret")
    )
    assert response.status_code == 413
    assert "cap of 100" in response.json()["description"]


def test_a_body_at_the_cap_passes_unchanged_when_it_is_not_json():
    response = client().post(
        "/collections/events/items", content=b"y" * 100, headers=bearer("recorder-secret")
    )
    assert response.status_code == 200
    assert response.json()["body"] == "y" * 100


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=200))
def test_a_body_passes_unchanged_exactly_when_it_fits_the_cap(body):
    response = client().post(
        "/collections/events/items", content=body, headers=bearer("recorder-secret")
    )
    if len(body) > 100:
        assert response.status_code == 413
        return
    assert response.status_code == 200
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if isinstance(document, dict):  # a JSON object gains the principal, nothing else
        passed = json.loads(response.json()["body"])
        assert passed.pop(PRINCIPAL_KEY)["name"] == "desk"
        assert passed == {k: v for k, v in document.items() if k != PRINCIPAL_KEY}
    else:
        assert bytes.fromhex(response.json()["hex"]) == body


@settings(max_examples=40, deadline=None)
@given(
    token=st.text(
        st.characters(whitelist_categories=("L", "N", "P", "S")), min_size=8, max_size=40
    ).filter(lambda t: t.strip() == t)
)
def test_a_token_given_in_clear_or_by_its_hash_stands_for_the_same_principal(token):
    clear = AccessPolicy.from_yaml(
        "tokens:\n  - name: a\n    role: reader\n    token: "
        + json.dumps(token, ensure_ascii=False)
    )
    hashed = AccessPolicy.from_yaml(
        "tokens:\n  - name: a\n    role: reader\n    sha256: "
        + hashlib.sha256(token.encode()).hexdigest()
    )
    assert clear.principal(token) == hashed.principal(token) == Principal("a", role="reader")
    assert clear.principal(token + "x") is None


def test_without_tokens_every_write_is_refused_saying_how_to_allow_them():
    bare = testclient.TestClient(AccessMiddleware(echo, AccessPolicy()))
    response = bare.post("/collections/events/items", json={}, headers=bearer("anything-at-all"))
    assert response.status_code == 401
    assert "--tokens" in response.json()["description"]
    assert bare.get("/collections/events/items").status_code == 200
