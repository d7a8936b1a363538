"""The watchdog restarts a consumer that stops making progress (aiokafka can stall after a broker restart or
a rejoin), and nothing is lost or doubled by the restart."""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiokafka import AIOKafkaConsumer

from shared.events import encode_event
from shared.messaging.kafka_consumer import KafkaConsumerRunner
from shared.testing import eventually
from shared.testing.backends import KafkaBackend
from tests.integration.spine_fixture import quota_event, tally_count, tally_rows, tally_runtime


class StallingRunner(KafkaConsumerRunner):
    """Its first consumer never returns from a fetch; its second returns nothing although records wait."""

    made = 0

    def _new_consumer(self) -> AIOKafkaConsumer:
        consumer = super()._new_consumer()
        StallingRunner.made += 1
        if StallingRunner.made == 1:
            async def hang(*args: Any, **kwargs: Any) -> Any:
                await asyncio.Event().wait()
            consumer.getmany = hang  # type: ignore[method-assign]
        elif StallingRunner.made == 2:
            async def nothing(*args: Any, **kwargs: Any) -> Any:
                await asyncio.sleep(0.05)
                return {}
            consumer.getmany = nothing  # type: ignore[method-assign]
        return consumer


async def test_a_consumer_that_hangs_or_fetches_nothing_despite_lag_is_restarted(kafka_backend: KafkaBackend) -> None:
    topic = kafka_backend.topic("coxswain.compensation")
    for i in range(5):  # lag waiting before the consumer starts
        await kafka_backend.produce_raw(topic, f"rep-{i}", encode_event(quota_event(f"rep-{i}", i, 1)))
    url = await kafka_backend.database_url("forecast")
    async with tally_runtime(url, kafka_backend.platform, consume=False) as runtime:
        runner = StallingRunner(bootstrap=kafka_backend.platform.kafka_bootstrap, group=runtime.group,
                                topics=runtime.topics, dispatcher=runtime.dispatcher, dead_letters=runtime.publisher,
                                metrics=runtime.metrics, stall_seconds=3)
        task = asyncio.create_task(runner.run())
        try:
            await eventually(lambda: tally_count(runtime), until=lambda n: n == 5, timeout=120)
            await eventually(runner.lag, until=lambda lag: lag == 0)
            rows = await tally_rows(runtime)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert StallingRunner.made == 3  # hung, then empty-handed with lag, then healthy
    assert runtime.metrics.consumer_restarts._value.get() == 2
    assert sorted(int(amount) for _, _, amount in rows) == [0, 1, 2, 3, 4]
