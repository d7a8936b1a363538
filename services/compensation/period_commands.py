"""Commands from the API: exchange rates, draws and closing a period (which settles the draws, then locks it)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.compensation import ledger_commands as ledger
from services.compensation.db import ledger_repo, statements_repo
from services.compensation.domain.draws import DrawKind, settle_draw
from services.compensation.domain.periods import kind_of
from shared.db.uow import UnitOfWork
from shared.errors import ConflictError


@dataclass(frozen=True)
class SetRate:
    base: str
    quote: str
    effective_on: date
    rate: Decimal


@dataclass(frozen=True)
class SetDraw:
    rep_id: str
    kind: DrawKind
    amount: Decimal
    currency: str


async def set_rate(cmd: SetRate, uow: UnitOfWork) -> int:
    """Record a rate; commission waiting for it is calculated now. Returns how many credits got paid."""
    await ledger_repo.put_rate(uow.session, cmd.base, cmd.quote, cmd.effective_on, cmd.rate, uow.clock.now())
    paid = await ledger.pay_waiting(uow)
    await uow.commit()
    return paid


async def set_draw(cmd: SetDraw, uow: UnitOfWork) -> Decimal:
    balance = await statements_repo.put_draw(uow.session, cmd.rep_id, cmd.kind, cmd.amount, cmd.currency,
                                             uow.clock.now())
    await uow.commit()
    return balance


async def close_period(period: str, uow: UnitOfWork) -> int:
    """Settle every draw for the period, then lock it: later changes land in the next open period."""
    kind_of(period)
    if period in await ledger_repo.closed_periods(uow.session):
        raise ConflictError(f"period {period} is already closed")
    written = 0
    for draw in await statements_repo.all_draws(uow.session):
        earned = await statements_repo.earned(uow.session, draw["rep_id"], period)
        settled = settle_draw(draw["kind"], draw["amount"], draw["balance"], earned)
        await ledger_repo.add_lines(uow.session, settled.lines, {
            "rep_id": draw["rep_id"], "deal_id": None, "period": period, "currency": draw["currency"],
            "source_event_id": f"close:{period}", "created_at": uow.clock.now()})
        await statements_repo.set_draw_balance(uow.session, draw["rep_id"], settled.balance, uow.clock.now())
        written += len(settled.lines)
    await statements_repo.lock(uow.session, period, uow.clock.now())
    await uow.commit()
    return written
