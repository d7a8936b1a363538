"""Plans, their versions and assignments, and quotas."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db.models import plan_assignments, plan_versions, plans, quotas
from shared.db.paging import Window, keyset_window
from shared.db.upsert import insert_for
from shared.periods import Period, covered_amount


@dataclass(frozen=True)
class PlanVersion:
    plan_id: str
    version: int
    effective_from: date
    terms: dict[str, Any]


async def create_plan(session: AsyncSession, plan_id: str, name: str, at: datetime) -> None:
    await session.execute(plans.insert().values(plan_id=plan_id, name=name, created_at=at))


async def plan_name(session: AsyncSession, plan_id: str) -> str | None:
    stmt = select(plans.c.name).where(plans.c.plan_id == plan_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_version(session: AsyncSession, plan_id: str, effective_from: date, terms: dict[str, Any],
                      at: datetime) -> int:
    stmt = select(func.max(plan_versions.c.version)).where(plan_versions.c.plan_id == plan_id)
    version = ((await session.execute(stmt)).scalar_one_or_none() or 0) + 1
    await session.execute(plan_versions.insert().values(
        plan_id=plan_id, version=version, effective_from=effective_from, terms=terms, created_at=at))
    return version


async def versions(session: AsyncSession, plan_id: str) -> list[PlanVersion]:
    stmt = select(plan_versions).where(plan_versions.c.plan_id == plan_id).order_by(plan_versions.c.version)
    return [PlanVersion(r.plan_id, r.version, r.effective_from, r.terms) for r in await session.execute(stmt)]


async def list_plans(session: AsyncSession, after: str | None, limit: int) -> Window[str]:
    """A page of plan ids, in order."""
    found = await keyset_window(session, select(plans.c.plan_id), [plans.c.plan_id],
                                None if after is None else (after,), limit)
    return Window([r.plan_id for r in found.rows], found.next_after)


async def assign(session: AsyncSession, plan_id: str, rep_id: str, starts_on: date, ends_on: date | None,
                 at: datetime) -> int:
    stmt = plan_assignments.insert().values(plan_id=plan_id, rep_id=rep_id, starts_on=starts_on,
                                            ends_on=ends_on, created_at=at).returning(plan_assignments.c.id)
    return int((await session.execute(stmt)).scalar_one())


def _covering(rep_id: str, starts_on: date, ends_on: date | None) -> Any:
    far = date.max
    return and_(plan_assignments.c.rep_id == rep_id,
                plan_assignments.c.starts_on <= (ends_on or far),
                or_(plan_assignments.c.ends_on.is_(None), plan_assignments.c.ends_on >= starts_on))


async def overlapping(session: AsyncSession, rep_id: str, starts_on: date, ends_on: date | None) -> str | None:
    stmt = select(plan_assignments.c.plan_id).where(_covering(rep_id, starts_on, ends_on)).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


@dataclass(frozen=True)
class Assignment:
    id: int
    plan_id: str
    rep_id: str
    starts_on: date
    ends_on: date | None


async def assignments(session: AsyncSession, plan_id: str, after: int | None, limit: int) -> Window[Assignment]:
    """A page of the plan's assignments, in the order they were made."""
    a = plan_assignments.c
    found = await keyset_window(session, select(plan_assignments).where(a.plan_id == plan_id), [a.id],
                                None if after is None else (after,), limit)
    return Window([Assignment(r.id, r.plan_id, r.rep_id, r.starts_on, r.ends_on) for r in found.rows],
                  found.next_after)


async def put_quota(session: AsyncSession, rep_id: str, period: str, amount: Decimal, currency: str,
                    at: datetime) -> None:
    values = {"rep_id": rep_id, "period": period, "amount": amount, "currency": currency, "updated_at": at}
    stmt = insert_for(session, quotas).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["rep_id", "period"], set_=values))


async def quota(session: AsyncSession, rep_id: str, period: str) -> tuple[Decimal, str] | None:
    """The rep's quota for the period as every service reads it (shared.periods.covered_amount): set for exactly
    the period, else the sum of what is set for the periods inside it (month quotas inside a quarter)."""
    wanted = Period.parse(period)
    inside = {p for level in wanted.levels() for p in level}
    stmt = select(quotas.c.period, quotas.c.amount, quotas.c.currency).where(
        quotas.c.rep_id == rep_id, quotas.c.period.in_(sorted(inside)))
    return covered_amount(wanted, {r.period: (r.amount, r.currency) for r in await session.execute(stmt)})


@dataclass(frozen=True)
class Quota:
    rep_id: str
    period: str
    amount: Decimal
    currency: str


async def quotas_of(session: AsyncSession, rep_id: str, after: str | None, limit: int) -> Window[Quota]:
    """A page of the quotas set for the rep, by period."""
    q = quotas.c
    found = await keyset_window(session, select(quotas).where(q.rep_id == rep_id), [q.period],
                                None if after is None else (after,), limit)
    return Window([Quota(r.rep_id, r.period, r.amount, r.currency) for r in found.rows], found.next_after)


async def assignments_of(session: AsyncSession, rep_ids: Iterable[str]) -> list[Assignment]:
    """Every assignment of these reps, in one query."""
    wanted = sorted(set(rep_ids))
    if not wanted:
        return []
    stmt = select(plan_assignments).where(plan_assignments.c.rep_id.in_(wanted))
    return [Assignment(r.id, r.plan_id, r.rep_id, r.starts_on, r.ends_on) for r in await session.execute(stmt)]


async def versions_of(session: AsyncSession, plan_ids: Iterable[str]) -> list[PlanVersion]:
    """Every version of these plans, in one query."""
    wanted = sorted(set(plan_ids))
    if not wanted:
        return []
    stmt = select(plan_versions).where(plan_versions.c.plan_id.in_(wanted))
    return [PlanVersion(r.plan_id, r.version, r.effective_from, r.terms) for r in await session.execute(stmt)]


async def quotas_set(session: AsyncSession, rep_ids: Iterable[str]) -> list[Quota]:
    """Every quota set for these reps, in one query (`quota` reads a period's amount from them)."""
    wanted = sorted(set(rep_ids))
    if not wanted:
        return []
    stmt = select(quotas).where(quotas.c.rep_id.in_(wanted))
    return [Quota(r.rep_id, r.period, r.amount, r.currency) for r in await session.execute(stmt)]
