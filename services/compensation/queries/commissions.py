"""Ledger lines the caller may see, and the commission that waits."""
from __future__ import annotations

from services.compensation.db import ledger_repo, statements_repo
from services.compensation.db.ledger_repo import PendingCredit
from services.compensation.db.statements_repo import LineFilter, LineRow
from services.compensation.domain.periods import kind_of
from services.compensation.queries.access import ensure_sees_rep, visible_reps
from shared.db.paging import Window
from shared.db.uow import UnitOfWork
from shared.http.auth import Principal


async def lines(uow: UnitOfWork, who: Principal, rep_id: str | None, wanted: LineFilter, after: int | None,
                limit: int) -> Window[LineRow]:
    """A page of the lines wanted (`rep_id`'s, else every rep's the caller sees), in the order written."""
    if wanted.period is not None:
        kind_of(wanted.period)
    async with uow:
        if rep_id is not None:
            await ensure_sees_rep(uow.session, who, rep_id)
        rep_ids = [rep_id] if rep_id else await visible_reps(uow.session, who)
        wanted = LineFilter(rep_ids, wanted.period, wanted.deal_id, wanted.component, wanted.kind)
        return await statements_repo.lines(uow.session, wanted, after, limit)


async def pending(uow: UnitOfWork, who: Principal, rep_id: str | None, after: tuple[str, str] | None,
                  limit: int) -> Window[PendingCredit]:
    """A page of the credits that wait, visibly, for a plan, a quota or an exchange rate, by deal and rep."""
    async with uow:
        if rep_id is not None:
            await ensure_sees_rep(uow.session, who, rep_id)
            return await ledger_repo.pending(uow.session, [rep_id], after, limit)
        return await ledger_repo.pending(uow.session, await visible_reps(uow.session, who), after, limit)
