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
