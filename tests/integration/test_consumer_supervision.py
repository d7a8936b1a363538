"""The runner's supervisor outlives whatever aiokafka does to one consumer: a start (bootstrap, metadata,
group join) that never finishes is bounded and retried, and a CancelledError raised from inside aiokafka
(as its `stop()` does after a long broker outage) replaces that consumer instead of silently ending the
supervisor - which is how a group used to stay without members, restart counter stuck at 1."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from shared.events import encode_event
from shared.messaging.kafka_consumer import KafkaConsumerRunner
from shared.runtime import ServiceRuntime
from shared.testing import eventually
from shared.testing.backends import KafkaBackend
from tests.integration.spine_fixture import quota_event, tally_count, tally_rows, tally_runtime


def _runner(runtime: ServiceRuntime, cls: type[KafkaConsumerRunner], bootstrap: str) -> KafkaConsumerRunner:
    return cls(bootstrap=bootstrap, group=runtime.group, topics=runtime.topics, dispatcher=runtime.dispatcher,
               dead_letters=runtime.publisher, metrics=runtime.metrics, stall_seconds=3, start_timeout_seconds=3)


async def _five_events_applied_once(kafka_backend: KafkaBackend, make: Callable[..., KafkaConsumerRunner]) -> Any:
    topic = kafka_backend.topic("coxswain.compensation")
    for i in range(5):
        await kafka_backend.produce_raw(topic, f"rep-{i}", encode_event(quota_event(f"rep-{i}", i, 1)))
    url = await kafka_backend.database_url("forecast")
    async with tally_runtime(url, kafka_backend.platform, consume=False) as runtime:
        runner = make(runtime)
        task = asyncio.create_task(runner.run())
        try:
            await eventually(lambda: tally_count(runtime), until=lambda n: n == 5, timeout=120)
            await eventually(runner.lag, until=lambda lag: lag == 0)
            rows = await tally_rows(runtime)
            assert not task.done() and not runner.stuck
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert sorted(int(amount) for _, _, amount in rows) == [0, 1, 2, 3, 4]
    return runner


class CancelledInsideStop(KafkaConsumerRunner):
    """Its first consumer fetches nothing although records wait, and its stop raises CancelledError."""

    made = 0

    def _new_consumer(self) -> AIOKafkaConsumer:
        consumer = super()._new_consumer()
        CancelledInsideStop.made += 1
        if CancelledInsideStop.made == 1:
            real_stop = consumer.stop

            async def nothing(*args: Any, **kwargs: Any) -> Any:
                await asyncio.sleep(0.05)
                return {}

            async def stop_then_cancelled() -> None:
                await real_stop()
                raise asyncio.CancelledError()

            consumer.getmany = nothing  # type: ignore[method-assign]
            consumer.stop = stop_then_cancelled  # type: ignore[method-assign]
        return consumer


class StartNeverFinishes(KafkaConsumerRunner):
    """Its first consumer's start hangs forever (a group join that never completes)."""

    made = 0

    def _new_consumer(self) -> AIOKafkaConsumer:
        consumer = super()._new_consumer()
        StartNeverFinishes.made += 1
        if StartNeverFinishes.made == 1:
            async def hang() -> None:
                await asyncio.Event().wait()

            consumer.start = hang  # type: ignore[method-assign]
        return consumer


@pytest.mark.integration
async def test_a_cancel_raised_inside_aiokafka_replaces_the_consumer_not_the_supervisor(
        kafka_backend: KafkaBackend) -> None:
    bootstrap = kafka_backend.platform.kafka_bootstrap
    runner = await _five_events_applied_once(kafka_backend, lambda rt: _runner(rt, CancelledInsideStop, bootstrap))
    assert CancelledInsideStop.made == 2  # the stalled one, then a healthy one
    assert runner.restarts == 1 and runner._metrics.consumer_restarts._value.get() == 1
    assert runner.last_failure is not None and "no progress" in runner.last_failure  # then stop raised a cancel


@pytest.mark.integration
async def test_a_start_that_never_finishes_is_bounded_and_retried(kafka_backend: KafkaBackend) -> None:
    bootstrap = kafka_backend.platform.kafka_bootstrap
    runner = await _five_events_applied_once(kafka_backend, lambda rt: _runner(rt, StartNeverFinishes, bootstrap))
    assert StartNeverFinishes.made == 2
    assert runner.restarts == 1


@pytest.mark.unit
def test_stuck_means_records_wait_and_nothing_moves_for_the_stall_time() -> None:
    runner = KafkaConsumerRunner(bootstrap="127.0.0.1:1", group="g", topics=["t"], dispatcher=None,  # type: ignore
                                 dead_letters=None, metrics=None, stall_seconds=30)  # type: ignore[arg-type]
    runner.last_progress -= 31
    runner.work_waits = None  # the broker is away: nothing is known to wait, restarting would not help
    assert not runner.stuck
    runner.work_waits = True  # records wait behind a consumer that does not apply them
    assert runner.stuck
    runner.mark_progress()
    assert not runner.stuck and runner.last_progress_age() < 30
