"""Snapshots of every method's forecast, their lines, and the weekly schedule's state."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.forecast.db.models import snapshot_lines, snapshot_schedule_state, snapshots
from services.forecast.domain.accuracy import SnapshotLine
from shared.db.paging import keyset_window
from shared.db.upsert import insert_for

SCHEDULE = "weekly"
SnapshotKey = tuple[datetime, str, str]  # taken_at, method, snapshot_id: the order they are listed in


@dataclass(frozen=True)
class Snapshot:
    snapshot_id: str
    period: str
    method: str
    taken_at: datetime
    trigger: str  # demand | schedule
    totals: dict[str, str]  # currency → forecast, as on the wire


@dataclass(frozen=True)
class SnapshotLineRow:
    dimension: str
    group_id: str
    currency: str
    forecast: Decimal
    closed_won: Decimal


def _snapshot(row: Row[Any]) -> Snapshot:
    return Snapshot(**{**row._mapping, "totals": json.loads(row.totals)})


async def add(session: AsyncSession, snapshot: Snapshot, lines: list[SnapshotLineRow]) -> None:
    await session.execute(snapshots.insert().values({**asdict(snapshot), "totals": json.dumps(snapshot.totals)}))
    if lines:
        await session.execute(snapshot_lines.insert(), [
            {"snapshot_id": snapshot.snapshot_id, **asdict(line)} for line in lines])


async def of_period(session: AsyncSession, period: str, after: SnapshotKey | None,
                    limit: int) -> tuple[list[Snapshot], SnapshotKey | None]:
    """A page of the period's snapshots in the order they were taken (keyset on taken_at, method, id)."""
    keys = [snapshots.c.taken_at, snapshots.c.method, snapshots.c.snapshot_id]
    window = await keyset_window(session, select(snapshots).where(snapshots.c.period == period), keys, after, limit)
    following = window.next_after
    return ([_snapshot(r) for r in window.rows],
            None if following is None else (following[0], following[1], following[2]))


async def lines_of_period(session: AsyncSession, period: str) -> list[SnapshotLine]:
    """Every line of every snapshot of the period, with its snapshot's method and time."""
    rows = (await session.execute(select(snapshots.c.method, snapshots.c.taken_at, snapshot_lines).join(
        snapshot_lines, snapshot_lines.c.snapshot_id == snapshots.c.snapshot_id).where(
        snapshots.c.period == period))).all()
    return [SnapshotLine(r.method, r.taken_at, r.dimension, r.group_id, r.currency, r.forecast) for r in rows]


async def claim_schedule(session: AsyncSession) -> datetime | None:
    """The schedule's row, locked (FOR UPDATE on PostgreSQL; SQLite has one writer anyway): replicas take turns,
    the row stays locked until commit. Its last scheduled snapshot time (None: never)."""
    await session.execute(insert_for(session, snapshot_schedule_state).values(
        name=SCHEDULE, last_taken_at=None).on_conflict_do_nothing())
    last: datetime | None = (await session.execute(select(snapshot_schedule_state.c.last_taken_at).where(
        snapshot_schedule_state.c.name == SCHEDULE).with_for_update())).scalar()
    return last


async def mark_scheduled(session: AsyncSession, taken_at: datetime) -> None:
    await session.execute(snapshot_schedule_state.update().where(
        snapshot_schedule_state.c.name == SCHEDULE).values(last_taken_at=taken_at))
