"""Per-client rate limit (token bucket per bearer token or address): a 429 problem with Retry-After.

In-process: each replica limits on its own, which is enough to stop one client from starving the others."""
from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.http.problems import problem_response

UNLIMITED_PATHS = ("/healthz", "/readyz", "/metrics")


class RateLimit:
    def __init__(self, app: ASGIApp, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self.per_minute, self._clock = app, per_minute, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, updated at)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute <= 0 or scope["path"] in UNLIMITED_PATHS:
            return await self.app(scope, receive, send)
        wait = self._take(_client_of(scope))
        if wait > 0:
            headers = {"Retry-After": str(math.ceil(wait))}
            detail = f"more than {self.per_minute} requests a minute; retry after {math.ceil(wait)} s"
            return await problem_response(429, detail, headers=headers)(scope, receive, send)
        await self.app(scope, receive, send)

    def _take(self, client: str) -> float:
        """Take a token; returns 0 when granted, else the seconds until one is free."""
        now, rate = self._clock(), self.per_minute / 60.0
        tokens, updated = self._buckets.get(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - updated) * rate)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / rate
        self._buckets[client] = (tokens - 1, now)
        return 0.0


def _client_of(scope: Scope) -> str:
    authorization = dict(scope["headers"]).get(b"authorization")
    if authorization:
        return hashlib.sha256(authorization).hexdigest()
    client = scope.get("client")
    return client[0] if client else "unknown"
