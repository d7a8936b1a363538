"""Periods: months (2026-11), quarters (2026-Q4) and years (2026); which one holds a date, which comes next."""
from __future__ import annotations

import re
from datetime import date
from typing import Literal

from shared.errors import InvalidInput

PeriodKind = Literal["month", "quarter", "year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year")
YEARS = "(19[0-9]{2}|2[0-9]{3})"  # 1900 to 2999: every period has a first and a last day on the calendar
_MONTH = re.compile(YEARS + r"-(0[1-9]|1[0-2])")
_QUARTER = re.compile(YEARS + r"-Q([1-4])")
_YEAR = re.compile(YEARS)


def kind_of(period: str) -> PeriodKind:
    if _MONTH.fullmatch(period):
        return "month"
    if _QUARTER.fullmatch(period):
        return "quarter"
    if _YEAR.fullmatch(period):
        return "year"
    raise InvalidInput("period", "a period is 2026-11 (month), 2026-Q4 (quarter) or 2026 (year), "
                                 "of a year from 1900 to 2999")


def period_of(day: date, kind: PeriodKind) -> str:
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def next_period(period: str) -> str:
    kind = kind_of(period)
    year = int(period[:4])
    if kind == "year":
        return str(year + 1)
    if kind == "quarter":
        q = int(period[-1])
        return f"{year + 1}-Q1" if q == 4 else f"{year}-Q{q + 1}"
    month = int(period[5:])
    return f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"


def first_open(period: str, closed: set[str]) -> str:
    """The period itself when open, else the first later one that is (late changes land there)."""
    while period in closed:
        period = next_period(period)
    return period
