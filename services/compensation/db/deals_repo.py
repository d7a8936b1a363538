"""The copy of deals (from pipeline's events) the ledger's credits are derived from."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db.models import deals
from services.compensation.domain.deals import Deal, DealFacts, Splits
from shared.db.upsert import insert_for

__all__ = ["Deal", "deals_by_id", "save_deals"]


def _splits(raw: list[list[str]]) -> Splits:
    return tuple((rep, Decimal(p)) for rep, p in raw)


def _deal(row: Any) -> Deal:
    facts = DealFacts(row.status, row.amount, row.currency, _splits(row.splits))
    return Deal(row.deal_id, facts, row.owner_id, row.closed_at, frozenset(row.products), bool(row.new_logo))


async def deals_by_id(session: AsyncSession, deal_ids: Iterable[str]) -> dict[str, Deal]:
    """The known deals among `deal_ids`, in one query (an unknown deal is absent)."""
    wanted = sorted(set(deal_ids))
    if not wanted:
        return {}
    return {r.deal_id: _deal(r) for r in await session.execute(select(deals).where(deals.c.deal_id.in_(wanted)))}


def _values(d: Deal, at: datetime) -> dict[str, Any]:
    return {"deal_id": d.deal_id, "status": d.facts.status, "amount": d.facts.amount,
            "currency": d.facts.currency, "owner_id": d.owner_id, "closed_at": d.closed_at,
            "splits": [[rep, str(p)] for rep, p in d.facts.splits], "products": sorted(d.products),
            "new_logo": int(d.new_logo), "updated_at": at}


async def save_deals(session: AsyncSession, saved: Iterable[Deal], at: datetime) -> None:
    """Upsert the deals in one multi-row INSERT ... ON CONFLICT DO UPDATE."""
    rows = [_values(d, at) for d in sorted(saved, key=lambda d: d.deal_id)]
    if not rows:
        return
    stmt = insert_for(session, deals).values(rows)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["deal_id"], set_={k: stmt.excluded[k] for k in rows[0] if k != "deal_id"}))
