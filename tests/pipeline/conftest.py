"""The pipeline service on the embedded bus with a clock the test moves, and helpers to read its events."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from shared.clock import FixedClock
from shared.testing import auth_headers
from shared.testing.backends import Backend, EmbeddedBackend
from shared.testing.harness import RunningService, running_service

OPS = auth_headers("ops")
ADMIN = auth_headers("admin")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def pipeline(embedded_backend: EmbeddedBackend, clock: FixedClock) -> AsyncIterator[RunningService]:
    async with running_service("pipeline", database_url=await embedded_backend.database_url("pipeline"),
                               platform=embedded_backend.platform, embedded_bus=embedded_backend.embedded_bus,
                               clock=clock) as service:
        yield service


async def published(backend: Backend, event_type: str | None = None) -> list[dict]:
    """The pipeline events on the bus so far, decoded, optionally of one type."""
    records = await backend.read_topic(backend.topic("coxswain.pipeline"))
    events = [json.loads(r.value) for r in records if r.value]
    return [e for e in events if event_type is None or e["type"] == event_type]


def deal_body(**overrides: object) -> dict:
    body: dict = {"name": "Acme renewal", "amount": "1000.00", "currency": "USD", "owner_id": "ana"}
    body.update(overrides)
    return body
