"""Territory's copies of other services' facts - a lead's routing and progress, a deal's amount and outcome - and
the rules that keep them: the same fact twice changes nothing, an older fact never overwrites a newer one."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.crediting import Splits, splits_of

CLOSED_LEAD_STATUSES = frozenset({"converted", "disqualified", "unqualified", "lost", "closed", "junk", "archived"})


@dataclass(frozen=True)
class BookedLead:
    """A lead as territory knows it: the profile it was routed on, where it went, and how it is getting on."""

    lead_id: str
    profile: dict[str, Any]
    status: str = "new"
    is_open: bool = True
    matched_territory_id: str | None = None
    territory_id: str | None = None
    rep_id: str | None = None
    created_at: datetime | None = None
    assigned_at: datetime | None = None
    first_touch_at: datetime | None = None
    status_at: datetime | None = None


@dataclass(frozen=True)
class BookedDeal:
    deal_id: str
    owner_id: str
    amount: Decimal
    currency: str
    changed_at: datetime
    territory_id: str | None = None
    lead_id: str | None = None
    status: str = "open"  # open | won | lost
    closed_at: datetime | None = None
    splits: Splits = ()  # as stated, without the owner-100% default (shared.crediting)


def later(stored: datetime | None, incoming: datetime) -> bool:
    """Whether an incoming fact is at least as new as what is stored (an older one must not overwrite)."""
    return stored is None or incoming >= stored


def assigned(lead: BookedLead, rep_id: str | None, territory_id: str | None, at: datetime) -> BookedLead | None:
    """The lead with its new holder, or None when the assignment is older than the one kept."""
    if not later(lead.assigned_at, at):
        return None
    return replace(lead, rep_id=rep_id, assigned_at=at, territory_id=territory_id or lead.territory_id)


def status_changed(lead: BookedLead, from_status: str, to_status: str, at: datetime) -> BookedLead:
    """The first touch is the earliest move out of `new`; the status is the newest one stated."""
    touched = lead.first_touch_at
    if from_status == "new" and to_status != "new" and (touched is None or at < touched):
        lead = replace(lead, first_touch_at=at)
    if later(lead.status_at, at):
        lead = replace(lead, status=to_status, status_at=at, is_open=to_status not in CLOSED_LEAD_STATUSES)
    return lead


def stage_changed(deal: BookedDeal | None, deal_id: str, owner_id: str, amount: Decimal, currency: str,
                  at: datetime) -> BookedDeal | None:
    """An open deal's owner and amount as of `at`; None for a closed deal or an older change."""
    if deal is None:
        return BookedDeal(deal_id, owner_id, amount, currency, at)
    if deal.status != "open" or not later(deal.changed_at, at):
        return None
    return replace(deal, owner_id=owner_id, amount=amount, currency=currency, changed_at=at)


def closed(deal: BookedDeal | None, deal_id: str, outcome: str, owner_id: str, amount: Decimal, currency: str,
           territory_id: str | None, at: datetime, splits: Splits) -> BookedDeal:
    """Won or lost at `at`: the close states the deal whole (a repeated close writes the same)."""
    known = deal or BookedDeal(deal_id, owner_id, amount, currency, at)
    return replace(known, territory_id=territory_id or known.territory_id, owner_id=owner_id, amount=amount,
                   currency=currency, status=outcome, changed_at=at, closed_at=at, splits=splits)


def updated(deal: BookedDeal | None, at: datetime, *, amount: Decimal | None, currency: str | None,
            owner_id: str | None, territory_id: str | None,
            split_pairs: Sequence[tuple[str, Decimal]] | None) -> BookedDeal | None:
    """deal.updated carries only what changed (splits as stated, so the owner's 100% is no split:
    shared.crediting); None for an unknown deal or an older change."""
    if deal is None or not later(deal.changed_at, at):
        return None
    owner = deal.owner_id if owner_id is None else owner_id
    return replace(deal, amount=deal.amount if amount is None else amount,
                   currency=deal.currency if currency is None else currency, owner_id=owner,
                   territory_id=territory_id or deal.territory_id, changed_at=at,
                   splits=deal.splits if split_pairs is None else splits_of(split_pairs, owner_id or deal.owner_id))


def reopened(deal: BookedDeal | None, at: datetime) -> BookedDeal | None:
    if deal is None or not later(deal.changed_at, at):
        return None
    return replace(deal, status="open", closed_at=None, changed_at=at)
