"""Leads' commands, called from the API (each commits its unit of work) and, without committing, from handlers.

Every fact a lead raises is announced with the lead's version as its CloudEvents sequence: the version counts
the events of that lead, so it grows by exactly one per event.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from services.leads.db import org
from services.leads.db import repository as repo
from services.leads.domain import leads as domain
from services.leads.domain.capture import CapturePlan, Outcome, clean_rows, plan_capture, rescored
from services.leads.domain.leads import Fact, Lead
from services.leads.domain.normalise import normalise_lead
from shared.db.uow import UnitOfWork
from shared.errors import ConflictError
from shared.events.registry import REGISTRY


async def announce(uow: UnitOfWork, lead: Lead, facts: Sequence[Fact]) -> Lead:
    """Emit each fact (sequence = the lead's version after it); keep assignment history beside them."""
    for fact in facts:
        lead = replace(lead, version=lead.version + 1)
        await uow.emit(fact.type, subject=lead.id, sequence=lead.version,
                       data=REGISTRY[fact.type].model.model_validate(fact.data))
        if fact.type == "coxswain.lead.assigned.v1":
            d = fact.data
            await repo.record_assignment(uow.session, lead.id, d["rep_id"], d["previous_rep_id"],
                                         d["territory_id"], d["reason"], d["assigned_at"])
    return lead


async def store(uow: UnitOfWork, before: Lead, after: Lead, facts: Sequence[Fact]) -> Lead:
    """Save a changed lead with its events in the unit of work (the caller commits)."""
    after = await announce(uow, replace(after, version=before.version), facts)
    await repo.save_lead(uow.session, after, expected_version=before.version)
    return after


async def capture(rows: Sequence[tuple[int, dict[str, Any]]], origin: str, uow: UnitOfWork) -> list[Outcome]:
    """Clean, dedupe, score and store a batch of raw leads; the caller commits. One outcome per row."""
    good, rejected = clean_rows(rows)
    known = await repo.known_duplicates(uow.session, [f for _, f in good])
    bands = (await org.load_policy(uow.session)).bands
    plan = plan_capture(good, known, rules=await org.load_rules(uow.session), bands=bands, at=uow.clock.now(),
                        new_id=lambda: str(uuid.uuid4()))
    await _apply(plan, {lead.id: lead for lead in known}, origin, uow)
    return sorted(plan.outcomes + rejected, key=lambda o: o.row)


async def _apply(plan: CapturePlan, known: dict[str, Lead], origin: str, uow: UnitOfWork) -> None:
    created = list(plan.created.values())
    for lead_id, fact in plan.facts:  # only lead.created: one per new lead, its first event
        await uow.emit(fact.type, subject=lead_id, sequence=1, data=REGISTRY[fact.type].model.model_validate(
            fact.data))
    await repo.add_leads(uow.session, [replace(lead, version=1) for lead in created])
    for lead in plan.merged.values():
        await repo.save_lead(uow.session, lead, expected_version=known[lead.id].version)
    now = uow.clock.now()
    for lead_id, matched_on, filled in plan.merges:
        await repo.record_merge(uow.session, lead_id, now, origin, matched_on, _jsonable(filled))


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (str, int, type(None))) else str(v) for k, v in values.items()}


async def change_lead(lead_id: str, changes: dict[str, Any], uow: UnitOfWork) -> Lead:
    """PATCH: edit descriptive fields (rescored), and/or move the status (an illegal move is a 409)."""
    before = await repo.get_lead(uow.session, lead_id, for_update=True)
    bands = (await org.load_policy(uow.session)).bands
    status, reason = changes.pop("status", None), changes.pop("disqualified_reason", None)
    lead, facts = before, list[Fact]()
    if changes:
        fields = normalise_lead({**asdict(before.fields()), **changes})
        await _email_is_free(uow, fields.email, before)
        lead = rescored(domain.edit_fields(lead, {**asdict(fields), "updated_at": uow.clock.now()}),
                        await org.load_rules(uow.session), bands)
    if status is not None:
        lead, facts = domain.change_status(lead, status, uow.clock.now(), reason)
        lead = rescored(lead, await org.load_rules(uow.session), bands)
    lead = await store(uow, before, lead, facts)
    await uow.commit()
    return lead


async def _email_is_free(uow: UnitOfWork, email: str | None, lead: Lead) -> None:
    if email and email != lead.email:
        taken = [other for other in await repo.known_duplicates(uow.session, [replace(lead.fields(), email=email)])
                 if other.email == email]
        if taken:
            raise ConflictError(f"email {email} belongs to lead {taken[0].id}; merge by capturing, not editing")


async def assign_lead(lead_id: str, rep_id: str, reason: str, uow: UnitOfWork,
                      territory_id: str | None = None) -> Lead:
    """Hand a lead to a rep (by ops, or from territory's routing); the caller commits."""
    before = await repo.get_lead(uow.session, lead_id, for_update=True)
    lead, facts = domain.assign(before, rep_id, uow.clock.now(), reason, territory_id)
    if not facts:
        return before
    policy = await org.load_policy(uow.session)
    return await store(uow, before, rescored(lead, await org.load_rules(uow.session), policy.bands), facts)


async def unassign_lead(lead_id: str, reason: str, uow: UnitOfWork, territory_id: str | None = None) -> Lead:
    """Territory found nobody to take the lead: it waits without a rep (lead.assigned, rep_id null)."""
    before = await repo.get_lead(uow.session, lead_id, for_update=True)
    lead, facts = domain.unassign(before, uow.clock.now(), reason, territory_id)
    if lead == before:
        return before
    policy = await org.load_policy(uow.session)
    return await store(uow, before, rescored(lead, await org.load_rules(uow.session), policy.bands), facts)


async def convert_lead(lead_id: str, amount: Decimal, currency: str, uow: UnitOfWork) -> Lead:
    before = await repo.get_lead(uow.session, lead_id, for_update=True)
    lead, facts = domain.convert(before, amount, currency, uow.clock.now())
    if facts:
        lead = await store(uow, before, replace(lead, sla_due_at=None), facts)
        await uow.commit()
    return lead


async def rescore_open_leads(uow: UnitOfWork) -> int:
    """Every open lead scored again with the stored rules and its deadline set by the stored bands; commits."""
    rules, bands = await org.load_rules(uow.session), (await org.load_policy(uow.session)).bands
    rescored_count = 0
    after: tuple[datetime, str] | None = None
    while True:  # pages newest first, keyed (created_at, id)
        page = await repo.list_leads(uow.session, repo.LeadFilter(), None, after, 500)
        for lead in page:
            if lead.is_open:
                await repo.save_lead(uow.session, rescored(lead, rules, bands), expected_version=lead.version)
                rescored_count += 1
        if len(page) < 500:
            break
        last = page[-1]
        after = (last.created_at or uow.clock.now(), last.id)
    await uow.commit()
    return rescored_count
