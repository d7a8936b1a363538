"""Territory's copies of other services' facts: leads, deals and quotas, kept from their events."""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import asdict, fields
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.territory.db.models import deal_book, lead_book, quotas
from services.territory.domain.books import BookedDeal, BookedLead
from services.territory.domain.coverage import DealFact, LeadFact, quota_of
from shared.crediting import Splits, splits_of
from shared.db.upsert import insert_for
from shared.periods import Period


def _lead(m: Any) -> BookedLead:
    return BookedLead(m["lead_id"], dict(m["profile"] or {}), m["status"], bool(m["is_open"]),
                      m["matched_territory_id"], m["territory_id"], m["rep_id"], m["created_at"], m["assigned_at"],
                      m["first_touch_at"], m["status_at"])


LEAD_FIELDS = tuple(f.name for f in fields(BookedLead))
DEAL_FIELDS = tuple(f.name for f in fields(BookedDeal))


def _row(kept: BookedLead | BookedDeal, names: tuple[str, ...]) -> dict[str, Any]:
    """The row's columns, without asdict's deep copy (nothing here is changed in place)."""
    return {name: getattr(kept, name) for name in names}


async def booked_lead(session: AsyncSession, lead_id: str) -> BookedLead | None:
    row = (await session.execute(select(lead_book).where(lead_book.c.lead_id == lead_id))).first()
    return _lead(row._mapping) if row else None


async def save_lead(session: AsyncSession, lead: BookedLead) -> None:
    values = asdict(lead)
    stmt = insert_for(session, lead_book).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["lead_id"], set_=values))


async def booked_leads(session: AsyncSession, lead_ids: Collection[str]) -> dict[str, BookedLead]:
    """The kept rows of these leads, in one query."""
    if not lead_ids:
        return {}
    rows = await session.execute(select(lead_book).where(lead_book.c.lead_id.in_(sorted(lead_ids))))
    return {r.lead_id: _lead(r._mapping) for r in rows}


async def lead_territories(session: AsyncSession, lead_ids: Collection[str]) -> dict[str, str | None]:
    """Where each of these kept leads was routed, in one query."""
    if not lead_ids:
        return {}
    query = select(lead_book.c.lead_id, lead_book.c.territory_id).where(lead_book.c.lead_id.in_(sorted(lead_ids)))
    return {lead_id: territory_id for lead_id, territory_id in await session.execute(query)}


async def save_leads(session: AsyncSession, leads: Iterable[BookedLead]) -> None:
    """Insert or replace these rows with one set statement (one row per lead)."""
    await _upsert(session, lead_book, ["lead_id"], [_row(lead, LEAD_FIELDS) for lead in leads])


async def _upsert(session: AsyncSession, table: Table, keys: list[str], rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE of every column, executed for all rows at once (SQLAlchemy sends them as
    multi-row VALUES); each key at most once."""
    if not rows:
        return
    stmt = insert_for(session, table)
    stmt = stmt.on_conflict_do_update(index_elements=keys,
                                      set_={c: stmt.excluded[c] for c in rows[0] if c not in keys})
    await session.execute(stmt, rows)


async def open_leads_per_rep(session: AsyncSession, rep_ids: Collection[str] | None = None) -> dict[str, int]:
    """Each rep's open leads (of these reps only, when given)."""
    query = (select(lead_book.c.rep_id, func.count()).where(lead_book.c.is_open, lead_book.c.rep_id.is_not(None))
             .group_by(lead_book.c.rep_id))
    if rep_ids is not None:
        query = query.where(lead_book.c.rep_id.in_(sorted(rep_ids)))
    return {rep_id: n for rep_id, n in await session.execute(query)}


async def open_leads_of(session: AsyncSession, rep_id: str) -> list[BookedLead]:
    """The rep's open leads, oldest id first (a stable order for re-routing)."""
    query = (select(lead_book).where(lead_book.c.is_open, lead_book.c.rep_id == rep_id)
             .order_by(lead_book.c.lead_id))
    return [_lead(r._mapping) for r in await session.execute(query)]


async def lead_facts(session: AsyncSession, *, open_only: bool = False) -> list[LeadFact]:
    query = select(lead_book).order_by(lead_book.c.lead_id)
    rows = await session.execute(query.where(lead_book.c.is_open) if open_only else query)
    return [LeadFact(r.lead_id, r.territory_id, r.rep_id, bool(r.is_open), r.assigned_at, r.first_touch_at,
                     dict(r.profile or {})) for r in rows]


def _deal(m: Any) -> BookedDeal:
    return BookedDeal(m["deal_id"], m["owner_id"], Decimal(m["amount"]), m["currency"], m["changed_at"],
                      m["territory_id"], m["lead_id"], m["status"], m["closed_at"], splits_of(m["splits"], None))


async def booked_deals(session: AsyncSession, deal_ids: Collection[str]) -> dict[str, BookedDeal]:
    """The kept rows of these deals, in one query."""
    if not deal_ids:
        return {}
    rows = await session.execute(select(deal_book).where(deal_book.c.deal_id.in_(sorted(deal_ids))))
    return {r.deal_id: _deal(r._mapping) for r in rows}


async def save_deals(session: AsyncSession, deals: Iterable[BookedDeal]) -> None:
    """Insert or replace these rows with one set statement (one row per deal)."""
    await _upsert(session, deal_book, ["deal_id"],
                  [{**_row(deal, DEAL_FIELDS), "splits": stored_splits(deal.splits)} for deal in deals])


async def deal_facts(session: AsyncSession) -> list[DealFact]:
    rows = await session.execute(select(deal_book).order_by(deal_book.c.deal_id))
    return [DealFact(r.deal_id, r.territory_id, r.owner_id, Decimal(r.amount), r.currency, r.status, r.closed_at,
                     r.lead_id, splits_of(r.splits, None)) for r in rows]


async def save_quotas(session: AsyncSession, rows: Iterable[tuple[str, str, Decimal, str]]) -> None:
    """(rep, period, amount, currency) rows, one per rep-period, with one set statement."""
    await _upsert(session, quotas, ["rep_id", "period"], [
        {"rep_id": rep_id, "period": period, "amount": amount, "currency": currency}
        for rep_id, period, amount, currency in rows])


async def quotas_for(session: AsyncSession, period: str) -> dict[str, tuple[Decimal, str]]:
    """Each rep's quota for the period, month quotas inside a quarter counting toward it (coverage.quota_of)."""
    wanted = {p for level in Period.parse(period).levels() for p in level}
    set_for: dict[str, dict[str, tuple[Decimal, str]]] = {}
    for r in await session.execute(select(quotas).where(quotas.c.period.in_(wanted))):
        set_for.setdefault(r.rep_id, {})[r.period] = (Decimal(r.amount), r.currency)
    return {rep: quota for rep, by_period in set_for.items() if (quota := quota_of(period, by_period)) is not None}


def stored_splits(splits: Splits) -> list[list[str]]:
    return [[rep, str(percent)] for rep, percent in splits]
