"""Request and response bodies of the deals API."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from services.pipeline.domain.deals import Deal
from shared.events.types import Currency, Money


class SplitIn(BaseModel):
    rep_id: str = Field(min_length=1)
    percent: Money = Field(gt=0, le=100)


class DealIn(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    amount: Money = Field(ge=0)
    currency: Currency
    owner_id: str = Field(min_length=1)
    company: str | None = None
    territory_id: str | None = None
    expected_close_date: date | None = None
    splits: list[SplitIn] = []


class CloseIn(BaseModel):
    outcome: Literal["won", "lost"]
    lost_reason: str | None = None


class SplitOut(BaseModel):
    rep_id: str
    percent: Money


class DealOut(BaseModel):
    id: str
    name: str
    company: str | None
    amount: Money
    currency: str
    owner_id: str
    territory_id: str | None
    pipeline_id: str
    stage_id: str
    probability: int
    forecast_category: str
    expected_close_date: date | None
    lead_id: str | None
    status: str
    created_at: datetime
    closed_at: datetime | None
    version: int
    splits: list[SplitOut]

    @classmethod
    def of(cls, deal: Deal) -> DealOut:
        return cls(**{k: getattr(deal, k) for k in cls.model_fields if k != "splits"},
                   splits=[SplitOut(rep_id=s.rep_id, percent=Decimal(s.percent)) for s in deal.splits])
