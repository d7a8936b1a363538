"""Periods as the ledger books them: which one holds a date, which comes next, where a late change lands.
What a period is (month 2026-11, quarter 2026-Q4, year 2026) is the one calendar of shared.periods."""
from __future__ import annotations

from datetime import date

from shared.periods import Kind, Period, month_of, quarter_of

PeriodKind = Kind
PERIOD_KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year")


def kind_of(period: str) -> PeriodKind:
    """A malformed period is the caller's mistake (InvalidInput naming `period`, a 422)."""
    return Period.parse(period).kind


def period_of(day: date, kind: PeriodKind) -> str:
    if kind == "month":
        return month_of(day)
    if kind == "quarter":
        return quarter_of(day)
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
