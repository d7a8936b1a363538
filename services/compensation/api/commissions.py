"""/v1/commissions: ledger lines by rep and period."""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from services.compensation.api.deps import Reader, Uow
from services.compensation.db.models import commission_lines
from shared.events.types import Money
from shared.http.problems import Problem

router = APIRouter(prefix="/commissions", tags=["commissions"])


class LineOut(BaseModel):
    id: int
    rep_id: str
    deal_id: str
    period: str
    component: str
    base: Money
    rate: Money
    amount: Money
    currency: str
    created_at: datetime


class LinesOut(BaseModel):
    items: list[LineOut]
    next_cursor: str | None = None


@router.get("", response_model=LinesOut)
async def list_commissions(uow: Uow, who: Reader, rep_id: str | None = None, period: str | None = None) -> LinesOut:
    if who.roles == {"rep"}:
        if rep_id not in (None, who.rep_id):
            raise Problem(403, "a rep sees only their own commissions")
        rep_id = who.rep_id
    stmt = select(commission_lines).order_by(commission_lines.c.id)
    if rep_id:
        stmt = stmt.where(commission_lines.c.rep_id == rep_id)
    if period:
        stmt = stmt.where(commission_lines.c.period == period)
    async with uow:
        rows = (await uow.session.execute(stmt)).all()
    return LinesOut(items=[LineOut.model_validate(r._mapping) for r in rows])
