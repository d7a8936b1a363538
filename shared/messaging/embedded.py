"""The embedded event bus for one-machine mode: a durable log in one SQLite file, with Kafka's guarantees.

Records are appended in one transaction (acknowledged = durable on disk); each consumer group keeps
its committed position per topic in the same file, so a restart resumes where it left off and loses
nothing. One partition per topic keeps per-key order. Several processes may share the file; within a
process, appends wake the consumers at once. A group is meant to have one member here (scale out on Kafka).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.clock import Clock
from shared.db.engine import make_engine
from shared.db.upsert import insert_for
from shared.messaging.dispatch import EventDispatcher
from shared.messaging.records import DLQ_MARK, IncomingRecord, OutgoingRecord, dead_letter_record
from shared.observability.metrics import ServiceMetrics

log = logging.getLogger("coxswain.embedded_bus")

bus_metadata = MetaData()
bus_records = Table(
    "bus_records",
    bus_metadata,
    Column("offset", Integer, primary_key=True, autoincrement=True),
    Column("topic", String(200), nullable=False, index=True),
    Column("key", String(200), nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("appended_at", DateTime(timezone=True), nullable=False),
)
bus_positions = Table(
    "bus_positions",
    bus_metadata,
    Column("group", String(200), primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("offset", Integer, nullable=False),
)


class EmbeddedBus:
    def __init__(self, url: str, *, clock: Clock) -> None:
        self._url = url
        self._clock = clock
        self._engine: AsyncEngine | None = None
        self._appended = asyncio.Condition()
        self._ready = asyncio.Lock()

    async def engine(self) -> AsyncEngine:
        async with self._ready:
            if self._engine is None:
                engine = make_engine(self._url)
                async with engine.begin() as conn:
                    await conn.run_sync(bus_metadata.create_all)
                self._engine = engine
        return self._engine

    async def append(self, records: Sequence[OutgoingRecord]) -> None:
        engine = await self.engine()
        now = self._clock.now()
        async with engine.begin() as conn:
            await conn.execute(
                bus_records.insert(),
                [
                    {"topic": r.topic, "key": r.key, "value": r.value,
                     "headers": [[k, v.decode()] for k, v in r.headers], "appended_at": now}
                    for r in records
                ],
            )
        async with self._appended:
            self._appended.notify_all()

    async def wait_for_append(self, timeout: float) -> None:
        try:  # asyncio.timeout, not wait_for, so a cancel is never swallowed (see relay)
            async with asyncio.timeout(timeout), self._appended:
                await self._appended.wait()
        except TimeoutError:
            pass

    async def fetch(self, group: str, topics: Sequence[str], limit: int) -> list[IncomingRecord]:
        """Up to `limit` records after the group's position, each topic read from its own position.

        One lowest position over all topics would let a quiet topic pin the window to records a busy
        topic has long consumed: the group would refetch them, filter them out and never move again.
        """
        engine = await self.engine()
        async with engine.connect() as conn:
            positions = await self._positions(conn, group)
            rows: list[Any] = []
            for topic in dict.fromkeys(topics):
                rows.extend(await conn.execute(
                    select(bus_records)
                    .where(bus_records.c.topic == topic, bus_records.c.offset > positions.get(topic, 0))
                    .order_by(bus_records.c.offset)
                    .limit(limit)
                ))
        # The first `limit` in log order: still a prefix of every topic, so per-topic commits stay exact.
        rows.sort(key=lambda r: r.offset)
        return [_incoming(r) for r in rows[:limit]]

    async def backlog(self, group: str, topics: Sequence[str]) -> dict[str, int]:
        """Records not yet consumed by the group, per topic."""
        engine = await self.engine()
        async with engine.connect() as conn:
            positions = await self._positions(conn, group)
            return {topic: int((await conn.execute(
                select(func.count()).select_from(bus_records)
                .where(bus_records.c.topic == topic, bus_records.c.offset > positions.get(topic, 0))
            )).scalar_one()) for topic in topics}

    async def positions(self, group: str) -> dict[str, int]:
        """The group's committed position per topic (absent: nothing consumed yet)."""
        engine = await self.engine()
        async with engine.connect() as conn:
            return await self._positions(conn, group)

    @staticmethod
    async def _positions(conn: AsyncConnection, group: str) -> dict[str, int]:
        rows = await conn.execute(
            select(bus_positions.c.topic, bus_positions.c.offset).where(bus_positions.c.group == group))
        return {topic: offset for topic, offset in rows.all()}

    async def prune(self, *, dlq_before: datetime, log_before: datetime | None, batch: int = 5000) -> int:
        """Drop dead letters older than `dlq_before` and, only when a log window is set, domain records older
        than `log_before` that every group positioned on their topic has consumed. Returns how many went.

        The newest record of the log always stays: SQLite hands out max(offset) + 1, so deleting it would
        give its offset again to the next record, which every group past it would then skip.
        """
        engine = await self.engine()
        async with engine.connect() as conn:
            newest = (await conn.execute(select(func.max(bus_records.c.offset)))).scalar_one() or 0
            topics = list((await conn.execute(select(bus_records.c.topic).distinct())).scalars())
            floors = dict((await conn.execute(select(bus_positions.c.topic, func.min(bus_positions.c.offset))
                                              .group_by(bus_positions.c.topic))).all())
        total = 0
        for topic in topics:
            if DLQ_MARK in topic:
                expired = bus_records.c.appended_at < dlq_before
            elif log_before is not None and topic in floors:
                expired = (bus_records.c.appended_at < log_before) & (bus_records.c.offset <= floors[topic])
            else:
                continue  # the domain log is kept: a rebuild replays it
            total += await self._delete_in_batches(topic, expired & (bus_records.c.offset < newest), batch)
        return total

    async def _delete_in_batches(self, topic: str, expired: ColumnElement[bool], batch: int) -> int:
        engine, total = await self.engine(), 0
        while True:
            oldest = (select(bus_records.c.offset).where(bus_records.c.topic == topic, expired)
                      .order_by(bus_records.c.offset).limit(batch))
            async with engine.begin() as conn:
                deleted = (await conn.execute(delete(bus_records).where(bus_records.c.offset.in_(oldest)))).rowcount
            total += deleted
            if deleted < batch:
                return total

    async def commit(self, group: str, topic: str, offset: int) -> None:
        engine = await self.engine()
        async with engine.begin() as conn:
            stmt = insert_for(conn, bus_positions).values(group=group, topic=topic, offset=offset)
            await conn.execute(stmt.on_conflict_do_update(index_elements=["group", "topic"], set_={"offset": offset}))

    async def records(self, topic: str) -> list[IncomingRecord]:
        """Everything ever appended to a topic (for tests, the CLI and dead-letter inspection)."""
        engine = await self.engine()
        async with engine.connect() as conn:
            rows = await conn.execute(select(bus_records).where(bus_records.c.topic == topic).order_by("offset"))
            return [_incoming(r) for r in rows]

    async def topics(self) -> list[str]:
        engine = await self.engine()
        async with engine.connect() as conn:
            return sorted((await conn.execute(select(bus_records.c.topic).distinct())).scalars())

    async def count(self) -> int:
        engine = await self.engine()
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(bus_records))).scalar_one())

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None


