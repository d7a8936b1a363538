"""Loading and saving territory plans."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.territory.db.listing import Listing
from services.territory.db.models import plans
from services.territory.domain.plans import Plan
from shared.db.paging import keyset_window
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


async def plan_page(session: AsyncSession, after: str | None, limit: int) -> Listing[Plan]:
    window = await keyset_window(session, select(plans), [plans.c.id], (after,) if after else None, limit)
    return Listing([_plan(r._mapping) for r in window.rows], window.next_after[0] if window.next_after else None)


async def active_plans(session: AsyncSession) -> list[Plan]:
    rows = await session.execute(select(plans).where(plans.c.status == "active"))
    return [_plan(r._mapping) for r in rows]


async def save_plan(session: AsyncSession, plan: Plan) -> None:
    values = {"id": plan.id, "name": plan.name, "status": plan.status, "territories": plan.changes,
              "created_at": plan.created_at, "activated_at": plan.activated_at, "version": plan.version}
    stmt = insert_for(session, plans).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
