"""Commission arithmetic: Decimal only, each line rounded half-even to the cent."""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def split_share(amount: Decimal, percent: Decimal) -> Decimal:
    """A rep's share of a deal, exact (rounded only where a line is written)."""
    return amount * percent / Decimal(100)


def flat_rate_commission(base: Decimal, rate: Decimal) -> Decimal:
    return to_cents(base * rate)
