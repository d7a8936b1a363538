"""Reporting periods: a year (2026), a quarter (2026-Q4) or a month (2026-11), as the months they hold."""
from __future__ import annotations

import re
from datetime import datetime

from shared.errors import InvalidInput

YEARS = "(19[0-9]{2}|2[0-9]{3})"  # 1900 to 2999: every period has a first and a last day on the calendar
_PERIOD = re.compile(YEARS + r"(?:-Q([1-4])|-(0[1-9]|1[0-2]))?")


def month_of(at: datetime) -> str:
    return f"{at.year:04d}-{at.month:02d}"


def months_in(period: str) -> list[str]:
    match = _PERIOD.fullmatch(period)
    if not match:
        raise InvalidInput("period", "a period is a year (2026), a quarter (2026-Q4) or a month (2026-11), "
                                     "of a year from 1900 to 2999")
    year, quarter, month = int(match[1]), match[2], match[3]
    if month:
        return [f"{year:04d}-{month}"]
    first, count = ((int(quarter) - 1) * 3 + 1, 3) if quarter else (1, 12)
    return [f"{year:04d}-{m:02d}" for m in range(first, first + count)]


def previous_period(period: str) -> str:
    """The period of the same length just before: 2026-Q1 → 2025-Q4, 2026-01 → 2025-12, 2026 → 2025."""
    months_in(period)
    if len(period) == 4:
        return str(int(period) - 1)
    year, rest = int(period[:4]), period[5:]
    if rest.startswith("Q"):
        q = int(rest[1])
        return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"
    m = int(rest)
    return f"{year - 1}-12" if m == 1 else f"{year}-{m - 1:02d}"
