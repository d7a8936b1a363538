"""The event log read from its beginning for a rebuild, on either bus, without touching any consumer group.

Kafka: a consumer with no group id, partitions assigned by hand and sought to the beginning, so nothing is
ever committed and no live member is disturbed. Embedded bus: the records table read by position from 0.
Both stop at the end the log had when the rebuild began (what a live consumer had at most consumed then).
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import func, select

from shared.messaging.embedded import EmbeddedBus, bus_positions, bus_records

REBUILD_FETCH_BYTES = 16 * 1024 * 1024  # per partition and request (aiokafka's default is 1 MiB)


@dataclass(frozen=True)
class LogEnd:
    """Where the replay stopped, per topic and partition (the embedded bus has one partition, 0)."""

    offsets: dict[tuple[str, int], int]


class KafkaLog:
    def __init__(self, bootstrap: str, topics: Sequence[str], *, client_id: str, batch_size: int) -> None:
        self._topics, self._batch = list(topics), batch_size
        # Large fetches: a rebuild reads the log flat out, in batches of thousands of records.
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                          client_id=client_id, auto_offset_reset="earliest",
                                          max_partition_fetch_bytes=REBUILD_FETCH_BYTES,
                                          fetch_max_bytes=4 * REBUILD_FETCH_BYTES)
        self._ends: dict[TopicPartition, int] = {}
        self.total = 0
        self.truncated: list[str] = []  # partitions whose first records retention has already deleted

    async def open(self) -> None:
        await self._consumer.start()
        await self._consumer._client.force_metadata_update()  # topics created moments ago
        tps = [TopicPartition(t, p) for t in self._topics for p in sorted(self._consumer.partitions_for_topic(t) or ())]
        if not tps:
            return
        self._consumer.assign(tps)
        await self._consumer.seek_to_beginning(*tps)
        begins = await self._consumer.beginning_offsets(tps)
        self._ends = await self._consumer.end_offsets(tps)
        self.total = sum(self._ends[tp] - begins[tp] for tp in tps)
        self.truncated = [f"{tp.topic}[{tp.partition}] starts at {begins[tp]}" for tp in tps if begins[tp] > 0]

    async def batches(self) -> AsyncIterator[list[bytes | None]]:
        """Batches of `batch_size` records (the last one shorter): a fetch returns what one request brought
        back, so fetches are joined until a batch is full or the log's end is reached."""
        values: list[bytes | None] = []
        while await self._unread():
            fetched = await self._consumer.getmany(timeout_ms=500, max_records=self._batch - len(values))
            values += [r.value for tp, records in fetched.items() for r in records if r.offset < self._ends[tp]]
            if len(values) >= self._batch:
                yield values
                values = []
        if values:
            yield values

    async def _unread(self) -> bool:
        return any([await self._consumer.position(tp) < end for tp, end in self._ends.items()])

    def end(self) -> LogEnd:
        return LogEnd({(tp.topic, tp.partition): offset for tp, offset in self._ends.items()})

    async def close(self) -> None:
        await self._consumer.stop()


class EmbeddedLog:
    def __init__(self, bus: EmbeddedBus, topics: Sequence[str], *, batch_size: int) -> None:
        self._bus, self._topics, self._batch = bus, list(topics), batch_size
        self._last = 0
        self._ends: dict[tuple[str, int], int] = {}
        self.total = 0
        self.truncated: list[str] = []  # the embedded bus deletes no records

    async def open(self) -> None:
        engine = await self._bus.engine()
        async with engine.connect() as conn:
            rows = await conn.execute(select(bus_records.c.topic, func.count(), func.max(bus_records.c.offset))
                                      .where(bus_records.c.topic.in_(self._topics)).group_by(bus_records.c.topic))
            for topic, count, last in rows:
                self.total += count
                self._ends[(topic, 0)] = last
        self._last = max(self._ends.values(), default=0)

    async def batches(self) -> AsyncIterator[list[bytes | None]]:
        engine = await self._bus.engine()
        after = 0
        while after < self._last:
            async with engine.connect() as conn:
                rows = (await conn.execute(
                    select(bus_records.c.offset, bus_records.c.value)
                    .where(bus_records.c.topic.in_(self._topics), bus_records.c.offset > after,
                           bus_records.c.offset <= self._last)
                    .order_by(bus_records.c.offset).limit(self._batch))).all()
            if not rows:
                return
            after = rows[-1].offset
            yield [r.value for r in rows]

    def end(self) -> LogEnd:
        return LogEnd(dict(self._ends))

    async def close(self) -> None:
        """The bus belongs to whoever opened it."""


async def consumed_beyond(end: LogEnd, group: str, *, bus: EmbeddedBus | None, bootstrap: str) -> list[str]:
    """Partitions where the live consumer group has committed past the replay's end: events the rebuilt
    database has not seen but the group would not deliver again after a switch."""
    if bus is not None:
        engine = await bus.engine()
        async with engine.connect() as conn:
            rows = await conn.execute(select(bus_positions.c.topic, bus_positions.c.offset)
                                      .where(bus_positions.c.group == group))
            return [f"{topic}@{offset}" for topic, offset in rows if offset > end.offsets.get((topic, 0), 0)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        beyond = []
        for (topic, partition), offset in end.offsets.items():
            committed = await consumer.committed(TopicPartition(topic, partition))
            if committed is not None and committed > offset:
                beyond.append(f"{topic}[{partition}]@{committed}")
        return beyond
    finally:
        await consumer.stop()
