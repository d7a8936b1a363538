"""PostgreSQL stops (immediate: the way a crash looks) while a consumer is behind, then comes back slowly,
answering "not accepting connections" (57P03) for several seconds: nothing is dead-lettered and every event
is applied exactly once.

Before failures were classified by cause, the dropped connections and the recovery answers counted as the
event's own failures: three tries, then the dead-letter topic and a committed offset, losing live events.
Runs its own PostgreSQL cluster (deploy/postgres scripts with a private data dir and port) so stopping it
disturbs no other test; Kafka is the shared broker.
"""
from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from shared.db.plumbing import plumbing_metadata
from shared.events import CloudEvent, encode_event
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import PlatformSettings
from shared.testing import eventually
from shared.testing.backends import KafkaBackend
from tests.integration.spine_fixture import TallySettings, metadata, quota_event, record_quota, tally_count, tally_rows

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("COXSWAIN_TEST_RESTART_PG_PORT", "55510"))
ENV = {**os.environ, "COXSWAIN_INFRA_DIR": str(ROOT / ".infra" / "dispatch-pg"), "COXSWAIN_PG_PORT": str(PORT)}
EVENTS = 1200


def _postgres(script: str) -> None:
    subprocess.run(["bash", "-c", script], env=ENV, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, timeout=180)


def _pg_ctl(args: str) -> None:
    _postgres(f'source deploy/postgres/lib.sh; PG_BIN="$(find_pg_bin)"; as_pg "$PG_BIN/pg_ctl" {args}')


def _crash() -> None:
    _pg_ctl('stop -D "$PGDATA_DIR" -m immediate -w -t 60')


def _restart_slow_to_accept_connections() -> None:
    """Back as a standby without hot standby: it answers every connection with 57P03 ("the database system
    is not accepting connections") until it is promoted - a long crash recovery, deterministically."""
    _postgres('source deploy/postgres/lib.sh; as_pg touch "$PGDATA_DIR/standby.signal"')
    _pg_ctl('start -D "$PGDATA_DIR" -l "$PG_LOG" -W')


def _finish_recovery() -> None:
    _pg_ctl('promote -D "$PGDATA_DIR" -w -t 60')


@pytest.fixture
def private_postgres() -> Iterator[str]:
    _postgres("bash deploy/postgres/start.sh")
    try:
        yield f"postgresql://coxswain:coxswain@127.0.0.1:{PORT}/postgres"
    finally:
        _postgres("bash deploy/postgres/stop.sh --wipe")


async def _slow_quota(event: CloudEvent, uow) -> None:  # type: ignore[no-untyped-def]
    await asyncio.sleep(0.005)  # so a batch of 500 is still in its transaction when the database goes
    await record_quota(event, uow)


@asynccontextmanager
async def _consumer(database_url: str, platform: PlatformSettings) -> AsyncIterator[ServiceRuntime]:
    spec = ServiceSpec(name="forecast", metadata=metadata, handlers={"coxswain.quota.set.v1": _slow_quota},
                       consumes=("coxswain.compensation",), migrations_dir=Path("unused"))
    runtime = ServiceRuntime(spec, TallySettings(database_url=database_url, platform=platform,
                                                 migrate_on_start=False))
    async with runtime.engine.begin() as conn:
        await conn.run_sync(plumbing_metadata.create_all)
        await conn.run_sync(metadata.create_all)
    await runtime.start(relay=False)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def _produce(backend: KafkaBackend, topic: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=backend.platform.kafka_bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for i in range(EVENTS):
            rep = f"rep-{i % 7}"
            await producer.send(topic, key=rep.encode(), value=encode_event(quota_event(rep, i, i // 7 + 1)))
        await producer.flush()
    finally:
        await producer.stop()


@pytest.mark.integration
async def test_a_database_crash_and_recovery_dead_letters_nothing(private_postgres: str,
                                                                   kafka_backend: KafkaBackend) -> None:
    name = f"restart_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(private_postgres)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.execute("ALTER SYSTEM SET hot_standby = off")  # for the next start
    finally:
        await admin.close()
    url = private_postgres.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0] + f"/{name}"
    topic = kafka_backend.topic("coxswain.compensation")
    async with _consumer(url, kafka_backend.platform) as consumer:
        await _produce(kafka_backend, topic)  # the consumer is behind by 1,200 events
        await eventually(lambda: tally_count(consumer), until=lambda n: n > 0)
        _crash()  # mid-batch: the open transaction and every pooled connection die
        _restart_slow_to_accept_connections()
        await asyncio.sleep(8)  # the consumer meets 57P03 again and again
        _finish_recovery()
        await eventually(lambda: tally_count(consumer), until=lambda n: n >= EVENTS, timeout=120)
        await eventually(consumer.consumer.lag, until=lambda lag: lag == 0)
        rows = await tally_rows(consumer)
        dead = await kafka_backend.read_topic(f"{topic}.dlq.{consumer.group}")
        transient = consumer.metrics.handler_transient_failures._value.get()
    assert dead == []
    assert transient > 0  # the crash was met, and retried as the infrastructure's failure
    assert sorted(int(amount) for _, _, amount in rows) == list(range(EVENTS))  # each event once: 0..1199
