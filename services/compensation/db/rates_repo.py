"""Exchange rates, effective-dated: the rate a deal's currency converts into a plan's on a day."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db.models import exchange_rates
from shared.db.paging import Window, keyset_window
from shared.db.upsert import insert_for


async def rate_on(session: AsyncSession, base: str, quote: str, day: date) -> Decimal | None:
    stmt = (select(exchange_rates.c.rate).where(exchange_rates.c.base == base, exchange_rates.c.quote == quote,
                                                 exchange_rates.c.effective_on <= day)
            .order_by(exchange_rates.c.effective_on.desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def put_rate(session: AsyncSession, base: str, quote: str, day: date, rate: Decimal, at: datetime) -> None:
    values = {"base": base, "quote": quote, "effective_on": day, "rate": rate, "updated_at": at}
    stmt = insert_for(session, exchange_rates).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["base", "quote", "effective_on"], set_=values))


@dataclass(frozen=True)
class Rate:
    base: str
    quote: str
    effective_on: date
    rate: Decimal


async def list_rates(session: AsyncSession, after: tuple[str, str, date] | None, limit: int) -> Window[Rate]:
    """A page of every rate, by base, quote and effective date."""
    r = exchange_rates.c
    found = await keyset_window(session, select(exchange_rates), [r.base, r.quote, r.effective_on], after, limit)
    return Window([Rate(x.base, x.quote, x.effective_on, x.rate) for x in found.rows], found.next_after)


async def rates_from(session: AsyncSession, bases: Iterable[str]) -> list[Rate]:
    """Every effective-dated rate out of these currencies, in one query (`rate_on` picks from them)."""
    wanted = sorted(set(bases))
    if not wanted:
        return []
    stmt = select(exchange_rates).where(exchange_rates.c.base.in_(wanted))
    return [Rate(r.base, r.quote, r.effective_on, r.rate) for r in await session.execute(stmt)]
