"""Annotated dependencies: the unit of work, who is calling, and which leads they may see."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.leads.db import org
from services.leads.db.repository import Visibility
from services.leads.domain.leads import Lead
from services.leads.domain.org import sees_lead
from shared.db.uow import UnitOfWork
from shared.http.auth import Principal, require_roles
from shared.http.problems import Problem


def _uow(request: Request) -> UnitOfWork:
    return request.app.state.runtime.uow()  # type: ignore[no-any-return]


Uow = Annotated[UnitOfWork, Depends(_uow)]
Reader = Annotated[Principal, Depends(require_roles("admin", "ops", "manager", "rep", "integration"))]
Seller = Annotated[Principal, Depends(require_roles("admin", "ops", "manager", "rep", "integration"))]
Capturer = Annotated[Principal, Depends(require_roles("admin", "ops", "manager", "integration"))]
Ops = Annotated[Principal, Depends(require_roles("admin", "ops"))]
Analyst = Annotated[Principal, Depends(require_roles("admin", "ops", "manager"))]


def visibility(who: Principal) -> Visibility | None:
    return None if who.sees_everything else Visibility(who.rep_id, who.team_ids)


async def ensure_visible(session: AsyncSession, lead: Lead, who: Principal) -> None:
    """A rep works only their own leads, a manager their teams'; others' leads do not exist for them."""
    if who.sees_everything:
        return
    if not sees_lead(lead.owner_id, rep_id=who.rep_id, team_ids=who.team_ids, reps=await org.all_reps(session)):
        raise Problem(404, f"lead {lead.id} does not exist")
