"""/v1/deals: create, list, read, change (PATCH with a version), stage moves, close, reopen, history."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from services.pipeline.api.deps import PublishesDealClosedV2
from services.pipeline.api.schemas import (
    MAX_VERSION,
    CloseIn,
    DealIn,
    DealOut,
    DealPatch,
    HistoryOut,
    ReopenIn,
    StageIn,
    splits_of,
)
from services.pipeline.commands import deals as commands
from services.pipeline.db.repository import DealFilter
from services.pipeline.domain.deals import Deal, StaleVersion
from services.pipeline.queries import deals as reads
from shared.errors import InvalidInput
from shared.http import preconditions
from shared.http.deps import Reader, Uow
from shared.http.pagination import Cursor, Limit, Page, after_id, encode_cursor
from shared.http.preconditions import IfMatch, IfNoneMatch, if_match_guard, version_etag
from shared.input_types import IsoDate

router = APIRouter(prefix="/deals", tags=["deals"])
# Each write's answer carries the new version as its ETag; If-Match with an older one is a 412
# (shared/http/preconditions.py), a stale `version` in the body stays a 409.


def expected_version(if_match: str | None, body_version: int | None) -> int | None:
    return preconditions.expected_version(if_match, body_version, MAX_VERSION)


def _answer(deal: Deal, response: Response) -> DealOut:
    out = DealOut.of(deal)
    response.headers["ETag"] = version_etag(out.version)
    return out


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DealOut)
async def create_deal(body: DealIn, uow: Uow, who: Reader, response: Response) -> DealOut:
    cmd = commands.CreateDeal(
        name=body.name, amount=body.amount, currency=body.currency, owner_id=body.owner_id, company=body.company,
        territory_id=body.territory_id, expected_close_date=body.expected_close_date, lead_id=body.lead_id,
        splits=splits_of(body.splits), pipeline_id=body.pipeline_id, stage_id=body.stage_id, actor=who.sub)
    return _answer(await commands.create_deal(uow, who, cmd), response)


@router.get("", response_model=Page[DealOut])
async def list_deals(uow: Uow, who: Reader, limit: Limit = 50, cursor: Cursor = None,
                     pipeline_id: str | None = None, stage_id: str | None = None,
                     deal_status: Annotated[Literal["open", "won", "lost"] | None, Query(alias="status")] = None,
                     owner_id: str | None = None,
                     team_id: str | None = None, territory_id: str | None = None,
                     closing_from: IsoDate | None = None, closing_to: IsoDate | None = None) -> Page[DealOut]:
    wanted = DealFilter(pipeline_id, stage_id, deal_status, owner_id, team_id, territory_id, closing_from, closing_to)
    found = await reads.list_deals(uow, who, wanted, after_id(cursor), limit)
    return Page[DealOut](items=[DealOut.of(d) for d in found.deals],
                         next_cursor=encode_cursor({"after": found.next_after}) if found.next_after else None)


@router.get("/{deal_id}", response_model=DealOut,
            responses={304: {"description": "If-None-Match names the current ETag: nothing changed"}})
async def read_deal(deal_id: str, uow: Uow, who: Reader, response: Response,
                    if_none_match: IfNoneMatch = None) -> DealOut | Response:
    deal = await reads.read_deal(uow, who, deal_id)
    if preconditions.not_modified(if_none_match, version_etag(deal.version)):
        return preconditions.not_modified_response(version_etag(deal.version))
    return _answer(deal, response)


@router.patch("/{deal_id}", response_model=DealOut)
async def change_deal(deal_id: str, body: DealPatch, uow: Uow, who: Reader, response: Response,
                      if_match: IfMatch = None) -> DealOut:
    changes = {k: getattr(body, k) for k in body.model_fields_set if k != "version"}
    for name in ("name", "amount", "currency", "owner_id", "splits"):
        if name in changes and changes[name] is None:
            raise InvalidInput(name, "may not be null")
    if "splits" in changes:
        changes["splits"] = splits_of(body.splits or [])
    with if_match_guard(if_match, StaleVersion):
        deal = await commands.change_deal(uow, who, deal_id, changes, expected_version(if_match, body.version))
    return _answer(deal, response)


@router.post("/{deal_id}/stage", response_model=DealOut)
async def move_deal(deal_id: str, body: StageIn, uow: Uow, who: Reader, response: Response,
                    if_match: IfMatch = None) -> DealOut:
    with if_match_guard(if_match, StaleVersion):
        deal = await commands.move_deal(uow, who, deal_id, body.stage_id, expected_version(if_match, body.version))
    return _answer(deal, response)


@router.post("/{deal_id}/close", response_model=DealOut)
async def close_deal(deal_id: str, body: CloseIn, uow: Uow, who: Reader, response: Response,
                     also_v2: PublishesDealClosedV2, if_match: IfMatch = None) -> DealOut:
    with if_match_guard(if_match, StaleVersion):
        deal = await commands.close_deal(uow, who, deal_id, body.outcome, lost_reason=body.lost_reason,
                                         version=expected_version(if_match, body.version), also_v2=also_v2)
    return _answer(deal, response)


@router.post("/{deal_id}/reopen", response_model=DealOut)
async def reopen_deal(deal_id: str, uow: Uow, who: Reader, response: Response, body: ReopenIn | None = None,
                      if_match: IfMatch = None) -> DealOut:
    body = body or ReopenIn(stage_id=None, version=None)
    with if_match_guard(if_match, StaleVersion):
        deal = await commands.reopen_deal(uow, who, deal_id, body.stage_id, expected_version(if_match, body.version))
    return _answer(deal, response)


@router.get("/{deal_id}/history", response_model=HistoryOut)
async def deal_history(deal_id: str, uow: Uow, who: Reader) -> HistoryOut:
    entries, times = await reads.deal_history(uow, who, deal_id)
    return HistoryOut.of(deal_id, entries, times)
