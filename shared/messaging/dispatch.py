"""One record in, one outcome out: decode, deduplicate, skip stale, run the handler in a unit of work.

The handler's effect, the processed event id and the subject's last sequence commit in one transaction,
so a redelivered event changes nothing. A failure is classified by its cause (shared.messaging.failures):
an infrastructure failure (connection, recovery, serialization failure, deadlock, lock or statement
timeout) is retried without limit with capped backoff, and the call does not return - so the runner
commits no offset - until it passes; only a failure of the event's own content is retried a few times,
then dead-lettered with its reason. A well-formed CloudEvent of a type this consumer has no handler for
(a `.v2` beside the `.v1` it knows, a type this build has never heard of) is ignored and counted, never
dead-lettered; only records that are not CloudEvents at all, or that a handler cannot accept, are.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from shared.db.uow import UnitOfWork, UnitOfWorkFactory
from shared.events import REGISTRY, CloudEvent, PoisonEvent, decode_event
from shared.messaging.failures import cause_of, is_transient
from shared.messaging.inbox import Inbox
from shared.observability.logs import event_context, run_context
from shared.observability.metrics import ServiceMetrics

log = logging.getLogger("coxswain.consumer")

Handler = Callable[[CloudEvent, UnitOfWork], Awaitable[None]]
BatchFunction = Callable[[Sequence[CloudEvent], UnitOfWork], Awaitable[None]]


class BatchHandler:
    """A handler that takes a run of events at once (batch-native: fold them in the domain into the net change
    per row, read what they need in one query per table, write with set statements).

    Registered in the handler table like any handler, for every type it takes. The dispatcher hands it each
    run of consecutive events (in offset order, so per aggregate in order) that it handles in a fetched batch;
    called with one event (the one-by-one fallback that isolates a poison event) it gets a run of one."""

    def __init__(self, run: BatchFunction) -> None:
        self.run = run
        self.__name__ = getattr(run, "__name__", "batch_handler")
        self.__doc__ = run.__doc__

    async def __call__(self, event: CloudEvent, uow: UnitOfWork) -> None:
        await self.run([event], uow)


def batch_handler(run: BatchFunction) -> BatchHandler:
    """`@batch_handler async def project_deals(events, uow)`: see BatchHandler."""
    return BatchHandler(run)


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
            event = self._decode(raw)
        except PoisonEvent as poison:
            return self._count("<undecodable>", Outcome("dead_letter", poison.reason))
        if isinstance(event, str):
            return self._count(event, Outcome("ignored"))
        handler = self.handlers.get(event.type)
        if handler is None:
            return self._count(event.type, Outcome("ignored"))
        with event_context(event):
            return self._count(event.type, await self._with_retries(event, handler))

    async def dispatch_many(self, raws: Sequence[bytes | None]) -> list[Outcome]:
        """A batch in one transaction (fast path); if anything in it fails, each event on its own."""
        if len(raws) <= 1:
            return [await self.dispatch(raw) for raw in raws]
        outage, backoff = 0, self._first_backoff
        while True:
            try:
                outcomes = await self._apply_batch(raws)
                break
            except Exception as exc:
                if not is_transient(exc):
                    log.info("batch of %d fell back to one-by-one handling: %r", len(raws), exc)
                    return [await self.dispatch(raw) for raw in raws]
                outage += 1
                self._metrics.transient_failures.labels(cause=cause_of(exc)).inc()
                if outage == 1 or outage % 20 == 0:
                    log.warning("infrastructure failure applying a batch of %d (%d in a row), retrying: %r",
                                len(raws), outage, exc)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)
        for raw, outcome in zip(raws, outcomes, strict=True):
            self._count(_type_of(raw), outcome)
        return outcomes

    async def _apply_batch(self, raws: Sequence[bytes | None]) -> list[Outcome]:
        outcomes: list[Outcome | None] = []
        events: list[CloudEvent] = []
        for raw in raws:
            try:
                event = self._decode(raw)
            except PoisonEvent as poison:
                outcomes.append(Outcome("dead_letter", poison.reason))
                continue
            if isinstance(event, str):
                outcomes.append(Outcome("ignored"))
            else:
                events.append(event)
                outcomes.append(None)
        async with self._uow_factory() as uow:
            inbox = await Inbox.load(uow, self.consumer, [e for e in events if e.type in self.handlers])
            verdicts = [self._judge(inbox, event) for event in events]
            await self._run_handlers(uow, [e for e, v in zip(events, verdicts, strict=True) if v.kind == "handled"])
            await inbox.save(uow)
            await uow.commit()
        judged = iter(verdicts)
        return [outcome or next(judged) for outcome in outcomes]

    def _judge(self, inbox: Inbox, event: CloudEvent) -> Outcome:
        """The event's verdict (handled, duplicate, stale, ignored), recorded in the inbox in offset order."""
        if event.type not in self.handlers:
            return Outcome("ignored")
        verdict = inbox.verdict(event)
        inbox.record(event, handled=verdict == "handled")
        return Outcome(verdict)

    async def _run_handlers(self, uow: UnitOfWork, events: Sequence[CloudEvent]) -> None:
        """Each event to its handler, in offset order; a run of consecutive events that go to the same batch
        handler goes to it at once."""
        start = 0
        while start < len(events):
            handler = self.handlers[events[start].type]
            end = start + 1
            if isinstance(handler, BatchHandler):
                while end < len(events) and self.handlers[events[end].type] is handler:
                    end += 1
                with run_context(events[start:end]):
                    await handler.run(events[start:end], uow)
            else:
                with event_context(events[start]):
                    await handler(events[start], uow)
            start = end

    def _decode(self, raw: bytes | None) -> CloudEvent | str:
        """The event, or - for a valid envelope of a type this consumer does not handle - just its type."""
        try:
            return decode_event(raw)
        except PoisonEvent:
            unknown = _unhandled_type(raw, self.handlers)
            if unknown is None:
                raise
            if unknown not in REGISTRY:
                self._metrics.events_ignored.labels(type=unknown).inc()
                log.info("ignoring %s: a type this consumer does not know yet", unknown)
            return unknown

    async def _with_retries(self, event: CloudEvent, handler: Handler) -> Outcome:
        attempt, outage, backoff = 0, 0, self._first_backoff
        while True:
            try:
                return await self._apply_once(event, handler)
            except PoisonEvent as poison:
                return Outcome("dead_letter", poison.reason)
            except Exception as exc:
                if is_transient(exc):
                    outage += 1
                    self._metrics.transient_failures.labels(cause=cause_of(exc)).inc()
                    if outage == 1 or outage % 20 == 0:  # one line per outage, then a count now and then
                        log.warning("infrastructure failure handling %s (%d in a row), retrying: %r",
                                    event.type, outage, exc)
                else:
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


def _unhandled_type(raw: bytes | None, handlers: Mapping[str, Handler]) -> str | None:
    """The type of a well-formed envelope that none of `handlers` takes (its data is not ours to judge)."""
    try:
        envelope = CloudEvent.model_validate_json(raw or b"")
    except (ValidationError, ValueError):
        return None
    return None if envelope.type in handlers else envelope.type


def _type_of(raw: bytes | None) -> str:
    try:
        return str(json.loads(raw or b"").get("type", "<undecodable>"))
    except (ValueError, AttributeError):
        return "<undecodable>"
