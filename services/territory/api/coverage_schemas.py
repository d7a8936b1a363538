"""Bodies of the coverage, balance, simulation and plan API."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.territory.api.schemas import NewTerritoryIn
from services.territory.domain.coverage import Figures
from shared.events.types import Money


class FiguresOut(BaseModel):
    open_leads: int
    waiting_without_rep: int
    active_reps: int
    capacity: int
    capacity_used_percent: Decimal | None
    open_pipeline: dict[str, Money]
    won: dict[str, Money]
    quota: dict[str, Money]
    attainment_percent: dict[str, Money]
    median_minutes_to_first_touch: Decimal | None

    @classmethod
    def of(cls, f: Figures) -> FiguresOut:
        return cls(**f.__dict__)


class TerritoryCoverage(FiguresOut):
    territory_id: str
    name: str
    parent_id: str | None


class RepCoverage(FiguresOut):
    rep_id: str
    name: str
    team_id: str | None


class CoverageOut(BaseModel):
    period: str
    rollup: bool
    unplaced_leads: int
    territories: list[TerritoryCoverage]
    reps: list[RepCoverage]


class ChangesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    upsert: list[NewTerritoryIn] = Field(default=[], description="territories added or replaced, whole")
    remove: list[str] = Field(default=[], description="ids of territories removed")

    def as_dict(self) -> dict[str, Any]:
        return {"upsert": [t.model_dump() for t in self.upsert], "remove": self.remove}


class SimulationIn(ChangesIn):
    period: str | None = None
    rollup: bool = Field(default=True, strict=True)


class PlanIn(ChangesIn):
    name: str = Field(min_length=1, max_length=200)


class BeforeAfter(BaseModel):
    before: FiguresOut | None
    after: FiguresOut | None


class TerritoryBeforeAfter(BeforeAfter):
    territory_id: str


class RepBeforeAfter(BeforeAfter):
    rep_id: str


class MoveOut(BaseModel):
    lead_id: str
    from_territory: str | None
    to_territory: str | None
    from_rep: str | None
    to_rep: str | None
    reason: str


class SimulationOut(BaseModel):
    period: str
    territories: list[TerritoryBeforeAfter]
    reps: list[RepBeforeAfter]
    moves: list[MoveOut]


class PlanOut(BaseModel):
    id: str
    name: str
    status: str
    changes: dict[str, Any]
    created_at: datetime
    activated_at: datetime | None
    version: int


class ActivationOut(BaseModel):
    plan: PlanOut
    rerouted: list[MoveOut]


class FindingOut(BaseModel):
    territory_id: str
    verdict: str
    open_leads: int
    active_reps: int
    load_per_rep: Decimal | None
    median_load_per_rep: Decimal | None
    why: str
    suggestion: str | None
