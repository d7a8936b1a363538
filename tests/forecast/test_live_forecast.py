"""A deal moving through stages moves the forecast at each step, on real Kafka + PostgreSQL and on the
embedded bus: a duplicate, the same fact under a new event id, an out-of-order event, a close and a reopen."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from shared.clock import FixedClock
from shared.events import catalog as ev
from shared.testing import auth_headers, eventually
from shared.testing.backends import Backend
from shared.testing.harness import RunningService, running_service
from tests.forecast.streams import (
    COMPENSATION,
    NOW,
    PIPELINE,
    TERRITORY,
    closed,
    created,
    day,
    moved,
    quota,
    reopened,
    send,
)

OPS = auth_headers("ops")
CREATED, MOVED = "coxswain.deal.created.v1", "coxswain.deal.stage_changed.v1"
UPDATED, CLOSED, REOPENED = "coxswain.deal.updated.v1", "coxswain.deal.closed.v1", "coxswain.deal.reopened.v1"


@pytest.fixture
async def forecast(backend: Backend) -> AsyncIterator[RunningService]:
    async with running_service("forecast", database_url=await backend.database_url("forecast"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus,
                               clock=FixedClock(NOW)) as service:
        yield service


async def rep_row(service: RunningService, method: str = "weighted", **params: Any) -> dict:
    r = await service.client.get("/v1/forecasts", headers=OPS,
                                 params={"period": "2026-Q4", "method": method, **params})
    assert r.status_code == 200, r.text
    rows = [i for i in r.json()["items"] if i["group"] == "rep-1"]
    return rows[0] if rows else {}


async def until(service: RunningService, **expected: str) -> dict:
    return await eventually(lambda: rep_row(service), until=lambda r: all(r.get(k) == v for k, v in expected.items()))


async def test_a_deal_moving_through_stages(backend: Backend, forecast: RunningService) -> None:
    await quota(backend, "rep-1", "2026-Q4", "40000.00")
    first = await send(backend, PIPELINE, CREATED, "d1", created("d1", "10000.00"), 1)
    # 10,000 × 10% = 1,000
    await until(forecast, forecast="1000.00", open_pipeline="10000.00", closed_won="0.00", quota="40000.00")

    second = await send(backend, PIPELINE, MOVED, "d1", moved("d1", "10000.00", to="s2", probability=60,
                                                             category="commit"), 2)
    await backend.produce_raw(backend.topic(PIPELINE), "d1", first)  # the same record delivered again
    await backend.produce_raw(backend.topic(PIPELINE), "d1", second)
    await send(backend, PIPELINE, MOVED, "d1", moved("d1", "10000.00", to="s2", probability=60,
                                                     category="commit"), 2)  # same fact, new event id
    # 10,000 × 60% = 6,000, counted once
    row = await until(forecast, forecast="6000.00", open_pipeline="10000.00")
    # coverage: 10,000 open ÷ (40,000 − 0) = 0.25
    assert (row["attainment"], row["coverage"]) == ("0.0000", "0.2500")

    await send(backend, PIPELINE, UPDATED, "d1", ev.DealUpdated(deal_id="d1", amount="12000.00", currency="USD"), 4)
    await send(backend, PIPELINE, MOVED, "d1", moved("d1", "10000.00", to="s1", probability=10,
                                                     category="pipeline", frm="s2"), 3)  # older: skipped
    await send(backend, PIPELINE, CREATED, "d2", created("d2", "500.00", probability=50), 1)  # marks the end
    # d1 12,000 × 60% = 7,200 (the stale move back to s1 changed nothing) + d2 500 × 50% = 250
    await until(forecast, forecast="7450.00", open_pipeline="12500.00")
    cat = await rep_row(forecast, "category")
    # commit 12,000 (d1); pipeline 12,500 (d1 + d2, both open)
    assert cat["forecast"] == "12000.00" and cat["categories"]["pipeline"] == "12500.00"

    await send(backend, PIPELINE, CLOSED, "d1", closed("d1", "12000.00", "won"), 5)
    # won 12,000 + d2's 250 = 12,250; attainment 12,000 ÷ 40,000 = 0.3; coverage 500 ÷ 28,000 = 0.0179
    row = await until(forecast, forecast="12250.00", closed_won="12000.00", open_pipeline="500.00")
    assert (row["attainment"], row["coverage"]) == ("0.3000", "0.0179")

    await send(backend, PIPELINE, REOPENED, "d1", reopened("d1", stage="s2", probability=60, category="commit",
                                                           amount="12000.00"), 6)
    # back to open: 12,000 × 60% + 250 = 7,450 and nothing won
    await until(forecast, forecast="7450.00", closed_won="0.00", open_pipeline="12500.00")

    deal = (await forecast.client.get("/v1/deals/d1/forecast", headers=OPS)).json()
    by_method = {m["method"]: m for m in deal["methods"]}
    assert by_method["weighted"]["amount"] == "7200.00"  # 12,000 × 60%
    assert by_method["category"]["amount"] == "12000.00"  # commit counts whole
    # cycle: no deal won any more → default 90 days; created Oct 1, today Oct 20 → 19/90 × 12,000 = 2,533.33
    assert by_method["cycle_length"]["amount"] == "2533.33"
    # historical: s2 saw 1 win then lost it again on reopen → no history: 60% prior → 7,200
    assert by_method["historical"]["amount"] == "7200.00"


async def test_a_point_in_time_forecast_replays_the_history(backend: Backend, forecast: RunningService) -> None:
    for team in ("west", "east"):
        await send(backend, TERRITORY, "coxswain.team.upserted.v1", team, ev.TeamUpserted(team_id=team, name=team),
                   at=day(1))
    for seq, (team, when) in enumerate((("west", day(1)), ("east", day(10))), start=1):  # rep-1 moves on the 10th
        await send(backend, TERRITORY, "coxswain.rep.upserted.v1", "rep-1", ev.RepUpserted(
            rep_id="rep-1", name="Ana", email="ana@example.com", team_id=team, capacity=5), seq, at=when)
    await send(backend, COMPENSATION, "coxswain.quota.set.v1", "rep-1:2026-Q4", ev.QuotaSet(
        rep_id="rep-1", period="2026-Q4", amount="40000.00", currency="USD"), 1, at=day(2))
    await send(backend, COMPENSATION, "coxswain.quota.set.v1", "rep-1:2026-Q4", ev.QuotaSet(
        rep_id="rep-1", period="2026-Q4", amount="50000.00", currency="USD"), 2, at=day(8))
    await send(backend, PIPELINE, CREATED, "d1", created("d1", "10000.00"), 1, at=day(1))
    await send(backend, PIPELINE, MOVED, "d1", moved("d1", "10000.00", to="s2", probability=60,
                                                     category="commit"), 2, at=day(5))
    await until(forecast, forecast="6000.00", quota="50000.00")
    # what we thought on October 3rd: 10,000 × 10% = 1,000, against the 40,000 quota then
    past = await rep_row(forecast, as_of="2026-10-03T00:00:00Z")
    assert (past["forecast"], past["open_pipeline"], past["quota"]) == ("1000.00", "10000.00", "40000.00")
    teams = await forecast.client.get("/v1/forecasts", headers=OPS, params={
        "period": "2026-Q4", "group_by": "team", "as_of": "2026-10-03T00:00:00Z"})
    assert [(i["group"], i["forecast"]) for i in teams.json()["items"]] == [("west", "1000.00")]  # rep-1 was in west
    now = await eventually(lambda: forecast.client.get("/v1/forecasts", headers=OPS, params={
        "period": "2026-Q4", "group_by": "team"}), until=lambda r: r.json()["items"][:1] and
        r.json()["items"][0]["group"] == "east")
    assert [(i["group"], i["forecast"]) for i in now.json()["items"]] == [("east", "6000.00")]
    assert await rep_row(forecast, as_of="2026-09-30T00:00:00Z") == {}  # before the deal existed
    bad = await forecast.client.get("/v1/forecasts", headers=OPS, params={"period": "2026-Q4", "as_of": "soon"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("as_of")
