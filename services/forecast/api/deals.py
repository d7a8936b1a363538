"""/v1/deals/{id}/forecast: one deal's number under each method, and why."""
from __future__ import annotations

from fastapi import APIRouter

from services.forecast.api.deps import Now, Settings
from services.forecast.api.schemas import RATIO, DealForecastOut, MethodOut, cents
from services.forecast.domain.periods import month_of
from services.forecast.queries.deals import deal_forecast
from shared.http.deps import Reader, Uow

router = APIRouter(prefix="/deals", tags=["deals"])


@router.get("/{deal_id}/forecast", response_model=DealForecastOut)
async def read_deal_forecast(deal_id: str, uow: Uow, who: Reader, settings: Settings, clock: Now) -> DealForecastOut:
    found = await deal_forecast(uow, who, deal_id, settings.methods, clock.now())
    deal = found.deal
    methods = [MethodOut(method=a.method, amount=cents(a.amount), probability=a.probability.quantize(RATIO), why=a.why)
               for a in found.methods]
    return DealForecastOut(deal_id=deal.deal_id, owner_id=deal.owner_id, status=deal.status, amount=deal.amount,
                           currency=deal.currency, stage_id=deal.stage_id, month=month_of(deal.period_day),
                           methods=methods)
