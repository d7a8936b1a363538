"""GET /v1/reports/funnel: the lead funnel of the leads created in a period (what the caller may see)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel

from services.leads.api.deps import Analyst, Uow, visibility
from services.leads.db import repository as repo
from services.leads.domain.funnel import FunnelRow, funnel
from shared.errors import InvalidInput

router = APIRouter(prefix="/reports", tags=["reports"])


class FunnelOut(BaseModel):
    period_from: date
    period_to: date
    leads: int
    by_status: dict[str, int]
    by_source: dict[str, int]
    by_rep: dict[str, int]
    by_territory: dict[str, int]
    converted: int
    conversion_rate: Decimal
    median_seconds_to_first_touch: int | None
    touched: int
    sla_breached: int
    sla_breach_rate: Decimal


@router.get("/funnel", response_model=FunnelOut)
async def lead_funnel(uow: Uow, who: Analyst, period_from: date, period_to: date) -> FunnelOut:
    """Leads created from `period_from` to `period_to`, both days included (UTC)."""
    if period_to < period_from:
        raise InvalidInput("period_to", "the period ends before it starts")
    start = datetime.combine(period_from, time(), UTC)
    end = datetime.combine(period_to + timedelta(days=1), time(), UTC)
    async with uow:
        rows = await repo.funnel_rows(uow.session, start, end, visibility(who))
    report = funnel(FunnelRow(**r._mapping) for r in rows)
    return FunnelOut(period_from=period_from, period_to=period_to, **vars(report))
