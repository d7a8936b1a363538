"""Disputes on a line (raise, reply, resolve with an adjustment or a reasoned rejection) and the what-if API."""
from __future__ import annotations

from shared.testing import auth_headers
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.compensation.conftest import LATER, OPS, WORKED_PLAN, closed, lines, lines_until, send, setup_plan

REP1 = auth_headers("rep", rep_id="rep-1")
REP2 = auth_headers("rep", rep_id="rep-2")


async def _worked(client: object, backend: EmbeddedBackend) -> list[dict]:
    await setup_plan(client, WORKED_PLAN, {"rep-1": "100000.00"})
    await send(backend, "coxswain.deal.closed.v1", closed("d-80", "80000.00"), "d-80", 1)
    await lines_until(client, 1)
    await send(backend, "coxswain.deal.closed.v1", closed("d-40", "40000.00", at=LATER), "d-40", 1)
    return await lines_until(client, 3)


async def test_a_dispute_thread_resolved_with_an_adjustment(compensation: RunningService,
                                                           embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    line = (await _worked(client, embedded_backend))[0]
    r = await client.post(f"/v1/commissions/{line['id']}/inquiries", headers=REP1, json={"comment": "split was 100%?"})
    assert r.status_code == 201, r.text
    inquiry = r.json()
    assert (inquiry["status"], inquiry["rep_id"], [m["body"] for m in inquiry["messages"]]) == (
        "open", "rep-1", ["split was 100%?"])
    again = await client.post(f"/v1/commissions/{line['id']}/inquiries", headers=REP1, json={"comment": "?"})
    assert again.status_code == 409
    other = await client.post(f"/v1/commissions/{line['id']}/inquiries", headers=REP2, json={"comment": "mine"})
    assert other.status_code == 403
    assert (await client.post(f"/v1/inquiries/{inquiry['id']}/resolve", headers=REP1,
                              json={"resolution": "reject", "comment": "no"})).status_code == 403
    r = await client.post(f"/v1/inquiries/{inquiry['id']}/messages", headers=REP1, json={"comment": "see CRM"})
    assert [m["body"] for m in r.json()["messages"]] == ["split was 100%?", "see CRM"]
    r = await client.post(f"/v1/inquiries/{inquiry['id']}/resolve", headers=OPS,
                          json={"resolution": "adjust", "amount": "125.50", "comment": "missed uplift"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "adjusted" and r.json()["messages"][-1]["body"] == "missed uplift"
    adjustment = [x for x in await lines(client) if x["id"] == r.json()["adjustment_line_id"]]
    assert [(x["component"], x["kind"], x["amount"], x["deal_id"], x["reason"]) for x in adjustment] == [
        ("dispute_adjustment", "adjustment", "125.50", "d-80", "missed uplift")]
    s = (await client.get("/v1/statements/rep-1/2026-Q4", headers=REP1)).json()
    assert s["total"] == "13125.50"  # 8,000 + 2,000 + 3,000 + 125.50
    thread = (await client.get(f"/v1/commissions/{line['id']}/inquiries", headers=REP1)).json()
    assert ([t["status"] for t in thread["items"]], thread["next_cursor"]) == (["adjusted"], None)
    closed_again = await client.post(f"/v1/inquiries/{inquiry['id']}/resolve", headers=OPS,
                                     json={"resolution": "reject", "comment": "late"})
    assert closed_again.status_code == 409


async def test_a_rejection_needs_a_reason(compensation: RunningService, embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    line = (await _worked(client, embedded_backend))[1]
    inquiry = (await client.post(f"/v1/commissions/{line['id']}/inquiries", headers=REP1,
                                 json={"comment": "rate?"})).json()
    blank = await client.post(f"/v1/inquiries/{inquiry['id']}/resolve", headers=OPS,
                              json={"resolution": "reject", "comment": " "})
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "comment"
    r = await client.post(f"/v1/inquiries/{inquiry['id']}/resolve", headers=OPS,
                          json={"resolution": "reject", "comment": "tier 1 applies below 100%"})
    assert r.json()["status"] == "rejected" and r.json()["adjustment_line_id"] is None
    assert len(await lines(client)) == 3
    rejected = (await client.get("/v1/inquiries", headers=OPS, params={"state": "rejected"})).json()
    assert [x["id"] for x in rejected["items"]] == [inquiry["id"]]


async def test_what_if_changes_nothing(compensation: RunningService, embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await _worked(client, embedded_backend)
    draft = {**{k: WORKED_PLAN[k] for k in ("currency", "period_kind")}, "period": "2026-Q4", "components": [
        {"kind": "tiers", "name": "quota", "mode": "retroactive",
         "tiers": [{"from": "0", "rate": "0.10"}, {"from": "100", "rate": "0.15"}]}]}
    r = await client.post("/v1/plans/ae-2026/simulate", headers=OPS, json=draft)
    assert r.status_code == 200, r.text
    # today 8,000 + 5,000 = 13,000; retroactive: 8,000, then 40,000 × 15% = 6,000 + true-up 80,000 × 5% = 4,000
    assert r.json()["reps"] == [{"rep_id": "rep-1", "current": "13000.00", "simulated": "18000.00",
                                 "difference": "5000.00"}]
    assert len(await lines(client)) == 3
    bad = await client.post("/v1/plans/ae-2026/simulate", headers=OPS, json={**draft, "period": "2026-11"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period"
    assert (await client.post("/v1/plans/ae-2026/simulate", headers=REP1, json=draft)).status_code == 403
