"""Territory's consumed events: one function each, registered in the table at the bottom.

Each keeps one row per lead, deal or quota, so the same business fact arriving twice (even under another
event id) changes nothing, and an older fact never overwrites a newer one.
"""
from __future__ import annotations

from functools import partial
from typing import Any

from services.territory.commands import routing
from services.territory.db import books
from services.territory.db.indexes import TerritoryIndexes
from shared.crediting import splits_of
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler

CLOSED_LEAD_STATUSES = frozenset({"converted", "disqualified", "unqualified", "lost", "closed", "junk", "archived"})
ROUTED_FIELDS = ("country", "region", "postal_code", "industry", "employee_count", "annual_revenue", "company")


async def route_new_lead(event: CloudEvent, uow: UnitOfWork, *, indexes: TerritoryIndexes | None = None) -> None:
    """lead.created → the lead's territory and rep, announced as lead.routed (once per lead)."""
    data: ev.LeadCreated = event.data
    fields = data.model_dump(mode="json")
    profile = {k: fields.get(k) for k in ROUTED_FIELDS if fields.get(k) is not None}
    await routing.route_new_lead(uow, data.lead_id, profile, data.created_at, indexes)


async def record_assignment(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.LeadAssigned = event.data
    row = await books.lead_row(uow.session, data.lead_id) or {
        "lead_id": data.lead_id, "profile": {}, "status": "new", "is_open": True}
    if not books.later(row.get("assigned_at"), data.assigned_at):
        return
    await books.save_lead(uow.session, {**row, "rep_id": data.rep_id, "assigned_at": data.assigned_at,
                                        "territory_id": data.territory_id or row.get("territory_id")})


async def reroute_after_breach(event: CloudEvent, uow: UnitOfWork, *,
                               indexes: TerritoryIndexes | None = None) -> None:
    """lead.sla_breached → another member takes the lead (commands.routing.reroute_after_breach). Leads'
    `escalate` policy keeps the owner: nothing moves."""
    data: ev.LeadSlaBreached = event.data
    if data.action == "reroute":
        await routing.reroute_after_breach(uow, data.lead_id, data.rep_id, indexes)


async def record_status_change(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.LeadStatusChanged = event.data
    row = await books.lead_row(uow.session, data.lead_id) or {
        "lead_id": data.lead_id, "profile": {}, "status": data.from_status, "is_open": True}
    touched = row.get("first_touch_at")
    if data.from_status == "new" and data.to_status != "new" and (touched is None or data.changed_at < touched):
        row["first_touch_at"] = data.changed_at
    if books.later(row.get("status_at"), data.changed_at):
        row.update(status=data.to_status, status_at=data.changed_at,
                   is_open=data.to_status not in CLOSED_LEAD_STATUSES)
    await books.save_lead(uow.session, row)


async def record_new_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.DealCreated = event.data
    if await books.deal_row(uow.session, data.deal_id) is not None:
        return
    territory_id = data.territory_id
    if territory_id is None and data.lead_id:
        territory_id = (await books.lead_row(uow.session, data.lead_id) or {}).get("territory_id")
    await books.save_deal(uow.session, {
        "deal_id": data.deal_id, "territory_id": territory_id, "owner_id": data.owner_id, "lead_id": data.lead_id,
        "amount": data.amount, "currency": data.currency, "status": "open", "changed_at": data.created_at,
        "closed_at": None, "splits": _splits(data.splits, data.owner_id)})


async def record_stage_change(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.DealStageChanged = event.data
    row = await books.deal_row(uow.session, data.deal_id) or {
        "deal_id": data.deal_id, "territory_id": None, "lead_id": None, "status": "open", "closed_at": None,
        "changed_at": None}
    if row["status"] != "open" or not books.later(row["changed_at"], data.changed_at):
        return
    await books.save_deal(uow.session, {**row, "owner_id": data.owner_id, "amount": data.amount,
                                        "currency": data.currency, "changed_at": data.changed_at})


async def record_closed_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.DealClosed = event.data
    row = await books.deal_row(uow.session, data.deal_id) or {"deal_id": data.deal_id, "lead_id": None}
    await books.save_deal(uow.session, {
        **row, "territory_id": data.territory_id or row.get("territory_id"), "owner_id": data.owner_id,
        "amount": data.amount, "currency": data.currency, "status": data.outcome, "changed_at": data.closed_at,
        "closed_at": data.closed_at, "splits": _splits(data.splits, data.owner_id)})


async def record_deal_update(event: CloudEvent, uow: UnitOfWork) -> None:
    """deal.updated carries only what changed: amount, currency, owner (a rep or territory move of the deal)."""
    data: ev.DealUpdated = event.data
    row = await books.deal_row(uow.session, data.deal_id)
    at = data.updated_at or event.time
    if row is None or not books.later(row["changed_at"], at):
        return
    stated = (("amount", data.amount), ("currency", data.currency), ("owner_id", data.owner_id))
    changed: dict[str, Any] = {k: v for k, v in stated if v is not None}
    if data.splits is not None:
        changed["splits"] = _splits(data.splits, data.owner_id or row["owner_id"])
    await books.save_deal(uow.session, {**row, **changed, "changed_at": at,
                                        "territory_id": data.territory_id or row["territory_id"]})


def _splits(splits: list[ev.Split] | None, owner_id: str) -> list[list[str]]:
    """The splits as stated, stored without the owner-100% default (shared.crediting)."""
    pairs = [(s.rep_id, s.percent) for s in splits or ()]
    return books.stored_splits(splits_of(pairs, owner_id))


async def record_reopened_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.DealReopened = event.data
    row = await books.deal_row(uow.session, data.deal_id)
    if row is None or not books.later(row["changed_at"], data.reopened_at):
        return
    await books.save_deal(uow.session, {**row, "status": "open", "closed_at": None, "changed_at": data.reopened_at})


async def record_quota(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.QuotaSet = event.data
    await books.save_quota(uow.session, data.rep_id, data.period, data.amount, data.currency)


def event_handlers(indexes: TerritoryIndexes | None) -> dict[str, Handler]:
    """The table, routing with the running service's territory index cache (None: built afresh each time)."""
    return {
        "coxswain.lead.created.v1": partial(route_new_lead, indexes=indexes),
        "coxswain.lead.assigned.v1": record_assignment,
        "coxswain.lead.status_changed.v1": record_status_change,
        "coxswain.lead.sla_breached.v1": partial(reroute_after_breach, indexes=indexes),
        "coxswain.deal.created.v1": record_new_deal,
        "coxswain.deal.stage_changed.v1": record_stage_change,
        "coxswain.deal.closed.v1": record_closed_deal,
        "coxswain.deal.updated.v1": record_deal_update,
        "coxswain.deal.reopened.v1": record_reopened_deal,
        "coxswain.quota.set.v1": record_quota,
    }


# Without a cache (what the CLI replays through); the app's own table shares one cache with its routes (app.py).
EVENT_HANDLERS: dict[str, Handler] = event_handlers(None)
CONSUMED_TOPICS = ("coxswain.leads", "coxswain.pipeline", "coxswain.compensation")
