"""Commands from the API for disputes: raise an inquiry on a line, reply, resolve (ops). Each commits."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.compensation.db import inquiries_repo as repo
from services.compensation.db import ledger_repo
from services.compensation.domain.inquiries import Resolution, resolve
from services.compensation.domain.periods import first_open, kind_of, period_of
from shared.db.uow import UnitOfWork
from shared.errors import ConflictError, NotFoundError


@dataclass(frozen=True)
class Resolve:
    inquiry_id: int
    resolution: Resolution
    amount: Decimal | None
    comment: str
    author: str


async def raise_inquiry(line: dict[str, object], comment: str, author: str, uow: UnitOfWork) -> int:
    line_id = int(line["id"])  # type: ignore[call-overload]
    if await repo.open_on_line(uow.session, line_id) is not None:
        raise ConflictError(f"line {line_id} already has an open inquiry; reply to it instead")
    inquiry_id = await repo.create(uow.session, line_id, str(line["rep_id"]), uow.clock.now())
    await repo.add_message(uow.session, inquiry_id, author, comment, uow.clock.now())
    await uow.commit()
    return inquiry_id


async def reply(inquiry_id: int, comment: str, author: str, uow: UnitOfWork) -> None:
    await repo.add_message(uow.session, inquiry_id, author, comment, uow.clock.now())
    await uow.commit()


async def resolve_inquiry(cmd: Resolve, uow: UnitOfWork) -> None:
    """Adjusted: a `dispute_adjustment` line for the line's rep and deal in the current open period."""
    inquiry = await repo.get(uow.session, cmd.inquiry_id)
    if inquiry is None:
        raise NotFoundError(f"no inquiry {cmd.inquiry_id}")
    outcome = resolve(inquiry["status"], cmd.resolution, cmd.amount, cmd.comment)
    adjustment_id = None
    if outcome.line is not None:
        line = await repo.line(uow.session, inquiry["line_id"])
        assert line is not None
        period = first_open(period_of(uow.clock.now().date(), kind_of(line["period"])),
                            await ledger_repo.closed_periods(uow.session))
        adjustment_id = await ledger_repo.add_line(uow.session, outcome.line, {
            "rep_id": line["rep_id"], "deal_id": line["deal_id"], "period": period, "currency": line["currency"],
            "plan_id": line["plan_id"], "plan_version": line["plan_version"],
            "source_event_id": f"inquiry:{cmd.inquiry_id}", "created_at": uow.clock.now()})
    await repo.add_message(uow.session, cmd.inquiry_id, cmd.author, cmd.comment, uow.clock.now())
    await repo.close(uow.session, cmd.inquiry_id, outcome.status, adjustment_id, uow.clock.now())
    await uow.commit()
