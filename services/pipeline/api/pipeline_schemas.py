"""Request and response bodies of the pipelines API."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.pipeline.domain.pipelines import Pipeline, Stage, slug
from shared.events.catalog import ForecastCategory
from shared.events.types import Probability


class StageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    name: str = Field(min_length=1, max_length=200)
    probability: Probability = Field(strict=True)  # false or "50" is a client's bug to tell them about
    forecast_category: ForecastCategory
    kind: Literal["open", "won", "lost"] = "open"

    def stage(self) -> Stage:
        return Stage(self.id or slug(self.name), self.name, self.probability, self.forecast_category, self.kind)


class PipelineIn(BaseModel):
    """Open stages in order; closed-won (100) and closed-lost (0) are added unless given with kind won/lost."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    stages: list[StageBody] = Field(min_length=1, max_length=50)
    version: int | None = Field(default=None, strict=True, ge=1, le=2**31 - 1)


class NewPipelineIn(PipelineIn):
    id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")


class StageOut(BaseModel):
    id: str
    name: str
    position: int
    probability: int
    forecast_category: str
    kind: str


class PipelineOut(BaseModel):
    id: str
    name: str
    created_at: datetime
    version: int
    stages: list[StageOut]

    @classmethod
    def of(cls, p: Pipeline) -> PipelineOut:
        return cls(id=p.id, name=p.name, created_at=p.created_at, version=p.version,
                   stages=[StageOut(**{k: getattr(s, k) for k in StageOut.model_fields}) for s in p.stages])
