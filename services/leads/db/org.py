"""Local copies kept from territory's events (reps, teams), scoring rules, the SLA policy, CRM deliveries."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.leads.db.models import crm_deliveries, reps, scoring_rules, sla_policy, teams
from services.leads.domain.org import RepCopy, TeamCopy
from services.leads.domain.scoring import ScoringRule
from services.leads.domain.sla import DEFAULT_BANDS, SlaPolicy, bands_text, policy_of
from shared.db.upsert import insert_for
from shared.http.auth import Principal
from shared.visibility import EVERYTHING, Scope, scope_of


@dataclass(frozen=True)
class Delivery:
    """A CRM delivery already received: the lead it became and how."""

    lead_id: str
    outcome: str


async def team_of(session: AsyncSession, rep_id: str | None) -> str | None:
    if rep_id is None:
        return None
    return (await session.execute(select(reps.c.team_id).where(reps.c.rep_id == rep_id))).scalar_one_or_none()


async def save_reps(session: AsyncSession, copies: Iterable[RepCopy]) -> None:
    """Upsert these reps (one row each) with one set statement."""
    rows = [{"rep_id": c.rep.rep_id, "name": c.name, "team_id": c.rep.team_id, "active": c.rep.active,
             "capacity": c.rep.capacity} for c in copies]
    if rows:
        stmt = insert_for(session, reps)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["rep_id"], set_={c: stmt.excluded[c] for c in ("name", "team_id", "active", "capacity")}),
            rows)


async def save_teams(session: AsyncSession, copies: Iterable[TeamCopy]) -> None:
    """Upsert these teams (one row each) with one set statement."""
    rows = [{"team_id": c.team_id, "manager_rep_id": c.manager_rep_id, "parent_team_id": c.parent_team_id}
            for c in copies]
    if rows:
        stmt = insert_for(session, teams)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["team_id"], set_={c: stmt.excluded[c] for c in ("manager_rep_id", "parent_team_id")}),
            rows)


async def team_parents(session: AsyncSession) -> dict[str, str | None]:
    rows = await session.execute(select(teams.c.team_id, teams.c.parent_team_id))
    return {r.team_id: r.parent_team_id for r in rows}


async def scope_for(session: AsyncSession, who: Principal) -> Scope:
    """What the caller may see under the one rule (shared/visibility.py), over leads' copy of the teams."""
    return EVERYTHING if who.sees_everything else scope_of(who, await team_parents(session))


async def manager_of(session: AsyncSession, rep_id: str | None) -> str | None:
    if rep_id is None:
        return None
    query = select(teams.c.manager_rep_id).join(reps, reps.c.team_id == teams.c.team_id).where(
        reps.c.rep_id == rep_id)
    manager = (await session.execute(query)).scalar_one_or_none()
    return manager if manager != rep_id else None


async def load_rules(session: AsyncSession) -> list[ScoringRule]:
    rows = await session.execute(select(scoring_rules).order_by(scoring_rules.c.position))
    return [ScoringRule(r.id, r.field, r.op, r.value, r.points, r.description) for r in rows]


async def replace_rules(session: AsyncSession, rules: list[ScoringRule]) -> None:
    await session.execute(delete(scoring_rules))
    if rules:
        await session.execute(insert(scoring_rules), [
            {"id": r.id, "position": i, "field": r.field, "op": r.op, "value": r.value, "points": r.points,
             "description": r.description} for i, r in enumerate(rules)])


async def load_policy(session: AsyncSession) -> SlaPolicy:
    """The stored policy (migration 0001 seeds it; a database without the row has the default one)."""
    row = (await session.execute(select(sla_policy).where(sla_policy.c.id == 1))).first()
    return policy_of(DEFAULT_BANDS, "reroute") if row is None else policy_of(row.bands, row.breach_action)


async def save_policy(session: AsyncSession, policy: SlaPolicy) -> None:
    values = {"bands": bands_text(policy.bands), "breach_action": policy.breach_action}
    stmt = insert_for(session, sla_policy).values(id=1, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))


async def delivery(session: AsyncSession, event_id: str) -> Delivery | None:
    row = (await session.execute(select(crm_deliveries).where(crm_deliveries.c.event_id == event_id))).first()
    return None if row is None else Delivery(row.lead_id, row.outcome)


async def record_delivery(session: AsyncSession, event_id: str, lead_id: str, outcome: str, at: datetime) -> None:
    await session.execute(insert(crm_deliveries).values(event_id=event_id, lead_id=lead_id, outcome=outcome,
                                                        received_at=at))
