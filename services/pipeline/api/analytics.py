"""/v1/analytics: funnel, velocity, bottlenecks and stale deals, read from the summary rows (no deal scans)."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.pipeline.api.access import visibility
from services.pipeline.api.analytics_schemas import (
    BottlenecksOut,
    FunnelOut,
    FunnelStageOut,
    StageHealthOut,
    VelocityOut,
    VelocityPage,
)
from services.pipeline.api.deps import Analyst, StaleAfterDays, Uow
from services.pipeline.api.schemas import DealOut
from services.pipeline.db import analytics_repo as summaries
from services.pipeline.db import org, pipelines_repo
from services.pipeline.db import repository as repo
from services.pipeline.domain import figures
from services.pipeline.domain.periods import months_in, previous_period
from services.pipeline.domain.pipelines import Pipeline, missing_pipeline
from shared.errors import ForbiddenError, InvalidInput
from shared.http.auth import Principal
from shared.http.pagination import Cursor, Limit, Page, after_id, encode_cursor

router = APIRouter(prefix="/analytics", tags=["analytics"])
PipelineId = Annotated[str, Query(description="the pipeline; the default one unless told")]
Period = Annotated[str, Query(description="2026, 2026-Q4 or 2026-11")]


async def _scope(session: AsyncSession, who: Principal, team_id: str | None, rep_id: str | None,
                 territory_id: str | None) -> str:
    """One slice at most; a rep reads their own figures, a manager their teams' and their reps'."""
    given = (("team", team_id), ("rep", rep_id), ("territory", territory_id))
    asked: list[tuple[str, str | None]] = [(k, v) for k, v in given if v]
    if len(asked) > 1:
        raise InvalidInput(asked[1][0] + "_id", "ask for one of team_id, rep_id or territory_id")
    scope = await visibility(session, who)
    if scope is not None and not asked:
        asked = [("rep", scope.rep_id)] if not scope.team_ids else [("team", sorted(scope.team_ids)[0])]
    if scope is not None:
        kind, value = asked[0]
        allowed = ((kind == "rep" and value == scope.rep_id) or (kind == "team" and value in scope.team_ids)
                   or (kind == "rep" and await org.team_of(session, str(value)) in scope.team_ids))
        if not allowed:
            raise ForbiddenError("a rep reads their own figures, a manager their teams'")
    return "all" if not asked else f"{asked[0][0]}:{asked[0][1]}"


async def _slices(session: AsyncSession, scope: str) -> list[str]:
    """The summary slices a scope reads: a team's own and every sub-team's (parents roll up their teams)."""
    if not scope.startswith("team:"):
        return [scope]
    return sorted(f"team:{t}" for t in await org.with_sub_teams(session, frozenset({scope[5:]})))


async def _pipeline(uow: Uow, pipeline_id: str) -> Pipeline:
    pipeline = await pipelines_repo.pipeline_or_default(uow.session, pipeline_id, uow.clock)
    if pipeline is None:
        raise missing_pipeline(pipeline_id)
    return pipeline


@router.get("/funnel", response_model=FunnelOut)
async def funnel(uow: Uow, who: Analyst, period: Period, pipeline_id: PipelineId = "default",
                 team_id: str | None = None, rep_id: str | None = None,
                 territory_id: str | None = None) -> FunnelOut:
    """Deals of the period's cohort entering each stage; conversion to the next stage and to won."""
    months = months_in(period)
    async with uow:
        scope = await _scope(uow.session, who, team_id, rep_id, territory_id)
        slices = await _slices(uow.session, scope)
        pipeline = await _pipeline(uow, pipeline_id)
        reached = await summaries.reached_by_stage(uow.session, pipeline.id, months, slices)
        dwell = await summaries.dwell_histograms(uow.session, pipeline.id, months, slices)
        await uow.commit()
    stages = []
    for s in figures.funnel(pipeline, reached):
        d = figures.dwell(dwell.get(s.stage_id, []))
        stages.append(FunnelStageOut(**vars(s), mean_days=d.mean_days, median_days=d.median_days))
    return FunnelOut(pipeline_id=pipeline.id, period=period, scope=scope, stages=stages)


