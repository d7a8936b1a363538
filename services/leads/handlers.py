"""Leads' consumed events: one function each, registered in the table at the bottom.

Territory makes every routing decision (new leads, a deactivated rep's leads, a breached follow-up SLA, a plan
activation); leads applies it. Each handler is safe when the same business fact arrives twice under another
event id: an assignment to the rep who already holds the lead changes nothing, nor does unassigning a lead
nobody holds.
"""
from __future__ import annotations

import logging

from services.leads import commands
from services.leads.db import org
from services.leads.db import repository as repo
from services.leads.domain.org import Rep
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler

log = logging.getLogger("coxswain.leads")


async def apply_routing(event: CloudEvent, uow: UnitOfWork) -> None:
    """lead.routed → the rep territory chose holds the lead; no rep: nobody does. Each owner change is
    announced as lead.assigned (rep_id null for nobody)."""
    data: ev.LeadRouted = event.data
    lead = await repo.find_lead(uow.session, data.lead_id, for_update=True)
    if lead is None or not lead.is_open:
        log.info("lead.routed for %s ignored: %s", data.lead_id, "unknown" if lead is None else lead.status)
        return
    reason = f"routed: {data.reason}"
    if data.rep_id is None:
        await commands.unassign_lead(lead.id, reason, uow, territory_id=data.territory_id)
        return
    await commands.assign_lead(lead.id, data.rep_id, reason, uow, territory_id=data.territory_id)


async def keep_rep(event: CloudEvent, uow: UnitOfWork) -> None:
    """rep.upserted → the local copy (teams decide what a manager sees). A deactivated rep's leads move
    when territory routes them again (lead.routed), not here."""
    data: ev.RepUpserted = event.data
    await org.save_rep(uow.session, Rep(data.rep_id, data.team_id, data.active, data.capacity), data.name)


async def keep_team(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TeamUpserted = event.data
    await org.save_team(uow.session, data.team_id, data.manager_rep_id)


EVENT_HANDLERS: dict[str, Handler] = {
    "coxswain.lead.routed.v1": apply_routing,
    "coxswain.rep.upserted.v1": keep_rep,
    "coxswain.team.upserted.v1": keep_team,
}
CONSUMED_TOPICS = ("coxswain.territory",)
