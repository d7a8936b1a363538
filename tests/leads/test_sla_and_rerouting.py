"""Follow-up SLA with a fixed clock (no waiting): breach, then re-route or escalate; and a deactivated rep's
open leads going to a stand-in."""
from __future__ import annotations

from services.leads.sla_sweeper import sweep_once
from shared.clock import FixedClock
from shared.events import catalog as ev
from shared.testing import build_event, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.leads.conftest import OPS, create, processed, published


async def _org(backend: EmbeddedBackend, leads: RunningService) -> None:
    """Team emea (manager mia) with ana, bo, cy; territory emea holds ana and bo."""
    events = [("coxswain.team.upserted.v1", ev.TeamUpserted(team_id="emea", name="EMEA", manager_rep_id="mia"),
               "emea")]
    events += [("coxswain.rep.upserted.v1", ev.RepUpserted(rep_id=r, name=r, email=f"{r}@corp.example",
                                                           team_id="emea", capacity=cap), r)
               for r, cap in (("ana", 5), ("bo", 5), ("cy", 5))]
    events.append(("coxswain.territory.upserted.v1", ev.TerritoryUpserted(
        territory_id="emea", name="EMEA", rep_ids=["ana", "bo"]), "emea"))
    for event_type, data, subject in events:
        event = build_event(event_type, data, subject=subject)
        await backend.produce_raw(backend.topic("coxswain.territory"), subject, event.model_dump_json().encode())
    await eventually(lambda: processed(leads), until=lambda n: n >= len(events))


async def _hot_lead_for(leads: RunningService, rep: str) -> dict:
    # 25 demo request + 20 chief + 20 SaaS + 10 core market + 10 (50+) = 85 → hot: 60 minutes to touch
    lead = await create(leads.client, email=f"cto@{rep}-prospect.example", source="demo_request",
                        title="Chief Technology Officer", industry="SaaS", country="NL", employee_count=80)
    assert lead["score"] == 85
    assigned = await leads.client.post(f"/v1/leads/{lead['id']}/assign", headers=OPS,
                                       json={"rep_id": rep, "reason": "test"})
    return assigned.json()


async def test_breach_reroutes_to_a_stand_in_with_a_fresh_deadline(
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
    assert (after["owner_id"], after["sla_breaches"], after["sla_due_at"]) == ("bo", 1, "2026-11-02T11:01:00Z")
    breached = await eventually(lambda: published(embedded_backend, "coxswain.lead.sla_breached.v1"))
    assert [(e["data"]["rep_id"], e["data"]["due_at"], e["data"]["breached_at"], e["data"]["action"])
            for e in breached] == [("ana", "2026-11-02T10:00:00Z", "2026-11-02T10:01:00Z", "reroute")]
    assigned = await eventually(lambda: published(embedded_backend, "coxswain.lead.assigned.v1"),
                                until=lambda es: len(es) == 2)
    assert assigned[-1]["data"]["reason"] == "follow-up SLA breached by ana"
    assert [e["sequence"] for e in assigned] == [2, 4]  # created 1, assigned 2, breached 3, re-assigned 4


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


async def test_a_deactivated_reps_open_leads_go_to_a_stand_in_or_back_to_the_queue(
        leads: RunningService, embedded_backend: EmbeddedBackend) -> None:
    await _org(embedded_backend, leads)
    open_lead = await _hot_lead_for(leads, "ana")
    closed = await create(leads.client, email="done@b.example")
    await leads.client.post(f"/v1/leads/{closed['id']}/assign", headers=OPS, json={"rep_id": "ana"})
    await leads.client.patch(f"/v1/leads/{closed['id']}", headers=OPS,
                             json={"status": "disqualified", "disqualified_reason": "student"})
    lonely = await create(leads.client, email="lonely@b.example")
    await leads.client.post(f"/v1/leads/{lonely['id']}/assign", headers=OPS, json={"rep_id": "zed"})
    for rep, seq in (("ana", 2), ("zed", 1)):
        event = build_event("coxswain.rep.upserted.v1", ev.RepUpserted(
            rep_id=rep, name=rep, email=f"{rep}@corp.example", team_id="emea" if rep == "ana" else None,
            capacity=5, active=False), subject=rep, sequence=seq)
        await embedded_backend.produce_raw(embedded_backend.topic("coxswain.territory"), rep,
                                           event.model_dump_json().encode())

    async def owners() -> tuple:
        return tuple([(await leads.client.get(f"/v1/leads/{x['id']}", headers=OPS)).json()["owner_id"]
                      for x in (open_lead, closed, lonely)])

    # the open lead to bo (the other emea territory member); the closed one stays; zed's has nobody: unassigned
    assert await eventually(owners, until=lambda o: o == ("bo", "ana", None)) == ("bo", "ana", None)
    history = (await leads.client.get(f"/v1/leads/{lonely['id']}", headers=OPS)).json()["assignments"]
    assert [(h["rep_id"], h["reason"]) for h in history] == [
        ("zed", "assigned by hand"), (None, "rep zed deactivated; nobody free to take it")]
