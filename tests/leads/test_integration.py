"""The leads path on both buses (embedded + SQLite, Kafka + PostgreSQL): capture → lead.created; territory
routes it → assigned + lead.assigned; SLA breached → territory re-routes it; converted → lead.converted → a deal in
pipeline; CSV and webhooks."""
from __future__ import annotations

import json
from contextlib import AsyncExitStack

from services.leads.workers import sweep_once
from shared.clock import FixedClock
from shared.events import catalog as ev
from shared.http.webhooks import sign
from shared.testing import build_event, eventually
from shared.testing.backends import Backend
from shared.testing.harness import running_service
from tests.leads.conftest import OPS, T0, processed, published


async def _organise(territory) -> None:  # type: ignore[no-untyped-def]
    for rep_id in ("ana", "bo"):
        body = {"id": rep_id, "name": rep_id, "email": f"{rep_id}@corp.example", "capacity": 5}
        assert (await territory.client.post("/v1/reps", headers=OPS, json=body)).status_code == 201
    emea = {"id": "emea", "name": "EMEA", "rep_ids": ["ana", "bo"],
            "rules": [{"conditions": [{"field": "country", "op": "in", "value": ["DE", "FR"]}]}]}
    assert (await territory.client.post("/v1/territories", headers=OPS, json=emea)).status_code == 201


async def test_captured_lead_is_routed_breached_rerouted_and_converted(backend: Backend) -> None:
    clock = FixedClock(T0)
    async with AsyncExitStack() as stack:
        leads = await stack.enter_async_context(running_service(
            "leads", database_url=await backend.database_url("leads"), platform=backend.platform,
            embedded_bus=backend.embedded_bus, clock=clock, sla_sweep_seconds=3600))
        territory = await stack.enter_async_context(running_service(
            "territory", database_url=await backend.database_url("territory"), platform=backend.platform,
            embedded_bus=backend.embedded_bus))
        pipeline = await stack.enter_async_context(running_service(
            "pipeline", database_url=await backend.database_url("pipeline"), platform=backend.platform,
            embedded_bus=backend.embedded_bus))
        await _organise(territory)

        await eventually(lambda: processed(leads), until=lambda n: n >= 2)  # the 2 reps, copied
        created = await leads.client.post("/v1/leads", headers=OPS, json={
            "email": "cto@prospect.example", "name": "Pat", "country": "Germany", "title": "Chief Data Officer",
            "source": "demo_request", "industry": "SaaS", "employee_count": 120})
        assert created.status_code == 201, created.text
        lead_id = created.json()["lead"]["id"]
        assert created.json()["lead"]["score"] == 85  # 25 demo + 20 chief + 20 SaaS + 10 DE + 10 (50+) → hot

        async def lead() -> dict:
            return (await leads.client.get(f"/v1/leads/{lead_id}", headers=OPS)).json()

        routed = await eventually(lead, until=lambda x: x["owner_id"] is not None)
        assert (routed["owner_id"], routed["territory_id"]) == ("ana", "emea")  # tie between equals → lower id
        clock.advance(minutes=61)  # hot: 60 minutes to touch, untouched
        assert await sweep_once(leads.runtime.uow) == 1
        # territory chooses the other emea member (never ana, who let it wait) and leads applies lead.routed
        rerouted = await eventually(lead, until=lambda x: x["owner_id"] != "ana")
        assert (rerouted["owner_id"], rerouted["assignments"][-1]["reason"]) == (
            "bo", "routed: follow-up SLA breached by ana: matched rule 0 of territory emea")
        converted = await leads.client.post(f"/v1/leads/{lead_id}/convert", headers=OPS,
                                            json={"amount": "48000.00", "currency": "EUR"})
        assert converted.status_code == 200, converted.text

        def kinds(events: list[dict]) -> list[str]:
            return [e["type"].split(".")[2] for e in events if e["subject"] == lead_id]

        events = await eventually(lambda: published(backend), until=lambda es: "converted" in kinds(es))
        assert kinds(events) == ["created", "assigned", "sla_breached", "assigned", "status_changed", "converted"]
        assert [int(e["sequence"]) for e in events if e["subject"] == lead_id] == [1, 2, 3, 4, 5, 6]
        final = [e for e in events if e["type"] == "coxswain.lead.converted.v1"][0]["data"]
        assert (final["owner_id"], final["amount"], final["deal_id"]) == ("bo", "48000.00",
                                                                         converted.json()["deal_id"])

        async def deal() -> dict:
            r = await pipeline.client.get(f"/v1/deals/{final['deal_id']}", headers=OPS)
            return r.json() if r.status_code == 200 else {}

        opened = await eventually(deal)  # pipeline opened the deal under the id the lead chose
        assert (opened["lead_id"], opened["owner_id"], opened["amount"], opened["currency"]) == (
            lead_id, "bo", "48000.00", "EUR")


async def test_raw_routed_event_import_and_webhooks(backend: Backend) -> None:
    async with running_service("leads", database_url=await backend.database_url("leads"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus) as leads:
        sheet = "email,name,country\r\nana@acme.io,Ana,DE\r\nbroken,Bo,FR\r\nANA@acme.io,Ana,\r\n"
        imported = await leads.client.post("/v1/leads/import", headers=OPS, content=sheet.encode())
        body = imported.json()
        assert (body["created"], body["merged"], body["rejected"], body["errors"][0]["row"]) == (1, 1, 1, 3)
        lead_id = (await leads.client.get("/v1/leads", headers=OPS)).json()["items"][0]["id"]
        routed = build_event("coxswain.lead.routed.v1", ev.LeadRouted(
            lead_id=lead_id, territory_id="dach", rep_id="cy", reason="matched rule 0 of territory dach"),
            subject=lead_id)
        await backend.produce_raw(backend.topic("coxswain.territory"), lead_id, routed.model_dump_json().encode())
        assigned = await eventually(lambda: published(backend, "coxswain.lead.assigned.v1"))
        assert [(e["data"]["rep_id"], e["data"]["territory_id"]) for e in assigned] == [("cy", "dach")]

        payload = json.dumps({"eventId": 1, "properties": {"email": "hub@spot.example"}}).encode()
        now = int(leads.runtime.clock.now().timestamp())
        secret = backend.platform.webhook_secret

        async def deliver(at: int, key: str = secret) -> dict:
            r = await leads.client.post("/v1/webhooks/crm", content=payload, headers={
                "Coxswain-Signature": sign(key, payload, at), "content-type": "application/json"})
            return {"status": r.status_code, **(r.json() if r.status_code == 200 else {})}

        first, replay = await deliver(now), await deliver(now)
        assert (first["status"], first["replayed"], replay["replayed"]) == (200, False, True)
        assert replay["lead_id"] == first["lead_id"]
        assert (await deliver(now, "not-the-secret"))["status"] == 401
        assert (await deliver(now - 600))["status"] == 401  # ten minutes old: expired
        created = await eventually(lambda: published(backend, "coxswain.lead.created.v1"),
                                   until=lambda es: len(es) == 2)
        assert sorted(e["data"]["email"] for e in created) == ["ana@acme.io", "hub@spot.example"]
