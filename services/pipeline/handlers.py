"""Pipeline's consumed events: one function each, calling a command; the table at the bottom."""
from __future__ import annotations

from services.pipeline.commands import deals, organisation
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, by_payload
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler


async def deal_from_conversion(event: CloudEvent, uow: UnitOfWork) -> None:
    """lead.converted → one deal with the id the lead chose (a redelivery under a new event id is a no-op)."""
    data: ev.LeadConverted = event.data
    await deals.open_converted_deal(uow, data, f"lead.converted:{event.id}")


async def remember_rep(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.RepUpserted = event.data
    await organisation.remember_rep(uow, data.rep_id, data.name, data.team_id, data.active)


async def remember_team(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TeamUpserted = event.data
    await organisation.remember_team(uow, data.team_id, data.name, data.manager_rep_id, data.parent_team_id)


EVENT_HANDLERS: dict[str, Handler] = by_payload({
    ev.LeadConverted: deal_from_conversion,
    ev.RepUpserted: remember_rep,
    ev.TeamUpserted: remember_team,
})
CONSUMED_TOPICS = ("coxswain.leads", "coxswain.territory")
