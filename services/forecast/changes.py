"""Pipeline's deal events in forecast's terms: each payload becomes a DealChange for the domain."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from services.forecast.domain.deals import DealChange
from shared.events import CloudEvent
from shared.events import catalog as ev

DEAL_EVENTS = {
    "coxswain.deal.created.v1": "created",
    "coxswain.deal.stage_changed.v1": "stage_changed",
    "coxswain.deal.updated.v1": "updated",
    "coxswain.deal.closed.v1": "closed",
    "coxswain.deal.reopened.v1": "reopened",
}
# Fields beyond the catalog minimum that pipeline adds to some events (a tolerant reader takes them),
# with how to read them from raw JSON.
_EXTRAS: dict[str, Callable[[str], Any]] = {
    "pipeline_id": str, "territory_id": str, "company": str, "probability": int, "amount": Decimal,
    "currency": str, "owner_id": str, "stage_id": str, "forecast_category": str,
    "expected_close_date": date.fromisoformat}


def change_of(event: CloudEvent) -> DealChange:
    data = event.data
    extra = data.model_extra or {}
    values: dict[str, Any] = {k: _EXTRAS[k](v) if isinstance(v, str) else v
                              for k, v in extra.items() if k in _EXTRAS and v is not None}
    values.update(data.model_dump(exclude_unset=True, exclude={"splits", *extra}))
    if "forecast_category" in values:
        values["category"] = values.pop("forecast_category")
    if isinstance(data, ev.DealStageChanged):
        values["stage_id"] = data.to_stage_id
    if isinstance(data, ev.DealClosed):
        values["status"] = data.outcome
    stated = extra.get("splits") if isinstance(data, ev.DealCreated) else getattr(data, "splits", None)
    if stated is not None:  # deal.created carries them as an extra field, closed and updated in the catalog
        values["splits"] = tuple((s.rep_id, s.percent) if isinstance(s, ev.Split) else (s["rep_id"], s["percent"])
                                 for s in stated)
    values["at"] = getattr(data, "changed_at", None) or getattr(data, "reopened_at", None) or event.time
    return DealChange(DEAL_EVENTS[event.type], data.deal_id, event.sequence, values)
