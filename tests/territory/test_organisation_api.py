"""Reps and teams over HTTP: validation, authorisation, and the events other services rely on."""
from __future__ import annotations

from shared.testing import eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.territory.conftest import MANAGER, OPS, REP, published

ANA = {"id": "ana", "name": "Ana Ruiz", "email": "ana@example.com", "capacity": 20, "segments": ["smb"]}


async def test_rep_lifecycle_emits_upserts_and_deactivation(territory: RunningService,
                                                            embedded_backend: EmbeddedBackend) -> None:
    client = territory.client
    team = await client.post("/v1/teams", headers=OPS, json={"id": "emea", "name": "EMEA"})
    assert team.status_code == 201, team.text
    created = await client.post("/v1/reps", headers=OPS, json={**ANA, "team_id": "emea"})
    assert created.status_code == 201, created.text
    deactivated = await client.post("/v1/reps/ana/deactivate", headers=OPS)
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False

    events = await eventually(lambda: published(embedded_backend, "coxswain.rep.upserted.v1"),
                              until=lambda e: len(e) == 2)
    assert [(e["subject"], int(e["sequence"]), e["data"]["active"]) for e in events] == [
        ("ana", 1, True), ("ana", 2, False)]
    assert events[0]["data"]["capacity"] == 20 and events[0]["data"]["team_id"] == "emea"
    team_events = await published(embedded_backend, "coxswain.team.upserted.v1")
    assert [e["data"]["team_id"] for e in team_events] == ["emea"]


async def test_rep_validation_names_the_field(territory: RunningService) -> None:
    client = territory.client
    no_team = await client.post("/v1/reps", headers=OPS, json={**ANA, "team_id": "ghost"})
    assert no_team.status_code == 422
    assert no_team.json()["errors"] == [{"field": "team_id", "message": "team ghost does not exist"}]
    negative = await client.post("/v1/reps", headers=OPS, json={**ANA, "capacity": -1})
    assert negative.status_code == 422 and negative.json()["errors"][0]["field"] == "capacity"
    assert (await client.post("/v1/reps", headers=OPS, json=ANA)).status_code == 201
    again = await client.post("/v1/reps", headers=OPS, json=ANA)
    assert again.status_code == 409
    assert (await client.get("/v1/reps/nobody", headers=OPS)).status_code == 404


async def test_team_cycle_and_unknown_manager_are_refused(territory: RunningService) -> None:
    client = territory.client
    assert (await client.post("/v1/teams", headers=OPS, json={"id": "world", "name": "World"})).status_code == 201
    assert (await client.post("/v1/teams", headers=OPS,
                              json={"id": "emea", "name": "EMEA", "parent_team_id": "world"})).status_code == 201
    cycle = await client.put("/v1/teams/world", headers=OPS, json={"name": "World", "parent_team_id": "emea"})
    assert cycle.status_code == 422 and cycle.json()["errors"][0]["field"] == "parent_team_id"
    assert "cycle" in cycle.json()["errors"][0]["message"]
    manager = await client.put("/v1/teams/emea", headers=OPS, json={"name": "EMEA", "manager_rep_id": "ghost"})
    assert manager.status_code == 422 and manager.json()["errors"][0]["field"] == "manager_rep_id"
    teams = (await client.get("/v1/teams", headers=OPS)).json()["items"]
    assert [(t["id"], t["parent_team_id"], t["manager_rep_id"]) for t in teams] == [
        ("emea", "world", None), ("world", None, None)]


async def test_managers_and_reps_read_but_do_not_change(territory: RunningService) -> None:
    client = territory.client
    assert (await client.post("/v1/reps", headers=OPS, json=ANA)).status_code == 201
    for who in (MANAGER, REP):
        assert (await client.post("/v1/reps", headers=who, json={**ANA, "id": "bo"})).status_code == 403
        assert (await client.put("/v1/reps/ana", headers=who, json=ANA)).status_code == 403
        listed = await client.get("/v1/reps", headers=who)
        assert listed.status_code == 200 and [r["id"] for r in listed.json()["items"]] == ["ana"]
    assert (await client.get("/v1/reps")).status_code == 401


async def test_rep_list_pages_and_filters(territory: RunningService) -> None:
    client = territory.client
    for rep_id in ("c", "a", "b"):
        body = {**ANA, "id": rep_id, "email": f"{rep_id}@example.com", "active": rep_id != "b"}
        assert (await client.post("/v1/reps", headers=OPS, json=body)).status_code == 201
    first = (await client.get("/v1/reps", headers=OPS, params={"limit": 2})).json()
    assert [r["id"] for r in first["items"]] == ["a", "b"]
    second = (await client.get("/v1/reps", headers=OPS, params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [r["id"] for r in second["items"]] == ["c"] and second["next_cursor"] is None
    active = (await client.get("/v1/reps", headers=OPS, params={"active": "false"})).json()["items"]
    assert [r["id"] for r in active] == ["b"]
