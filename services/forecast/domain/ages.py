"""Cycle-length in aggregate: open amount by creation week, read in bands so a query touches a few rows per group.

A week bucket holds Σ amount and Σ amount × creation day. Its deals' cycle probability is age ÷ C capped at
`cap` (C: the average won cycle). For a week whose deals are all between 0 and cap × C days old, the sum is
linear: Σ amount × (today − day) / C = (today × Σ amount − Σ amount × day) / C, so all such weeks can be
summed first ("young"). Weeks whose deals are all at least cap × C old count at the cap ("old"); weeks not
yet begun count nothing ("future"). Only the week or two between bands are valued per week, at their
amount-weighted mean age. Summing bands gives exactly what summing those weeks one by one gives.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

YOUNG, OLD, FUTURE = "young", "old", "future"


@dataclass(frozen=True)
class AgeBands:
    old_upto: str  # weeks starting on or before this day are old
    young_from: str
    young_upto: str
    today: str

    def band_of(self, week: str) -> str:
        if week <= self.old_upto:
            return OLD
        if self.young_from <= week <= self.young_upto:
            return YOUNG
        return FUTURE if week > self.today else week


def age_bands(today: date, cycle_days: Decimal, cap: Decimal) -> AgeBands:
    cap_days = cap * cycle_days
    return AgeBands(
        old_upto=(today - timedelta(days=6 + math.ceil(cap_days))).isoformat(),
        young_from=(today - timedelta(days=math.floor(cap_days))).isoformat(),
        young_upto=(today - timedelta(days=6)).isoformat(),
        today=today.isoformat())


def band_value(key: str, amount: Decimal, amount_days: Decimal, today: int, cycle_days: Decimal,
               cap: Decimal) -> Decimal:
    """The cycle-length value of a band (or of one week, at its mean age)."""
    if not amount or key == FUTURE:
        return Decimal(0)
    if key == OLD or cycle_days <= 0:
        return amount * cap
    if key == YOUNG:
        return (today * amount - amount_days) / cycle_days
    return amount * max(Decimal(0), min(cap, (today - amount_days / amount) / cycle_days))
