"""Manager adjustments: every one kept; the latest per period, group and method is the one shown."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.forecast.db.models import adjustments


async def add(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(adjustments.insert().values(values))


async def history(session: AsyncSession, period: str, group_by: str | None = None,
                  group_id: str | None = None) -> list[dict[str, Any]]:
    stmt = select(adjustments).where(adjustments.c.period == period)
    if group_by:
        stmt = stmt.where(adjustments.c.group_by == group_by)
    if group_id:
        stmt = stmt.where(adjustments.c.group_id == group_id)
    stmt = stmt.order_by(adjustments.c.id)
    return [{k: v for k, v in r._mapping.items() if k != "id"} for r in (await session.execute(stmt)).all()]


async def latest(session: AsyncSession, period: str, group_by: str, method: str) -> dict[tuple[str, str], dict]:
    """(group, currency) → the most recent adjustment."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in await history(session, period, group_by):
        if row["method"] == method:
            out[(row["group_id"], row["currency"])] = row
    return out
