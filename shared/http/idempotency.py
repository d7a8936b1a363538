"""Idempotency-Key on writes, as the IETF draft (draft-ietf-httpapi-idempotency-key-header) and Stripe use it.

- A key belongs to the verified principal (`sub`), not to the token string: a retry after a token refresh
  replays the first answer. Requests without a valid token are never stored (they answer 401 or are anonymous,
  like signed webhooks, which deduplicate on their own event ids).
- Only completed successes (2xx) are stored: a 4xx changed nothing and a 5xx is not an answer worth replaying,
  so the key is released and the corrected (or simply repeated) request runs for real.
- The same key with another method, path or body is a 409 (CONTRACT.md; the draft suggests 422).
- While the first request runs, a duplicate is a 409. A claim older than the lock timeout whose request never
  finished (its process died) is taken over by the next retry, so a key is never stuck.
- Keys expire after the retention window (24 h by default): the same key afterwards is a new request.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Row, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.clock import Clock
from shared.db.plumbing import idempotency_keys
from shared.errors import FieldError
from shared.http.auth import verified_principal
from shared.http.problems import problem_response
from shared.settings import PlatformSettings

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
_PRUNE_EVERY = timedelta(hours=1)


class IdempotencyKeys:
    def __init__(self, app: ASGIApp, sessions: Callable[[], async_sessionmaker[AsyncSession]], clock: Clock,
                 platform: PlatformSettings) -> None:
        self.app, self._sessions, self._clock, self._platform = app, sessions, clock, platform
        self._retention = timedelta(seconds=platform.idempotency_retention_seconds)
        self._lock = timedelta(seconds=platform.idempotency_lock_seconds)
        self._next_prune: datetime | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_key = dict(scope.get("headers", [])).get(b"idempotency-key") if scope["type"] == "http" else None
        if raw_key is None or scope["method"] not in WRITES or not _routed(scope):
            return await self.app(scope, receive, send)
        key = _parse_key(raw_key)
        if key is None:
            detail = f"{HEADER} must be 1-{MAX_KEY_LENGTH} printable ASCII characters"
            return await problem_response(400, detail, [FieldError(HEADER, detail)])(scope, receive, send)
        principal = verified_principal(scope, self._platform)
        if principal is None:  # the route answers 401 (or serves an anonymous caller): nothing to remember
            return await self.app(scope, receive, send)
        body = await _read_body(receive)
        ident = {"key": key, "principal": principal.sub}
        fingerprint = _fingerprint(scope, body)
        await self._prune()
        if not await self._claim(ident, scope, fingerprint):
            return await self._answer_claimed(ident, fingerprint, scope, receive, send)
        try:
            captured = await self._run(scope, body, send)
        except Exception:
            await self._release(ident)
            raise
        await self._settle(ident, captured)

    async def _claim(self, ident: dict[str, str], scope: Scope, fingerprint: str) -> bool:
        """Take the key: a fresh one, an expired one, or one whose request was abandoned past the lock."""
        now = self._clock.now()
        claim = {"method": scope["method"], "path": _path(scope), "body_sha256": fingerprint, "created_at": now,
                 "status_code": None, "response_body": None, "response_headers": None}
        try:
            async with self._sessions()() as session, session.begin():
                await session.execute(idempotency_keys.insert().values(**ident, **claim))
            return True
        except IntegrityError:
            pass
        async with self._sessions()() as session, session.begin():
            row = (await session.execute(select(idempotency_keys).filter_by(**ident))).one_or_none()
            if row is None or not self._free(row, now):
                return False
            # Compare-and-set on the old claim time: of two retries racing for an abandoned key, one wins.
            taken = await session.execute(update(idempotency_keys).filter_by(**ident, created_at=row.created_at)
                                          .values(**claim))
            return bool(cast(CursorResult[Any], taken).rowcount)

    def _free(self, row: Row[Any], now: datetime) -> bool:
        if row.status_code is None:
            return bool(row.created_at <= now - self._lock)
        return bool(row.created_at <= now - self._retention)

    async def _answer_claimed(self, ident: dict[str, str], fingerprint: str, scope: Scope, receive: Receive,
                              send: Send) -> None:
        async with self._sessions()() as session:
            row = (await session.execute(select(idempotency_keys).filter_by(**ident))).one_or_none()
        if row is not None and row.body_sha256 != fingerprint:
            detail = f"this {HEADER} was used with a different request"
            return await problem_response(409, detail)(scope, receive, send)
        if row is None or row.status_code is None:
            busy = f"a request with this {HEADER} is in progress; retry when it has finished"
            return await problem_response(409, busy, headers={"Retry-After": "1"})(scope, receive, send)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in row.response_headers or []]
        await send({"type": "http.response.start", "status": row.status_code,
                    "headers": headers + [(b"idempotent-replayed", b"true")]})
        await send({"type": "http.response.body", "body": row.response_body or b""})

    async def _run(self, scope: Scope, body: bytes, send: Send) -> dict[str, Any]:
        captured: dict[str, Any] = {"status": 500, "headers": [], "body": b""}
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = [(k.decode("latin-1"), v.decode("latin-1"))
                                       for k, v in message.get("headers", [])
                                       if k.lower() not in (b"content-length", b"x-trace-id")]
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        await self.app(scope, replay_body, capture)
        return captured

    async def _settle(self, ident: dict[str, str], captured: dict[str, Any]) -> None:
        if not 200 <= int(captured["status"]) < 300:
            # A refusal changed nothing and a server fault is no answer: the key is free for a real retry.
            return await self._release(ident)
        async with self._sessions()() as session, session.begin():
            await session.execute(update(idempotency_keys).filter_by(**ident).values(
                status_code=captured["status"], response_body=captured["body"],
                response_headers=captured["headers"]))

    async def _release(self, ident: dict[str, str]) -> None:
        async with self._sessions()() as session, session.begin():
            await session.execute(delete(idempotency_keys).filter_by(**ident))

    async def _prune(self) -> None:
        """Drop expired keys now and then (at most hourly per process), so the table stays bounded."""
        now = self._clock.now()
        if self._next_prune is not None and now < self._next_prune:
            return
        self._next_prune = now + _PRUNE_EVERY
        async with self._sessions()() as session, session.begin():
            await session.execute(delete(idempotency_keys).where(
                idempotency_keys.c.created_at < now - max(self._retention, self._lock)))


def _routed(scope: Scope) -> bool:
    """Whether a route serves this method on this path. A request none serves is a 404 or 405, never stored:
    its key is not compared with the request that first used it (that would turn the 405 into a 409)."""
    app = scope.get("app")
    router = getattr(app, "router", None)
    if router is None:  # not under a Starlette app: keep the key
        return True
    return any(route.matches(scope)[0] == Match.FULL for route in router.routes)


def _parse_key(raw: bytes) -> str | None:
    """The key as sent, or as the draft's quoted sf-string; None unless 1-200 printable ASCII characters."""
    if len(raw) >= 2 and raw[:1] == raw[-1:] == b'"':
        raw = raw[1:-1]
    if not 1 <= len(raw) <= MAX_KEY_LENGTH or any(not 0x20 <= b <= 0x7E for b in raw):
        return None
    return raw.decode("ascii")


def _path(scope: Scope) -> str:
    """The path as sent (percent-encoded, so ASCII: a NUL in a path cannot break the database)."""
    raw = scope.get("raw_path") or scope["path"].encode()
    return bytes(raw).decode("latin-1")


def _fingerprint(scope: Scope, body: bytes) -> str:
    parts = (scope["method"].encode(), _path(scope).encode("latin-1"), scope.get("query_string", b""), body)
    return hashlib.sha256(b"\n".join(parts)).hexdigest()


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)
