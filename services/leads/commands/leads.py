"""A lead's life after capture: edits and status moves, owners (by hand or from territory's routing), the
follow-up SLA breach, conversion.

Every fact a lead raises is announced with the lead's version as its CloudEvents sequence: the version counts
the events of that lead, so it grows by exactly one per event. Each command opens the unit of work (or joins
the consumer's) and commits (the consumer commits a joined one).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, replace
from decimal import Decimal
from typing import Any

from services.leads.db import org
from services.leads.db import repository as repo
from services.leads.domain import leads as domain
from services.leads.domain import sla
from services.leads.domain.capture import rescored
from services.leads.domain.leads import Fact, Lead
from services.leads.domain.normalise import normalise_lead
from services.leads.queries import ensure_visible
from shared.db.uow import UnitOfWork, command
from shared.errors import ConflictError
from shared.events import catalog as ev
from shared.events.registry import REGISTRY
from shared.http.auth import Principal

log = logging.getLogger("coxswain.leads")


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


@command
async def change_lead(uow: UnitOfWork, lead_id: str, changes: dict[str, Any], who: Principal) -> Lead:
    """PATCH: edit descriptive fields (rescored), and/or move the status (an illegal move is a 409)."""
    async with uow:
        await ensure_visible(uow.session, await repo.get_lead(uow.session, lead_id), who)
        before = await repo.get_lead(uow.session, lead_id, for_update=True)
        rules, bands = await org.load_rules(uow.session), (await org.load_policy(uow.session)).bands
        changes = dict(changes)
        status, reason = changes.pop("status", None), changes.pop("disqualified_reason", None)
        lead, facts = before, list[Fact]()
        if changes:
            fields = normalise_lead({**asdict(before.fields()), **changes})
            await _email_is_free(uow, fields.email, before)
            lead = rescored(domain.edit_fields(lead, {**asdict(fields), "updated_at": uow.clock.now()}), rules, bands)
        if status is not None:
            lead, facts = domain.change_status(lead, status, uow.clock.now(), reason)
            lead = rescored(lead, rules, bands)
        lead = await store(uow, before, lead, facts)
        await uow.commit()
        return lead


async def _email_is_free(uow: UnitOfWork, email: str | None, lead: Lead) -> None:
    if email and email != lead.email:
        taken = [other for other in await repo.known_duplicates(uow.session, [replace(lead.fields(), email=email)])
                 if other.email == email]
        if taken:
            raise ConflictError(f"email {email} belongs to lead {taken[0].id}; merge by capturing, not editing")


@command
async def assign_lead(uow: UnitOfWork, lead_id: str, rep_id: str, reason: str,
                      territory_id: str | None = None) -> Lead:
    """Hand a lead to a rep (by ops, or from territory's routing)."""
    async with uow:
        before = await repo.get_lead(uow.session, lead_id, for_update=True)
        lead, facts = domain.assign(before, rep_id, uow.clock.now(), reason, territory_id)
        if facts:
            policy = await org.load_policy(uow.session)
            lead = await store(uow, before, rescored(lead, await org.load_rules(uow.session), policy.bands), facts)
        await uow.commit()
        return lead if facts else before


@command
async def unassign_lead(uow: UnitOfWork, lead_id: str, reason: str, territory_id: str | None = None) -> Lead:
    """Territory found nobody to take the lead: it waits without a rep (lead.assigned, rep_id null)."""
    async with uow:
        before = await repo.get_lead(uow.session, lead_id, for_update=True)
        lead, facts = domain.unassign(before, uow.clock.now(), reason, territory_id)
        if lead != before:
            policy = await org.load_policy(uow.session)
            lead = await store(uow, before, rescored(lead, await org.load_rules(uow.session), policy.bands), facts)
        await uow.commit()
        return lead


@command
async def route_leads(uow: UnitOfWork, decisions: Sequence[ev.LeadRouted]) -> None:
    """A run of territory's routing decisions at once, in order: the leads read
    (and locked) in one query, the SLA policy and scoring rules once; each changed lead saved with its events."""
    async with uow:
        known = await repo.find_leads(uow.session, {d.lead_id for d in decisions}, for_update=True)
        policy, rules = await org.load_policy(uow.session), await org.load_rules(uow.session)
        for decision in decisions:
            before = known.get(decision.lead_id)
            if before is None or not before.is_open:  # an unknown or closed lead is left alone
                log.info("lead.routed for %s ignored: %s", decision.lead_id,
                         "unknown" if before is None else before.status)
                continue
            why, now = f"routed: {decision.reason}", uow.clock.now()
            if decision.rep_id is None:
                lead, facts = domain.unassign(before, now, why, decision.territory_id)
            else:
                lead, facts = domain.assign(before, decision.rep_id, now, why, decision.territory_id)
            if lead != before:
                known[before.id] = await store(uow, before, rescored(lead, rules, policy.bands), facts)
        await uow.commit()


@command
async def convert_lead(uow: UnitOfWork, lead_id: str, amount: Decimal, currency: str, who: Principal) -> Lead:
    async with uow:
        await ensure_visible(uow.session, await repo.get_lead(uow.session, lead_id), who)
        before = await repo.get_lead(uow.session, lead_id, for_update=True)
        lead, facts = domain.convert(before, amount, currency, uow.clock.now())
        if facts:
            lead = await store(uow, before, replace(lead, sla_due_at=None), facts)
            await uow.commit()
        return lead


@command
async def breach_sla(uow: UnitOfWork, lead_id: str) -> int:
    """A lead still `new` past its deadline is breached (the stored policy's action); 1 if it was, else 0."""
    async with uow:
        before = await repo.get_lead(uow.session, lead_id, for_update=True)
        now = uow.clock.now()
        if not sla.is_breached(before, now):
            return 0  # touched or swept meanwhile
        policy = await org.load_policy(uow.session)
        lead, facts = sla.breach(before, now)
        facts[0].data["action"] = policy.breach_action
        if policy.breach_action == "escalate":
            lead = sla.escalate(lead, await org.manager_of(uow.session, lead.owner_id))
            facts[0].data["escalated_to"] = lead.escalated_to
        await store(uow, before, lead, facts)
        await uow.commit()
        return 1
