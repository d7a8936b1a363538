"""Read models for commissions and statements; draws and period locks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db import plans_repo
from services.compensation.db.models import commission_lines, credits, draws, periods
from services.compensation.domain.draws import DrawKind
from shared.db.paging import Window, keyset_window
from shared.db.upsert import insert_for


@dataclass(frozen=True)
class LineFilter:
    rep_ids: list[str] | None = None  # None: everyone (ops, admin)
    period: str | None = None
    deal_id: str | None = None
    component: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class LineRow:
    """A ledger line as stored."""
    id: int
    rep_id: str
    deal_id: str | None
    period: str
    quota_period: str | None
    component: str
    kind: str
    base: Decimal
    rate: Decimal
    amount: Decimal
    currency: str
    tier: str | None
    attainment_before: Decimal | None
    attainment_after: Decimal | None
    plan_id: str | None
    plan_version: int | None
    credit_no: int | None
    reason: str | None
    source_event_id: str | None
    created_at: datetime


def line_row(r: Any) -> LineRow:
    return LineRow(**{k: r._mapping[k] for k in LineRow.__dataclass_fields__})


def _filtered(wanted: LineFilter) -> Select[Any]:
    c = commission_lines.c
    stmt = select(commission_lines)
    if wanted.rep_ids is not None:
        stmt = stmt.where(c.rep_id.in_(wanted.rep_ids))
    for column, value in (("period", wanted.period), ("deal_id", wanted.deal_id),
                          ("component", wanted.component), ("kind", wanted.kind)):
        if value is not None:
            stmt = stmt.where(c[column] == value)
    return stmt


async def lines(session: AsyncSession, wanted: LineFilter, after: int | None, limit: int) -> Window[LineRow]:
    """A page of the lines wanted, by id (the order they were written)."""
    found = await keyset_window(session, _filtered(wanted), [commission_lines.c.id],
                                None if after is None else (after,), limit)
    return Window([line_row(r) for r in found.rows], found.next_after)


async def all_lines(session: AsyncSession, wanted: LineFilter) -> list[LineRow]:
    stmt = _filtered(wanted).order_by(commission_lines.c.id)
    return [line_row(r) for r in await session.execute(stmt)]


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


@dataclass(frozen=True)
class Draw:
    rep_id: str
    kind: DrawKind
    amount: Decimal
    currency: str
    balance: Decimal


def _draw(r: Any) -> Draw:
    return Draw(r.rep_id, r.kind, r.amount, r.currency, r.balance)


async def draw_of(session: AsyncSession, rep_id: str) -> Draw | None:
    row = (await session.execute(select(draws).where(draws.c.rep_id == rep_id))).first()
    return _draw(row) if row else None


async def all_draws(session: AsyncSession) -> list[Draw]:
    return [_draw(r) for r in await session.execute(select(draws).order_by(draws.c.rep_id))]


async def set_draw_balance(session: AsyncSession, rep_id: str, balance: Decimal, at: datetime) -> None:
    await session.execute(update(draws).where(draws.c.rep_id == rep_id).values(balance=balance, updated_at=at))


async def lock(session: AsyncSession, period: str, at: datetime) -> None:
    await session.execute(periods.insert().values(period=period, closed_at=at))


@dataclass(frozen=True)
class ClosedPeriod:
    period: str
    closed_at: datetime


async def closed(session: AsyncSession, after: str | None, limit: int) -> Window[ClosedPeriod]:
    """Closed periods, oldest first."""
    found = await keyset_window(session, select(periods), [periods.c.period], None if after is None else (after,),
                                limit)
    return Window([ClosedPeriod(r.period, r.closed_at) for r in found.rows], found.next_after)
