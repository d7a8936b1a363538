"""Per-client rate limit (a token bucket per client): a 429 problem with Retry-After.

The client is the verified principal (`sub` of a valid token), so respelling the header (`bearer`, two spaces)
or refreshing the token changes nothing; a request that fails authentication or carries no token is counted
against its address, so rotating garbage tokens is limited too. In-process: each replica limits on its own,
which is enough to stop one client from starving the others."""
from __future__ import annotations

import math
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.http.auth import verified_principal
from shared.http.problems import problem_response
from shared.settings import PlatformSettings

UNLIMITED_PATHS = ("/healthz", "/readyz", "/metrics")
# Buckets of clients idle long enough to be full again are dropped once there are this many.
_PRUNE_AT = 10_000


class RateLimit:
    def __init__(self, app: ASGIApp, platform: PlatformSettings,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self.platform, self.per_minute, self._clock = app, platform, platform.rate_limit_per_minute, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, updated at)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute <= 0 or scope["path"] in UNLIMITED_PATHS:
            return await self.app(scope, receive, send)
        wait = self._take(client_of(scope, self.platform))
        if wait > 0:
            headers = {"Retry-After": str(math.ceil(wait))}
            detail = f"more than {self.per_minute} requests a minute; retry after {math.ceil(wait)} s"
            return await problem_response(429, detail, headers=headers)(scope, receive, send)
        await self.app(scope, receive, send)

    def _take(self, client: str) -> float:
        """Take a token; returns 0 when granted, else the seconds until one is free."""
        now, rate = self._clock(), self.per_minute / 60.0
        if len(self._buckets) >= _PRUNE_AT:
            self._prune(now)
        tokens, updated = self._buckets.get(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - updated) * rate)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / rate
        self._buckets[client] = (tokens - 1, now)
        return 0.0

    def _prune(self, now: float) -> None:
        """Forget clients whose bucket has refilled (a minute idle): a flood of addresses cannot grow memory."""
        self._buckets = {c: b for c, b in self._buckets.items() if now - b[1] < 60.0}


def client_of(scope: Scope, platform: PlatformSettings) -> str:
    principal = verified_principal(scope, platform)
    if principal is not None:
        return f"sub:{principal.sub}"
    client = scope.get("client")
    return f"address:{client[0] if client else 'unknown'}"
