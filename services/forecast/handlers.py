"""Forecast's consumed events: one function each, registered in the table at the bottom."""
from __future__ import annotations

from services.forecast.db.models import closed_deals
from services.forecast.domain.periods import quarter_of
from shared.db.uow import UnitOfWork
from shared.db.upsert import insert_for
from shared.events import CloudEvent
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler


async def record_closed_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.DealClosed = event.data
    values = dict(deal_id=data.deal_id, owner_id=data.owner_id, outcome=data.outcome, amount=data.amount,
                  currency=data.currency, quarter=quarter_of(data.closed_at.date()), closed_at=data.closed_at)
    stmt = insert_for(uow.session, closed_deals).values(values)
    await uow.session.execute(stmt.on_conflict_do_update(index_elements=["deal_id"], set_=values))


EVENT_HANDLERS: dict[str, Handler] = {
    "coxswain.deal.closed.v1": record_closed_deal,
}
CONSUMED_TOPICS = ("coxswain.pipeline", "coxswain.compensation", "coxswain.territory")
