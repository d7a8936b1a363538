"""Request and response bodies of the leads API."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.leads.domain.leads import Lead
from services.leads.domain.normalise import MAX_CHARS, MAX_COUNT
from shared.events.types import Currency, Money
from shared.input_types import Json


class LeadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=MAX_CHARS["email"])
    name: str | None = Field(default=None, max_length=MAX_CHARS["name"])
    first_name: str | None = Field(default=None, max_length=MAX_CHARS["first_name"])
    last_name: str | None = Field(default=None, max_length=MAX_CHARS["last_name"])
    company: str | None = Field(default=None, max_length=MAX_CHARS["company"])
    website: str | None = Field(default=None, max_length=MAX_CHARS["website"])
    title: str | None = Field(default=None, max_length=MAX_CHARS["title"])
    phone: str | None = Field(default=None, max_length=MAX_CHARS["phone"])
    country: str | None = Field(default=None, max_length=MAX_CHARS["country"])
    region: str | None = Field(default=None, max_length=MAX_CHARS["region"])
    postal_code: str | None = Field(default=None, max_length=MAX_CHARS["postal_code"])
    industry: str | None = Field(default=None, max_length=MAX_CHARS["industry"])
    employee_count: int | None = Field(default=None, strict=True, ge=0, le=MAX_COUNT)
    source: str | None = Field(default=None, max_length=MAX_CHARS["source"])
    activity_count: int | None = Field(default=None, strict=True, ge=0, le=MAX_COUNT)


class LeadPatch(BaseModel):
    """Descriptive fields to change (the lead is rescored) and/or a new status."""

    model_config = ConfigDict(extra="forbid")

    status: str | None = None
    disqualified_reason: str | None = Field(default=None, max_length=500)
    name: str | None = Field(default=None, max_length=MAX_CHARS["name"])
    email: str | None = Field(default=None, max_length=MAX_CHARS["email"])
    company: str | None = Field(default=None, max_length=MAX_CHARS["company"])
    title: str | None = Field(default=None, max_length=MAX_CHARS["title"])
    phone: str | None = Field(default=None, max_length=MAX_CHARS["phone"])
    country: str | None = Field(default=None, max_length=MAX_CHARS["country"])
    region: str | None = Field(default=None, max_length=MAX_CHARS["region"])
    postal_code: str | None = Field(default=None, max_length=MAX_CHARS["postal_code"])
    industry: str | None = Field(default=None, max_length=MAX_CHARS["industry"])
    employee_count: int | None = Field(default=None, strict=True, ge=0, le=MAX_COUNT)
    activity_count: int | None = Field(default=None, strict=True, ge=0, le=MAX_COUNT)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rep_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(default="assigned by hand", max_length=300)


class ConvertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # cents, as the column and the deal it becomes hold them: a third decimal is the client's mistake (422)
    amount: Money = Field(ge=0, max_digits=18, decimal_places=2)
    currency: Currency


class ScoreLine(BaseModel):
    rule_id: str
    category: str
    points: int
    description: str


class LeadOut(BaseModel):
    id: str
    email: str | None
    name: str | None
    company: str | None
    company_domain: str | None
    title: str | None
    phone: str | None
    country: str | None
    region: str | None
    postal_code: str | None
    industry: str | None
    employee_count: int | None
    source: str | None
    activity_count: int
    status: str
    disqualified_reason: str | None
    owner_id: str | None
    territory_id: str | None
    score: int
    score_explanation: list[ScoreLine]
    sla_due_at: datetime | None
    sla_breached_at: datetime | None
    sla_breaches: int
    escalated_to: str | None
    first_touched_at: datetime | None
    deal_id: str | None
    converted_amount: Money | None
    converted_currency: str | None
    merged_count: int
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, lead: Lead) -> LeadOut:
        return cls.model_validate({k: getattr(lead, k) for k in cls.model_fields})


class CapturedOut(BaseModel):
    """A capture's answer: the lead, and whether it was new or merged into one already known."""

    outcome: str
    merged: bool
    lead: LeadOut


class MergeOut(BaseModel):
    merged_at: datetime
    origin: str
    matched_on: str
    filled: dict[str, Any]


class AssignmentOut(BaseModel):
    rep_id: str | None
    previous_rep_id: str | None
    territory_id: str | None
    reason: str
    assigned_at: datetime


class LeadDetailOut(LeadOut):
    merges: list[MergeOut]
    assignments: list[AssignmentOut]


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    field: str
    op: str
    value: Json  # checked like any other JSON (a lone surrogate is a 422)
    points: int = Field(strict=True)
    description: str = Field(default="", max_length=300)


class RulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[RuleIn]


class RulesOut(BaseModel):
    rules: list[RuleIn]
    rescored: int | None = None


class PolicyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bands: str = Field(description="name:min_score:minutes, comma separated, e.g. hot:80:60,cold:0:1440")
    breach_action: str = Field(description="reroute or escalate")
