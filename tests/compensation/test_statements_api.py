"""Statements (JSON and CSV), team views, draws at period close, who sees what, and bad input as 422/4xx."""
from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest

from shared.events import catalog as ev
from shared.testing import auth_headers, build_event, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.compensation.conftest import OPS, WORKED_PLAN, closed, lines, lines_until, send, setup_plan

CLOSED_T = "coxswain.deal.closed.v1"
REP1 = auth_headers("rep", rep_id="rep-1")
MANAGER = auth_headers("manager", rep_id="boss", team_ids=["emea"])


async def _org(backend: EmbeddedBackend) -> None:
    team = ev.TeamUpserted(team_id="emea", name="EMEA", manager_rep_id="boss")
    await backend.produce_raw(backend.topic("coxswain.territory"), "emea", build_event(
        "coxswain.team.upserted.v1", team, subject="emea").model_dump_json().encode())
    for rep_id, team_id in (("rep-1", "emea"), ("rep-2", None)):
        rep = ev.RepUpserted(rep_id=rep_id, name=rep_id, email=f"{rep_id}@example.com", team_id=team_id, capacity=5)
        await backend.produce_raw(backend.topic("coxswain.territory"), rep_id, build_event(
            "coxswain.rep.upserted.v1", rep, subject=rep_id).model_dump_json().encode())


async def _two_deals(client: object, backend: EmbeddedBackend) -> None:
    await setup_plan(client, WORKED_PLAN, {"rep-1": "100000.00", "rep-2": "50000.00"})
    await _org(backend)
    await send(backend, CLOSED_T, closed("d-1", "120000.00"), "d-1", 1)
    await send(backend, CLOSED_T, closed("d-2", "10000.00", [("rep-2", "100")]), "d-2", 1)
    await lines_until(client, 3)


async def test_statement_json_and_csv(compensation: RunningService, embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await _two_deals(client, embedded_backend)
    r = await client.get("/v1/statements/rep-1/2026-Q4", headers=REP1)
    assert r.status_code == 200, r.text
    s = r.json()
    # 100,000 at 10% = 10,000 + 20,000 at 15% = 3,000 → 13,000; attainment 120,000 / 100,000 = 120%
    assert (s["total"], s["payout"], s["quota"], s["credited"], s["attainment"]) == (
        "13000.00", "13000.00", "100000.00", "120000.00", "120.0000")
    assert s["totals_by_component"] == {"quota": "13000.00"} and len(s["lines"]) == 2
    assert s["total"] == str(sum(D(x["amount"]) for x in s["lines"]))
    for request in ({"headers": {**REP1, "Accept": "text/csv"}}, {"headers": REP1, "params": {"format": "csv"}}):
        r = await client.get("/v1/statements/rep-1/2026-Q4", **request)  # type: ignore[arg-type]
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0][:8] == ["id", "period", "deal_id", "component", "kind", "base", "rate", "amount"]
        assert [row[7] for row in rows[1:3]] == ["10000.00", "3000.00"]
        assert rows[-1][0] == "payout" and rows[-1][7] == "13000.00"


