"""Forecast's consumed events: one function each, calling a command, registered in the table at the bottom."""
from __future__ import annotations

from services.forecast import commands
from services.forecast.domain.deals import UnknownDeal
from services.forecast.queries.history import DEAL_EVENTS, change_of
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, PoisonEvent
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler


async def project_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    """Any deal event: the deal's old contribution out of the aggregate rows, its new one in."""
    try:
        await commands.project_deal(uow, change_of(event), event)
    except UnknownDeal as unknown:
        raise PoisonEvent(str(unknown)) from None


async def record_quota(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.QuotaSet = event.data
    await commands.record_quota(uow, data, event)


async def remember_rep(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.RepUpserted = event.data
    await commands.remember_rep(uow, data, event)


async def remember_team(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TeamUpserted = event.data
    await commands.remember_team(uow, data, event)


async def remember_territory(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TerritoryUpserted = event.data
    await commands.remember_territory(uow, data, event)


async def forget_territory(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TerritoryDeleted = event.data
    await commands.forget_territory(uow, data.territory_id, event)


EVENT_HANDLERS: dict[str, Handler] = {
    **{event_type: project_deal for event_type in DEAL_EVENTS},
    "coxswain.quota.set.v1": record_quota,
    "coxswain.rep.upserted.v1": remember_rep,
    "coxswain.team.upserted.v1": remember_team,
    "coxswain.territory.upserted.v1": remember_territory,
    "coxswain.territory.deleted.v1": forget_territory,
}
CONSUMED_TOPICS = ("coxswain.pipeline", "coxswain.compensation", "coxswain.territory")
