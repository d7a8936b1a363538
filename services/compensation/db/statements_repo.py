"""Read models for commissions and statements; draws and period locks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db import plans_repo
from services.compensation.db.models import commission_lines, credits, draws, periods
from shared.db.upsert import insert_for


@dataclass(frozen=True)
class LineFilter:
    rep_ids: list[str] | None = None  # None: everyone (ops, admin)
    period: str | None = None
    deal_id: str | None = None
    component: str | None = None
    kind: str | None = None


async def lines(session: AsyncSession, wanted: LineFilter, after: int | None, limit: int) -> list[dict[str, Any]]:
    c = commission_lines.c
    stmt = select(commission_lines).order_by(c.id).limit(limit)
    if wanted.rep_ids is not None:
        stmt = stmt.where(c.rep_id.in_(wanted.rep_ids))
    for column, value in (("period", wanted.period), ("deal_id", wanted.deal_id),
                          ("component", wanted.component), ("kind", wanted.kind)):
        if value is not None:
            stmt = stmt.where(c[column] == value)
    if after is not None:
        stmt = stmt.where(c.id > after)
    return [dict(r._mapping) for r in await session.execute(stmt)]


async def earned(session: AsyncSession, rep_id: str, period: str) -> Decimal:
    stmt = select(func.coalesce(func.sum(commission_lines.c.amount), 0)).where(
        commission_lines.c.rep_id == rep_id, commission_lines.c.period == period)
    return Decimal((await session.execute(stmt)).scalar_one())


async def credited(session: AsyncSession, rep_id: str, period: str) -> Decimal:
    stmt = select(func.coalesce(func.sum(credits.c.base), 0)).where(
        credits.c.rep_id == rep_id, credits.c.quota_period == period, credits.c.status == "paid")
    return Decimal((await session.execute(stmt)).scalar_one())


async def quota_amount(session: AsyncSession, rep_id: str, period: str) -> Decimal | None:
    """As the calculation reads it: month quotas inside a quarter count toward it (plans_repo.quota)."""
    found = await plans_repo.quota(session, rep_id, period)
    return found[0] if found else None


async def put_draw(session: AsyncSession, rep_id: str, kind: str, amount: Decimal, currency: str,
                   at: datetime) -> Decimal:
    values = {"rep_id": rep_id, "kind": kind, "amount": amount, "currency": currency, "updated_at": at}
    stmt = insert_for(session, draws).values({**values, "balance": Decimal("0.00")})
    stmt = stmt.on_conflict_do_update(index_elements=["rep_id"], set_=values).returning(draws.c.balance)
    return Decimal((await session.execute(stmt)).scalar_one())


async def draw_of(session: AsyncSession, rep_id: str) -> dict[str, Any] | None:
    row = (await session.execute(select(draws).where(draws.c.rep_id == rep_id))).first()
    return dict(row._mapping) if row else None


async def all_draws(session: AsyncSession) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in await session.execute(select(draws).order_by(draws.c.rep_id))]


async def set_draw_balance(session: AsyncSession, rep_id: str, balance: Decimal, at: datetime) -> None:
    await session.execute(update(draws).where(draws.c.rep_id == rep_id).values(balance=balance, updated_at=at))


async def lock(session: AsyncSession, period: str, at: datetime) -> None:
    await session.execute(periods.insert().values(period=period, closed_at=at))


async def closed(session: AsyncSession, after: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    stmt = select(periods).order_by(periods.c.period).limit(limit)
    if after is not None:
        stmt = stmt.where(periods.c.period > after)
    return [dict(r._mapping) for r in await session.execute(stmt)]
