"""A rep sees and changes their own deals; a manager their team's (teams known from territory's rep events)."""
from __future__ import annotations

from shared.events import catalog as ev
from shared.testing import auth_headers, build_event, event_bytes, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.pipeline.conftest import OPS, deal_body

ANA = auth_headers("rep", rep_id="ana")
BEN = auth_headers("rep", rep_id="ben")
MANAGER = auth_headers("manager", rep_id="mia", team_ids=["north"])


async def rep_in_team(backend: EmbeddedBackend, rep_id: str, team_id: str) -> None:
    raw = event_bytes(build_event("coxswain.rep.upserted.v1", ev.RepUpserted(
        rep_id=rep_id, name=rep_id.title(), email=f"{rep_id}@example.com", team_id=team_id, capacity=10),
        subject=rep_id))
    await backend.produce_raw(backend.topic("coxswain.territory"), rep_id, raw)


async def test_a_rep_sees_and_changes_only_their_own_deals(pipeline: RunningService) -> None:
    c = pipeline.client
    mine = (await c.post("/v1/deals", headers=ANA, json=deal_body(owner_id="ana"))).json()
    assert (await c.post("/v1/deals", headers=ANA, json=deal_body(owner_id="ben"))).status_code == 403
    theirs = (await c.post("/v1/deals", headers=OPS, json=deal_body(owner_id="ben"))).json()
    assert [d["id"] for d in (await c.get("/v1/deals", headers=ANA)).json()["items"]] == [mine["id"]]
    assert (await c.get(f"/v1/deals/{theirs['id']}", headers=ANA)).status_code == 404
    moved = await c.post(f"/v1/deals/{theirs['id']}/stage", headers=ANA, json={"stage_id": "proposal"})
    assert moved.status_code == 404
    assert (await c.get(f"/v1/deals/{theirs['id']}", headers=OPS)).json()["version"] == 1
    assert (await c.post(f"/v1/deals/{mine['id']}/stage", headers=ANA, json={"stage_id": "proposal"})
            ).status_code == 200
    handed = await c.patch(f"/v1/deals/{mine['id']}", headers=ANA, json={"owner_id": "ben"})
    assert handed.status_code == 403  # a rep cannot give a deal away to someone they do not act for


async def test_a_manager_sees_and_changes_their_teams_deals(pipeline: RunningService,
                                                           embedded_backend: EmbeddedBackend) -> None:
    c = pipeline.client
    await rep_in_team(embedded_backend, "ana", "north")
    await rep_in_team(embedded_backend, "ben", "south")
    north = (await c.post("/v1/deals", headers=OPS, json=deal_body(owner_id="ana"))).json()
    south = (await c.post("/v1/deals", headers=OPS, json=deal_body(owner_id="ben"))).json()

    async def visible() -> list[str]:
        return [d["id"] for d in (await c.get("/v1/deals", headers=MANAGER)).json()["items"]]

    assert await eventually(visible) == [north["id"]]
    assert (await c.get(f"/v1/deals/{south['id']}", headers=MANAGER)).status_code == 404
    closed = await c.post(f"/v1/deals/{north['id']}/close", headers=MANAGER, json={"outcome": "won"})
    assert closed.status_code == 200
    made = await c.post("/v1/deals", headers=MANAGER, json=deal_body(owner_id="ana"))
    assert (made.status_code, made.json()["team_id"]) == (201, "north")
    assert (await c.post("/v1/deals", headers=MANAGER, json=deal_body(owner_id="ben"))).status_code == 403
    funnel = await c.get("/v1/analytics/funnel", headers=MANAGER, params={"period": "2026-03", "rep_id": "ana"})
    assert (funnel.json()["scope"], funnel.json()["stages"][0]["entered"]) == ("rep:ana", 2)
    other = await c.get("/v1/analytics/funnel", headers=MANAGER, params={"period": "2026-03", "rep_id": "ben"})
    assert other.status_code == 403


async def test_a_manager_also_sees_the_teams_below_theirs(pipeline: RunningService,
                                                          embedded_backend: EmbeddedBackend) -> None:
    team = event_bytes(build_event("coxswain.team.upserted.v1", ev.TeamUpserted(
        team_id="north-east", name="North East", parent_team_id="north"), subject="north-east"))
    await embedded_backend.produce_raw(embedded_backend.topic("coxswain.territory"), "north-east", team)
    await rep_in_team(embedded_backend, "cy", "north-east")
    below = (await pipeline.client.post("/v1/deals", headers=OPS, json=deal_body(owner_id="cy"))).json()

    async def visible() -> list[str]:
        return [d["id"] for d in (await pipeline.client.get("/v1/deals", headers=MANAGER)).json()["items"]]

    assert await eventually(visible) == [below["id"]]
    moved = await pipeline.client.post(f"/v1/deals/{below['id']}/stage", headers=MANAGER,
                                       json={"stage_id": "proposal"})
    assert moved.status_code == 200
