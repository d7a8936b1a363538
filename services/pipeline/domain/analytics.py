"""The summary rows a deal change moves, worked out from the deal before and after (pure, no I/O).

Conventions: a deal counts in the funnel of the month it was created (its cohort), reaching a stage counts
once per deal and skipping a stage counts as passing it; time in a stage counts in the month the deal left it;
won/lost count in the month of the close (a reopen takes it back there); open deals are a running gauge.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from services.pipeline.domain.deals import Deal
from services.pipeline.domain.pipelines import Pipeline
from shared.periods import month_of

DAY = 86400


@dataclass(frozen=True)
class FunnelStep:
    pipeline_id: str
    month: str
    scope: str
    stage_id: str
    reached: int


@dataclass(frozen=True)
class Dwell:
    pipeline_id: str
    month: str
    scope: str
    stage_id: str
    days: int
    seconds: int


@dataclass(frozen=True)
class OutcomeDelta:
    pipeline_id: str
    month: str
    scope: str
    currency: str
    won: int
    lost: int
    won_amount: Decimal
    cycle_seconds: int


@dataclass(frozen=True)
class OpenDelta:
    pipeline_id: str
    scope: str
    currency: str
    deals: int
    amount: Decimal


@dataclass
class Effects:
    furthest_position: int
    funnel: list[FunnelStep] = field(default_factory=list)
    dwell: list[Dwell] = field(default_factory=list)
    outcomes: list[OutcomeDelta] = field(default_factory=list)
    open: list[OpenDelta] = field(default_factory=list)


def scopes(deal: Deal) -> list[str]:
    """Every slice a deal's figures are kept for: all, its owner, the owner's team, its territory."""
    out = ["all", f"rep:{deal.owner_id}"]
    out += [f"team:{deal.team_id}"] if deal.team_id else []
    out += [f"territory:{deal.territory_id}"] if deal.territory_id else []
    return out


def effects_of(before: Deal | None, after: Deal, pipeline: Pipeline, at: datetime) -> Effects:
    """What one change (creation when `before` is None) adds to or takes from the summary rows."""
    effects = Effects(furthest_position=before.furthest_position if before else 0)
    _progress(effects, after, pipeline)
    if before is not None:
        _dwell(effects, before, after, pipeline, at)
        _outcome(effects, before, after, pipeline)
    effects.open = _open_change(before, after)
    return effects


def _progress(effects: Effects, after: Deal, pipeline: Pipeline) -> None:
    stage = pipeline.stage(after.stage_id)
    cohort = month_of(after.created_at)
    if stage.kind == "lost":
        return
    furthest = effects.furthest_position
    newly = [s for s in pipeline.stages if s.kind != "lost" and furthest < s.position <= stage.position]
    for s in newly:
        effects.funnel += [FunnelStep(pipeline.id, cohort, sc, s.id, 1) for sc in scopes(after)]
    effects.furthest_position = max(effects.furthest_position, stage.position)


def _dwell(effects: Effects, before: Deal, after: Deal, pipeline: Pipeline, at: datetime) -> None:
    if before.stage_id == after.stage_id or pipeline.stage(before.stage_id).kind != "open":
        return
    seconds = max(0, int((at - (before.stage_entered_at or before.created_at)).total_seconds()))
    effects.dwell += [Dwell(pipeline.id, month_of(at), sc, before.stage_id, seconds // DAY, seconds)
                      for sc in scopes(before)]


def _outcome(effects: Effects, before: Deal, after: Deal, pipeline: Pipeline) -> None:
    """A closed deal's row comes out as it was and goes in as it is (close, reopen, or a closed deal's amount)."""
    rows = (_outcome_rows(before, -1) if not before.is_open else []) + (
        _outcome_rows(after, +1) if not after.is_open else [])
    totals: dict[tuple[str, str, str, str], OutcomeDelta] = {}
    for r in rows:
        key = (r.pipeline_id, r.month, r.scope, r.currency)
        was = totals.get(key)
        totals[key] = r if was is None else OutcomeDelta(
            *key, was.won + r.won, was.lost + r.lost, was.won_amount + r.won_amount,
            was.cycle_seconds + r.cycle_seconds)
    effects.outcomes += [r for r in totals.values()
                         if (r.won, r.lost, r.won_amount, r.cycle_seconds) != (0, 0, Decimal(0), 0)]
    if before.status == "won" and after.is_open:  # the win is undone: the cohort's won count comes back down
        won = pipeline.closing_stage("won")
        effects.funnel += [FunnelStep(pipeline.id, month_of(before.created_at), sc, won.id, -1)
                           for sc in scopes(before)]
        effects.furthest_position = won.position - 1


def _outcome_rows(closed: Deal, sign: int) -> list[OutcomeDelta]:
    assert closed.closed_at is not None
    won = closed.status == "won"
    cycle = int((closed.closed_at - closed.created_at).total_seconds()) if won else 0
    return [OutcomeDelta(closed.pipeline_id, month_of(closed.closed_at), sc, closed.currency,
                         sign * won, sign * (not won), sign * closed.amount if won else Decimal(0), sign * cycle)
            for sc in scopes(closed)]


def _open_change(before: Deal | None, after: Deal) -> list[OpenDelta]:
    """The open-deals gauge moves by what the deal holds now less what it held before."""
    totals: dict[tuple[str, str, str], tuple[int, Decimal]] = {}
    for deal, sign in ((before, -1), (after, +1)):
        if deal is None or not deal.is_open:
            continue
        for sc in scopes(deal):
            key = (deal.pipeline_id, sc, deal.currency)
            n, amount = totals.get(key, (0, Decimal(0)))
            totals[key] = (n + sign, amount + sign * deal.amount)
    return [OpenDelta(p, sc, cur, n, amount) for (p, sc, cur), (n, amount) in totals.items()
            if n != 0 or amount != 0]
