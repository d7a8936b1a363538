"""/v1/forecasts: closed-won by rep for a quarter (the methods come with the forecast issue)."""
from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import func, select

from services.forecast.api.deps import Reader, Uow
from services.forecast.db.models import closed_deals
from shared.events.types import Money, Period

router = APIRouter(prefix="/forecasts", tags=["forecasts"])


class ForecastRow(BaseModel):
    group: str
    currency: str
    closed_won: Money


class ForecastOut(BaseModel):
    period: str
    group_by: str
    items: list[ForecastRow]


@router.get("", response_model=ForecastOut)
async def read_forecast(uow: Uow, who: Reader, period: Period = Query(), group_by: str = "rep") -> ForecastOut:
    stmt = (
        select(closed_deals.c.owner_id, closed_deals.c.currency, func.sum(closed_deals.c.amount))
        .where(closed_deals.c.quarter == period, closed_deals.c.outcome == "won")
        .group_by(closed_deals.c.owner_id, closed_deals.c.currency)
        .order_by(closed_deals.c.owner_id)
    )
    if who.roles == {"rep"}:
        stmt = stmt.where(closed_deals.c.owner_id == who.rep_id)
    async with uow:
        rows = (await uow.session.execute(stmt)).all()
    items = [ForecastRow(group=o, currency=c, closed_won=Decimal(a).quantize(Decimal("0.01"))) for o, c, a in rows]
    return ForecastOut(period=period, group_by=group_by, items=items)
