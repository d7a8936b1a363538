"""Leads' local copy of territory's organisation: reps and teams (with their parent links), which decide whose
leads a manager sees and whom a breach escalates to."""
from __future__ import annotations

from collections.abc import Sequence

from services.leads.db import org
from services.leads.domain.org import RepCopy, TeamCopy, latest
from shared.db.uow import UnitOfWork, command


@command
async def keep_organisation(uow: UnitOfWork, copies: Sequence[RepCopy | TeamCopy]) -> None:
    """A run of rep and team upserts at once: the last copy of each, one set statement per table."""
    async with uow:
        reps, teams = latest(copies)
        await org.save_reps(uow.session, reps.values())
        await org.save_teams(uow.session, teams.values())
        await uow.commit()
