"""Pipelines and their ordered stages: what a valid pipeline is, how one changes or goes, and the default one."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.errors import ConflictError, FieldError, InvalidInput, NotFoundError

StageKind = Literal["open", "won", "lost"]
CATEGORIES = ("pipeline", "best_case", "most_likely", "commit", "closed", "omitted")
DEFAULT_PIPELINE_ID = "default"
_SLUG = re.compile(r"[^a-z0-9]+")


class StalePipeline(ConflictError):
    """The pipeline changed since the caller read it."""


class StageNotInPipeline(InvalidInput):
    pass


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    probability: int
    forecast_category: str
    kind: StageKind = "open"
    position: int = 0


@dataclass(frozen=True)
class Pipeline:
    id: str
    name: str
    stages: tuple[Stage, ...]
    created_at: datetime
    version: int = 1

    @property
    def open_stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.kind == "open")

    def stage(self, stage_id: str, field: str = "stage_id") -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise StageNotInPipeline(field, f"stage {stage_id!r} is not a stage of pipeline {self.id!r}")

    def closing_stage(self, kind: StageKind) -> Stage:
        return next(s for s in self.stages if s.kind == kind)

    def next_open_stage(self, stage_id: str) -> Stage | None:
        ids = [s.id for s in self.open_stages]
        at = ids.index(stage_id) if stage_id in ids else len(ids)
        return self.open_stages[at + 1] if at + 1 < len(ids) else None


def slug(name: str) -> str:
    return _SLUG.sub("_", name.lower()).strip("_") or "stage"


def build_pipeline(pipeline_id: str, name: str, stages: list[Stage], now: datetime, version: int = 1) -> Pipeline:
    """Order the open stages as given, then closed-won (100, closed) and closed-lost (0, omitted)."""
    if not name.strip():
        raise InvalidInput("name", "a pipeline needs a name")
    open_stages = [s for s in stages if s.kind == "open"]
    if not open_stages:
        raise InvalidInput("stages", "a pipeline needs at least one open stage")
    won = [s for s in stages if s.kind == "won"] or [Stage("closed_won", "Closed won", 100, "closed", "won")]
    lost = [s for s in stages if s.kind == "lost"] or [Stage("closed_lost", "Closed lost", 0, "omitted", "lost")]
    if len(won) > 1 or len(lost) > 1:
        raise InvalidInput("stages", "a pipeline has exactly one closed-won and one closed-lost stage")
    _check_closing(won[0], 100, "won")
    _check_closing(lost[0], 0, "lost")
    ordered = [*open_stages, won[0], lost[0]]
    _check_unique(ordered)
    positioned = tuple(Stage(s.id, s.name, s.probability, s.forecast_category, s.kind, i + 1)
                       for i, s in enumerate(ordered))
    return Pipeline(pipeline_id, name.strip(), positioned, now, version)


def _check_closing(stage: Stage, probability: int, kind: str) -> None:
    if stage.probability != probability:
        raise InvalidInput("stages", f"the closed-{kind} stage {stage.id!r} must have probability {probability}")


def _check_unique(stages: list[Stage]) -> None:
    seen: set[str] = set()
    for i, stage in enumerate(stages):
        if stage.id in seen:
            raise InvalidInput(f"stages.{i}.id", f"stage id {stage.id!r} appears twice")
        if not 0 <= stage.probability <= 100:
            raise InvalidInput(f"stages.{i}.probability", "probability is a percentage from 0 to 100")
        if stage.forecast_category not in CATEGORIES:
            raise InvalidInput(f"stages.{i}.forecast_category", f"must be one of {', '.join(CATEGORIES)}")
        seen.add(stage.id)


def check_stage_removal(old: Pipeline, new: Pipeline, stages_in_use: set[str]) -> None:
    gone = {s.id for s in old.stages} - {s.id for s in new.stages}
    if gone & stages_in_use:
        raise ConflictError(f"stages {sorted(gone & stages_in_use)} still hold deals; move the deals first",
                            [FieldError("stages", "a stage with deals cannot be removed")])


def revise_pipeline(old: Pipeline, name: str, stages: list[Stage], expected_version: int | None,
                    stages_in_use: set[str]) -> Pipeline:
    """The next version of a pipeline: only from the version the caller read, never dropping a stage with deals."""
    if expected_version is not None and expected_version != old.version:
        raise StalePipeline(f"pipeline {old.id} is at version {old.version}, not {expected_version}")
    new = build_pipeline(old.id, name, stages, old.created_at, old.version + 1)
    check_stage_removal(old, new, stages_in_use)
    return new


def check_deletable(pipeline_id: str, deal_count: int) -> None:
    """The default pipeline always exists; a pipeline holding deals stays."""
    if pipeline_id == DEFAULT_PIPELINE_ID:
        raise InvalidInput("pipeline_id", "the default pipeline cannot be deleted")
    if deal_count:
        raise ConflictError(f"pipeline {pipeline_id} holds deals; it cannot be deleted")


def default_pipeline(now: datetime) -> Pipeline:
    return build_pipeline(DEFAULT_PIPELINE_ID, "Default", [
        Stage("qualification", "Qualification", 10, "pipeline"),
        Stage("discovery", "Discovery", 25, "pipeline"),
        Stage("proposal", "Proposal", 50, "best_case"),
        Stage("negotiation", "Negotiation", 75, "commit"),
    ], now)


def missing_pipeline(pipeline_id: str) -> NotFoundError:
    return NotFoundError(f"pipeline {pipeline_id} does not exist")
