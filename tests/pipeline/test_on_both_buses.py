"""The issue's proofs on real Kafka + PostgreSQL (and the embedded bus): one deal per conversion, a deal's
catalog events in order, a stale write refused, a CRM upsert and its replay."""
from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import pytest

from shared.clock import FixedClock
from shared.events import catalog as ev
from shared.http.webhooks import sign
from shared.settings import DEV_SECRET
from shared.testing import build_event, event_bytes, eventually
from shared.testing.backends import Backend
from shared.testing.harness import RunningService, running_service
from tests.pipeline.conftest import OPS, START, deal_body, published


@pytest.fixture
async def service(backend: Backend) -> AsyncIterator[RunningService]:
    async with running_service("pipeline", database_url=await backend.database_url("pipeline"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus,
                               clock=FixedClock(START)) as running:
        yield running


async def test_a_conversion_delivered_twice_makes_one_deal(backend: Backend, service: RunningService) -> None:
    deal_id = str(uuid.uuid4())
    data = ev.LeadConverted(lead_id="lead-1", deal_id=deal_id, owner_id="ana", company="Initech",
                            amount="900.00", currency="USD")
    once = event_bytes(build_event("coxswain.lead.converted.v1", data, subject="lead-1"))
    again = event_bytes(build_event("coxswain.lead.converted.v1", data, subject="lead-1"))  # a new event id
    marker_id = str(uuid.uuid4())  # same record key, so handled after the three: proves they were all handled
    marker = event_bytes(build_event("coxswain.lead.converted.v1", ev.LeadConverted(
        lead_id="lead-2", deal_id=marker_id, owner_id="ben", amount="10.00", currency="USD"), subject="lead-2"))
    for raw in (once, once, again, marker):
        await backend.produce_raw(backend.topic("coxswain.leads"), "lead-1", raw)

    async def created() -> list[dict]:
        return await published(backend, "coxswain.deal.created.v1")

    events = await eventually(created, until=lambda found: marker_id in [e["subject"] for e in found])
    assert sorted(e["subject"] for e in events) == sorted([deal_id, marker_id])
    deal = (await service.client.get(f"/v1/deals/{deal_id}", headers=OPS)).json()
    assert (deal["lead_id"], deal["amount"], deal["owner_id"]) == ("lead-1", "900.00", "ana")
    dead = await backend.read_topic(backend.topic("coxswain.leads") + ".dlq." + backend.platform.group("pipeline"))
    assert dead == []


async def test_a_deal_through_its_stages_to_won_emits_the_catalog_events_in_order(
        backend: Backend, service: RunningService) -> None:
    c = service.client
    deal = (await c.post("/v1/deals", headers=OPS, json=deal_body(
        splits=[{"rep_id": "ana", "percent": "50"}, {"rep_id": "ben", "percent": "50"}]))).json()
    for stage in ("discovery", "proposal", "negotiation"):
        assert (await c.post(f"/v1/deals/{deal['id']}/stage", headers=OPS, json={"stage_id": stage})).status_code == 200
    await c.patch(f"/v1/deals/{deal['id']}", headers=OPS, json={"expected_close_date": "2026-03-31"})
    assert (await c.post(f"/v1/deals/{deal['id']}/close", headers=OPS, json={"outcome": "won"})).status_code == 200

    async def mine() -> list[dict]:
        return [e for e in await published(backend) if e["subject"] == deal["id"]]

    events = await eventually(mine, until=lambda found: len(found) >= 6)
    assert [(e["type"], int(e["sequence"])) for e in events] == [
        ("coxswain.deal.created.v1", 1), ("coxswain.deal.stage_changed.v1", 2),
        ("coxswain.deal.stage_changed.v1", 3), ("coxswain.deal.stage_changed.v1", 4),
        ("coxswain.deal.updated.v1", 5), ("coxswain.deal.closed.v1", 6)]
    assert [e["data"]["to_stage_id"] for e in events[1:4]] == ["discovery", "proposal", "negotiation"]
    assert events[4]["data"]["expected_close_date"] == "2026-03-31"
    closed = events[5]["data"]
    assert (closed["outcome"], closed["amount"], closed["currency"], closed["owner_id"]) == (
        "won", "1000.00", "USD", "ana")
    assert closed["splits"] == [{"rep_id": "ana", "percent": "50"}, {"rep_id": "ben", "percent": "50"}]


async def test_a_stale_write_is_refused(service: RunningService) -> None:
    c = service.client
    deal = (await c.post("/v1/deals", headers=OPS, json=deal_body())).json()
    assert (await c.patch(f"/v1/deals/{deal['id']}", headers={**OPS, "If-Match": '"1"'},
                          json={"amount": "1100.00"})).status_code == 200
    stale = await c.patch(f"/v1/deals/{deal['id']}", headers={**OPS, "If-Match": '"1"'}, json={"amount": "5.00"})
    assert stale.status_code == 412
    assert (await c.get(f"/v1/deals/{deal['id']}", headers=OPS)).json()["amount"] == "1100.00"


async def test_a_webhook_upsert_and_its_replay(backend: Backend, service: RunningService) -> None:
    c = service.client
    raw = json.dumps({"event_id": "crm-1", "external_id": "hub-42", "name": "Umbrella", "amount": "7000.00",
                      "currency": "GBP", "owner_id": "ana"}).encode()
    headers = {"Coxswain-Signature": sign(DEV_SECRET, raw, int(START.timestamp())),
               "content-type": "application/json"}
    first = await c.post("/v1/webhooks/crm", content=raw, headers=headers)
    replay = await c.post("/v1/webhooks/crm", content=raw, headers=headers)
    assert (first.json()["applied"], replay.json()["applied"]) == (True, False)
    assert replay.json()["deal"] == first.json()["deal"]

    async def created() -> list[dict]:
        return await published(backend, "coxswain.deal.created.v1")

    events = await eventually(created)
    assert [(e["subject"], e["data"]["external_id"]) for e in events] == [(first.json()["deal"]["id"], "hub-42")]
