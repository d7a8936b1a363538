"""The outbox relay: publishes committed outbox rows in id order, then marks them published.

Only one relay per database works at a time (a PostgreSQL advisory lock), so per-key order holds even
with several replicas; rows are claimed `FOR UPDATE SKIP LOCKED` besides. A broker outage leaves rows
unpublished; they flow when it returns. Delivery is at least once: consumers deduplicate by event id.
"""
from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

from sqlalchemy import BigInteger, any_, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import Clock
from shared.db.plumbing import outbox
from shared.messaging.records import CONTENT_TYPE_HEADER, OutgoingRecord, Publisher
from shared.observability.metrics import ServiceMetrics
from shared.observability.tracing import TRACEPARENT_HEADER

log = logging.getLogger("coxswain.relay")
RELAY_LOCK_ID = 7_431_001

# PostgreSQL: the relay's advisory lock (held to the end of the transaction) and its claim in one statement.
# The lock is taken once, in the CTE (a volatile function there is evaluated once, before the outer query);
# without it the claim returns nothing. Rows are claimed in id order, FOR UPDATE SKIP LOCKED besides.
_CLAIM = text("""
    WITH relay_lock AS (SELECT pg_try_advisory_xact_lock(:lock) AS held)
    SELECT outbox.id, outbox.topic, outbox.key, outbox.payload, outbox.traceparent
    FROM outbox, relay_lock
    WHERE relay_lock.held AND outbox.published_at IS NULL
    ORDER BY outbox.id
    LIMIT :limit
    FOR UPDATE OF outbox SKIP LOCKED
""").columns(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.payload, outbox.c.traceparent)


class OutboxRelay:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        *,
        clock: Clock,
        metrics: ServiceMetrics,
        batch_size: int = 1000,
        idle_seconds: float = 0.25,
        max_backoff_seconds: float = 5.0,
        topic_prefix: str = "",
    ) -> None:
        self._prefix = topic_prefix
        self._sessions = session_factory
        self._publisher = publisher
        self._clock = clock
        self._metrics = metrics
        self._batch_size = batch_size
        self._idle = idle_seconds
        self._max_backoff = max_backoff_seconds
        self._wakeup = asyncio.Event()
        # Liveness (shared.observability.health): a relay that keeps attempting is alive even while the
        # broker is away; one whose attempt never returns is stuck.
        self.running = False
        self.last_attempt: datetime | None = None
        self.last_published: datetime | None = None

    def wake(self) -> None:
        """Called after a unit of work commits events, so they leave without waiting for the poll."""
        self._wakeup.set()

    async def pending(self) -> int:
        async with self._sessions() as session:
            stmt = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            return int((await session.execute(stmt)).scalar_one())

    async def backlog(self) -> tuple[int, datetime | None]:
        """Unpublished rows and when the oldest of them was written (None when there are none)."""
        async with self._sessions() as session:
            stmt = select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.published_at.is_(None))
            count, oldest = (await session.execute(stmt)).one()
            return int(count), oldest

    async def publish_pending(self) -> int:
        """Publish one batch; returns how many rows went out (0 when idle or another relay holds the lock).

        Three statements a batch on PostgreSQL: the advisory lock and the claim in one (the lock is taken
        first, once, in a CTE; no lock, no rows), the records sent all at once and their acknowledgements
        awaited together, then every claimed row marked in one UPDATE whose ids travel as one array
        parameter (one prepared statement whatever the batch size)."""
        async with self._sessions() as session, session.begin():
            postgres = session.get_bind().dialect.name == "postgresql"
            if postgres:
                rows = (await session.execute(_CLAIM, {"lock": RELAY_LOCK_ID, "limit": self._batch_size})).all()
            else:
                rows = (await session.execute(
                    select(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.payload, outbox.c.traceparent)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self._batch_size))).all()
            if not rows:
                return 0
            started = time.perf_counter()
            await self._publisher.publish(
                [OutgoingRecord(topic=self._prefix + r.topic, key=r.key, value=r.payload,
                                headers=_headers(r.traceparent)) for r in rows]
            )
            self._metrics.relay_publish_seconds.observe(time.perf_counter() - started)
            ids = [r.id for r in rows]
            published = outbox.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger))) if postgres \
                else outbox.c.id.in_(ids)
            await session.execute(update(outbox).where(published).values(published_at=self._clock.now()),
                                  {"ids": ids} if postgres else {})
        self._metrics.outbox_published.inc(len(rows))
        self.last_published = self._clock.now()
        return len(rows)

    async def run(self) -> None:
        self.running = True
        try:
            await self._run()
        finally:
            self.running = False

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                sent = await self.publish_pending()
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: keep the rows, wait, try again
                self._attempted()
                self._metrics.outbox_failures.inc()
                log.warning("outbox relay could not publish; retrying in %.1fs: %s", backoff, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            self._attempted()
            if sent < self._batch_size:
                await self._wait_for_work()

    def _attempted(self) -> None:
        self.last_attempt = self._clock.now()
        self._metrics.relay_last_progress.set(self.last_attempt.timestamp())

    async def _wait_for_work(self) -> None:
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel that races a wake-up,
        # and the service would then never stop.
        try:
            async with asyncio.timeout(self._idle):
                await self._wakeup.wait()
        except TimeoutError:
            pass
        self._wakeup.clear()


def _headers(traceparent: str | None) -> list[tuple[str, bytes]]:
    """The W3C trace context of the request or event that wrote the row travels as a record header."""
    if not traceparent:
        return [CONTENT_TYPE_HEADER]
    return [CONTENT_TYPE_HEADER, (TRACEPARENT_HEADER, traceparent.encode())]
