"""Loading, listing and saving deals; the version column turns a concurrent write into a conflict."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.pipeline.db.models import deal_history, deals, reps
from services.pipeline.domain.deals import Deal, Split, StaleVersion
from services.pipeline.domain.history import HistoryEntry
from shared.errors import NotFoundError


def _row_to_deal(row: object) -> Deal:
    m = dict(row._mapping)  # type: ignore[attr-defined]
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
    if result.rowcount != 1:  # type: ignore[attr-defined]
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


@dataclass(frozen=True)
class Visibility:
    """Whose deals a caller sees: everyone's (None), or a rep's own plus their teams' reps."""

    rep_id: str | None
    team_ids: frozenset[str]


def _visible(query: Select[tuple[object, ...]], who: Visibility | None) -> Select[tuple[object, ...]]:
    if who is None:
        return query
    team_reps = select(reps.c.rep_id).where(reps.c.team_id.in_(who.team_ids))
    return query.where(or_(deals.c.owner_id == (who.rep_id or ""), deals.c.team_id.in_(who.team_ids),
                           deals.c.owner_id.in_(team_reps)))


def _filtered(query: Select[tuple[object, ...]], f: DealFilter) -> Select[tuple[object, ...]]:
    for name in ("pipeline_id", "stage_id", "status", "owner_id", "team_id", "territory_id"):
        if getattr(f, name) is not None:
            query = query.where(deals.c[name] == getattr(f, name))
    if f.closing_from:
        query = query.where(deals.c.expected_close_date >= f.closing_from)
    if f.closing_to:
        query = query.where(deals.c.expected_close_date <= f.closing_to)
    return query


async def list_deals(session: AsyncSession, f: DealFilter, who: Visibility | None, after: str | None,
                     limit: int) -> list[Deal]:
    query = _visible(_filtered(select(deals), f), who).order_by(deals.c.id).limit(limit)
    rows = await session.execute(query.where(deals.c.id > after) if after else query)
    return [_row_to_deal(r) for r in rows]


async def stale_deals(session: AsyncSession, *, today: date, idle_since: datetime, pipeline_id: str | None,
                      who: Visibility | None, after: str | None, limit: int) -> list[Deal]:
    """Open deals past their expected close date or untouched in their stage since `idle_since` (indexed)."""
    query = select(deals).where(deals.c.status == "open", or_(deals.c.expected_close_date < today,
                                                               deals.c.stage_entered_at < idle_since))
    query = _visible(_filtered(query, DealFilter(pipeline_id=pipeline_id)), who).order_by(deals.c.id).limit(limit)
    rows = await session.execute(query.where(deals.c.id > after) if after else query)
    return [_row_to_deal(r) for r in rows]


async def add_history(session: AsyncSession, entry: HistoryEntry) -> None:
    await session.execute(insert(deal_history).values(
        {f.name: getattr(entry, f.name) for f in fields(HistoryEntry)}))


async def history_of(session: AsyncSession, deal_id: str) -> list[HistoryEntry]:
    rows = await session.execute(select(deal_history).where(deal_history.c.deal_id == deal_id)
                                 .order_by(deal_history.c.version))
    return [HistoryEntry(**{f.name: r._mapping[f.name] for f in fields(HistoryEntry)}) for r in rows]
