"""Loading and saving pipelines with their ordered stages."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.pipeline.db.models import deals, pipelines, stages
from services.pipeline.domain.pipelines import Pipeline, Stage, StalePipeline
from shared.db.paging import keyset_window


def _stage_rows(pipeline: Pipeline) -> list[dict[str, object]]:
    return [{"pipeline_id": pipeline.id, "id": s.id, "position": s.position, "name": s.name,
             "probability": s.probability, "forecast_category": s.forecast_category, "kind": s.kind}
            for s in pipeline.stages]


async def get_pipeline(session: AsyncSession, pipeline_id: str) -> Pipeline | None:
    head = (await session.execute(select(pipelines).where(pipelines.c.id == pipeline_id))).first()
    if head is None:
        return None
    rows = await session.execute(select(stages).where(stages.c.pipeline_id == pipeline_id)
                                 .order_by(stages.c.position))
    return Pipeline(head.id, head.name, tuple(Stage(r.id, r.name, r.probability, r.forecast_category, r.kind,
                                                    r.position) for r in rows), head.created_at, head.version)


@dataclass(frozen=True)
class PipelinePage:
    pipelines: list[Pipeline]
    next_after: str | None


async def list_pipelines(session: AsyncSession, after: str | None, limit: int) -> PipelinePage:
    window = await keyset_window(session, select(pipelines.c.id), [pipelines.c.id], (after,) if after else None,
                                 limit)
    found = [await get_pipeline(session, r.id) for r in window.rows]
    return PipelinePage([p for p in found if p is not None], str(window.next_after[0]) if window.next_after else None)


async def add_pipeline(session: AsyncSession, pipeline: Pipeline) -> None:
    await session.execute(insert(pipelines).values(id=pipeline.id, name=pipeline.name,
                                                   created_at=pipeline.created_at, version=pipeline.version))
    await session.execute(insert(stages), _stage_rows(pipeline))


async def replace_pipeline(session: AsyncSession, pipeline: Pipeline, *, expected_version: int) -> None:
    result = await session.execute(update(pipelines).where(pipelines.c.id == pipeline.id,
                                                           pipelines.c.version == expected_version)
                                   .values(name=pipeline.name, version=pipeline.version))
    if cast(CursorResult[Any], result).rowcount != 1:
        raise StalePipeline(f"pipeline {pipeline.id} was changed by someone else")
    await session.execute(delete(stages).where(stages.c.pipeline_id == pipeline.id))
    await session.execute(insert(stages), _stage_rows(pipeline))


async def remove_pipeline(session: AsyncSession, pipeline_id: str) -> None:
    await session.execute(delete(stages).where(stages.c.pipeline_id == pipeline_id))
    await session.execute(delete(pipelines).where(pipelines.c.id == pipeline_id))


async def stages_in_use(session: AsyncSession, pipeline_id: str) -> set[str]:
    rows = await session.execute(select(deals.c.stage_id, deals.c.last_open_stage_id)
                                 .where(deals.c.pipeline_id == pipeline_id).distinct())
    return {s for r in rows for s in (r.stage_id, r.last_open_stage_id) if s}


async def deal_count(session: AsyncSession, pipeline_id: str) -> int:
    query = select(func.count()).select_from(deals).where(deals.c.pipeline_id == pipeline_id)
    return int((await session.execute(query)).scalar_one())
