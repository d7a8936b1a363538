"""Territory's consumed events: the handlers, registered in the table at the bottom.

The books' handlers are batch handlers (shared.messaging.dispatch): the dispatcher hands each the runs of its
events in a fetched batch, and one command (commands/) folds the run into one read and one write per table,
joining the consumer's transaction. Territory keeps one row per lead, deal or quota, so the same business fact
arriving twice (even under another event id) changes nothing, and an older fact never overwrites a newer one
(domain/books.py, domain/book_changes.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from services.territory.commands import books, routing
from services.territory.db.indexes import TerritoryIndexes
from services.territory.domain.book_changes import (
    Assignment,
    BookChange,
    DealChange,
    DealClose,
    DealOpened,
    DealReopen,
    DealUpdate,
    LeadChange,
    NewLead,
    QuotaChange,
    StageChange,
    StatusChange,
)
from services.territory.domain.books import BookedDeal
from shared.crediting import Splits, splits_of
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, by_payload
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler, batch_handler

ROUTED_FIELDS = ("country", "region", "postal_code", "industry", "employee_count", "annual_revenue", "company")


async def keep_books(events: Sequence[CloudEvent], uow: UnitOfWork, *,
                     indexes: TerritoryIndexes | None = None) -> None:
    """A run of lead, deal and quota events at once (commands.books.keep_books): lead.created → the lead's
    territory and rep, announced as lead.routed (once per lead); lead.assigned, lead.status_changed → the lead's
    holder and progress; deal.created, stage_changed, updated, closed, reopened → the deal's row; quota.set → the
    rep's quota for the period."""
    await books.keep_books(uow, [_change(e) for e in events], indexes)


def _change(event: CloudEvent) -> BookChange:
    data = event.data
    if isinstance(data, ev.LeadCreated | ev.LeadAssigned | ev.LeadStatusChanged):
        return _lead_change(data)
    return _deal_change(event)


def _lead_change(data: ev.LeadCreated | ev.LeadAssigned | ev.LeadStatusChanged) -> NewLead | LeadChange:
    if isinstance(data, ev.LeadCreated):
        fields = data.model_dump(mode="json")
        profile = {k: fields.get(k) for k in ROUTED_FIELDS if fields.get(k) is not None}
        return NewLead(data.lead_id, profile, data.created_at)
    if isinstance(data, ev.LeadAssigned):
        return Assignment(data.lead_id, data.rep_id, data.territory_id, data.assigned_at)
    return StatusChange(data.lead_id, data.from_status, data.to_status, data.changed_at)


async def reroute_after_breach(event: CloudEvent, uow: UnitOfWork, *,
                               indexes: TerritoryIndexes | None = None) -> None:
    """lead.sla_breached → another member takes the lead (commands.routing.reroute_after_breach). Leads'
    `escalate` policy keeps the owner: nothing moves."""
    data: ev.LeadSlaBreached = event.data
    if data.action == "reroute":
        await routing.reroute_after_breach(uow, data.lead_id, data.rep_id, indexes)


def _deal_change(event: CloudEvent) -> DealChange | QuotaChange:
    data = event.data
    if isinstance(data, ev.QuotaSet):
        return QuotaChange(data.rep_id, data.period, data.amount, data.currency)
    if isinstance(data, ev.DealCreated):
        return DealOpened(BookedDeal(data.deal_id, data.owner_id, data.amount, data.currency, data.created_at,
                                     territory_id=data.territory_id, lead_id=data.lead_id,
                                     splits=_splits(data.splits, data.owner_id)))
    if isinstance(data, ev.DealStageChanged):
        return StageChange(data.deal_id, data.owner_id, data.amount, data.currency, data.changed_at)
    if isinstance(data, ev.DealClosed):
        return DealClose(data.deal_id, data.outcome, data.owner_id, data.amount, data.currency, data.territory_id,
                         data.closed_at, _splits(data.splits, data.owner_id))
    if isinstance(data, ev.DealUpdated):
        # deal.updated carries only what changed (a rep or territory move of the deal, a new amount or splits)
        pairs = None if data.splits is None else tuple((s.rep_id, s.percent) for s in data.splits)
        return DealUpdate(data.deal_id, data.updated_at or event.time, amount=data.amount, currency=data.currency,
                          owner_id=data.owner_id, territory_id=data.territory_id, split_pairs=pairs)
    reopened: ev.DealReopened = data
    return DealReopen(reopened.deal_id, reopened.reopened_at)


def _splits(splits: list[ev.Split] | None, owner_id: str) -> Splits:
    """The splits as stated, without the owner-100% default (shared.crediting)."""
    return splits_of([(s.rep_id, s.percent) for s in splits or ()], owner_id)


def event_handlers(indexes: TerritoryIndexes | None) -> dict[str, Handler]:
    """The table, routing with the running service's territory index cache (None: built afresh each time)."""
    kept = batch_handler(partial(keep_books, indexes=indexes))
    return by_payload({
        ev.LeadCreated: kept,
        ev.LeadAssigned: kept,
        ev.LeadStatusChanged: kept,
        ev.LeadSlaBreached: partial(reroute_after_breach, indexes=indexes),
        ev.DealCreated: kept,
        ev.DealStageChanged: kept,
        ev.DealClosed: kept,
        ev.DealUpdated: kept,
        ev.DealReopened: kept,
        ev.QuotaSet: kept,
    })



# Without a cache (what the CLI replays through); the app's own table shares one cache with its routes (app.py).
EVENT_HANDLERS: dict[str, Handler] = event_handlers(None)
CONSUMED_TOPICS = ("coxswain.leads", "coxswain.pipeline", "coxswain.compensation")
