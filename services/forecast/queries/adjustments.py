"""The history behind an adjusted number: every adjustment of a period the caller may see, oldest first."""
from __future__ import annotations

from services.forecast.db import adjustments, org
from services.forecast.db.adjustments import Adjustment
from services.forecast.domain.access import visible_groups
from shared.db.uow import UnitOfWork
from shared.http.auth import Principal
from shared.visibility import scope_of


async def adjustment_history(uow: UnitOfWork, who: Principal, period: str, group_by: str | None, group: str | None,
                             after: int | None, limit: int) -> tuple[list[Adjustment], int | None]:
    """A page of the adjustments (and the key to continue after, when more follow)."""
    async with uow:
        found = await org.organisation(uow.session)
        scope, manager = scope_of(who, found.team_parent), who.has_any("manager")
        kinds = await adjustments.kinds_in(uow.session, period, group_by, group)
        visible = {kind: visible_groups(scope, manager, kind, found) for kind in sorted(kinds)}
        return await adjustments.page(uow.session, period, group_by, group, visible, after, limit)
