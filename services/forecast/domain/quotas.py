"""A rep's quota for a period: the quota set for exactly that period, else the sum of the quotas set for the
periods inside it (a year's quarters, else its months; a quarter's months) — shared.periods.covering, the same
arithmetic territory coverage uses."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from services.forecast.domain.periods import FiscalCalendar
from shared.periods import covered_amount

Quota = tuple[Decimal, str]


def quota_for(period: str, set_for: Mapping[str, Quota], calendar: FiscalCalendar) -> Quota | None:
    """`set_for`: one rep's quotas by period. The quotas of the covering level in the first currency found are
    summed (a level partly set counts what is set)."""
    return covered_amount(calendar.period(period), set_for)


def candidates(period: str, calendar: FiscalCalendar) -> set[str]:
    return {p for level in calendar.period(period).levels() for p in level}
