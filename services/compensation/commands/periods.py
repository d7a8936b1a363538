"""Exchange rates, draws and closing a period (which settles the draws, then locks it)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.compensation.commands import ledger
from services.compensation.db import ledger_repo, rates_repo, statements_repo
from services.compensation.db.statements_repo import ClosedPeriod
from services.compensation.domain.draws import DrawKind, settle_draw
from services.compensation.domain.periods import kind_of
from shared.db.uow import UnitOfWork, command
from shared.errors import ConflictError, InvalidInput


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


@dataclass(frozen=True)
class PeriodClosed:
    period: ClosedPeriod
    draw_lines: int


@command
async def set_rate(uow: UnitOfWork, cmd: SetRate) -> None:
    """Record (or correct) a rate; deals in that currency are recalculated, and what waited for it is paid."""
    if cmd.base == cmd.quote:
        raise InvalidInput("quote", "a rate converts between two different currencies")
    async with uow:
        await rates_repo.put_rate(uow.session, cmd.base, cmd.quote, cmd.effective_on, cmd.rate, uow.clock.now())
        cause = ledger.Cause(f"exchange rate {cmd.base}->{cmd.quote} from {cmd.effective_on} set to {cmd.rate}",
                             f"rate:{cmd.base}:{cmd.quote}:{cmd.effective_on}")
        await ledger.credit_changed_terms(uow, cause, currency=cmd.base)
        await uow.commit()


@command
async def set_draw(uow: UnitOfWork, cmd: SetDraw) -> Decimal:
    """Set the rep's draw; returns the balance still to recover."""
    async with uow:
        balance = await statements_repo.put_draw(uow.session, cmd.rep_id, cmd.kind, cmd.amount, cmd.currency,
                                                 uow.clock.now())
        await uow.commit()
        return balance


@command
async def close_period(uow: UnitOfWork, period: str) -> PeriodClosed:
    """Settle every draw for the period, then lock it: later changes land in the next open period."""
    kind_of(period)
    async with uow:
        if period in await ledger_repo.closed_periods(uow.session):
            raise ConflictError(f"period {period} is already closed")
        written = 0
        for draw in await statements_repo.all_draws(uow.session):
            earned = await statements_repo.earned(uow.session, draw.rep_id, period)
            settled = settle_draw(draw.kind, draw.amount, draw.balance, earned)
            await ledger_repo.add_lines(uow.session, settled.lines, {
                "rep_id": draw.rep_id, "deal_id": None, "period": period, "currency": draw.currency,
                "source_event_id": f"close:{period}", "created_at": uow.clock.now()})
            await statements_repo.set_draw_balance(uow.session, draw.rep_id, settled.balance, uow.clock.now())
            written += len(settled.lines)
        await statements_repo.lock(uow.session, period, uow.clock.now())
        await uow.commit()
        return PeriodClosed(ClosedPeriod(period, uow.clock.now()), written)
