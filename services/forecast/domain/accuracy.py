"""How good each method was: its snapshots of a period set against what actually closed won.

Per method, per week before the period's end and per rep or team: error = forecast − actual, with
bias (mean error: positive means the method over-called), mean absolute error, and absolute percentage
error Σ|forecast − actual| ÷ Σ actual. A week with several snapshots of a method keeps the latest.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

GroupKey = tuple[str, str, str]  # dimension, group, currency


@dataclass(frozen=True)
class SnapshotLine:
    method: str
    taken_at: datetime
    dimension: str
    group: str
    currency: str
    forecast: Decimal


@dataclass(frozen=True)
class GroupError:
    group: str
    currency: str
    forecast: Decimal
    actual: Decimal

    @property
    def error(self) -> Decimal:
        return self.forecast - self.actual


@dataclass(frozen=True)
class Score:
    method: str
    weeks_before_end: int
    dimension: str
    groups: list[GroupError]

    @property
    def bias(self) -> Decimal:
        return sum((g.error for g in self.groups), Decimal(0)) / len(self.groups)

    @property
    def mean_absolute_error(self) -> Decimal:
        return sum((abs(g.error) for g in self.groups), Decimal(0)) / len(self.groups)

    @property
    def absolute_percentage_error(self) -> Decimal | None:
        actual = sum((g.actual for g in self.groups), Decimal(0))
        return sum((abs(g.error) for g in self.groups), Decimal(0)) / actual if actual else None


def weeks_before(period_end: date, taken_at: datetime) -> int:
    return max(0, (period_end - taken_at.date()).days // 7)


def score(lines: Iterable[SnapshotLine], actuals: Mapping[GroupKey, Decimal], period_end: date) -> list[Score]:
    latest: dict[tuple[str, int], datetime] = {}
    for line in lines:
        key = (line.method, weeks_before(period_end, line.taken_at))
        latest[key] = max(latest.get(key, line.taken_at), line.taken_at)
    forecasts: dict[tuple[str, int, str], dict[tuple[str, str], Decimal]] = {}
    for line in lines:
        week = weeks_before(period_end, line.taken_at)
        if line.taken_at == latest[(line.method, week)]:
            forecasts.setdefault((line.method, week, line.dimension), {})[(line.group, line.currency)] = line.forecast
    out = []
    for (method, week, dimension), called in sorted(forecasts.items()):
        keys = set(called) | {(g, c) for d, g, c in actuals if d == dimension}
        groups = [GroupError(g, c, called.get((g, c), Decimal(0)), actuals.get((dimension, g, c), Decimal(0)))
                  for g, c in sorted(keys)]
        out.append(Score(method, week, dimension, groups))
    return out
