"""Who may do what over HTTP: bearer tokens mapped to roles, and the caps on requests.

A token file (YAML) maps each token to a named principal with a ``role`` and, optionally,
the ``zones`` it may record events in::

    version: 1
    reads: open            # or "token": every request needs a valid token
    max_body_bytes: 65536  # larger request bodies are refused with 413
    tokens:
      - name: dashboard
        role: reader
        token: "a-long-random-string"
      - name: investment-system
        role: recorder
        zones: [双浦]
        sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

A token is given in clear (``token``) or as the hex SHA-256 of its text (``sha256``), so
the file need not hold the secret itself. The roles are those of the PostGIS ledger:
``reader`` reads; ``recorder`` also records lifecycle events (only for parcels in its
``zones``, when it has any); ``admin`` may do everything. On PostGIS each role is the
database role of the same name and ``zones`` the zones its row-level security lets it
write, so one file describes both.

When the site is in PostGIS, an entry may name a database login role (``db_role:
bo_yungu``, made by ``landasset db grant``): the server then records that token's events
through a connection switched to that role, so the database's privileges and row-level
security decide, and a refusal by the database is answered 403 with its message::

      - name: yungu-desk
        role: recorder
        db_role: bo_yungu
        token: "another-long-random-string"

:class:`AccessMiddleware` is the one hand-written HTTP piece of the service: an ASGI
middleware around pygeoapi that checks the token, refuses what the role may not do
(401 without a valid token, 403 with a role too weak, as JSON with a message), caps the
request body (413) and passes the principal on to the events collection, which records
it as the event's actor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from landasset._config import load_yaml, read_source
from landasset._errors import ProfileError

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "PRINCIPAL_KEY",
    "READS",
    "ROLES",
    "AccessMiddleware",
    "AccessPolicy",
    "Principal",
]

#: The roles, weakest first (those of the PostGIS ledger).
ROLES = ("reader", "recorder", "admin")

#: How reads are guarded: ``open`` to anyone, or ``token`` (any valid token).
READS = ("open", "token")

#: Request bodies larger than this are refused (413) unless the policy says otherwise.
DEFAULT_MAX_BODY_BYTES = 64 * 1024

#: The member the middleware adds to a GeoJSON body it lets through to a collection: the
#: principal's name, role and zones. A client's own member of that name is replaced.
PRINCIPAL_KEY = "landasset:principal"

_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Principal:
    """Who a token stands for: a ``name`` (recorded as the actor of the events it
    writes), a ``role`` (one of :data:`ROLES`), the ``zones`` it may write in
    (empty: every zone) and, on PostGIS, the database role its events are recorded
    as (``db_role``; None: the server's own login).

    Examples
    --------
    >>> Principal("investment-system", role="recorder", zones=("双浦",)).may("record")
    True
    >>> Principal("dashboard", role="reader").may("record")
    False
    """

    name: str
    _: KW_ONLY
    role: str
    zones: tuple[str, ...] = ()
    db_role: str | None = None

    def may(self, action: str) -> bool:
        """Whether the role allows ``action``: ``"read"``, ``"record"`` or ``"admin"``."""
        needed = {"read": "reader", "record": "recorder", "admin": "admin"}[action]
        return ROLES.index(self.role) >= ROLES.index(needed)

    def as_dict(self) -> dict[str, Any]:
        """The principal as plain JSON-ready data."""
        out: dict[str, Any] = {"name": self.name, "role": self.role, "zones": list(self.zones)}
        if self.db_role is not None:
            out["db_role"] = self.db_role
        return out


@dataclass(frozen=True, kw_only=True)
class AccessPolicy:
    """Tokens and caps of a server: read it from a token file with :meth:`from_yaml`.

    Parameters
    ----------
    tokens : mapping of str to Principal
        The hex SHA-256 of each token's text → its principal.
    reads : {"open", "token"}
        Reads open to anyone, or only with a valid token.
    max_body_bytes : int
        The largest request body accepted (413 above).

    Examples
    --------
    >>> policy = AccessPolicy.from_yaml(
    ...     "version: 1\\nreads: token\\ntokens:\\n"
    ...     "  - {name: desk, role: recorder, token: s3cret-token, zones: [双浦]}"
    ... )
    >>> policy.principal("s3cret-token")
    Principal(name='desk', role='recorder', zones=('双浦',), db_role=None)
    >>> policy.principal("guess") is None, policy.reads
    (True, 'token')
    """

    tokens: Mapping[str, Principal] = field(default_factory=dict)
    reads: str = "open"
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    def __post_init__(self) -> None:
        if self.reads not in READS:
            raise ProfileError(
                f"{self.reads!r} is not a read rule; use one of: {', '.join(map(repr, READS))}"
            )
        if not isinstance(self.max_body_bytes, int) or self.max_body_bytes < 1:
            raise ProfileError(
                f"max_body_bytes must be a whole number of bytes above 0, not {self.max_body_bytes!r}"
            )

    @classmethod
    def from_yaml(cls, source: str | os.PathLike[str]) -> AccessPolicy:
        """Read a token file (a path, or the YAML text itself; see the module's page).

        Raises
        ------
        ProfileError
            An unknown key or role, a token given twice, a token without ``token`` or
            ``sha256`` (or with both), a version other than 1.
        """
        text, origin = read_source(source, what="token file")
        raw = load_yaml(text, origin=origin)
        if not isinstance(raw, dict):
            raise ProfileError(f"{origin}: a token file is a mapping with a 'tokens' list")
        unknown = set(raw) - {"version", "reads", "max_body_bytes", "tokens"}
        if unknown:
            raise ProfileError(
                f"{origin}: unknown keys {sorted(unknown)}; a token file has version, "
                "reads, max_body_bytes and tokens"
            )
        if raw.get("version", 1) != 1:
            raise ProfileError(f"{origin}: version {raw['version']!r} is not known; write 1")
        entries = raw.get("tokens") or []
        if not isinstance(entries, list):
            raise ProfileError(f"{origin}: 'tokens' is a list of entries")
        tokens: dict[str, Principal] = {}
        for number, entry in enumerate(entries, start=1):
            digest, principal = _entry(entry, f"{origin}, token {number}")
            if digest in tokens:
                raise ProfileError(
                    f"{origin}, token {number}: the same token is given twice "
                    f"({tokens[digest].name!r} and {principal.name!r}); give each its own"
                )
            tokens[digest] = principal
        return cls(
            tokens=tokens,
            reads=str(raw.get("reads", "open")),
            max_body_bytes=raw.get("max_body_bytes", DEFAULT_MAX_BODY_BYTES),
        )

    def principal(self, token: str | None) -> Principal | None:
        """The principal of ``token``, or None for a missing or unknown token."""
        if not token:
            return None
        try:
            digest = _sha256(token)
        except UnicodeEncodeError:  # a lone surrogate: no token of a file holds one
            return None
        for known, principal in self.tokens.items():
            if hmac.compare_digest(known, digest):
                return principal
        return None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entry(entry: object, where: str) -> tuple[str, Principal]:
    if not isinstance(entry, dict):
        raise ProfileError(f"{where}: an entry is a mapping with name, role and token or sha256")
    unknown = set(entry) - {"name", "role", "zones", "db_role", "token", "sha256"}
    if unknown:
        raise ProfileError(
            f"{where}: unknown keys {sorted(unknown)}; an entry has name, role, zones, "
            "db_role and token or sha256"
        )
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProfileError(f"{where}: give the token a 'name' (it is recorded as the actor)")
    role = entry.get("role")
    if role not in ROLES:
        raise ProfileError(
            f"{where} ({name!r}): {role!r} is not a role; use one of: {', '.join(map(repr, ROLES))}"
        )
    zones = entry.get("zones") or []
    if not isinstance(zones, list) or not all(isinstance(z, str) for z in zones):
        raise ProfileError(f"{where} ({name!r}): 'zones' is a list of zone names")
    db_role = entry.get("db_role")
    if db_role is not None and (not isinstance(db_role, str) or not db_role.strip()):
        raise ProfileError(
            f"{where} ({name!r}): 'db_role' is the name of a database login role "
            "(made by `landasset db grant`)"
        )
    has_token, has_hash = "token" in entry, "sha256" in entry
    if has_token == has_hash:
        raise ProfileError(
            f"{where} ({name!r}): give exactly one of 'token' (the text) or 'sha256' "
            "(its hex SHA-256)"
        )
    if has_token:
        token = entry["token"]
        if not isinstance(token, str):
            raise ProfileError(
                f"{where} ({name!r}): the token reads as {type(token).__name__}, not text; "
                "write it in quotes"
            )
        if len(token) < 8:
            raise ProfileError(f"{where} ({name!r}): a token is 8 characters or more")
        if not token.isprintable():
            raise ProfileError(
                f"{where} ({name!r}): the token holds a character that is not printable "
                "(a control or a lone surrogate); use letters, digits and punctuation"
            )
        digest = _sha256(token)
    else:
        digest = str(entry["sha256"]).lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ProfileError(f"{where} ({name!r}): 'sha256' is 64 hexadecimal digits")
    return digest, Principal(
        name.strip(),
        role=str(role),
        zones=tuple(zones),
        db_role=None if db_role is None else db_role.strip(),
    )


# -- the middleware ----------------------------------------------------------------------


class AccessMiddleware:
    """ASGI middleware: tokens, roles and the body cap, in front of pygeoapi.

    A write — ``POST``, ``PUT``, ``PATCH`` or ``DELETE`` under ``/collections`` or
    ``/jobs`` — needs a ``recorder`` (or ``admin``) token in an ``Authorization: Bearer``
    header: without a valid token the answer is 401, with a ``reader`` token 403, each a
    JSON ``{"code", "description"}`` saying what to do. Executing a process
    (``POST /processes/{id}/execution``) changes nothing and counts as a read. Reads
    need a token only when the policy's ``reads`` is ``"token"``. Bodies larger than
    ``max_body_bytes`` are refused with 413 before they reach pygeoapi.

    A JSON object body that passes to a collection gets the caller's principal as the
    :data:`PRINCIPAL_KEY` member (any such member the client sent is replaced), so the
    events collection records who wrote.
    """

    def __init__(self, app: ASGIApp, policy: AccessPolicy, *, prefix: str = "") -> None:
        self.app = app
        self.policy = policy
        self.prefix = prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        if self.prefix and path.startswith(self.prefix):
            path = path[len(self.prefix) :]
        method = str(scope.get("method", "GET")).upper()
        write = method in _WRITE_METHODS and path.startswith(("/collections", "/jobs"))
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        principal = self.policy.principal(_bearer(headers.get("authorization", "")))
        given = "authorization" in headers
        if write and not self.policy.tokens:
            await _refuse(
                send,
                401,
                "Unauthorized",
                "this server takes no writes: it was started without a token file; "
                "start it with --tokens FILE (AccessPolicy.from_yaml) to let recorders write",
            )
            return
        if write and principal is None:
            await _refuse(send, 401, "Unauthorized", _unauthorized(given, "writing"))
            return
        if write and principal is not None and not principal.may("record"):
            await _refuse(
                send,
                403,
                "Forbidden",
                f"the token of {principal.name!r} has role {principal.role!r}, which only "
                "reads; writing needs a 'recorder' or 'admin' token",
            )
            return
        if not write and self.policy.reads == "token" and principal is None:
            await _refuse(send, 401, "Unauthorized", _unauthorized(given, "reading"))
            return
        declared = headers.get("content-length")
        cap = self.policy.max_body_bytes
        if declared is not None and declared.isdigit() and int(declared) > cap:
            await _refuse(send, 413, "PayloadTooLarge", _too_large(int(declared), cap))
            return
        if method not in _WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body.extend(message.get("body", b""))
            more = bool(message.get("more_body", False))
            if len(body) > cap:
                await _refuse(send, 413, "PayloadTooLarge", _too_large(len(body), cap))
                return
        data = bytes(body)
        if path.startswith("/collections") and principal is not None:
            data = _with_principal(data, principal)
        await self.app(_with_length(scope, len(data)), _replay(data, receive), send)


def _bearer(value: str) -> str | None:
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _unauthorized(given: bool, what: str) -> str:
    if given:
        return (
            f"the bearer token is not valid for this server; {what} needs a token from the "
            "server's token file, sent as 'Authorization: Bearer <token>'"
        )
    return f"{what} needs a token: send 'Authorization: Bearer <token>' with a token of the server's token file"


def _too_large(size: int, cap: int) -> str:
    return (
        f"the request body holds {size} bytes, more than this server's cap of {cap}; "
        "send less (one event per request), or raise max_body_bytes in the token file"
    )


async def _refuse(send: Send, status: int, code: str, description: str) -> None:
    body = json.dumps({"code": code, "description": description}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="landasset"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _with_principal(data: bytes, principal: Principal) -> bytes:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        return data  # not JSON: pygeoapi answers it with its own message
    if not isinstance(document, dict):
        return data
    document[PRINCIPAL_KEY] = principal.as_dict()
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _with_length(scope: Scope, length: int) -> Scope:
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
    headers.append((b"content-length", str(length).encode()))
    return {**scope, "headers": headers}


def _replay(data: bytes, receive: Receive) -> Receive:
    """The body read already, then the client's own messages (its disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": data, "more_body": False}

    return replay
