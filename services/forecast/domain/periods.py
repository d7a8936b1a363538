"""Sales periods: calendar months (`2026-11`), fiscal quarters (`2026-Q4`) and fiscal years (`2026`).

The fiscal year starts in a configurable month and is named after the calendar year in which it ends
(a year starting in February 2026 is fiscal 2027); with the default January start both are calendar years.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.errors import InvalidInput
from shared.periods import HINT, Period, month_of, quarter_of

PERIOD_RULE = HINT  # what a 422 on a period says


def is_period(text: str) -> bool:
    try:
        Period.parse(text)
    except InvalidInput:
        return False
    return True


@dataclass(frozen=True)
class FiscalCalendar:
    start_month: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.start_month <= 12:
            raise ValueError("the fiscal year starts in a month from 1 to 12")

    def period(self, period: str) -> Period:
        """A malformed period is the caller's mistake (shared.periods says what a period is)."""
        return Period.parse(period, self.start_month)

    def periods_of(self, day: date) -> tuple[str, str, str]:
        """The month, fiscal quarter and fiscal year a day falls in."""
        quarter = quarter_of(day, self.start_month)
        return month_of(day), quarter, quarter[:4]

    def bounds(self, period: str) -> tuple[date, date]:
        """First and last day of a period."""
        found = self.period(period)
        return found.first, found.last

    def months_in(self, period: str) -> list[str]:
        return self.period(period).months()


__all__ = ["FiscalCalendar", "month_of", "day_number", "week_of"]

EPOCH = date(2000, 1, 1)


def day_number(day: date) -> int:
    """Days since 2000-01-01: small integers for age sums."""
    return (day - EPOCH).days


def week_of(day: date) -> date:
    """The Monday starting the week of a day (age buckets)."""
    return day - timedelta(days=day.weekday())
