"""Territory plans: draft changes, activate them at once (re-routing the open leads that move), archive.

(Simulating a plan changes nothing: queries.simulate_plan.)"""
from __future__ import annotations

import uuid

from services.territory.commands.organisation import emit_territory
from services.territory.commands.routing import route_and_book
from services.territory.db import books, plans_repo
from services.territory.db import repository as repo
from services.territory.db.snapshot import load_snapshot
from services.territory.domain.plans import Changes, Plan, check_editable, transition
from services.territory.domain.simulation import Move, propose, rematch
from services.territory.domain.territories import Territory
from shared.db.uow import UnitOfWork, command
from shared.events import catalog as ev


@command
async def archive_plan(uow: UnitOfWork, plan_id: str) -> Plan:
    async with uow:
        plan = transition(await plans_repo.get_plan(uow.session, plan_id, lock=True), "archived", uow.clock.now())
        await plans_repo.save_plan(uow.session, plan)
        await uow.commit()
        return plan


@command
async def draft_plan(uow: UnitOfWork, name: str, changes: Changes, plan_id: str | None = None) -> Plan:
    """A new draft, or a draft's changes replaced (only while it is still planning; an unknown id is a 404)."""
    async with uow:
        existing = await plans_repo.get_plan(uow.session, plan_id) if plan_id else None
        snap = await load_snapshot(uow.session)
        propose(snap.territories, changes.upserts, changes.removals, snap.reps)  # refuse an invalid draft early
        if existing is not None:
            check_editable(existing)
        plan = Plan(plan_id or str(uuid.uuid4()), name, "planning", changes.to_json(), uow.clock.now(), None,
                    existing.version + 1 if existing else 1)
        await plans_repo.save_plan(uow.session, plan)
        await uow.commit()
        return plan


@command
async def activate_plan(uow: UnitOfWork, plan_id: str) -> tuple[Plan, list[Move]]:
    """Apply all the plan's changes in one transaction, announce them, re-route open leads that moved."""
    async with uow:
        plan = await plans_repo.get_plan(uow.session, plan_id, lock=True)
        check_editable(plan)
        changes = Changes.of(plan.changes)
        snap = await load_snapshot(uow.session)
        proposed = propose(snap.territories, changes.upserts, changes.removals, snap.reps)
        _, _, planned = rematch(snap.leads, snap.deals, proposed, snap.reps)
        await _apply(changes, proposed, uow)
        moves = [await _reroute(move, plan, uow) for move in planned]
        for other in await plans_repo.active_plans(uow.session):
            await plans_repo.save_plan(uow.session, transition(other, "archived", uow.clock.now()))
        activated = transition(plan, "active", uow.clock.now())
        await plans_repo.save_plan(uow.session, activated)
        await uow.commit()
        return activated, moves


async def _apply(changes: Changes, proposed: dict[str, Territory], uow: UnitOfWork) -> None:
    for territory_id in changes.removals:
        await repo.remove_territory(uow.session, territory_id)
        await uow.emit("coxswain.territory.deleted.v1", subject=territory_id,
                       data=ev.TerritoryDeleted(territory_id=territory_id))
    for t in changes.upserts:
        await repo.save_territory(uow.session, proposed[t.id])
        await emit_territory(uow, proposed[t.id])


async def _reroute(move: Move, plan: Plan, uow: UnitOfWork) -> Move:
    """Routed for real under the new organisation: the stored rotation moves and lead.routed says why."""
    lead = await books.booked_lead(uow.session, move.lead_id)
    assert lead is not None  # rematch moves only leads of the book, read in this transaction
    # Uncached: this transaction changed the territories (its revision is not committed and may roll back).
    done = await route_and_book(lead, uow, note=f"plan {plan.name} activated: ", indexes=None)
    return Move(move.lead_id, move.from_territory, done.territory_id, move.from_rep, done.rep_id, done.reason)
