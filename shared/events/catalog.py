"""Payload models of the event catalog (CONTRACT.md). Additive fields are fine; a breaking change is a new vN.

The catalog is the contract: every field a producer sends or a consumer reads is declared here (new_event
refuses a payload with an undeclared field). Models still accept extra fields when reading, so a field added
later by a newer producer never breaks an older consumer; no consumer reads such a field.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.types import Currency, Money, Period, Probability

ForecastCategory = Literal["pipeline", "best_case", "most_likely", "commit", "closed", "omitted"]
Operator = Literal["eq", "in", "prefix", "range"]


class Payload(BaseModel):
    # Tolerant reader: fields added later by a producer must not break an older consumer.
    model_config = ConfigDict(extra="allow")


SlaAction = Literal["reroute", "escalate"]


class Condition(Payload):
    field: str
    op: Operator
    value: Any


class Rule(Payload):
    conditions: list[Condition] = Field(min_length=1)


class Split(Payload):
    """A rep's share of a deal. Crediting (docs/events.md, shared/crediting.py): each split rep is credited
    percent × amount, half-even to the cent per deal; a deal without splits credits its owner 100%. Splits of
    one deal are positive, one per rep, and sum to 100."""

    rep_id: str
    percent: Money


class CommissionLine(Payload):
    component: str
    base: Money
    rate: Money
    amount: Money
    kind: str | None = Field(default=None, description="commission, true_up, cap, spif, reversal or draw")
    tier: str | None = Field(default=None, description="the attainment tier the line was paid in, e.g. 100-150%")
    attainment_before: Money | None = Field(default=None, description="quota attainment percent before the deal")
    attainment_after: Money | None = Field(default=None, description="quota attainment percent after the deal")


class RepUpserted(Payload):
    rep_id: str
    name: str
    email: str
    team_id: str | None = None
    active: bool = True
    capacity: int = Field(ge=0)
    segments: list[str] = []


class TeamUpserted(Payload):
    team_id: str
    name: str
    manager_rep_id: str | None = None
    parent_team_id: str | None = None


class TerritoryUpserted(Payload):
    territory_id: str
    name: str
    parent_id: str | None = None
    priority: int = 0
    rules: list[Rule] = []
    rep_ids: list[str] = []
    is_default: bool = False  # catches leads no other territory matches


class TerritoryDeleted(Payload):
    territory_id: str


class LeadCreated(Payload):
    lead_id: str
    source: str | None = None
    email: str | None = None
    name: str | None = None
    company: str | None = None
    country: str | None = None
    region: str | None = None
    postal_code: str | None = None
    industry: str | None = None
    employee_count: int | None = Field(default=None, ge=0)
    title: str | None = None
    company_domain: str | None = None
    score: int | None = Field(default=None, ge=0, le=100)
    created_at: datetime


class LeadRouted(Payload):
    lead_id: str
    territory_id: str | None
    rep_id: str | None
    reason: str


class LeadAssigned(Payload):
    # Every change of a lead's owner: `rep_id` is null when the lead is left without a rep (territory found
    # nobody to take it), the previous holder in `previous_rep_id`. Optional since issue 12 (additive).
    lead_id: str
    rep_id: str | None = None
    territory_id: str | None = None
    previous_rep_id: str | None = None
    assigned_at: datetime
    reason: str


class LeadStatusChanged(Payload):
    lead_id: str
    from_status: str
    to_status: str
    changed_at: datetime
    reason: str | None = Field(default=None, description="why a lead was disqualified")


class LeadSlaBreached(Payload):
    lead_id: str
    rep_id: str | None
    due_at: datetime
    breached_at: datetime
    action: SlaAction = Field(default="reroute", description="leads' breach policy: territory re-routes on reroute")
    escalated_to: str | None = Field(default=None, description="the manager the lead escalates to (escalate)")


class LeadConverted(Payload):
    lead_id: str
    deal_id: str
    owner_id: str | None
    territory_id: str | None = None
    company: str | None = None
    amount: Money
    currency: Currency
    name: str | None = None
    email: str | None = None


class DealCreated(Payload):
    deal_id: str
    name: str
    company: str | None = None
    amount: Money
    currency: Currency
    owner_id: str
    territory_id: str | None = None
    pipeline_id: str
    stage_id: str
    probability: Probability
    forecast_category: ForecastCategory
    expected_close_date: date | None = None
    lead_id: str | None = None
    created_at: datetime
    splits: list[Split] = []
    team_id: str | None = None
    external_id: str | None = Field(default=None, description="the deal's id in the CRM it came from")


class DealStageChanged(Payload):
    deal_id: str
    from_stage_id: str
    to_stage_id: str
    probability: Probability
    forecast_category: ForecastCategory
    amount: Money
    currency: Currency
    owner_id: str
    expected_close_date: date | None = None
    changed_at: datetime
    pipeline_id: str | None = None
    territory_id: str | None = None


class DealUpdated(Payload):
    """Only the fields that changed are present (besides deal_id and updated_at)."""

    deal_id: str
    name: str | None = None
    company: str | None = None
    amount: Money | None = None
    currency: Currency | None = None
    expected_close_date: date | None = None
    owner_id: str | None = None
    territory_id: str | None = None
    forecast_category: ForecastCategory | None = None
    splits: list[Split] | None = None
    updated_at: datetime | None = None


class DealClosed(Payload):
    """A deal closed won or lost.

    `splits` say how the deal credits reps (the owner's 100% when it has none); see `Split`."""

    deal_id: str
    outcome: Literal["won", "lost"]
    amount: Money
    currency: Currency
    owner_id: str
    splits: list[Split] = []
    territory_id: str | None = None
    created_at: datetime
    closed_at: datetime
    lost_reason: str | None = None
    pipeline_id: str | None = None
    stage_id: str | None = None
    products: list[str] = Field(default=[], description="products sold, for SPIF criteria (when known)")
    new_logo: bool = Field(default=False, description="a first deal with this customer, for SPIF criteria")


class MoneyValue(Payload):
    amount: Money
    currency: Currency


class DealClosedV2(Payload):
    """A deal closed won or lost (version 2): the deal's value is one money object, `value: {amount, currency}`,
    where version 1 has two fields, `amount` and `currency`. Pipeline publishes it beside version 1 during the
    deprecation window when COXSWAIN_PIPELINE_PUBLISH_DEAL_CLOSED_V2 is on (docs/events.md, "Versions")."""

    deal_id: str
    outcome: Literal["won", "lost"]
    value: MoneyValue
    owner_id: str
    splits: list[Split] = []
    territory_id: str | None = None
    created_at: datetime
    closed_at: datetime
    lost_reason: str | None = None
    pipeline_id: str | None = None
    stage_id: str | None = None
    products: list[str] = Field(default=[], description="products sold, for SPIF criteria (when known)")
    new_logo: bool = Field(default=False, description="a first deal with this customer, for SPIF criteria")

    @classmethod
    def of(cls, v1: DealClosed) -> DealClosedV2:
        """The same fact in version 2's shape."""
        fields = v1.model_dump(exclude={"amount", "currency"})
        return cls(**fields, value=MoneyValue(amount=v1.amount, currency=v1.currency))


class DealReopened(Payload):
    deal_id: str
    stage_id: str
    reopened_at: datetime
    probability: Probability | None = None
    forecast_category: ForecastCategory | None = None
    amount: Money | None = None
    currency: Currency | None = None
    owner_id: str | None = None


class QuotaSet(Payload):
    rep_id: str
    period: Period
    amount: Money
    currency: Currency


class CommissionCalculated(Payload):
    rep_id: str
    deal_id: str
    period: Period
    amount: Money
    currency: Currency
    lines: list[CommissionLine] = []


class CommissionReversed(Payload):
    rep_id: str
    deal_id: str
    period: Period
    amount: Money
    currency: Currency
    reason: str


class ForecastSnapshotTaken(Payload):
    snapshot_id: str
    period: Period
    method: str
    taken_at: datetime
    totals: dict[str, Any]
    trigger: Literal["demand", "schedule"] = "demand"
