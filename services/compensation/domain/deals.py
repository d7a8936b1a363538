"""A deal as compensation knows it: the facts its credits are derived from."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

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
