"""/v1/leads: capture, read, list with filters, change (status and fields), assign, convert."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.exc import IntegrityError

from services.leads import commands
from services.leads.api.deps import Capturer, Ops, Reader, Seller, Uow, ensure_visible, visibility
from services.leads.api.schemas import (
    AssignIn,
    CapturedOut,
    ConvertIn,
    LeadDetailOut,
    LeadIn,
    LeadOut,
    LeadPatch,
)
from services.leads.db import repository as repo
from shared.errors import ConflictError, FieldError
from shared.http.pagination import AfterTime, Cursor, Limit, Page, decode_cursor, encode_cursor
from shared.http.problems import Problem
from shared.input_types import IsoTime

router = APIRouter(prefix="/leads", tags=["leads"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CapturedOut,
             responses={200: {"model": CapturedOut, "description": "A duplicate of a known lead, merged into it"}})
async def capture_lead(body: LeadIn, uow: Uow, who: Capturer, response: Response) -> CapturedOut:
    """A new lead (201), or the known lead it duplicates with this one merged in (200, `merged: true`)."""
    raw = body.model_dump(exclude_none=True)
    raw.setdefault("source", "api")
    for attempt in (1, 2):  # a same-email capture racing this one wins; the retry then merges into it
        try:
            async with uow:
                (outcome,) = await commands.capture([(1, raw)], f"api:{who.sub}", uow)
                if outcome.outcome == "rejected":
                    raise Problem(422, f"{outcome.field}: {outcome.reason}",
                                  [FieldError(outcome.field or "body", outcome.reason or "")])
                await uow.commit()
            break
        except IntegrityError:
            if attempt == 2:
                raise ConflictError("a lead with this email was being captured at the same time; retry") from None
    async with uow:
        lead = await repo.get_lead(uow.session, outcome.lead_id or "")
    if outcome.outcome == "merged":
        response.status_code = status.HTTP_200_OK
    return CapturedOut(outcome=outcome.outcome, merged=outcome.outcome == "merged", lead=LeadOut.of(lead))


@router.get("/{lead_id}", response_model=LeadDetailOut)
async def read_lead(lead_id: str, uow: Uow, who: Reader) -> LeadDetailOut:
    async with uow:
        lead = await repo.get_lead(uow.session, lead_id)
        await ensure_visible(uow.session, lead, who)
        merges = await repo.merges_of(uow.session, lead_id)
        assignments = await repo.assignments_of(uow.session, lead_id)
    return LeadDetailOut(**LeadOut.of(lead).model_dump(), merges=merges, assignments=assignments)


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
    f = repo.LeadFilter(status=status, owner_id=owner_id, territory_id=territory_id, source=source,
                        min_score=min_score, max_score=max_score, created_from=created_from, created_to=created_to)
    async with uow:
        found = await repo.list_leads(uow.session, f, visibility(who), _after(cursor), limit + 1)
    items, more = found[:limit], len(found) > limit
    next_cursor = encode_cursor({"at": items[-1].created_at, "id": items[-1].id}) if more else None
    return Page[LeadOut](items=[LeadOut.of(lead) for lead in items], next_cursor=next_cursor)


async def _visible_lead(uow: Any, lead_id: str, who: Any) -> None:
    await ensure_visible(uow.session, await repo.get_lead(uow.session, lead_id), who)


@router.patch("/{lead_id}", response_model=LeadOut)
async def change_lead(lead_id: str, body: LeadPatch, uow: Uow, who: Seller) -> LeadOut:
    """Move the status (illegal moves are a 409; disqualifying needs a reason) and/or edit fields."""
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise Problem(422, "nothing to change", [FieldError("body", "give a status or a field to change")])
    async with uow:
        await _visible_lead(uow, lead_id, who)
        return LeadOut.of(await commands.change_lead(lead_id, changes, uow))


@router.post("/{lead_id}/assign", response_model=LeadOut)
async def assign_lead(lead_id: str, body: AssignIn, uow: Uow, _: Ops) -> LeadOut:
    async with uow:
        lead = await commands.assign_lead(lead_id, body.rep_id, body.reason, uow)
        await uow.commit()
        return LeadOut.of(lead)


@router.post("/{lead_id}/convert", response_model=LeadOut)
async def convert_lead(lead_id: str, body: ConvertIn, uow: Uow, who: Seller) -> LeadOut:
    """Converted, with the id of the deal pipeline opens for it; the same conversion again gives the same deal."""
    async with uow:
        await _visible_lead(uow, lead_id, who)
        return LeadOut.of(await commands.convert_lead(lead_id, body.amount, body.currency, uow))
