"""ASGI middleware: body size limit (413), request metrics and trace ids in logs."""
from __future__ import annotations

import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import problem_response
from shared.observability.logs import log_context
from shared.observability.metrics import ServiceMetrics
from shared.observability.tracing import current_trace_ids


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await problem_response(413, f"body larger than {self.max_bytes} bytes")(scope, receive, send)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await problem_response(413, f"body larger than {self.max_bytes} bytes")(scope, receive, send)


class _TooLarge(Exception):
    pass


class RequestTelemetry:
    """Counts and times requests by route template; puts the trace id in every log line of the request."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        trace_id = _trace_id(headers)
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
