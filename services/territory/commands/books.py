"""Keeping territory's copies of leads, deals and quotas from other services' events (domain.books decides):
a batch of events at once (the lead book with routing: commands.routing.keep_leads)."""
from __future__ import annotations

from collections.abc import Sequence

from services.territory.db import books
from services.territory.domain.book_changes import DealChange, QuotaChange, fold_deals, fold_quotas, lead_needed
from shared.db.uow import UnitOfWork, command


@command
async def keep_deals(uow: UnitOfWork, changes: Sequence[DealChange]) -> None:
    """A batch of deal events at once: the deals' rows read in one query (and the leads new deals count under in
    another), folded in order in the domain, written with one set statement."""
    async with uow:
        known = await books.booked_deals(uow.session, {c.deal_id for c in changes})
        leads = await books.lead_territories(uow.session, {lead for c in changes if (lead := lead_needed(c))})
        await books.save_deals(uow.session, fold_deals(known, changes, leads).values())
        await uow.commit()


@command
async def keep_quotas(uow: UnitOfWork, changes: Sequence[QuotaChange]) -> None:
    """A batch of quotas at once: the last stated per rep and period, written with one set statement."""
    async with uow:
        await books.save_quotas(uow.session, [(q.rep_id, q.period, q.amount, q.currency)
                                              for q in fold_quotas(changes).values()])
        await uow.commit()
