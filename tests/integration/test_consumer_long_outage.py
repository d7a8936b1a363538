"""The broker stays away for minutes (not seconds) while services keep writing into their outboxes: when it
returns, every consumer rejoins its group on its own and applies every event exactly once.

Before the runner supervised `consumer.start()` (bootstrap, metadata, group join) with a bound, an outage of
about 65 s or more left the group without members for good. Runs its own broker (deploy/kafka scripts with a
private data dir and ports) so stopping it disturbs no other test; the watchdog, session and request
timeouts are shortened by configuration so that the outage length is what matters.
"""
from __future__ import annotations

import asyncio
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.messaging.kafka_consumer import KafkaConsumerRunner
from shared.testing import eventually
from shared.testing.backends import KafkaBackend
from tests.integration.spine_fixture import quota_event, tally_count, tally_rows, tally_runtime

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("COXSWAIN_TEST_CONSUMER_OUTAGE_KAFKA_PORT", "19100"))
OUTAGE_SECONDS = float(os.environ.get("COXSWAIN_TEST_OUTAGE_SECONDS", "90"))
ENV = {**os.environ, "COXSWAIN_INFRA_DIR": str(ROOT / ".infra" / "consumer-outage"),
       "COXSWAIN_KAFKA_PORT": str(PORT), "COXSWAIN_KAFKA_CONTROLLER_PORT": str(PORT + 1)}
log = logging.getLogger("coxswain.test")


def _broker(action: str) -> None:
    subprocess.run(["bash", str(ROOT / "deploy" / "kafka" / f"{action}.sh")], env=ENV, check=True,
                   stdout=subprocess.DEVNULL, timeout=180)


@pytest.fixture
def private_broker() -> Iterator[str]:
    _broker("start")
    try:
        yield f"127.0.0.1:{PORT}"
    finally:
        _broker("stop")


@pytest.mark.integration
@pytest.mark.timeout(600)
async def test_consumers_rejoin_by_themselves_after_a_long_broker_outage(private_broker: str,
                                                                          kafka_backend: KafkaBackend) -> None:
    platform = kafka_backend.platform.model_copy(update={
        "kafka_bootstrap": private_broker, "consumer_stall_seconds": 10, "consumer_start_timeout_seconds": 10,
        "kafka_session_timeout_ms": 6000, "kafka_heartbeat_interval_ms": 1000, "kafka_request_timeout_ms": 5000})
    producer_url = await kafka_backend.database_url("compensation")
    consumer_url = await kafka_backend.database_url("forecast")
    async with tally_runtime(producer_url, platform, name="compensation", consume=False) as producer, \
            tally_runtime(consumer_url, platform) as consumer:

        async def emit(first: int, count: int) -> None:
            for i in range(first, first + count):
                async with producer.uow() as uow:
                    await uow.emit("coxswain.quota.set.v1", subject=f"rep-{i % 4}",
                                   data=quota_event(f"rep-{i % 4}", i, 1).data)
                    await uow.commit()

        await emit(0, 10)
        await eventually(lambda: tally_count(consumer), until=lambda n: n == 10)
        loop = asyncio.get_running_loop()
        down_at = loop.time()
        _broker("stop")
        await emit(10, 10)  # the services keep taking writes into their outboxes
        await asyncio.sleep(OUTAGE_SECONDS / 2)
        await emit(20, 10)
        assert await producer.relay.pending() == 20
        await asyncio.sleep(max(0.0, down_at + OUTAGE_SECONDS - loop.time()))
        _broker("start")
        back_at = loop.time()
        await eventually(lambda: tally_count(consumer), until=lambda n: n >= 30, timeout=180)
        runner = consumer.consumer
        assert isinstance(runner, KafkaConsumerRunner)
        log.warning("outage %.0f s; all events applied %.1f s after the broker answered again; %d restarts",
                    back_at - down_at, loop.time() - back_at, runner.restarts)
        await eventually(runner.lag, until=lambda lag: lag == 0, timeout=60)
        rows = await tally_rows(consumer)
        assert not runner.stuck
    assert sorted(int(amount) for _, _, amount in rows) == list(range(30))  # each event once: 0..29
