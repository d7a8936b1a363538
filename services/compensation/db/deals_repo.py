"""The copy of deals (from pipeline's events) the ledger's credits are derived from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db.models import deals
from services.compensation.domain.deals import DealFacts, Splits
from shared.db.upsert import insert_for


@dataclass(frozen=True)
class Deal:
    deal_id: str
    facts: DealFacts
    owner_id: str
    closed_at: datetime | None
    products: frozenset[str]
    new_logo: bool


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
