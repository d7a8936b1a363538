"""The local copy of reps and teams (from territory's events): enough to know who a manager sees."""
from __future__ import annotations

from services.compensation.db import org
from shared.db.uow import UnitOfWork, command


@command
async def remember_rep(uow: UnitOfWork, rep_id: str, name: str, team_id: str | None, active: bool) -> None:
    async with uow:
        await org.upsert_rep(uow.session, rep_id, name, team_id, active)
        await uow.commit()


@command
async def remember_team(uow: UnitOfWork, team_id: str, name: str, manager_rep_id: str | None,
                        parent_team_id: str | None) -> None:
    async with uow:
        await org.upsert_team(uow.session, team_id, name, manager_rep_id, parent_team_id)
        await uow.commit()
