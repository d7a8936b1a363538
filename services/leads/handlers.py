"""Leads' consumed events: one function each, registered in the table at the bottom.

Territory makes every routing decision (new leads, a deactivated rep's leads, a breached follow-up SLA, a plan
activation); leads applies it. Each handler is safe when the same business fact arrives twice under another
event id: an assignment to the rep who already holds the lead changes nothing, nor does unassigning a lead
nobody holds.
"""
from __future__ import annotations

from services.leads import commands
from services.leads.domain.org import Rep
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, by_payload
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler


async def apply_routing(event: CloudEvent, uow: UnitOfWork) -> None:
    """lead.routed → the rep territory chose holds the lead; no rep: nobody does. Each owner change is
    announced as lead.assigned (rep_id null for nobody); an unknown or closed lead is left alone."""
    data: ev.LeadRouted = event.data
    await commands.route_lead(uow, data.lead_id, data.rep_id, data.reason, data.territory_id)


async def keep_rep(event: CloudEvent, uow: UnitOfWork) -> None:
    """rep.upserted → the local copy (teams decide what a manager sees). A deactivated rep's leads move
    when territory routes them again (lead.routed), not here."""
    data: ev.RepUpserted = event.data
    await commands.record_rep(uow, Rep(data.rep_id, data.team_id, data.active, data.capacity), data.name)


async def keep_team(event: CloudEvent, uow: UnitOfWork) -> None:
    """team.upserted → the local copy with its manager (escalations) and parent (a manager sees sub-teams)."""
    data: ev.TeamUpserted = event.data
    await commands.record_team(uow, data.team_id, data.manager_rep_id, data.parent_team_id)


EVENT_HANDLERS: dict[str, Handler] = by_payload({
    ev.LeadRouted: apply_routing,
    ev.RepUpserted: keep_rep,
    ev.TeamUpserted: keep_team,
})
CONSUMED_TOPICS = ("coxswain.territory",)
