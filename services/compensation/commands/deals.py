"""The deal copy the ledger is derived from: deals won, un-won (reopened, lost after won) or changed after won.
A batch of deal events is folded per deal (domain.deals.fold_deal), the deals' facts saved in one statement,
and the deals re-credited together (commands.ledger, under its one lock, each touched rep-period once)."""
from __future__ import annotations

from collections.abc import Sequence

from services.compensation.commands import ledger
from services.compensation.commands.ledger import Cause
from services.compensation.db import deals_repo as repo
from services.compensation.domain.deals import DealEvent, fold_deal
from shared.db.uow import UnitOfWork, command

DealUpdate = tuple[str, DealEvent, Cause]  # the deal, what happened to it, and why


@command
async def apply_deal_events(uow: UnitOfWork, updates: Sequence[DealUpdate]) -> None:
    """Deal events in order: each deal's facts after all of them; every rep-period any of them touches is
    recalculated once. A deal not won that is reopened, lost or changed changes nothing."""
    async with uow:
        await ledger.lock(uow)  # the ledger's one lock, taken once for the batch, before the deals are read
        per_deal: dict[str, list[tuple[DealEvent, Cause]]] = {}
        for deal_id, event, cause in updates:
            per_deal.setdefault(deal_id, []).append((event, cause))
        known = await repo.deals_by_id(uow.session, per_deal)
        steps = [(deal_id, deal, cause) for deal_id in sorted(per_deal)
                 for deal, cause in fold_deal(known.get(deal_id), per_deal[deal_id])]
        if steps:
            await repo.save_deals(uow.session, {deal.deal_id: deal for _, deal, _ in steps}.values(),
                                  uow.clock.now())
            await ledger.credit_steps(uow, list(steps))
        await uow.commit()
