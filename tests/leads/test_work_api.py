"""Working leads over HTTP: lifecycle (409 on illegal moves), assignment by routing and by ops, conversion,
and who may see and work which leads."""
from __future__ import annotations

from shared.events import catalog as ev
from shared.testing import auth_headers, build_event, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.leads.conftest import OPS, create, processed, published

ANA = auth_headers("rep", rep_id="ana")
BO = auth_headers("rep", rep_id="bo")
EMEA_MANAGER = auth_headers("manager", team_ids=["emea"])


async def _territory_event(backend: EmbeddedBackend, event_type: str, data: object, subject: str,
                           sequence: int = 1) -> None:
    event = build_event(event_type, data, subject=subject, sequence=sequence)  # type: ignore[arg-type]
    await backend.produce_raw(backend.topic("coxswain.territory"), subject, event.model_dump_json().encode())


async def _owner(leads: RunningService, lead_id: str) -> str | None:
    return (await leads.client.get(f"/v1/leads/{lead_id}", headers=OPS)).json()["owner_id"]


async def test_status_moves_and_illegal_ones(leads: RunningService, embedded_backend: EmbeddedBackend) -> None:
    lead = await create(leads.client, email="a@b.example")
    url = f"/v1/leads/{lead['id']}"
    working = await leads.client.patch(url, headers=OPS, json={"status": "working"})
    assert working.status_code == 200 and working.json()["sla_due_at"] is None  # touched: no deadline left
    illegal = await leads.client.patch(url, headers=OPS, json={"status": "new"})
    assert illegal.status_code == 409, illegal.text
    no_reason = await leads.client.patch(url, headers=OPS, json={"status": "disqualified"})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "disqualified_reason"
    out = await leads.client.patch(url, headers=OPS, json={"status": "disqualified", "disqualified_reason": "spam"})
    assert out.json()["disqualified_reason"] == "spam"
    assert (await leads.client.patch(url, headers=OPS, json={"status": "wonderful"})).status_code == 422
    changes = await eventually(lambda: published(embedded_backend, "coxswain.lead.status_changed.v1"),
                               until=lambda es: len(es) == 2)
    assert [(e["data"]["from_status"], e["data"]["to_status"], int(e["sequence"])) for e in changes] == [
        ("new", "working", 2), ("working", "disqualified", 3)]


async def test_editing_fields_rescores(leads: RunningService) -> None:
    lead = await create(leads.client, email="a@b.example", industry="Retail")
    assert lead["score"] == 0
    patched = await leads.client.patch(f"/v1/leads/{lead['id']}", headers=OPS,
                                       json={"industry": "Fintech", "country": "usa"})
    assert (patched.json()["score"], patched.json()["country"]) == (30, "US")  # 20 fintech + 10 core market


async def test_routing_assigns_and_ops_reassign_with_history(leads: RunningService,
                                                             embedded_backend: EmbeddedBackend) -> None:
    lead = await create(leads.client, email="a@b.example", country="DE")
    await _territory_event(embedded_backend, "coxswain.lead.routed.v1", ev.LeadRouted(
        lead_id=lead["id"], territory_id="emea", rep_id="ana", reason="matched rule 0 of territory emea"),
        lead["id"])
    await eventually(lambda: _owner(leads, lead["id"]), until=lambda owner: owner == "ana")
    reassigned = await leads.client.post(f"/v1/leads/{lead['id']}/assign", headers=OPS, json={"rep_id": "bo"})
    assert reassigned.status_code == 200 and reassigned.json()["owner_id"] == "bo"
    assert (await leads.client.post(f"/v1/leads/{lead['id']}/assign", headers=ANA,
                                    json={"rep_id": "ana"})).status_code == 403
    detail = (await leads.client.get(f"/v1/leads/{lead['id']}", headers=OPS)).json()
    assert [(a["rep_id"], a["previous_rep_id"], a["territory_id"]) for a in detail["assignments"]] == [
        ("ana", None, "emea"), ("bo", "ana", "emea")]
    assigned = await eventually(lambda: published(embedded_backend, "coxswain.lead.assigned.v1"),
                                until=lambda es: len(es) == 2)
    assert [(e["data"]["rep_id"], e["data"]["reason"], int(e["sequence"])) for e in assigned] == [
        ("ana", "routed: matched rule 0 of territory emea", 2), ("bo", "assigned by hand", 3)]


