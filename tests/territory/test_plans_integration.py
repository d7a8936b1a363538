"""What-if and plans on both buses: a simulation changes nothing; activating a plan saves all its changes
at once, announces them and re-routes the open leads that now belong elsewhere, with the reason."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from shared.clock import FixedClock
from shared.db.plumbing import outbox
from shared.events import catalog as ev
from shared.testing import auth_headers, build_event, eventually
from shared.testing.backends import Backend
from shared.testing.harness import RunningService, running_service
from tests.territory.conftest import OPS, published

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
NORTH = {"id": "west-north", "name": "West, 9xxxx", "priority": 5, "rep_ids": ["cy"], "rules": [{"conditions": [
    {"field": "region", "op": "eq", "value": "west"}, {"field": "postal_code", "op": "prefix", "value": "9"}]}]}


async def _setup(backend: Backend, client) -> None:  # type: ignore[no-untyped-def]
    for rep_id in ("ana", "bo", "cy"):
        body = {"id": rep_id, "name": rep_id, "email": f"{rep_id}@example.com", "capacity": 10}
        assert (await client.post("/v1/reps", headers=OPS, json=body)).status_code == 201
    for tid, rep_id in (("west", "ana"), ("east", "bo")):
        body = {"id": tid, "name": tid, "rep_ids": [rep_id],
                "rules": [{"conditions": [{"field": "region", "op": "eq", "value": tid}]}]}
        assert (await client.post("/v1/territories", headers=OPS, json=body)).status_code == 201
    for lead_id, region, postal in (("W1", "west", "10001"), ("W2", "west", "94107"), ("E1", "east", "02110")):
        event = build_event("coxswain.lead.created.v1", ev.LeadCreated(
            lead_id=lead_id, region=region, postal_code=postal, created_at=NOW), subject=lead_id)
        await backend.produce_raw(backend.topic("coxswain.leads"), lead_id, event.model_dump_json().encode())
    deal = build_event("coxswain.deal.created.v1", ev.DealCreated(
        deal_id="D1", name="D1", amount=Decimal("500.00"), currency="USD", owner_id="ana", pipeline_id="p",
        stage_id="s", probability=20, forecast_category="pipeline", lead_id="W2", territory_id="west",
        created_at=NOW), subject="D1")
    await backend.produce_raw(backend.topic("coxswain.pipeline"), "D1", deal.model_dump_json().encode())

    async def ready() -> dict:
        return (await client.get("/v1/coverage", headers=OPS)).json()
    await eventually(ready, until=lambda c: sum(t["open_leads"] for t in c["territories"]) == 3
                     and any(t["open_pipeline"] for t in c["territories"]))


async def _outbox_rows(service: RunningService) -> int:
    async with service.runtime.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(outbox))).scalar_one())


def _pick(rows: list[dict], key: str, value: str) -> dict:
    return next(r for r in rows if r[key] == value)


async def test_a_simulation_changes_nothing(backend: Backend) -> None:
    async with running_service("territory", database_url=await backend.database_url("territory"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus,
                               clock=FixedClock(NOW)) as territory:
        client = territory.client
        await _setup(backend, client)
        coverage_before = (await client.get("/v1/coverage", headers=OPS)).json()
        rows_before = await _outbox_rows(territory)
        sim = await client.post("/v1/simulations", headers=auth_headers("manager"), json={"upsert": [NORTH]})
        assert sim.status_code == 200, sim.text
        body = sim.json()
        # W2 (west, 94107) matches west-north (priority 5 over west's 0) and goes to its only member, cy.
        assert [(m["lead_id"], m["from_territory"], m["to_territory"], m["from_rep"], m["to_rep"])
                for m in body["moves"]] == [("W2", "west", "west-north", "ana", "cy")]
        west, north = _pick(body["territories"], "territory_id", "west"), _pick(
            body["territories"], "territory_id", "west-north")
        assert (west["before"]["open_leads"], west["after"]["open_leads"]) == (2, 1)
        assert (north["before"], north["after"]["open_leads"]) == (None, 1)
        assert (west["before"]["open_pipeline"], west["after"]["open_pipeline"]) == ({"USD": "500.00"}, {})
        assert north["after"]["open_pipeline"] == {"USD": "500.00"}  # D1 follows its lead W2
        ana, cy = _pick(body["reps"], "rep_id", "ana"), _pick(body["reps"], "rep_id", "cy")
        assert (ana["before"]["open_leads"], ana["after"]["open_leads"]) == (2, 1)
        assert (cy["before"]["open_leads"], cy["after"]["open_leads"]) == (0, 1)

        assert (await client.get("/v1/coverage", headers=OPS)).json() == coverage_before
        assert await _outbox_rows(territory) == rows_before
        assert (await client.get("/v1/territories/west-north", headers=OPS)).status_code == 404
        assert (await client.post("/v1/simulations", headers=auth_headers("rep", rep_id="ana"),
                                  json={"upsert": [NORTH]})).status_code == 403
        bad = await client.post("/v1/simulations", headers=OPS, json={"upsert": [{**NORTH, "rep_ids": ["ghost"]}]})
        assert bad.status_code == 422 and "ghost" in bad.json()["detail"]


async def test_activating_a_plan_reroutes_open_leads(backend: Backend) -> None:
    async with running_service("territory", database_url=await backend.database_url("territory"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus,
                               clock=FixedClock(NOW)) as territory:
        client = territory.client
        await _setup(backend, client)
        drafted = await client.post("/v1/plans", headers=OPS, json={"name": "FY27", "upsert": [NORTH]})
        assert drafted.status_code == 201 and drafted.json()["status"] == "planning"
        plan_id = drafted.json()["id"]
        edited = await client.put(f"/v1/plans/{plan_id}", headers=OPS,
                                  json={"name": "FY27 v2", "upsert": [NORTH], "remove": []})
        assert edited.json()["version"] == 2
        assert (await client.get("/v1/territories/west-north", headers=OPS)).status_code == 404  # not live yet
        preview = (await client.post(f"/v1/plans/{plan_id}/simulate", headers=OPS)).json()
        assert [m["lead_id"] for m in preview["moves"]] == ["W2"]

        activated = await client.post(f"/v1/plans/{plan_id}/activate", headers=OPS)
        assert activated.status_code == 200, activated.text
        assert activated.json()["plan"]["status"] == "active"
        assert activated.json()["rerouted"] == [{
            "lead_id": "W2", "from_territory": "west", "to_territory": "west-north", "from_rep": "ana",
            "to_rep": "cy", "reason": "plan FY27 v2 activated: matched rule 0 of territory west-north"}]
        assert (await client.post(f"/v1/plans/{plan_id}/activate", headers=OPS)).status_code == 409
        assert (await client.put(f"/v1/plans/{plan_id}", headers=OPS, json={"name": "late"})).status_code == 409

        routed = await eventually(lambda: published(backend, "coxswain.lead.routed.v1"),
                                  until=lambda es: any(e["subject"] == "W2" and int(e["sequence"]) == 2 for e in es))
        again = _pick([e for e in routed if int(e["sequence"]) == 2], "subject", "W2")["data"]
        assert (again["territory_id"], again["rep_id"]) == ("west-north", "cy")
        upserted = await published(backend, "coxswain.territory.upserted.v1")
        assert sorted(e["subject"] for e in upserted) == ["east", "west", "west-north"]  # partitions: any order
        coverage = (await client.get("/v1/coverage", headers=OPS)).json()
        assert _pick(coverage["territories"], "territory_id", "west-north")["open_leads"] == 1
        assert _pick(coverage["reps"], "rep_id", "ana")["open_leads"] == 1
