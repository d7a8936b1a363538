"""The pipeline service on the embedded bus with a clock the test moves, and helpers to read its events."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shared.clock import FixedClock
from shared.db.plumbing import outbox
from shared.testing import auth_headers, eventually
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
        await relay_idle(service)


async def relay_idle(service: RunningService) -> None:
    """Let the relay publish what the test wrote before the service stops.

    shared's relay waits with asyncio.wait_for, which on Python 3.11 can swallow a cancel that lands just as
    a commit wakes it, so stopping the service right after a write could hang; waiting for an empty outbox
    first avoids that (reported to the lead).
    """
    async def unpublished() -> int:
        async with service.runtime.sessions() as session:
            query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            return int((await session.execute(query)).scalar_one())

    await eventually(unpublished, until=lambda n: n == 0)


async def published(backend: Backend, event_type: str | None = None) -> list[dict]:
    """The pipeline events on the bus so far, decoded, optionally of one type."""
    records = await backend.read_topic(backend.topic("coxswain.pipeline"))
    events = [json.loads(r.value) for r in records if r.value]
    return [e for e in events if event_type is None or e["type"] == event_type]


def deal_body(**overrides: object) -> dict:
    body: dict = {"name": "Acme renewal", "amount": "1000.00", "currency": "USD", "owner_id": "ana"}
    body.update(overrides)
    return body
