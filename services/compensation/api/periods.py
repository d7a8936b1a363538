"""/v1/periods: closing a period settles draws and locks it; later changes land in the next open period."""
from __future__ import annotations

from fastapi import APIRouter

from services.compensation.api.schemas import PeriodOut
from services.compensation.commands import periods as period_commands
from services.compensation.queries import figures
from shared.http.deps import Operator, Reader, Uow
from shared.http.pagination import Cursor, Limit, Page, after_id, encode_cursor

router = APIRouter(prefix="/periods", tags=["periods"])


@router.post("/{period}/close", response_model=PeriodOut)
async def close_period(period: str, uow: Uow, who: Operator) -> PeriodOut:
    closed = await period_commands.close_period(uow, period)
    return PeriodOut(period=closed.period.period, closed_at=closed.period.closed_at, draw_lines=closed.draw_lines)


@router.get("", response_model=Page[PeriodOut])
async def list_closed(uow: Uow, who: Reader, limit: Limit = 50, cursor: Cursor = None) -> Page[PeriodOut]:
    """Closed periods, oldest first."""
    found = await figures.closed_periods(uow, after_id(cursor), limit)
    return Page[PeriodOut](items=[PeriodOut(period=p.period, closed_at=p.closed_at) for p in found.rows],
                           next_cursor=encode_cursor({"after": found.next_after[0]}) if found.next_after else None)
