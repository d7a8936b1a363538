"""The stored event history replayed up to an instant: deals (through the live projection's rules), quotas
and the organisation as they stood then (point-in-time forecasts, `as_of`); and pipeline's deal events in
forecast's terms (each payload becomes a DealChange for the domain), which the deal handler uses too."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.forecast.db import history
from services.forecast.domain import organisation as org
from services.forecast.domain.deals import DealChange
from services.forecast.domain.organisation import OrgChange
from services.forecast.domain.quotas import Quota
from services.forecast.domain.report import Organisation
from services.forecast.domain.transitions import Book
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


def org_change_of(event: CloudEvent) -> OrgChange:
    """A quota, rep, team or territory event in forecast's terms."""
    data = event.data
    if isinstance(data, ev.QuotaSet):
        return org.Quota(data.rep_id, data.period, data.amount, data.currency)
    if isinstance(data, ev.RepUpserted):
        return org.Rep(data.rep_id, data.name, data.team_id, data.active)
    if isinstance(data, ev.TeamUpserted):
        return org.Team(data.team_id, data.name, data.manager_rep_id, data.parent_team_id)
    if isinstance(data, ev.TerritoryUpserted):
        return org.Territory(data.territory_id, data.name, data.parent_id, tuple(data.rep_ids))
    if isinstance(data, ev.TerritoryDeleted):
        return org.TerritoryGone(data.territory_id)
    raise TypeError(f"not an organisation event: {event.type}")


@dataclass
class Past:
    book: Book = field(default_factory=Book)
    quotas: dict[str, dict[str, Quota]] = field(default_factory=dict)  # rep → period → quota
    team_of: dict[str, str | None] = field(default_factory=dict)
    team_parent: dict[str, str | None] = field(default_factory=dict)
    territory_parent: dict[str, str | None] = field(default_factory=dict)
    territory_reps: dict[str, list[str]] = field(default_factory=dict)

    def take(self, event: CloudEvent) -> None:
        data = event.data
        if event.type in DEAL_EVENTS:
            self.book.take(change_of(event))
        elif isinstance(data, ev.QuotaSet):
            self.quotas.setdefault(data.rep_id, {})[data.period] = (data.amount, data.currency)
        elif isinstance(data, ev.RepUpserted):
            self.team_of[data.rep_id] = data.team_id
        elif isinstance(data, ev.TeamUpserted):
            self.team_parent[data.team_id] = data.parent_team_id
        elif isinstance(data, ev.TerritoryUpserted):
            self.territory_parent[data.territory_id] = data.parent_id
            self.territory_reps[data.territory_id] = sorted(data.rep_ids)
        elif isinstance(data, ev.TerritoryDeleted):
            self.territory_parent.pop(data.territory_id, None)
            self.territory_reps.pop(data.territory_id, None)

    @property
    def organisation(self) -> Organisation:
        return Organisation(self.team_of, self.team_parent, self.territory_parent, self.territory_reps)


async def replay(session: AsyncSession, as_of: datetime) -> Past:
    """Every kept event with a time up to `as_of`, in the order they happened."""
    past = Past()
    for event in await history.events_until(session, as_of):
        past.take(event)
    return past