async def test_who_sees_what(compensation: RunningService, embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await _two_deals(client, embedded_backend)
    mine = (await client.get("/v1/commissions", headers=REP1)).json()["items"]
    assert {x["rep_id"] for x in mine} == {"rep-1"}
    assert (await client.get("/v1/commissions", headers=REP1, params={"rep_id": "rep-2"})).status_code == 403
    assert (await client.get("/v1/statements/rep-2/2026-Q4", headers=REP1)).status_code == 403
    team = (await eventually(lambda: client.get("/v1/commissions", headers=MANAGER),
                             until=lambda r: bool(r.json()["items"]))).json()["items"]
    assert {x["rep_id"] for x in team} == {"rep-1"}  # rep-2 is in no team of theirs
    view = await client.get("/v1/statements/teams/emea/2026-Q4", headers=MANAGER)
    assert view.status_code == 200, view.text
    assert view.json()["reps"] == [{"rep_id": "rep-1", "total": "13000.00", "quota": "100000.00",
                                    "attainment": "120.0000"}]
    assert (await client.get("/v1/statements/teams/apac/2026-Q4", headers=MANAGER)).status_code == 403
    assert (await client.put("/v1/quotas/rep-1/2026-Q4", headers=REP1,
                             json={"amount": "1.00", "currency": "USD"})).status_code == 403
    # ops see all, a page at a time: 3 lines, pages of 2
    first = (await client.get("/v1/commissions", headers=OPS, params={"limit": 2})).json()
    second = (await client.get("/v1/commissions", headers=OPS,
                               params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None
    assert [x["deal_id"] for x in await lines(client, rep_id="rep-2")] == ["d-2"]


async def test_draws_settle_at_period_close(compensation: RunningService, embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await _two_deals(client, embedded_backend)
    for rep_id, kind in (("rep-1", "recoverable"), ("rep-2", "guarantee")):
        r = await client.put(f"/v1/draws/{rep_id}", headers=OPS,
                             json={"kind": kind, "amount": "2000.00", "currency": "USD"})
        assert r.status_code == 200, r.text
    r = await client.post("/v1/periods/2026-Q4/close", headers=OPS)
    assert r.status_code == 200 and r.json()["draw_lines"] == 1
    rep2 = (await client.get("/v1/statements/rep-2/2026-Q4", headers=OPS)).json()
    # rep-2 earned 10,000 × 10% = 1,000 against a 2,000 guarantee: topped up by 1,000, payout 2,000
    assert [(x["component"], x["amount"]) for x in rep2["lines"]][-1] == ("draw_guarantee", "1000.00")
    assert (rep2["total"], rep2["payout"], rep2["closed"]) == ("2000.00", "2000.00", True)
    rep1 = (await client.get("/v1/statements/rep-1/2026-Q4", headers=OPS)).json()
    assert rep1["total"] == "13000.00" and rep1["draw"]["balance"] == "0.00"  # 13,000 ≥ 2,000: nothing advanced


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("post", "/v1/plans", {**WORKED_PLAN, "components": [{"kind": "rate", "rate": 0.1}]}, "components[0].rate"),
    ("post", "/v1/plans", {**WORKED_PLAN, "currency": "usd"}, "currency"),
    ("post", "/v1/plans", {**WORKED_PLAN, "effective_from": "soon"}, "effective_from"),
    ("put", "/v1/quotas/rep-1/2026-Q5", {"amount": "10.00", "currency": "USD"}, "period"),
    ("put", "/v1/quotas/rep-1/2026-Q4", {"amount": "-10.00", "currency": "USD"}, "amount"),
    ("put", "/v1/quotas/rep-1/2026-Q4", {"amount": 10.5, "currency": "USD"}, "amount"),
    ("put", "/v1/exchange-rates/EUR/USD/2026-11-01", {"rate": "0"}, "rate"),
    ("put", "/v1/exchange-rates/EUR/EUR/2026-11-01", {"rate": "1.1"}, "quote"),
    ("put", "/v1/draws/rep-1", {"kind": "loan", "amount": "10.00", "currency": "USD"}, "kind"),
    ("post", "/v1/periods/Q4/close", None, "period"),
    ("put", "/v1/quotas/" + "r" * 65 + "/2026-Q4", {"amount": "10.00", "currency": "USD"}, "rep_id"),
    ("post", "/v1/plans", {**WORKED_PLAN, "components": [
        {"kind": "spif", "amount": "1.00", "criteria": {"product": ["a"]}}]}, "components[0].criteria.product"),
])
async def test_bad_input_is_a_problem_naming_the_field(compensation: RunningService, method: str, path: str,
                                                        body: dict | None, field: str) -> None:
    r = await getattr(compensation.client, method)(path, headers=OPS, **({"json": body} if body else {}))
    assert r.status_code in (400, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert any(field in e["field"] for e in r.json()["errors"]), r.json()


async def test_plans_read_back_and_unknown_ones_are_404(compensation: RunningService) -> None:
    client = compensation.client
    assert (await client.post("/v1/plans", headers=OPS, json=WORKED_PLAN)).status_code == 201
    assert (await client.post("/v1/plans", headers=OPS, json=WORKED_PLAN)).status_code == 409
    plan = (await client.get("/v1/plans/ae-2026", headers=REP1)).json()
    assert plan["versions"][0]["terms"]["components"][0]["tiers"][1] == {"from": "100", "rate": "0.15"}
    assert (await client.get("/v1/plans/nope", headers=OPS)).status_code == 404
    r = await client.post("/v1/plans/nope/assignments", headers=OPS, json={"rep_id": "x", "starts_on": "2026-01-01"})
    assert r.status_code == 404
    r = await client.post("/v1/plans/ae-2026/assignments", headers=OPS,
                          json={"rep_id": "x", "starts_on": "2026-02-01", "ends_on": "2026-01-01"})
    assert r.status_code == 422


async def test_a_manager_sees_the_teams_below_theirs(compensation: RunningService,
                                                     embedded_backend: EmbeddedBackend) -> None:
    """The one visibility rule (shared.visibility): a sub-team's view and its reps' statements are the manager's
    to see (a sub-team's view was a 403 before); a team beside theirs stays a 403."""
    client = compensation.client
    await _two_deals(client, embedded_backend)
    for team_id, parent in (("emea-north", "emea"), ("apac", None)):
        team = ev.TeamUpserted(team_id=team_id, name=team_id, parent_team_id=parent)
        await embedded_backend.produce_raw(embedded_backend.topic("coxswain.territory"), team_id, build_event(
            "coxswain.team.upserted.v1", team, subject=team_id).model_dump_json().encode())
    rep = ev.RepUpserted(rep_id="rep-2", name="rep-2", email="rep-2@example.com", team_id="emea-north", capacity=5)
    await embedded_backend.produce_raw(embedded_backend.topic("coxswain.territory"), "rep-2", build_event(
        "coxswain.rep.upserted.v1", rep, subject="rep-2", sequence=2).model_dump_json().encode())
    below = await eventually(lambda: client.get("/v1/statements/teams/emea-north/2026-Q4", headers=MANAGER),
                             until=lambda r: r.status_code == 200 and bool(r.json()["reps"]))
    # rep-2: 10,000 at 10% = 1,000.00 against a 50,000 quota (20%)
    assert below.json()["reps"] == [{"rep_id": "rep-2", "total": "1000.00", "quota": "50000.00",
                                     "attainment": "20.0000"}]
    top = (await client.get("/v1/statements/teams/emea/2026-Q4", headers=MANAGER)).json()
    assert [r["rep_id"] for r in top["reps"]] == ["rep-1", "rep-2"] and top["total"] == "14000.00"
    assert (await client.get("/v1/statements/rep-2/2026-Q4", headers=MANAGER)).status_code == 200
    assert (await client.get("/v1/statements/teams/apac/2026-Q4", headers=MANAGER)).status_code == 403