@router.get("/velocity", response_model=VelocityPage)
async def velocity(uow: Uow, who: Analyst, period: Period, pipeline_id: PipelineId = "default",
                   team_id: str | None = None, rep_id: str | None = None,
                   territory_id: str | None = None) -> VelocityPage:
    """Per currency: open deals now × win rate × average won size ÷ cycle days, from the period's closes."""
    months = months_in(period)
    async with uow:
        scope = await _scope(uow.session, who, team_id, rep_id, territory_id)
        pipeline = await _pipeline(uow, pipeline_id)
        slices = await _slices(uow.session, scope)
        closes = await summaries.outcomes(uow.session, pipeline.id, months, slices)
        gauge = await summaries.open_gauge(uow.session, pipeline.id, slices)
        await uow.commit()
    items = []
    for currency in sorted(set(closes) | set(gauge)):
        won, lost, amount, cycle = closes.get(currency, (0, 0, 0, 0))
        v = figures.velocity(gauge.get(currency, (0, 0))[0], won, lost, amount, cycle)  # type: ignore[arg-type]
        items.append(VelocityOut(currency=currency, **vars(v)))
    return VelocityPage(pipeline_id=pipeline.id, period=period, scope=scope, items=items)


async def _health_inputs(session: AsyncSession, pipeline: Pipeline, period: str,
                         scope: str) -> tuple[dict[str, figures.Decimal | None], dict[str, figures.Decimal | None]]:
    months = months_in(period)
    slices = await _slices(session, scope)
    reached = await summaries.reached_by_stage(session, pipeline.id, months, slices)
    dwell = await summaries.dwell_histograms(session, pipeline.id, months, slices)
    steps = [s for s in figures.funnel(pipeline, reached) if s.stage_id != pipeline.closing_stage("won").id]
    return ({s.stage_id: s.conversion_to_next for s in steps},
            {s.stage_id: figures.dwell(dwell.get(s.stage_id, [])).mean_days for s in steps})


@router.get("/bottlenecks", response_model=BottlenecksOut)
async def bottlenecks(uow: Uow, who: Analyst, period: Period, pipeline_id: PipelineId = "default",
                      team_id: str | None = None, rep_id: str | None = None,
                      territory_id: str | None = None) -> BottlenecksOut:
    """The stage converting worst and the one holding deals longest, against the others and the last period."""
    before = previous_period(period)
    async with uow:
        scope = await _scope(uow.session, who, team_id, rep_id, territory_id)
        pipeline = await _pipeline(uow, pipeline_id)
        conversion, days = await _health_inputs(uow.session, pipeline, period, scope)
        old_conversion, old_days = await _health_inputs(uow.session, pipeline, before, scope)
        await uow.commit()
    health = figures.stage_health(conversion, days, old_conversion, old_days)
    lowest, longest = figures.worst(health)
    out = [StageHealthOut(**vars(h)) for h in health]
    return BottlenecksOut(pipeline_id=pipeline.id, period=period, previous_period=before, scope=scope,
                          lowest_conversion=StageHealthOut(**vars(lowest)) if lowest else None,
                          longest_dwell=StageHealthOut(**vars(longest)) if longest else None, stages=out)


@router.get("/stale", response_model=Page[DealOut])
async def stale(uow: Uow, who: Analyst, default_days: StaleAfterDays, pipeline_id: str | None = None,
                idle_days: Annotated[int | None, Query(ge=1, le=3650)] = None, limit: Limit = 50,
                cursor: Cursor = None) -> Page[DealOut]:
    """Open deals past their expected close date, or idle in their stage longer than idle_days."""
    after = after_id(cursor)
    async with uow:
        now = uow.clock.now()
        days = idle_days or default_days
        found = await repo.stale_deals(uow.session, today=now.date(), idle_since=now - timedelta(days=days),
                                       pipeline_id=pipeline_id, who=await visibility(uow.session, who),
                                       after=after, limit=limit + 1)
    items = [DealOut.of(d) for d in found[:limit]]
    return Page[DealOut](items=items, next_cursor=encode_cursor({"after": items[-1].id})
                         if len(found) > limit else None)
