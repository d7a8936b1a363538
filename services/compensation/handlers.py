"""Compensation's consumed events: one function each, registered in the table at the bottom."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from services.compensation.commands import deals as deal_commands
from services.compensation.commands import organisation
from services.compensation.commands.deals import DealUpdate
from services.compensation.commands.ledger import Cause
from services.compensation.domain import deals
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, PoisonEvent, by_payload
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler, batch_handler


def _splits(splits: list[ev.Split] | None) -> deals.Splits | None:
    return None if splits is None else tuple((s.rep_id, Decimal(s.percent)) for s in splits)


def _cents(amount: Decimal | None, *ids: str | None) -> None:
    """What the ledger cannot store exactly is refused at once (dead letter), not retried."""
    if any(i is not None and len(i) > 64 for i in ids):
        raise PoisonEvent("an id is longer than 64 characters")
    if amount is not None and amount != amount.quantize(Decimal("0.01")):
        raise PoisonEvent(f"amount {amount} has more than 2 decimal places")


def _update(event: CloudEvent) -> DealUpdate:
    """A deal event as the ledger takes it: the deal, what happened to it, and why (this event)."""
    data = event.data
    if isinstance(data, ev.DealReopened):
        return data.deal_id, deals.Unwon("open"), Cause("deal reopened", str(event.id))
    if isinstance(data, ev.DealUpdated):
        _cents(data.amount, data.deal_id, *(s.rep_id for s in data.splits or []))
        change = deals.DealChange(data.amount, data.currency, data.owner_id, _splits(data.splits))
        return data.deal_id, deals.Changed(change), Cause("deal amount, split or owner changed after won",
                                                          str(event.id))
    closed: ev.DealClosed = data
    _cents(closed.amount, closed.deal_id, closed.owner_id, *(s.rep_id for s in closed.splits))
    if closed.outcome == "lost":
        return closed.deal_id, deals.Unwon("lost"), Cause("deal lost after won", str(event.id))
    splits = deals.splits_or_owner(_splits(closed.splits) or (), closed.owner_id)
    deal = deals.Deal(closed.deal_id, deals.DealFacts("won", closed.amount, closed.currency, splits),
                      closed.owner_id, closed.closed_at, frozenset(closed.products), closed.new_logo)
    return closed.deal_id, deals.Won(deal), Cause("deal closed won", str(event.id))


@batch_handler
async def credit_deals(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
    """deal.closed, deal.reopened, deal.updated, a batch at once: each deal's facts after its events in order
    (won pays each rep on their split, lost or reopened after won claws back, a change on a won deal moves its
    amount, currency, splits or owner; the same fact again appends nothing), then every rep-period they touch
    recalculated once."""
    await deal_commands.apply_deal_events(uow, [_update(e) for e in events])


async def remember_rep(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.RepUpserted = event.data
    await organisation.remember_rep(uow, data.rep_id, data.name, data.team_id, data.active)


async def remember_team(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TeamUpserted = event.data
    await organisation.remember_team(uow, data.team_id, data.name, data.manager_rep_id, data.parent_team_id)


EVENT_HANDLERS: dict[str, Handler] = by_payload({
    ev.DealClosed: credit_deals,
    ev.DealReopened: credit_deals,
    ev.DealUpdated: credit_deals,
    ev.RepUpserted: remember_rep,
    ev.TeamUpserted: remember_team,
})
CONSUMED_TOPICS = ("coxswain.pipeline", "coxswain.territory")
