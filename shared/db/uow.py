"""The unit of work: state changes and the events they raise are committed together or not at all.

A write use case (a service's `commands.py`) owns its transaction: it opens the unit of work, calls the
domain and commits. The same command also runs inside an event handler, where the consumer has already
opened the unit of work for the whole batch (the inbox rows commit with the effect): there `async with uow`
joins the open transaction and `commit()` leaves the committing to the consumer. `@command` runs a
command again when PostgreSQL ends its transaction for a deadlock or a serialization failure - a request
that met a consumer's batch on the same rows answers as if it had come a moment later, never with a 5xx.
"""
from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Awaitable, Callable, Collection, Sequence
from types import TracebackType
from typing import Concatenate, ParamSpec, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import Clock
from shared.db.plumbing import outbox, subject_sequences
from shared.db.upsert import next_counter, next_counters
from shared.events import CloudEvent, encode_event, new_event, topic_for
from shared.messaging.failures import is_conflict
from shared.observability.tracing import current_traceparent
from shared.webhooks_out.enqueue import enqueue_deliveries
from shared.webhooks_out.policy import WebhookPolicy

DEFAULT_WEBHOOK_POLICY = WebhookPolicy()


class UnitOfWork:
    """`async with uow:` opens one transaction; `emit` appends outbox rows to it; `commit` ends it."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        service: str,
        clock: Clock,
        on_commit: Callable[[], None] | None = None,
        webhook_policy: WebhookPolicy | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.service = service
        self.clock = clock
        self._on_commit = on_commit
        self._webhook_policy = webhook_policy or DEFAULT_WEBHOOK_POLICY
        self.emitted: list[CloudEvent] = []
        self._session: AsyncSession | None = None
        self._pending_rows: list[dict[str, object]] = []
        self._encoded = 0  # outbox rows appended already encoded (append_encoded), not in `emitted`
        self._depth = 0  # how many `async with` blocks are open on this unit of work; the outermost owns it

    @property
    def is_open(self) -> bool:
        """Whether a transaction is open (a command called from a handler joins the consumer's)."""
        return self._depth > 0

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._depth += 1
        if self._depth > 1:
            return self  # joins the transaction the caller opened
        self._session = self._session_factory()
        await self._session.begin()
        self.emitted = []
        self._pending_rows = []
        self._encoded = 0
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._depth -= 1
        if self._depth > 0:
            return  # the outermost block commits or rolls back
        session = self.session
        try:
            self._pending_rows = []
            if session.in_transaction():
                await session.rollback()
        finally:
            await session.close()
            self._session = None

    async def commit(self) -> None:
        await self.flush_outbox()
        if self._depth > 1:
            return  # inside a transaction someone else opened: they commit it, with everything in it
        await self.session.commit()
        if (self.emitted or self._encoded) and self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    async def emit(
        self, event_type: str, *, subject: str, data: BaseModel, sequence: int | None = None
    ) -> CloudEvent:
        """Append an event to the outbox in this transaction; the relay publishes it after commit."""
        if sequence is None:
            sequence = await next_counter(self.session, subject_sequences, "subject", _stream(event_type, subject),
                                          "sequence")
        traceparent = current_traceparent()  # the request's or the consumed event's span: the trace goes on
        event = new_event(
            type=event_type,
            source_service=self.service,
            subject=subject,
            data=data,
            time=self.clock.now(),
            sequence=sequence,
            extensions={"traceparent": traceparent} if traceparent else None,
        )
        self._pending_rows.append({
            "event_id": str(event.id), "topic": topic_for(event_type), "key": subject, "event_type": event_type,
            "payload": encode_event(event), "created_at": event.time, "attempts": 0, "traceparent": traceparent,
        })
        self.emitted.append(event)
        return event

    def append_encoded(self, rows: Sequence[dict[str, object]]) -> None:
        """Outbox rows a bulk command encoded itself, in the columns `emit` writes (the leads import announces
        thousands of new leads per batch; its tests compare the bytes with `emit`'s). Written like `emit`'s."""
        self._pending_rows.extend(rows)
        self._encoded += len(rows)

    async def next_sequences(self, event_type: str, subjects: Collection[str]) -> dict[str, int]:
        """The sequences `emit` without one would give the next event of this kind of each subject, taken for
        many subjects in one statement (then `emit(..., sequence=...)` each; a batch handler's events)."""
        streams = {_stream(event_type, subject): subject for subject in subjects}
        taken = await next_counters(self.session, subject_sequences, "subject", streams, "sequence")
        return {streams[stream]: sequence for stream, sequence in taken.items()}

    async def flush_outbox(self) -> None:
        """Write the events emitted so far in one statement (commit does it; call it to read them back)."""
        if self._pending_rows:
            rows, self._pending_rows = self._pending_rows, []
            await self.session.execute(outbox.insert(), rows)
            # Same transaction: an event and its webhook deliveries exist together or not at all (docs/webhooks.md).
            await enqueue_deliveries(self.session, rows, now=self.clock.now(), policy=self._webhook_policy)


def _stream(event_type: str, subject: str) -> str:
    """Sequences are counted per kind of aggregate and id (a rep and a team may share an id), never per type."""
    return f"{event_type.split('.')[1]}:{subject}"


UnitOfWorkFactory = Callable[[], UnitOfWork]


P = ParamSpec("P")
R = TypeVar("R")
CONFLICT_ATTEMPTS = 5


def command(
    use_case: Callable[Concatenate[UnitOfWork, P], Awaitable[R]],
) -> Callable[Concatenate[UnitOfWork, P], Awaitable[R]]:
    """A write use case, run again (a few times, after a short random pause) when its own transaction is
    ended by a deadlock or a serialization failure. Inside a transaction it joined, the owner of that
    transaction retries (the consumer runs the whole batch again), so the command just runs once."""

    @functools.wraps(use_case)
    async def run(uow: UnitOfWork, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if uow.is_open:
            return await use_case(uow, *args, **kwargs)
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                return await use_case(uow, *args, **kwargs)
            except Exception as exc:
                if attempt == CONFLICT_ATTEMPTS or not is_conflict(exc):
                    raise
            await asyncio.sleep(random.uniform(0.01, 0.05) * attempt)  # apart, so they do not meet again
        raise AssertionError("unreachable")

    return run
