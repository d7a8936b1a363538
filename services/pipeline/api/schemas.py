"""Request and response bodies of the deals API."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.pipeline.domain.deals import Deal, Split
from services.pipeline.domain.history import HistoryEntry, StageTime
from shared.events.catalog import ForecastCategory
from shared.events.types import Currency, Money

# One set of field limits for every way a deal arrives (the JSON API and CRM webhooks share these types).
Amount = Annotated[Money, Field(ge=0, max_digits=18, decimal_places=2)]
Percent = Annotated[Money, Field(gt=0, le=100, decimal_places=4)]
DealName = Annotated[str, Field(min_length=1, max_length=300)]
Company = Annotated[str, Field(max_length=300)]
RepId = Annotated[str, Field(min_length=1, max_length=64)]
Ref = Annotated[str, Field(max_length=64, description="id of a territory, pipeline, stage or lead")]
MAX_VERSION = 2**31 - 1  # the version column is a 32-bit integer
Version = Annotated[int | None, Field(default=None, strict=True, ge=1, le=MAX_VERSION,
                                      description="the version you read; stale → 409")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SplitIn(Body):
    rep_id: RepId
    percent: Percent


def splits_of(items: list[SplitIn]) -> tuple[Split, ...]:
    return tuple(Split(s.rep_id, Decimal(s.percent)) for s in items)


class DealIn(Body):
    name: DealName
    amount: Amount
    currency: Currency
    owner_id: RepId
    company: Company | None = None
    territory_id: Ref | None = None
    expected_close_date: date | None = None
    pipeline_id: Ref | None = None
    stage_id: Ref | None = None
    lead_id: Ref | None = None
    splits: list[SplitIn] = Field(default=[], max_length=50)


class DealPatch(Body):
    """Only the fields sent change; forecast_category null hands the category back to the stage."""

    # Absent means unchanged; the route refuses an explicit null for these four (the types stay non-optional).
    name: DealName = None  # type: ignore[assignment]  # None only as "not sent", see above
    company: Company | None = None
    amount: Amount = None  # type: ignore[assignment]  # None only as "not sent"
    currency: Currency = None  # type: ignore[assignment]  # None only as "not sent"
    owner_id: RepId = None  # type: ignore[assignment]  # None only as "not sent"
    territory_id: Ref | None = None
    expected_close_date: date | None = None
    forecast_category: ForecastCategory | None = None
    splits: list[SplitIn] | None = Field(default=None, max_length=50)
    version: Version


class StageIn(Body):
    stage_id: str = Field(min_length=1, max_length=64)
    version: Version


class CloseIn(Body):
    outcome: Literal["won", "lost"]
    lost_reason: str | None = Field(default=None, max_length=500)
    version: Version


class ReopenIn(Body):
    stage_id: str | None = Field(default=None, max_length=64)
    version: Version


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
    team_id: str | None
    territory_id: str | None
    pipeline_id: str
    stage_id: str
    probability: int
    forecast_category: str
    category_override: str | None
    expected_close_date: date | None
    lead_id: str | None
    external_id: str | None
    status: str
    lost_reason: str | None
    created_at: datetime
    stage_entered_at: datetime | None
    closed_at: datetime | None
    version: int
    splits: list[SplitOut]

    @classmethod
    def of(cls, deal: Deal) -> DealOut:
        return cls(**{k: getattr(deal, k) for k in cls.model_fields if k != "splits"},
                   splits=[SplitOut(rep_id=s.rep_id, percent=Decimal(s.percent)) for s in deal.splits])


class HistoryItem(BaseModel):
    version: int
    kind: str
    at: datetime
    actor: str
    from_stage_id: str | None
    to_stage_id: str | None
    seconds_in_from_stage: int | None
    detail: str | None


class StageTimeOut(BaseModel):
    stage_id: str
    visits: int
    seconds: int
    days: Decimal


class HistoryOut(BaseModel):
    deal_id: str
    items: list[HistoryItem]
    time_in_stages: list[StageTimeOut]

    @classmethod
    def of(cls, deal_id: str, entries: list[HistoryEntry], times: list[StageTime]) -> HistoryOut:
        items = [HistoryItem(**{k: getattr(e, k) for k in HistoryItem.model_fields}) for e in entries]
        return cls(deal_id=deal_id, items=items, time_in_stages=[
            StageTimeOut(stage_id=t.stage_id, visits=t.visits, seconds=t.seconds,
                         days=(Decimal(t.seconds) / 86400).quantize(Decimal("0.01"))) for t in times])
