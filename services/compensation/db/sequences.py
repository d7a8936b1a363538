"""The subject sequences of the commission events a batch announces, taken in one statement.

uow.emit takes the next sequence of an event's stream one row upsert at a time; a batch that announces a
thousand commissions takes them all at once here (the same counters: shared.db.plumbing.subject_sequences,
a stream per kind of aggregate and id) and hands each emit its number."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.plumbing import subject_sequences
from shared.db.upsert import insert_for


def stream_of(event_type: str, subject: str) -> str:
    """As uow.emit counts it: per kind of aggregate (`commission` in coxswain.commission.calculated.v1) and id."""
    return f"{event_type.split('.')[1]}:{subject}"


async def next_sequences(session: AsyncSession, streams: Sequence[str]) -> list[int]:
    """The next sequence of each stream in order (a stream named twice gets two numbers, in order)."""
    if not streams:
        return []
    wanted = Counter(streams)
    table = subject_sequences
    stmt = insert_for(session, table).values([{"subject": s, "sequence": n} for s, n in sorted(wanted.items())])
    stmt = stmt.on_conflict_do_update(index_elements=["subject"],
                                      set_={"sequence": table.c.sequence + stmt.excluded.sequence})
    last = {r.subject: r.sequence for r in await session.execute(stmt.returning(table.c.subject, table.c.sequence))}
    given: Counter[str] = Counter()
    out = []
    for s in streams:
        out.append(last[s] - wanted[s] + 1 + given[s])
        given[s] += 1
    return out
