"""Keeping territory's copies of leads, deals and quotas from other services' events (domain.books decides):
a batch of events at once (the lead book with routing: commands.routing.keep_leads)."""
from __future__ import annotations

from collections.abc import Sequence

from services.territory.db import books
from services.territory.domain.book_changes import DealChange, QuotaChange, fold_deals, fold_quotas, lead_needed
from shared.db.uow import UnitOfWork, command


@command
async def keep_deals(uow: UnitOfWork, changes: Sequence[DealChange | QuotaChange]) -> None:
    """A batch of deal events and quotas at once (separate rows: each kept in its own order). The deals' rows
    read in one query (and the leads new deals count under in another), folded in order in the domain, written
    with one set statement; the last quota stated per rep and period, written with another."""
    deals = [c for c in changes if not isinstance(c, QuotaChange)]
    quotas = [c for c in changes if isinstance(c, QuotaChange)]
    async with uow:
        if deals:
            known = await books.booked_deals(uow.session, {c.deal_id for c in deals})
            leads = await books.lead_territories(uow.session, {lead for c in deals if (lead := lead_needed(c))})
            await books.save_deals(uow.session, fold_deals(known, deals, leads).values())
        await books.save_quotas(uow.session, [(q.rep_id, q.period, q.amount, q.currency)
                                              for q in fold_quotas(quotas).values()])
        await uow.commit()
