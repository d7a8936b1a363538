"""Who sees whose coverage: the one team-visibility rule (shared.visibility) - a manager sees the reps of the
teams they lead and of every team below them, however deep; a rep sees themself; ops see everyone."""
from __future__ import annotations

from shared.testing import auth_headers
from shared.testing.harness import RunningService
from tests.territory.conftest import OPS

TEAMS = ({"id": "emea", "name": "EMEA"}, {"id": "dach", "name": "DACH", "parent_team_id": "emea"},
         {"id": "berlin", "name": "Berlin", "parent_team_id": "dach"}, {"id": "apac", "name": "APAC"})
REPS = {"ana": "emea", "dirk": "dach", "bea": "berlin", "yui": "apac", "solo": None}


async def _organise(territory: RunningService) -> None:
    for team in TEAMS:
        assert (await territory.client.post("/v1/teams", headers=OPS, json=team)).status_code == 201
    for rep_id, team_id in REPS.items():
        body = {"id": rep_id, "name": rep_id, "email": f"{rep_id}@corp.example", "team_id": team_id, "capacity": 5}
        assert (await territory.client.post("/v1/reps", headers=OPS, json=body)).status_code == 201


async def _reps_seen(territory: RunningService, headers: dict[str, str], **params: str) -> list[str]:
    r = await territory.client.get("/v1/coverage", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return [row["rep_id"] for row in r.json()["reps"]]


async def test_a_manager_sees_the_coverage_of_every_team_below_theirs(territory: RunningService) -> None:
    await _organise(territory)
    assert await _reps_seen(territory, auth_headers("manager", team_ids=["emea"])) == ["ana", "bea", "dirk"]
    assert await _reps_seen(territory, auth_headers("manager", team_ids=["dach"])) == ["bea", "dirk"]
    assert await _reps_seen(territory, auth_headers("manager", team_ids=["berlin"])) == ["bea"]
    # the team filter narrows what the manager may see; it never widens it
    assert await _reps_seen(territory, auth_headers("manager", team_ids=["emea"]), team_id="berlin") == ["bea"]
    assert await _reps_seen(territory, auth_headers("manager", team_ids=["dach"]), team_id="apac") == []
    # a manager also sees their own row; a rep's token listing teams sees only themself
    assert await _reps_seen(territory, auth_headers("manager", rep_id="yui", team_ids=["berlin"])) == ["bea", "yui"]
    assert await _reps_seen(territory, auth_headers("rep", rep_id="dirk", team_ids=["emea"])) == ["dirk"]
    assert await _reps_seen(territory, OPS) == ["ana", "bea", "dirk", "solo", "yui"]
