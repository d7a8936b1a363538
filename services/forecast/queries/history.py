"""The stored event history replayed up to an instant: deals (through the live projection's rules), quotas
and the organisation as they stood then (point-in-time forecasts, `as_of`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.forecast.changes import DEAL_EVENTS, change_of
from services.forecast.db.models import event_history
from services.forecast.domain.quotas import Quota
from services.forecast.domain.report import Organisation
from services.forecast.domain.transitions import Book
from shared.events import CloudEvent, decode_event
from shared.events import catalog as ev


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
    stmt = select(event_history.c.payload).where(event_history.c.occurred_at <= as_of).order_by(
        event_history.c.occurred_at, event_history.c.id)
    for payload in (await session.execute(stmt)).scalars():
        past.take(decode_event(payload.encode()))
    return past
