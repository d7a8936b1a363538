"""Territories over HTTP: rules, hierarchy, membership, validation that saves nothing, and the match."""
from __future__ import annotations

from shared.testing import eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.territory.conftest import OPS, REP, published

US_SMB = {"id": "us-smb", "name": "US SMB", "parent_id": "na", "priority": 10, "rules": [
    {"conditions": [{"field": "country", "op": "eq", "value": "US"},
                    {"field": "employee_count", "op": "range", "value": {"min": 1, "max": 200}}]}]}


async def _org(client) -> None:  # type: ignore[no-untyped-def]
    for rep_id in ("ana", "bo"):
        body = {"id": rep_id, "name": rep_id.title(), "email": f"{rep_id}@example.com", "capacity": 10}
        assert (await client.post("/v1/reps", headers=OPS, json=body)).status_code == 201
    na = {"id": "na", "name": "North America", "rules": [
        {"conditions": [{"field": "country", "op": "in", "value": ["US", "CA"]}]}]}
    assert (await client.post("/v1/territories", headers=OPS, json=na)).status_code == 201


async def test_territory_is_saved_announced_and_matched(territory: RunningService,
                                                        embedded_backend: EmbeddedBackend) -> None:
    client = territory.client
    await _org(client)
    created = await client.post("/v1/territories", headers=OPS, json={**US_SMB, "rep_ids": ["ana"]})
    assert created.status_code == 201, created.text
    assert created.json()["rules"][0]["conditions"][0] == {"field": "country", "op": "eq", "value": "us"}
    members = await client.put("/v1/territories/us-smb/reps", headers=OPS, json={"rep_ids": ["bo", "ana"]})
    assert members.status_code == 200 and members.json()["rep_ids"] == ["bo", "ana"]

    # A 120-person US company: both na (country in US/CA) and us-smb match; us-smb has priority 10 > 0.
    match = await client.get("/v1/territories/match", headers=REP, params={"country": "us", "employee_count": 120})
    assert match.json()["territory_id"] == "us-smb" and match.json()["rule_index"] == 0
    assert match.json()["rule"]["conditions"][1]["value"] == {"min": 1, "max": 200}
    big = await client.get("/v1/territories/match", headers=REP, params={"country": "US", "employee_count": 500})
    assert big.json()["territory_id"] == "na"
    nowhere = await client.get("/v1/territories/match", headers=REP, params={"country": "FR"})
    assert nowhere.json()["territory_id"] is None
    bad = await client.get("/v1/territories/match", headers=REP, params={"employee_count": "lots"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "employee_count"

    events = await eventually(lambda: published(embedded_backend, "coxswain.territory.upserted.v1"),
                              until=lambda e: len(e) == 3)
    assert [(e["subject"], int(e["sequence"]), e["data"]["rep_ids"]) for e in events] == [
        ("na", 1, []), ("us-smb", 1, ["ana"]), ("us-smb", 2, ["bo", "ana"])]
    assert events[1]["data"]["priority"] == 10 and events[1]["data"]["parent_id"] == "na"


async def test_invalid_territories_name_the_problem_and_save_nothing(territory: RunningService) -> None:
    client = territory.client
    await _org(client)
    cases = [
        ({"rules": [{"conditions": [{"field": "shoe_size", "op": "eq", "value": 9}]}]},
         "rules[0].conditions[0].field", "unknown field 'shoe_size'"),
        ({"rules": [{"conditions": [{"field": "country", "op": "like", "value": "U"}]}]},
         "rules[0].conditions[0].op", "unknown op 'like'"),
        ({"rules": [{"conditions": [{"field": "employee_count", "op": "range", "value": {"min": 500, "max": 10}}]}]},
         "rules[0].conditions[0].value", "range min 500 is above max 10"),
        ({"parent_id": "nowhere"}, "parent_id", "nowhere does not exist"),
        ({"rep_ids": ["ana", "ghost"]}, "rep_ids", "unknown rep(s): ghost"),
    ]
    for change, field, message in cases:
        bad = await client.post("/v1/territories", headers=OPS, json={**US_SMB, **change})
        assert bad.status_code == 422, bad.text
        assert bad.json()["errors"][0]["field"] == field
        assert message in bad.json()["errors"][0]["message"]
    listed = (await client.get("/v1/territories", headers=OPS)).json()["items"]
    assert [t["id"] for t in listed] == ["na"]


async def test_parent_cycle_is_refused_and_leaves_both_unchanged(territory: RunningService) -> None:
    client = territory.client
    await _org(client)
    assert (await client.post("/v1/territories", headers=OPS, json=US_SMB)).status_code == 201
    cycle = await client.put("/v1/territories/na", headers=OPS, json={"name": "NA", "parent_id": "us-smb"})
    assert cycle.status_code == 422 and cycle.json()["errors"][0]["field"] == "parent_id"
    assert "cycle" in cycle.json()["errors"][0]["message"]
    na = (await client.get("/v1/territories/na", headers=OPS)).json()
    assert (na["name"], na["parent_id"], na["version"]) == ("North America", None, 1)
    unknown = await client.put("/v1/territories/us-smb/reps", headers=OPS, json={"rep_ids": ["ghost"]})
    assert unknown.status_code == 422 and "ghost" in unknown.json()["detail"]
    assert (await client.get("/v1/territories/us-smb", headers=OPS)).json()["rep_ids"] == []


async def test_delete_refuses_a_parent_and_announces_deletion(territory: RunningService,
                                                               embedded_backend: EmbeddedBackend) -> None:
    client = territory.client
    await _org(client)
    assert (await client.post("/v1/territories", headers=OPS, json=US_SMB)).status_code == 201
    assert (await client.delete("/v1/territories/na", headers=OPS)).status_code == 409
    assert (await client.delete("/v1/territories/us-smb", headers=REP)).status_code == 403
    assert (await client.delete("/v1/territories/us-smb", headers=OPS)).status_code == 204
    assert (await client.get("/v1/territories/us-smb", headers=OPS)).status_code == 404
    deleted = await eventually(lambda: published(embedded_backend, "coxswain.territory.deleted.v1"))
    assert [(e["subject"], int(e["sequence"])) for e in deleted] == [("us-smb", 2)]
    # Re-created under the same id: its events go on from 3, so no consumer takes them for stale ones.
    assert (await client.post("/v1/territories", headers=OPS, json=US_SMB)).status_code == 201
    upserted = await eventually(lambda: published(embedded_backend, "coxswain.territory.upserted.v1"),
                                until=lambda events: len([e for e in events if e["subject"] == "us-smb"]) == 2)
    assert [int(e["sequence"]) for e in upserted if e["subject"] == "us-smb"] == [1, 3]


async def test_only_one_default_territory(territory: RunningService) -> None:
    client = territory.client
    first = {"id": "rest", "name": "Rest of world", "is_default": True}
    assert (await client.post("/v1/territories", headers=OPS, json=first)).status_code == 201
    second = await client.post("/v1/territories", headers=OPS, json={**first, "id": "other"})
    assert second.status_code == 409 and "rest" in second.json()["detail"]
    caught = await client.get("/v1/territories/match", headers=OPS, params={"country": "JP"})
    assert caught.json()["territory_id"] == "rest" and caught.json()["rule"] is None
