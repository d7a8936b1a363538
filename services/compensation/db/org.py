"""The local copy of reps and teams (from territory's events): enough to know who a manager sees."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db.models import reps, teams
from shared.db.upsert import insert_for


async def upsert_rep(session: AsyncSession, rep_id: str, name: str, team_id: str | None, active: bool) -> None:
    values = {"rep_id": rep_id, "name": name, "team_id": team_id, "active": int(active)}
    stmt = insert_for(session, reps).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["rep_id"], set_=values))


async def upsert_team(session: AsyncSession, team_id: str, name: str, manager_rep_id: str | None,
                      parent_team_id: str | None) -> None:
    values = {"team_id": team_id, "name": name, "manager_rep_id": manager_rep_id, "parent_team_id": parent_team_id}
    stmt = insert_for(session, teams).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["team_id"], set_=values))


async def team_of(session: AsyncSession, rep_id: str) -> str | None:
    return (await session.execute(select(reps.c.team_id).where(reps.c.rep_id == rep_id))).scalar_one_or_none()


async def members(session: AsyncSession, team_ids: frozenset[str]) -> list[str]:
    """Reps of these teams and of the teams below them."""
    found, frontier = set(team_ids), set(team_ids)
    while frontier:
        stmt = select(teams.c.team_id).where(teams.c.parent_team_id.in_(frontier))
        frontier = set((await session.execute(stmt)).scalars()) - found
        found |= frontier
    stmt = select(reps.c.rep_id).where(reps.c.team_id.in_(found)).order_by(reps.c.rep_id)
    return list((await session.execute(stmt)).scalars())
