"""ASGI middleware: body size limit (413), request metrics and trace ids in logs."""
from __future__ import annotations

import re
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import problem_response
from shared.observability.logs import log_context
from shared.observability.metrics import ServiceMetrics
from shared.observability.tracing import current_trace_ids


class BodySizeLimit:
    """413 for a body over the limit, whether its length is declared or it arrives chunked.

    The count happens while the body streams in, so an oversized body is never held in memory whole. The
    signal is an HTTPException: FastAPI re-raises those from body parsing instead of calling them a 400."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_large = problem_response(413, f"body larger than {self.max_bytes} bytes")
        if _declared_length(scope) > self.max_bytes:
            return await too_large(scope, receive, send)
        seen, started = 0, False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await too_large(scope, receive, send)


class BodyTooLarge(HTTPException):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"body larger than {max_bytes} bytes")


def _declared_length(scope: Scope) -> int:
    """Content-Length as a number; absurd ones count as huge (int() of 5,000 digits raises), bad ones as 0 —
    the server refuses those, and the streamed count still holds."""
    declared = dict(scope["headers"]).get(b"content-length", b"").strip()
    if not declared.isdigit():
        return 0
    return int(declared) if len(declared) <= 18 else 10**18


class RequestTelemetry:
    """Counts and times requests by route template; puts the trace id in every log line of the request."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        trace_id = _trace_id(_well_formed(headers))
        status = {"code": 500}

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", []).append((b"x-trace-id", trace_id.encode()))
            await send(message)

        started = time.perf_counter()
        with log_context(trace_id=trace_id):
            try:
                await self.app(scope, receive, tagged)
            finally:
                template = _route_template(scope)
                method = scope["method"]
                self.metrics.http_requests.labels(method, template, str(status["code"])).inc()
                self.metrics.http_latency.labels(method, template).observe(time.perf_counter() - started)


def _route_template(scope: Scope) -> str:
    """The path with its parameters named (`/v1/deals/{deal_id}`), so labels stay few."""
    if scope.get("route") is None:
        return "unmatched"
    path: str = scope["path"]
    params: dict[str, Any] = scope.get("path_params") or {}
    for name, value in sorted(params.items(), key=lambda kv: -len(str(kv[1]))):
        if value not in (None, ""):
            path = path.replace(f"/{value}", f"/{{{name}}}", 1)
    return path


def _trace_id(headers: dict[bytes, bytes]) -> str:
    traced = current_trace_ids()  # the request's OpenTelemetry span: the id its logs and events carry
    if traced is not None:
        return traced[0]
    traceparent = headers.get(b"traceparent", b"").decode()
    if traceparent.count("-") == 3:
        return traceparent.split("-")[1]
    return headers.get(b"x-request-id", b"").decode() or uuid.uuid4().hex


_TRACE_HEADERS = {
    b"traceparent": re.compile(rb"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"),  # W3C trace context
    b"x-request-id": re.compile(rb"^[A-Za-z0-9._:-]{1,128}$"),
}


def _well_formed(headers: dict[bytes, bytes]) -> dict[bytes, bytes]:
    """The headers with a malformed traceparent or X-Request-Id left out: what a client sends there ends up in
    every log line and in a response header, so only well-formed ASCII is taken (else a fresh id is made)."""
    return {name: value for name, value in headers.items()
            if name not in _TRACE_HEADERS or _TRACE_HEADERS[name].match(value.strip())}
