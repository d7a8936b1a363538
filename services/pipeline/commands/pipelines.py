"""Pipeline commands: create, change (from the version read), delete (never the default, never one with deals)."""
from __future__ import annotations

from services.pipeline.db import pipelines_repo as repo
from services.pipeline.domain.pipelines import (
    Pipeline,
    Stage,
    build_pipeline,
    check_deletable,
    missing_pipeline,
    revise_pipeline,
)
from shared.db.uow import UnitOfWork, command
from shared.errors import ConflictError


@command
async def create_pipeline(uow: UnitOfWork, pipeline_id: str, name: str, stages: list[Stage]) -> Pipeline:
    async with uow:
        pipeline = build_pipeline(pipeline_id, name, stages, uow.clock.now())
        if await repo.get_pipeline(uow.session, pipeline.id) is not None:
            raise ConflictError(f"pipeline {pipeline.id} already exists; PUT /v1/pipelines/{pipeline.id} changes it")
        await repo.add_pipeline(uow.session, pipeline)
        await uow.commit()
        return pipeline


@command
async def change_pipeline(uow: UnitOfWork, pipeline_id: str, name: str, stages: list[Stage],
                          expected_version: int | None) -> Pipeline:
    """Rename, reorder, add or re-weigh stages; a stage holding deals cannot be removed."""
    async with uow:
        old = await repo.get_pipeline(uow.session, pipeline_id)
        if old is None:
            raise missing_pipeline(pipeline_id)
        new = revise_pipeline(old, name, stages, expected_version, await repo.stages_in_use(uow.session, pipeline_id))
        await repo.replace_pipeline(uow.session, new, expected_version=old.version)
        await uow.commit()
        return new


@command
async def delete_pipeline(uow: UnitOfWork, pipeline_id: str) -> None:
    async with uow:
        if await repo.get_pipeline(uow.session, pipeline_id) is None:
            raise missing_pipeline(pipeline_id)
        check_deletable(pipeline_id, await repo.deal_count(uow.session, pipeline_id))
        await repo.remove_pipeline(uow.session, pipeline_id)
        await uow.commit()
