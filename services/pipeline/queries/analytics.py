"""Pipeline analytics read from the summary rows (no deal scans): funnel, velocity and bottlenecks of a slice."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.pipeline.db import analytics_repo as summaries
from services.pipeline.db import org, pipelines_repo
from services.pipeline.domain import figures, slices
from services.pipeline.domain.periods import months_in, previous_period
from services.pipeline.domain.pipelines import Pipeline, missing_pipeline
from services.pipeline.queries.access import scope_for
from shared.db.uow import UnitOfWork
from shared.http.auth import Principal
from shared.visibility import teams_under


@dataclass(frozen=True)
class Ask:
    """One analytics question: the period, the pipeline, and at most one of team, rep or territory."""

    period: str
    pipeline_id: str
    team_id: str | None = None
    rep_id: str | None = None
    territory_id: str | None = None


@dataclass(frozen=True)
class FunnelStep:
    stage: figures.FunnelStage
    dwell: figures.StageDwell


@dataclass(frozen=True)
class Funnel:
    pipeline_id: str
    scope: str
    steps: list[FunnelStep]


@dataclass(frozen=True)
class CurrencyVelocity:
    currency: str
    velocity: figures.Velocity


@dataclass(frozen=True)
class Velocities:
    pipeline_id: str
    scope: str
    items: list[CurrencyVelocity]


@dataclass(frozen=True)
class Bottlenecks:
    pipeline_id: str
    previous_period: str
    scope: str
    stages: list[figures.StageHealth]
    lowest_conversion: figures.StageHealth | None
    longest_dwell: figures.StageHealth | None


async def _scope(session: AsyncSession, who: Principal, ask: Ask) -> tuple[str, list[str]]:
    """The slice's name and the summary slices it sums (a parent team rolls up its sub-teams)."""
    asked = slices.asked_slice(ask.team_id, ask.rep_id, ask.territory_id)
    scope = await scope_for(session, who)
    if not scope.everything:
        asked = asked or slices.own_slice(scope)
        rep_team = await org.team_of(session, str(asked[1])) if asked[0] == "rep" else None
        slices.check_may_read(scope, asked, rep_team)
    name = slices.name_of(asked)
    below = teams_under([name[5:]], await org.parent_links(session)) if name.startswith("team:") else ()
    return name, slices.slices_of(name, below)


async def _pipeline(session: AsyncSession, pipeline_id: str) -> Pipeline:
    pipeline = await pipelines_repo.get_pipeline(session, pipeline_id)
    if pipeline is None:
        raise missing_pipeline(pipeline_id)
    return pipeline


async def funnel(uow: UnitOfWork, who: Principal, ask: Ask) -> Funnel:
    """Deals of the period's cohort entering each stage; conversion to the next stage and to won; dwell."""
    months = months_in(ask.period)
    async with uow:
        scope, parts = await _scope(uow.session, who, ask)
        pipeline = await _pipeline(uow.session, ask.pipeline_id)
        reached = await summaries.reached_by_stage(uow.session, pipeline.id, months, parts)
        dwell = await summaries.dwell_histograms(uow.session, pipeline.id, months, parts)
    steps = [FunnelStep(s, figures.dwell(dwell.get(s.stage_id, []))) for s in figures.funnel(pipeline, reached)]
    return Funnel(pipeline.id, scope, steps)


async def velocity(uow: UnitOfWork, who: Principal, ask: Ask) -> Velocities:
    """Per currency: open deals now × win rate × average won size ÷ cycle days, from the period's closes."""
    months = months_in(ask.period)
    async with uow:
        scope, parts = await _scope(uow.session, who, ask)
        pipeline = await _pipeline(uow.session, ask.pipeline_id)
        closes = await summaries.outcomes(uow.session, pipeline.id, months, parts)
        gauge = await summaries.open_gauge(uow.session, pipeline.id, parts)
    items = []
    for currency in sorted(set(closes) | set(gauge)):
        done, now = closes.get(currency, summaries.Closes()), gauge.get(currency, summaries.OpenNow())
        items.append(CurrencyVelocity(currency, figures.velocity(now.deals, done.won, done.lost, done.won_amount,
                                                                 done.cycle_seconds)))
    return Velocities(pipeline.id, scope, items)


async def _health_inputs(session: AsyncSession, pipeline: Pipeline, period: str, parts: list[str],
                         ) -> tuple[dict[str, Decimal | None], dict[str, Decimal | None]]:
    months = months_in(period)
    reached = await summaries.reached_by_stage(session, pipeline.id, months, parts)
    dwell = await summaries.dwell_histograms(session, pipeline.id, months, parts)
    steps = [s for s in figures.funnel(pipeline, reached) if s.stage_id != pipeline.closing_stage("won").id]
    return ({s.stage_id: s.conversion_to_next for s in steps},
            {s.stage_id: figures.dwell(dwell.get(s.stage_id, [])).mean_days for s in steps})


async def bottlenecks(uow: UnitOfWork, who: Principal, ask: Ask) -> Bottlenecks:
    """The stage converting worst and the one holding deals longest, against the others and the last period."""
    before = previous_period(ask.period)
    async with uow:
        scope, parts = await _scope(uow.session, who, ask)
        pipeline = await _pipeline(uow.session, ask.pipeline_id)
        conversion, days = await _health_inputs(uow.session, pipeline, ask.period, parts)
        old_conversion, old_days = await _health_inputs(uow.session, pipeline, before, parts)
    health = figures.stage_health(conversion, days, old_conversion, old_days)
    lowest, longest = figures.worst(health)
    return Bottlenecks(pipeline.id, before, scope, health, lowest, longest)
