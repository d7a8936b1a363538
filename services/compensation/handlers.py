"""Compensation's consumed events: one function each, registered in the table at the bottom."""
from __future__ import annotations

from decimal import Decimal

from services.compensation.commands import deals as deal_commands
from services.compensation.commands import organisation
from services.compensation.commands.ledger import Cause
from services.compensation.db.deals_repo import Deal
from services.compensation.domain import deals
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, PoisonEvent, by_payload
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler


def _splits(splits: list[ev.Split] | None) -> deals.Splits | None:
    return None if splits is None else tuple((s.rep_id, Decimal(s.percent)) for s in splits)


def _cents(amount: Decimal | None, *ids: str | None) -> None:
    """What the ledger cannot store exactly is refused at once (dead letter), not retried."""
    if any(i is not None and len(i) > 64 for i in ids):
        raise PoisonEvent("an id is longer than 64 characters")
    if amount is not None and amount != amount.quantize(Decimal("0.01")):
        raise PoisonEvent(f"amount {amount} has more than 2 decimal places")


async def credit_closed_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    """deal.closed: the deal's facts as closed; every rep-period it touches is recalculated (won pays each rep
    on their split, lost after won claws back; the same fact again appends nothing)."""
    data: ev.DealClosed = event.data
    _cents(data.amount, data.deal_id, data.owner_id, *(s.rep_id for s in data.splits))
    if data.outcome == "lost":
        await deal_commands.unwin_deal(uow, data.deal_id, "lost", Cause("deal lost after won", str(event.id)))
        return
    splits = deals.splits_or_owner(_splits(data.splits) or (), data.owner_id)
    deal = Deal(data.deal_id, deals.DealFacts("won", data.amount, data.currency, splits), data.owner_id,
                data.closed_at, frozenset(data.products), data.new_logo)
    await deal_commands.win_deal(uow, deal, Cause("deal closed won", str(event.id)))


async def claw_back_reopened_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.DealReopened = event.data
    await deal_commands.unwin_deal(uow, data.deal_id, "open", Cause("deal reopened", str(event.id)))


async def adjust_changed_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    """deal.updated on a won deal (amount, currency, splits, owner): its rep-periods are recalculated."""
    data: ev.DealUpdated = event.data
    _cents(data.amount, data.deal_id, *(s.rep_id for s in data.splits or []))
    change = deals.DealChange(data.amount, data.currency, data.owner_id, _splits(data.splits))
    await deal_commands.change_deal(uow, data.deal_id, change,
                                    Cause("deal amount, split or owner changed after won", str(event.id)))


async def remember_rep(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.RepUpserted = event.data
    await organisation.remember_rep(uow, data.rep_id, data.name, data.team_id, data.active)


async def remember_team(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TeamUpserted = event.data
    await organisation.remember_team(uow, data.team_id, data.name, data.manager_rep_id, data.parent_team_id)


EVENT_HANDLERS: dict[str, Handler] = by_payload({
    ev.DealClosed: credit_closed_deal,
    ev.DealReopened: claw_back_reopened_deal,
    ev.DealUpdated: adjust_changed_deal,
    ev.RepUpserted: remember_rep,
    ev.TeamUpserted: remember_team,
})
CONSUMED_TOPICS = ("coxswain.pipeline", "coxswain.territory")
