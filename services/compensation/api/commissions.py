"""/v1/commissions: ledger lines with filters and cursor pagination; the commission that is waiting."""
from __future__ import annotations

from fastapi import APIRouter

from services.compensation.api.access import ensure_sees_rep, visible_reps
from services.compensation.api.deps import Reader, Uow
from services.compensation.api.paging import page_of
from services.compensation.api.schemas import LineOut, PendingOut
from services.compensation.db import ledger_repo, statements_repo
from services.compensation.domain.periods import kind_of
from shared.http.pagination import Cursor, Limit, Page, after_number, encode_cursor

router = APIRouter(prefix="/commissions", tags=["commissions"])


@router.get("", response_model=Page[LineOut])
async def list_commissions(uow: Uow, who: Reader, rep_id: str | None = None, period: str | None = None,
                           deal_id: str | None = None, component: str | None = None, kind: str | None = None,
                           limit: Limit = 100, cursor: Cursor = None) -> Page[LineOut]:
    if period is not None:
        kind_of(period)
    after = after_number(cursor)
    async with uow:
        if rep_id is not None:
            await ensure_sees_rep(uow.session, who, rep_id)
        rep_ids = [rep_id] if rep_id else await visible_reps(uow.session, who)
        wanted = statements_repo.LineFilter(rep_ids, period, deal_id, component, kind)
        rows = await statements_repo.lines(uow.session, wanted, after, limit + 1)
    more = len(rows) > limit
    items = [LineOut.model_validate(r) for r in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor({"after": items[-1].id}) if more else None)


@router.get("/pending", response_model=Page[PendingOut])
async def list_pending(uow: Uow, who: Reader, rep_id: str | None = None, limit: Limit = 50,
                       cursor: Cursor = None) -> Page[PendingOut]:
    """Commission that waits, visibly, for a plan, a quota or an exchange rate."""
    async with uow:
        if rep_id is not None:
            await ensure_sees_rep(uow.session, who, rep_id)
        seen = await visible_reps(uow.session, who)
        rows = await ledger_repo.pending(uow.session, rep_id)
    return page_of([PendingOut(deal_id=r["deal_id"], rep_id=r["rep_id"], reason=r["reason"], since=r["updated_at"])
                    for r in rows if seen is None or r["rep_id"] in seen], limit, cursor)
