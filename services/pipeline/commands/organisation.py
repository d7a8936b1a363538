"""Pipeline's copy of territory's organisation: reps (for a deal's team) and teams (parents, for visibility)."""
from __future__ import annotations

from collections.abc import Sequence

from services.pipeline.db import org
from services.pipeline.domain.org import RepCopy, TeamCopy, latest
from shared.db.uow import UnitOfWork, command


@command
async def keep_organisation(uow: UnitOfWork, copies: Sequence[RepCopy | TeamCopy]) -> None:
    """A run of rep and team upserts at once: the last copy of each, one set statement per table."""
    async with uow:
        reps, teams = latest(copies)
        await org.save_reps(uow.session, reps.values())
        await org.save_teams(uow.session, teams.values())
        await uow.commit()
