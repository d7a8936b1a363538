"""POST /v1/webhooks/crm: signed lead payloads from a CRM; a redelivery (same CRM event id) changes nothing."""
from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from services.leads import commands
from services.leads.api.deps import Uow
from services.leads.db import org
from services.leads.domain.crm import crm_lead
from shared.errors import InvalidInput
from shared.http.problems import Problem
from shared.http.webhooks import SIGNATURE_HEADER, read_json, verify_signature

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class DeliveryOut(BaseModel):
    event_id: str
    outcome: str  # created | merged
    lead_id: str
    replayed: bool


async def _replayed(uow: Uow, event_id: str) -> DeliveryOut:
    async with uow:
        seen = await org.delivery(uow.session, event_id)
    if seen is None:
        raise Problem(409, "this delivery conflicted with another; send it again")
    return DeliveryOut(event_id=event_id, outcome=seen["outcome"], lead_id=seen["lead_id"], replayed=True)


@router.post("/crm", response_model=DeliveryOut)
async def receive_crm_lead(request: Request, uow: Uow) -> DeliveryOut:
    body = await request.body()
    verify_signature(request.app.state.runtime.settings.platform.webhook_secret,
                     request.headers.get(SIGNATURE_HEADER), body, now=uow.clock.now())
    event_id, raw = crm_lead(read_json(body))
    async with uow:
        seen = await org.delivery(uow.session, event_id)
        if seen is not None:
            return DeliveryOut(event_id=event_id, outcome=seen["outcome"], lead_id=seen["lead_id"], replayed=True)
        (outcome,) = await commands.capture([(1, raw)], f"webhook:{event_id.split(':')[0]}", uow)
        if outcome.outcome == "rejected":
            raise InvalidInput(outcome.field or "body", outcome.reason or "rejected")
        await org.record_delivery(uow.session, event_id, outcome.lead_id or "", outcome.outcome, uow.clock.now())
        try:
            await uow.commit()
            raced = False
        except IntegrityError:  # the same delivery raced in beside this one and won: this one is the replay
            raced = True
    if raced:
        return await _replayed(uow, event_id)
    return DeliveryOut(event_id=event_id, outcome=outcome.outcome, lead_id=outcome.lead_id or "", replayed=False)
