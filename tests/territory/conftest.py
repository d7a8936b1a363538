"""The territory service running on the embedded bus (fast API tests) and helpers to read its events."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from shared.testing import auth_headers
from shared.testing.backends import Backend, EmbeddedBackend
from shared.testing.harness import RunningService, running_service

OPS = auth_headers("ops")
ADMIN = auth_headers("admin")
MANAGER = auth_headers("manager", team_ids=["emea"])
REP = auth_headers("rep", rep_id="ana")


@pytest.fixture
async def territory(embedded_backend: EmbeddedBackend) -> AsyncIterator[RunningService]:
    async with running_service("territory", database_url=await embedded_backend.database_url("territory"),
                               platform=embedded_backend.platform,
                               embedded_bus=embedded_backend.embedded_bus) as service:
        yield service


async def published(backend: Backend, event_type: str | None = None) -> list[dict]:
    """The territory events on the bus so far, decoded, optionally of one type."""
    records = await backend.read_topic(backend.topic("coxswain.territory"))
    events = [json.loads(r.value) for r in records if r.value]
    return [e for e in events if event_type is None or e["type"] == event_type]
