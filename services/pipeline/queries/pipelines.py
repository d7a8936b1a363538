"""Reading pipelines (the default one exists from migration 0004: a read never makes it)."""
from __future__ import annotations

from services.pipeline.db import pipelines_repo as repo
from services.pipeline.db.pipelines_repo import PipelinePage
from services.pipeline.domain.pipelines import Pipeline, missing_pipeline
from shared.db.uow import UnitOfWork


async def list_pipelines(uow: UnitOfWork, after: str | None, limit: int) -> PipelinePage:
    async with uow:
        return await repo.list_pipelines(uow.session, after, limit)


async def read_pipeline(uow: UnitOfWork, pipeline_id: str) -> Pipeline:
    async with uow:
        pipeline = await repo.get_pipeline(uow.session, pipeline_id)
    if pipeline is None:
        raise missing_pipeline(pipeline_id)
    return pipeline
