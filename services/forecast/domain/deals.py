"""What forecast knows of a deal, folded from pipeline's deal events; each event yields the deal's next state."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shared.crediting import Splits, splits_of

OPEN, WON, LOST = "open", "won", "lost"


@dataclass(frozen=True)
class DealState:
    deal_id: str
    version: int
    owner_id: str
    amount: Decimal
    currency: str
    pipeline_id: str
    stage_id: str
    probability: int
    category: str
    created_at: datetime
    company: str | None = None
    territory_id: str | None = None
    expected_close_date: date | None = None
    status: str = OPEN
    closed_at: datetime | None = None
    splits: Splits = ()  # none: the owner is credited 100% (shared.crediting), and a new owner takes it over

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def period_day(self) -> date:
        """The day that places the deal in a period: its close day once closed, else its expected close
        date, else (no date given) the day it was created."""
        if self.closed_at is not None and not self.is_open:
            return self.closed_at.date()
        return self.expected_close_date or self.created_at.date()

    @property
    def cycle_days(self) -> int | None:
        if self.status != WON or self.closed_at is None:
            return None
        return max(0, (self.closed_at.date() - self.created_at.date()).days)


_FIELDS = {f.name for f in fields(DealState)}


@dataclass(frozen=True)
class DealChange:
    """One deal event in forecast's terms: `kind`, its sequence and the fields it states (others unknown)."""

    kind: str  # created | stage_changed | updated | closed | reopened
    deal_id: str
    sequence: int
    values: dict[str, Any]


class UnknownDeal(Exception):
    """An event that cannot be applied without an earlier one (only deal.updated lacks the whole picture)."""


def apply(state: DealState | None, change: DealChange) -> DealState | None:
    """The deal after the change; None when the change is older than what is known (a stale or repeated fact)."""
    if state is not None and change.sequence <= state.version:
        return None
    whole = change.kind in ("created", "stage_changed")  # these state the close date even when it is empty
    values = {k: v for k, v in change.values.items()
              if k in _FIELDS and (v is not None or (whole and k == "expected_close_date"))}
    values["version"] = change.sequence
    if change.kind in ("created", "stage_changed", "reopened"):
        values.update(status=OPEN, closed_at=None)
    if state is not None:
        return _credited(replace(state, **values))
    if change.kind == "updated":
        raise UnknownDeal(f"deal.updated for deal {change.deal_id} that forecast has not seen")
    try:
        return _credited(DealState(deal_id=change.deal_id, **_defaults(change, values)))
    except TypeError as missing:
        raise UnknownDeal(f"{change.kind} for a deal forecast has not seen: {missing}") from None


def _credited(deal: DealState) -> DealState:
    """Splits of the owner alone are no splits: the credit then follows the owner when the deal moves."""
    return replace(deal, splits=splits_of(deal.splits, deal.owner_id))


def _defaults(change: DealChange, values: dict[str, Any]) -> dict[str, Any]:
    """Fill what a first-seen non-created event may lack, so an out-of-order start still builds a deal."""
    out = dict(values)
    when = out.get("created_at") or out.get("closed_at") or change.values.get("at")
    if when is None:
        raise TypeError("no time to date it by")
    out.setdefault("created_at", when)
    out.setdefault("pipeline_id", "unknown")
    out.setdefault("stage_id", "unknown")
    out.setdefault("probability", 100 if out.get("status") == WON else 0)
    out.setdefault("category", "closed" if out.get("status") == WON else "omitted")
    out.pop("deal_id", None)
    return out
