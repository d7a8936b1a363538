"""Request and response bodies of compensation's API."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.events.types import Currency, Money
from shared.input_types import Json


class Body(BaseModel):
    """A request body: a field the operation does not take is a 422 naming it, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class TermsIn(Body):
    currency: Currency
    period_kind: Literal["month", "quarter", "year"] = "quarter"
    # Json, not Any: strings inside are checked like any other (a lone surrogate is a 422, not a 500)
    components: list[dict[str, Json]] = Field(min_length=1, max_length=50,
                                              description="rate, tiers, accelerator or spif")
    cap_per_deal: Money | None = Field(default=None, gt=0, max_digits=18, decimal_places=2)
    cap_per_period: Money | None = Field(default=None, gt=0, max_digits=18, decimal_places=2)

    def terms(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class PlanVersionIn(TermsIn):
    effective_from: date


class PlanIn(PlanVersionIn):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    name: str = Field(min_length=1, max_length=200)


class PlanVersionOut(BaseModel):
    version: int
    effective_from: date
    terms: dict[str, Any]


class SimulationIn(TermsIn):
    period: str = Field(pattern=r"^(19[0-9]{2}|2[0-9]{3})(-Q[1-4]|-(0[1-9]|1[0-2]))?$")


class SimulationRowOut(BaseModel):
    rep_id: str
    current: Money
    simulated: Money
    difference: Money


class SimulationOut(BaseModel):
    plan_id: str
    period: str
    reps: list[SimulationRowOut]
    current: Money
    simulated: Money
    difference: Money


class PlanOut(BaseModel):
    id: str
    name: str
    versions: list[PlanVersionOut]


class AssignmentIn(Body):
    rep_id: str = Field(min_length=1, max_length=64)
    starts_on: date
    ends_on: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AssignmentIn:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class AssignmentOut(AssignmentIn):
    model_config = ConfigDict(extra="ignore")  # built from a stored row, which may hold more

    id: int
    plan_id: str


class QuotaIn(Body):
    amount: Money = Field(gt=0, max_digits=18, decimal_places=2)  # as the column holds it
    currency: Currency


class QuotaOut(QuotaIn):
    model_config = ConfigDict(extra="ignore")  # built from a stored row, which may hold more

    rep_id: str
    period: str


class RateIn(Body):
    rate: Money = Field(gt=0, max_digits=18, decimal_places=8)  # as the column holds it


class RateOut(RateIn):
    model_config = ConfigDict(extra="ignore")  # built from a stored row, which may hold more

    base: str
    quote: str
    effective_on: date


class DrawIn(Body):
    kind: Literal["recoverable", "guarantee"]
    amount: Money = Field(gt=0, max_digits=18, decimal_places=2)  # as the column holds it
    currency: Currency


class DrawOut(DrawIn):
    model_config = ConfigDict(extra="ignore")  # built from a stored row, which may hold more

    rep_id: str
    balance: Money


class LineOut(BaseModel):
    id: int
    rep_id: str
    deal_id: str | None
    period: str
    component: str
    kind: str
    base: Money
    rate: Money
    amount: Money
    currency: str
    tier: str | None = None
    attainment_before: Money | None = None
    attainment_after: Money | None = None
    plan_id: str | None = None
    plan_version: int | None = None
    quota_period: str | None = Field(default=None, description="the period whose calculation the line belongs to")
    reason: str | None = None
    created_at: datetime


class PendingOut(BaseModel):
    deal_id: str
    rep_id: str
    reason: str | None
    since: datetime


class PeriodOut(BaseModel):
    period: str
    closed_at: datetime
    draw_lines: int = 0


class CalculatedLineOut(BaseModel):
    deal_id: str
    component: str
    kind: str
    tier: str | None = Field(description="the tier's band, e.g. 0-100% of quota")
    base: Money
    rate: Money
    amount: Money
    attainment_before: Money | None
    attainment_after: Money | None
    plan_id: str | None
    plan_version: int | None


class CalculationOut(BaseModel):
    """The plan applied now, from scratch, to the period's credits (deals in close order), so a rep can check
    their pay by hand: `paid` is every line written for this period (wherever it landed), `difference` what is
    still to be appended (zero once the ledger has caught up)."""
    lines: list[CalculatedLineOut]
    total: Money
    paid: Money
    difference: Money


class StatementOut(BaseModel):
    rep_id: str
    period: str
    currency: str | None
    lines: list[LineOut]
    totals_by_component: dict[str, Money]
    total: Money
    quota: Money | None
    credited: Money
    attainment: Money | None = Field(description="percent of quota")
    payout: Money
    draw: DrawOut | None = None
    closed: bool
    calculation: CalculationOut


class TeamRowOut(BaseModel):
    rep_id: str
    total: Money
    quota: Money | None
    attainment: Money | None


class TeamStatementOut(BaseModel):
    team_id: str
    period: str
    reps: list[TeamRowOut]
    total: Money


def zero() -> Decimal:
    return Decimal("0.00")
