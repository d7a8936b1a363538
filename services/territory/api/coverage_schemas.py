"""Bodies of the coverage, balance and simulation API."""
from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

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
