"""One record in, one outcome out: decode, deduplicate, skip stale, run the handler in a unit of work.

The handler's effect, the processed event id and the subject's last sequence commit in one transaction,
so a redelivered event changes nothing. Transient infrastructure errors are retried until they pass
(losing nothing); any other failure is retried a few times, then dead-lettered with its reason.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from shared.db.plumbing import consumer_sequences, processed_events
from shared.db.uow import UnitOfWork, UnitOfWorkFactory
from shared.db.upsert import insert_for
from shared.events import CloudEvent, PoisonEvent, decode_event
from shared.observability.logs import event_context
from shared.observability.metrics import ServiceMetrics

log = logging.getLogger("coxswain.consumer")

Handler = Callable[[CloudEvent, UnitOfWork], Awaitable[None]]
TRANSIENT = (sa_exc.OperationalError, sa_exc.InterfaceError, ConnectionError, TimeoutError, OSError)


@dataclass(frozen=True)
class Outcome:
    kind: str  # handled | duplicate | stale | ignored | dead_letter
    reason: str = ""


class EventDispatcher:
    def __init__(
        self,
        consumer: str,
        handlers: Mapping[str, Handler],
        uow_factory: UnitOfWorkFactory,
        *,
        metrics: ServiceMetrics,
        max_attempts: int = 3,
        first_backoff: float = 0.05,
        max_backoff: float = 5.0,
    ) -> None:
        self.consumer = consumer
        self.handlers = handlers
        self._uow_factory = uow_factory
        self._metrics = metrics
        self._max_attempts = max_attempts
        self._first_backoff = first_backoff
        self._max_backoff = max_backoff

    async def dispatch(self, raw: bytes | None) -> Outcome:
        try:
            event = decode_event(raw)
        except PoisonEvent as poison:
            return self._count("<undecodable>", Outcome("dead_letter", poison.reason))
        handler = self.handlers.get(event.type)
        if handler is None:
            return self._count(event.type, Outcome("ignored"))
        with event_context(event):
            return self._count(event.type, await self._with_retries(event, handler))

    async def dispatch_many(self, raws: Sequence[bytes | None]) -> list[Outcome]:
        """A batch in one transaction (fast path); if anything in it fails, each event on its own."""
        if len(raws) <= 1:
            return [await self.dispatch(raw) for raw in raws]
        try:
            outcomes = await self._apply_batch(raws)
        except Exception as exc:
            log.info("batch of %d fell back to one-by-one handling: %r", len(raws), exc)
            return [await self.dispatch(raw) for raw in raws]
        for raw, outcome in zip(raws, outcomes, strict=True):
            self._count(_type_of(raw), outcome)
        return outcomes

    async def _apply_batch(self, raws: Sequence[bytes | None]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        async with self._uow_factory() as uow:
            for raw in raws:
                try:
                    event = decode_event(raw)
                except PoisonEvent as poison:
                    outcomes.append(Outcome("dead_letter", poison.reason))
                    continue
                handler = self.handlers.get(event.type)
                if handler is None:
                    outcomes.append(Outcome("ignored"))
                    continue
                with event_context(event):
                    outcomes.append(await self._apply_in(uow, event, handler))
            await uow.commit()
        return outcomes

    async def _with_retries(self, event: CloudEvent, handler: Handler) -> Outcome:
        attempt, backoff = 0, self._first_backoff
        while True:
            try:
                return await self._apply_once(event, handler)
            except PoisonEvent as poison:
                return Outcome("dead_letter", poison.reason)
            except TRANSIENT as exc:
                log.warning("transient failure handling %s, retrying: %s", event.type, exc)
            except Exception as exc:
                attempt += 1
                if attempt >= self._max_attempts:
                    log.exception("handler failed %d times; dead-lettering %s", attempt, event.id)
                    return Outcome("dead_letter", f"handler failed after {attempt} attempts: {exc!r}")
                log.warning("handler failed (attempt %d), retrying: %r", attempt, exc)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    async def _apply_once(self, event: CloudEvent, handler: Handler) -> Outcome:
        async with self._uow_factory() as uow:
            outcome = await self._apply_in(uow, event, handler)
            await uow.commit()
            return outcome

    async def _apply_in(self, uow: UnitOfWork, event: CloudEvent, handler: Handler) -> Outcome:
        """Dedupe, skip stale, handle, and record the event id and sequence: all in the caller's transaction."""
        seen = await uow.session.execute(
            select(processed_events.c.event_id).where(
                processed_events.c.consumer == self.consumer,
                processed_events.c.event_id == str(event.id),
            )
        )
        if seen.first() is not None:
            return Outcome("duplicate")
        outcome = Outcome("stale") if await self._is_stale(uow, event) else Outcome("handled")
        if outcome.kind == "handled":
            await handler(event, uow)
            await self._record_sequence(uow, event)
        await uow.session.execute(
            processed_events.insert().values(
                consumer=self.consumer, event_id=str(event.id), processed_at=uow.clock.now()
            )
        )
        return outcome

    async def _is_stale(self, uow: UnitOfWork, event: CloudEvent) -> bool:
        row = await uow.session.execute(
            select(consumer_sequences.c.sequence).where(
                consumer_sequences.c.consumer == self.consumer,
                consumer_sequences.c.source == event.source,
                consumer_sequences.c.subject == event.subject,
            )
        )
        last = row.scalar_one_or_none()
        return last is not None and event.sequence <= last

    async def _record_sequence(self, uow: UnitOfWork, event: CloudEvent) -> None:
        values = dict(consumer=self.consumer, source=event.source, subject=event.subject, sequence=event.sequence)
        stmt = insert_for(uow.session, consumer_sequences).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["consumer", "source", "subject"], set_={"sequence": event.sequence}
        )
        await uow.session.execute(stmt)

    def _count(self, event_type: str, outcome: Outcome) -> Outcome:
        self._metrics.events_handled.labels(type=event_type, outcome=outcome.kind).inc()
        return outcome


def _type_of(raw: bytes | None) -> str:
    try:
        return str(json.loads(raw or b"").get("type", "<undecodable>"))
    except (ValueError, AttributeError):
        return "<undecodable>"
