"""Forecast's consumed events: one function each, registered in the table at the bottom."""
from __future__ import annotations

from services.forecast.changes import DEAL_EVENTS, change_of
from services.forecast.db import org
from services.forecast.db import projection as db
from services.forecast.db.models import event_history
from services.forecast.domain.deals import UnknownDeal, apply
from services.forecast.domain.transitions import effects
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, PoisonEvent, encode_event
from shared.events import catalog as ev
from shared.messaging.dispatch import Handler


async def keep_history(event: CloudEvent, uow: UnitOfWork) -> None:
    """Every applied deal, quota and organisation event is kept, for point-in-time queries (`as_of`)."""
    await uow.session.execute(event_history.insert().values(
        occurred_at=event.time, event_type=event.type, subject=event.subject, payload=encode_event(event).decode()))


async def project_deal(event: CloudEvent, uow: UnitOfWork) -> None:
    """Any deal event: the deal's old contribution out of the aggregate rows, its new one in."""
    change = change_of(event)
    before = await db.load_deal(uow.session, change.deal_id)
    try:
        after = apply(before, change)
    except UnknownDeal as unknown:
        raise PoisonEvent(str(unknown)) from None
    if after is None:  # the same fact again (another event id, an older sequence): nothing changes
        return
    fx = effects(before, after)
    await db.save_deal(uow.session, after)
    await db.add_cells(uow.session, fx.cells)
    if fx.uncount:
        await db.count_outcome(uow.session, fx.uncount, -1)
    await db.remember_stage(uow.session, after)
    if fx.count:
        await db.count_outcome(uow.session, fx.count, 1)
    await keep_history(event, uow)


async def record_quota(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.QuotaSet = event.data
    await org.set_quota(uow.session, data.rep_id, data.period, data.amount, data.currency)
    await keep_history(event, uow)


async def remember_rep(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.RepUpserted = event.data
    await org.upsert_rep(uow.session, data.rep_id, data.name, data.team_id, data.active)
    await keep_history(event, uow)


async def remember_team(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TeamUpserted = event.data
    await org.upsert_team(uow.session, data.team_id, data.name, data.manager_rep_id, data.parent_team_id)
    await keep_history(event, uow)


async def remember_territory(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TerritoryUpserted = event.data
    await org.upsert_territory(uow.session, data.territory_id, data.name, data.parent_id, data.rep_ids)
    await keep_history(event, uow)


async def forget_territory(event: CloudEvent, uow: UnitOfWork) -> None:
    data: ev.TerritoryDeleted = event.data
    await org.delete_territory(uow.session, data.territory_id)
    await keep_history(event, uow)


EVENT_HANDLERS: dict[str, Handler] = {
    **{event_type: project_deal for event_type in DEAL_EVENTS},
    "coxswain.quota.set.v1": record_quota,
    "coxswain.rep.upserted.v1": remember_rep,
    "coxswain.team.upserted.v1": remember_team,
    "coxswain.territory.upserted.v1": remember_territory,
    "coxswain.territory.deleted.v1": forget_territory,
}
CONSUMED_TOPICS = ("coxswain.pipeline", "coxswain.compensation", "coxswain.territory")
