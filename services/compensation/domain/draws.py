"""Draws, settled when a period closes: a recoverable draw is advanced and recovered from later commission;
a guarantee (non-recoverable) tops the payout up to its floor and is never recovered."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from services.compensation.domain.calculation import Line

DrawKind = Literal["recoverable", "guarantee"]
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Settlement:
    lines: list[Line]
    balance: Decimal  # recoverable advances still owed after this period


def settle_draw(kind: DrawKind, amount: Decimal, balance: Decimal, earned: Decimal) -> Settlement:
    """The draw lines for a period in which the rep earned `earned`; the payout never falls below `amount`."""
    if earned < amount:
        top_up = amount - earned
        name = "draw_advance" if kind == "recoverable" else "draw_guarantee"
        owed = balance + top_up if kind == "recoverable" else balance
        return Settlement([Line(name, "draw", amount, Decimal(0), top_up, reason=f"payout floor {amount}")], owed)
    recovery = min(balance, earned - amount)
    if kind != "recoverable" or recovery <= 0:
        return Settlement([], balance)
    return Settlement([Line("draw_recovery", "draw", balance, Decimal(0), -recovery,
                            reason=f"recovering advances of {balance}")], balance - recovery)
