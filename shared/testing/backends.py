"""The two buses a test can run on, behind one face: Kafka + PostgreSQL, or the embedded bus + SQLite.

A test written against `Backend` runs unchanged on both, which is how the handlers are proven to keep
the same guarantees in one-machine mode.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy.engine import make_url

from shared.clock import SystemClock
from shared.messaging.embedded import EmbeddedBus
from shared.messaging.kafka import ensure_topics
from shared.messaging.records import IncomingRecord
from shared.settings import PlatformSettings


class Backend:
    kind: str
    platform: PlatformSettings
    embedded_bus: EmbeddedBus | None = None

    async def database_url(self, service: str) -> str:
        raise NotImplementedError

    async def produce_raw(self, topic: str, key: str, value: bytes) -> None:
        raise NotImplementedError

    async def read_topic(self, topic: str) -> list[IncomingRecord]:
        raise NotImplementedError

    def topic(self, logical: str) -> str:
        return self.platform.topic(logical)

    async def close(self) -> None:
        """Release what the backend created."""


class EmbeddedBackend(Backend):
    kind = "embedded"

    def __init__(self, data_dir: Path) -> None:
        self.platform = PlatformSettings(bus="embedded", data_dir=data_dir, environment="test", json_logs=False,
                                         rate_limit_per_minute=0)
        self.embedded_bus = EmbeddedBus(self.platform.embedded_bus_url, clock=SystemClock())
        self._data_dir = data_dir

    async def database_url(self, service: str) -> str:
        return f"sqlite+aiosqlite:///{self._data_dir / f'{service}-{uuid.uuid4().hex[:6]}.db'}"

    async def produce_raw(self, topic: str, key: str, value: bytes) -> None:
        from shared.messaging.records import OutgoingRecord

        assert self.embedded_bus is not None
        await self.embedded_bus.append([OutgoingRecord(topic=topic, key=key, value=value)])

    async def read_topic(self, topic: str) -> list[IncomingRecord]:
        assert self.embedded_bus is not None
        return await self.embedded_bus.records(topic)

    async def close(self) -> None:
        assert self.embedded_bus is not None
        await self.embedded_bus.close()


class KafkaBackend(Backend):
    kind = "kafka"

    def __init__(self, bootstrap: str, pg_admin_dsn: str, *, namespace: str | None = None) -> None:
        self.platform = PlatformSettings(bus="kafka", kafka_bootstrap=bootstrap, environment="test",
                                         namespace=namespace or f"t{uuid.uuid4().hex[:10]}", json_logs=False,
                                         rate_limit_per_minute=0,
                                         consumer_stall_seconds=30)
        self._admin_dsn = pg_admin_dsn
        self._databases: list[str] = []

    async def database_url(self, service: str) -> str:
        name = f"{self.platform.namespace}_{service}_{uuid.uuid4().hex[:6]}"
        conn = await asyncpg.connect(self._admin_dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        self._databases.append(name)
        url = make_url(self._admin_dsn).set(drivername="postgresql+asyncpg", database=name)
        return url.render_as_string(hide_password=False)

    async def produce_raw(self, topic: str, key: str, value: bytes) -> None:
        await ensure_topics(self.platform.kafka_bootstrap, [topic])
        producer = AIOKafkaProducer(bootstrap_servers=self.platform.kafka_bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(topic, value=value, key=key.encode())
        finally:
            await producer.stop()

    async def read_topic(self, topic: str) -> list[IncomingRecord]:
        """Every record now in the topic, all partitions, from the beginning (no consumer group)."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.platform.kafka_bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = consumer.partitions_for_topic(topic) or set()
            if not partitions:
                await consumer._client.force_metadata_update()  # a topic created moments ago
                partitions = consumer.partitions_for_topic(topic) or set()
            tps = [TopicPartition(topic, p) for p in sorted(partitions)]
            if not tps:
                return []
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            return await _drain(consumer, tps, ends)
        finally:
            await consumer.stop()

    async def close(self) -> None:
        conn = await asyncpg.connect(self._admin_dsn)
        try:
            for name in self._databases:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def _drain(consumer: AIOKafkaConsumer, tps: Sequence[TopicPartition],
                 ends: dict[TopicPartition, int]) -> list[IncomingRecord]:
    out: list[IncomingRecord] = []
    while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
        batch = await consumer.getmany(timeout_ms=500)
        for tp, records in batch.items():
            out.extend(
                IncomingRecord(tp.topic, tp.partition, r.offset, r.key.decode() if r.key else None, r.value,
                               list(r.headers or []))
                for r in records if r.offset < ends[tp]
            )
    return out
