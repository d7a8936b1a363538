"""Routing on the bus: lead.created in, lead.routed out; the rotation survives a restart; inactive and
full reps are skipped; the default territory catches the rest; nobody free → a routed event without rep."""
from __future__ import annotations

from datetime import UTC, datetime

from shared.events import catalog as ev
from shared.testing import build_event, eventually
from shared.testing.backends import Backend
from shared.testing.harness import running_service
from tests.territory.conftest import OPS, published

CREATED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def _setup(client) -> None:  # type: ignore[no-untyped-def]
    for rep_id, capacity in (("ana", 5), ("bo", 5), ("cy", 1)):
        body = {"id": rep_id, "name": rep_id, "email": f"{rep_id}@example.com", "capacity": capacity}
        assert (await client.post("/v1/reps", headers=OPS, json=body)).status_code == 201
    us = {"id": "us", "name": "US", "rep_ids": ["ana", "bo"],
          "rules": [{"conditions": [{"field": "country", "op": "eq", "value": "US"}]}]}
    rest = {"id": "rest", "name": "Rest of world", "is_default": True, "rep_ids": ["cy"]}
    for body in (us, rest):
        assert (await client.post("/v1/territories", headers=OPS, json=body)).status_code == 201


async def _route(backend: Backend, lead_id: str, country: str) -> dict:
    """Send one lead.created and wait for its lead.routed (one at a time, so the rotation order is known)."""
    event = build_event("coxswain.lead.created.v1", ev.LeadCreated(
        lead_id=lead_id, country=country, company=f"{lead_id} Inc", created_at=CREATED), subject=lead_id)
    await backend.produce_raw(backend.topic("coxswain.leads"), lead_id, event.model_dump_json().encode())
    routed = await eventually(lambda: published(backend, "coxswain.lead.routed.v1"),
                              until=lambda es: any(e["subject"] == lead_id for e in es))
    (mine,) = [e for e in routed if e["subject"] == lead_id]
    return mine["data"]


async def test_leads_are_routed_by_rotation_with_fallbacks(backend: Backend) -> None:
    url = await backend.database_url("territory")
    start = {"database_url": url, "platform": backend.platform, "embedded_bus": backend.embedded_bus}
    async with running_service("territory", **start) as territory:
        await _setup(territory.client)
        first = await _route(backend, "lead-1", "US")
        # Equal weights (5 and 5), counters 0/0 → both reach 5, the tie goes to the lower id: ana.
        assert (first["territory_id"], first["rep_id"]) == ("us", "ana")
        assert first["reason"] == "matched rule 0 of territory us"

    async with running_service("territory", **start) as territory:  # a restart: the rotation is in the database
        second = await _route(backend, "lead-2", "US")
        assert second["rep_id"] == "bo"  # counters were ana -5, bo +5 → bo's turn, not ana's again
        assert (await territory.client.post("/v1/reps/bo/deactivate", headers=OPS)).status_code == 200
        assert (await _route(backend, "lead-3", "US"))["rep_id"] == "ana"  # bo inactive: skipped
        abroad = await _route(backend, "lead-4", "FR")
        assert (abroad["territory_id"], abroad["rep_id"]) == ("rest", "cy")
        assert abroad["reason"] == "no rule matched; default territory"
        full = await _route(backend, "lead-5", "FR")  # cy holds 1 of capacity 1
        assert (full["territory_id"], full["rep_id"]) == ("rest", None)
        assert full["reason"] == "no rule matched; default territory; no active rep below capacity in rest"
        dee = {"id": "dee", "name": "dee", "email": "dee@example.com", "capacity": 3}
        assert (await territory.client.post("/v1/reps", headers=OPS, json=dee)).status_code == 201
        moved = await territory.client.put("/v1/territories/us/reps", headers=OPS, json={"rep_ids": ["dee"]})
        assert moved.status_code == 200
        assert (await _route(backend, "lead-6", "US"))["rep_id"] == "dee"  # the new membership, not a stale index

    routed = await published(backend, "coxswain.lead.routed.v1")
    # lead-2 twice: bo's deactivation routed it again, to ana, the only other active member of us
    assert sorted((e["subject"], int(e["sequence"])) for e in routed) == sorted(
        [(f"lead-{i}", 1) for i in range(1, 7)] + [("lead-2", 2)])
    again = next(e["data"] for e in routed if (e["subject"], int(e["sequence"])) == ("lead-2", 2))
    assert (again["territory_id"], again["rep_id"], again["reason"]) == (
        "us", "ana", "rep bo deactivated: matched rule 0 of territory us")
    record = next(r for r in await backend.read_topic(backend.topic("coxswain.territory")) if r.key == "lead-1")
    assert record.key == "lead-1"  # the record key is the lead id (the subject)
