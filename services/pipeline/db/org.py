"""The local copy of reps and teams (from territory's events): a rep's team and each team's parent."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.pipeline.db.models import reps, teams
from services.pipeline.domain.org import RepCopy, TeamCopy
from shared.db.upsert import insert_for


async def save_reps(session: AsyncSession, copies: Iterable[RepCopy]) -> None:
    """Upsert these reps (one row each) with one set statement."""
    rows = [{"rep_id": c.rep_id, "name": c.name, "team_id": c.team_id, "active": int(c.active)} for c in copies]
    if rows:
        stmt = insert_for(session, reps)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["rep_id"], set_={c: stmt.excluded[c] for c in ("name", "team_id", "active")}), rows)


async def save_teams(session: AsyncSession, copies: Iterable[TeamCopy]) -> None:
    """Upsert these teams (one row each) with one set statement."""
    rows = [{"team_id": c.team_id, "name": c.name, "manager_rep_id": c.manager_rep_id,
             "parent_team_id": c.parent_team_id} for c in copies]
    if rows:
        stmt = insert_for(session, teams)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["team_id"], set_={c: stmt.excluded[c] for c in ("name", "manager_rep_id",
                                                                             "parent_team_id")}), rows)


async def team_of(session: AsyncSession, rep_id: str) -> str | None:
    return (await session.execute(select(reps.c.team_id).where(reps.c.rep_id == rep_id))).scalar_one_or_none()


async def parent_links(session: AsyncSession) -> dict[str, str | None]:
    """Each known team's parent (from team.upserted): what shared.visibility walks to find sub-teams."""
    rows = await session.execute(select(teams.c.team_id, teams.c.parent_team_id))
    return {r.team_id: r.parent_team_id for r in rows}
