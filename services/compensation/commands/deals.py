"""The deal copy the ledger is derived from: a deal won, un-won (reopened, lost after won) or changed after won.
Each saves the deal's facts and re-credits it (commands.ledger, under its one lock)."""
from __future__ import annotations

from services.compensation.commands import ledger
from services.compensation.commands.ledger import Cause
from services.compensation.db import deals_repo as repo
from services.compensation.domain.deals import DealChange, DealFacts, Status, apply_change
from shared.db.uow import UnitOfWork, command


@command
async def win_deal(uow: UnitOfWork, deal: repo.Deal, cause: Cause) -> None:
    """A deal closed won: its facts as closed; every rep-period it touches is recalculated."""
    async with uow:
        await repo.save_deal(uow.session, deal, uow.clock.now())
        await ledger.credit_deals(uow, [deal.deal_id], cause)
        await uow.commit()


@command
async def unwin_deal(uow: UnitOfWork, deal_id: str, status: Status, cause: Cause) -> None:
    """A won deal reopened or lost: its credits are clawed back. A deal not won changes nothing."""
    async with uow:
        known = await repo.deal(uow.session, deal_id)
        if known is None or known.facts.status != "won":
            return
        facts = DealFacts(status, known.facts.amount, known.facts.currency, known.facts.splits)
        await repo.save_deal(uow.session, repo.Deal(deal_id, facts, known.owner_id, known.closed_at,
                                                    known.products, known.new_logo), uow.clock.now())
        await ledger.credit_deals(uow, [deal_id], cause)
        await uow.commit()


@command
async def change_deal(uow: UnitOfWork, deal_id: str, change: DealChange, cause: Cause) -> None:
    """A won deal's amount, currency, splits or owner changed: its rep-periods are recalculated."""
    async with uow:
        known = await repo.deal(uow.session, deal_id)
        if known is None or known.facts.status != "won":
            return
        facts, owner = apply_change(known.facts, known.owner_id, change)
        if (facts, owner) == (known.facts, known.owner_id):
            return
        deal = repo.Deal(deal_id, facts, owner, known.closed_at, known.products, known.new_logo)
        await repo.save_deal(uow.session, deal, uow.clock.now())
        await ledger.credit_deals(uow, [deal_id], cause)
        await uow.commit()
