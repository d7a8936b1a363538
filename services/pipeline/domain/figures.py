"""Pipeline figures from the summary rows: funnel conversion, time in stage, win rate, velocity, bottlenecks."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from services.pipeline.domain.pipelines import Pipeline

DAY = Decimal(86400)
RATE, DAYS, CENTS = Decimal("0.0001"), Decimal("0.01"), Decimal("0.01")


def ratio(part: int | Decimal, whole: int | Decimal, places: Decimal = RATE) -> Decimal | None:
    return None if not whole else (Decimal(part) / Decimal(whole)).quantize(places, ROUND_HALF_UP)


@dataclass(frozen=True)
class FunnelStage:
    stage_id: str
    name: str
    entered: int
    conversion_to_next: Decimal | None
    conversion_to_won: Decimal | None


def funnel(pipeline: Pipeline, reached: dict[str, int]) -> list[FunnelStage]:
    """Each open stage in order, then closed-won; next of the last open stage is closed-won."""
    won = pipeline.closing_stage("won")
    chain = [*pipeline.open_stages, won]
    out = []
    for i, stage in enumerate(chain):
        entered = reached.get(stage.id, 0)
        following = reached.get(chain[i + 1].id, 0) if i + 1 < len(chain) else None
        out.append(FunnelStage(stage.id, stage.name, entered,
                               None if following is None else ratio(following, entered),
                               ratio(reached.get(won.id, 0), entered)))
    return out


@dataclass(frozen=True)
class StageDwell:
    deals: int
    mean_days: Decimal | None
    median_days: Decimal | None


def dwell(histogram: list[tuple[int, int, int]]) -> StageDwell:
    """(whole days, deals, seconds) rows → mean from the exact seconds, median in whole days."""
    deals = sum(n for _, n, _ in histogram)
    if deals == 0:
        return StageDwell(0, None, None)
    seconds = sum(s for _, _, s in histogram)
    mean = (Decimal(seconds) / deals / DAY).quantize(DAYS, ROUND_HALF_UP)
    return StageDwell(deals, mean, _median(sorted((d, n) for d, n, _ in histogram if n > 0), deals))


def _median(counts: list[tuple[int, int]], total: int) -> Decimal:
    def nth(k: int) -> int:  # the k-th (0-based) smallest dwell, in days
        seen = 0
        for days, n in counts:
            seen += n
            if k < seen:
                return days
        return counts[-1][0]

    low, high = nth((total - 1) // 2), nth(total // 2)
    return (Decimal(low + high) / 2).quantize(DAYS, ROUND_HALF_UP)


@dataclass(frozen=True)
class Velocity:
    open_deals: int
    won: int
    lost: int
    win_rate: Decimal | None
    average_deal_size: Decimal | None
    cycle_days: Decimal | None
    velocity_per_day: Decimal | None


def velocity(open_deals: int, won: int, lost: int, won_amount: Decimal, cycle_seconds: int) -> Velocity:
    """open deals × win rate × average won size ÷ average days from creation to closed-won."""
    win_rate = ratio(won, won + lost)
    size = (won_amount / won).quantize(CENTS, ROUND_HALF_UP) if won else None
    cycle = (Decimal(cycle_seconds) / won / DAY).quantize(DAYS, ROUND_HALF_UP) if won else None
    speed = None
    if won and cycle:
        # = open × (won ÷ (won+lost)) × (won_amount ÷ won) ÷ (cycle_seconds ÷ won ÷ DAY), rearranged exactly
        exact = Decimal(open_deals) * won_amount * DAY * won / (Decimal(won + lost) * cycle_seconds)
        speed = exact.quantize(CENTS, ROUND_HALF_UP)
    return Velocity(open_deals, won, lost, win_rate, size, cycle, speed)


@dataclass(frozen=True)
class StageHealth:
    stage_id: str
    conversion_to_next: Decimal | None
    previous_conversion: Decimal | None
    conversion_vs_others: Decimal | None  # this stage's conversion less the mean of the other stages'
    mean_days: Decimal | None
    previous_mean_days: Decimal | None
    dwell_vs_others: Decimal | None  # this stage's mean dwell ÷ the mean of the other stages'


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def stage_health(conversion: dict[str, Decimal | None], days: dict[str, Decimal | None],
                 before_conversion: dict[str, Decimal | None], before_days: dict[str, Decimal | None],
                 ) -> list[StageHealth]:
    out = []
    for stage_id in conversion:
        conv, mean = conversion[stage_id], days.get(stage_id)
        other_conv = _mean([v for k, v in conversion.items() if k != stage_id and v is not None])
        other_days = _mean([v for k, v in days.items() if k != stage_id and v is not None])
        out.append(StageHealth(
            stage_id, conv, before_conversion.get(stage_id),
            None if conv is None or other_conv is None else (conv - other_conv).quantize(RATE, ROUND_HALF_UP),
            mean, before_days.get(stage_id),
            None if mean is None or not other_days else ratio(mean, other_days, DAYS)))
    return out


def worst(health: list[StageHealth]) -> tuple[StageHealth | None, StageHealth | None]:
    """The stage with the lowest conversion and the one with the longest mean dwell."""
    converting = [h for h in health if h.conversion_to_next is not None]
    dwelling = [h for h in health if h.mean_days is not None]
    lowest = min(converting, key=lambda h: h.conversion_to_next or 0) if converting else None
    longest = max(dwelling, key=lambda h: h.mean_days or 0) if dwelling else None
    return lowest, longest
