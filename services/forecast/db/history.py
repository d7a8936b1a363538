"""The kept event history: every applied deal, quota and organisation event, for point-in-time queries."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.forecast.db.models import event_history
from shared.events import CloudEvent, decode_event, encode_event


async def keep(session: AsyncSession, event: CloudEvent) -> None:
    await session.execute(event_history.insert().values(
        occurred_at=event.time, event_type=event.type, subject=event.subject, payload=encode_event(event).decode()))


async def events_until(session: AsyncSession, as_of: datetime) -> list[CloudEvent]:
    """Every kept event with a time up to `as_of`, in the order they happened."""
    stmt = select(event_history.c.payload).where(event_history.c.occurred_at <= as_of).order_by(
        event_history.c.occurred_at, event_history.c.id)
    return [decode_event(payload.encode()) for payload in (await session.execute(stmt)).scalars()]


async def keep_all(session: AsyncSession, events: Sequence[CloudEvent]) -> None:
    """Events in their order, one statement (ids follow the order: replay orders by time, then id)."""
    if events:
        await session.execute(event_history.insert(), [
            {"occurred_at": e.time, "event_type": e.type, "subject": e.subject,
             "payload": encode_event(e).decode()} for e in events])