class EmbeddedPublisher:
    def __init__(self, bus: EmbeddedBus) -> None:
        self._bus = bus

    async def start(self) -> None:
        await self._bus.engine()

    async def stop(self) -> None:
        """The bus outlives any one publisher; its owner closes it."""

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        await self._bus.append(records)

    async def ping(self) -> bool:
        try:
            await self._bus.count()
            return True
        except Exception:
            return False


class EmbeddedConsumerRunner:
    """Same dispatcher as on Kafka; the position is committed after each event's transaction."""

    def __init__(self, *, bus: EmbeddedBus, group: str, topics: Sequence[str], dispatcher: EventDispatcher,
                 metrics: ServiceMetrics, max_records: int = 500, idle_seconds: float = 0.25) -> None:
        self._bus, self.group, self.topics = bus, group, list(topics)
        self._dispatcher = dispatcher
        self._metrics = metrics
        self._max_records = max_records
        self._idle = idle_seconds

    async def run(self) -> None:
        while True:
            try:
                handled = await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("embedded consumer %s failed, retrying: %r", self.group, exc)
                await asyncio.sleep(1.0)
                continue
            if handled == 0:
                await self._bus.wait_for_append(self._idle)

    async def poll_once(self) -> int:
        records = await self._bus.fetch(self.group, self.topics, self._max_records)
        outcomes = await self._dispatcher.dispatch_many([r.value for r in records])
        last: dict[str, int] = {}
        for record, outcome in zip(records, outcomes, strict=True):
            if outcome.kind == "dead_letter":
                log.error("dead-lettering %s@%d: %s", record.topic, record.offset, outcome.reason)
                await self._bus.append([dead_letter_record(record, group=self.group, reason=outcome.reason)])
                self._metrics.events_dead_lettered.labels(topic=record.topic).inc()
            last[record.topic] = record.offset
        for topic, offset in last.items():
            await self._bus.commit(self.group, topic, offset)
        return len(records)

    async def lag(self) -> int:
        return sum((await self._bus.backlog(self.group, self.topics)).values())


def _incoming(row: Any) -> IncomingRecord:
    return IncomingRecord(topic=row.topic, partition=0, offset=row.offset, key=row.key, value=row.value,
                          headers=[(k, v.encode()) for k, v in row.headers])
