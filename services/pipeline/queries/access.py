"""Who may see and change which deals, by the one rule (shared/visibility.py) over pipeline's copy of the
organisation: admin, ops and integration all; a manager their teams' and sub-teams'; a rep their own."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pipeline.db import org
from services.pipeline.domain.deals import Deal
from shared.errors import ForbiddenError, NotFoundError
from shared.http.auth import Principal
from shared.visibility import EVERYTHING, Scope, scope_of


async def scope_for(session: AsyncSession, who: Principal) -> Scope:
    if who.sees_everything:
        return EVERYTHING
    return scope_of(who, await org.parent_links(session))


async def may_act_for(session: AsyncSession, who: Principal, owner_id: str, team_id: str | None = None) -> bool:
    scope = await scope_for(session, who)
    return scope.admits(owner_id, team_id) or scope.admits_team(await org.team_of(session, owner_id))


async def ensure_sees(session: AsyncSession, who: Principal, deal: Deal) -> None:
    """A deal the caller may not see answers as if it did not exist."""
    if not await may_act_for(session, who, deal.owner_id, deal.team_id):
        raise NotFoundError(f"deal {deal.id} does not exist")


async def ensure_owns(session: AsyncSession, who: Principal, owner_id: str) -> None:
    if not await may_act_for(session, who, owner_id):
        raise ForbiddenError("a rep works on their own deals, a manager on their team's")
