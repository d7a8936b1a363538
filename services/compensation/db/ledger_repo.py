"""Credits (what each rep was paid on each deal), ledger lines and closed periods; the ledger's one lock."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from sqlalchemy import or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db.models import commission_lines, credits, deals, periods
from services.compensation.domain.calculation import Line
from services.compensation.domain.recalculation import CALCULATED_KINDS, LedgerLine
from shared.db.paging import Window, keyset_window
from shared.db.upsert import insert_for


@dataclass(frozen=True)
class PendingCredit:
    deal_id: str
    rep_id: str
    reason: str | None
    since: datetime


async def pending(session: AsyncSession, rep_ids: list[str] | None, after: tuple[str, str] | None,
                  limit: int) -> Window[PendingCredit]:
    """A page of the credits that wait (for a plan, a quota or a rate), by deal and rep; rep_ids None: everyone's."""
    stmt = select(credits).where(credits.c.status == "pending")
    if rep_ids is not None:
        stmt = stmt.where(credits.c.rep_id.in_(rep_ids))
    found = await keyset_window(session, stmt, [credits.c.deal_id, credits.c.rep_id], after, limit)
    return Window([PendingCredit(r.deal_id, r.rep_id, r.reason, r.updated_at) for r in found.rows],
                  found.next_after)


class CreditValues(TypedDict):
    """A rep's credit on a deal as stored: paid (with base, currency, quota period and plan) or pending (reason)."""
    deal_id: str
    rep_id: str
    credit_no: int
    percent: Decimal
    status: str
    reason: str | None
    base: Decimal | None
    currency: str | None
    quota_period: str | None
    plan_id: str | None
    plan_version: int | None
    updated_at: datetime


class LineContext(TypedDict):
    """What the ledger lines appended together share: whose, where paid, why (the source), and when."""
    rep_id: str
    deal_id: str | None
    period: str
    currency: str
    source_event_id: str
    created_at: datetime
    quota_period: NotRequired[str]
    plan_id: NotRequired[str | None]
    plan_version: NotRequired[int | None]
    credit_no: NotRequired[int]


async def credit_rows(session: AsyncSession, deal_ids: Iterable[str]) -> dict[str, list[CreditValues]]:
    """The stored credits of these deals, per deal and by rep, in one query."""
    wanted = sorted(set(deal_ids))
    out: dict[str, list[CreditValues]] = {d: [] for d in wanted}
    if not wanted:
        return out
    stmt = select(credits).where(credits.c.deal_id.in_(wanted)).order_by(credits.c.deal_id, credits.c.rep_id)
    for r in await session.execute(stmt):
        out[r.deal_id].append(CreditValues(
            deal_id=r.deal_id, rep_id=r.rep_id, credit_no=r.credit_no, percent=r.percent, status=r.status,
            reason=r.reason, base=r.base, currency=r.currency, quota_period=r.quota_period, plan_id=r.plan_id,
            plan_version=r.plan_version, updated_at=r.updated_at))
    return out


async def save_credits(session: AsyncSession, rows: list[CreditValues]) -> None:
    """Upsert credits in one multi-row INSERT ... ON CONFLICT DO UPDATE."""
    if not rows:
        return
    stmt = insert_for(session, credits).values([dict(r) for r in rows])
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["deal_id", "rep_id"],
        set_={k: stmt.excluded[k] for k in rows[0] if k not in ("deal_id", "rep_id")}))


def _row(x: Line, common: LineContext) -> dict[str, Any]:
    return {"component": x.component, "kind": x.kind, "base": x.base, "rate": x.rate, "amount": x.amount,
            "tier": x.tier, "attainment_before": x.attainment_before, "attainment_after": x.attainment_after,
            "reason": x.reason, **common}


async def add_lines(session: AsyncSession, lines: list[Line], common: LineContext) -> None:
    await add_line_groups(session, [(lines, common)])


async def add_line_groups(session: AsyncSession, groups: list[tuple[list[Line], LineContext]]) -> None:
    """Append every group's lines, in order, in one executemany."""
    rows = [_row(x, common) for lines, common in groups for x in lines]
    if rows:
        await session.execute(commission_lines.insert(), rows)


async def add_line(session: AsyncSession, line: Line, common: LineContext) -> int:
    stmt = commission_lines.insert().values(_row(line, common)).returning(commission_lines.c.id)
    return int((await session.execute(stmt)).scalar_one())


async def closed_periods(session: AsyncSession) -> set[str]:
    return set((await session.execute(select(periods.c.period))).scalars())


@dataclass(frozen=True)
class PeriodCredit:
    """A paid credit of a rep's quota period with the deal facts the calculation needs."""
    deal_id: str
    percent: Decimal
    base: Decimal
    plan_id: str
    plan_version: int
    closed_at: datetime
    deal_amount: Decimal
    deal_currency: str
    products: frozenset[str]
    new_logo: bool


RepPeriod = tuple[str, str]  # rep, quota period


