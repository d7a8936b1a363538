"""One id rule for every way an id enters: a PUT or POST path refuses what the POST body refuses
(NUL, quotes, CR/LF, spaces, 400 characters) with a 422 problem naming the parameter."""
from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import pytest

from shared.testing import auth_headers
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService, running_service

pytestmark = pytest.mark.embedded

OPS = auth_headers("ops")
HOSTILE = ["rep\x00one", 'rep"one', "rep'one", "rep\r\nX-Injected: 1", "r" * 400, "rep one", "<script>"]
REP = {"name": "Ana", "email": "ana@example.com", "capacity": 10}


@pytest.fixture
async def territory(embedded_backend: EmbeddedBackend) -> AsyncIterator[RunningService]:
    async with running_service("territory", database_url=await embedded_backend.database_url("territory"),
                               platform=embedded_backend.platform,
                               embedded_bus=embedded_backend.embedded_bus) as service:
        yield service


@pytest.fixture
async def compensation(embedded_backend: EmbeddedBackend) -> AsyncIterator[RunningService]:
    async with running_service("compensation", database_url=await embedded_backend.database_url("compensation"),
                               platform=embedded_backend.platform,
                               embedded_bus=embedded_backend.embedded_bus) as service:
        yield service


def problem_names(answer: object, parameter: str) -> bool:
    """A 422 naming the path parameter; a NUL anywhere in the path is refused earlier, by the NUL guard (a 400
    naming the path), before any route sees it."""
    body = answer.json()  # type: ignore[attr-defined]
    fields = [e["field"] for e in body["errors"]]
    return (answer.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
            and ((answer.status_code, fields) == (422, [f"path.{parameter}"])  # type: ignore[attr-defined]
                 or (answer.status_code, fields) == (400, ["path"])))  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", HOSTILE)
async def test_territory_paths_refuse_what_post_refuses(territory: RunningService, bad: str) -> None:
    client, path_id = territory.client, quote(bad, safe="")
    refused = await client.post("/v1/reps", headers=OPS, json={**REP, "id": bad})
    assert refused.status_code in (400, 422)  # the POST rule (a NUL is refused by the NUL guard, 400)
    assert problem_names(await client.put(f"/v1/reps/{path_id}", headers=OPS, json=REP), "rep_id")
    assert problem_names(await client.post(f"/v1/reps/{path_id}/deactivate", headers=OPS), "rep_id")
    assert problem_names(await client.put(f"/v1/teams/{path_id}", headers=OPS, json={"name": "T"}), "team_id")
    territory_body = {"name": "T", "rules": []}
    assert problem_names(await client.put(f"/v1/territories/{path_id}", headers=OPS, json=territory_body),
                         "territory_id")
    assert problem_names(await client.put(f"/v1/territories/{path_id}/reps", headers=OPS, json={"rep_ids": []}),
                         "territory_id")
    assert problem_names(await client.delete(f"/v1/territories/{path_id}", headers=OPS), "territory_id")
    reps = (await client.get("/v1/reps", headers=OPS)).json()["items"]
    assert reps == []  # nothing was created under a hostile id


async def test_a_good_id_still_goes_through_put(territory: RunningService) -> None:
    r = await territory.client.put("/v1/reps/rep-7.eu:a_b", headers=OPS, json=REP)
    assert r.status_code == 200 and r.json()["id"] == "rep-7.eu:a_b"


@pytest.mark.parametrize("bad", HOSTILE)
async def test_compensation_paths_refuse_what_post_refuses(compensation: RunningService, bad: str) -> None:
    client, path_id = compensation.client, quote(bad, safe="")
    quota, draw = {"amount": "1000.00", "currency": "USD"}, {"kind": "guarantee", "amount": "100.00", "currency": "USD"}
    assert problem_names(await client.put(f"/v1/quotas/{path_id}/2026-Q4", headers=OPS, json=quota), "rep_id")
    assert problem_names(await client.put(f"/v1/draws/{path_id}", headers=OPS, json=draw), "rep_id")
    assert problem_names(await client.post(f"/v1/plans/{path_id}/assignments", headers=OPS,
                                           json={"rep_id": "rep-1", "starts_on": "2026-01-01"}), "plan_id")
