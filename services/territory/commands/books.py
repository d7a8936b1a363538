"""Keeping territory's copies of leads, deals and quotas from other services' events (domain.books decides), a
batch of events at once."""
from __future__ import annotations

from collections.abc import Sequence

from services.territory.commands.routing import RoutingRun
from services.territory.db import books
from services.territory.db import repository as repo
from services.territory.db.indexes import TerritoryIndexes
from services.territory.domain.book_changes import (
    Assignment,
    BookChange,
    DealBook,
    LeadBook,
    NewLead,
    QuotaChange,
    StatusChange,
    fold_quotas,
    lead_needed,
    leads_to_route,
)
from services.territory.domain.routing import Routing
from shared.db.uow import UnitOfWork, command


@command
async def keep_books(uow: UnitOfWork, changes: Sequence[BookChange], indexes: TerritoryIndexes | None) -> list[Routing]:
    """A batch of lead, deal and quota events at once, in order: each new lead routed (once per lead) and
    announced as lead.routed, assignments, status changes and deal changes kept (domain.books' rules), the last
    quota per rep and period. The territories, reps, the turns of every territory a new lead may go to (locked,
    before any lead row is written) and the open-lead loads are read once; each routing sees the turns and loads
    the changes before it left, and each new deal the lead book as it stands, as one event at a time would. The
    rows are read in one query per table and written with one set statement per table."""
    async with uow:
        session = uow.session
        leads = [c for c in changes if isinstance(c, (NewLead, Assignment, StatusChange))]
        deals = [c for c in changes if not isinstance(c, (NewLead, Assignment, StatusChange, QuotaChange))]
        new = [c for c in leads if isinstance(c, NewLead)]
        run = await RoutingRun.start(uow, new, indexes) if new else None
        known = await books.booked_leads(session, {c.lead_id for c in leads} | {
            lead for c in deals if (lead := lead_needed(c))})
        # the loads of the reps the run's leads may go to (only they are weighed)
        book = LeadBook(known, await books.open_leads_per_rep(session, run.members) if run else None)
        # lead.routed's sequences for all the leads the run routes, taken at once
        sequences = await uow.next_sequences("coxswain.lead.routed.v1", leads_to_route(known, leads))
        deal_book = DealBook(await books.booked_deals(session, {c.deal_id for c in deals}))
        routings = []
        for change in changes:
            if isinstance(change, NewLead):
                if run is not None and book.get(change.lead_id) is None:
                    routings.append(await run.route(uow, book, change, sequences[change.lead_id]))
            elif isinstance(change, (Assignment, StatusChange)):
                book.apply(change)
            elif not isinstance(change, QuotaChange):
                deal_book.apply(change, book.territory_of)
        if run is not None:
            await repo.save_rotations(session, {t: run.rotations[t] for t in sorted(run.moved)})
        await books.save_leads(session, book.written.values())
        await books.save_deals(session, deal_book.written.values())
        await books.save_quotas(session, [(q.rep_id, q.period, q.amount, q.currency) for q in fold_quotas(
            c for c in changes if isinstance(c, QuotaChange)).values()])
        await uow.commit()
        return routings
