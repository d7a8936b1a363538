"""Forecast's consumed events: two batch handlers (deal events; organisation and quota events), each calling a
command with the run of events the consumer hands it, registered in the table at the bottom."""
from __future__ import annotations

from collections.abc import Sequence

from services.forecast import commands
from services.forecast.domain.deals import UnknownDeal
from services.forecast.queries.history import change_of, org_change_of
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


@batch_handler
async def keep_organisation(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
    """Any run of quota, rep, team and territory events: each key's last stated values kept at once."""
    await commands.keep_organisation(uow, [org_change_of(event) for event in events], events)


# Every deal event moves the deal's contribution the same way (queries.history.DEAL_EVENTS names each change).
DEAL_PAYLOADS = (ev.DealCreated, ev.DealStageChanged, ev.DealUpdated, ev.DealClosed, ev.DealReopened)

ORG_PAYLOADS = (ev.QuotaSet, ev.RepUpserted, ev.TeamUpserted, ev.TerritoryUpserted, ev.TerritoryDeleted)

EVENT_HANDLERS: dict[str, Handler] = by_payload({
    **{model: project_deals for model in DEAL_PAYLOADS},
    **{model: keep_organisation for model in ORG_PAYLOADS},
})
CONSUMED_TOPICS = ("coxswain.pipeline", "coxswain.compensation", "coxswain.territory")
