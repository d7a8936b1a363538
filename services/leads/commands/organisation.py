"""Leads' local copy of territory's organisation: reps and teams (with their parent links), which decide whose
leads a manager sees and whom a breach escalates to."""
from __future__ import annotations

from services.leads.db import org
from services.leads.domain.org import Rep
from shared.db.uow import UnitOfWork, command


@command
async def record_rep(uow: UnitOfWork, rep: Rep, name: str) -> None:
    async with uow:
        await org.save_rep(uow.session, rep, name)
        await uow.commit()


@command
async def record_team(uow: UnitOfWork, team_id: str, manager_rep_id: str | None, parent_team_id: str | None) -> None:
    async with uow:
        await org.save_team(uow.session, team_id, manager_rep_id, parent_team_id)
        await uow.commit()
