"""Pipeline's use of the one calendar (shared/periods.py): the months a period holds and the period before it."""
from __future__ import annotations

from shared.periods import Period


def months_in(period: str) -> list[str]:
    """2026-Q4 → its three months; a malformed period is InvalidInput naming `period`."""
    return Period.parse(period).months()


def previous_period(period: str) -> str:
    """The period of the same kind just before: 2026-Q1 → 2025-Q4, 2026-01 → 2025-12, 2026 → 2025."""
    p = Period.parse(period)
    year = p.first.year
    if p.kind == "year":
        return str(year - 1)
    if p.kind == "quarter":
        quarter = (p.first.month - 1) // 3 + 1
        return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
    return f"{year - 1}-12" if p.first.month == 1 else f"{year}-{p.first.month - 1:02d}"
