"""POST /v1/webhooks/crm: a signed CRM delivery upserting a deal by external id (CONTRACT.md "CRM webhooks")."""
from __future__ import annotations

from datetime import date
from typing import cast

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.pipeline.api.schemas import Amount, Company, DealName, DealOut, Ref, RepId
from services.pipeline.commands.crm import CrmDeal, sync_crm_deal
from shared.errors import FieldError
from shared.events.types import Currency
from shared.http.deps import Uow
from shared.http.problems import Problem
from shared.http.webhooks import SIGNATURE_HEADER, read_json, verify_signature
from shared.runtime import ServiceRuntime

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class CrmDealIn(BaseModel):
    model_config = ConfigDict(extra="ignore")  # CRMs send more than we keep

    event_id: str = Field(min_length=1, max_length=200, description="the CRM's delivery id; a repeat is a no-op")
    external_id: str = Field(min_length=1, max_length=128)
    name: DealName
    amount: Amount
    currency: Currency
    owner_id: RepId
    company: Company | None = None
    territory_id: Ref | None = None
    expected_close_date: date | None = None
    pipeline_id: Ref | None = None
    stage_id: Ref | None = None


class CrmAnswer(BaseModel):
    applied: bool
    deal: DealOut


@router.post("/crm", response_model=CrmAnswer)
async def crm_webhook(request: Request, uow: Uow) -> CrmAnswer:
    raw = await request.body()
    runtime = cast(ServiceRuntime, request.app.state.runtime)
    verify_signature(runtime.settings.platform.webhook_secret, request.headers.get(SIGNATURE_HEADER), raw,
                     now=runtime.clock.now())
    try:
        body = CrmDealIn.model_validate(read_json(raw))  # not JSON (or no valid Unicode): 400 naming body
    except ValidationError as exc:
        errors = [FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"]) for e in exc.errors()]
        raise Problem(422, "; ".join(f"{e.field}: {e.message}" for e in errors), errors) from None
    deal, applied = await sync_crm_deal(uow, CrmDeal(**body.model_dump()))
    return CrmAnswer(applied=applied, deal=DealOut.of(deal))
