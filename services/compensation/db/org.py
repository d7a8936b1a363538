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


async def parent_links(session: AsyncSession) -> dict[str, str | None]:
    """Each team's parent (None at the top), for the one visibility rule (shared.visibility)."""
    return {r.team_id: r.parent_team_id for r in await session.execute(select(teams.c.team_id, teams.c.parent_team_id))}


async def members(session: AsyncSession, team_ids: frozenset[str]) -> list[str]:
    """Reps of exactly these teams (a scope already holds the teams below the ones led), by id."""
    if not team_ids:
        return []
    stmt = select(reps.c.rep_id).where(reps.c.team_id.in_(sorted(team_ids))).order_by(reps.c.rep_id)
    return list((await session.execute(stmt)).scalars())
