"""Loading, listing and saving deals; the version column turns a concurrent write into a conflict."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, Row, Select, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.pipeline.db.models import crm_deliveries, deal_history, deals, reps
from services.pipeline.domain.deals import Deal, Split, StaleVersion
from services.pipeline.domain.history import HistoryEntry
from shared.db.paging import keyset_window
from shared.errors import NotFoundError
from shared.visibility import Scope


def _row_to_deal(row: Row[Any]) -> Deal:
    m = dict(row._mapping)
    m["amount"] = Decimal(m["amount"])
    m["splits"] = tuple(Split(s["rep_id"], Decimal(s["percent"])) for s in m["splits"] or [])
    return Deal(**{k: m[k] for k in (f.name for f in fields(Deal))})


def _columns(deal: Deal) -> dict[str, object]:
    values = {f.name: getattr(deal, f.name) for f in fields(Deal)}
    values["splits"] = [{"rep_id": s.rep_id, "percent": str(s.percent)} for s in deal.splits]
    return values


async def find_deal(session: AsyncSession, deal_id: str) -> Deal | None:
    row = (await session.execute(select(deals).where(deals.c.id == deal_id))).first()
    return None if row is None else _row_to_deal(row)


async def get_deal(session: AsyncSession, deal_id: str) -> Deal:
    deal = await find_deal(session, deal_id)
    if deal is None:
        raise NotFoundError(f"deal {deal_id} does not exist")
    return deal


async def deal_by(session: AsyncSession, *, lead_id: str | None = None, external_id: str | None = None) -> Deal | None:
    column, value = (deals.c.lead_id, lead_id) if lead_id else (deals.c.external_id, external_id)
    row = (await session.execute(select(deals).where(column == value))).first()
    return None if row is None else _row_to_deal(row)


async def add_deal(session: AsyncSession, deal: Deal) -> None:
    await session.execute(insert(deals).values(_columns(deal)))


async def save_deal(session: AsyncSession, deal: Deal, *, expected_version: int) -> None:
    result = await session.execute(
        update(deals).where(deals.c.id == deal.id, deals.c.version == expected_version).values(_columns(deal)))
    if cast(CursorResult[Any], result).rowcount != 1:
        raise StaleVersion(f"deal {deal.id} was changed by someone else (expected version {expected_version})")


@dataclass(frozen=True)
class DealFilter:
    pipeline_id: str | None = None
    stage_id: str | None = None
    status: str | None = None
    owner_id: str | None = None
    team_id: str | None = None
    territory_id: str | None = None
    closing_from: date | None = None
    closing_to: date | None = None


def _visible(query: Select[Any], who: Scope) -> Select[Any]:
    """The deals a caller may see: everyone's, or their own, their teams' and their teams' reps' (shared rule)."""
    if who.everything:
        return query
    team_reps = select(reps.c.rep_id).where(reps.c.team_id.in_(who.team_ids))
    return query.where(or_(deals.c.owner_id == (who.rep_id or ""), deals.c.team_id.in_(who.team_ids),
                           deals.c.owner_id.in_(team_reps)))


def _filtered(query: Select[Any], f: DealFilter) -> Select[Any]:
    for name in ("pipeline_id", "stage_id", "status", "owner_id", "team_id", "territory_id"):
        if getattr(f, name) is not None:
            query = query.where(deals.c[name] == getattr(f, name))
    if f.closing_from:
        query = query.where(deals.c.expected_close_date >= f.closing_from)
    if f.closing_to:
        query = query.where(deals.c.expected_close_date <= f.closing_to)
    return query


@dataclass(frozen=True)
class DealPage:
    deals: list[Deal]
    next_after: str | None


async def _page(session: AsyncSession, query: Select[Any], after: str | None, limit: int) -> DealPage:
    window = await keyset_window(session, query, [deals.c.id], (after,) if after else None, limit)
    return DealPage([_row_to_deal(r) for r in window.rows], str(window.next_after[0]) if window.next_after else None)


async def list_deals(session: AsyncSession, f: DealFilter, who: Scope, after: str | None, limit: int) -> DealPage:
    return await _page(session, _visible(_filtered(select(deals), f), who), after, limit)


async def stale_deals(session: AsyncSession, *, today: date, idle_since: datetime, pipeline_id: str | None,
                      who: Scope, after: str | None, limit: int) -> DealPage:
    """Open deals past their expected close date or untouched in their stage since `idle_since` (indexed)."""
    query = select(deals).where(deals.c.status == "open", or_(deals.c.expected_close_date < today,
                                                               deals.c.stage_entered_at < idle_since))
    return await _page(session, _visible(_filtered(query, DealFilter(pipeline_id=pipeline_id)), who), after, limit)


async def add_history(session: AsyncSession, entry: HistoryEntry) -> None:
    await session.execute(insert(deal_history).values(
        {f.name: getattr(entry, f.name) for f in fields(HistoryEntry)}))


async def history_of(session: AsyncSession, deal_id: str) -> list[HistoryEntry]:
    rows = await session.execute(select(deal_history).where(deal_history.c.deal_id == deal_id)
                                 .order_by(deal_history.c.version))
    return [HistoryEntry(**{f.name: r._mapping[f.name] for f in fields(HistoryEntry)}) for r in rows]


async def delivery_seen(session: AsyncSession, event_id: str) -> str | None:
    """The external id a CRM delivery already applied to, or None for a new delivery."""
    query = select(crm_deliveries.c.external_id).where(crm_deliveries.c.event_id == event_id)
    return (await session.execute(query)).scalar_one_or_none()


async def add_delivery(session: AsyncSession, event_id: str, external_id: str, received_at: datetime) -> None:
    await session.execute(insert(crm_deliveries).values(event_id=event_id, external_id=external_id,
                                                        received_at=received_at))
