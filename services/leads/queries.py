"""Leads' read use cases: each opens the unit of work, reads through db/, and never writes or commits.

Who sees which lead is the one rule of shared/visibility.py: admin, ops and integration every lead, a manager
the leads of the reps of their teams and of every team below them, a rep their own; a lead the caller may
not see does not exist for them (404)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.leads.db import org
from services.leads.db import repository as repo
from services.leads.domain.funnel import Funnel, funnel, period_window
from services.leads.domain.leads import Lead
from services.leads.domain.scoring import ScoringRule
from services.leads.domain.sla import SlaPolicy
from shared.db.uow import UnitOfWork
from shared.errors import NotFoundError
from shared.http.auth import Principal


@dataclass(frozen=True)
class LeadDetail:
    lead: Lead
    merges: list[repo.Merge]
    assignments: list[repo.Assignment]


async def ensure_visible(session: AsyncSession, lead: Lead, who: Principal) -> None:
    """A rep works only their own leads, a manager their teams' (sub-teams included); others' do not exist."""
    if who.sees_everything:
        return
    scope = await org.scope_for(session, who)
    if not scope.admits(lead.owner_id, await org.team_of(session, lead.owner_id)):
        raise NotFoundError(f"lead {lead.id} does not exist")


async def read_lead(uow: UnitOfWork, lead_id: str, who: Principal) -> LeadDetail:
    async with uow:
        lead = await repo.get_lead(uow.session, lead_id)
        await ensure_visible(uow.session, lead, who)
        return LeadDetail(lead, await repo.merges_of(uow.session, lead_id),
                          await repo.assignments_of(uow.session, lead_id))


async def list_leads(uow: UnitOfWork, who: Principal, f: repo.LeadFilter, after: tuple[datetime, str] | None,
                     limit: int) -> list[Lead]:
    """Newest first, the leads the caller may see, at most `limit` after the position `after`."""
    async with uow:
        return await repo.list_leads(uow.session, f, await org.scope_for(uow.session, who), after, limit)


async def lead_funnel(uow: UnitOfWork, who: Principal, period_from: date, period_to: date) -> Funnel:
    """The funnel of the leads created from `period_from` to `period_to` (both days, UTC) the caller sees."""
    start, end = period_window(period_from, period_to)
    async with uow:
        rows = await repo.funnel_rows(uow.session, start, end, await org.scope_for(uow.session, who))
    return funnel(rows)


async def scoring_rules(uow: UnitOfWork) -> list[ScoringRule]:
    async with uow:
        return await org.load_rules(uow.session)


async def sla_policy(uow: UnitOfWork) -> SlaPolicy:
    async with uow:
        return await org.load_policy(uow.session)


async def due_for_sla(uow: UnitOfWork, limit: int) -> list[str]:
    """Ids of the leads still `new` past their follow-up deadline now, earliest due first."""
    async with uow:
        return await repo.due_for_sla(uow.session, uow.clock.now(), limit)
