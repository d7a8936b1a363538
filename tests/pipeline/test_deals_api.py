"""/v1/deals: the life of a deal over HTTP, its events, versions, history, lists and validation."""
from __future__ import annotations

from shared.clock import FixedClock
from shared.testing import eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.pipeline.conftest import OPS, deal_body, published


async def test_a_deal_through_its_stages_to_won_announces_each_step_in_order(
        pipeline: RunningService, embedded_backend: EmbeddedBackend, clock: FixedClock) -> None:
    c = pipeline.client
    deal = (await c.post("/v1/deals", headers=OPS, json=deal_body(
        expected_close_date="2026-04-30", territory_id="emea", company="Acme",
        splits=[{"rep_id": "ana", "percent": "70"}, {"rep_id": "ben", "percent": "30"}]))).json()
    clock.advance(days=3)
    await c.post(f"/v1/deals/{deal['id']}/stage", headers=OPS, json={"stage_id": "proposal"})
    await c.patch(f"/v1/deals/{deal['id']}", headers=OPS, json={"amount": "1250.00", "version": 2})
    clock.advance(days=4)
    won = await c.post(f"/v1/deals/{deal['id']}/close", headers=OPS, json={"outcome": "won"})
    assert (won.status_code, won.json()["version"], won.headers["etag"]) == (200, 4, '"4"')
    reopened = await c.post(f"/v1/deals/{deal['id']}/reopen", headers=OPS)
    assert (reopened.json()["stage_id"], reopened.json()["status"]) == ("proposal", "open")

    async def mine() -> list[dict]:
        return [e for e in await published(embedded_backend) if e["subject"] == deal["id"]]

    events = await eventually(mine, until=lambda found: len(found) >= 5)
    assert [(e["type"], int(e["sequence"])) for e in events] == [
        ("coxswain.deal.created.v1", 1), ("coxswain.deal.stage_changed.v1", 2), ("coxswain.deal.updated.v1", 3),
        ("coxswain.deal.closed.v1", 4), ("coxswain.deal.reopened.v1", 5)]
    created, moved, updated, closed, back = (e["data"] for e in events)
    assert (created["stage_id"], created["probability"], created["territory_id"], created["company"]) == (
        "qualification", 10, "emea", "Acme")
    assert (moved["from_stage_id"], moved["to_stage_id"], moved["probability"], moved["forecast_category"]) == (
        "qualification", "proposal", 50, "best_case")
    assert (updated["amount"], updated["currency"], updated.get("owner_id")) == ("1250.00", "USD", None)
    assert (closed["outcome"], closed["amount"], closed["closed_at"]) == ("won", "1250.00", "2026-03-09T09:00:00Z")
    assert closed["splits"] == [{"rep_id": "ana", "percent": "70"}, {"rep_id": "ben", "percent": "30"}]
    assert (back["stage_id"], back["reopened_at"]) == ("proposal", "2026-03-09T09:00:00Z")


async def test_a_stale_write_is_refused_never_a_silent_overwrite(pipeline: RunningService) -> None:
    c = pipeline.client
    deal = (await c.post("/v1/deals", headers=OPS, json=deal_body())).json()
    first = await c.patch(f"/v1/deals/{deal['id']}", headers={**OPS, "If-Match": '"1"'}, json={"amount": "2000.00"})
    assert (first.status_code, first.headers["ETag"]) == (200, '"2"')
    # A stale If-Match is a failed precondition (412); a stale `version` in the body a conflict (409).
    for attempt, status in [
        (c.patch(f"/v1/deals/{deal['id']}", headers={**OPS, "If-Match": '"1"'}, json={"amount": "3000.00"}), 412),
        (c.patch(f"/v1/deals/{deal['id']}", headers={**OPS, "If-Match": 'W/"1"'}, json={"amount": "3000.00"}), 412),
        (c.patch(f"/v1/deals/{deal['id']}", headers=OPS, json={"amount": "3000.00", "version": 1}), 409),
        (c.post(f"/v1/deals/{deal['id']}/stage", headers=OPS, json={"stage_id": "proposal", "version": 1}), 409),
        (c.post(f"/v1/deals/{deal['id']}/stage", headers={**OPS, "If-Match": '"1"'}, json={"stage_id": "proposal"}),
         412),
        (c.post(f"/v1/deals/{deal['id']}/close", headers={**OPS, "If-Match": "1"}, json={"outcome": "won"}), 412),
    ]:
        answer = await attempt
        assert (answer.status_code, answer.headers["content-type"]) == (status, "application/problem+json"), answer.text
    now = (await c.get(f"/v1/deals/{deal['id']}", headers=OPS)).json()
    assert (now["amount"], now["version"], now["stage_id"], now["status"]) == ("2000.00", 2, "qualification", "open")


async def test_a_deal_carries_its_version_as_etag_and_an_unchanged_one_is_a_304(pipeline: RunningService) -> None:
    c = pipeline.client
    created = await c.post("/v1/deals", headers=OPS, json=deal_body())
    deal_id = created.json()["id"]
    assert created.headers["ETag"] == '"1"'
    read = await c.get(f"/v1/deals/{deal_id}", headers=OPS)
    assert (read.status_code, read.headers["ETag"]) == (200, '"1"')
    unchanged = await c.get(f"/v1/deals/{deal_id}", headers={**OPS, "If-None-Match": 'W/"1"'})
    assert (unchanged.status_code, unchanged.content, unchanged.headers["ETag"]) == (304, b"", '"1"')
    moved = await c.post(f"/v1/deals/{deal_id}/stage", headers={**OPS, "If-Match": read.headers["ETag"]},
                         json={"stage_id": "proposal"})
    assert (moved.status_code, moved.headers["ETag"]) == (200, '"2"')
    changed = await c.get(f"/v1/deals/{deal_id}", headers={**OPS, "If-None-Match": '"1"'})
    assert (changed.status_code, changed.json()["version"]) == (200, 2)


