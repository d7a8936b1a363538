"""/v1/periods: closing a period settles draws and locks it; later changes land in the next open period."""
from __future__ import annotations

from fastapi import APIRouter

from services.compensation import period_commands
from services.compensation.api.deps import Ops, Reader, Uow
from services.compensation.api.schemas import PeriodOut
from services.compensation.db import statements_repo

router = APIRouter(prefix="/periods", tags=["periods"])


@router.post("/{period}/close", response_model=PeriodOut)
async def close_period(period: str, uow: Uow, who: Ops) -> PeriodOut:
    async with uow:
        written = await period_commands.close_period(period, uow)
    return PeriodOut(period=period, closed_at=uow.clock.now(), draw_lines=written)


@router.get("", response_model=list[PeriodOut])
async def list_closed(uow: Uow, who: Reader) -> list[PeriodOut]:
    async with uow:
        return [PeriodOut(**p) for p in await statements_repo.closed(uow.session)]
