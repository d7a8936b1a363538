"""A parent team's analytics are its own and its sub-teams' (before, a parent team with no reps of its own
read empty funnels and velocity)."""
from __future__ import annotations

from shared.clock import FixedClock
from shared.events import catalog as ev
from shared.testing import build_event, event_bytes, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.pipeline.conftest import OPS, deal_body
from tests.pipeline.test_access import rep_in_team

APRIL = {"period": "2026-04"}


async def test_a_parent_team_rolls_up_its_sub_teams(pipeline: RunningService, embedded_backend: EmbeddedBackend,
                                                    clock: FixedClock) -> None:
    for team, parent in (("amer", None), ("north", "amer"), ("north-east", "north")):
        raw = event_bytes(build_event("coxswain.team.upserted.v1", ev.TeamUpserted(
            team_id=team, name=team.title(), parent_team_id=parent), subject=team))
        await embedded_backend.produce_raw(embedded_backend.topic("coxswain.territory"), team, raw)
    await rep_in_team(embedded_backend, "ana", "north")
    await rep_in_team(embedded_backend, "cy", "north-east")

    async def teams_known() -> list[str | None]:  # probe deals in March (lost at once), until teams are known
        made = [(await pipeline.client.post("/v1/deals", headers=OPS, json=deal_body(owner_id=r))).json()
                for r in ("ana", "cy")]
        for deal in made:
            await pipeline.client.post(f"/v1/deals/{deal['id']}/close", headers=OPS,
                                       json={"outcome": "lost", "lost_reason": "probe"})
        return [d["team_id"] for d in made]

    await eventually(teams_known, until=lambda teams: teams == ["north", "north-east"])
    clock.advance(days=31)  # April: ana's 1,000 stays open, cy's 1,000 is won
    c = pipeline.client
    await c.post("/v1/deals", headers=OPS, json=deal_body(owner_id="ana"))
    cy = (await c.post("/v1/deals", headers=OPS, json=deal_body(owner_id="cy"))).json()
    assert (await c.post(f"/v1/deals/{cy['id']}/close", headers=OPS, json={"outcome": "won"})).status_code == 200

    async def funnel(team: str) -> list[tuple[str, int]]:
        r = await c.get("/v1/analytics/funnel", headers=OPS, params={**APRIL, "team_id": team})
        return [(s["stage_id"], s["entered"]) for s in r.json()["stages"]]

    async def velocity(team: str) -> list[tuple[int, int]]:
        r = await c.get("/v1/analytics/velocity", headers=OPS, params={**APRIL, "team_id": team})
        return [(v["open_deals"], v["won"]) for v in r.json()["items"]]

    # north-east: cy's won deal alone, counted through every stage up to won
    assert await funnel("north-east") == [("qualification", 1), ("discovery", 1), ("proposal", 1),
                                          ("negotiation", 1), ("closed_won", 1)]
    # north and amer: ana's open deal and cy's won one (amer has no rep of its own)
    for team in ("north", "amer"):
        assert await funnel(team) == [("qualification", 2), ("discovery", 1), ("proposal", 1),
                                      ("negotiation", 1), ("closed_won", 1)]
        assert await velocity(team) == [(1, 1)]  # open now: ana's; won in April: cy's
    assert await velocity("north-east") == [(0, 1)]
