"""Idempotency-Key on writes: the same key and body replays the first answer; another body is a 409."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.clock import Clock
from shared.db.plumbing import idempotency_keys
from shared.http.problems import problem_response

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class IdempotencyKeys:
    def __init__(self, app: ASGIApp, sessions: Callable[[], async_sessionmaker[AsyncSession]], clock: Clock) -> None:
        self.app, self._sessions, self._clock = app, sessions, clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        key = headers.get(b"idempotency-key", b"").decode()
        if scope["type"] != "http" or scope["method"] not in WRITES or not key:
            return await self.app(scope, receive, send)
        if len(key) > 200:
            return await problem_response(400, "Idempotency-Key is longer than 200 characters")(scope, receive, send)
        body = await _read_body(receive)
        principal = hashlib.sha256(headers.get(b"authorization", b"")).hexdigest()[:32]
        fingerprint = hashlib.sha256(scope["method"].encode() + scope["path"].encode() + b"\n" + body).hexdigest()
        ident = {"key": key, "principal": principal}
        if not await self._claim(ident, scope, fingerprint):
            return await self._replay(ident, fingerprint, scope, receive, send)
        captured = await self._run(scope, body, send)
        await self._settle(ident, captured)

    async def _claim(self, ident: dict[str, str], scope: Scope, fingerprint: str) -> bool:
        try:
            async with self._sessions()() as session, session.begin():
                await session.execute(idempotency_keys.insert().values(
                    **ident, method=scope["method"], path=scope["path"], body_sha256=fingerprint,
                    created_at=self._clock.now()))
            return True
        except IntegrityError:
            return False

    async def _replay(self, ident: dict[str, str], fingerprint: str, scope: Scope, receive: Receive,
                      send: Send) -> None:
        async with self._sessions()() as session:
            row = (await session.execute(select(idempotency_keys).filter_by(**ident))).one()
        if row.body_sha256 != fingerprint:
            detail = "this Idempotency-Key was used with a different request"
            return await problem_response(409, detail)(scope, receive, send)
        if row.status_code is None:
            busy = "a request with this Idempotency-Key is in progress"
            return await problem_response(409, busy)(scope, receive, send)
        headers = [(k.encode(), v.encode()) for k, v in row.response_headers or []]
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
                captured["headers"] = [(k.decode(), v.decode()) for k, v in message.get("headers", [])
                                       if k.lower() not in (b"content-length", b"x-trace-id")]
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        await self.app(scope, replay_body, capture)
        return captured

    async def _settle(self, ident: dict[str, str], captured: dict[str, Any]) -> None:
        async with self._sessions()() as session, session.begin():
            if int(captured["status"]) >= 500:
                # A server fault is not an answer worth replaying: let the client retry for real.
                await session.execute(delete(idempotency_keys).filter_by(**ident))
            else:
                await session.execute(update(idempotency_keys).filter_by(**ident).values(
                    status_code=captured["status"], response_body=captured["body"],
                    response_headers=captured["headers"]))


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)
