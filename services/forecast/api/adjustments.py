"""/v1/adjustments: a manager overrides a rep's or team's forecast for a period, with a note; all are kept."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from services.forecast import commands
from services.forecast.api.schemas import AdjustmentIn, AdjustmentOut, Period, adjustment_out
from services.forecast.queries.adjustments import adjustment_history
from shared.http.deps import Manager, Reader, Uow
from shared.http.pagination import Cursor, Limit, Page, after_number, encode_cursor

router = APIRouter(prefix="/adjustments", tags=["adjustments"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AdjustmentOut)
async def adjust_forecast(body: AdjustmentIn, uow: Uow, who: Manager) -> AdjustmentOut:
    made = await commands.adjust_forecast(uow, who, commands.AdjustForecast(
        body.period, body.group_by, body.group, body.method, body.currency, body.amount, body.note))
    return adjustment_out(made)


@router.get("", response_model=Page[AdjustmentOut])
async def list_adjustments(uow: Uow, who: Reader, period: Annotated[Period, Query()], group_by: str | None = None,
                           group: str | None = None, limit: Limit = 100, cursor: Cursor = None) -> Page[AdjustmentOut]:
    """Every adjustment of the period, oldest first (the history behind the number shown)."""
    found, following = await adjustment_history(uow, who, period, group_by, group, after_number(cursor), limit)
    return Page(items=[adjustment_out(a) for a in found],
                next_cursor=None if following is None else encode_cursor({"after": following}))
