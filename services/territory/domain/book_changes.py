"""A batch's changes to territory's books, folded into the rows to write: each row as the same changes, one event
at a time in the same order, would leave it (the rules of domain/books.py, applied in memory)."""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from services.territory.domain.books import (
    BookedDeal,
    BookedLead,
    assigned,
    closed,
    reopened,
    stage_changed,
    status_changed,
    updated,
)
from shared.crediting import Splits


@dataclass(frozen=True)
class Assignment:
    lead_id: str
    rep_id: str | None
    territory_id: str | None
    at: datetime


@dataclass(frozen=True)
class StatusChange:
    lead_id: str
    from_status: str
    to_status: str
    at: datetime


LeadChange = Assignment | StatusChange


def lead_after(lead: BookedLead | None, change: LeadChange) -> BookedLead | None:
    """The lead's row after one change (an unknown lead starts empty), or None when nothing is written."""
    if isinstance(change, Assignment):
        return assigned(lead or BookedLead(change.lead_id, {}), change.rep_id, change.territory_id, change.at)
    known = lead or BookedLead(change.lead_id, {}, status=change.from_status)
    return status_changed(known, change.from_status, change.to_status, change.at)


@dataclass(frozen=True)
class NewLead:
    """lead.created: a lead to route (once per lead)."""

    lead_id: str
    profile: dict[str, Any]
    created_at: datetime


def leads_to_route(known: Collection[str], changes: Iterable[NewLead | LeadChange]) -> list[str]:
    """The leads a batch routes: those whose first change in it is lead.created and that the book does not keep
    (any change keeps a row, so a later lead.created of the same lead routes nothing)."""
    seen, out = set(known), []
    for change in changes:
        if isinstance(change, NewLead) and change.lead_id not in seen:
            out.append(change.lead_id)
        seen.add(change.lead_id)
    return out


class LeadBook:
    """A batch's leads in memory as each change lands, with the open-lead load per rep they imply (the load
    routing reads: `load` counted from the stored book when the batch routes leads, else None)."""

    def __init__(self, known: Mapping[str, BookedLead], load: Mapping[str, int] | None = None) -> None:
        self._rows = dict(known)
        self.load = None if load is None else dict(load)
        self.written: dict[str, BookedLead] = {}

    def get(self, lead_id: str) -> BookedLead | None:
        return self._rows.get(lead_id)

    def territory_of(self, lead_id: str) -> str | None:
        """Where the lead was routed, as the book stands (None for a lead it does not keep)."""
        lead = self._rows.get(lead_id)
        return lead.territory_id if lead else None

    def put(self, lead: BookedLead) -> None:
        before = self._rows.get(lead.lead_id)
        if self.load is not None:
            if before is not None and before.is_open and before.rep_id is not None:
                self.load[before.rep_id] = self.load.get(before.rep_id, 0) - 1
            if lead.is_open and lead.rep_id is not None:
                self.load[lead.rep_id] = self.load.get(lead.rep_id, 0) + 1
        self._rows[lead.lead_id] = self.written[lead.lead_id] = lead

    def apply(self, change: LeadChange) -> None:
        after = lead_after(self.get(change.lead_id), change)
        if after is not None:
            self.put(after)


def fold_leads(known: Mapping[str, BookedLead], changes: Iterable[LeadChange]) -> dict[str, BookedLead]:
    """The rows the changes leave, in order, over the rows kept (`known`): only the rows they wrote."""
    book = LeadBook(known)
    for change in changes:
        book.apply(change)
    return book.written


@dataclass(frozen=True)
class DealOpened:
    deal: BookedDeal

    @property
    def deal_id(self) -> str:
        return self.deal.deal_id


@dataclass(frozen=True)
class StageChange:
    deal_id: str
    owner_id: str
    amount: Decimal
    currency: str
    at: datetime


@dataclass(frozen=True)
class DealUpdate:
    deal_id: str
    at: datetime
    amount: Decimal | None = None
    currency: str | None = None
    owner_id: str | None = None
    territory_id: str | None = None
    split_pairs: tuple[tuple[str, Decimal], ...] | None = None


@dataclass(frozen=True)
class DealClose:
    deal_id: str
    outcome: str
    owner_id: str
    amount: Decimal
    currency: str
    territory_id: str | None
    at: datetime
    splits: Splits


@dataclass(frozen=True)
class DealReopen:
    deal_id: str
    at: datetime


DealChange = DealOpened | StageChange | DealUpdate | DealClose | DealReopen


def lead_needed(change: DealChange) -> str | None:
    """The lead whose territory a new deal without one of its own counts in."""
    if isinstance(change, DealOpened) and change.deal.territory_id is None and change.deal.lead_id:
        return change.deal.lead_id
    return None


def deal_after(deal: BookedDeal | None, change: DealChange,
               lead_territories: Mapping[str, str | None]) -> BookedDeal | None:
    """The deal's row after one change, or None when nothing is written. A new deal is kept once; without a
    territory of its own it counts where its lead was routed (`lead_territories`: lead id -> territory)."""
    if isinstance(change, DealOpened):
        if deal is not None:
            return None
        lead_id = lead_needed(change)
        return change.deal if lead_id is None else replace(change.deal, territory_id=lead_territories.get(lead_id))
    if isinstance(change, StageChange):
        return stage_changed(deal, change.deal_id, change.owner_id, change.amount, change.currency, change.at)
    if isinstance(change, DealUpdate):
        return updated(deal, change.at, amount=change.amount, currency=change.currency, owner_id=change.owner_id,
                       territory_id=change.territory_id, split_pairs=change.split_pairs)
    if isinstance(change, DealClose):
        return closed(deal, change.deal_id, change.outcome, change.owner_id, change.amount, change.currency,
                      change.territory_id, change.at, change.splits)
    return reopened(deal, change.at)


class DealBook:
    """A batch's deals in memory as each change lands (new deals counting where their lead is routed as the
    lead book stands at that moment: `territory_of`)."""

    def __init__(self, known: Mapping[str, BookedDeal]) -> None:
        self._rows = dict(known)
        self.written: dict[str, BookedDeal] = {}

    def apply(self, change: DealChange, territory_of: Callable[[str], str | None]) -> None:
        lead_id = lead_needed(change)
        after = deal_after(self._rows.get(change.deal_id), change, {lead_id: territory_of(lead_id)} if lead_id else {})
        if after is not None:
            self._rows[change.deal_id] = self.written[change.deal_id] = after


def fold_deals(known: Mapping[str, BookedDeal], changes: Iterable[DealChange],
               lead_territories: Mapping[str, str | None]) -> dict[str, BookedDeal]:
    """The rows the changes leave, in order, over the rows kept (`known`): only the rows they wrote."""
    book = DealBook(known)
    for change in changes:
        book.apply(change, lead_territories.get)
    return book.written


@dataclass(frozen=True)
class QuotaChange:
    rep_id: str
    period: str
    amount: Decimal
    currency: str


def fold_quotas(changes: Iterable[QuotaChange]) -> dict[tuple[str, str], QuotaChange]:
    """Each rep-period's quota as the last change stated it."""
    return {(c.rep_id, c.period): c for c in changes}


BookChange = NewLead | LeadChange | DealChange | QuotaChange
