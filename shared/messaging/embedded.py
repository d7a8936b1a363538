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

from sqlalchemy import JSON, Column, DateTime, Integer, LargeBinary, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.clock import Clock
from shared.db.engine import make_engine
from shared.db.upsert import insert_for
from shared.messaging.dispatch import EventDispatcher
from shared.messaging.records import IncomingRecord, OutgoingRecord, dead_letter_record
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
        engine = await self.engine()
        async with engine.connect() as conn:
            positions = dict(
                (await conn.execute(
                    select(bus_positions.c.topic, bus_positions.c.offset).where(bus_positions.c.group == group)
                )).all()
            )
            start = min((positions.get(t, 0) for t in topics), default=0)
            rows = await conn.execute(
                select(bus_records)
                .where(bus_records.c.topic.in_(topics), bus_records.c.offset > start)
                .order_by(bus_records.c.offset)
                .limit(limit)
            )
            return [
                IncomingRecord(topic=r.topic, partition=0, offset=r.offset, key=r.key, value=r.value,
                               headers=[(k, v.encode()) for k, v in r.headers])
                for r in rows
                if r.offset > positions.get(r.topic, 0)
            ]

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
            return [IncomingRecord(r.topic, 0, r.offset, r.key, r.value, [(k, v.encode()) for k, v in r.headers])
                    for r in rows]

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
        return len(await self._bus.fetch(self.group, self.topics, 10_000))