async def test_a_rep_sees_and_works_only_their_own_and_a_manager_their_teams(
        leads: RunningService, embedded_backend: EmbeddedBackend) -> None:
    for rep_id, team in (("ana", "emea"), ("bo", "us")):
        await _territory_event(embedded_backend, "coxswain.rep.upserted.v1", ev.RepUpserted(
            rep_id=rep_id, name=rep_id, email=f"{rep_id}@corp.example", team_id=team, capacity=10), rep_id)
    mine = await create(leads.client, email="mine@b.example")
    theirs = await create(leads.client, email="theirs@b.example")
    for lead, rep in ((mine, "ana"), (theirs, "bo")):
        assert (await leads.client.post(f"/v1/leads/{lead['id']}/assign", headers=OPS,
                                        json={"rep_id": rep})).status_code == 200
    listed = (await leads.client.get("/v1/leads", headers=ANA)).json()["items"]
    assert [x["id"] for x in listed] == [mine["id"]]
    assert (await leads.client.get(f"/v1/leads/{theirs['id']}", headers=ANA)).status_code == 404
    assert (await leads.client.patch(f"/v1/leads/{theirs['id']}", headers=ANA,
                                     json={"status": "working"})).status_code == 404
    assert (await leads.client.patch(f"/v1/leads/{mine['id']}", headers=ANA,
                                     json={"status": "working"})).status_code == 200
    assert (await leads.client.post("/v1/leads", headers=ANA, json={"email": "x@y.example"})).status_code == 403

    async def manager_sees() -> list[str]:
        return [x["id"] for x in (await leads.client.get("/v1/leads", headers=EMEA_MANAGER)).json()["items"]]

    assert await eventually(manager_sees, until=lambda ids: ids == [mine["id"]]) == [mine["id"]]


async def test_conversion_announces_one_deal(leads: RunningService, embedded_backend: EmbeddedBackend) -> None:
    lead = await create(leads.client, email="a@acme.example", company="Acme")
    url = f"/v1/leads/{lead['id']}/convert"
    first = await leads.client.post(url, headers=OPS, json={"amount": "12000.50", "currency": "EUR"})
    assert first.status_code == 200, first.text
    again = await leads.client.post(url, headers=OPS, json={"amount": "12000.50", "currency": "EUR"})
    assert again.json()["deal_id"] == first.json()["deal_id"] and again.json()["version"] == 3
    other = await leads.client.post(url, headers=OPS, json={"amount": "1.00", "currency": "EUR"})
    assert other.status_code == 409
    assert (await leads.client.post(url, headers=OPS, json={"amount": 1.5, "currency": "EUR"})).status_code == 422
    converted = await eventually(lambda: published(embedded_backend, "coxswain.lead.converted.v1"))
    assert [(e["data"]["deal_id"], e["data"]["amount"], e["data"]["currency"], e["data"]["company"])
            for e in converted] == [(first.json()["deal_id"], "12000.50", "EUR", "Acme")]


async def test_the_same_routing_twice_under_new_ids_assigns_once(leads: RunningService,
                                                                 embedded_backend: EmbeddedBackend) -> None:
    lead = await create(leads.client, email="twice@b.example")
    for sequence in (1, 2):  # two events (two ids), one business fact
        await _territory_event(embedded_backend, "coxswain.lead.routed.v1", ev.LeadRouted(
            lead_id=lead["id"], territory_id="emea", rep_id="ana", reason="matched"), lead["id"], sequence)
    unknown = "no-such-lead"
    await _territory_event(embedded_backend, "coxswain.lead.routed.v1", ev.LeadRouted(
        lead_id=unknown, territory_id="emea", rep_id="ana", reason="matched"), unknown)
    await eventually(lambda: processed(leads), until=lambda n: n == 3)
    detail = (await leads.client.get(f"/v1/leads/{lead['id']}", headers=OPS)).json()
    assert [a["rep_id"] for a in detail["assignments"]] == ["ana"]
    # everything was committed before the probe above held, and the relay publishes in commit order
    assigned = await eventually(lambda: published(embedded_backend, "coxswain.lead.assigned.v1"))
    assert len(assigned) == 1
