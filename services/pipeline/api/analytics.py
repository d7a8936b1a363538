"""/v1/analytics: funnel, velocity, bottlenecks and stale deals, read from the summary rows (no deal scans)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.pipeline.api.analytics_schemas import (
    BottlenecksOut,
    FunnelOut,
    FunnelStageOut,
    StageHealthOut,
    VelocityOut,
    VelocityPage,
)
from services.pipeline.api.deps import StaleAfterDays
from services.pipeline.api.schemas import DealOut
from services.pipeline.queries import analytics as reads
from services.pipeline.queries import deals as deal_reads
from shared.http.deps import Person, Uow
from shared.http.pagination import Cursor, Limit, Page, after_id, encode_cursor

router = APIRouter(prefix="/analytics", tags=["analytics"])
PipelineId = Annotated[str, Query(description="the pipeline; the default one unless told")]
Period = Annotated[str, Query(description="2026, 2026-Q4 or 2026-11")]


@router.get("/funnel", response_model=FunnelOut)
async def funnel(uow: Uow, who: Person, period: Period, pipeline_id: PipelineId = "default",
                 team_id: str | None = None, rep_id: str | None = None,
                 territory_id: str | None = None) -> FunnelOut:
    """Deals of the period's cohort entering each stage; conversion to the next stage and to won."""
    found = await reads.funnel(uow, who, reads.Ask(period, pipeline_id, team_id, rep_id, territory_id))
    stages = [FunnelStageOut(**vars(s.stage), mean_days=s.dwell.mean_days, median_days=s.dwell.median_days)
              for s in found.steps]
    return FunnelOut(pipeline_id=found.pipeline_id, period=period, scope=found.scope, stages=stages)


@router.get("/velocity", response_model=VelocityPage)
async def velocity(uow: Uow, who: Person, period: Period, pipeline_id: PipelineId = "default",
                   team_id: str | None = None, rep_id: str | None = None,
                   territory_id: str | None = None) -> VelocityPage:
    """Per currency: open deals now × win rate × average won size ÷ cycle days, from the period's closes."""
    found = await reads.velocity(uow, who, reads.Ask(period, pipeline_id, team_id, rep_id, territory_id))
    items = [VelocityOut(currency=v.currency, **vars(v.velocity)) for v in found.items]
    return VelocityPage(pipeline_id=found.pipeline_id, period=period, scope=found.scope, items=items)


@router.get("/bottlenecks", response_model=BottlenecksOut)
async def bottlenecks(uow: Uow, who: Person, period: Period, pipeline_id: PipelineId = "default",
                      team_id: str | None = None, rep_id: str | None = None,
                      territory_id: str | None = None) -> BottlenecksOut:
    """The stage converting worst and the one holding deals longest, against the others and the last period."""
    found = await reads.bottlenecks(uow, who, reads.Ask(period, pipeline_id, team_id, rep_id, territory_id))
    lowest, longest = found.lowest_conversion, found.longest_dwell
    return BottlenecksOut(pipeline_id=found.pipeline_id, period=period, previous_period=found.previous_period,
                          scope=found.scope, lowest_conversion=StageHealthOut(**vars(lowest)) if lowest else None,
                          longest_dwell=StageHealthOut(**vars(longest)) if longest else None,
                          stages=[StageHealthOut(**vars(h)) for h in found.stages])


@router.get("/stale", response_model=Page[DealOut])
async def stale(uow: Uow, who: Person, default_days: StaleAfterDays, pipeline_id: str | None = None,
                idle_days: Annotated[int | None, Query(ge=1, le=3650)] = None, limit: Limit = 50,
                cursor: Cursor = None) -> Page[DealOut]:
    """Open deals past their expected close date, or idle in their stage longer than idle_days."""
    found = await deal_reads.stale_deals(uow, who, idle_days=idle_days or default_days, pipeline_id=pipeline_id,
                                         after=after_id(cursor), limit=limit)
    return Page[DealOut](items=[DealOut.of(d) for d in found.deals],
                         next_cursor=encode_cursor({"after": found.next_after}) if found.next_after else None)
