"""Disputes: /v1/commissions/{line_id}/inquiries and /v1/inquiries (threads stay with their line)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field

from services.compensation.commands import inquiries as commands
from services.compensation.db.inquiries_repo import Inquiry
from services.compensation.queries import inquiries as queries
from shared.events.types import Money
from shared.http.auth import Principal
from shared.http.deps import Operator, Reader, Uow
from shared.http.pagination import MAX_SIGNED_64, Cursor, Limit, Page, after_number, encode_cursor

router = APIRouter(tags=["inquiries"])


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field(min_length=1, max_length=2000)


class ResolveIn(CommentIn):
    resolution: Literal["adjust", "reject"]
    amount: Money | None = Field(default=None, max_digits=18, decimal_places=2)  # an adjustment line, in cents


class MessageOut(BaseModel):
    author: str
    body: str
    created_at: datetime


class InquiryOut(BaseModel):
    id: int
    line_id: int
    rep_id: str
    status: str
    adjustment_line_id: int | None
    created_at: datetime
    resolved_at: datetime | None
    messages: list[MessageOut]


def _out(inquiry: Inquiry) -> InquiryOut:
    return InquiryOut.model_validate(inquiry, from_attributes=True)


def _author(who: Principal) -> str:
    return (who.rep_id or who.sub)[:200]


LineId = Annotated[int, Path(ge=1, le=MAX_SIGNED_64, description="a commission line id")]
InquiryId = Annotated[int, Path(ge=1, le=MAX_SIGNED_64, description="an inquiry id")]


@router.post("/commissions/{line_id}/inquiries", status_code=status.HTTP_201_CREATED, response_model=InquiryOut)
async def raise_inquiry(line_id: LineId, body: CommentIn, uow: Uow, who: Reader) -> InquiryOut:
    return _out(await commands.raise_inquiry(uow, who, line_id, body.comment, _author(who)))


async def _page(uow: Uow, who: Reader, state: str | None, line_id: int | None, limit: int,
                cursor: str | None) -> Page[InquiryOut]:
    found = await queries.inquiries(uow, who, state, line_id, after_number(cursor), limit)
    return Page[InquiryOut](items=[_out(i) for i in found.rows],
                            next_cursor=encode_cursor({"after": found.next_after[0]}) if found.next_after else None)


@router.get("/commissions/{line_id}/inquiries", response_model=Page[InquiryOut])
async def line_inquiries(line_id: LineId, uow: Uow, who: Reader, limit: Limit = 50,
                         cursor: Cursor = None) -> Page[InquiryOut]:
    return await _page(uow, who, None, line_id, limit, cursor)


@router.get("/inquiries", response_model=Page[InquiryOut])
async def list_inquiries(uow: Uow, who: Reader, state: Literal["open", "adjusted", "rejected"] | None = None,
                         limit: Limit = 50, cursor: Cursor = None) -> Page[InquiryOut]:
    return await _page(uow, who, state, None, limit, cursor)


@router.post("/inquiries/{inquiry_id}/messages", response_model=InquiryOut)
async def reply(inquiry_id: InquiryId, body: CommentIn, uow: Uow, who: Reader) -> InquiryOut:
    return _out(await commands.reply(uow, who, inquiry_id, body.comment, _author(who)))


@router.post("/inquiries/{inquiry_id}/resolve", response_model=InquiryOut)
async def resolve(inquiry_id: InquiryId, body: ResolveIn, uow: Uow, who: Operator) -> InquiryOut:
    return _out(await commands.resolve_inquiry(uow, who, commands.Resolve(
        inquiry_id, body.resolution, body.amount, body.comment, who.sub[:200])))
