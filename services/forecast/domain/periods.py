"""Sales periods: calendar months (`2026-11`), fiscal quarters (`2026-Q4`) and fiscal years (`2026`).

The fiscal year starts in a configurable month and is named after the calendar year in which it ends
(a year starting in February 2026 is fiscal 2027); with the default January start both are calendar years.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from shared.errors import InvalidInput

YEARS = "(19[0-9]{2}|2[0-9]{3})"  # 1900 to 2999: every period has a first and a last day on the calendar
_PERIOD = re.compile(YEARS + r"(?:-Q([1-4])|-(0[1-9]|1[0-2]))?")
PERIOD_RULE = "a period is a year (2026), a quarter (2026-Q4) or a month (2026-11), of a year from 1900 to 2999"


def is_period(text: str) -> bool:
    return _PERIOD.fullmatch(text) is not None


@dataclass(frozen=True)
class FiscalCalendar:
    start_month: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.start_month <= 12:
            raise ValueError("the fiscal year starts in a month from 1 to 12")

    def periods_of(self, day: date) -> tuple[str, str, str]:
        """The month, fiscal quarter and fiscal year a day falls in."""
        offset = (day.month - self.start_month) % 12
        year = day.year if self.start_month == 1 or day.month < self.start_month else day.year + 1
        return f"{day.year}-{day.month:02d}", f"{year}-Q{offset // 3 + 1}", str(year)

    def bounds(self, period: str) -> tuple[date, date]:
        """First and last day of a period; a malformed period is the caller's mistake."""
        match = _PERIOD.fullmatch(period)
        if not match:
            raise InvalidInput("period", PERIOD_RULE)
        year, quarter, month = int(match[1]), match[2], match[3]
        if month:
            first, months = date(year, int(month), 1), 1
        else:
            start_year = year if self.start_month == 1 else year - 1
            q = int(quarter) - 1 if quarter else 0
            first, months = _add_months(date(start_year, self.start_month, 1), 3 * q), 3 if quarter else 12
        return first, _add_months(first, months) - timedelta(days=1)


    def months_in(self, period: str) -> list[str]:
        first, last = self.bounds(period)
        count = (last.year - first.year) * 12 + last.month - first.month + 1
        return [month_of(_add_months(first, i)) for i in range(count)]


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


EPOCH = date(2000, 1, 1)


def day_number(day: date) -> int:
    """Days since 2000-01-01: small integers for age sums."""
    return (day - EPOCH).days


def week_of(day: date) -> date:
    """The Monday starting the week of a day (age buckets)."""
    return day - timedelta(days=day.weekday())
