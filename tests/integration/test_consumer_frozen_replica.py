"""Two replicas in one group; one is frozen (SIGSTOP) while it holds a transaction and an advisory lock. The
other must not be blocked: the frozen member stops heartbeating and loses its partitions after the session
timeout, and PostgreSQL ends its idle transaction (idle_in_transaction_session_timeout), releasing the lock
the healthy replica waits for (lock_timeout turns that wait into a retry). Every event is applied exactly
once while the replica is still frozen, and nothing is doubled when it wakes.

Timeouts are shortened by configuration (session 6 s, lock 2 s, idle in transaction 5 s); the replica stays
frozen for up to 120 s.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from shared.events import encode_event
from shared.messaging.kafka_consumer import KafkaConsumerRunner
from shared.testing import eventually
from shared.testing.backends import KafkaBackend
from tests.integration.frozen_replica import locking_replica
from tests.integration.spine_fixture import quota_event, tally_count, tally_rows

ROOT = Path(__file__).resolve().parents[2]
TIMEOUTS = {"consumer_stall_seconds": 10, "kafka_session_timeout_ms": 6000, "kafka_heartbeat_interval_ms": 1000,
            "db_lock_timeout_ms": 2000, "db_idle_in_transaction_timeout_ms": 5000}
KEYS = [f"rep-{n}" for n in range(12)]


async def _produce(backend: KafkaBackend, first: int, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=backend.platform.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for i in range(first, first + count):
            key = KEYS[i % len(KEYS)]
            await producer.send(backend.topic("coxswain.compensation"), key=key.encode(),
                                value=encode_event(quota_event(key, i, i // len(KEYS) + 1)))
        await producer.flush()
    finally:
        await producer.stop()


async def _line(process: asyncio.subprocess.Process, wanted: str) -> None:
    assert process.stdout is not None
    line = await process.stdout.readline()
    while line and line.decode().strip() != wanted:
        line = await process.stdout.readline()
    assert line, f"the replica ended before saying {wanted}"


@pytest.mark.integration
@pytest.mark.timeout(400)
async def test_a_frozen_replica_does_not_block_the_other(kafka_backend: KafkaBackend) -> None:
    url = await kafka_backend.database_url("forecast")
    platform = kafka_backend.platform.model_copy(update=TIMEOUTS)
    env = {**os.environ, "COXSWAIN_BUS": "kafka", "COXSWAIN_ENVIRONMENT": "test", "COXSWAIN_JSON_LOGS": "false",
           "COXSWAIN_KAFKA_BOOTSTRAP": platform.kafka_bootstrap, "COXSWAIN_NAMESPACE": platform.namespace,
           "COXSWAIN_TEST_HOLD_SECONDS": "3", **{f"COXSWAIN_{k.upper()}": str(v) for k, v in TIMEOUTS.items()}}
    frozen = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.integration.frozen_replica", url, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        await asyncio.wait_for(_line(frozen, "STARTED"), 120)
        async with locking_replica(url, platform) as healthy:
            runner = healthy.consumer
            assert isinstance(runner, KafkaConsumerRunner)
            # both in the group: three partitions, so each holds one or two
            await eventually(lambda: asyncio.sleep(0, len(runner.consumer.assignment()) if runner.consumer else 0),
                             until=lambda n: 0 < n < 3)
            await _produce(kafka_backend, 0, 48)
            await asyncio.wait_for(_line(frozen, "HOLDING"), 60)
            frozen.send_signal(signal.SIGSTOP)  # mid-transaction, holding the advisory lock
            await _produce(kafka_backend, 48, 48)
            # 96 events, each recorded once, all while the other replica is still frozen
            await eventually(lambda: tally_count(healthy), until=lambda n: n >= 96, timeout=110)
            frozen.send_signal(signal.SIGCONT)
            await asyncio.sleep(5)  # it wakes to a dead session and a lost membership; nothing is applied twice
            await eventually(runner.lag, until=lambda lag: lag == 0)
            rows = await tally_rows(healthy)
    finally:
        if frozen.returncode is None:
            frozen.send_signal(signal.SIGCONT)
            frozen.terminate()
            await frozen.wait()
    assert sorted(int(amount) for _, _, amount in rows) == list(range(96))  # each event once: 0..95
