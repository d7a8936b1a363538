"""A rep's statement for a period: what the lines add up to, by component and in all."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

ZERO = Decimal("0.00")


def totals_by_component(lines: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """(component, amount) of each line summed per component, components in the order first met."""
    totals: dict[str, Decimal] = {}
    for component, amount in lines:
        totals[component] = totals.get(component, ZERO) + amount
    return totals


def grand_total(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO)
