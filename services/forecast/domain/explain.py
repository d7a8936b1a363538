"""One deal's number under each method, and why."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.forecast.domain.deals import WON, DealState
from services.forecast.domain.methods import Context, StageRecord, cycle_probability, win_rate
from services.forecast.domain.periods import day_number

ROLLUP_OF = {"closed": "commit", "commit": "commit", "most_likely": "most_likely", "best_case": "best_case",
             "pipeline": "pipeline", "omitted": "none"}


@dataclass(frozen=True)
class MethodAnswer:
    method: str
    amount: Decimal
    probability: Decimal  # 0..1
    why: str


def explain(deal: DealState, ctx: Context) -> list[MethodAnswer]:
    if not deal.is_open:
        value = deal.amount if deal.status == WON else Decimal(0)
        share = Decimal(1) if deal.status == WON else Decimal(0)
        why = f"closed {deal.status}: {'the whole amount counts' if deal.status == WON else 'nothing counts'}"
        return [MethodAnswer(m, value, share, why) for m in ("weighted", "category", "historical", "cycle_length")]
    if deal.category == "omitted":
        why = "forecast category omitted: left out of every forecast"
        return [MethodAnswer(m, Decimal(0), Decimal(0), why)
                for m in ("weighted", "category", "historical", "cycle_length")]
    return [_weighted(deal), _category(deal), _historical(deal, ctx), _cycle(deal, ctx)]


def _weighted(deal: DealState) -> MethodAnswer:
    p = Decimal(deal.probability) / 100
    return MethodAnswer("weighted", deal.amount * p, p,
                        f"amount {deal.amount} × stage {deal.stage_id} probability {deal.probability}%")


def _category(deal: DealState) -> MethodAnswer:
    counted = ROLLUP_OF[deal.category] == "commit"
    why = (f"forecast category {deal.category}: counts in the commit figure" if counted else
           f"forecast category {deal.category}: counts in {ROLLUP_OF[deal.category]}, not in commit")
    return MethodAnswer("category", deal.amount if counted else Decimal(0), Decimal(int(counted)), why)


def _historical(deal: DealState, ctx: Context) -> MethodAnswer:
    record = ctx.stages.get((deal.pipeline_id, deal.stage_id), StageRecord(deal.probability))
    rate = win_rate(record, ctx.settings.prior_weight)
    k = ctx.settings.prior_weight
    why = (f"from stage {deal.stage_id} of pipeline {deal.pipeline_id}: {record.wins} won and {record.losses} "
           f"lost, smoothed by {k} prior deals at {record.probability}%: ({record.wins} + {k}×{record.probability}%)"
           f" / ({record.wins} + {record.losses} + {k}) = {rate:.4f}")
    return MethodAnswer("historical", deal.amount * rate, rate, why)


def _cycle(deal: DealState, ctx: Context) -> MethodAnswer:
    age = Decimal(ctx.today - day_number(deal.created_at.date()))
    p = cycle_probability(age, ctx.cycle_days, ctx.settings)
    why = (f"worked for {age} days of an average won cycle of {ctx.cycle_days:.1f} days "
           f"(capped at {ctx.settings.cycle_cap_percent}% until it closes)")
    return MethodAnswer("cycle_length", deal.amount * p, p, why)
