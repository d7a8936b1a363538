"""Who sees whose commission: a rep their own, a manager their teams' reps (and their own), ops and admin all."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db import org
from shared.errors import ForbiddenError
from shared.http.auth import Principal


async def visible_reps(session: AsyncSession, who: Principal) -> list[str] | None:
    """None means everyone."""
    if who.sees_everything:
        return None
    seen = set(await org.members(session, who.team_ids)) if who.has_any("manager") else set()
    if who.rep_id:
        seen.add(who.rep_id)
    return sorted(seen)


async def ensure_sees_rep(session: AsyncSession, who: Principal, rep_id: str) -> None:
    seen = await visible_reps(session, who)
    if seen is not None and rep_id not in seen:
        raise ForbiddenError(f"you may not see {rep_id}'s commission")


def ensure_sees_team(who: Principal, team_id: str) -> None:
    if not who.sees_everything and team_id not in who.team_ids:
        raise ForbiddenError(f"you do not manage team {team_id}")
