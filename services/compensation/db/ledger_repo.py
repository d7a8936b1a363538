"""The deal copy, credits (what each rep was paid on each deal) and ledger lines; rates and closed periods."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db.models import commission_lines, credits, deals, exchange_rates, periods
from services.compensation.domain.calculation import Line
from services.compensation.domain.deals import DealFacts, Splits
from shared.db.upsert import insert_for

PAID_KINDS = ("commission", "true_up", "cap")  # what caps count: SPIFs and draws are outside them


@dataclass(frozen=True)
class Deal:
    deal_id: str
    facts: DealFacts
    owner_id: str
    closed_at: datetime | None
    products: frozenset[str]
    new_logo: bool


@dataclass(frozen=True)
class Credit:
    deal_id: str
    rep_id: str
    credit_no: int
    status: str
    percent: Decimal
    quota_period: str | None
    plan_id: str | None
    plan_version: int | None
    currency: str | None


def _splits(raw: list[list[str]]) -> Splits:
    return tuple((rep, Decimal(p)) for rep, p in raw)


async def deal(session: AsyncSession, deal_id: str) -> Deal | None:
    row = (await session.execute(select(deals).where(deals.c.deal_id == deal_id))).first()
    if row is None:
        return None
    facts = DealFacts(row.status, row.amount, row.currency, _splits(row.splits))
    return Deal(row.deal_id, facts, row.owner_id, row.closed_at, frozenset(row.products), bool(row.new_logo))


async def save_deal(session: AsyncSession, d: Deal, at: datetime) -> None:
    values = {"deal_id": d.deal_id, "status": d.facts.status, "amount": d.facts.amount,
              "currency": d.facts.currency, "owner_id": d.owner_id, "closed_at": d.closed_at,
              "splits": [[rep, str(p)] for rep, p in d.facts.splits], "products": sorted(d.products),
              "new_logo": int(d.new_logo), "updated_at": at}
    stmt = insert_for(session, deals).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["deal_id"], set_=values))


def _credit(r: Any) -> Credit:
    return Credit(r.deal_id, r.rep_id, r.credit_no, r.status, r.percent, r.quota_period, r.plan_id,
                  r.plan_version, r.currency)


async def credits_of(session: AsyncSession, deal_id: str) -> list[Credit]:
    stmt = select(credits).where(credits.c.deal_id == deal_id).order_by(credits.c.rep_id)
    return [_credit(r) for r in await session.execute(stmt)]


async def pending(session: AsyncSession, rep_id: str | None = None) -> list[dict[str, Any]]:
    stmt = select(credits).where(credits.c.status == "pending").order_by(credits.c.deal_id, credits.c.rep_id)
    if rep_id:
        stmt = stmt.where(credits.c.rep_id == rep_id)
    return [dict(r._mapping) for r in await session.execute(stmt)]


async def save_credit(session: AsyncSession, values: dict[str, Any]) -> None:
    stmt = insert_for(session, credits).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["deal_id", "rep_id"], set_=values))


async def set_credit_status(session: AsyncSession, deal_id: str, rep_id: str, status: str, reason: str | None,
                            at: datetime) -> None:
    await session.execute(update(credits).where(credits.c.deal_id == deal_id, credits.c.rep_id == rep_id)
                          .values(status=status, reason=reason, updated_at=at))


async def credited(session: AsyncSession, rep_id: str, quota_period: str, except_deal: str) -> Decimal:
    """What the rep's paid credits in the quota period add up to, this deal aside: attainment before it."""
    stmt = select(func.coalesce(func.sum(credits.c.base), 0)).where(
        credits.c.rep_id == rep_id, credits.c.quota_period == quota_period, credits.c.status == "paid",
        credits.c.deal_id != except_deal)
    return Decimal((await session.execute(stmt)).scalar_one())


async def paid_in_period(session: AsyncSession, rep_id: str, period: str) -> Decimal:
    stmt = select(func.coalesce(func.sum(commission_lines.c.amount), 0)).where(
        commission_lines.c.rep_id == rep_id, commission_lines.c.period == period,
        commission_lines.c.kind.in_(PAID_KINDS))
    return Decimal((await session.execute(stmt)).scalar_one())


