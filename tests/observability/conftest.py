"""The leads service on the embedded bus with a fixed clock, to watch its health and metrics."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.clock import FixedClock
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService, running_service

T0 = datetime(2026, 12, 2, 11, 40, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
async def leads(embedded_backend: EmbeddedBackend, clock: FixedClock) -> AsyncIterator[RunningService]:
    async with running_service("leads", database_url=await embedded_backend.database_url("leads"),
                               platform=embedded_backend.platform, embedded_bus=embedded_backend.embedded_bus,
                               clock=clock, sla_sweep_seconds=3600) as service:
        yield service


async def scrape(service: RunningService) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of /metrics by name and labels."""
    response = await service.client.get("/metrics")
    assert response.status_code == 200
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def sample(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]
