"""What a sales period means, for every service: a month (`2026-11`), a quarter (`2026-Q4`) or a year (`2026`),
its first and last day, the months and quarters inside it, and which finer periods cover it.

Quarters and years follow a fiscal year that starts in `start_month` (1: the calendar year) and is named after
the calendar year in which it ends (a year starting in February 2026 is fiscal 2027). Months are calendar months.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Literal, TypeVar

from shared.errors import InvalidInput

Kind = Literal["month", "quarter", "year"]
V = TypeVar("V")
# Calendar years 1900-2999: anything else is a typo, not a period someone sells in.
_PERIOD = re.compile(r"(19[0-9]{2}|2[0-9]{3})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?")  # ASCII digits, whole string
HINT = "a period is a year (2026), a quarter (2026-Q4) or a month (2026-11), years 1900-2999"


@dataclass(frozen=True)
class Period:
    kind: Kind
    first: date
    last: date
    name: str

    @classmethod
    def parse(cls, text: str, start_month: int = 1) -> Period:
        """A malformed period is the caller's mistake (InvalidInput, a 422)."""
        match = _PERIOD.fullmatch(text)
        if not match:
            raise InvalidInput("period", HINT)
        year, quarter, month = int(match[1]), match[2], match[3]
        if month:
            first = date(year, int(month), 1)
            return cls("month", first, _add_months(first, 1) - timedelta(days=1), text)
        start = date(year if start_month == 1 else year - 1, start_month, 1)
        if quarter:
            first = _add_months(start, 3 * (int(quarter) - 1))
            return cls("quarter", first, _add_months(first, 3) - timedelta(days=1), text)
        return cls("year", start, _add_months(start, 12) - timedelta(days=1), text)

    @property
    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC: an instant is in the period when start <= instant < end."""
        end = self.last + timedelta(days=1)
        return (datetime(self.first.year, self.first.month, 1, tzinfo=UTC),
                datetime(end.year, end.month, end.day, tzinfo=UTC))

    def months(self) -> list[str]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
        return [month_of(_add_months(self.first, i)) for i in range(count)]

    def quarters(self) -> list[str]:
        return [f"{self.name}-Q{q}" for q in range(1, 5)] if self.kind == "year" else []

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last

    def levels(self) -> list[list[str]]:
        """The ways to cover the period with periods no larger than it, coarsest first: itself, then (a year)
        its quarters, then its months."""
        out = [[self.name]]
        if self.kind == "year":
            out.append(self.quarters())
        if self.kind != "month":
            out.append(self.months())
        return out


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def quarter_of(day: date, start_month: int = 1) -> str:
    offset = (day.month - start_month) % 12
    year = day.year if start_month == 1 or day.month < start_month else day.year + 1
    return f"{year}-Q{offset // 3 + 1}"


def covering(period: Period, set_for: Mapping[str, V]) -> list[V]:
    """What is set for the period: the values set for exactly it, else for the first finer level with any set
    (a year's quarters, else its months; a quarter's months) — e.g. month quotas inside a quarter count toward
    the quarter. A level partly set gives what is set."""
    for level in period.levels():
        found = [set_for[p] for p in level if p in set_for]
        if found:
            return found
    return []


def covered_amount(period: Period, set_for: Mapping[str, tuple[Decimal, str]]) -> tuple[Decimal, str] | None:
    """An amount set per period (a quota) for `period`: set for exactly it, else the sum of what is set for the
    periods inside it (`covering`), in the first currency found — how every service reads a rep's quota."""
    found = covering(period, set_for)
    if not found:
        return None
    currency = found[0][1]
    return sum((a for a, c in found if c == currency), Decimal(0)), currency


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)
