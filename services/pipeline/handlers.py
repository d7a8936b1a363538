"""Pipeline's consumed events: one function each, calling a command; the table at the bottom."""
from __future__ import annotations

from collections.abc import Sequence

from services.pipeline.commands import deals, organisation
from services.pipeline.domain.org import RepCopy, TeamCopy
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, by_payload
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler, batch_handler


async def deal_from_conversion(event: CloudEvent, uow: UnitOfWork) -> None:
    """lead.converted → one deal with the id the lead chose (a redelivery under a new event id is a no-op)."""
    data: ev.LeadConverted = event.data
    await deals.open_converted_deal(uow, data, f"lead.converted:{event.id}")


@batch_handler
async def keep_organisation(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
    """rep.upserted, team.upserted → the local copies; a run of them at once, the last copy of each."""
    await organisation.keep_organisation(uow, [_copy(e.data) for e in events])


def _copy(data: ev.RepUpserted | ev.TeamUpserted) -> RepCopy | TeamCopy:
    if isinstance(data, ev.RepUpserted):
        return RepCopy(data.rep_id, data.name, data.team_id, data.active)
    return TeamCopy(data.team_id, data.name, data.manager_rep_id, data.parent_team_id)


EVENT_HANDLERS: dict[str, Handler] = by_payload({
    ev.LeadConverted: deal_from_conversion,
    ev.RepUpserted: keep_organisation,
    ev.TeamUpserted: keep_organisation,
})
CONSUMED_TOPICS = ("coxswain.leads", "coxswain.territory")
