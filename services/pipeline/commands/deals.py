"""Deal commands: load, check the caller may act, let the domain decide, then save state, history, summaries and
the event together. Each public command owns its transaction (or joins a consumer's, see shared/db/uow.py)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from services.pipeline.commands import deal_events
from services.pipeline.db import analytics_repo, org
from services.pipeline.db import pipelines_repo as pipelines
from services.pipeline.db import repository as repo
from services.pipeline.domain import deals as rules
from services.pipeline.domain.analytics import effects_of
from services.pipeline.domain.deals import Deal, Outcome, Split
from services.pipeline.domain.history import HistoryEntry, seconds_between
from services.pipeline.domain.pipelines import DEFAULT_PIPELINE_ID, Pipeline, missing_pipeline
from services.pipeline.queries.access import ensure_owns, ensure_sees
from shared.db.uow import UnitOfWork, command
from shared.errors import ConflictError, InvalidInput
from shared.events import PoisonEvent
from shared.events import catalog as ev
from shared.http.auth import Principal


@dataclass(frozen=True)
class CreateDeal:
    name: str
    amount: Decimal
    currency: str
    owner_id: str
    company: str | None = None
    territory_id: str | None = None
    expected_close_date: date | None = None
    lead_id: str | None = None
    splits: tuple[Split, ...] = ()
    deal_id: str | None = None
    pipeline_id: str | None = None
    stage_id: str | None = None
    external_id: str | None = None
    actor: str = "system"


async def _pipeline(uow: UnitOfWork, pipeline_id: str | None) -> Pipeline:
    found = await pipelines.get_pipeline(uow.session, pipeline_id or DEFAULT_PIPELINE_ID)
    if found is None:
        raise InvalidInput("pipeline_id", str(missing_pipeline(pipeline_id or "")))
    return found


async def _record(uow: UnitOfWork, before: Deal | None, after: Deal, pipeline: Pipeline, actor: str,
                  event_type: str, payload: BaseModel, detail: str | None = None) -> Deal:
    """State, history entry, summary rows and the outbox event, in the caller's transaction."""
    now = uow.clock.now()
    effects = effects_of(before, after, pipeline, now)
    after = replace(after, furthest_position=effects.furthest_position)
    if before is None:
        await repo.add_deal(uow.session, after)
    else:
        await repo.save_deal(uow.session, after, expected_version=before.version)
    moved = before is not None and before.stage_id != after.stage_id
    await repo.add_history(uow.session, HistoryEntry(
        after.id, after.version, event_type.split(".")[2], now, actor,
        from_stage_id=before.stage_id if moved and before else None,
        to_stage_id=after.stage_id if moved or before is None else None,
        seconds_in_from_stage=seconds_between(before.stage_entered_at, now) if moved and before else None,
        detail=detail))
    await analytics_repo.apply_effects(uow.session, effects)
    await uow.emit(event_type, subject=after.id, sequence=after.version, data=payload)
    return after


@command
async def create_deal(uow: UnitOfWork, who: Principal, cmd: CreateDeal) -> Deal:
    """A deal for the caller (or, for a manager, one of their teams' reps); a lead gets one deal at most."""
    try:
        async with uow:
            await ensure_owns(uow.session, who, cmd.owner_id)
            if cmd.lead_id and await repo.deal_by(uow.session, lead_id=cmd.lead_id):
                raise InvalidInput("lead_id", f"lead {cmd.lead_id} already has a deal")
            deal = await place_deal(cmd, uow)
            await uow.commit()
            return deal
    except IntegrityError:  # a concurrent conversion of the same lead won the race
        raise ConflictError(f"lead {cmd.lead_id} got a deal concurrently") from None


@command
async def open_converted_deal(uow: UnitOfWork, lead: ev.LeadConverted, actor: str) -> Deal | None:
    """lead.converted → one deal with the id the lead chose: a redelivery, even under a new event id, is a no-op."""
    async with uow:
        if await repo.find_deal(uow.session, lead.deal_id) or await repo.deal_by(uow.session, lead_id=lead.lead_id):
            return None
        if lead.amount != lead.amount.quantize(Decimal("0.01")):
            raise PoisonEvent(f"amount {lead.amount} has more than 2 decimal places")
        deal = await place_deal(CreateDeal(
            name=lead.company or f"Deal from lead {lead.lead_id}", amount=lead.amount, currency=lead.currency,
            owner_id=lead.owner_id or "unassigned", company=lead.company, territory_id=lead.territory_id,
            lead_id=lead.lead_id, deal_id=lead.deal_id, actor=actor), uow)
        await uow.commit()
        return deal

