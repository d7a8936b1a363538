"""Compensation's consumed events: one function each, registered in the table at the bottom."""
from __future__ import annotations

from decimal import Decimal

from services.compensation.db.models import commission_lines
from services.compensation.domain.commission import flat_rate_commission, split_share, to_cents
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler

# The foundation's placeholder plan; plans, tiers and quotas come with the compensation issue.
FLAT_RATE = Decimal("0.10")


async def credit_won_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.DealClosed = event.data
    if data.outcome != "won":
        return
    period = f"{data.closed_at.year}-{data.closed_at.month:02d}"
    for split in data.splits or [ev.Split(rep_id=data.owner_id, percent=Decimal(100))]:
        base = to_cents(split_share(data.amount, split.percent))
        amount = flat_rate_commission(base, FLAT_RATE)
        await uow.session.execute(commission_lines.insert().values(
            rep_id=split.rep_id, deal_id=data.deal_id, period=period, component="flat", base=base,
            rate=FLAT_RATE, amount=amount, currency=data.currency, source_event_id=str(event.id),
            created_at=uow.clock.now()))
        await uow.emit("coxswain.commission.calculated.v1", subject=f"{split.rep_id}:{data.deal_id}",
                       data=ev.CommissionCalculated(
                           rep_id=split.rep_id, deal_id=data.deal_id, period=period, amount=amount,
                           currency=data.currency,
                           lines=[ev.CommissionLine(component="flat", base=base, rate=FLAT_RATE, amount=amount)]))


EVENT_HANDLERS: dict[str, Handler] = {
    "coxswain.deal.closed.v1": credit_won_deal,
}
CONSUMED_TOPICS = ("coxswain.pipeline", "coxswain.territory")
