"""Who may see and change which deals: admin, ops and integration all; a manager their teams' (and sub-teams');
a rep their own."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pipeline.db import org
from services.pipeline.db.repository import Visibility
from services.pipeline.domain.deals import Deal
from shared.errors import ForbiddenError, NotFoundError
from shared.http.auth import Principal


async def visibility(session: AsyncSession, who: Principal) -> Visibility | None:
    if who.sees_everything:
        return None
    led = who.team_ids if who.has_any("manager") else frozenset()
    return Visibility(who.rep_id, await org.with_sub_teams(session, led) if led else frozenset())


async def may_act_for(session: AsyncSession, who: Principal, owner_id: str, team_id: str | None = None) -> bool:
    scope = await visibility(session, who)
    if scope is None or (scope.rep_id and owner_id == scope.rep_id):
        return True
    if not scope.team_ids:
        return False
    return team_id in scope.team_ids or await org.team_of(session, owner_id) in scope.team_ids


async def ensure_sees(session: AsyncSession, who: Principal, deal: Deal) -> None:
    """A deal the caller may not see answers as if it did not exist."""
    if not await may_act_for(session, who, deal.owner_id, deal.team_id):
        raise NotFoundError(f"deal {deal.id} does not exist")


async def ensure_owns(session: AsyncSession, who: Principal, owner_id: str) -> None:
    if not await may_act_for(session, who, owner_id):
        raise ForbiddenError("a rep works on their own deals, a manager on their team's")
