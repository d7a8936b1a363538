"""Reading deals: lists, one deal, its history, the stale ones; only what the caller may see."""
from __future__ import annotations

from datetime import timedelta

from services.pipeline.db import repository as repo
from services.pipeline.db.repository import DealFilter, DealPage
from services.pipeline.domain.deals import Deal
from services.pipeline.domain.history import HistoryEntry, StageTime, time_in_stages
from services.pipeline.queries.access import ensure_sees, scope_for
from shared.db.uow import UnitOfWork
from shared.http.auth import Principal


async def list_deals(uow: UnitOfWork, who: Principal, wanted: DealFilter, after: str | None,
                     limit: int) -> DealPage:
    async with uow:
        return await repo.list_deals(uow.session, wanted, await scope_for(uow.session, who), after, limit)


async def read_deal(uow: UnitOfWork, who: Principal, deal_id: str) -> Deal:
    async with uow:
        deal = await repo.get_deal(uow.session, deal_id)
        await ensure_sees(uow.session, who, deal)
        return deal


async def deal_history(uow: UnitOfWork, who: Principal, deal_id: str) -> tuple[list[HistoryEntry], list[StageTime]]:
    """The deal's history entries, oldest first, and the time it spent in each stage up to now."""
    async with uow:
        await ensure_sees(uow.session, who, await repo.get_deal(uow.session, deal_id))
        entries = await repo.history_of(uow.session, deal_id)
        return entries, time_in_stages(entries, uow.clock.now())


async def stale_deals(uow: UnitOfWork, who: Principal, *, idle_days: int, pipeline_id: str | None,
                      after: str | None, limit: int) -> DealPage:
    """Open deals past their expected close date, or idle in their stage longer than `idle_days`."""
    async with uow:
        now = uow.clock.now()
        return await repo.stale_deals(uow.session, today=now.date(), idle_since=now - timedelta(days=idle_days),
                                      pipeline_id=pipeline_id, who=await scope_for(uow.session, who),
                                      after=after, limit=limit)
