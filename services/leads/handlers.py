"""Leads' consumed events: one function each, registered in the table at the bottom.

Territory makes every routing decision (new leads, a deactivated rep's leads, a breached follow-up SLA, a plan
activation); leads applies it. Each handler is safe when the same business fact arrives twice under another
event id: an assignment to the rep who already holds the lead changes nothing, nor does unassigning a lead
nobody holds.
"""
from __future__ import annotations

from collections.abc import Sequence

from services.leads import commands
from services.leads.domain.org import Rep, RepCopy, TeamCopy
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, by_payload
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler, batch_handler


@batch_handler
async def apply_routing(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
    """lead.routed → the rep territory chose holds the lead; no rep: nobody does. Each owner change is
    announced as lead.assigned (rep_id null for nobody); an unknown or closed lead is left alone. A run of
    them at once (commands.route_leads)."""
    await commands.route_leads(uow, [e.data for e in events])


@batch_handler
async def keep_organisation(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
    """rep.upserted, team.upserted → the local copies (teams decide what a manager sees; a team's manager takes
    escalations, its parent's manager sees it too); a run of them at once, the last copy of each. A deactivated
    rep's leads move when territory routes them again (lead.routed), not here."""
    await commands.keep_organisation(uow, [_copy(e.data) for e in events])


def _copy(data: ev.RepUpserted | ev.TeamUpserted) -> RepCopy | TeamCopy:
    if isinstance(data, ev.RepUpserted):
        return RepCopy(Rep(data.rep_id, data.team_id, data.active, data.capacity), data.name)
    return TeamCopy(data.team_id, data.manager_rep_id, data.parent_team_id)


EVENT_HANDLERS: dict[str, Handler] = by_payload({
    ev.LeadRouted: apply_routing,
    ev.RepUpserted: keep_organisation,
    ev.TeamUpserted: keep_organisation,
})
CONSUMED_TOPICS = ("coxswain.territory",)
