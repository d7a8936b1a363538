"""Disputes: raise an inquiry on a line, reply, resolve (ops). Each returns the inquiry as it now stands."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.compensation.db import inquiries_repo as repo
from services.compensation.db import ledger_repo
from services.compensation.db.inquiries_repo import Inquiry
from services.compensation.domain.inquiries import Resolution, resolve
from services.compensation.domain.periods import first_open, kind_of, period_of
from services.compensation.queries.access import ensure_sees_rep
from services.compensation.queries.inquiries import visible_inquiry
from shared.db.uow import UnitOfWork, command
from shared.errors import ConflictError, NotFoundError
from shared.http.auth import Principal


@dataclass(frozen=True)
class Resolve:
    inquiry_id: int
    resolution: Resolution
    amount: Decimal | None
    comment: str
    author: str


@command
async def raise_inquiry(uow: UnitOfWork, who: Principal, line_id: int, comment: str, author: str) -> Inquiry:
    """Open an inquiry on a line the caller may see (one open inquiry per line)."""
    async with uow:
        line = await repo.line(uow.session, line_id)
        if line is None:
            raise NotFoundError(f"no commission line {line_id}")
        await ensure_sees_rep(uow.session, who, line.rep_id)
        if await repo.open_on_line(uow.session, line_id) is not None:
            raise ConflictError(f"line {line_id} already has an open inquiry; reply to it instead")
        inquiry_id = await repo.create(uow.session, line_id, line.rep_id, uow.clock.now())
        await repo.add_message(uow.session, inquiry_id, author, comment, uow.clock.now())
        inquiry = await visible_inquiry(uow.session, who, inquiry_id)
        await uow.commit()
        return inquiry


@command
async def reply(uow: UnitOfWork, who: Principal, inquiry_id: int, comment: str, author: str) -> Inquiry:
    async with uow:
        await visible_inquiry(uow.session, who, inquiry_id)
        await repo.add_message(uow.session, inquiry_id, author, comment, uow.clock.now())
        inquiry = await visible_inquiry(uow.session, who, inquiry_id)
        await uow.commit()
        return inquiry


@command
async def resolve_inquiry(uow: UnitOfWork, who: Principal, cmd: Resolve) -> Inquiry:
    """Adjusted: a `dispute_adjustment` line for the line's rep and deal in the current open period."""
    async with uow:
        inquiry = await repo.get(uow.session, cmd.inquiry_id)
        if inquiry is None:
            raise NotFoundError(f"no inquiry {cmd.inquiry_id}")
        outcome = resolve(inquiry.status, cmd.resolution, cmd.amount, cmd.comment)
        adjustment_id = None
        if outcome.line is not None:
            line = await repo.line(uow.session, inquiry.line_id)
            assert line is not None
            period = first_open(period_of(uow.clock.now().date(), kind_of(line.period)),
                                await ledger_repo.closed_periods(uow.session))
            adjustment_id = await ledger_repo.add_line(uow.session, outcome.line, {
                "rep_id": line.rep_id, "deal_id": line.deal_id, "period": period, "currency": line.currency,
                "plan_id": line.plan_id, "plan_version": line.plan_version,
                "source_event_id": f"inquiry:{cmd.inquiry_id}", "created_at": uow.clock.now()})
        await repo.add_message(uow.session, cmd.inquiry_id, cmd.author, cmd.comment, uow.clock.now())
        await repo.close(uow.session, cmd.inquiry_id, outcome.status, adjustment_id, uow.clock.now())
        answer = await visible_inquiry(uow.session, who, cmd.inquiry_id)
        await uow.commit()
        return answer
