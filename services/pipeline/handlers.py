"""Pipeline's consumed events: one function each, registered in the table at the bottom."""
from __future__ import annotations

from decimal import Decimal

from services.pipeline.db import org
from services.pipeline.db import repository as repo
from services.pipeline.commands.deals import CreateDeal, place_deal
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, PoisonEvent
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler


async def deal_from_conversion(event: CloudEvent, uow: UnitOfWork) -> None:
    """lead.converted → one deal with the id the lead chose: a redelivery, even under a new event id, is a no-op."""
    data: ev.LeadConverted = event.data
    if await repo.find_deal(uow.session, data.deal_id) or await repo.deal_by(uow.session, lead_id=data.lead_id):
        return
    if data.amount != data.amount.quantize(Decimal("0.01")):
        raise PoisonEvent(f"amount {data.amount} has more than 2 decimal places")
    await place_deal(CreateDeal(
        name=data.company or f"Deal from lead {data.lead_id}", amount=data.amount, currency=data.currency,
        owner_id=data.owner_id or "unassigned", company=data.company, territory_id=data.territory_id,
        lead_id=data.lead_id, deal_id=data.deal_id, actor=f"lead.converted:{event.id}"), uow)


async def remember_rep(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.RepUpserted = event.data
    await org.upsert_rep(uow.session, data.rep_id, data.name, data.team_id, data.active)


async def remember_team(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TeamUpserted = event.data
    await org.upsert_team(uow.session, data.team_id, data.name, data.manager_rep_id, data.parent_team_id)


EVENT_HANDLERS: dict[str, Handler] = {
    "coxswain.lead.converted.v1": deal_from_conversion,
    "coxswain.rep.upserted.v1": remember_rep,
    "coxswain.team.upserted.v1": remember_team,
}
CONSUMED_TOPICS = ("coxswain.leads", "coxswain.territory")
