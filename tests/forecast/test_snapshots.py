"""Snapshots on demand and on the weekly schedule (emitted as forecast.snapshot_taken), and accuracy."""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from services.forecast.workers import take_scheduled_snapshots
from shared.clock import FixedClock
from shared.testing import auth_headers, eventually
from shared.testing.backends import Backend
from shared.testing.harness import RunningService, running_service
from tests.forecast.streams import PIPELINE, closed, created, send

OPS, REP1 = auth_headers("ops"), auth_headers("rep", rep_id="rep-1")
START = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def forecast(backend: Backend, clock: FixedClock) -> AsyncIterator[RunningService]:
    async with running_service("forecast", database_url=await backend.database_url("forecast"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus, clock=clock,
                               snapshot_schedule=False) as service:
        yield service


async def rep1(service: RunningService) -> dict:
    r = await service.client.get("/v1/forecasts", headers=OPS, params={"period": "2026-Q4"})
    return next((i for i in r.json()["items"] if i["group"] == "rep-1"), {})


async def test_weekly_snapshots_and_the_accuracy_of_each_method(backend: Backend, forecast: RunningService,
                                                                clock: FixedClock) -> None:
    await send(backend, PIPELINE, "coxswain.deal.created.v1", "d1",
               created("d1", "10000.00", probability=50, close=date(2026, 12, 20)), 1)
    await eventually(lambda: rep1(forecast), until=lambda r: r.get("forecast") == "5000.00")
    early = await forecast.client.get("/v1/accuracy", headers=OPS, params={"period": "2026-Q4"})
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "period"

    # two replicas look at once: one takes a snapshot per method (Dec 10, 3 weeks out), the other finds it done
    both = await asyncio.gather(take_scheduled_snapshots(forecast.runtime), take_scheduled_snapshots(forecast.runtime))
    assert sorted(len(taken) for taken in both) == [0, 4]
    assert await take_scheduled_snapshots(forecast.runtime) == []  # not due again the same week
    clock.advance(days=7)
    assert len(await take_scheduled_snapshots(forecast.runtime)) == 4  # Dec 17: (31 − 17) // 7 = 2 weeks out
    await send(backend, PIPELINE, "coxswain.deal.closed.v1", "d1",
               closed("d1", "10000.00", "won", at=datetime(2026, 12, 18, tzinfo=UTC)), 2)
    await eventually(lambda: rep1(forecast), until=lambda r: r.get("closed_won") == "10000.00")

    clock.advance(days=20)  # January 6th: the quarter has ended
    r = await forecast.client.get("/v1/accuracy", headers=OPS, params={"period": "2026-Q4"})
    assert r.status_code == 200, r.text
    scores = {(s["method"], s["weeks_before_end"], s["group_by"]): s for s in r.json()["items"]}
    # weighted called 10,000 × 50% = 5,000 against 10,000 won: error −5,000, 50% off
    weighted = scores[("weighted", 3, "rep")]
    assert (weighted["bias"], weighted["absolute_percentage_error"]) == ("-5000.00", "0.5000")
    # category: d1 sat in pipeline, so the commit call was 0: error −10,000
    assert scores[("category", 2, "rep")]["groups"] == [
        {"group": "rep-1", "currency": "USD", "forecast": "0.00", "actual": "10000.00", "error": "-10000.00"}]

    async def taken_events() -> list[dict]:
        records = await backend.read_topic(backend.topic("coxswain.forecast"))
        return [e for e in map(json.loads, (r.value for r in records if r.value))
                if e["type"] == "coxswain.forecast.snapshot_taken.v1"]

    taken = await eventually(taken_events, until=lambda es: len(es) >= 8)
    assert len(taken) == 8 and {e["data"]["method"] for e in taken} == {
        "weighted", "category", "historical", "cycle_length"}
    weighted_first = next(e for e in taken if e["data"]["method"] == "weighted")
    assert weighted_first["data"]["totals"] == {"USD": "5000.00"}


async def test_a_snapshot_on_demand(forecast: RunningService) -> None:
    r = await forecast.client.post("/v1/snapshots", headers=OPS, json={"period": "2026-Q4", "methods": ["weighted"]})
    assert r.status_code == 201, r.text
    assert [(s["method"], s["trigger"], s["period"]) for s in r.json()] == [("weighted", "demand", "2026-Q4")]
    listed = await forecast.client.get("/v1/snapshots", headers=OPS, params={"period": "2026-Q4"})
    assert [s["snapshot_id"] for s in listed.json()["items"]] == [r.json()[0]["snapshot_id"]]
    assert (await forecast.client.post("/v1/snapshots", headers=REP1, json={})).status_code == 403
    bad = await forecast.client.post("/v1/snapshots", headers=OPS, json={"methods": ["guess"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("methods")
