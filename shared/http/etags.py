"""A weak ETag on every JSON read of the API that has none of its own, and If-None-Match → 304 for all of them.

Records with a version (deals, pipelines) answer a strong ETag from it (shared/http/preconditions.py); every
other `GET /v1/...` JSON answer (a lead, a territory, a rep, a plan, a statement, a page) gets `W/"<hash of
the body>"`, so a client can revalidate any read. The body is built anyway; what a match saves is sending it.
Non-JSON answers (CSV statements, /metrics) stream through untouched.
"""
from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.preconditions import not_modified

_API_PREFIX = "/v1/"


class BodyEtags:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(_API_PREFIX):
            return await self.app(scope, receive, send)
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] == 200 and _is_json(message):
                    start = message
                    return
                return await send(message)
            if start is None or message["type"] != "http.response.body":
                return await send(message)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await _finish(start, b"".join(chunks), if_none_match, send)

        await self.app(scope, receive, buffered)


def _is_json(start: Message) -> bool:
    content_type = Headers(raw=start["headers"]).get("content-type", "")
    return content_type.split(";")[0].strip().endswith("json")


async def _finish(start: Message, body: bytes, if_none_match: str | None, send: Send) -> None:
    headers = MutableHeaders(raw=list(start["headers"]))
    etag = headers.get("etag") or f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers["ETag"] = etag
    if not_modified(if_none_match, etag):
        kept = [(k, v) for k, v in headers.raw if k.lower() not in (b"content-length", b"content-type")]
        await send({"type": "http.response.start", "status": 304, "headers": kept})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({**start, "headers": headers.raw})
    await send({"type": "http.response.body", "body": body})
