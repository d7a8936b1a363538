"""Retention: keeps the plumbing tables bounded without weakening a guarantee.

Published outbox rows and processed event ids older than their window are deleted in batches (short
transactions, no long lock). The per-subject sequences (consumer_sequences) are never pruned: they hold one
row per subject, and they are what still refuses a redelivered event whose id has been forgotten, since its
sequence is at or below the last one applied. Unpublished outbox rows are never touched, however old.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, Delete, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.plumbing import outbox, processed_events
from shared.settings import PlatformSettings

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime

log = logging.getLogger("coxswain.retention")


@dataclass(frozen=True)
class Pruned:
    outbox: int
    inbox: int
    bus: int = 0


async def prune_outbox(sessions: async_sessionmaker[AsyncSession], before: datetime, *, batch: int) -> int:
    oldest = (select(outbox.c.id).where(outbox.c.published_at.is_not(None), outbox.c.published_at < before)
              .order_by(outbox.c.id).limit(batch))
    return await _delete_in_batches(sessions, delete(outbox).where(outbox.c.id.in_(oldest)), batch)


async def prune_inbox(sessions: async_sessionmaker[AsyncSession], before: datetime, *, batch: int) -> int:
    key = tuple_(processed_events.c.consumer, processed_events.c.event_id)
    oldest = (select(processed_events.c.consumer, processed_events.c.event_id)
              .where(processed_events.c.processed_at < before).limit(batch))
    return await _delete_in_batches(sessions, delete(processed_events).where(key.in_(oldest)), batch)


async def _delete_in_batches(sessions: async_sessionmaker[AsyncSession], statement: Delete, batch: int) -> int:
    total = 0
    while True:
        async with sessions() as session, session.begin():
            deleted = cast("CursorResult[Any]", await session.execute(statement)).rowcount  # a DELETE's result
        total += deleted
        if deleted < batch:
            return total
        await asyncio.sleep(0)  # let the service's own work in between batches


async def prune_once(runtime: ServiceRuntime) -> Pruned:
    platform: PlatformSettings = runtime.settings.platform
    now, batch = runtime.clock.now(), platform.retention_batch
    pruned = Pruned(
        outbox=await prune_outbox(runtime.sessions, now - timedelta(hours=platform.outbox_retention_hours),
                                  batch=batch),
        inbox=await prune_inbox(runtime.sessions, now - timedelta(hours=platform.inbox_retention_hours),
                                batch=batch),
    )
    if runtime.bus is None:
        return pruned
    log_before = (now - timedelta(hours=platform.log_retention_hours)) if platform.log_retention_hours else None
    bus = await runtime.bus.prune(dlq_before=now - timedelta(hours=platform.dlq_retention_hours),
                                  log_before=log_before, batch=batch)
    return Pruned(pruned.outbox, pruned.inbox, bus)


async def keep_tables_bounded(runtime: ServiceRuntime) -> None:
    """The retention worker every service runs: a sweep now and then every retention_sweep_seconds."""
    while True:
        try:
            pruned = await prune_once(runtime)
            if pruned != Pruned(0, 0, 0):
                log.info("retention pruned %d outbox rows, %d processed ids, %d bus records",
                         pruned.outbox, pruned.inbox, pruned.bus)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database may be away; the next sweep catches up
            log.warning("retention sweep failed; next in %.0fs: %r",
                        runtime.settings.platform.retention_sweep_seconds, exc)
        await asyncio.sleep(runtime.settings.platform.retention_sweep_seconds)
