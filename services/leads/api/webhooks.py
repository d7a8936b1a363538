"""POST /v1/webhooks/crm: signed lead payloads from a CRM; a redelivery (same CRM event id) changes nothing."""
from __future__ import annotations

from dataclasses import asdict
from typing import cast

from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.leads import commands
from services.leads.domain.crm import crm_lead
from shared.http.deps import Uow
from shared.http.webhooks import SIGNATURE_HEADER, read_json, verify_signature
from shared.settings import ServiceSettings

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class DeliveryOut(BaseModel):
    event_id: str
    outcome: str  # created | merged
    lead_id: str
    replayed: bool


@router.post("/crm", response_model=DeliveryOut)
async def receive_crm_lead(request: Request, uow: Uow) -> DeliveryOut:
    body = await request.body()
    settings = cast(ServiceSettings, request.app.state.runtime.settings)
    verify_signature(settings.platform.webhook_secret, request.headers.get(SIGNATURE_HEADER), body,
                     now=uow.clock.now())
    event_id, raw = crm_lead(read_json(body))
    return DeliveryOut(**asdict(await commands.receive_crm_lead(uow, event_id, raw)))
