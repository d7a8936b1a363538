"""Leads coming in: one through the API, a batch of an imported sheet, a CRM's webhook delivery. Each is
cleaned, deduplicated against the known leads (a duplicate fills the known lead's blanks), scored and given
its follow-up deadline; a new lead is announced (lead.created, its first event)."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.exc import IntegrityError

from services.leads.commands.announcements import created_rows
from services.leads.db import intake as writes
from services.leads.db import org
from services.leads.db import repository as repo
from services.leads.domain.capture import CapturePlan, Outcome, clean_rows, plan_capture
from services.leads.domain.leads import Lead
from shared.db.uow import UnitOfWork, command
from shared.errors import ConflictError, InvalidInput
from shared.events.registry import REGISTRY
from shared.observability.tracing import current_traceparent


@dataclass(frozen=True)
class Captured:
    """One lead captured: the row's outcome, and the lead (None when the row was rejected)."""

    outcome: Outcome
    lead: Lead | None


@dataclass(frozen=True)
class CrmDelivery:
    """A CRM delivery's answer: the lead it made or merged into; `replayed` when it had been received before."""

    event_id: str
    outcome: str
    lead_id: str
    replayed: bool


async def capture(uow: UnitOfWork, rows: Sequence[tuple[int, dict[str, Any]]], origin: str, *,
                  bulk: bool = False) -> list[Outcome]:
    """Clean, dedupe, score and store a batch of raw leads in the open unit of work. One outcome per row.
    `bulk` (an import's batch): lead.created is encoded for the whole batch at once (commands/announcements.py)."""
    return (await _captured(uow, rows, origin, bulk=bulk))[0]


async def _captured(uow: UnitOfWork, rows: Sequence[tuple[int, dict[str, Any]]], origin: str, *,
                    bulk: bool = False) -> tuple[list[Outcome], dict[str, Lead]]:
    """The outcomes, and every lead the batch created or merged into as now stored."""
    good, rejected = clean_rows(rows)
    known = await repo.known_duplicates(uow.session, [f for _, f in good])
    bands = (await org.load_policy(uow.session)).bands
    plan = plan_capture(good, known, rules=await org.load_rules(uow.session), bands=bands, at=uow.clock.now(),
                        new_id=lambda: str(uuid.uuid4()))
    await _apply(plan, {lead.id: lead for lead in known}, origin, uow, bulk=bulk)
    stored = {**plan.merged, **{i: replace(lead, version=1) for i, lead in plan.created.items()}}
    return sorted(plan.outcomes + rejected, key=lambda o: o.row), stored


async def _apply(plan: CapturePlan, known: dict[str, Lead], origin: str, uow: UnitOfWork, *, bulk: bool) -> None:
    created = list(plan.created.values())
    encoded = created_rows(plan.facts, service=uow.service, at=uow.clock.now(),
                           traceparent=current_traceparent()) if bulk else None
    if encoded is not None:
        uow.append_encoded(encoded)
    else:
        for lead_id, fact in plan.facts:  # only lead.created: one per new lead, its first event
            await uow.emit(fact.type, subject=lead_id, sequence=1, data=REGISTRY[fact.type].model.model_validate(
                fact.data))
    await writes.add_leads(uow.session, created, version=1)  # lead.created is each one's first event
    await writes.save_merged(uow.session, [(lead, known[lead.id].version) for lead in plan.merged.values()])
    await writes.record_merges(uow.session, uow.clock.now(), origin, [
        (lead_id, matched_on, _jsonable(filled)) for lead_id, matched_on, filled in plan.merges])


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (str, int, type(None))) else str(v) for k, v in values.items()}


@command
async def capture_lead(uow: UnitOfWork, raw: dict[str, Any], origin: str) -> Captured:
    """A new lead, or the known lead it duplicates with this one merged in; a rejected row stores nothing."""
    for attempt in (1, 2):  # a same-email capture racing this one wins; the retry then merges into it
        try:
            async with uow:
                (outcome,), stored = await _captured(uow, [(1, raw)], origin)
                if outcome.outcome == "rejected":
                    return Captured(outcome, None)
                lead = stored[outcome.lead_id or ""]  # as written: no need to read it back
                await uow.commit()
                return Captured(outcome, lead)
        except IntegrityError:
            if attempt == 2:
                raise ConflictError("a lead with this email was being captured at the same time; retry") from None
    raise AssertionError("unreachable")


@command
async def import_rows(uow: UnitOfWork, rows: Sequence[tuple[int, dict[str, Any]]], origin: str) -> list[Outcome]:
    """One batch of an imported sheet's rows, committed together; one outcome per row."""
    if not rows:
        return []
    async with uow:
        outcomes = await capture(uow, rows, origin, bulk=True)
        await uow.commit()
        return outcomes


@command
async def receive_crm_lead(uow: UnitOfWork, event_id: str, raw: dict[str, Any]) -> CrmDelivery:
    """A CRM's lead, once per CRM event id: a redelivery answers what the first delivery did."""
    async with uow:
        seen = await org.delivery(uow.session, event_id)
        if seen is not None:
            return CrmDelivery(event_id, seen.outcome, seen.lead_id, replayed=True)
        (outcome,) = await capture(uow, [(1, raw)], f"webhook:{event_id.split(':')[0]}")
        if outcome.outcome == "rejected":
            raise InvalidInput(outcome.field or "body", outcome.reason or "rejected")
        await org.record_delivery(uow.session, event_id, outcome.lead_id or "", outcome.outcome, uow.clock.now())
        try:
            await uow.commit()
            return CrmDelivery(event_id, outcome.outcome, outcome.lead_id or "", replayed=False)
        except IntegrityError:  # the same delivery raced in beside this one and won: this one is the replay
            pass
    async with uow:
        seen = await org.delivery(uow.session, event_id)
    if seen is None:
        raise ConflictError("this delivery conflicted with another; send it again")
    return CrmDelivery(event_id, seen.outcome, seen.lead_id, replayed=True)
