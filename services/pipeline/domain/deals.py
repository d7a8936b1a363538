"""The deal aggregate: what may happen to a deal and what each change announces."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from shared.errors import ConflictError, InvalidInput

Outcome = Literal["won", "lost"]


class DealAlreadyClosed(ConflictError):
    pass


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

    def effective_splits(self) -> tuple[Split, ...]:
        return self.splits or (Split(self.owner_id, Decimal(100)),)


def validate_splits(splits: tuple[Split, ...]) -> None:
    if splits and sum((s.percent for s in splits), Decimal(0)) != Decimal(100):
        raise InvalidInput("splits", "split percentages must sum to 100")


def close_deal(deal: Deal, outcome: Outcome, at: datetime) -> Deal:
    """Closing is final until reopened: won moves to 100%, lost to 0%."""
    if deal.status != "open":
        raise DealAlreadyClosed(f"deal {deal.id} is already closed ({deal.status})")
    return replace(deal, status=outcome, closed_at=at, probability=100 if outcome == "won" else 0,
                   forecast_category="closed" if outcome == "won" else "omitted", version=deal.version + 1)
