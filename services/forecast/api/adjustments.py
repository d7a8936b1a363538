"""/v1/adjustments: a manager overrides a rep's or team's forecast for a period, with a note; all are kept."""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from services.forecast.api.access import visible_groups
from services.forecast.api.deps import Adjuster, Now, Reader, Uow
from services.forecast.api.forecasts import adjustment_out
from services.forecast.api.paging import page_of
from services.forecast.api.schemas import AdjustmentIn, AdjustmentOut, Period
from services.forecast.db import adjustments
from services.forecast.queries.forecasts import organisation
from shared.errors import FieldError, ForbiddenError
from shared.http.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/adjustments", tags=["adjustments"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AdjustmentOut)
async def adjust_forecast(body: AdjustmentIn, uow: Uow, who: Adjuster, clock: Now) -> AdjustmentOut:
    async with uow:
        visible = visible_groups(who, body.group_by, await organisation(uow.session))
        if visible is not None and body.group not in visible:
            raise ForbiddenError("a manager adjusts their own teams and their reps",
                                 [FieldError("group", f"{body.group} is not in your teams")])
        row = dict(adjustment_id=str(uuid.uuid4()), period=body.period, group_by=body.group_by, group_id=body.group,
                   method=body.method, currency=body.currency, amount=body.amount, note=body.note,
                   adjusted_by=who.sub, created_at=clock.now())
        await adjustments.add(uow.session, row)
        await uow.commit()
    return adjustment_out(row)


@router.get("", response_model=Page[AdjustmentOut])
async def list_adjustments(uow: Uow, who: Reader, period: Annotated[Period, Query()], group_by: str | None = None,
                           group: str | None = None, limit: Limit = 100, cursor: Cursor = None) -> Page[AdjustmentOut]:
    """Every adjustment of the period, oldest first (the history behind the number shown)."""
    async with uow:
        org = await organisation(uow.session)
        rows = await adjustments.history(uow.session, period, group_by, group)
        allowed = {g: visible_groups(who, g, org) for g in {r["group_by"] for r in rows}}
    items = [adjustment_out(r) for r in rows if _sees(allowed[r["group_by"]], r["group_id"])]
    return page_of(items, limit, cursor)


def _sees(visible: set[str] | None, group: str) -> bool:
    return visible is None or group in visible
