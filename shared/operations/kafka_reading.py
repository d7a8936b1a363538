"""Reading Kafka as an operator does: group offsets against the log's ends, whole topics from the start.

Nothing here joins a consumer group, so looking never moves anybody's position.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.messaging.records import IncomingRecord

TIMEOUT_MS = 15000


@asynccontextmanager
async def _admin(bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=TIMEOUT_MS)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


@asynccontextmanager
async def _reader(bootstrap: str) -> AsyncIterator[AIOKafkaConsumer]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                                request_timeout_ms=TIMEOUT_MS)
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()


async def list_topics(bootstrap: str) -> list[str]:
    async with _admin(bootstrap) as admin:
        return sorted(await admin.list_topics())


async def committed_offsets(bootstrap: str, group: str) -> dict[TopicPartition, int]:
    async with _admin(bootstrap) as admin:
        offsets = await admin.list_consumer_group_offsets(group)
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


async def log_bounds(bootstrap: str, topics: Sequence[str]) -> dict[TopicPartition, tuple[int, int]]:
    """(first, next) offset of every partition of the topics that exist."""
    async with _reader(bootstrap) as consumer:
        await consumer._client.force_metadata_update()  # topics created moments ago
        tps = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
        if not tps:
            return {}
        firsts = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
    return {tp: (firsts[tp], ends[tp]) for tp in tps}


async def read_topic(bootstrap: str, topic: str) -> list[IncomingRecord]:
    """Every record now in the topic, all partitions, oldest first within each."""
    async with _reader(bootstrap) as consumer:
        await consumer._client.force_metadata_update()
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        out: list[IncomingRecord] = []
        async with asyncio.timeout(TIMEOUT_MS / 1000 * 4):
            while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
                batch = await consumer.getmany(timeout_ms=500)
                out.extend(IncomingRecord(tp.topic, tp.partition, r.offset, r.key.decode() if r.key else None,
                                          r.value, list(r.headers or []))
                           for tp, records in batch.items() for r in records if r.offset < ends[tp])
    return sorted(out, key=lambda r: (r.partition, r.offset))
