"""Manager adjustments: every one kept; the latest per period, group and method is the one shown."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.forecast.db.models import adjustments
from shared.db.paging import keyset_window


@dataclass(frozen=True)
class Adjustment:
    adjustment_id: str
    period: str
    group_by: str
    group_id: str
    method: str
    currency: str
    amount: Decimal
    note: str
    adjusted_by: str
    created_at: datetime


def _adjustment(row: Row[Any]) -> Adjustment:
    return Adjustment(**{k: v for k, v in row._mapping.items() if k != "id"})


async def add(session: AsyncSession, adjustment: Adjustment) -> None:
    await session.execute(adjustments.insert().values(asdict(adjustment)))


def _of(period: str, group_by: str | None, group_id: str | None) -> list[ColumnElement[bool]]:
    where = [adjustments.c.period == period]
    if group_by:
        where.append(adjustments.c.group_by == group_by)
    if group_id:
        where.append(adjustments.c.group_id == group_id)
    return where


async def history(session: AsyncSession, period: str, group_by: str | None = None,
                  group_id: str | None = None) -> list[Adjustment]:
    stmt = select(adjustments).where(*_of(period, group_by, group_id)).order_by(adjustments.c.id)
    return [_adjustment(r) for r in (await session.execute(stmt)).all()]


async def latest(session: AsyncSession, period: str, group_by: str, method: str) -> dict[tuple[str, str], Adjustment]:
    """(group, currency) → the most recent adjustment."""
    out: dict[tuple[str, str], Adjustment] = {}
    for row in await history(session, period, group_by):
        if row.method == method:
            out[(row.group_id, row.currency)] = row
    return out


async def kinds_in(session: AsyncSession, period: str, group_by: str | None = None,
                   group_id: str | None = None) -> set[str]:
    """The group_by values the period's adjustments (these ones) have."""
    stmt = select(adjustments.c.group_by).where(*_of(period, group_by, group_id)).distinct()
    return set((await session.execute(stmt)).scalars())


async def page(session: AsyncSession, period: str, group_by: str | None, group_id: str | None,
               visible: Mapping[str, set[str] | None], after: int | None,
               limit: int) -> tuple[list[Adjustment], int | None]:
    """Oldest first, only the groups visible per group_by (None: all of that kind); keyset on the row id."""
    allowed = [adjustments.c.group_by == kind if groups is None
               else and_(adjustments.c.group_by == kind, adjustments.c.group_id.in_(sorted(groups)))
               for kind, groups in visible.items()]
    stmt = select(adjustments).where(*_of(period, group_by, group_id), or_(false(), *allowed))
    window = await keyset_window(session, stmt, [adjustments.c.id], None if after is None else (after,), limit)
    return [_adjustment(r) for r in window.rows], None if window.next_after is None else int(window.next_after[0])
