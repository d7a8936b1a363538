"""A partner's webhook endpoint on a real socket: it verifies each request with the `standardwebhooks` library
and answers what the test scripts (failures first, then success)."""
from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PORTS = range(18950, 19000)  # this branch's share of the machine's ports


@dataclass
class Receipt:
    webhook_id: str
    event: dict[str, Any]


@dataclass
class Receiver:
    port: int
    secret: str | None = None
    fail_next: int = 0  # answer 503 to this many requests before succeeding
    always_fail: bool = False
    requests: int = 0
    refused_signatures: int = 0
    received: list[Receipt] = field(default_factory=list)  # verified and answered 2xx

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/coxswain"

    def ids(self) -> list[str]:
        return [r.webhook_id for r in self.received]

    async def endpoint(self, request: Request) -> Response:
        self.requests += 1
        body = await request.body()
        try:
            event = Webhook(self.secret or "").verify(body, dict(request.headers))
        except WebhookVerificationError:
            self.refused_signatures += 1
            return Response("bad signature", status_code=400)
        if self.always_fail or self.fail_next > 0:
            self.fail_next = max(self.fail_next - 1, 0)
            return Response("partner down", status_code=503)
        self.received.append(Receipt(request.headers["webhook-id"], event))
        return Response(status_code=204)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe, contextlib.suppress(OSError):
            probe.bind(("127.0.0.1", port))
            return port
    raise RuntimeError("no free port in 18950-18999")


@contextlib.asynccontextmanager
async def running_receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver(port=_free_port())
    app = Starlette(routes=[Route("/hooks/coxswain", receiver.endpoint, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=receiver.port, log_level="warning",
                                           lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # the port was taken between the probe and the bind: say so
            await asyncio.sleep(0.01)
        yield receiver
    finally:
        server.should_exit = True
        await task
