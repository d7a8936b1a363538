"""Follow-up SLA with a fixed clock (no waiting): a breach is announced and territory's lead.routed moves the
lead, or the policy escalates it; a deactivated rep's leads stay until territory routes them, to a rep or to
nobody (announced either way). Leads alone here, territory's events produced by hand."""
from __future__ import annotations

from services.leads.workers import sweep_once
from shared.clock import FixedClock
from shared.events import catalog as ev
from shared.testing import build_event, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.leads.conftest import OPS, create, processed, published


async def _org(backend: EmbeddedBackend, leads: RunningService) -> None:
    """Team emea (manager mia) with ana, bo, cy."""
    events = [("coxswain.team.upserted.v1", ev.TeamUpserted(team_id="emea", name="EMEA", manager_rep_id="mia"),
               "emea")]
    events += [("coxswain.rep.upserted.v1", ev.RepUpserted(rep_id=r, name=r, email=f"{r}@corp.example",
                                                           team_id="emea", capacity=cap), r)
               for r, cap in (("ana", 5), ("bo", 5), ("cy", 5))]
    for event_type, data, subject in events:
        event = build_event(event_type, data, subject=subject)
        await backend.produce_raw(backend.topic("coxswain.territory"), subject, event.model_dump_json().encode())
    await eventually(lambda: processed(leads), until=lambda n: n >= len(events))


async def _routed(backend: EmbeddedBackend, lead_id: str, rep_id: str | None, reason: str, sequence: int) -> None:
    event = build_event("coxswain.lead.routed.v1", ev.LeadRouted(
        lead_id=lead_id, territory_id="emea", rep_id=rep_id, reason=reason), subject=lead_id, sequence=sequence)
    await backend.produce_raw(backend.topic("coxswain.territory"), lead_id, event.model_dump_json().encode())


async def _hot_lead_for(leads: RunningService, rep: str) -> dict:
    # 25 demo request + 20 chief + 20 SaaS + 10 core market + 10 (50+) = 85 → hot: 60 minutes to touch
    lead = await create(leads.client, email=f"cto@{rep}-prospect.example", source="demo_request",
                        title="Chief Technology Officer", industry="SaaS", country="NL", employee_count=80)
    assert lead["score"] == 85
    assigned = await leads.client.post(f"/v1/leads/{lead['id']}/assign", headers=OPS,
                                       json={"rep_id": rep, "reason": "test"})
    return assigned.json()


async def test_breach_is_announced_and_territorys_routing_moves_the_lead_with_a_fresh_deadline(
        leads: RunningService, embedded_backend: EmbeddedBackend, clock: FixedClock) -> None:
    await _org(embedded_backend, leads)
    lead = await _hot_lead_for(leads, "ana")
    assert lead["sla_due_at"] == "2026-11-02T10:00:00Z"  # assigned at 09:00 + 60 minutes
    clock.advance(minutes=59)
    assert await sweep_once(leads.runtime.uow) == 0
    clock.advance(minutes=2)  # 10:01
    assert await sweep_once(leads.runtime.uow) == 1
    assert await sweep_once(leads.runtime.uow) == 0  # swept once only
    after = (await leads.client.get(f"/v1/leads/{lead['id']}", headers=OPS)).json()
    # leads chooses nobody: the owner stays until territory says who takes it
    assert (after["owner_id"], after["sla_breaches"], after["sla_due_at"]) == ("ana", 1, "2026-11-02T10:00:00Z")
    breached = await eventually(lambda: published(embedded_backend, "coxswain.lead.sla_breached.v1"))
    assert [(e["data"]["rep_id"], e["data"]["due_at"], e["data"]["breached_at"], e["data"]["action"])
            for e in breached] == [("ana", "2026-11-02T10:00:00Z", "2026-11-02T10:01:00Z", "reroute")]

    await _routed(embedded_backend, lead["id"], "bo", "follow-up SLA breached by ana: matched rule 0", 2)
    moved = await eventually(lambda: leads.client.get(f"/v1/leads/{lead['id']}", headers=OPS),
                             until=lambda r: r.json()["owner_id"] == "bo")
    assert moved.json()["sla_due_at"] == "2026-11-02T11:01:00Z"  # a fresh hour from 10:01
    assigned = await eventually(lambda: published(embedded_backend, "coxswain.lead.assigned.v1"),
                                until=lambda es: len(es) == 2)
    assert [(e["data"]["rep_id"], e["data"]["previous_rep_id"], e["data"]["reason"]) for e in assigned] == [
        ("ana", None, "test"), ("bo", "ana", "routed: follow-up SLA breached by ana: matched rule 0")]
    assert [int(e["sequence"]) for e in assigned] == [2, 4]  # created 1, assigned 2, breached 3, re-assigned 4


