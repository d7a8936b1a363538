"""Response bodies of the analytics API."""
from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from shared.events.types import Money


class FunnelStageOut(BaseModel):
    stage_id: str
    name: str
    entered: int
    conversion_to_next: Decimal | None
    conversion_to_won: Decimal | None
    mean_days: Decimal | None
    median_days: Decimal | None


class FunnelOut(BaseModel):
    pipeline_id: str
    period: str
    scope: str
    stages: list[FunnelStageOut]


class VelocityOut(BaseModel):
    currency: str
    open_deals: int
    won: int
    lost: int
    win_rate: Decimal | None
    average_deal_size: Money | None
    cycle_days: Decimal | None
    velocity_per_day: Money | None


class VelocityPage(BaseModel):
    pipeline_id: str
    period: str
    scope: str
    items: list[VelocityOut]


class StageHealthOut(BaseModel):
    stage_id: str
    conversion_to_next: Decimal | None
    previous_conversion: Decimal | None
    conversion_vs_others: Decimal | None
    mean_days: Decimal | None
    previous_mean_days: Decimal | None
    dwell_vs_others: Decimal | None


class BottlenecksOut(BaseModel):
    pipeline_id: str
    period: str
    previous_period: str
    scope: str
    lowest_conversion: StageHealthOut | None
    longest_dwell: StageHealthOut | None
    stages: list[StageHealthOut]
