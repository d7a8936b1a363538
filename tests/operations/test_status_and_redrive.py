"""Status and dead letters on both buses, against real services: lag per partition, outbox depth and age,
last applied event, dead-letter counts; a dead letter redriven twice once its cause is fixed is applied once."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from shared.clock import FixedClock
from shared.db.plumbing import plumbing_metadata
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent
from shared.operations.buses import open_store
from shared.operations.dead_letters import DeadLetterFilter, list_dead_letters, redrive
from shared.operations.status import ServiceView, collect_status
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.testing import eventually
from shared.testing.backends import Backend
from tests.integration.spine_fixture import TallySettings, metadata, quota_event, record_quota, tally_count

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
CONSUMES = ("coxswain.compensation",)


@asynccontextmanager
async def _tally(backend: Backend, database_url: str, clock: FixedClock, *, handler=record_quota,  # type: ignore[no-untyped-def]
                 start: bool = True) -> AsyncIterator[ServiceRuntime]:
    spec = ServiceSpec(name="forecast", metadata=metadata, handlers={"coxswain.quota.set.v1": handler},
                       consumes=CONSUMES, migrations_dir=None)  # type: ignore[arg-type]
    runtime = ServiceRuntime(spec, TallySettings(database_url=database_url, platform=backend.platform,
                                                 migrate_on_start=False),
                             clock=clock, embedded_bus=backend.embedded_bus)
    async with runtime.engine.begin() as conn:
        await conn.run_sync(plumbing_metadata.create_all)
        await conn.run_sync(metadata.create_all)
    await runtime.start(relay=start, consumer=start, workers=False)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def _status(backend: Backend, url: str, clock: FixedClock):  # type: ignore[no-untyped-def]
    report = await collect_status(backend.platform, [ServiceView("forecast", CONSUMES, url)],
                                  embedded_bus=backend.embedded_bus, clock=clock)
    return report.services[0], report.dead_letters


async def test_status_shows_lag_outbox_age_and_last_applied(backend: Backend) -> None:
    clock, url = FixedClock(T0), await backend.database_url("forecast")
    topic = backend.topic("coxswain.compensation")
    for n in range(3):  # three records nobody has consumed yet
        await backend.produce_raw(topic, f"rep-{n}", quota_event(f"rep-{n}", 10, 1).model_dump_json().encode())
    async with _tally(backend, url, clock, start=False) as idle:  # neither relay nor consumer running
        for rep in ("ana", "bo"):
            async with idle.uow() as uow:
                await uow.emit("coxswain.quota.set.v1", subject=rep, data=quota_event(rep, 5, 1).data)
                await uow.commit()
    clock.advance(seconds=90)
    before, _ = await _status(backend, url, clock)
    # Three records waiting over the topic's partitions; two rows unpublished since T0, 90 s ago.
    assert (before.lag, before.outbox_depth, before.oldest_unpublished_seconds) == (3, 2, 90.0)
    assert before.last_applied_at is None and before.errors == []
    assert {p.topic for p in before.partitions} == {topic}

    async with _tally(backend, url, clock) as running:  # relay and consumer: 3 + the 2 it publishes itself
        await eventually(lambda: tally_count(running), until=lambda n: n == 5)
        await eventually(running.relay.pending, until=lambda n: n == 0)
        await eventually(running.consumer.lag, until=lambda n: n == 0)
    after, _ = await _status(backend, url, clock)
    assert (after.lag, after.outbox_depth, after.oldest_unpublished_seconds) == (0, 0, None)
    assert after.last_applied_at == clock.now()


async def test_a_dead_letter_redriven_twice_after_the_fix_is_applied_once(backend: Backend) -> None:
    clock, url = FixedClock(T0), await backend.database_url("forecast")
    plan_loaded = False

    async def needs_a_plan(event: CloudEvent, uow: UnitOfWork) -> None:
        if not plan_loaded:
            raise LookupError(f"no plan for {event.data.rep_id}")
        await record_quota(event, uow)

    async with _tally(backend, url, clock, handler=needs_a_plan) as runtime:
        event = quota_event("ana", 700, 1)
        await backend.produce_raw(backend.topic("coxswain.compensation"), "ana", event.model_dump_json().encode())
        async with open_store(backend.platform, backend.embedded_bus) as store:
            letters = await eventually(lambda: list_dead_letters(store, backend.platform,
                                                                 DeadLetterFilter(group="forecast")))
            assert [(x.event_id, x.group, x.original_topic) for x in letters] == [
                (str(event.id), backend.platform.group("forecast"), backend.topic("coxswain.compensation"))]
            assert letters[0].reason == "handler failed after 3 attempts: LookupError('no plan for ana')"
            _, counts = await _status(backend, url, clock)
            assert [(c.group, c.count) for c in counts] == [(backend.platform.group("forecast"), 1)]

            plan_loaded = True  # the cause is fixed
            assert await redrive(store, letters) == 1
            await eventually(lambda: tally_count(runtime), until=lambda n: n == 1)
            assert await redrive(store, letters) == 1  # an operator redrives it again
            duplicates = runtime.metrics.events_handled.labels(type="coxswain.quota.set.v1", outcome="duplicate")

            async def refused() -> float:
                return float(duplicates._value.get())

            await eventually(refused, until=lambda n: n == 1)
            assert await tally_count(runtime) == 1  # applied once: 700.00 for ana, not 1,400.00
