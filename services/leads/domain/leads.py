"""The lead aggregate: its lifecycle, merges, assignment and conversion. Each change says which events it raises."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from services.leads.domain.normalise import LeadFields
from shared.errors import ConflictError, InvalidInput

STATUSES = ("new", "working", "qualified", "converted", "disqualified", "recycled")
OPEN_STATUSES = frozenset({"new", "working", "qualified", "recycled"})
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"working", "qualified", "disqualified"}),
    "working": frozenset({"qualified", "disqualified", "recycled"}),
    "qualified": frozenset({"working", "disqualified", "recycled", "converted"}),
    "recycled": frozenset({"working", "qualified", "disqualified"}),
    "disqualified": frozenset({"recycled"}),
    "converted": frozenset(),
}
CONVERTIBLE = frozenset({"new", "working", "qualified"})
DEAL_NAMESPACE = uuid.UUID("6f1c7a52-2b1e-4d0a-9c57-5e1d2b8f4a10")


class IllegalTransition(ConflictError):
    pass


@dataclass(frozen=True)
class Fact:
    """Something that happened to a lead, as the catalog names it (`coxswain.lead.<verb>.v1`) with its fields."""

    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Lead(LeadFields):
    id: str = ""
    status: str = "new"
    disqualified_reason: str | None = None
    owner_id: str | None = None
    territory_id: str | None = None
    score: int = 0
    score_explanation: tuple[dict[str, Any], ...] = ()
    sla_started_at: datetime | None = None
    sla_due_at: datetime | None = None
    sla_breached_at: datetime | None = None
    sla_breaches: int = 0
    escalated_to: str | None = None
    first_touched_at: datetime | None = None
    deal_id: str | None = None
    converted_amount: Decimal | None = None
    converted_currency: str | None = None
    converted_at: datetime | None = None
    merged_count: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def fields(self) -> LeadFields:
        return LeadFields(**{k: getattr(self, k) for k in LeadFields.__dataclass_fields__})


_FIELD_NAMES = tuple(LeadFields.__dataclass_fields__)


def _values(fields: LeadFields) -> dict[str, Any]:
    """The descriptive fields as a dict (all plain values, so a shallow copy: `asdict` deep-copies each)."""
    return {k: getattr(fields, k) for k in _FIELD_NAMES}


def new_lead(lead_id: str, fields: LeadFields, at: datetime, score: int = 0,
             explanation: tuple[dict[str, Any], ...] = (), due_at: datetime | None = None,
             ) -> tuple[Lead, list[Fact]]:
    lead = Lead(**_values(fields), id=lead_id, created_at=at, updated_at=at, sla_started_at=at, score=score,
                score_explanation=explanation, sla_due_at=due_at)
    return lead, [Fact("coxswain.lead.created.v1", {
        "lead_id": lead_id, **{k: getattr(lead, k) for k in (
            "source", "email", "name", "company", "country", "region", "postal_code", "industry",
            "employee_count", "title", "company_domain", "score")}, "created_at": at})]


def merge_fields(lead: Lead, incoming: LeadFields) -> tuple[Lead, dict[str, Any]]:
    """A duplicate fills the blanks of the lead already known, never overwrites; activity adds up."""
    filled = {k: v for k, v in _values(incoming).items()
              if k != "activity_count" and v is not None and getattr(lead, k) is None}
    if incoming.activity_count:
        filled["activity_count"] = lead.activity_count + incoming.activity_count
    return replace(lead, **filled, merged_count=lead.merged_count + 1), filled


def edit_fields(lead: Lead, changes: dict[str, Any]) -> Lead:
    return replace(lead, **changes)


def change_status(lead: Lead, to: str, at: datetime, reason: str | None = None) -> tuple[Lead, list[Fact]]:
    if to not in STATUSES:
        raise InvalidInput("status", f"must be one of {', '.join(STATUSES)}")
    if to == "converted":
        raise InvalidInput("status", f"a lead is converted with POST /v1/leads/{lead.id}/convert and a deal amount")
    if to == lead.status:
        return lead, []
    if to not in TRANSITIONS[lead.status]:
        raise IllegalTransition(f"lead {lead.id} cannot go from {lead.status} to {to}")
    if to == "disqualified" and not (reason or "").strip():
        raise InvalidInput("disqualified_reason", "a disqualified lead needs a reason")
    return _moved(lead, to, at, reason.strip() if to == "disqualified" and reason else None)


def _moved(lead: Lead, to: str, at: datetime, reason: str | None = None) -> tuple[Lead, list[Fact]]:
    touched = lead.first_touched_at or (at if lead.status == "new" else None)
    moved = replace(lead, status=to, disqualified_reason=reason, first_touched_at=touched, updated_at=at)
    return moved, [Fact("coxswain.lead.status_changed.v1", {
        "lead_id": lead.id, "from_status": lead.status, "to_status": to, "changed_at": at,
        **({"reason": reason} if reason else {})})]


def assign(lead: Lead, rep_id: str, at: datetime, reason: str, territory_id: str | None = None,
           ) -> tuple[Lead, list[Fact]]:
    """A new owner; the follow-up clock starts again for them. Same owner again changes nothing."""
    if not lead.is_open:
        raise IllegalTransition(f"lead {lead.id} is {lead.status}; only an open lead can be assigned")
    territory = territory_id or lead.territory_id
    if rep_id == lead.owner_id and territory == lead.territory_id:
        return lead, []
    moved = replace(lead, owner_id=rep_id, territory_id=territory, sla_started_at=at, sla_breached_at=None,
                    escalated_to=None, updated_at=at)
    return moved, [Fact("coxswain.lead.assigned.v1", {
        "lead_id": lead.id, "rep_id": rep_id, "territory_id": territory, "previous_rep_id": lead.owner_id,
        "assigned_at": at, "reason": reason})]


def unassign(lead: Lead, at: datetime, reason: str, territory_id: str | None = None) -> tuple[Lead, list[Fact]]:
    """Nobody holds the lead any more (territory found nobody to take it): announced like any owner change,
    with `rep_id: null`, so every projection stops counting it on the previous rep. No owner: nothing."""
    if not lead.is_open:
        raise IllegalTransition(f"lead {lead.id} is {lead.status}; only an open lead can be unassigned")
    territory = territory_id or lead.territory_id
    if lead.owner_id is None:
        return (lead, []) if territory == lead.territory_id else (replace(lead, territory_id=territory), [])
    # The follow-up clock starts again, so an untouched unassigned lead is breached later and territory tries
    # once more to find someone for it.
    moved = replace(lead, owner_id=None, territory_id=territory, sla_started_at=at, sla_breached_at=None,
                    escalated_to=None, updated_at=at)
    return moved, [Fact("coxswain.lead.assigned.v1", {
        "lead_id": lead.id, "rep_id": None, "territory_id": territory, "previous_rep_id": lead.owner_id,
        "assigned_at": at, "reason": reason})]


def deal_id_for(lead_id: str) -> str:
    """One lead converts into one deal: the id is derived from the lead, so no retry or race makes two."""
    return str(uuid.uuid5(DEAL_NAMESPACE, lead_id))


def convert(lead: Lead, amount: Decimal, currency: str, at: datetime) -> tuple[Lead, list[Fact]]:
    if lead.status == "converted":
        if (lead.converted_amount, lead.converted_currency) == (amount, currency):
            return lead, []  # the same conversion again: the same deal, nothing new
        raise IllegalTransition(f"lead {lead.id} was already converted into deal {lead.deal_id} "
                                f"for {lead.converted_amount} {lead.converted_currency}")
    if lead.status not in CONVERTIBLE:
        raise IllegalTransition(f"lead {lead.id} is {lead.status}; only new, working or qualified leads convert")
    if amount < 0:
        raise InvalidInput("amount", "a deal amount cannot be negative")
    moved, facts = _moved(lead, "converted", at)
    deal_id = deal_id_for(lead.id)
    converted = replace(moved, deal_id=deal_id, converted_amount=amount, converted_currency=currency,
                        converted_at=at)
    return converted, [*facts, Fact("coxswain.lead.converted.v1", {
        "lead_id": lead.id, "deal_id": deal_id, "owner_id": lead.owner_id, "territory_id": lead.territory_id,
        "company": lead.company, "amount": amount, "currency": currency, "name": lead.name,
        "email": lead.email})]
