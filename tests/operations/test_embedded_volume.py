"""Five thousand events across busy and quiet topics on the embedded bus, through the real services: every
consumer drains every topic it reads (stall 2 of issue 10), nothing is lost and nothing is applied twice."""
from __future__ import annotations

import json
from contextlib import AsyncExitStack

import pytest

from shared.testing import auth_headers, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService, running_service

pytestmark = pytest.mark.embedded
OPS = auth_headers("ops")
LEADS = 1700  # each makes lead.created, lead.routed and lead.assigned: 5,100 events on two busy topics


async def _organise(territory: RunningService) -> None:
    rep = {"id": "ana", "name": "Ana", "email": "ana@corp.example", "capacity": 100_000}
    assert (await territory.client.post("/v1/reps", headers=OPS, json=rep)).status_code == 201
    dach = {"id": "dach", "name": "DACH", "rep_ids": ["ana"],
            "rules": [{"conditions": [{"field": "country", "op": "in", "value": ["DE"]}]}]}
    assert (await territory.client.post("/v1/territories", headers=OPS, json=dach)).status_code == 201


async def _events(backend: EmbeddedBackend, topic: str, event_type: str) -> list[dict]:
    records = await backend.read_topic(backend.topic(topic))
    return [e for e in (json.loads(r.value) for r in records if r.value) if e["type"] == event_type]


async def test_a_deal_after_thousands_of_lead_events_still_reaches_forecast(
        embedded_backend: EmbeddedBackend) -> None:
    backend = embedded_backend
    async with AsyncExitStack() as stack:
        run = {}
        for name in ("territory", "leads", "pipeline", "forecast"):
            run[name] = await stack.enter_async_context(running_service(
                name, database_url=await backend.database_url(name), platform=backend.platform,
                embedded_bus=backend.embedded_bus, **({"sla_sweep_seconds": 3600} if name == "leads" else {})))
        await _organise(run["territory"])
        sheet = "email,name,country\r\n" + "".join(f"lead{i}@prospect.example,Lead {i},DE\r\n" for i in range(LEADS))
        imported = await run["leads"].client.post("/v1/leads/import", headers=OPS, content=sheet.encode(),
                                                   timeout=600)
        assert imported.json()["created"] == LEADS, imported.text

        assigned = await eventually(lambda: _events(backend, "coxswain.leads", "coxswain.lead.assigned.v1"),
                                    until=lambda es: len(es) >= LEADS, timeout=180)
        # Forecast reads the busy territory topic (1,700 lead.routed it ignores) and the quiet pipeline one.
        created = await run["pipeline"].client.post("/v1/deals", headers=OPS, json={
            "name": "Acme renewal", "amount": "80000.00", "currency": "USD", "owner_id": "ana"})
        assert created.status_code == 201, created.text
        closed = await run["pipeline"].client.post(f"/v1/deals/{created.json()['id']}/close", headers=OPS,
                                                   json={"outcome": "won"})
        assert closed.status_code == 200, closed.text
        at = closed.json()["closed_at"]
        quarter = f"{at[:4]}-Q{(int(at[5:7]) - 1) // 3 + 1}"

        async def forecast_rows() -> list[dict]:
            r = await run["forecast"].client.get("/v1/forecasts", params={"period": quarter}, headers=OPS)
            return list(r.json()["items"])

        rows = await eventually(forecast_rows, until=lambda items: any(r["closed_won"] != "0.00" for r in items),
                                timeout=120)
        assert [(r["group"], r["currency"], r["closed_won"]) for r in rows] == [("ana", "USD", "80000.00")]

        for service in run.values():  # every group has consumed every topic it reads to the end
            await eventually(service.runtime.consumer.lag, until=lambda n: n == 0, timeout=120)
        routed = await _events(backend, "coxswain.territory", "coxswain.lead.routed.v1")
        assigned = await _events(backend, "coxswain.leads", "coxswain.lead.assigned.v1")
        # One routing and one assignment per lead: 1,700 each, none lost, none doubled.
        assert len(routed) == len({e["subject"] for e in routed}) == LEADS
        assert len(assigned) == len({e["subject"] for e in assigned}) == LEADS
        assert await backend.embedded_bus.count() >= 3 * LEADS + 2  # + the rep and the territory
