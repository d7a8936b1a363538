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
        outcomes: list[Outcome | None] = []
        events: list[CloudEvent] = []
        for raw in raws:
            try:
                events.append(decode_event(raw))
                outcomes.append(None)
            except PoisonEvent as poison:
                outcomes.append(Outcome("dead_letter", poison.reason))
        ours = iter(events)
        async with self._uow_factory() as uow:
            inbox = await Inbox.load(uow, self.consumer, [e for e in events if e.type in self.handlers])
            for i, outcome in enumerate(outcomes):
                if outcome is None:
                    outcomes[i] = await self._apply_with(uow, inbox, next(ours))
            await inbox.save(uow)
            await uow.commit()
        return [o for o in outcomes if o is not None]

    async def _apply_with(self, uow: UnitOfWork, inbox: Inbox, event: CloudEvent) -> Outcome:
        handler = self.handlers.get(event.type)
        if handler is None:
            return Outcome("ignored")
        verdict = inbox.verdict(event)
        if verdict == "handled":
            with event_context(event):
                await handler(event, uow)
        inbox.record(event, handled=verdict == "handled")
        return Outcome(verdict)

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
            inbox = await Inbox.load(uow, self.consumer, [event])
            verdict = inbox.verdict(event)
            if verdict == "handled":
                await handler(event, uow)
            inbox.record(event, handled=verdict == "handled")
            await inbox.save(uow)
            await uow.commit()
            return Outcome(verdict)

    def _count(self, event_type: str, outcome: Outcome) -> Outcome:
        self._metrics.events_handled.labels(type=event_type, outcome=outcome.kind).inc()
        return outcome


class Inbox:
    """What one consumer has already applied, for the events in hand: read in two queries, written in two,
    inside the transaction that applies them (so an event id and its effect commit together)."""

    def __init__(self, consumer: str, seen: set[str], last: dict[tuple[str, str], int]) -> None:
        self.consumer, self._seen, self._last = consumer, seen, last
        self._new_ids: list[str] = []
        self._advanced: dict[tuple[str, str], int] = {}

    @classmethod
    async def load(cls, uow: UnitOfWork, consumer: str, events: Sequence[CloudEvent]) -> Inbox:
        if not events:
            return cls(consumer, set(), {})
        ids = await uow.session.execute(select(processed_events.c.event_id).where(
            processed_events.c.consumer == consumer,
            processed_events.c.event_id.in_({str(e.id) for e in events})))
        rows = await uow.session.execute(
            select(consumer_sequences.c.source, consumer_sequences.c.subject, consumer_sequences.c.sequence).where(
                consumer_sequences.c.consumer == consumer,
                consumer_sequences.c.subject.in_({e.subject for e in events})))
        return cls(consumer, set(ids.scalars()), {(r.source, r.subject): r.sequence for r in rows})

    def verdict(self, event: CloudEvent) -> str:
        if str(event.id) in self._seen:
            return "duplicate"
        last = self._last.get((stream_of(event), event.subject))
        return "stale" if last is not None and event.sequence <= last else "handled"

    def record(self, event: CloudEvent, *, handled: bool) -> None:
        if str(event.id) in self._seen:
            return  # a duplicate: already recorded
        self._seen.add(str(event.id))
        self._new_ids.append(str(event.id))
        if handled:
            self._last[(stream_of(event), event.subject)] = event.sequence
            self._advanced[(stream_of(event), event.subject)] = event.sequence

    async def save(self, uow: UnitOfWork) -> None:
        now = uow.clock.now()
        if self._new_ids:
            await uow.session.execute(processed_events.insert(), [
                {"consumer": self.consumer, "event_id": i, "processed_at": now} for i in self._new_ids])
        if self._advanced:
            stmt = insert_for(uow.session, consumer_sequences)
            stmt = stmt.on_conflict_do_update(index_elements=["consumer", "source", "subject"],
                                              set_={"sequence": stmt.excluded.sequence})
            await uow.session.execute(stmt, [
                {"consumer": self.consumer, "source": src, "subject": subj, "sequence": seq}
                for (src, subj), seq in self._advanced.items()])
        self._new_ids, self._advanced = [], {}


def stream_of(event: CloudEvent) -> str:
    """Whose versions `sequence` counts: one producer's one kind of aggregate. A team and a territory both
    called "emea" are two aggregates, so their sequences must not be compared."""
    return f"{event.source}#{event.type.split('.')[1]}"


def _type_of(raw: bytes | None) -> str:
    try:
        return str(json.loads(raw or b"").get("type", "<undecodable>"))
    except (ValueError, AttributeError):
        return "<undecodable>"
