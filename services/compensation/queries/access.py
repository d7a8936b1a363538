"""Who sees whose commission, under the one rule (shared.visibility): a rep their own, a manager the reps of the
teams they lead and of every team below them (and their own), ops, admin and integration everyone."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db import org
from shared.errors import ForbiddenError
from shared.http.auth import Principal
from shared.visibility import EVERYTHING, Scope, scope_of


async def scope_for(session: AsyncSession, who: Principal) -> Scope:
    if who.sees_everything:
        return EVERYTHING
    return scope_of(who, await org.parent_links(session))


async def visible_reps(session: AsyncSession, who: Principal) -> list[str] | None:
    """The reps the caller may see, by id; None means everyone."""
    scope = await scope_for(session, who)
    if scope.everything:
        return None
    seen = set(await org.members(session, scope.team_ids))
    if scope.rep_id:
        seen.add(scope.rep_id)
    return sorted(seen)


async def ensure_sees_rep(session: AsyncSession, who: Principal, rep_id: str) -> None:
    scope = await scope_for(session, who)
    if not scope.admits(rep_id, await org.team_of(session, rep_id) if not scope.everything else None):
        raise ForbiddenError(f"you may not see {rep_id}'s commission")


async def ensure_sees_team(session: AsyncSession, who: Principal, team_id: str) -> None:
    if not (await scope_for(session, who)).admits_team(team_id):
        raise ForbiddenError(f"you do not manage team {team_id}")
