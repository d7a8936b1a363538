"""Loading and saving territory plans."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.territory.db.models import plans
from services.territory.domain.plans import Plan
from shared.db.upsert import insert_for
from shared.errors import NotFoundError


def _plan(m: Any) -> Plan:
    return Plan(m["id"], m["name"], m["status"], m["territories"], m["created_at"], m["activated_at"], m["version"])


async def get_plan(session: AsyncSession, plan_id: str, *, lock: bool = False) -> Plan:
    query = select(plans).where(plans.c.id == plan_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise NotFoundError(f"plan {plan_id} does not exist")
    return _plan(row._mapping)


async def all_plans(session: AsyncSession) -> list[Plan]:
    return [_plan(r._mapping) for r in await session.execute(select(plans).order_by(plans.c.created_at, plans.c.id))]


async def active_plans(session: AsyncSession) -> list[Plan]:
    rows = await session.execute(select(plans).where(plans.c.status == "active"))
    return [_plan(r._mapping) for r in rows]


async def save_plan(session: AsyncSession, plan: Plan) -> None:
    values = {"id": plan.id, "name": plan.name, "status": plan.status, "territories": plan.changes,
              "created_at": plan.created_at, "activated_at": plan.activated_at, "version": plan.version}
    stmt = insert_for(session, plans).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
