"""Pipeline's deal events in forecast's terms: each payload becomes a DealChange for the domain."""
from __future__ import annotations

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


def change_of(event: CloudEvent) -> DealChange:
    """The fields the event states (the catalog's typed fields only; what a field left out does not say)."""
    data = event.data
    values: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"splits"})
    if "forecast_category" in values:
        values["category"] = values.pop("forecast_category")
    if isinstance(data, ev.DealStageChanged):
        values["stage_id"] = data.to_stage_id
    if isinstance(data, ev.DealClosed):
        values["status"] = data.outcome
    stated: list[ev.Split] | None = getattr(data, "splits", None)
    if stated is not None:
        values["splits"] = tuple((s.rep_id, s.percent) for s in stated)
    values["at"] = getattr(data, "changed_at", None) or getattr(data, "reopened_at", None) or event.time
    return DealChange(DEAL_EVENTS[event.type], data.deal_id, event.sequence, values)
