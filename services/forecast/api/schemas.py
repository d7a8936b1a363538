"""Request and response bodies of the forecast API."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.forecast.db.adjustments import Adjustment
from services.forecast.domain.periods import PERIOD_RULE, is_period
from shared.events.types import Currency, Money
from shared.events.types import Period as PeriodText

GroupBy = Literal["rep", "team", "territory", "company"]
Method = Literal["weighted", "category", "historical", "cycle_length"]
Crediting = Literal["splits", "owner"]
CENT, RATIO = Decimal("0.01"), Decimal("0.0001")


def _on_the_calendar(period: str) -> str:
    # the pattern alone lets 0000 and 9999-Q4 through, whose first or last day no calendar has
    if not is_period(period):
        raise ValueError(PERIOD_RULE)
    return period


Period = Annotated[PeriodText, AfterValidator(_on_the_calendar)]


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def ratio(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(RATIO)


class AdjustmentOut(BaseModel):
    adjustment_id: str
    period: str
    group_by: str
    group: str
    method: str
    currency: str
    amount: Money
    note: str
    adjusted_by: str
    created_at: datetime


def adjustment_out(adjustment: Adjustment) -> AdjustmentOut:
    return AdjustmentOut(group=adjustment.group_id, **{k: v for k, v in asdict(adjustment).items() if k != "group_id"})


class ForecastRow(BaseModel):
    group: str
    currency: str
    forecast: Money
    closed_won: Money
    open_pipeline: Money
    quota: Money | None
    attainment: Money | None = Field(description="closed won ÷ quota, a ratio to 4 places (1.2000)")
    attainment_percent: Money | None = Field(
        default=None, description="closed won as a percent of quota, to 4 places half-even (120.0000): with "
        "crediting=splits the same number as compensation's statement and territory coverage for the rep")
    coverage: Money | None = Field(description="open pipeline ÷ quota still to close")
    categories: dict[str, Money] | None = Field(default=None, description="category method: cumulative figures")
    adjusted_forecast: Money | None = Field(default=None, description="the latest manager adjustment")
    adjustment: AdjustmentOut | None = None


class ForecastOut(BaseModel):
    period: str
    group_by: str
    method: str
    crediting: str = "splits"
    as_of: datetime | None
    items: list[ForecastRow]


class MethodOut(BaseModel):
    method: str
    amount: Money
    probability: Money
    why: str


class DealForecastOut(BaseModel):
    deal_id: str
    owner_id: str
    status: str
    amount: Money
    currency: str
    stage_id: str
    month: str
    methods: list[MethodOut]


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Period
    group_by: Literal["rep", "team"]
    group: str = Field(min_length=1, max_length=200)
    method: Method = "weighted"
    amount: Money = Field(ge=0, max_digits=18, decimal_places=2)  # cents, as stored: a third decimal is a 422
    currency: Currency
    note: str = Field(min_length=1, max_length=2000, description="why the number differs from the system's")
