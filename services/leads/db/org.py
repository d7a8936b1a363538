"""Local copies kept from territory's events (reps, teams), scoring rules, the SLA policy, CRM deliveries."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.leads.db.models import crm_deliveries, reps, scoring_rules, sla_policy, teams
from services.leads.domain.org import Rep
from services.leads.domain.scoring import ScoringRule
from services.leads.domain.sla import SlaPolicy, bands_text, policy_of
from shared.db.upsert import insert_for


async def all_reps(session: AsyncSession) -> dict[str, Rep]:
    rows = await session.execute(select(reps))
    return {r.rep_id: Rep(r.rep_id, r.team_id, bool(r.active), r.capacity) for r in rows}


async def find_rep(session: AsyncSession, rep_id: str) -> Rep | None:
    return (await all_reps(session)).get(rep_id) if rep_id else None


async def save_rep(session: AsyncSession, rep: Rep, name: str) -> Rep | None:
    """Upsert the rep; return what was known before (None for a rep seen for the first time)."""
    before = (await session.execute(select(reps).where(reps.c.rep_id == rep.rep_id))).first()
    values = {"name": name, "team_id": rep.team_id, "active": rep.active, "capacity": rep.capacity}
    stmt = insert_for(session, reps).values(rep_id=rep.rep_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["rep_id"], set_=values))
    return None if before is None else Rep(before.rep_id, before.team_id, bool(before.active), before.capacity)


async def save_team(session: AsyncSession, team_id: str, manager_rep_id: str | None) -> None:
    stmt = insert_for(session, teams).values(team_id=team_id, manager_rep_id=manager_rep_id)
    await session.execute(stmt.on_conflict_do_update(index_elements=["team_id"],
                                                     set_={"manager_rep_id": manager_rep_id}))


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
    row = (await session.execute(select(sla_policy).where(sla_policy.c.id == 1))).one()
    return policy_of(row.bands, row.breach_action)


async def save_policy(session: AsyncSession, policy: SlaPolicy) -> None:
    await session.execute(update(sla_policy).where(sla_policy.c.id == 1).values(
        bands=bands_text(policy.bands), breach_action=policy.breach_action))


async def delivery(session: AsyncSession, event_id: str) -> dict[str, str] | None:
    row = (await session.execute(select(crm_deliveries).where(crm_deliveries.c.event_id == event_id))).first()
    return None if row is None else {"lead_id": row.lead_id, "outcome": row.outcome}


async def record_delivery(session: AsyncSession, event_id: str, lead_id: str, outcome: str, at: datetime) -> None:
    await session.execute(insert(crm_deliveries).values(event_id=event_id, lead_id=lead_id, outcome=outcome,
                                                        received_at=at))
