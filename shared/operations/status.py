"""`coxswain status`: per service, how far its consumer group is behind on each topic and partition, when it
last applied an event, how deep and how old its outbox is, and how many dead letters wait (both buses)."""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from shared.clock import Clock, SystemClock
from shared.db.engine import make_engine
from shared.db.plumbing import outbox, processed_events
from shared.messaging.embedded import EmbeddedBus
from shared.messaging.records import DLQ_MARK
from shared.operations import kafka_reading
from shared.operations.buses import EmbeddedStore, KafkaStore, open_store
from shared.settings import PlatformSettings

PROBE_SECONDS = 10.0


@dataclass(frozen=True)
class ServiceView:
    """What status needs to know of one service: its name, the logical topics it reads, its database."""

    name: str
    consumes: tuple[str, ...]
    database_url: str


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    position: int  # the next offset the group reads (Kafka) or the last it consumed (embedded bus)
    lag: int


@dataclass(frozen=True)
class ServiceStatus:
    service: str
    group: str
    partitions: list[PartitionLag] = field(default_factory=list)
    last_applied_at: datetime | None = None  # the newest event id in the group's inbox
    outbox_depth: int | None = None
    oldest_unpublished_seconds: float | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def lag(self) -> int:
        return sum(p.lag for p in self.partitions)


@dataclass(frozen=True)
class DeadLetterCount:
    topic: str
    group: str
    count: int


@dataclass(frozen=True)
class StatusReport:
    bus: str
    at: datetime
    services: list[ServiceStatus]
    dead_letters: list[DeadLetterCount]

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        for service, row in zip(self.services, document["services"], strict=True):
            row["lag"] = service.lag
        return document


async def collect_status(platform: PlatformSettings, services: Sequence[ServiceView], *,
                         embedded_bus: EmbeddedBus | None = None, clock: Clock | None = None) -> StatusReport:
    now = (clock or SystemClock()).now()
    rows: list[ServiceStatus] = []
    async with open_store(platform, embedded_bus) as store:
        for view in services:
            group = platform.group(view.name)
            topics = [platform.topic(t) for t in view.consumes]
            partitions, errors = await _lag(store, group, topics)
            database, db_errors = await _database_view(view.database_url, group, now)
            rows.append(ServiceStatus(view.name, group, partitions, errors=errors + db_errors, **database))
        letters = await _dead_letter_counts(store, platform)
    return StatusReport(platform.bus, now, rows, letters)


Store = EmbeddedStore | KafkaStore


async def _lag(store: Store, group: str, topics: list[str]) -> tuple[list[PartitionLag], list[str]]:
    try:
        async with asyncio.timeout(PROBE_SECONDS * 2):
            if isinstance(store, EmbeddedStore):
                positions, waiting = await store.bus.positions(group), await store.bus.backlog(group, topics)
                return [PartitionLag(t, 0, positions.get(t, 0), waiting[t]) for t in topics], []
            committed = await kafka_reading.committed_offsets(store.bootstrap, group)
            bounds = await kafka_reading.log_bounds(store.bootstrap, topics)
    except Exception as exc:  # one service's trouble must not hide the others' status
        return [], [f"bus: {exc!r}"]
    lags = []
    for tp, (first, end) in sorted(bounds.items()):
        position = max(committed.get(tp, first), first)  # nothing committed: it starts at the earliest
        lags.append(PartitionLag(tp.topic, tp.partition, position, max(0, end - position)))
    return lags, []


async def _database_view(url: str, group: str, now: datetime) -> tuple[dict[str, Any], list[str]]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not _exists(parsed.database):
        return {}, [f"database: no file at {parsed.database}"]
    engine = make_engine(url)
    try:
        async with asyncio.timeout(PROBE_SECONDS), engine.connect() as conn:
            waiting = (await conn.execute(select(func.count(), func.min(outbox.c.created_at))
                                          .where(outbox.c.published_at.is_(None)))).one()
            applied = (await conn.execute(select(func.max(processed_events.c.processed_at))
                                          .where(processed_events.c.consumer == group))).scalar_one()
    except Exception as exc:
        return {}, [f"database: {exc!r}"]
    finally:
        await engine.dispose()
    oldest = (now - waiting[1]).total_seconds() if waiting[1] is not None else None
    return {"last_applied_at": applied, "outbox_depth": int(waiting[0]), "oldest_unpublished_seconds": oldest}, []


def _exists(path: str) -> bool:
    return Path(path).exists()


async def _dead_letter_counts(store: Store, platform: PlatformSettings) -> list[DeadLetterCount]:
    ours = platform.topic("coxswain.")
    topics = [t for t in await store.topics() if t.startswith(ours) and DLQ_MARK in t]
    if isinstance(store, KafkaStore):
        bounds = await kafka_reading.log_bounds(store.bootstrap, topics)
        counts = {t: sum(end - first for tp, (first, end) in bounds.items() if tp.topic == t) for t in topics}
    else:
        counts = {t: len(await store.read(t)) for t in topics}
    return [DeadLetterCount(t, t.split(DLQ_MARK)[-1], n) for t, n in counts.items()]
