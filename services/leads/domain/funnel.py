"""The lead funnel for a period: counts by status, source, rep and territory, conversion rate, median time to
first touch and SLA breach rate, over the leads created in the period."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from statistics import median

from shared.errors import InvalidInput


@dataclass(frozen=True)
class FunnelRow:
    status: str
    source: str | None
    owner_id: str | None
    territory_id: str | None
    created_at: datetime
    first_touched_at: datetime | None
    sla_breaches: int


@dataclass(frozen=True)
class Funnel:
    leads: int
    by_status: dict[str, int]
    by_source: dict[str, int]
    by_rep: dict[str, int]
    by_territory: dict[str, int]
    converted: int
    conversion_rate: Decimal  # converted / leads, 4 places
    median_seconds_to_first_touch: int | None
    touched: int
    sla_breached: int
    sla_breach_rate: Decimal


def period_window(period_from: date, period_to: date) -> tuple[datetime, datetime]:
    """The days from `period_from` to `period_to`, both included, as [start, end) in UTC."""
    if period_to < period_from:
        raise InvalidInput("period_to", "the period ends before it starts")
    return datetime.combine(period_from, time(), UTC), datetime.combine(period_to + timedelta(days=1), time(), UTC)


def _rate(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN) if whole else Decimal(0)


def funnel(rows: Iterable[FunnelRow]) -> Funnel:
    rows = list(rows)
    waits = [(r.first_touched_at - r.created_at).total_seconds() for r in rows if r.first_touched_at]
    converted = sum(1 for r in rows if r.status == "converted")
    breached = sum(1 for r in rows if r.sla_breaches > 0)
    return Funnel(
        leads=len(rows),
        by_status=dict(sorted(Counter(r.status for r in rows).items())),
        by_source=dict(sorted(Counter(r.source or "unknown" for r in rows).items())),
        by_rep=dict(sorted(Counter(r.owner_id or "unassigned" for r in rows).items())),
        by_territory=dict(sorted(Counter(r.territory_id or "none" for r in rows).items())),
        converted=converted, conversion_rate=_rate(converted, len(rows)),
        median_seconds_to_first_touch=round(median(waits)) if waits else None, touched=len(waits),
        sla_breached=breached, sla_breach_rate=_rate(breached, len(rows)),
    )
