"""Territory's read use cases: each reads in one transaction and never writes (nothing here commits)."""
from __future__ import annotations

from dataclasses import dataclass

from services.territory.db import plans_repo
from services.territory.db import repository as repo
from services.territory.db.listing import Listing
from services.territory.db.snapshot import Snapshot, load_snapshot
from services.territory.domain.balance import Finding, assess
from services.territory.domain.coverage import Figures, period_bounds, rep_coverage, subtree, territory_coverage
from services.territory.domain.coverage import unplaced as count_unplaced
from services.territory.domain.matching import Match, TerritoryIndex
from services.territory.domain.plans import Changes, Plan
from services.territory.domain.rules import Rule, Value
from services.territory.domain.simulation import Move, propose, rematch
from services.territory.domain.territories import Rep, Team, Territory
from shared.db.uow import UnitOfWork
from shared.errors import NotFoundError
from shared.http.auth import Principal
from shared.visibility import scope_of


async def reps(uow: UnitOfWork, after: str | None, limit: int, team_id: str | None = None,
               active: bool | None = None) -> Listing[Rep]:
    async with uow:
        return await repo.rep_page(uow.session, after, limit, team_id=team_id, active=active)


async def rep(uow: UnitOfWork, rep_id: str) -> Rep:
    async with uow:
        found = await repo.get_rep(uow.session, rep_id)
    if found is None:
        raise NotFoundError(f"rep {rep_id} does not exist")
    return found


async def teams(uow: UnitOfWork, after: str | None, limit: int) -> Listing[Team]:
    async with uow:
        return await repo.team_page(uow.session, after, limit)


async def territories(uow: UnitOfWork, parent_id: str | None = None, rep_id: str | None = None) -> list[Territory]:
    async with uow:
        found = (await repo.all_territories(uow.session)).values()
    return [t for t in found
            if (parent_id is None or t.parent_id == parent_id) and (rep_id is None or rep_id in t.rep_ids)]


async def territory(uow: UnitOfWork, territory_id: str) -> Territory:
    async with uow:
        return await repo.get_territory(uow.session, territory_id)


@dataclass(frozen=True)
class Matched:
    match: Match | None
    rule: Rule | None


async def match(uow: UnitOfWork, profile: dict[str, Value]) -> Matched:
    """The territory a lead with this profile routes to now, and the rule that matched."""
    async with uow:
        known = await repo.all_territories(uow.session)
    found = TerritoryIndex(known).match(profile)
    if found is None or found.rule_index is None:
        return Matched(found, None)
    return Matched(found, known[found.territory_id].rules[found.rule_index])


async def plans(uow: UnitOfWork, after: str | None, limit: int) -> Listing[Plan]:
    async with uow:
        return await plans_repo.plan_page(uow.session, after, limit)


async def plan(uow: UnitOfWork, plan_id: str) -> Plan:
    async with uow:
        return await plans_repo.get_plan(uow.session, plan_id)


@dataclass(frozen=True)
class Coverage:
    period: str
    rollup: bool
    unplaced_leads: int
    territories: list[tuple[Territory, Figures]]
    reps: list[tuple[Rep, Figures]]


async def coverage(uow: UnitOfWork, who: Principal, period: str, rollup: bool, territory_id: str | None = None,
                   team_id: str | None = None) -> Coverage:
    """Live coverage per territory (under `territory_id`) and per rep the caller may see (shared.visibility:
    a manager sees their teams' reps and the reps of every team below them; a rep, themself)."""
    bounds = period_bounds(period)  # a malformed period is a 422 before any reading
    async with uow:
        snap = await load_snapshot(uow.session, period)
        parent_of = {t.id: t.parent_team_id for t in (await repo.all_teams(uow.session)).values()}
    if territory_id and territory_id not in snap.territories:
        raise NotFoundError(f"territory {territory_id} does not exist")
    per_territory = territory_coverage(snap.territories, snap.reps, snap.leads, snap.deals, snap.quotas, bounds,
                                       rollup=rollup)
    shown = subtree(territory_id, snap.territories) if territory_id else set(snap.territories)
    per_rep = rep_coverage(snap.reps, snap.leads, snap.deals, snap.quotas, bounds)
    scope = scope_of(who, parent_of)
    chosen = [r for r in snap.reps.values()
              if (team_id is None or r.team_id == team_id) and scope.admits(r.id, r.team_id)]
    if territory_id:
        members = {m for t in shown for m in snap.territories[t].rep_ids}
        chosen = [r for r in chosen if r.id in members]
    return Coverage(period, rollup, count_unplaced(snap.leads, snap.territories),
                    [(t, per_territory[t.id]) for t in snap.territories.values() if t.id in shown],
                    [(r, per_rep[r.id]) for r in chosen])


async def balance(uow: UnitOfWork, period: str) -> list[Finding]:
    """Under- and over-served territories (own leads and members, no rollup) with a suggested move."""
    async with uow:
        snap = await load_snapshot(uow.session, period)
    figures = territory_coverage(snap.territories, snap.reps, snap.leads, snap.deals, snap.quotas,
                                 period_bounds(period), rollup=False)
    open_by_rep: dict[str, int] = {}
    for lead in snap.leads:
        if lead.is_open and lead.rep_id:
            open_by_rep[lead.rep_id] = open_by_rep.get(lead.rep_id, 0) + 1
    return assess(snap.territories, figures, open_by_rep, snap.leads)


@dataclass(frozen=True)
class Simulation:
    territories: dict[str, tuple[Figures | None, Figures | None]]
    reps: dict[str, tuple[Figures, Figures]]
    moves: list[Move]


def simulate_on(snap: Snapshot, changes: Changes, period: str, rollup: bool) -> Simulation:
    """Coverage now and under the proposal, from one snapshot; nothing is written."""
    bounds = period_bounds(period)
    proposed = propose(snap.territories, changes.upserts, changes.removals, snap.reps)
    leads, deals, moves = rematch(snap.leads, snap.deals, proposed, snap.reps)
    before = territory_coverage(snap.territories, snap.reps, snap.leads, snap.deals, snap.quotas, bounds, rollup=rollup)
    after = territory_coverage(proposed, snap.reps, leads, deals, snap.quotas, bounds, rollup=rollup)
    reps_before = rep_coverage(snap.reps, snap.leads, snap.deals, snap.quotas, bounds)
    reps_after = rep_coverage(snap.reps, leads, deals, snap.quotas, bounds)
    return Simulation({t: (before.get(t), after.get(t)) for t in sorted(before.keys() | after.keys())},
                      {r: (reps_before[r], reps_after[r]) for r in sorted(snap.reps)}, moves)


async def simulate(uow: UnitOfWork, changes: Changes, period: str, rollup: bool) -> Simulation:
    """What-if: coverage before and after the changes; a simulation changes nothing."""
    period_bounds(period)
    async with uow:
        snap = await load_snapshot(uow.session, period)
    return simulate_on(snap, changes, period, rollup)


async def simulate_plan(uow: UnitOfWork, plan_id: str, period: str) -> Simulation:
    async with uow:
        found = await plans_repo.get_plan(uow.session, plan_id)
        snap = await load_snapshot(uow.session, period)
    return simulate_on(snap, Changes.of(found.changes), period, True)
