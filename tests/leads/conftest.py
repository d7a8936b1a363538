"""The leads service on the embedded bus with a fixed clock (fast API tests), and helpers to read its events."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shared.clock import FixedClock
from shared.db.plumbing import processed_events
from shared.testing import auth_headers
from shared.testing.backends import Backend, EmbeddedBackend
from shared.testing.harness import RunningService, running_service

OPS = auth_headers("ops")
ADMIN = auth_headers("admin")
INTEGRATION = auth_headers("integration")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
async def leads(embedded_backend: EmbeddedBackend, clock: FixedClock) -> AsyncIterator[RunningService]:
    """Leads with its relay and consumer running but the SLA sweeper idle (tests sweep by hand)."""
    async with running_service("leads", database_url=await embedded_backend.database_url("leads"),
                               platform=embedded_backend.platform, embedded_bus=embedded_backend.embedded_bus,
                               clock=clock, sla_sweep_seconds=3600) as service:
        yield service


async def published(backend: Backend, event_type: str | None = None) -> list[dict]:
    """The leads events on the bus so far, decoded, optionally of one type."""
    records = await backend.read_topic(backend.topic("coxswain.leads"))
    events = [json.loads(r.value) for r in records if r.value]
    return [e for e in events if event_type is None or e["type"] == event_type]


async def create(client, **fields) -> dict:  # type: ignore[no-untyped-def]
    response = await client.post("/v1/leads", headers=OPS, json=fields)
    assert response.status_code in (200, 201), response.text
    return response.json()["lead"]


async def processed(service: RunningService) -> int:
    """How many consumed events the service has handled (its inbox)."""
    async with service.runtime.uow() as uow:
        return int((await uow.session.execute(select(func.count()).select_from(processed_events))).scalar_one())
