"""Forecast's consumed events: one function each, calling a command, registered in the table at the bottom."""
from __future__ import annotations

from collections.abc import Sequence

from services.forecast import commands
from services.forecast.domain.deals import UnknownDeal
from services.forecast.queries.history import change_of
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, PoisonEvent, by_payload
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler, batch_handler


@batch_handler
async def project_deals(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
    """Any run of deal events: folded in order into each deal's last state, the net change of the aggregate rows
    written at once. A deal never created (UnknownDeal) is poison: the dispatcher then takes the run one event
    at a time, so only that event is dead-lettered."""
    try:
        await commands.project_deals(uow, [change_of(event) for event in events], events)
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


# Every deal event moves the deal's contribution the same way (queries.history.DEAL_EVENTS names each change).
DEAL_PAYLOADS = (ev.DealCreated, ev.DealStageChanged, ev.DealUpdated, ev.DealClosed, ev.DealReopened)

EVENT_HANDLERS: dict[str, Handler] = by_payload({
    **{model: project_deals for model in DEAL_PAYLOADS},
    ev.QuotaSet: record_quota,
    ev.RepUpserted: remember_rep,
    ev.TeamUpserted: remember_team,
    ev.TerritoryUpserted: remember_territory,
    ev.TerritoryDeleted: forget_territory,
})
CONSUMED_TOPICS = ("coxswain.pipeline", "coxswain.compensation", "coxswain.territory")