async def credits_of_periods(session: AsyncSession, wanted: Iterable[RepPeriod]) -> dict[RepPeriod, list[PeriodCredit]]:
    """`period_credits` for several rep-periods, in one query."""
    pairs = set(wanted)
    out: dict[RepPeriod, list[PeriodCredit]] = {p: [] for p in pairs}
    if not pairs:
        return out
    c = credits.c
    stmt = (select(c.rep_id, c.quota_period, c.deal_id, c.percent, c.base, c.plan_id, c.plan_version,
                   deals.c.closed_at, deals.c.amount, deals.c.currency, deals.c.products, deals.c.new_logo)
            .join(deals, deals.c.deal_id == c.deal_id)
            .where(c.rep_id.in_(sorted({r for r, _ in pairs})), c.quota_period.in_(sorted({q for _, q in pairs})),
                   c.status == "paid"))
    for r in await session.execute(stmt):
        if (r.rep_id, r.quota_period) in pairs:
            out[(r.rep_id, r.quota_period)].append(PeriodCredit(
                r.deal_id, r.percent, r.base, r.plan_id, r.plan_version, r.closed_at, r.amount, r.currency,
                frozenset(r.products), bool(r.new_logo)))
    return out


async def lines_of_periods(session: AsyncSession, wanted: Iterable[RepPeriod]) -> dict[RepPeriod, list[LedgerLine]]:
    """`period_lines` for several rep-periods, in one query, each in the order written."""
    pairs = set(wanted)
    out: dict[RepPeriod, list[LedgerLine]] = {p: [] for p in pairs}
    if not pairs:
        return out
    x = commission_lines.c
    stmt = (select(commission_lines).where(
        x.rep_id.in_(sorted({r for r, _ in pairs})), x.quota_period.in_(sorted({q for _, q in pairs})),
        x.kind.in_(CALCULATED_KINDS), x.deal_id.is_not(None)).order_by(x.id))
    for r in await session.execute(stmt):
        if (r.rep_id, r.quota_period) in pairs:
            out[(r.rep_id, r.quota_period)].append(LedgerLine(r.deal_id, r.plan_id, r.plan_version, Line(
                r.component, r.kind, r.base, r.rate, r.amount, r.tier, r.attainment_before, r.attainment_after)))
    return out


async def period_lines(session: AsyncSession, rep_id: str, quota_period: str) -> list[LedgerLine]:
    """What the ledger paid for a rep's quota period under the plan, in the order it was written."""
    x = commission_lines.c
    stmt = (select(commission_lines).where(x.rep_id == rep_id, x.quota_period == quota_period,
                                           x.kind.in_(CALCULATED_KINDS), x.deal_id.is_not(None)).order_by(x.id))
    return [LedgerLine(r.deal_id, r.plan_id, r.plan_version,
                       Line(r.component, r.kind, r.base, r.rate, r.amount, r.tier, r.attainment_before,
                            r.attainment_after)) for r in await session.execute(stmt)]


async def plan_reps(session: AsyncSession, plan_id: str, quota_period: str) -> list[str]:
    c = credits.c
    stmt = (select(c.rep_id).where(c.plan_id == plan_id, c.quota_period == quota_period, c.status == "paid")
            .distinct().order_by(c.rep_id))
    return list((await session.execute(stmt)).scalars())


async def period_currency(session: AsyncSession, rep_id: str, quota_period: str) -> str | None:
    x = commission_lines.c
    stmt = (select(x.currency).where(x.rep_id == rep_id, x.quota_period == quota_period)
            .order_by(x.id.desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def credited_deals(session: AsyncSession, *, rep_ids: set[str] | None = None, plan_id: str | None = None,
                         currency: str | None = None) -> list[str]:
    """Deals whose credits a change of quota, plan or rate may move: those of the reps, the plan or the currency,
    and every pending one (it may be what was waited for)."""
    c = credits.c
    wanted = [c.status == "pending"]
    if rep_ids is not None:
        wanted.append(c.rep_id.in_(sorted(rep_ids)))
    if plan_id is not None:
        wanted.append(c.plan_id == plan_id)
    if currency is not None:
        wanted.append(c.deal_id.in_(select(deals.c.deal_id).where(deals.c.currency == currency)))
    stmt = select(c.deal_id).where(or_(*wanted)).distinct().order_by(c.deal_id)
    return list((await session.execute(stmt)).scalars())


LEDGER_LOCK = "comp:ledger"


async def lock_ledger(session: AsyncSession) -> None:
    """Serialise recalculations across consumer replicas and API requests (a rep-period is recalculated from
    what the ledger holds); PostgreSQL only, SQLite already allows a single writer.

    One advisory lock for the whole ledger, not one per rep: a transaction recalculates several reps (a batch
    of deals, a split deal, a plan version), and per-rep locks taken in those different orders deadlocked two
    replicas (40P01). A single lock has no order to get wrong; it is held to commit and re-entrant within the
    transaction."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": LEDGER_LOCK})
