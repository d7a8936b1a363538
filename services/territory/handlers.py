"""Territory's consumed events: one function each, registered in the table at the bottom.

Each reads the event and calls one command (commands/), which joins the consumer's transaction. Territory keeps
one row per lead, deal or quota, so the same business fact arriving twice (even under another event id) changes
nothing, and an older fact never overwrites a newer one (domain/books.py).
"""
from __future__ import annotations

from functools import partial

from services.territory.commands import books, routing
from services.territory.db.indexes import TerritoryIndexes
from services.territory.domain.books import BookedDeal
from shared.crediting import Splits, splits_of
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, by_payload
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler

ROUTED_FIELDS = ("country", "region", "postal_code", "industry", "employee_count", "annual_revenue", "company")


async def route_new_lead(event: CloudEvent, uow: UnitOfWork, *, indexes: TerritoryIndexes | None = None) -> None:
    """lead.created → the lead's territory and rep, announced as lead.routed (once per lead)."""
    data: ev.LeadCreated = event.data
    fields = data.model_dump(mode="json")
    profile = {k: fields.get(k) for k in ROUTED_FIELDS if fields.get(k) is not None}
    await routing.route_new_lead(uow, data.lead_id, profile, data.created_at, indexes)


async def record_assignment(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.LeadAssigned = event.data
    await books.record_assignment(uow, data.lead_id, data.rep_id, data.territory_id, data.assigned_at)


async def reroute_after_breach(event: CloudEvent, uow: UnitOfWork, *,
                               indexes: TerritoryIndexes | None = None) -> None:
    """lead.sla_breached → another member takes the lead (commands.routing.reroute_after_breach). Leads'
    `escalate` policy keeps the owner: nothing moves."""
    data: ev.LeadSlaBreached = event.data
    if data.action == "reroute":
        await routing.reroute_after_breach(uow, data.lead_id, data.rep_id, indexes)


async def record_status_change(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.LeadStatusChanged = event.data
    await books.record_status_change(uow, data.lead_id, data.from_status, data.to_status, data.changed_at)


async def record_new_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.DealCreated = event.data
    await books.record_new_deal(uow, BookedDeal(
        data.deal_id, data.owner_id, data.amount, data.currency, data.created_at, territory_id=data.territory_id,
        lead_id=data.lead_id, splits=_splits(data.splits, data.owner_id)))


async def record_stage_change(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.DealStageChanged = event.data
    await books.record_stage_change(uow, data.deal_id, data.owner_id, data.amount, data.currency, data.changed_at)


async def record_closed_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.DealClosed = event.data
    await books.record_closed_deal(uow, data.deal_id, data.outcome, data.owner_id, data.amount, data.currency,
                                   data.territory_id, data.closed_at, _splits(data.splits, data.owner_id))


async def record_deal_update(event: CloudEvent, uow: UnitOfWork) -> None:
    """deal.updated carries only what changed (a rep or territory move of the deal, a new amount or splits)."""
    data: ev.DealUpdated = event.data
    pairs = None if data.splits is None else [(s.rep_id, s.percent) for s in data.splits]
    await books.record_deal_update(uow, data.deal_id, data.updated_at or event.time, amount=data.amount,
                                   currency=data.currency, owner_id=data.owner_id, territory_id=data.territory_id,
                                   split_pairs=pairs)


async def record_reopened_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.DealReopened = event.data
    await books.record_reopened_deal(uow, data.deal_id, data.reopened_at)


async def record_quota(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.QuotaSet = event.data
    await books.record_quota(uow, data.rep_id, data.period, data.amount, data.currency)


def _splits(splits: list[ev.Split] | None, owner_id: str) -> Splits:
    """The splits as stated, without the owner-100% default (shared.crediting)."""
    return splits_of([(s.rep_id, s.percent) for s in splits or ()], owner_id)


def event_handlers(indexes: TerritoryIndexes | None) -> dict[str, Handler]:
    """The table, routing with the running service's territory index cache (None: built afresh each time)."""
    return by_payload({
        ev.LeadCreated: partial(route_new_lead, indexes=indexes),
        ev.LeadAssigned: record_assignment,
        ev.LeadStatusChanged: record_status_change,
        ev.LeadSlaBreached: partial(reroute_after_breach, indexes=indexes),
        ev.DealCreated: record_new_deal,
        ev.DealStageChanged: record_stage_change,
        ev.DealClosed: record_closed_deal,
        ev.DealUpdated: record_deal_update,
        ev.DealReopened: record_reopened_deal,
        ev.QuotaSet: record_quota,
    })



# Without a cache (what the CLI replays through); the app's own table shares one cache with its routes (app.py).
EVENT_HANDLERS: dict[str, Handler] = event_handlers(None)
CONSUMED_TOPICS = ("coxswain.leads", "coxswain.pipeline", "coxswain.compensation")
