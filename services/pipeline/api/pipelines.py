"""/v1/pipelines: several pipelines, each with ordered stages. Ops and admin change them; everyone reads."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.pipeline.api.deps import Organiser, Reader, Uow
from services.pipeline.api.pipeline_schemas import NewPipelineIn, PipelineIn, PipelineOut
from services.pipeline.db import pipelines_repo as repo
from services.pipeline.domain.pipelines import (
    DEFAULT_PIPELINE_ID,
    StalePipeline,
    build_pipeline,
    check_stage_removal,
    missing_pipeline,
)
from shared.errors import ConflictError, InvalidInput
from shared.http import preconditions
from shared.http.pagination import Cursor, Limit, Page, after_id, encode_cursor
from shared.http.preconditions import IfMatch, IfNoneMatch, if_match_guard, version_etag

router = APIRouter(prefix="/pipelines", tags=["pipelines"])
MAX_VERSION = 2**31 - 1


def _answer(pipeline: object, response: Response) -> PipelineOut:
    out = PipelineOut.of(pipeline)  # type: ignore[arg-type]
    response.headers["ETag"] = version_etag(out.version)
    return out


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PipelineOut)
async def create_pipeline(body: NewPipelineIn, uow: Uow, _: Organiser, response: Response) -> PipelineOut:
    async with uow:
        pipeline = build_pipeline(body.id or str(uuid.uuid4()), body.name, [s.stage() for s in body.stages],
                                  uow.clock.now())
        if await repo.get_pipeline(uow.session, pipeline.id) is not None:
            raise ConflictError(f"pipeline {pipeline.id} already exists; PUT /v1/pipelines/{pipeline.id} changes it")
        await repo.add_pipeline(uow.session, pipeline)
        await uow.commit()
    return _answer(pipeline, response)


@router.get("", response_model=Page[PipelineOut])
async def list_pipelines(uow: Uow, _: Reader, limit: Limit = 50, cursor: Cursor = None) -> Page[PipelineOut]:
    after = after_id(cursor)
    async with uow:
        await repo.pipeline_or_default(uow.session, None, uow.clock)
        found = await repo.list_pipelines(uow.session, after, limit + 1)
        await uow.commit()
    items = [PipelineOut.of(p) for p in found[:limit]]
    return Page[PipelineOut](items=items, next_cursor=encode_cursor({"after": items[-1].id})
                             if len(found) > limit else None)


@router.get("/{pipeline_id}", response_model=PipelineOut,
            responses={304: {"description": "If-None-Match names the current ETag: nothing changed"}})
async def read_pipeline(pipeline_id: str, uow: Uow, _: Reader, response: Response,
                        if_none_match: IfNoneMatch = None) -> PipelineOut | Response:
    async with uow:
        pipeline = await repo.pipeline_or_default(uow.session, pipeline_id, uow.clock)
        await uow.commit()
    if pipeline is None:
        raise missing_pipeline(pipeline_id)
    if preconditions.not_modified(if_none_match, version_etag(pipeline.version)):
        return preconditions.not_modified_response(version_etag(pipeline.version))
    return _answer(pipeline, response)


@router.put("/{pipeline_id}", response_model=PipelineOut)
async def change_pipeline(pipeline_id: str, body: PipelineIn, uow: Uow, _: Organiser, response: Response,
                          if_match: IfMatch = None) -> PipelineOut:
    """Rename, reorder, add or re-weigh stages; a stage holding deals cannot be removed."""
    expected = preconditions.expected_version(if_match, body.version, MAX_VERSION)
    async with uow:
        old = await repo.pipeline_or_default(uow.session, pipeline_id, uow.clock)
        if old is None:
            raise missing_pipeline(pipeline_id)
        with if_match_guard(if_match, StalePipeline):
            if expected is not None and expected != old.version:
                raise StalePipeline(f"pipeline {pipeline_id} is at version {old.version}, not {expected}")
            new = build_pipeline(pipeline_id, body.name, [s.stage() for s in body.stages], old.created_at,
                                 old.version + 1)
            check_stage_removal(old, new, await repo.stages_in_use(uow.session, pipeline_id))
            await repo.replace_pipeline(uow.session, new, expected_version=old.version)
        await uow.commit()
    return _answer(new, response)


@router.delete("/{pipeline_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_pipeline(pipeline_id: str, uow: Uow, _: Organiser) -> Response:
    async with uow:
        if await repo.get_pipeline(uow.session, pipeline_id) is None:
            raise missing_pipeline(pipeline_id)
        if pipeline_id == DEFAULT_PIPELINE_ID:
            raise InvalidInput("pipeline_id", "the default pipeline cannot be deleted")
        if await repo.deal_count(uow.session, pipeline_id):
            raise ConflictError(f"pipeline {pipeline_id} holds deals; it cannot be deleted")
        await repo.remove_pipeline(uow.session, pipeline_id)
        await uow.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
