"""/v1/leads: capture, read, list with filters, change (status and fields), assign, convert."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.leads import commands, queries
from services.leads.api.schemas import (
    AssignIn,
    AssignmentOut,
    CapturedOut,
    ConvertIn,
    LeadDetailOut,
    LeadIn,
    LeadOut,
    LeadPatch,
    MergeOut,
)
from services.leads.db.repository import LeadFilter
from shared.errors import FieldError, InvalidInput
from shared.http.deps import Feeder, Operator, Reader, Uow
from shared.http.pagination import AfterTime, Cursor, Limit, Page, decode_cursor, encode_cursor
from shared.http.problems import Problem
from shared.input_types import IsoTime

router = APIRouter(prefix="/leads", tags=["leads"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CapturedOut,
             responses={200: {"model": CapturedOut, "description": "A duplicate of a known lead, merged into it"}})
async def capture_lead(body: LeadIn, uow: Uow, who: Feeder, response: Response) -> CapturedOut:
    """A new lead (201), or the known lead it duplicates with this one merged in (200, `merged: true`)."""
    raw = body.model_dump(exclude_none=True)
    raw.setdefault("source", "api")
    captured = await commands.capture_lead(uow, raw, f"api:{who.sub}")
    outcome = captured.outcome
    if captured.lead is None:
        raise InvalidInput(outcome.field or "body", outcome.reason or "")
    if outcome.outcome == "merged":
        response.status_code = status.HTTP_200_OK
    return CapturedOut(outcome=outcome.outcome, merged=outcome.outcome == "merged", lead=LeadOut.of(captured.lead))


@router.get("/{lead_id}", response_model=LeadDetailOut)
async def read_lead(lead_id: str, uow: Uow, who: Reader) -> LeadDetailOut:
    detail = await queries.read_lead(uow, lead_id, who)
    return LeadDetailOut(**LeadOut.of(detail.lead).model_dump(),
                         merges=[MergeOut(**m) for m in detail.merges],
                         assignments=[AssignmentOut(**a) for a in detail.assignments])


def _after(cursor: str | None) -> tuple[datetime, str] | None:
    position = decode_cursor(cursor, AfterTime)
    return (position.at, position.id) if position else None


@router.get("", response_model=Page[LeadOut])
async def list_leads(uow: Uow, who: Reader, limit: Limit = 50, cursor: Cursor = None,
                     status: str | None = None, owner_id: str | None = None, territory_id: str | None = None,
                     source: str | None = None,
                     min_score: Annotated[int | None, Query(ge=0, le=100)] = None,
                     max_score: Annotated[int | None, Query(ge=0, le=100)] = None,
                     created_from: IsoTime | None = None, created_to: IsoTime | None = None) -> Page[LeadOut]:
    """Newest first. `created_from` is inclusive, `created_to` exclusive; times need a zone."""
    for name, value in (("created_from", created_from), ("created_to", created_to)):
        if value is not None and value.tzinfo is None:
            raise Problem(422, f"{name} needs a time zone", [FieldError(name, "give a zone, e.g. Z or +01:00")])
    f = LeadFilter(status=status, owner_id=owner_id, territory_id=territory_id, source=source,
                   min_score=min_score, max_score=max_score, created_from=created_from, created_to=created_to)
    found = await queries.list_leads(uow, who, f, _after(cursor), limit + 1)
    items, more = found[:limit], len(found) > limit
    next_cursor = encode_cursor({"at": items[-1].created_at, "id": items[-1].id}) if more else None
    return Page[LeadOut](items=[LeadOut.of(lead) for lead in items], next_cursor=next_cursor)


@router.patch("/{lead_id}", response_model=LeadOut)
async def change_lead(lead_id: str, body: LeadPatch, uow: Uow, who: Reader) -> LeadOut:
    """Move the status (illegal moves are a 409; disqualifying needs a reason) and/or edit fields."""
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise Problem(422, "nothing to change", [FieldError("body", "give a status or a field to change")])
    return LeadOut.of(await commands.change_lead(uow, lead_id, changes, who))


@router.post("/{lead_id}/assign", response_model=LeadOut)
async def assign_lead(lead_id: str, body: AssignIn, uow: Uow, _: Operator) -> LeadOut:
    return LeadOut.of(await commands.assign_lead(uow, lead_id, body.rep_id, body.reason))


@router.post("/{lead_id}/convert", response_model=LeadOut)
async def convert_lead(lead_id: str, body: ConvertIn, uow: Uow, who: Reader) -> LeadOut:
    """Converted, with the id of the deal pipeline opens for it; the same conversion again gives the same deal."""
    return LeadOut.of(await commands.convert_lead(uow, lead_id, body.amount, body.currency, who))
