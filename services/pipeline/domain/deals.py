"""The deal aggregate: what may happen to a deal, each change bumping its version by one."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from services.pipeline.domain.pipelines import CATEGORIES, Pipeline
from shared.errors import ConflictError, InvalidInput, StaleWrite

Outcome = Literal["won", "lost"]
UPDATABLE = ("name", "company", "amount", "currency", "owner_id", "territory_id", "expected_close_date", "splits",
             "forecast_category")


class DealNotOpen(ConflictError):
    pass


class StaleVersion(StaleWrite):
    """The deal changed between this transaction's read and its write: the command runs again."""


@dataclass(frozen=True)
class Split:
    rep_id: str
    percent: Decimal


@dataclass(frozen=True)
class Deal:
    id: str
    name: str
    company: str | None
    amount: Decimal
    currency: str
    owner_id: str
    territory_id: str | None
    pipeline_id: str
    stage_id: str
    probability: int
    forecast_category: str
    expected_close_date: date | None
    lead_id: str | None
    created_at: datetime
    status: str = "open"  # open | won | lost
    closed_at: datetime | None = None
    version: int = 1
    splits: tuple[Split, ...] = field(default_factory=tuple)
    category_override: str | None = None
    stage_entered_at: datetime | None = None
    lost_reason: str | None = None
    last_open_stage_id: str | None = None
    external_id: str | None = None
    team_id: str | None = None
    furthest_position: int = 0  # analytics bookkeeping: the furthest stage reached (see domain/analytics.py)

    def effective_splits(self) -> tuple[Split, ...]:
        return self.splits or (Split(self.owner_id, Decimal(100)),)

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def validate_splits(splits: tuple[Split, ...]) -> None:
    """Splits are optional (the owner then has 100%); when given, positive, one per rep, summing to 100."""
    if not splits:
        return
    for i, s in enumerate(splits):
        if s.percent <= 0 or s.percent > 100:
            raise InvalidInput(f"splits.{i}.percent", "a split is a percentage above 0 and at most 100")
    if len({s.rep_id for s in splits}) != len(splits):
        raise InvalidInput("splits", "each rep appears at most once in the splits")
    total = sum((s.percent for s in splits), Decimal(0))
    if total != Decimal(100):
        raise InvalidInput("splits", f"split percentages must sum to 100 (they sum to {total})")


def check_version(deal: Deal, expected: int | None) -> None:
    if expected is not None and expected != deal.version:
        raise StaleVersion(f"deal {deal.id} is at version {deal.version}, not {expected}: reload it and retry")


def category_for(deal: Deal, stage_category: str) -> str:
    if deal.status == "won":
        return "closed"
    if deal.status == "lost":
        return "omitted"
    return deal.category_override or stage_category


def open_deal(deal: Deal, pipeline: Pipeline, stage_id: str | None) -> Deal:
    """A new deal placed in its stage (the first open stage unless told), probability and category from it."""
    validate_splits(deal.splits)
    stage = pipeline.stage(stage_id) if stage_id else pipeline.open_stages[0]
    if stage.kind != "open":
        raise InvalidInput("stage_id", "a new deal starts in an open stage; close it with /close")
    placed = replace(deal, pipeline_id=pipeline.id, stage_id=stage.id, probability=stage.probability,
                     stage_entered_at=deal.created_at, version=1)
    return replace(placed, forecast_category=category_for(placed, stage.forecast_category))


def move_stage(deal: Deal, pipeline: Pipeline, to_stage_id: str, at: datetime) -> Deal:
    """Forward or back between open stages; the rep's category override survives the move."""
    if not deal.is_open:
        raise DealNotOpen(f"deal {deal.id} is {deal.status}; reopen it before moving it")
    stage = pipeline.stage(to_stage_id)
    if stage.kind != "open":
        raise InvalidInput("stage_id", f"closing goes through POST /v1/deals/{deal.id}/close with an outcome")
    if stage.id == deal.stage_id:
        raise ConflictError(f"deal {deal.id} is already in stage {stage.id}")
    return replace(deal, stage_id=stage.id, probability=stage.probability, stage_entered_at=at,
                   forecast_category=category_for(deal, stage.forecast_category), version=deal.version + 1)


def close_deal(deal: Deal, pipeline: Pipeline, outcome: Outcome, at: datetime, lost_reason: str | None = None) -> Deal:
    """Closing is final until reopened: won moves to closed-won (100%), lost to closed-lost (0%) with a reason."""
    if not deal.is_open:
        raise DealNotOpen(f"deal {deal.id} is already closed ({deal.status})")
    if outcome == "lost" and not (lost_reason or "").strip():
        raise InvalidInput("lost_reason", "a lost deal needs a lost reason")
    stage = pipeline.closing_stage(outcome)
    return replace(deal, status=outcome, closed_at=at, stage_id=stage.id, probability=stage.probability,
                   forecast_category="closed" if outcome == "won" else "omitted", stage_entered_at=at,
                   lost_reason=lost_reason if outcome == "lost" else None, last_open_stage_id=deal.stage_id,
                   version=deal.version + 1)


def reopen_deal(deal: Deal, pipeline: Pipeline, at: datetime, stage_id: str | None = None) -> Deal:
    """Undo a close: back to the stage it closed from (or the one asked for)."""
    if deal.is_open:
        raise DealNotOpen(f"deal {deal.id} is open; only a closed deal can be reopened")
    target = pipeline.stage(stage_id or deal.last_open_stage_id or pipeline.open_stages[0].id)
    if target.kind != "open":
        raise InvalidInput("stage_id", "a deal reopens into an open stage")
    reopened = replace(deal, status="open", closed_at=None, lost_reason=None, stage_id=target.id,
                       probability=target.probability, stage_entered_at=at, version=deal.version + 1)
    return replace(reopened, forecast_category=category_for(reopened, target.forecast_category))


def update_deal(deal: Deal, pipeline: Pipeline, changes: dict[str, Any]) -> tuple[Deal, dict[str, Any]]:
    """Apply the fields given; return the deal and what really changed (nothing changed: same version)."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "this field cannot be changed with PATCH")
    changed = {k: v for k, v in changes.items() if k != "forecast_category" and getattr(deal, k) != v}
    updated = replace(deal, **changed)
    validate_splits(updated.splits)
    if "forecast_category" in changes:
        updated = _override_category(updated, pipeline, changes["forecast_category"])
        if updated.forecast_category != deal.forecast_category or updated.category_override != deal.category_override:
            changed["forecast_category"] = updated.forecast_category
    if not changed:
        return deal, {}
    return replace(updated, version=deal.version + 1), changed


def _override_category(deal: Deal, pipeline: Pipeline, category: str | None) -> Deal:
    """A category set by hand sticks through stage moves; null gives the stage's category back."""
    if category is not None and category not in CATEGORIES:
        raise InvalidInput("forecast_category", f"must be one of {', '.join(CATEGORIES)}")
    if not deal.is_open:
        raise DealNotOpen(f"deal {deal.id} is {deal.status}; its forecast category follows the outcome")
    overridden = replace(deal, category_override=category)
    stage_category = pipeline.stage(deal.stage_id).forecast_category
    return replace(overridden, forecast_category=category_for(overridden, stage_category))
