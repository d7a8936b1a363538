"""Rollups along the team and territory hierarchies, quota and attainment per group, who sees what,
and manager adjustments (both numbers shown, every adjustment kept)."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.clock import FixedClock
from shared.testing import auth_headers, eventually
from shared.testing.backends import Backend
from shared.testing.harness import RunningService, running_service
from tests.forecast.streams import NOW, PIPELINE, created, organise, quota, send

OPS = auth_headers("ops")
REP1, REP2 = auth_headers("rep", rep_id="rep-1"), auth_headers("rep", rep_id="rep-2")
WEST = auth_headers("manager", rep_id="mgr-west", team_ids=["west"])
AMERICAS = auth_headers("manager", rep_id="mgr-amer", team_ids=["americas"])


@pytest.fixture
async def forecast(backend: Backend) -> AsyncIterator[RunningService]:
    async with running_service("forecast", database_url=await backend.database_url("forecast"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus,
                               clock=FixedClock(NOW)) as service:
        await organise(backend)
        for rep, amount in (("rep-1", "20000.00"), ("rep-2", "10000.00"), ("rep-3", "5000.00")):
            await quota(backend, rep, "2026-Q4", amount)
        await send(backend, PIPELINE, "coxswain.deal.created.v1", "d1", created("d1", "10000.00", probability=50))
        await send(backend, PIPELINE, "coxswain.deal.created.v1", "d2",
                   created("d2", "4000.00", owner="rep-2", probability=25))
        await send(backend, PIPELINE, "coxswain.deal.created.v1", "d3",
                   created("d3", "2000.00", owner="rep-3", probability=100, category="commit",
                           territory="t-amer", company="Globex"))
        await eventually(lambda: table(service, "team"), until=lambda t: t.get("americas", {}).get(
            "forecast") == "8000.00" and t["americas"].get("quota") == "35000.00")
        yield service


async def table(service: RunningService, group_by: str, headers: dict | None = None) -> dict[str, dict]:
    r = await service.client.get("/v1/forecasts", headers=headers or OPS,
                                 params={"period": "2026-Q4", "group_by": group_by})
    assert r.status_code == 200, r.text
    return {i["group"]: i for i in r.json()["items"]}


def figures(rows: dict[str, dict]) -> dict[str, tuple]:
    return {g: (r["forecast"], r["open_pipeline"], r["quota"], r["coverage"]) for g, r in rows.items()}


async def test_teams_territories_and_companies_roll_up(forecast: RunningService) -> None:
    # weighted: rep-1 10,000 × 50% = 5,000; rep-2 4,000 × 25% = 1,000; rep-3 2,000 × 100% = 2,000
    # coverage = open ÷ quota still to close: 10,000/20,000; 4,000/10,000; 2,000/5,000; 14,000/30,000; 16,000/35,000
    assert figures(await table(forecast, "rep")) == {
        "rep-1": ("5000.00", "10000.00", "20000.00", "0.5000"),
        "rep-2": ("1000.00", "4000.00", "10000.00", "0.4000"),
        "rep-3": ("2000.00", "2000.00", "5000.00", "0.4000")}
    # west = rep-1 + rep-2; americas = west + rep-3
    assert figures(await table(forecast, "team")) == {
        "west": ("6000.00", "14000.00", "30000.00", "0.4667"),
        "americas": ("8000.00", "16000.00", "35000.00", "0.4571")}
    # t-west holds d1, d2 and reps 1, 2; t-amer adds d3 and rep-3
    assert figures(await table(forecast, "territory")) == {
        "t-west": ("6000.00", "14000.00", "30000.00", "0.4667"),
        "t-amer": ("8000.00", "16000.00", "35000.00", "0.4571")}
    assert figures(await table(forecast, "company")) == {
        "Acme": ("6000.00", "14000.00", None, None), "Globex": ("2000.00", "2000.00", None, None)}


async def test_a_rep_sees_their_own_and_a_manager_their_teams(forecast: RunningService) -> None:
    assert list(await table(forecast, "rep", REP1)) == ["rep-1"]
    assert list(await table(forecast, "rep", WEST)) == ["rep-1", "rep-2"]
    assert list(await table(forecast, "team", WEST)) == ["west"]
    assert list(await table(forecast, "team", AMERICAS)) == ["americas", "west"]
    denied = await forecast.client.get("/v1/forecasts", headers=REP1, params={"period": "2026-Q4", "group_by": "team"})
    assert denied.status_code == 403 and denied.json()["errors"][0]["field"] == "group_by"
    assert (await forecast.client.get("/v1/deals/d1/forecast", headers=REP2)).status_code == 404
    assert (await forecast.client.get("/v1/deals/d1/forecast", headers=WEST)).status_code == 200
    assert (await forecast.client.get("/v1/deals/d3/forecast", headers=WEST)).status_code == 404
    bad = await forecast.client.get("/v1/forecasts", headers=OPS, params={"period": "2026-Q9"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("period")


async def test_a_manager_adjusts_with_a_note_and_every_adjustment_is_kept(forecast: RunningService) -> None:
    body = {"period": "2026-Q4", "group_by": "rep", "group": "rep-1", "amount": "5500.00", "currency": "USD",
            "note": "verbal yes from Acme's CFO"}
    assert (await forecast.client.post("/v1/adjustments", headers=WEST, json=body)).status_code == 201
    second = await forecast.client.post("/v1/adjustments", headers=WEST, json={**body, "amount": "5800.00",
                                                                               "note": "legal review done"})
    assert second.status_code == 201, second.text
    row = (await table(forecast, "rep"))["rep-1"]
    assert (row["forecast"], row["adjusted_forecast"]) == ("5000.00", "5800.00")  # both numbers shown
    assert row["adjustment"]["note"] == "legal review done"
    history = await forecast.client.get("/v1/adjustments", headers=OPS, params={"period": "2026-Q4"})
    assert [(a["amount"], a["note"]) for a in history.json()["items"]] == [
        ("5500.00", "verbal yes from Acme's CFO"), ("5800.00", "legal review done")]
    first = (await forecast.client.get("/v1/adjustments", headers=OPS, params={"period": "2026-Q4", "limit": 1})).json()
    assert [a["amount"] for a in first["items"]] == ["5500.00"] and first["next_cursor"]
    rest = (await forecast.client.get("/v1/adjustments", headers=OPS, params={
        "period": "2026-Q4", "limit": 1, "cursor": first["next_cursor"]})).json()
    assert [a["amount"] for a in rest["items"]] == ["5800.00"] and rest["next_cursor"] is None
    assert (await forecast.client.get("/v1/adjustments", headers=OPS, params={
        "period": "2026-Q4", "cursor": "nonsense"})).status_code == 400
    foreign = await forecast.client.post("/v1/adjustments", headers=WEST, json={**body, "group": "rep-3"})
    assert foreign.status_code == 403
    assert (await forecast.client.post("/v1/adjustments", headers=REP1, json=body)).status_code == 403
    no_note = await forecast.client.post("/v1/adjustments", headers=OPS, json={**body, "note": ""})
    assert no_note.status_code == 422 and no_note.json()["errors"][0]["field"] == "note"
