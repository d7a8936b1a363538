"""Keeping territory's copies of leads, deals and quotas from other services' events (domain.books decides)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from services.territory.db import books
from services.territory.domain import books as book
from services.territory.domain.books import BookedDeal, BookedLead
from shared.crediting import Splits, splits_of
from shared.db.uow import UnitOfWork, command


@command
async def record_assignment(uow: UnitOfWork, lead_id: str, rep_id: str | None, territory_id: str | None,
                            at: datetime) -> None:
    async with uow:
        lead = await books.booked_lead(uow.session, lead_id) or BookedLead(lead_id, {})
        moved = book.assigned(lead, rep_id, territory_id, at)
        if moved is not None:
            await books.save_lead(uow.session, moved)
        await uow.commit()


@command
async def record_status_change(uow: UnitOfWork, lead_id: str, from_status: str, to_status: str,
                               at: datetime) -> None:
    async with uow:
        lead = await books.booked_lead(uow.session, lead_id) or BookedLead(lead_id, {}, status=from_status)
        await books.save_lead(uow.session, book.status_changed(lead, from_status, to_status, at))
        await uow.commit()


@command
async def record_new_deal(uow: UnitOfWork, deal: BookedDeal) -> None:
    """Kept once; without a territory of its own the deal counts where its lead was routed."""
    async with uow:
        if await books.booked_deal(uow.session, deal.deal_id) is None:
            if deal.territory_id is None and deal.lead_id:
                lead = await books.booked_lead(uow.session, deal.lead_id)
                deal = replace(deal, territory_id=lead.territory_id if lead else None)
            await books.save_deal(uow.session, deal)
        await uow.commit()


@command
async def record_stage_change(uow: UnitOfWork, deal_id: str, owner_id: str, amount: Decimal, currency: str,
                              at: datetime) -> None:
    async with uow:
        changed = book.stage_changed(await books.booked_deal(uow.session, deal_id), deal_id, owner_id, amount,
                                     currency, at)
        if changed is not None:
            await books.save_deal(uow.session, changed)
        await uow.commit()


@command
async def record_closed_deal(uow: UnitOfWork, deal_id: str, outcome: str, owner_id: str, amount: Decimal,
                             currency: str, territory_id: str | None, at: datetime, splits: Splits) -> None:
    async with uow:
        known = await books.booked_deal(uow.session, deal_id)
        await books.save_deal(uow.session, book.closed(known, deal_id, outcome, owner_id, amount, currency,
                                                       territory_id, at, splits))
        await uow.commit()


@command
async def record_deal_update(uow: UnitOfWork, deal_id: str, at: datetime, *, amount: Decimal | None,
                             currency: str | None, owner_id: str | None, territory_id: str | None,
                             split_pairs: Sequence[tuple[str, Decimal]] | None) -> None:
    """deal.updated carries only what changed: amount, currency, owner, territory, splits (as stated, so the
    owner's 100% is no split: shared.crediting)."""
    async with uow:
        deal = await books.booked_deal(uow.session, deal_id)
        if deal is not None and book.later(deal.changed_at, at):
            owner = deal.owner_id if owner_id is None else owner_id
            await books.save_deal(uow.session, replace(
                deal, amount=deal.amount if amount is None else amount,
                currency=deal.currency if currency is None else currency, owner_id=owner,
                territory_id=territory_id or deal.territory_id, changed_at=at,
                splits=deal.splits if split_pairs is None else splits_of(split_pairs, owner_id or deal.owner_id)))
        await uow.commit()


@command
async def record_reopened_deal(uow: UnitOfWork, deal_id: str, at: datetime) -> None:
    async with uow:
        deal = book.reopened(await books.booked_deal(uow.session, deal_id), at)
        if deal is not None:
            await books.save_deal(uow.session, deal)
        await uow.commit()


@command
async def record_quota(uow: UnitOfWork, rep_id: str, period: str, amount: Decimal, currency: str) -> None:
    async with uow:
        await books.save_quota(uow.session, rep_id, period, amount, currency)
        await uow.commit()
