"""What a deal's event means for the ledger, given what the ledger already did for that deal."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Action = Literal["credit", "reverse", "recredit", "nothing"]
Splits = tuple[tuple[str, Decimal], ...]  # (rep_id, percent)


@dataclass(frozen=True)
class DealFacts:
    status: Literal["open", "won", "lost"]
    amount: Decimal
    currency: str
    splits: Splits


def splits_or_owner(splits: Splits, owner_id: str) -> Splits:
    return splits or ((owner_id, Decimal(100)),)


def on_won(known: DealFacts | None, amount: Decimal, currency: str, splits: Splits) -> Action:
    """A won deal pays once; the same fact again (even under a new event id) changes nothing."""
    if known is None or known.status != "won":
        return "credit"
    same = (known.amount, known.currency, known.splits) == (amount, currency, splits)
    return "nothing" if same else "recredit"


def on_unwon(known: DealFacts | None) -> Action:
    """Reopened, or lost: a won deal's commission is clawed back; anything else has nothing to undo."""
    return "reverse" if known is not None and known.status == "won" else "nothing"


def on_changed(known: DealFacts | None, amount: Decimal | None, currency: str | None,
               splits: Splits | None) -> Action:
    """An amount or split change on a won deal: reverse and pay again on the new figures."""
    if known is None or known.status != "won":
        return "nothing"
    new = (amount if amount is not None else known.amount, currency or known.currency,
           splits if splits is not None else known.splits)
    return "nothing" if new == (known.amount, known.currency, known.splits) else "recredit"
