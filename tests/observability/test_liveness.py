"""/livez fails when the relay or the consumer has work waiting and does not move it (a fake clock stands in
for the minutes); an outage it cannot help does not fail it; /readyz answers on the database alone."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from services.leads import handlers
from shared.clock import FixedClock
from shared.db.engine import make_engine
from shared.events import catalog as ev
from shared.observability.progress import GroupProgress, RelayProgress, StallWatch
from shared.settings import PlatformSettings
from shared.testing import build_event, event_bytes, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService, running_service
from tests.leads.conftest import OPS
from tests.observability.conftest import T0, sample, scrape

STUCK_AFTER = 180.0  # the default of COXSWAIN_LIVENESS_STUCK_SECONDS


class FakeRelay:
    def __init__(self, pending: int, clock: FixedClock) -> None:
        self.running, self._pending = True, pending
        self.last_attempt: datetime | None = clock.now()

    async def pending(self) -> int:
        return self._pending


class FakeGroup:
    """Offsets as a lag monitor reads them; None while the broker is away."""

    def __init__(self) -> None:
        self.offsets: dict[tuple[str, int], tuple[int, int]] | None = {("coxswain.leads", 0): (10, 5)}

    async def __call__(self) -> dict[tuple[str, int], tuple[int, int]] | None:
        return self.offsets


@pytest.mark.unit
async def test_a_relay_whose_attempt_never_returns_is_stuck_after_the_threshold() -> None:
    clock = FixedClock(T0)
    relay = FakeRelay(pending=3, clock=clock)
    watch = StallWatch([RelayProgress(relay)], clock=clock, stuck_after=STUCK_AFTER)
    assert await watch.stuck() == {"relay": False}
    clock.advance(seconds=180)
    assert await watch.stuck() == {"relay": False}  # exactly the threshold: not yet
    clock.advance(seconds=1)
    assert await watch.stuck() == {"relay": True}
    relay.last_attempt = clock.now()  # it came back to life
    assert await watch.stuck() == {"relay": False}


@pytest.mark.unit
async def test_a_relay_that_keeps_trying_or_has_nothing_to_send_is_alive() -> None:
    clock = FixedClock(T0)
    relay = FakeRelay(pending=3, clock=clock)
    watch = StallWatch([RelayProgress(relay)], clock=clock, stuck_after=STUCK_AFTER)
    await watch.stuck()
    for _ in range(10):  # a broker outage of 10 minutes, the relay failing and retrying all along
        clock.advance(seconds=60)
        relay.last_attempt = clock.now()
        assert await watch.stuck() == {"relay": False}
    relay.last_attempt, relay._pending = T0, 0  # hung, but nothing waits: nothing to restart for
    assert await watch.stuck() == {"relay": False}
    relay.running, relay._pending = False, 3  # not run in this process (an API-only one)
    assert await watch.stuck() == {"relay": False}


@pytest.mark.unit
async def test_a_group_whose_position_stands_while_records_wait_is_stuck() -> None:
    clock, offsets = FixedClock(T0), FakeGroup()
    group = GroupProgress("consumer:leads", offsets, clock=clock)
    watch = StallWatch([group], clock=clock, stuck_after=STUCK_AFTER)
    assert await watch.stuck() == {"consumer:leads": False}
    clock.advance(seconds=100)
    offsets.offsets = {("coxswain.leads", 0): (12, 3)}  # moved by two
    assert await watch.stuck() == {"consumer:leads": False}
    clock.advance(seconds=179)
    assert await watch.stuck() == {"consumer:leads": False}  # 179 s since it last moved
    clock.advance(seconds=2)
    assert await watch.stuck() == {"consumer:leads": True}  # 181 s
    assert group.last_progress() == T0 + timedelta(seconds=100)


@pytest.mark.unit
async def test_a_broker_or_database_outage_is_not_a_stall_and_restarts_the_count() -> None:
    clock, offsets = FixedClock(T0), FakeGroup()
    watch = StallWatch([GroupProgress("consumer:leads", offsets, clock=clock)], clock=clock, stuck_after=STUCK_AFTER)
    await watch.stuck()
    offsets.offsets = None  # the broker goes away for five minutes: lag cannot be read
    clock.advance(seconds=300)
    assert await watch.stuck() == {"consumer:leads": False}
    offsets.offsets = {("coxswain.leads", 0): (10, 5)}  # back; the consumer has 180 s from now to move
    assert await watch.stuck() == {"consumer:leads": False}
    clock.advance(seconds=170)  # 170 s without progress, then its database goes down
    assert await watch.stuck(dependencies_up=False) == {"consumer:leads": False}  # its database is down
    clock.advance(seconds=10)
    assert await watch.stuck() == {"consumer:leads": False}  # the database is back: the count starts again
    clock.advance(seconds=180)
    assert await watch.stuck() == {"consumer:leads": False}
    clock.advance(seconds=1)
    assert await watch.stuck() == {"consumer:leads": True}


@pytest.mark.embedded
async def test_livez_fails_when_the_relay_hangs(leads: RunningService, clock: FixedClock) -> None:
    entered = asyncio.Event()

    async def hangs(records: object) -> None:
        entered.set()
        await asyncio.Event().wait()

    leads.runtime.publisher.publish = hangs  # type: ignore[method-assign]
    assert (await leads.client.post("/v1/leads", headers=OPS, json={"email": "a@prospect.example"})).status_code == 201
    await asyncio.wait_for(entered.wait(), timeout=60)
    assert (await leads.client.get("/livez")).status_code == 200  # work waits, but only just
    clock.advance(seconds=STUCK_AFTER + 1)
    response = await leads.client.get("/livez")
    assert (response.status_code, response.json()["stuck"]) == (503, ["relay"])
    assert sample(await scrape(leads), "coxswain_worker_stuck", worker="relay") == 1


@pytest.mark.embedded
async def test_livez_holds_while_the_relay_keeps_retrying_a_broker_that_is_away(
        leads: RunningService, clock: FixedClock) -> None:
    async def broker_away(records: object) -> None:
        raise ConnectionError("broker away")

    leads.runtime.publisher.publish = broker_away  # type: ignore[method-assign]
    assert (await leads.client.post("/v1/leads", headers=OPS, json={"email": "a@prospect.example"})).status_code == 201
    assert (await leads.client.get("/livez")).status_code == 200
    clock.advance(seconds=STUCK_AFTER + 1)
    relay = leads.runtime.relay
    await eventually(lambda: asyncio.sleep(0, relay.last_attempt), until=lambda at: at == clock.now())
    assert (await leads.client.get("/livez")).status_code == 200
    assert await relay.pending() == 1


@pytest.mark.embedded
async def test_livez_fails_when_the_consumer_hangs(leads: RunningService, clock: FixedClock,
                                                   embedded_backend: EmbeddedBackend,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    entered = asyncio.Event()

    async def hangs(event: object, uow: object) -> None:
        entered.set()
        await asyncio.Event().wait()

    monkeypatch.setitem(handlers.EVENT_HANDLERS, "coxswain.rep.upserted.v1", hangs)
    event = build_event("coxswain.rep.upserted.v1", subject="ana",
                        data=ev.RepUpserted(rep_id="ana", name="Ana", email="ana@corp.example", capacity=5))
    await embedded_backend.produce_raw("coxswain.territory", "ana", event_bytes(event))
    await asyncio.wait_for(entered.wait(), timeout=60)
    assert (await leads.client.get("/livez")).status_code == 200
    clock.advance(seconds=STUCK_AFTER + 1)
    response = await leads.client.get("/livez")
    assert (response.status_code, response.json()["stuck"]) == (503, ["consumer:leads"])
    samples = await scrape(leads)
    assert sample(samples, "coxswain_consumer_lag", group="leads", topic="coxswain.territory", partition="0") == 1


@pytest.mark.embedded
async def test_readyz_stays_ready_with_the_broker_down_and_writes_go_to_the_outbox(tmp_path: Path) -> None:
    # Nothing listens on this port of the range kept for this suite: a broker that is down.
    platform = PlatformSettings(bus="kafka", kafka_bootstrap="127.0.0.1:19399", environment="test",
                                namespace="obs-down", json_logs=False, rate_limit_per_minute=0)
    async with running_service("leads", database_url=f"sqlite+aiosqlite:///{tmp_path / 'leads.db'}",
                               platform=platform, clock=FixedClock(T0), sla_sweep_seconds=3600) as leads:
        ready = await leads.client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": True, "bus": False}
        assert (await leads.client.get("/livez")).status_code == 200  # lag unknown is not a stall
        created = await leads.client.post("/v1/leads", headers=OPS, json={"email": "a@prospect.example"})
        assert created.status_code == 201
        samples = await scrape(leads)
        assert sample(samples, "coxswain_outbox_depth") == 1
        assert sample(samples, "coxswain_dependency_up", dependency="bus") == 0
        assert sample(samples, "coxswain_dependency_up", dependency="database") == 1


@pytest.mark.embedded
async def test_readyz_fails_without_the_database(leads: RunningService) -> None:
    await leads.runtime.engine.dispose()
    # A database nobody answers for (a port of this suite's range where nothing listens).
    leads.runtime.engine = make_engine("postgresql+asyncpg://coxswain:coxswain@127.0.0.1:19398/leads")
    response = await leads.client.get("/readyz")
    assert (response.status_code, response.json()["checks"]["database"]) == (503, False)
