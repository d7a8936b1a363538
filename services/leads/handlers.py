"""Leads' consumed events: one function each, registered in the table at the bottom.

Each is safe when the same business fact arrives twice under another event id: an assignment to the rep
who already holds the lead changes nothing, and a deactivated rep has no open leads left the second time.
"""
from __future__ import annotations

import logging

from services.leads import commands
from services.leads.db import org
from services.leads.db import repository as repo
from services.leads.domain import leads as domain
from services.leads.domain.org import Rep, pick_stand_in
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler

log = logging.getLogger("coxswain.leads")


async def assign_routed_lead(event: CloudEvent, uow: UnitOfWork) -> None:
    """lead.routed → the rep territory chose holds the lead (lead.assigned); no rep: the territory is noted."""
    data: ev.LeadRouted = event.data
    lead = await repo.find_lead(uow.session, data.lead_id, for_update=True)
    if lead is None or not lead.is_open:
        log.info("lead.routed for %s ignored: %s", data.lead_id, "unknown" if lead is None else lead.status)
        return
    if data.rep_id is None:
        if data.territory_id != lead.territory_id:
            await repo.save_lead(uow.session, domain.replace_territory(lead, data.territory_id),
                                 expected_version=lead.version)
        return
    await commands.assign_lead(lead.id, data.rep_id, f"routed: {data.reason}", uow,
                               territory_id=data.territory_id)


async def keep_rep(event: CloudEvent, uow: UnitOfWork) -> None:
    """rep.upserted → the local copy; a rep who became inactive has their open leads re-routed."""
    data: ev.RepUpserted = event.data
    rep = Rep(data.rep_id, data.team_id, data.active, data.capacity)
    await org.save_rep(uow.session, rep, data.name)
    if not rep.active:
        await reroute_open_leads(rep.rep_id, uow)


async def reroute_open_leads(rep_id: str, uow: UnitOfWork) -> None:
    """Each open lead to a stand-in from its territory (or the rep's team); with nobody free, unassigned."""
    reps, load = await org.all_reps(uow.session), await repo.open_load(uow.session)
    now = uow.clock.now()
    for lead in await repo.open_leads_of(uow.session, rep_id):
        chosen = pick_stand_in(rep_id, await org.members_of(uow.session, lead.territory_id), reps, load)
        if chosen is not None:
            await commands.assign_lead(lead.id, chosen, f"rep {rep_id} deactivated", uow)
            load[chosen] = load.get(chosen, 0) + 1
            continue
        await repo.save_lead(uow.session, domain.unassign(lead, now), expected_version=lead.version)
        await repo.record_assignment(uow.session, lead.id, None, rep_id, lead.territory_id,
                                     f"rep {rep_id} deactivated; nobody free to take it", now)


async def keep_team(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TeamUpserted = event.data
    await org.save_team(uow.session, data.team_id, data.manager_rep_id)


async def keep_territory(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TerritoryUpserted = event.data
    await org.save_members(uow.session, data.territory_id, list(data.rep_ids))


async def forget_territory(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TerritoryDeleted = event.data
    await org.forget_territory(uow.session, data.territory_id)


EVENT_HANDLERS: dict[str, Handler] = {
    "coxswain.lead.routed.v1": assign_routed_lead,
    "coxswain.rep.upserted.v1": keep_rep,
    "coxswain.team.upserted.v1": keep_team,
    "coxswain.territory.upserted.v1": keep_territory,
    "coxswain.territory.deleted.v1": forget_territory,
}
CONSUMED_TOPICS = ("coxswain.territory",)
