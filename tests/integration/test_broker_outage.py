"""The broker goes away while services keep writing: nothing is lost once it is back.

Runs its own broker (deploy/kafka scripts with a private data dir and ports) so stopping it disturbs
no other test."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.testing import eventually
from shared.testing.backends import KafkaBackend
from tests.integration.spine_fixture import quota_event, tally_count, tally_rows, tally_runtime

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("COXSWAIN_TEST_OUTAGE_KAFKA_PORT", "19092"))
ENV = {**os.environ, "COXSWAIN_INFRA_DIR": str(ROOT / ".infra" / "outage"), "COXSWAIN_KAFKA_PORT": str(PORT),
       "COXSWAIN_KAFKA_CONTROLLER_PORT": str(PORT + 1)}


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
async def test_nothing_is_lost_while_the_broker_is_down(private_broker: str, kafka_backend: KafkaBackend) -> None:
    platform = kafka_backend.platform.model_copy(update={"kafka_bootstrap": private_broker,
                                                         "consumer_stall_seconds": 20})
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
        _broker("stop")
        await emit(10, 10)  # the services keep taking writes
        assert await producer.relay.pending() == 10
        _broker("start")
        await eventually(producer.relay.pending, until=lambda n: n == 0, timeout=120)
        await eventually(lambda: tally_count(consumer), until=lambda n: n >= 20, timeout=120)
        await eventually(consumer.consumer.lag, until=lambda lag: lag == 0, timeout=120)
        rows = await tally_rows(consumer)
    assert sorted(int(amount) for _, _, amount in rows) == list(range(20))
