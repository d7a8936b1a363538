"""Two compensation replicas in one consumer group, under a burst of split deals: no deadlock between them
and every rep's commission exactly right.

Each replica's batch credits several reps in one transaction. With one advisory lock per rep, taken in the
order the deals and splits came, replica A held rep-0 and wanted rep-1 while replica B held rep-1 and wanted
rep-0: PostgreSQL answered "deadlock detected" (40P01) and the loser's batch was retried or dead-lettered.
The ledger now takes one lock, which has no order to get wrong.
"""
from __future__ import annotations

from contextlib import AsyncExitStack
from functools import partial

import pytest
from aiokafka import AIOKafkaProducer

from shared.clock import FixedClock
from shared.messaging.kafka_consumer import KafkaConsumerRunner
from shared.testing import build_event, eventually
from shared.testing.backends import KafkaBackend
from shared.testing.harness import RunningService, running_service
from tests.compensation.conftest import NOW, OPS, WORKED_PLAN, closed, setup_plan

REPS = [f"rep-{n}" for n in range(4)]
DEALS = 80


def _splits(i: int) -> list[tuple[str, str]]:
    """Deal i is split 50/50 between two neighbouring reps, named in one order or the other."""
    pair = [REPS[i % 4], REPS[(i + 1) % 4]]
    return [(rep, "50") for rep in (pair if i % 2 == 0 else pair[::-1])]


async def _burst(backend: KafkaBackend) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=backend.platform.kafka_bootstrap, acks="all", linger_ms=20)
    await producer.start()
    try:
        for i in range(DEALS):
            deal = f"d-{i}"
            event = build_event("coxswain.deal.closed.v1", closed(deal, "10000.00", _splits(i)), subject=deal)
            await producer.send(backend.topic("coxswain.pipeline"), key=deal.encode(),
                                value=event.model_dump_json().encode())
        await producer.flush()
    finally:
        await producer.stop()


async def _total(client: object, rep: str) -> str:
    r = await client.get(f"/v1/statements/{rep}/2026-Q4", headers=OPS)  # type: ignore[attr-defined]
    return str(r.json().get("total")) if r.status_code == 200 else "none"


@pytest.mark.integration
async def test_two_replicas_crediting_the_same_reps_never_deadlock(kafka_backend: KafkaBackend) -> None:
    url = await kafka_backend.database_url("compensation")
    async with AsyncExitStack() as stack:
        replicas: list[RunningService] = [
            await stack.enter_async_context(running_service(
                "compensation", database_url=url, platform=kafka_backend.platform, clock=FixedClock(NOW)))
            for _ in range(2)]
        await setup_plan(replicas[0].client, WORKED_PLAN, {rep: "100000.00" for rep in REPS})
        runners = [r.runtime.consumer for r in replicas]
        assert all(isinstance(r, KafkaConsumerRunner) for r in runners)

        async def assignment_sizes() -> list[int]:
            return [len(r.consumer.assignment()) if r.consumer else 0 for r in runners]  # type: ignore[union-attr]

        await eventually(assignment_sizes, until=lambda sizes: all(sizes))
        await _burst(kafka_backend)
        # Each rep is on 40 deals at 50% of 10,000: 200,000 credited against a 100,000 quota, so
        # 10% of the first 100,000 + 15% of the next 100,000 = 10,000 + 15,000 = 25,000.00, whatever the order.
        for rep in REPS:
            await eventually(partial(_total, replicas[1].client, rep), until=lambda t: t == "25000.00",
                             timeout=120)
        retried = [r.runtime.metrics.handler_transient_failures._value.get() for r in replicas]
        dead = [r.runtime.metrics.events_dead_lettered.labels(topic=kafka_backend.topic("coxswain.pipeline"))
                ._value.get() for r in replicas]
    assert retried == [0, 0]  # no deadlock (nor lock timeout) was ever met
    assert dead == [0, 0]
