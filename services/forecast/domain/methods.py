"""The four forecast methods, per deal and over a group's aggregate rows. Plain arithmetic, no I/O.

- weighted: amount × stage probability.
- category: cumulative roll-up of forecast categories (commit = commit + closed; most likely = most_likely +
  commit; best case = best_case + most likely; open pipeline = every open deal; omitted stays out).
- historical: amount × the win rate observed from the deal's pipeline stage, smoothed toward the stage's
  probability: (wins + k·p) / (wins + losses + k), a Beta prior worth k closed deals (k = prior_weight).
- cycle_length: amount × min(cap, age / average won cycle).
Every method's forecast for a group adds the closed-won amount of the period to its open part.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from services.forecast.domain.ages import band_value

METHODS = ("weighted", "category", "historical", "cycle_length")
OPEN_BUCKETS = ("pipeline", "best_case", "most_likely", "commit", "closed")
ZERO = Decimal(0)


@dataclass(frozen=True)
class StageRecord:
    probability: int
    wins: int = 0
    losses: int = 0


@dataclass(frozen=True)
class MethodSettings:
    prior_weight: int = 10  # pseudo-deals of the Beta prior at the stage probability
    default_cycle_days: int = 90  # before any deal has been won
    cycle_cap_percent: int = 95  # an open deal never reaches 100% by age alone


def win_rate(record: StageRecord, prior_weight: int) -> Decimal:
    prior = Decimal(record.probability) / 100
    return (record.wins + prior_weight * prior) / (record.wins + record.losses + prior_weight)


def average_cycle(total_days: int, won_deals: int, settings: MethodSettings) -> Decimal:
    return Decimal(total_days) / won_deals if won_deals else Decimal(settings.default_cycle_days)


def cycle_probability(age_days: Decimal, cycle_days: Decimal, settings: MethodSettings) -> Decimal:
    cap = Decimal(settings.cycle_cap_percent) / 100
    if cycle_days <= 0:
        return cap
    return max(ZERO, min(cap, age_days / cycle_days))


@dataclass
class GroupRows:
    """A group's aggregate rows in one currency."""

    totals: dict[str, tuple[Decimal, Decimal, Decimal]] = field(default_factory=dict)  # bucket → amount, weighted, n
    stages: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (pipeline, stage) → open amount
    ages: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # week or band → amount, Σ amount×day


@dataclass(frozen=True)
class Context:
    """What a forecast needs besides the rows: win records, the average won cycle, today."""

    stages: dict[tuple[str, str], StageRecord]
    cycle_days: Decimal
    today: int  # day number (periods.day_number)
    settings: MethodSettings = MethodSettings()


@dataclass(frozen=True)
class Figures:
    closed_won: Decimal
    open_pipeline: Decimal
    weighted: Decimal
    historical: Decimal
    cycle_length: Decimal
    categories: dict[str, Decimal]

    def forecast(self, method: str) -> Decimal:
        if method == "category":
            return self.categories["commit"]
        return cast(Decimal, getattr(self, method))  # weighted, historical or cycle_length

    def __add__(self, other: Figures) -> Figures:
        cats = {k: self.categories[k] + other.categories[k] for k in self.categories}
        return Figures(self.closed_won + other.closed_won, self.open_pipeline + other.open_pipeline,
                       self.weighted + other.weighted, self.historical + other.historical,
                       self.cycle_length + other.cycle_length, cats)


def category_rollup(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    """`amounts` per bucket (open categories and `won`) → the cumulative figures sales leaders read."""
    closed = amounts.get("won", ZERO) + amounts.get("closed", ZERO)
    commit = closed + amounts.get("commit", ZERO)
    most_likely = commit + amounts.get("most_likely", ZERO)
    best_case = most_likely + amounts.get("best_case", ZERO)
    pipeline = sum((amounts.get(b, ZERO) for b in OPEN_BUCKETS), ZERO)
    return {"closed": closed, "commit": commit, "most_likely": most_likely, "best_case": best_case,
            "pipeline": pipeline}


def figures(rows: GroupRows, ctx: Context) -> Figures:
    amounts = {bucket: t[0] for bucket, t in rows.totals.items()}
    won = amounts.get("won", ZERO)
    weighted = sum((rows.totals[b][1] for b in OPEN_BUCKETS if b in rows.totals), ZERO)
    historical = sum((amount * win_rate(ctx.stages.get(key, StageRecord(0)), ctx.settings.prior_weight)
                      for key, amount in rows.stages.items()), ZERO)
    cap = Decimal(ctx.settings.cycle_cap_percent) / 100
    by_age = sum((band_value(key, amount, amount_days, ctx.today, ctx.cycle_days, cap)
                  for key, (amount, amount_days) in rows.ages.items()), ZERO)
    cats = category_rollup(amounts)
    return Figures(won, cats["pipeline"], won + weighted, won + historical, won + by_age, cats)


def empty_figures() -> Figures:
    return figures(GroupRows(), Context({}, Decimal(1), 0))


Record = tuple[str, str, str, tuple[str, ...], tuple[Decimal, ...]]  # kind, group, currency, detail, measures


def group_rows(records: list[Record]) -> dict[tuple[str, str], GroupRows]:
    """Aggregate-row records (already summed over the period's months) → rows per (group, currency)."""
    out: dict[tuple[str, str], GroupRows] = {}
    for kind, group, currency, detail, m in records:
        rows = out.setdefault((group, currency), GroupRows())
        if kind == "totals":
            rows.totals[detail[0]] = (m[0], m[1], m[2])
        elif kind == "stages":
            rows.stages[(detail[0], detail[1])] = m[0]
        else:
            rows.ages[detail[0]] = (m[0], m[1])
    return out