async def place_deal(cmd: CreateDeal, uow: UnitOfWork) -> Deal:
    """Create without committing (an event handler's transaction is the dispatcher's)."""
    pipeline = await _pipeline(uow, cmd.pipeline_id)
    now = uow.clock.now()
    draft = Deal(id=cmd.deal_id or str(uuid.uuid4()), name=cmd.name, company=cmd.company, amount=cmd.amount,
                 currency=cmd.currency, owner_id=cmd.owner_id, territory_id=cmd.territory_id,
                 pipeline_id=pipeline.id, stage_id="", probability=0, forecast_category="pipeline",
                 expected_close_date=cmd.expected_close_date, lead_id=cmd.lead_id, created_at=now,
                 splits=cmd.splits, external_id=cmd.external_id, team_id=await org.team_of(uow.session, cmd.owner_id))
    deal = rules.open_deal(draft, pipeline, cmd.stage_id)
    return await _record(uow, None, deal, pipeline, cmd.actor, "coxswain.deal.created.v1",
                         deal_events.created(deal))


async def _visible_deal(uow: UnitOfWork, who: Principal, deal_id: str) -> Deal:
    deal = await repo.get_deal(uow.session, deal_id)
    await ensure_sees(uow.session, who, deal)
    return deal


@command
async def move_deal(uow: UnitOfWork, who: Principal, deal_id: str, stage_id: str, version: int | None) -> Deal:
    async with uow:
        deal = await apply_move(await _visible_deal(uow, who, deal_id), stage_id, version, who.sub, uow)
        await uow.commit()
        return deal


async def apply_move(deal: Deal, stage_id: str, version: int | None, actor: str, uow: UnitOfWork) -> Deal:
    rules.check_version(deal, version)
    pipeline = await _pipeline(uow, deal.pipeline_id)
    moved = rules.move_stage(deal, pipeline, stage_id, uow.clock.now())
    direction = "forward" if pipeline.stage(stage_id).position > pipeline.stage(deal.stage_id).position else "back"
    return await _record(uow, deal, moved, pipeline, actor, "coxswain.deal.stage_changed.v1",
                         deal_events.stage_changed(deal, moved, uow.clock.now()), detail=direction)


@command
async def close_deal(uow: UnitOfWork, who: Principal, deal_id: str, outcome: Outcome, *,
                     lost_reason: str | None = None, version: int | None = None, also_v2: bool = False) -> Deal:
    """Close won or lost; `also_v2` publishes deal.closed.v2 beside v1 (v1's deprecation window)."""
    async with uow:
        deal = await _visible_deal(uow, who, deal_id)
        rules.check_version(deal, version)
        pipeline = await _pipeline(uow, deal.pipeline_id)
        closed = rules.close_deal(deal, pipeline, outcome, uow.clock.now(), lost_reason)
        announced = deal_events.closed(closed)
        saved = await _record(uow, deal, closed, pipeline, who.sub, "coxswain.deal.closed.v1", announced,
                              detail=lost_reason)
        if also_v2:  # the same fact in the new shape, with the same sequence: one version of the deal, two views
            await uow.emit("coxswain.deal.closed.v2", subject=saved.id, sequence=saved.version,
                           data=deal_events.closed_v2(announced))
        await uow.commit()
        return saved


@command
async def reopen_deal(uow: UnitOfWork, who: Principal, deal_id: str, stage_id: str | None,
                      version: int | None) -> Deal:
    async with uow:
        deal = await _visible_deal(uow, who, deal_id)
        rules.check_version(deal, version)
        pipeline = await _pipeline(uow, deal.pipeline_id)
        reopened = rules.reopen_deal(deal, pipeline, uow.clock.now(), stage_id)
        saved = await _record(uow, deal, reopened, pipeline, who.sub, "coxswain.deal.reopened.v1",
                              deal_events.reopened(reopened, uow.clock.now()), detail=f"was {deal.status}")
        await uow.commit()
        return saved


@command
async def change_deal(uow: UnitOfWork, who: Principal, deal_id: str, changes: dict[str, Any],
                      version: int | None) -> Deal:
    """PATCH: the fields given; nothing really changed means no new version and no event. A new owner must be
    one the caller may act for."""
    async with uow:
        deal = await _visible_deal(uow, who, deal_id)
        if "owner_id" in changes:
            await ensure_owns(uow.session, who, changes["owner_id"])
        deal = await apply_update(deal, changes, version, who.sub, uow)
        await uow.commit()
        return deal


async def apply_update(deal: Deal, changes: dict[str, Any], version: int | None, actor: str,
                       uow: UnitOfWork) -> Deal:
    rules.check_version(deal, version)
    pipeline = await _pipeline(uow, deal.pipeline_id)
    updated, changed = rules.update_deal(deal, pipeline, changes)
    if not changed:
        return deal
    if "owner_id" in changed:
        updated = replace(updated, team_id=await org.team_of(uow.session, updated.owner_id))
    return await _record(uow, deal, updated, pipeline, actor, "coxswain.deal.updated.v1",
                         deal_events.updated(updated, changed, uow.clock.now()), detail=",".join(sorted(changed)))
