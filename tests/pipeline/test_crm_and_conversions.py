"""CRM webhooks (signed upsert by external id, replay a no-op) and lead.converted making exactly one deal."""
from __future__ import annotations

import json
import uuid

from shared.clock import FixedClock
from shared.events import catalog as ev
from shared.http.webhooks import sign
from shared.settings import DEV_SECRET
from shared.testing import build_event, event_bytes, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.pipeline.conftest import OPS, published


def signed(body: dict, clock: FixedClock, secret: str = DEV_SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    return raw, {"Coxswain-Signature": sign(secret, raw, int(clock.now().timestamp())),
                 "content-type": "application/json"}


CRM = {"event_id": "evt-1", "external_id": "sf-006", "name": "Globex expansion", "amount": "5000.00",
       "currency": "EUR", "owner_id": "ana", "stage_id": "discovery", "crm_only_field": "ignored"}


async def test_a_crm_delivery_upserts_by_external_id_and_a_replay_changes_nothing(
        pipeline: RunningService, clock: FixedClock) -> None:
    c = pipeline.client
    raw, headers = signed(CRM, clock)
    first = await c.post("/v1/webhooks/crm", content=raw, headers=headers)
    assert first.status_code == 200, first.text
    deal = first.json()["deal"]
    assert (first.json()["applied"], deal["external_id"], deal["stage_id"], deal["version"]) == (
        True, "sf-006", "discovery", 1)
    replay = await c.post("/v1/webhooks/crm", content=raw, headers=headers)
    assert (replay.json()["applied"], replay.json()["deal"]) == (False, deal)
    raw, headers = signed({**CRM, "event_id": "evt-2", "amount": "6500.00", "stage_id": "proposal"}, clock)
    second = (await c.post("/v1/webhooks/crm", content=raw, headers=headers)).json()
    # one update (amount) then one stage move: versions 2 and 3 on the same deal
    assert (second["deal"]["id"], second["deal"]["amount"], second["deal"]["stage_id"], second["deal"]["version"]) \
        == (deal["id"], "6500.00", "proposal", 3)
    again = await c.post("/v1/webhooks/crm", content=raw, headers=headers)
    assert again.json()["deal"]["version"] == 3
    listed = await c.get("/v1/deals", headers=OPS)
    assert len(listed.json()["items"]) == 1


async def test_unsigned_stale_or_wrongly_signed_deliveries_are_401(pipeline: RunningService,
                                                                   clock: FixedClock) -> None:
    c = pipeline.client
    raw, headers = signed(CRM, clock)
    assert (await c.post("/v1/webhooks/crm", content=raw)).status_code == 401
    _, wrong = signed(CRM, clock, secret="not-the-secret")
    assert (await c.post("/v1/webhooks/crm", content=raw, headers=wrong)).status_code == 401
    clock.advance(minutes=6)  # signed six minutes ago: older than the five allowed
    assert (await c.post("/v1/webhooks/crm", content=raw, headers=headers)).status_code == 401
    raw, headers = signed({**CRM, "amount": 12.5}, clock)
    bad = await c.post("/v1/webhooks/crm", content=raw, headers=headers)
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "amount")


def conversion(deal_id: str, lead_id: str = "lead-7") -> bytes:
    return event_bytes(build_event("coxswain.lead.converted.v1", ev.LeadConverted(
        lead_id=lead_id, deal_id=deal_id, owner_id="ana", territory_id="emea", company="Initech",
        amount="2400.00", currency="USD"), subject=lead_id))


async def test_a_conversion_delivered_twice_even_under_new_event_ids_makes_one_deal(
        pipeline: RunningService, embedded_backend: EmbeddedBackend) -> None:
    deal_id = str(uuid.uuid4())
    first = conversion(deal_id)
    for raw in (first, first, conversion(deal_id)):  # the same event twice, then a new id for the same fact
        await embedded_backend.produce_raw(embedded_backend.topic("coxswain.leads"), "lead-7", raw)

    async def created() -> list[dict]:
        return await published(embedded_backend, "coxswain.deal.created.v1")

    events = await eventually(created)
    deal = (await pipeline.client.get(f"/v1/deals/{deal_id}", headers=OPS)).json()
    assert (deal["lead_id"], deal["company"], deal["amount"], deal["owner_id"], deal["territory_id"]) == (
        "lead-7", "Initech", "2400.00", "ana", "emea")
    marker = str(uuid.uuid4())  # a later conversion proves the earlier deliveries were all handled
    await embedded_backend.produce_raw(embedded_backend.topic("coxswain.leads"), "lead-8",
                                       conversion(marker, lead_id="lead-8"))
    events = await eventually(created, until=lambda found: len(found) >= 2)
    assert sorted(e["subject"] for e in events) == sorted([deal_id, marker])
