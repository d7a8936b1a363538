"""A rep's quota for a period: the quota set for exactly that period, else the sum of the quotas set for the
periods inside it (a year's quarters, else its months; a quarter's months)."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from services.forecast.domain.periods import FiscalCalendar

Quota = tuple[Decimal, str]


def levels(period: str, calendar: FiscalCalendar) -> list[list[str]]:
    """The ways to cover a period with quota periods, coarsest first."""
    out = [[period]]
    if len(period) == 4:
        out.append([f"{period}-Q{q}" for q in range(1, 5)])
    if len(period) != 7 or "Q" in period:
        out.append(calendar.months_in(period))
    return out


def quota_for(period: str, set_for: Mapping[str, Quota], calendar: FiscalCalendar) -> Quota | None:
    """`set_for`: one rep's quotas by period. The first level with any quota set wins; its quotas in the
    first currency found are summed (a level partly set counts what is set)."""
    for level in levels(period, calendar):
        found = [set_for[p] for p in level if p in set_for]
        if found:
            currency = found[0][1]
            return sum((a for a, c in found if c == currency), Decimal(0)), currency
    return None


def candidates(period: str, calendar: FiscalCalendar) -> set[str]:
    return {p for level in levels(period, calendar) for p in level}
