"""Loading and saving the organisation: reps, teams, territories and the rotation counters."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.territory.db.listing import Listing
from services.territory.db.models import reps, revisions, rotations, teams, territories
from services.territory.domain.routing import Rotation
from services.territory.domain.rules import parse_rules
from services.territory.domain.territories import Rep, Team, Territory, territory_json
from shared.db.paging import keyset_window
from shared.db.upsert import insert_for, next_counter
from shared.errors import NotFoundError


def _rep(m: Any) -> Rep:
    return Rep(m["id"], m["name"], m["email"], m["team_id"], bool(m["active"]), m["capacity"],
               tuple(m["segments"] or ()))


def _territory(m: Any) -> Territory:
    return Territory(m["id"], m["name"], m["parent_id"], m["priority"], parse_rules(m["rules"]),
                     tuple(m["rep_ids"] or ()), bool(m["is_default"]), m["version"])


async def all_reps(session: AsyncSession) -> dict[str, Rep]:
    rows = await session.execute(select(reps).order_by(reps.c.id))
    return {r.id: _rep(r._mapping) for r in rows}


async def rep_page(session: AsyncSession, after: str | None, limit: int, *, team_id: str | None = None,
                   active: bool | None = None) -> Listing[Rep]:
    """Reps by id after `after` (keyset in SQL), optionally of one team or activity."""
    query = select(reps)
    if team_id is not None:
        query = query.where(reps.c.team_id == team_id)
    if active is not None:
        query = query.where(reps.c.active == active)
    window = await keyset_window(session, query, [reps.c.id], (after,) if after else None, limit)
    return Listing([_rep(r._mapping) for r in window.rows], window.next_after[0] if window.next_after else None)


async def get_rep(session: AsyncSession, rep_id: str) -> Rep | None:
    row = (await session.execute(select(reps).where(reps.c.id == rep_id))).first()
    return _rep(row._mapping) if row else None


async def save_rep(session: AsyncSession, rep: Rep) -> int:
    """Insert or update; returns the rep's new version (its event sequence)."""
    version = ((await session.execute(select(reps.c.version).where(reps.c.id == rep.id))).scalar() or 0) + 1
    values = {"id": rep.id, "name": rep.name, "email": rep.email, "team_id": rep.team_id, "active": rep.active,
              "capacity": rep.capacity, "segments": list(rep.segments), "version": version}
    stmt = insert_for(session, reps).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
    return version


async def all_teams(session: AsyncSession) -> dict[str, Team]:
    rows = await session.execute(select(teams).order_by(teams.c.id))
    return {r.id: Team(r.id, r.name, r.manager_rep_id, r.parent_team_id) for r in rows}


async def team_page(session: AsyncSession, after: str | None, limit: int) -> Listing[Team]:
    window = await keyset_window(session, select(teams), [teams.c.id], (after,) if after else None, limit)
    return Listing([Team(r.id, r.name, r.manager_rep_id, r.parent_team_id) for r in window.rows],
                   window.next_after[0] if window.next_after else None)


async def save_team(session: AsyncSession, team: Team) -> int:
    version = ((await session.execute(select(teams.c.version).where(teams.c.id == team.id))).scalar() or 0) + 1
    values = {"id": team.id, "name": team.name, "manager_rep_id": team.manager_rep_id,
              "parent_team_id": team.parent_team_id, "version": version}
    stmt = insert_for(session, teams).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
    return version


async def all_territories(session: AsyncSession) -> dict[str, Territory]:
    rows = await session.execute(select(territories).order_by(territories.c.id))
    return {r.id: _territory(r._mapping) for r in rows}


async def get_territory(session: AsyncSession, territory_id: str, *, lock: bool = False) -> Territory:
    query = select(territories).where(territories.c.id == territory_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise NotFoundError(f"territory {territory_id} does not exist")
    return _territory(row._mapping)


async def save_territory(session: AsyncSession, territory: Territory) -> None:
    values = territory_json(territory)
    stmt = insert_for(session, territories).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
    await next_counter(session, revisions, "name", "territories", "revision")


async def remove_territory(session: AsyncSession, territory_id: str) -> None:
    await session.execute(delete(territories).where(territories.c.id == territory_id))
    await session.execute(delete(rotations).where(rotations.c.territory_id == territory_id))
    await next_counter(session, revisions, "name", "territories", "revision")


async def territories_revision(session: AsyncSession) -> int:
    """Moves with every territory change (in the same transaction), so a cached index can tell it is stale."""
    query = select(revisions.c.revision).where(revisions.c.name == "territories")
    return int((await session.execute(query)).scalar() or 0)


async def load_rotations(session: AsyncSession, territory_ids: list[str]) -> dict[str, Rotation]:
    """Counters of these territories, row-locked on PostgreSQL so two replicas take turns, not the same turn."""
    # In id order, so two transactions locking overlapping sets wait for each other instead of deadlocking.
    await session.execute(select(territories.c.id).where(territories.c.id.in_(territory_ids))
                          .order_by(territories.c.id).with_for_update())
    query = select(rotations).where(rotations.c.territory_id.in_(territory_ids))
    out: dict[str, Rotation] = {t: {} for t in territory_ids}
    for row in await session.execute(query):
        out[row.territory_id][row.rep_id] = row.counter
    return out


async def save_rotation(session: AsyncSession, territory_id: str, rotation: Rotation) -> None:
    await save_rotations(session, {territory_id: rotation})


async def save_rotations(session: AsyncSession, turns: Mapping[str, Rotation]) -> None:
    """Several territories' counters with one set statement."""
    rows = [{"territory_id": t, "rep_id": r, "counter": c} for t, rotation in turns.items()
            for r, c in rotation.items()]
    if not rows:
        return
    stmt = insert_for(session, rotations)
    stmt = stmt.on_conflict_do_update(index_elements=["territory_id", "rep_id"],
                                      set_={"counter": stmt.excluded.counter})
    await session.execute(stmt, rows)
