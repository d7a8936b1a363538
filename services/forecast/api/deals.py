"""/v1/deals/{id}/forecast: one deal's number under each method, and why."""
from __future__ import annotations

from fastapi import APIRouter

from services.forecast.api.access import may_see_rep
from services.forecast.api.deps import Now, Reader, Settings, Uow
from services.forecast.api.schemas import RATIO, DealForecastOut, MethodOut, cents
from services.forecast.db import queries
from services.forecast.domain.explain import explain
from services.forecast.domain.methods import Context, average_cycle
from services.forecast.domain.periods import day_number, month_of
from services.forecast.queries.forecasts import organisation
from shared.errors import NotFoundError

router = APIRouter(prefix="/deals", tags=["deals"])


@router.get("/{deal_id}/forecast", response_model=DealForecastOut)
async def read_deal_forecast(deal_id: str, uow: Uow, who: Reader, settings: Settings, clock: Now) -> DealForecastOut:
    async with uow:
        deal = await queries.find_deal(uow.session, deal_id)
        if deal is None or not may_see_rep(who, deal.owner_id, await organisation(uow.session)):
            raise NotFoundError(f"deal {deal_id} has no forecast you may see")
        cycle = average_cycle(*await queries.won_cycles(uow.session), settings.methods)
        ctx = Context(await queries.stage_book(uow.session), cycle, day_number(clock.now().date()), settings.methods)
    methods = [MethodOut(method=a.method, amount=cents(a.amount), probability=a.probability.quantize(RATIO), why=a.why)
               for a in explain(deal, ctx)]
    return DealForecastOut(deal_id=deal.deal_id, owner_id=deal.owner_id, status=deal.status, amount=deal.amount,
                           currency=deal.currency, stage_id=deal.stage_id, month=month_of(deal.period_day),
                           methods=methods)
