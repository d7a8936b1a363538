"""One deal's forecast under each method, and why (only a deal whose owner the caller may see)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.forecast.db import org, projection, queries
from services.forecast.domain.access import may_see_rep
from services.forecast.domain.deals import DealState
from services.forecast.domain.explain import MethodAnswer, explain
from services.forecast.domain.methods import Context, MethodSettings, average_cycle
from services.forecast.domain.periods import day_number
from shared.db.uow import UnitOfWork
from shared.errors import NotFoundError
from shared.http.auth import Principal
from shared.visibility import scope_of


@dataclass(frozen=True)
class DealForecast:
    deal: DealState
    methods: list[MethodAnswer]


async def deal_forecast(uow: UnitOfWork, who: Principal, deal_id: str, settings: MethodSettings,
                        today: datetime) -> DealForecast:
    async with uow:
        deal = await projection.load_deal(uow.session, deal_id)
        found = await org.organisation(uow.session) if deal is not None else None
        if deal is None or found is None or not may_see_rep(scope_of(who, found.team_parent), deal.owner_id, found):
            raise NotFoundError(f"deal {deal_id} has no forecast you may see")
        cycle = average_cycle(*await queries.won_cycles(uow.session), settings)
        ctx = Context(await queries.stage_book(uow.session), cycle, day_number(today.date()), settings)
    return DealForecast(deal, explain(deal, ctx))
