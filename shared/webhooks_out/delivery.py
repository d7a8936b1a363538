"""The delivery worker: claims due deliveries, sends them signed, records each answer, backs off, gives up.

A claim is a lease (next_attempt_at moved past the attempt's timeout) committed before the request goes out, so
no transaction stays open across the network and a worker that dies mid-attempt only delays the delivery. On
PostgreSQL the claim skips rows another replica holds (`FOR UPDATE SKIP LOCKED`).
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import Clock, SystemClock
from shared.db.types import UtcDateTime
from shared.webhooks_out.policy import WebhookPolicy
from shared.webhooks_out.signing import signed_headers
from shared.webhooks_out.store import AnyRow
from shared.webhooks_out.tables import webhook_deliveries as d
from shared.webhooks_out.tables import webhook_subscriptions as s

log = logging.getLogger("coxswain.webhooks")
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"  # the body is the structured CloudEvent
MAX_ERROR_CHARS = 500
PRUNE_EVERY_SECONDS = 3600.0
PRUNE_BATCH = 5000


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookDelivery:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, clock: Clock, policy: WebhookPolicy,
                 signing_clock: Clock | None = None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._sessions = sessions
        self._clock = clock
        self.policy = policy
        # webhook-timestamp is when the request leaves, checked by receivers against their own clock (replay
        # protection): it is the wall clock even when the schedule runs on an injected one.
        self._signing_clock = signing_clock or SystemClock()
        self._transport = transport
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        async with httpx.AsyncClient(transport=self._transport, follow_redirects=False,
                                     timeout=self.policy.timeout_seconds) as client:
            next_prune = 0.0
            while True:
                try:
                    if asyncio.get_running_loop().time() >= next_prune:
                        next_prune = asyncio.get_running_loop().time() + PRUNE_EVERY_SECONDS
                        await self.prune_log()
                    sent = await self.deliver_due(client)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # the database away: keep the deliveries, try again after a poll
                    log.warning("webhook delivery round failed; retrying: %r", exc)
                    sent = 0
                if sent < self.policy.batch:
                    await self._wait_for_work()

    async def deliver_due(self, client: httpx.AsyncClient) -> int:
        """Send one batch of due deliveries; returns how many were attempted."""
        claimed = await self._claim()
        if claimed:
            answers = await asyncio.gather(*(self._send(client, row) for row in claimed))
            for row, answer in zip(claimed, answers, strict=True):
                await self._record(row, answer)
        return len(claimed)

    async def prune_log(self) -> int:
        """Forget finished deliveries older than the log's retention, in short batches; returns how many."""
        before = self._clock.now() - timedelta(days=self.policy.log_retention_days)
        oldest = (select(d.c.id).where(d.c.status.in_(("delivered", "failed")), d.c.created_at < before)
                  .order_by(d.c.id).limit(PRUNE_BATCH))
        total = 0
        while True:
            async with self._sessions() as session, session.begin():
                ids = (await session.execute(oldest)).scalars().all()
                if ids:
                    await session.execute(delete(d).where(d.c.id.in_(ids)))
            total += len(ids)
            if len(ids) < PRUNE_BATCH:
                return total

    async def _claim(self) -> list[AnyRow]:
        """Lease a batch of due deliveries in one UPDATE: atomic on SQLite, and on PostgreSQL the rows another
        replica is claiming are skipped, not waited for. Only what this UPDATE returns is this worker's."""
        now = self._clock.now()
        due = (select(d.c.id).join(s, s.c.id == d.c.subscription_id)
               .where(d.c.status == "pending", d.c.next_attempt_at <= now, s.c.enabled.is_(True))
               .order_by(d.c.next_attempt_at, d.c.id).limit(self.policy.batch))
        async with self._sessions() as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                due = due.with_for_update(of=d, skip_locked=True)
            claimed = (await session.execute(
                update(d).where(d.c.id.in_(due), d.c.status == "pending", d.c.next_attempt_at <= now)
                .values(next_attempt_at=now + self.policy.lease).returning(d.c.id))).scalars().all()
            if not claimed:
                return []
            return list((await session.execute(
                select(d.c.id, d.c.subscription_id, d.c.event_id, d.c.payload, d.c.attempts, d.c.retry_until,
                       s.c.url, s.c.secret)
                .join(s, s.c.id == d.c.subscription_id).where(d.c.id.in_(claimed)).order_by(d.c.id))).all())

    async def _send(self, client: httpx.AsyncClient, row: AnyRow) -> Answer:
        timestamp = int(self._signing_clock.now().timestamp())
        headers = {"content-type": CONTENT_TYPE, **signed_headers(row.secret, row.event_id, timestamp, row.payload)}
        try:
            response = await client.post(row.url, content=row.payload, headers=headers)
        except httpx.HTTPError as exc:  # refused, timed out, reset, a URL httpx cannot send to
            return Answer(None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS])
        error = None if 200 <= response.status_code < 300 else response.text[:MAX_ERROR_CHARS]
        return Answer(response.status_code, error)

    async def _record(self, row: AnyRow, answer: Answer) -> None:
        now = self._clock.now()
        attempts = row.attempts + 1
        async with self._sessions() as session, session.begin():
            if answer.delivered:
                await session.execute(update(d).where(d.c.id == row.id).values(
                    status="delivered", attempts=attempts, next_attempt_at=None, last_attempt_at=now,
                    last_status_code=answer.status_code, last_error=None, delivered_at=now))
                await session.execute(update(s).where(s.c.id == row.subscription_id).values(
                    consecutive_failures=0, failing_since=None))
                return
            retry_at = now + self.policy.retry_delay(attempts)
            gave_up = retry_at > row.retry_until
            await session.execute(update(d).where(d.c.id == row.id).values(
                status="failed" if gave_up else "pending", attempts=attempts,
                next_attempt_at=None if gave_up else retry_at, last_attempt_at=now,
                last_status_code=answer.status_code, last_error=answer.error))
            await self._count_failure(session, row.subscription_id, now)

    async def _count_failure(self, session: AsyncSession, subscription_id: str, now: datetime) -> None:
        counted = (await session.execute(
            update(s).where(s.c.id == subscription_id)
            .values(consecutive_failures=s.c.consecutive_failures + 1,
                    failing_since=func.coalesce(s.c.failing_since, literal(now, UtcDateTime())))
            .returning(s.c.consecutive_failures, s.c.failing_since, s.c.enabled))).first()
        if counted is None or not counted.enabled:
            return
        if self.policy.gives_up_on_subscription(consecutive_failures=counted.consecutive_failures,
                                                failing_since=counted.failing_since, now=now):
            reason = (f"disabled after {counted.consecutive_failures} failed attempts in a row since "
                      f"{counted.failing_since.isoformat()}")
            await session.execute(update(s).where(s.c.id == subscription_id).values(
                enabled=False, disabled_reason=reason, disabled_at=now, updated_at=now))
            log.warning("webhook subscription %s %s", subscription_id, reason)

    async def _wait_for_work(self) -> None:
        try:
            async with asyncio.timeout(self.policy.poll_seconds):
                await self._wakeup.wait()
        except TimeoutError:
            pass
        self._wakeup.clear()
