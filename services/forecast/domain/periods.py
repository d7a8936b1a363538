"""Sales periods in forecast: calendar months (`2026-11`) and, on top of shared.periods' calendar Period, the
fiscal quarters (`2026-Q4`) and fiscal years (`2026`) of forecast's FiscalCalendar.

Everywhere else in Coxswain "2026-Q4" is a calendar quarter (shared.periods.Period). Forecast reads quarters and
years through its FiscalCalendar, which maps a fiscal period to the calendar months it covers: the fiscal year
starts in a configurable month (COXSWAIN_FORECAST_FISCAL_YEAR_START_MONTH) and is named after the calendar year
in which it ends (a year starting in February 2026 is fiscal 2027). With the default January start the mapping is
the identity: every fiscal period is the calendar period of the same name.
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
    """Fiscal quarters and years as calendar months: fiscal time runs `offset` months ahead of calendar time
    (a February start: 11 months, so February 2026 is in fiscal 2027-Q1); months are calendar months."""

    start_month: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.start_month <= 12:
            raise ValueError("the fiscal year starts in a month from 1 to 12")

    @property
    def offset(self) -> int:
        """How many months fiscal time runs ahead of calendar time (0 with a January start)."""
        return (13 - self.start_month) % 12

    def period(self, period: str) -> Period:
        """The calendar span of a fiscal period, as a shared.periods Period keeping the fiscal name: the calendar
        period of that name moved back by `offset` months (a month stays itself). A malformed period is the
        caller's mistake (shared.periods says what a period is)."""
        named = Period.parse(period)
        if named.kind == "month" or not self.offset:
            return named
        after_last = _add_months(named.last + timedelta(days=1), -self.offset)
        return Period(named.kind, _add_months(named.first, -self.offset), after_last - timedelta(days=1), period)

    def periods_of(self, day: date) -> tuple[str, str, str]:
        """The calendar month, fiscal quarter and fiscal year a day falls in (the fiscal quarter is the calendar
        quarter of the day moved ahead by `offset` months)."""
        quarter = quarter_of(_add_months(day.replace(day=1), self.offset))
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


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.month - 1 + months
    return date(first_of_month.year + index // 12, index % 12 + 1, 1)
