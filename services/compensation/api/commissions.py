"""/v1/commissions: ledger lines with filters and cursor pagination; the commission that is waiting."""
from __future__ import annotations

from fastapi import APIRouter

from services.compensation.api.cursors import AfterCredit
from services.compensation.api.schemas import LineOut, PendingOut
from services.compensation.db.statements_repo import LineFilter
from services.compensation.queries import commissions
from shared.http.deps import Reader, Uow
from shared.http.pagination import Cursor, Limit, Page, after_number, decode_cursor, encode_cursor

router = APIRouter(prefix="/commissions", tags=["commissions"])


@router.get("", response_model=Page[LineOut])
async def list_commissions(uow: Uow, who: Reader, rep_id: str | None = None, period: str | None = None,
                           deal_id: str | None = None, component: str | None = None, kind: str | None = None,
                           limit: Limit = 100, cursor: Cursor = None) -> Page[LineOut]:
    wanted = LineFilter(None, period, deal_id, component, kind)
    found = await commissions.lines(uow, who, rep_id, wanted, after_number(cursor), limit)
    return Page(items=[LineOut.model_validate(r, from_attributes=True) for r in found.rows],
                next_cursor=encode_cursor({"after": found.next_after[0]}) if found.next_after else None)


@router.get("/pending", response_model=Page[PendingOut])
async def list_pending(uow: Uow, who: Reader, rep_id: str | None = None, limit: Limit = 50,
                       cursor: Cursor = None) -> Page[PendingOut]:
    """Commission that waits, visibly, for a plan, a quota or an exchange rate."""
    position = decode_cursor(cursor, AfterCredit)
    found = await commissions.pending(uow, who, rep_id, (position.deal_id, position.rep_id) if position else None,
                                      limit)
    following = found.next_after
    return Page(items=[PendingOut(deal_id=r.deal_id, rep_id=r.rep_id, reason=r.reason, since=r.since)
                       for r in found.rows],
                next_cursor=encode_cursor(AfterCredit(deal_id=following[0], rep_id=following[1]))
                if following else None)
