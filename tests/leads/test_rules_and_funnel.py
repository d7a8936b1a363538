"""Scoring rules managed by ops (open leads rescored) and the lead funnel report."""
from __future__ import annotations

from shared.clock import FixedClock
from shared.testing import auth_headers
from shared.testing.harness import RunningService
from tests.leads.conftest import OPS, create

REP = auth_headers("rep", rep_id="ana")


async def test_ops_replace_the_rules_and_open_leads_are_rescored(leads: RunningService) -> None:
    open_lead = await create(leads.client, email="a@b.example", industry="Retail", employee_count=20)
    closed = await create(leads.client, email="c@d.example", industry="Retail")
    await leads.client.patch(f"/v1/leads/{closed['id']}", headers=OPS,
                             json={"status": "disqualified", "disqualified_reason": "competitor"})
    rules = {"rules": [
        {"id": "retail", "field": "industry", "op": "eq", "value": "retail", "points": 60},
        {"id": "tiny", "field": "employee_count", "op": "lte", "value": 25, "points": -15, "description": "tiny"}]}
    assert (await leads.client.put("/v1/scoring/rules", headers=REP, json=rules)).status_code == 403
    replaced = await leads.client.put("/v1/scoring/rules", headers=OPS, json=rules)
    assert replaced.status_code == 200 and replaced.json()["rescored"] == 1
    lead = (await leads.client.get(f"/v1/leads/{open_lead['id']}", headers=OPS)).json()
    assert lead["score"] == 45  # 60 retail - 15 tiny
    assert [(x["rule_id"], x["points"]) for x in lead["score_explanation"]] == [("retail", 60), ("tiny", -15)]
    assert (await leads.client.get(f"/v1/leads/{closed['id']}", headers=OPS)).json()["score"] == 0  # closed: kept
    bad = await leads.client.put("/v1/scoring/rules", headers=OPS, json={"rules": [
        {"id": "x", "field": "industry", "op": "gte", "value": 3, "points": 5}]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rules.0.value"
    assert [r["id"] for r in (await leads.client.get("/v1/scoring/rules", headers=OPS)).json()["rules"]] == [
        "retail", "tiny"]


async def test_funnel_counts_rates_and_first_touch(leads: RunningService, clock: FixedClock) -> None:
    a = await create(leads.client, email="a@a.example", source="web")
    b = await create(leads.client, email="b@b.example", source="web")
    c = await create(leads.client, email="c@c.example", source="event")
    await create(leads.client, email="d@d.example", source="event")
    await leads.client.post(f"/v1/leads/{a['id']}/assign", headers=OPS, json={"rep_id": "ana"})
    clock.advance(minutes=30)
    await leads.client.patch(f"/v1/leads/{a['id']}", headers=OPS, json={"status": "working"})  # touched at 30 min
    clock.advance(minutes=60)
    await leads.client.patch(f"/v1/leads/{b['id']}", headers=OPS, json={"status": "qualified"})  # at 90 min
    clock.advance(minutes=60)
    await leads.client.post(f"/v1/leads/{c['id']}/convert", headers=OPS,
                            json={"amount": "100.00", "currency": "USD"})  # touched (and converted) at 150 min
    report = await leads.client.get("/v1/reports/funnel", headers=OPS,
                                    params={"period_from": "2026-11-02", "period_to": "2026-11-02"})
    assert report.status_code == 200, report.text
    r = report.json()
    assert (r["leads"], r["converted"], r["conversion_rate"]) == (4, 1, "0.2500")  # 1 of 4
    assert r["by_status"] == {"converted": 1, "new": 1, "qualified": 1, "working": 1}
    assert r["by_source"] == {"event": 2, "web": 2}
    assert r["by_rep"] == {"ana": 1, "unassigned": 3}
    assert (r["touched"], r["median_seconds_to_first_touch"]) == (3, 5400)  # median of 30, 90, 150 min = 90 min
    assert (r["sla_breached"], r["sla_breach_rate"]) == (0, "0.0000")
    empty = await leads.client.get("/v1/reports/funnel", headers=OPS,
                                   params={"period_from": "2026-10-01", "period_to": "2026-10-31"})
    assert (empty.json()["leads"], empty.json()["median_seconds_to_first_touch"]) == (0, None)
    backwards = await leads.client.get("/v1/reports/funnel", headers=OPS,
                                       params={"period_from": "2026-11-02", "period_to": "2026-11-01"})
    assert backwards.status_code == 422
    assert (await leads.client.get("/v1/reports/funnel", headers=REP,
                                   params={"period_from": "2026-11-02", "period_to": "2026-11-02"})).status_code == 403
