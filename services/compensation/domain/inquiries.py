"""Disputes: a rep's inquiry on a line, answered by ops with an adjustment line or a reasoned rejection."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from services.compensation.domain.calculation import Line
from services.compensation.domain.commission import CENT
from shared.errors import ConflictError, InvalidInput

Resolution = Literal["adjust", "reject"]


@dataclass(frozen=True)
class Outcome:
    status: Literal["adjusted", "rejected"]
    line: Line | None


def resolve(status: str, resolution: Resolution, amount: Decimal | None, comment: str) -> Outcome:
    """An open inquiry is closed once: with an adjustment line of `amount`, or rejected with a reason."""
    if status != "open":
        raise ConflictError(f"the inquiry is already {status}")
    if not comment.strip():
        raise InvalidInput("comment", "say why: the thread stays with the line")
    if resolution == "reject":
        return Outcome("rejected", None)
    if amount is None or amount == 0:
        raise InvalidInput("amount", "an adjustment needs a non-zero amount")
    if amount != amount.quantize(CENT):
        raise InvalidInput("amount", "at most 2 decimal places")
    return Outcome("adjusted", Line("dispute_adjustment", "adjustment", Decimal("0.00"), Decimal(0), amount,
                                    reason=comment.strip()[:300]))
