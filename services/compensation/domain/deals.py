"""A deal as compensation knows it: the facts its credits are derived from."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Literal, TypeVar

Status = Literal["open", "won", "lost"]
Splits = tuple[tuple[str, Decimal], ...]  # (rep_id, percent)


@dataclass(frozen=True)
class DealFacts:
    status: Status
    amount: Decimal
    currency: str
    splits: Splits


def splits_or_owner(splits: Splits, owner_id: str) -> Splits:
    return splits or ((owner_id, Decimal(100)),)


def moved_owner(splits: Splits, old_owner: str, new_owner: str) -> Splits:
    """A deal credited wholly to its owner follows the owner; explicit splits stay as they are."""
    return ((new_owner, Decimal(100)),) if splits == ((old_owner, Decimal(100)),) else splits


@dataclass(frozen=True)
class DealChange:
    """What a deal.updated says changed; None: unchanged."""
    amount: Decimal | None = None
    currency: str | None = None
    owner_id: str | None = None
    splits: Splits | None = None


def apply_change(known: DealFacts, known_owner: str, change: DealChange) -> tuple[DealFacts, str]:
    """A won deal's facts and owner after a change: splits given replace the old ones; otherwise a deal credited
    wholly to its owner follows a new owner."""
    owner = change.owner_id or known_owner
    splits = change.splits or moved_owner(known.splits, known_owner, owner)
    amount = change.amount if change.amount is not None else known.amount
    return DealFacts(known.status, amount, change.currency or known.currency, splits), owner


@dataclass(frozen=True)
class Deal:
    """A deal as the ledger derives credits from it: its facts, owner, close time, products, new-logo flag."""
    deal_id: str
    facts: DealFacts
    owner_id: str
    closed_at: datetime | None
    products: frozenset[str]
    new_logo: bool


@dataclass(frozen=True)
class Won:
    """deal.closed won: the deal's facts as closed, whatever was known before."""
    deal: Deal


@dataclass(frozen=True)
class Unwon:
    """deal.reopened (status open) or deal.closed lost (status lost): a won deal stops being won."""
    status: Status


@dataclass(frozen=True)
class Changed:
    """deal.updated: a won deal's amount, currency, splits or owner changed."""
    change: DealChange


DealEvent = Won | Unwon | Changed
C = TypeVar("C")


def apply_event(known: Deal | None, event: DealEvent) -> Deal | None:
    """The deal after the event, or None when the event changes nothing: un-winning or changing a deal that is
    not won, a change that leaves facts and owner as they were. A win always counts (the same facts again
    re-credit to nothing)."""
    if isinstance(event, Won):
        return event.deal
    if known is None or known.facts.status != "won":
        return None
    if isinstance(event, Unwon):
        facts = DealFacts(event.status, known.facts.amount, known.facts.currency, known.facts.splits)
        return replace(known, facts=facts)
    facts, owner = apply_change(known.facts, known.owner_id, event.change)
    if (facts, owner) == (known.facts, known.owner_id):
        return None
    return replace(known, facts=facts, owner_id=owner)


def fold_deal(known: Deal | None, events: Iterable[tuple[DealEvent, C]]) -> list[tuple[Deal, C]]:
    """One deal's events in order: each state it passes through that the ledger credits, with its cause (the
    last is the deal as it now stands; an empty list: nothing changed)."""
    steps: list[tuple[Deal, C]] = []
    for event, cause in events:
        after = apply_event(known, event)
        if after is not None:
            steps.append((after, cause))
            known = after
    return steps
