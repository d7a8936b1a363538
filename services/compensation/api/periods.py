"""/v1/periods: closing a period settles draws and locks it; later changes land in the next open period."""
from __future__ import annotations

from fastapi import APIRouter

from services.compensation.api.deps import Ops, Reader, Uow
from services.compensation.api.schemas import PeriodOut
from services.compensation.commands import periods as period_commands
from services.compensation.db import statements_repo
from shared.http.pagination import Cursor, Limit, Page, after_id, encode_cursor

router = APIRouter(prefix="/periods", tags=["periods"])


@router.post("/{period}/close", response_model=PeriodOut)
async def close_period(period: str, uow: Uow, who: Ops) -> PeriodOut:
    async with uow:
        written = await period_commands.close_period(period, uow)
    return PeriodOut(period=period, closed_at=uow.clock.now(), draw_lines=written)


@router.get("", response_model=Page[PeriodOut])
async def list_closed(uow: Uow, who: Reader, limit: Limit = 50, cursor: Cursor = None) -> Page[PeriodOut]:
    """Closed periods, oldest first."""
    async with uow:
        found = await statements_repo.closed(uow.session, after_id(cursor), limit + 1)
    items = [PeriodOut(**p) for p in found[:limit]]
    more = len(found) > limit
    return Page[PeriodOut](items=items, next_cursor=encode_cursor({"after": items[-1].period}) if more else None)
