"""GET /v1/reports/funnel: the lead funnel of the leads created in a period (what the caller may see)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel

from services.leads import queries
from shared.http.deps import Manager, Uow

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
async def lead_funnel(uow: Uow, who: Manager, period_from: date, period_to: date) -> FunnelOut:
    """Leads created from `period_from` to `period_to`, both days included (UTC)."""
    report = await queries.lead_funnel(uow, who, period_from, period_to)
    return FunnelOut(period_from=period_from, period_to=period_to, **vars(report))