async def test_bad_deal_input_is_a_422_naming_the_field(pipeline: RunningService) -> None:
    c = pipeline.client
    cases = [
        (deal_body(splits=[{"rep_id": "ana", "percent": "60"}, {"rep_id": "ben", "percent": "30"}]), "splits"),
        (deal_body(amount="10.123"), "amount"),
        (deal_body(amount=10.5), "amount"),
        (deal_body(currency="usd"), "currency"),
        (deal_body(expected_close_date="soon"), "expected_close_date"),
        (deal_body(stage_id="closed_won"), "stage_id"),
    ]
    for body, field in cases:
        answer = await c.post("/v1/deals", headers=OPS, json=body)
        assert (answer.status_code, answer.json()["errors"][0]["field"]) == (422, field), answer.text
    deal = (await c.post("/v1/deals", headers=OPS, json=deal_body())).json()
    for body, field in [({"name": None}, "name"), ({"forecast_category": "maybe"}, "forecast_category"),
                        ({"stage": "x"}, "stage")]:
        answer = await c.patch(f"/v1/deals/{deal['id']}", headers=OPS, json=body)
        assert (answer.status_code, answer.json()["errors"][0]["field"]) == (422, field), answer.text
    lost = await c.post(f"/v1/deals/{deal['id']}/close", headers=OPS, json={"outcome": "lost"})
    assert (lost.status_code, lost.json()["errors"][0]["field"]) == (422, "lost_reason")
    bad_match = await c.patch(f"/v1/deals/{deal['id']}", headers={**OPS, "If-Match": "abc"}, json={"name": "N"})
    assert (bad_match.status_code, bad_match.json()["errors"][0]["field"]) == (400, "If-Match")
    assert (await c.get("/v1/deals/nope", headers=OPS)).status_code == 404


async def test_a_category_set_by_hand_is_kept_through_a_stage_change(pipeline: RunningService) -> None:
    c = pipeline.client
    deal = (await c.post("/v1/deals", headers=OPS, json=deal_body())).json()
    await c.patch(f"/v1/deals/{deal['id']}", headers=OPS, json={"forecast_category": "commit"})
    moved = (await c.post(f"/v1/deals/{deal['id']}/stage", headers=OPS, json={"stage_id": "discovery"})).json()
    assert (moved["forecast_category"], moved["probability"]) == ("commit", 25)  # discovery alone says pipeline
    cleared = (await c.patch(f"/v1/deals/{deal['id']}", headers=OPS, json={"forecast_category": None})).json()
    assert cleared["forecast_category"] == "pipeline"


async def test_history_says_who_when_from_to_and_time_in_each_stage(pipeline: RunningService,
                                                                     clock: FixedClock) -> None:
    c = pipeline.client
    deal = (await c.post("/v1/deals", headers=OPS, json=deal_body())).json()
    clock.advance(hours=30)
    await c.post(f"/v1/deals/{deal['id']}/stage", headers=OPS, json={"stage_id": "negotiation"})
    clock.advance(hours=12)
    await c.post(f"/v1/deals/{deal['id']}/stage", headers=OPS, json={"stage_id": "discovery"})
    clock.advance(hours=6)
    history = (await c.get(f"/v1/deals/{deal['id']}/history", headers=OPS)).json()
    assert [(i["kind"], i["actor"], i["from_stage_id"], i["to_stage_id"], i["seconds_in_from_stage"], i["detail"])
            for i in history["items"]] == [
        ("created", "test-ops", None, "qualification", None, None),
        ("stage_changed", "test-ops", "qualification", "negotiation", 108_000, "forward"),  # 30 h
        ("stage_changed", "test-ops", "negotiation", "discovery", 43_200, "back"),  # 12 h
    ]
    # qualification 30 h = 1.25 days, negotiation 12 h = 0.50, discovery 6 h so far = 0.25
    assert [(t["stage_id"], t["seconds"], t["days"]) for t in history["time_in_stages"]] == [
        ("qualification", 108_000, "1.25"), ("negotiation", 43_200, "0.50"), ("discovery", 21_600, "0.25")]


async def test_lists_filter_and_page_with_a_cursor(pipeline: RunningService) -> None:
    c = pipeline.client
    ids = []
    for i, owner in enumerate(["ana", "ben", "ana", "ana"]):
        made = await c.post("/v1/deals", headers=OPS, json=deal_body(owner_id=owner, name=f"D{i}",
                                                                      expected_close_date=f"2026-0{i + 3}-15"))
        ids.append(made.json()["id"])
    await c.post(f"/v1/deals/{ids[3]}/close", headers=OPS, json={"outcome": "lost", "lost_reason": "budget"})
    page = await c.get("/v1/deals", headers=OPS, params={"owner_id": "ana", "status": "open", "limit": 1})
    second = await c.get("/v1/deals", headers=OPS, params={"owner_id": "ana", "status": "open", "limit": 1,
                                                           "cursor": page.json()["next_cursor"]})
    assert second.json()["next_cursor"] is None
    assert sorted([page.json()["items"][0]["id"], second.json()["items"][0]["id"]]) == sorted([ids[0], ids[2]])
    closing = await c.get("/v1/deals", headers=OPS, params={"closing_from": "2026-04-01", "closing_to": "2026-05-31"})
    assert sorted(d["name"] for d in closing.json()["items"]) == ["D1", "D2"]
    assert (await c.get("/v1/deals", headers=OPS, params={"cursor": "%%%"})).status_code == 400