async def test_breach_escalates_to_the_manager_when_the_policy_says_so(
        leads: RunningService, embedded_backend: EmbeddedBackend, clock: FixedClock) -> None:
    await _org(embedded_backend, leads)
    policy = await leads.client.put("/v1/sla-policy", headers=OPS,
                                    json={"bands": "hot:80:30,cold:0:600", "breach_action": "escalate"})
    assert policy.status_code == 200, policy.text
    lead = await _hot_lead_for(leads, "ana")
    assert lead["sla_due_at"] == "2026-11-02T09:30:00Z"
    clock.advance(minutes=30)
    assert await sweep_once(leads.runtime.uow) == 1
    after = (await leads.client.get(f"/v1/leads/{lead['id']}", headers=OPS)).json()
    assert (after["owner_id"], after["escalated_to"], after["sla_breaches"]) == ("ana", "mia", 1)
    bad = await leads.client.put("/v1/sla-policy", headers=OPS, json={"bands": "hot:80:30", "breach_action": "x"})
    assert bad.status_code == 422


async def test_touching_in_time_keeps_the_sla(leads: RunningService, clock: FixedClock) -> None:
    lead = await create(leads.client, email="slow@b.example")  # score 0 → cold: 24 hours
    clock.advance(hours=23)
    await leads.client.patch(f"/v1/leads/{lead['id']}", headers=OPS, json={"status": "working"})
    clock.advance(hours=2)
    assert await sweep_once(leads.runtime.uow) == 0


async def test_a_deactivated_reps_leads_wait_for_territory_and_nobody_is_an_announced_owner_change(
        leads: RunningService, embedded_backend: EmbeddedBackend) -> None:
    await _org(embedded_backend, leads)
    open_lead = await _hot_lead_for(leads, "ana")
    event = build_event("coxswain.rep.upserted.v1", ev.RepUpserted(
        rep_id="ana", name="ana", email="ana@corp.example", team_id="emea", capacity=5, active=False),
        subject="ana", sequence=2)
    await embedded_backend.produce_raw(embedded_backend.topic("coxswain.territory"), "ana",
                                       event.model_dump_json().encode())
    await eventually(lambda: processed(leads), until=lambda n: n >= 5)  # team + 3 reps + the deactivation

    async def owner() -> str | None:
        return (await leads.client.get(f"/v1/leads/{open_lead['id']}", headers=OPS)).json()["owner_id"]

    assert await owner() == "ana"  # leads no longer picks a stand-in from its own copies: territory decides
    await _routed(embedded_backend, open_lead["id"], None, "rep ana deactivated: nobody free in emea", 2)
    assert await eventually(owner, until=lambda o: o is None) is None
    await _routed(embedded_backend, open_lead["id"], None, "the same fact again", 3)  # nobody held it: nothing
    await eventually(lambda: processed(leads), until=lambda n: n >= 7)
    assigned = await eventually(lambda: published(embedded_backend, "coxswain.lead.assigned.v1"),
                                until=lambda es: len(es) == 2)
    assert [(e["data"]["rep_id"], e["data"]["previous_rep_id"], e["data"]["territory_id"], e["data"]["reason"])
            for e in assigned] == [("ana", None, None, "test"),
                                   (None, "ana", "emea", "routed: rep ana deactivated: nobody free in emea")]
    history = (await leads.client.get(f"/v1/leads/{open_lead['id']}", headers=OPS)).json()["assignments"]
    assert [(h["rep_id"], h["reason"]) for h in history] == [
        ("ana", "test"), (None, "routed: rep ana deactivated: nobody free in emea")]
    waiting = (await leads.client.get("/v1/leads", headers=OPS, params={"status": "new"})).json()["items"]
    assert [(x["id"], x["owner_id"]) for x in waiting] == [(open_lead["id"], None)]
