"""/v1/pipelines: several pipelines, each with ordered stages. Ops and admin change them; everyone reads."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.pipeline.api.pipeline_schemas import NewPipelineIn, PipelineIn, PipelineOut
from services.pipeline.commands import pipelines as commands
from services.pipeline.domain.pipelines import Pipeline, StalePipeline
from services.pipeline.queries import pipelines as reads
from shared.http import preconditions
from shared.http.deps import Operator, Reader, Uow
from shared.http.pagination import Cursor, Limit, Page, after_id, encode_cursor
from shared.http.preconditions import IfMatch, IfNoneMatch, if_match_guard, version_etag

router = APIRouter(prefix="/pipelines", tags=["pipelines"])
MAX_VERSION = 2**31 - 1


def _answer(pipeline: Pipeline, response: Response) -> PipelineOut:
    out = PipelineOut.of(pipeline)
    response.headers["ETag"] = version_etag(out.version)
    return out


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PipelineOut)
async def create_pipeline(body: NewPipelineIn, uow: Uow, _: Operator, response: Response) -> PipelineOut:
    pipeline = await commands.create_pipeline(uow, body.id or str(uuid.uuid4()), body.name,
                                              [s.stage() for s in body.stages])
    return _answer(pipeline, response)


@router.get("", response_model=Page[PipelineOut])
async def list_pipelines(uow: Uow, _: Reader, limit: Limit = 50, cursor: Cursor = None) -> Page[PipelineOut]:
    found = await reads.list_pipelines(uow, after_id(cursor), limit)
    return Page[PipelineOut](items=[PipelineOut.of(p) for p in found.pipelines],
                             next_cursor=encode_cursor({"after": found.next_after}) if found.next_after else None)


@router.get("/{pipeline_id}", response_model=PipelineOut,
            responses={304: {"description": "If-None-Match names the current ETag: nothing changed"}})
async def read_pipeline(pipeline_id: str, uow: Uow, _: Reader, response: Response,
                        if_none_match: IfNoneMatch = None) -> PipelineOut | Response:
    pipeline = await reads.read_pipeline(uow, pipeline_id)
    if preconditions.not_modified(if_none_match, version_etag(pipeline.version)):
        return preconditions.not_modified_response(version_etag(pipeline.version))
    return _answer(pipeline, response)


@router.put("/{pipeline_id}", response_model=PipelineOut)
async def change_pipeline(pipeline_id: str, body: PipelineIn, uow: Uow, _: Operator, response: Response,
                          if_match: IfMatch = None) -> PipelineOut:
    """Rename, reorder, add or re-weigh stages; a stage holding deals cannot be removed."""
    expected = preconditions.expected_version(if_match, body.version, MAX_VERSION)
    with if_match_guard(if_match, StalePipeline):
        new = await commands.change_pipeline(uow, pipeline_id, body.name, [s.stage() for s in body.stages], expected)
    return _answer(new, response)


@router.delete("/{pipeline_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_pipeline(pipeline_id: str, uow: Uow, _: Operator) -> Response:
    await commands.delete_pipeline(uow, pipeline_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
