"""Pipeline's commands and consumed events: one function each, registered in the tables at the bottom."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.pipeline.db.repository import add_deal, get_deal, save_deal
from services.pipeline.domain.deals import Deal, Outcome, Split, close_deal, validate_splits
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler

DEFAULT_PIPELINE, DEFAULT_STAGE, DEFAULT_PROBABILITY = "default", "qualification", 10


@dataclass(frozen=True)
class CreateDeal:
    name: str
    amount: Decimal
    currency: str
    owner_id: str
    company: str | None = None
    territory_id: str | None = None
    expected_close_date: date | None = None
    lead_id: str | None = None
    splits: tuple[Split, ...] = ()
    deal_id: str | None = None


async def create_deal(cmd: CreateDeal, uow: UnitOfWork) -> Deal:
    validate_splits(cmd.splits)
    deal = Deal(
        id=cmd.deal_id or str(uuid.uuid4()), name=cmd.name, company=cmd.company, amount=cmd.amount,
        currency=cmd.currency, owner_id=cmd.owner_id, territory_id=cmd.territory_id, pipeline_id=DEFAULT_PIPELINE,
        stage_id=DEFAULT_STAGE, probability=DEFAULT_PROBABILITY, forecast_category="pipeline",
        expected_close_date=cmd.expected_close_date, lead_id=cmd.lead_id, created_at=uow.clock.now(),
        splits=cmd.splits,
    )
    await add_deal(uow.session, deal)
    await uow.emit("coxswain.deal.created.v1", subject=deal.id, sequence=deal.version, data=ev.DealCreated(
        deal_id=deal.id, name=deal.name, company=deal.company, amount=deal.amount, currency=deal.currency,
        owner_id=deal.owner_id, territory_id=deal.territory_id, pipeline_id=deal.pipeline_id,
        stage_id=deal.stage_id, probability=deal.probability, forecast_category=deal.forecast_category,
        expected_close_date=deal.expected_close_date, lead_id=deal.lead_id, created_at=deal.created_at))
    await uow.commit()
    return deal


async def close(deal_id: str, outcome: Outcome, uow: UnitOfWork) -> Deal:
    deal = await get_deal(uow.session, deal_id)
    closed = close_deal(deal, outcome, uow.clock.now())
    await save_deal(uow.session, closed, expected_version=deal.version)
    assert closed.closed_at is not None
    await uow.emit("coxswain.deal.closed.v1", subject=deal.id, sequence=closed.version, data=ev.DealClosed(
        deal_id=deal.id, outcome=outcome, amount=closed.amount, currency=closed.currency,
        owner_id=closed.owner_id, territory_id=closed.territory_id, created_at=closed.created_at,
        closed_at=closed.closed_at,
        splits=[ev.Split(rep_id=s.rep_id, percent=s.percent) for s in closed.effective_splits()]))
    await uow.commit()
    return closed


async def deal_from_conversion(event: CloudEvent, uow: UnitOfWork) -> None:
    """lead.converted → a deal with the id the lead chose, so a redelivery can never make a second one."""
    data: ev.LeadConverted = event.data
    await create_deal(CreateDeal(name=data.company or f"Deal from lead {data.lead_id}", amount=data.amount,
                                 currency=data.currency, owner_id=data.owner_id or "unassigned",
                                 company=data.company, territory_id=data.territory_id, lead_id=data.lead_id,
                                 deal_id=data.deal_id), uow)


EVENT_HANDLERS: dict[str, Handler] = {
    "coxswain.lead.converted.v1": deal_from_conversion,
}
CONSUMED_TOPICS = ("coxswain.leads",)