def _row(x: Line, common: dict[str, Any]) -> dict[str, Any]:
    return {"component": x.component, "kind": x.kind, "base": x.base, "rate": x.rate, "amount": x.amount,
            "tier": x.tier, "attainment_before": x.attainment_before, "attainment_after": x.attainment_after,
            "reason": x.reason, **common}


async def add_lines(session: AsyncSession, lines: list[Line], common: dict[str, Any]) -> None:
    if lines:
        await session.execute(commission_lines.insert(), [_row(x, common) for x in lines])


async def add_line(session: AsyncSession, line: Line, common: dict[str, Any]) -> int:
    stmt = commission_lines.insert().values(_row(line, common)).returning(commission_lines.c.id)
    return int((await session.execute(stmt)).scalar_one())


async def lines_of_credit(session: AsyncSession, c: Credit) -> list[Line]:
    stmt = select(commission_lines).where(
        commission_lines.c.deal_id == c.deal_id, commission_lines.c.rep_id == c.rep_id,
        commission_lines.c.credit_no == c.credit_no, commission_lines.c.reason.is_(None)
    ).order_by(commission_lines.c.id)
    return [Line(r.component, r.kind, r.base, r.rate, r.amount, r.tier, r.attainment_before, r.attainment_after)
            for r in await session.execute(stmt)]


async def rate_on(session: AsyncSession, base: str, quote: str, day: date) -> Decimal | None:
    stmt = (select(exchange_rates.c.rate).where(exchange_rates.c.base == base, exchange_rates.c.quote == quote,
                                                 exchange_rates.c.effective_on <= day)
            .order_by(exchange_rates.c.effective_on.desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def put_rate(session: AsyncSession, base: str, quote: str, day: date, rate: Decimal, at: datetime) -> None:
    values = {"base": base, "quote": quote, "effective_on": day, "rate": rate, "updated_at": at}
    stmt = insert_for(session, exchange_rates).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["base", "quote", "effective_on"], set_=values))


async def list_rates(session: AsyncSession) -> list[dict[str, Any]]:
    stmt = select(exchange_rates).order_by(exchange_rates.c.base, exchange_rates.c.quote,
                                           exchange_rates.c.effective_on)
    return [dict(r._mapping) for r in await session.execute(stmt)]


async def closed_periods(session: AsyncSession) -> set[str]:
    return set((await session.execute(select(periods.c.period))).scalars())


async def credit_status(session: AsyncSession, deal_id: str, rep_id: str) -> str | None:
    stmt = select(credits.c.status).where(credits.c.deal_id == deal_id, credits.c.rep_id == rep_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def paid_credits(session: AsyncSession, plan_id: str, quota_period: str) -> list[dict[str, Any]]:
    """The plan's paid credits in a period, in the order they were paid, with what each paid and its deal."""
    c, x = credits.c, commission_lines.c
    paid = (select(x.deal_id, x.rep_id, x.credit_no, func.min(x.id).label("first_id"),
                   func.sum(x.amount).label("paid"))
            .where(x.reason.is_(None)).group_by(x.deal_id, x.rep_id, x.credit_no).subquery())
    stmt = (select(c.deal_id, c.rep_id, c.percent, c.base, paid.c.paid, deals.c.closed_at, deals.c.products,
                   deals.c.new_logo)
            .join(paid, (paid.c.deal_id == c.deal_id) & (paid.c.rep_id == c.rep_id)
                  & (paid.c.credit_no == c.credit_no))
            .join(deals, deals.c.deal_id == c.deal_id)
            .where(c.plan_id == plan_id, c.quota_period == quota_period, c.status == "paid")
            .order_by(paid.c.first_id))
    return [dict(r._mapping) for r in await session.execute(stmt)]


LEDGER_LOCK = "comp:ledger"


async def lock_rep(session: AsyncSession, rep_id: str) -> None:
    """Serialise crediting `rep_id` across consumer replicas and API requests (attainment is a running sum);
    PostgreSQL only, SQLite already allows a single writer.

    One advisory lock for the whole ledger, not one per rep: a transaction credits several reps (a batch of
    deals, a split deal, waiting credits in deal order), and per-rep locks taken in those different orders
    deadlocked two replicas (40P01). A single lock has no order to get wrong. It is held to commit and
    re-entrant within the transaction; since a batch holds its reps' locks to commit anyway, two replicas
    were already taking turns on the ledger."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": LEDGER_LOCK})
