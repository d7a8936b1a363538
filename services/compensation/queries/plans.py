"""Plans with their versions, and their assignments."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db import plans_repo
from services.compensation.db.plans_repo import Assignment, PlanVersion
from shared.db.paging import Window
from shared.db.uow import UnitOfWork
from shared.errors import NotFoundError


@dataclass(frozen=True)
class Plan:
    plan_id: str
    name: str
    versions: list[PlanVersion]


async def plan_named(session: AsyncSession, plan_id: str) -> Plan:
    """The plan with its versions, oldest first; a plan that does not exist is a 404."""
    name = await plans_repo.plan_name(session, plan_id)
    if name is None:
        raise NotFoundError(f"no plan {plan_id}")
    return Plan(plan_id, name, await plans_repo.versions(session, plan_id))


async def plan(uow: UnitOfWork, plan_id: str) -> Plan:
    async with uow:
        return await plan_named(uow.session, plan_id)


async def plans(uow: UnitOfWork, after: str | None, limit: int) -> Window[Plan]:
    """A page of plans by id."""
    async with uow:
        found = await plans_repo.list_plans(uow.session, after, limit)
        return Window([await plan_named(uow.session, plan_id) for plan_id in found.rows], found.next_after)


async def assignments(uow: UnitOfWork, plan_id: str, after: int | None, limit: int) -> Window[Assignment]:
    async with uow:
        await plan_named(uow.session, plan_id)
        return await plans_repo.assignments(uow.session, plan_id, after, limit)
