"""Commission arithmetic: Decimal only, each line rounded half-even to the cent."""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def split_share(amount: Decimal, percent: Decimal) -> Decimal:
    """A rep's share of a deal, exact (rounded only where a line is written)."""
    return amount * percent / HUNDRED


def attainment_percent(credited: Decimal, quota: Decimal | None) -> Decimal | None:
    """Credited amount as a percent of quota, to 4 places; None without a (positive) quota."""
    if not quota:
        return None
    return (credited * HUNDRED / quota).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """An amount in the plan's currency at a managed rate, to the cent."""
    return to_cents(amount * rate)
