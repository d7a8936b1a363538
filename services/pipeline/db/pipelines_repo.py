"""Loading and saving pipelines with their ordered stages."""
from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.pipeline.db.models import deals, pipelines, stages
from services.pipeline.domain.pipelines import DEFAULT_PIPELINE_ID, Pipeline, Stage, StalePipeline, default_pipeline
from shared.clock import Clock
from shared.db.upsert import insert_for


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


async def list_pipelines(session: AsyncSession, after: str | None, limit: int) -> list[Pipeline]:
    query = select(pipelines.c.id).order_by(pipelines.c.id).limit(limit)
    ids = (await session.execute(query.where(pipelines.c.id > after) if after else query)).scalars().all()
    return [p for p in [await get_pipeline(session, i) for i in ids] if p is not None]


async def add_pipeline(session: AsyncSession, pipeline: Pipeline) -> None:
    await session.execute(insert(pipelines).values(id=pipeline.id, name=pipeline.name,
                                                   created_at=pipeline.created_at, version=pipeline.version))
    await session.execute(insert(stages), _stage_rows(pipeline))


async def replace_pipeline(session: AsyncSession, pipeline: Pipeline, *, expected_version: int) -> None:
    result = await session.execute(update(pipelines).where(pipelines.c.id == pipeline.id,
                                                           pipelines.c.version == expected_version)
                                   .values(name=pipeline.name, version=pipeline.version))
    if result.rowcount != 1:  # type: ignore[attr-defined]
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


async def pipeline_or_default(session: AsyncSession, pipeline_id: str | None, clock: Clock) -> Pipeline | None:
    """The pipeline asked for; without one, the default pipeline, created on first use."""
    if pipeline_id is not None and pipeline_id != DEFAULT_PIPELINE_ID:
        return await get_pipeline(session, pipeline_id)
    found = await get_pipeline(session, DEFAULT_PIPELINE_ID)
    if found is not None:
        return found
    made = default_pipeline(clock.now())
    head = {"id": made.id, "name": made.name, "created_at": made.created_at, "version": 1}
    await session.execute(insert_for(session, pipelines).values(head).on_conflict_do_nothing())
    await session.execute(insert_for(session, stages).values(_stage_rows(made)).on_conflict_do_nothing())
    return await get_pipeline(session, DEFAULT_PIPELINE_ID)
