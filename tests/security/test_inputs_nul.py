"""A NUL character anywhere a client puts text (path, query, JSON body) is a 400 naming where, on SQLite and on
PostgreSQL (whose text cannot hold U+0000: the driver's error was a 500 on every service)."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from shared.clock import FixedClock
from shared.testing.backends import Backend
from shared.testing.harness import RunningService, running_service
from tests.pipeline.conftest import OPS, START, deal_body


@pytest.fixture
async def deals(backend: Backend) -> AsyncIterator[RunningService]:
    async with running_service("pipeline", database_url=await backend.database_url("pipeline"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus,
                               clock=FixedClock(START)) as service:
        yield service


async def test_a_nul_is_refused_wherever_text_enters(deals: RunningService) -> None:
    c = deals.client
    cases = {"query": c.get("/v1/deals?owner_id=ana%00", headers=OPS),
             "path": c.get("/v1/deals/d%00-1", headers=OPS),
             "body": c.post("/v1/deals", headers={**OPS, "content-type": "application/json"},
                            content=json.dumps(deal_body(name="Acme\u0000renewal")).encode())}
    for where, request in cases.items():
        response = await request
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == where, (where, response.text)
    assert (await c.get("/v1/deals", headers=OPS)).json()["items"] == []
    assert (await c.post("/v1/deals", headers=OPS, json=deal_body())).status_code == 201
