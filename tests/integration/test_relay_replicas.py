"""Two relays on one PostgreSQL database (two replicas of a service): one works at a time, every row is published
exactly once, in id order, and a relay that finds the lock taken publishes nothing."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select

from shared.clock import FixedClock
from shared.db.engine import make_engine, make_session_factory
from shared.db.plumbing import outbox, plumbing_metadata
from shared.messaging.records import OutgoingRecord
from shared.messaging.relay import OutboxRelay
from shared.observability.metrics import ServiceMetrics

CLOCK = FixedClock(datetime(2026, 12, 2, 12, tzinfo=UTC))
ROWS = 1200


class SlowBroker:
    """Records what it is given; a publish takes a moment, so the other relay tries while one holds the lock."""

    def __init__(self, sent: list[tuple[str, bytes]], busy: asyncio.Event) -> None:
        self.sent, self.busy = sent, busy

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def ping(self) -> bool:
        return True

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        self.busy.set()
        await asyncio.sleep(0.05)
        self.sent.extend((r.key, r.value) for r in records)


async def test_two_relays_publish_every_row_once_in_order_one_at_a_time(
        postgres_database: Callable[[str], Awaitable[str]]) -> None:
    engine = make_engine(await postgres_database("relays"))
    async with engine.begin() as conn:
        await conn.run_sync(plumbing_metadata.create_all)
        await conn.execute(outbox.insert(), [
            {"event_id": f"e-{i:05d}", "topic": "coxswain.compensation", "key": f"rep-{i % 7}",
             "event_type": "coxswain.quota.set.v1", "payload": f"{i:05d}".encode(), "created_at": CLOCK.now(),
             "attempts": 0} for i in range(ROWS)])
    sessions = make_session_factory(engine)
    sent: list[tuple[str, bytes]] = []
    busy = asyncio.Event()
    first = OutboxRelay(sessions, SlowBroker(sent, busy), clock=CLOCK, metrics=ServiceMetrics("a"), batch_size=100)
    second = OutboxRelay(sessions, SlowBroker(sent, asyncio.Event()), clock=CLOCK, metrics=ServiceMetrics("b"),
                         batch_size=100)

    # While one relay holds its batch (lock and claimed rows), the other gets nothing.
    holding = asyncio.create_task(first.publish_pending())
    await busy.wait()
    assert await second.publish_pending() == 0
    assert await holding == 100

    async def drain(relay: OutboxRelay) -> None:
        while await relay.pending():
            await relay.publish_pending()

    await asyncio.gather(drain(first), drain(second))
    assert [value for _key, value in sent] == [f"{i:05d}".encode() for i in range(ROWS)]  # once each, in id order
    async with sessions() as session:
        unpublished = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        assert (await session.execute(unpublished)).scalar_one() == 0
    await engine.dispose()
