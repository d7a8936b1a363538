"""Rebuild: replaying the topics from the beginning into an empty database yields exactly the live numbers."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.clock import FixedClock
from shared.events import catalog as ev
from shared.testing import auth_headers, eventually
from shared.testing.backends import Backend, EmbeddedBackend, KafkaBackend
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
    organise,
    quota,
    reopened,
    send,
)

OPS = auth_headers("ops")
METHODS = ("weighted", "category", "historical", "cycle_length")


@pytest.fixture
async def twin(backend: Backend, tmp_path: Path, infrastructure: dict[str, str]) -> AsyncIterator[Backend]:
    """An empty bus of the same kind, with its own topics and databases."""
    if backend.kind == "kafka":
        other: Backend = KafkaBackend(infrastructure["kafka"], infrastructure["pg"])
    else:
        (tmp_path / "twin").mkdir()
        other = EmbeddedBackend(tmp_path / "twin")
    yield other
    await other.close()


async def stream(backend: Backend) -> None:
    await organise(backend)
    await quota(backend, "rep-1", "2026-Q4", "40000.00")
    await quota(backend, "rep-1", "2026-Q4", "45000.00", seq=2)
    await send(backend, PIPELINE, "coxswain.deal.created.v1", "d1", created("d1", "10000.00"), 1)
    await send(backend, PIPELINE, "coxswain.deal.stage_changed.v1", "d1",
               moved("d1", "10000.00", to="s2", probability=60, category="commit"), 2)
    await send(backend, PIPELINE, "coxswain.deal.updated.v1", "d1",
               ev.DealUpdated(deal_id="d1", amount="12000.00", currency="USD"), 3)
    for deal, owner, outcome in (("d2", "rep-2", "won"), ("d3", "rep-1", "lost"), ("d4", "rep-3", "won")):
        await send(backend, PIPELINE, "coxswain.deal.created.v1", deal,
                   created(deal, "3000.00", owner=owner, probability=30, at=day(2)), 1)
        await send(backend, PIPELINE, "coxswain.deal.closed.v1", deal,
                   closed(deal, "3000.00", outcome, owner=owner, at=day(15), created_at=day(2)), 2)
    await send(backend, PIPELINE, "coxswain.deal.closed.v1", "d4", closed("d4", "3000.00", "won", owner="rep-3"), 2)
    await send(backend, PIPELINE, "coxswain.deal.reopened.v1", "d4",
               reopened("d4", stage="s1", probability=10, category="pipeline", amount="3000.00", owner="rep-3"), 3)
    await send(backend, PIPELINE, "coxswain.deal.created.v1", "d5",
               created("d5", "7000.00", owner="rep-2", probability=30, category="best_case"), 1)


async def everything(service: RunningService) -> dict:
    out = {}
    for group_by in ("rep", "team", "territory", "company"):
        for method in METHODS:
            r = await service.client.get("/v1/forecasts", headers=OPS,
                                         params={"period": "2026-Q4", "group_by": group_by, "method": method})
            out[(group_by, method)] = r.json()["items"]
    for deal in ("d1", "d2", "d3", "d4", "d5"):
        out[deal] = (await service.client.get(f"/v1/deals/{deal}/forecast", headers=OPS)).json()
    return out


async def settled(service: RunningService) -> dict:
    """The projection once every event is in: d5 is the last deal event, rep-1's quota the last quota."""
    async def probe() -> dict:
        return await everything(service)

    def done(view: dict) -> bool:
        reps = {r["group"]: r for r in view[("rep", "weighted")]}
        d4 = view["d4"].get("status")
        return "rep-2" in reps and reps["rep-1"]["quota"] == "45000.00" and d4 == "open" and \
            reps["rep-2"]["open_pipeline"] == "7000.00" and "rep-3" in reps and reps["rep-3"]["group"] == "rep-3"
    return await eventually(probe, until=done)


async def test_a_rebuild_from_the_topics_gives_identical_numbers(backend: Backend, twin: Backend) -> None:
    async with running_service("forecast", database_url=await backend.database_url("forecast"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus,
                               clock=FixedClock(NOW)) as live:
        await stream(backend)
        live_view = await settled(live)
    rep1 = {r["group"]: r for r in live_view[("rep", "weighted")]}["rep-1"]
    # rep-1: d1 12,000 × 60% = 7,200 (d3 lost counts nothing)
    assert (rep1["forecast"], rep1["closed_won"], rep1["quota"]) == ("7200.00", "0.00", "45000.00")
    d5 = {m["method"]: m["amount"] for m in live_view["d5"]["methods"]}
    # stage s1 has seen d2 won and d3 lost (d4's win was taken back by its reopen), prior 10 deals at 30%:
    # (1 + 10 × 0.3) / (1 + 1 + 10) = 1/3 → 7,000 / 3 = 2,333.33
    # only won cycle: d2, Oct 2 → Oct 15 = 13 days; d5 is 19 days old → capped at 95% → 6,650.00
    assert (d5["historical"], d5["cycle_length"]) == ("2333.33", "6650.00")
    rep2 = {r["group"]: r for r in live_view[("rep", "cycle_length")]}["rep-2"]
    assert rep2["forecast"] == "9650.00"  # d2's 3,000 won + d5's 6,650 (its creation week is past the cap: old band)
    for topic in (TERRITORY, COMPENSATION, PIPELINE):  # the whole history, replayed into an empty database
        for record in await backend.read_topic(backend.topic(topic)):
            assert record.key is not None and record.value is not None
            await twin.produce_raw(twin.topic(topic), record.key, record.value)
    async with running_service("forecast", database_url=await twin.database_url("forecast"),
                               platform=twin.platform, embedded_bus=twin.embedded_bus,
                               clock=FixedClock(NOW)) as rebuilt:
        assert await settled(rebuilt) == live_view
