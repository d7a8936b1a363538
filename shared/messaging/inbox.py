"""A consumer's inbox: what it has already applied, read and written in the transaction that applies more.

An event id seen before is a duplicate; an event whose sequence is not above the last one applied for its
stream and subject is stale. Both are recorded so a redelivery changes nothing.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from shared.db.plumbing import consumer_sequences, processed_events
from shared.db.uow import UnitOfWork
from shared.db.upsert import insert_for
from shared.events import CloudEvent


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
