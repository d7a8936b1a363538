"""Plans, their versions and assignments, and quotas. Whatever a command changes (a plan version, an
assignment, a quota) recalculates the rep-periods it moves, paying what was waiting for it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from services.compensation.commands import ledger
from services.compensation.commands.ledger import Cause
from services.compensation.db import plans_repo
from services.compensation.domain.periods import kind_of
from services.compensation.domain.plans import parse_terms
from services.compensation.queries.plans import Plan, plan_named
from shared.db.uow import UnitOfWork, command
from shared.errors import ConflictError
from shared.events import catalog as ev


@dataclass(frozen=True)
class CreatePlan:
    plan_id: str
    name: str
    effective_from: date
    terms: dict[str, Any]


@dataclass(frozen=True)
class AssignPlan:
    plan_id: str
    rep_id: str
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True)
class SetQuota:
    rep_id: str
    period: str
    amount: Decimal
    currency: str


@command
async def create_plan(uow: UnitOfWork, cmd: CreatePlan) -> Plan:
    parse_terms(cmd.terms)
    async with uow:
        if await plans_repo.plan_name(uow.session, cmd.plan_id) is not None:
            raise ConflictError(f"plan {cmd.plan_id} exists; POST /v1/plans/{cmd.plan_id}/versions to change it")
        await plans_repo.create_plan(uow.session, cmd.plan_id, cmd.name, uow.clock.now())
        await plans_repo.add_version(uow.session, cmd.plan_id, cmd.effective_from, cmd.terms, uow.clock.now())
        plan = await plan_named(uow.session, cmd.plan_id)
        await uow.commit()
        return plan


@command
async def revise_plan(uow: UnitOfWork, plan_id: str, effective_from: date, terms: dict[str, Any]) -> Plan:
    """A change is a new version from `effective_from`; lines already written keep the version they used."""
    parse_terms(terms)
    async with uow:
        await plan_named(uow.session, plan_id)
        version = await plans_repo.add_version(uow.session, plan_id, effective_from, terms, uow.clock.now())
        await ledger.credit_changed_terms(uow, Cause(f"plan {plan_id} version {version} from {effective_from}",
                                                     f"plan:{plan_id}:{version}"), plan_id=plan_id)
        plan = await plan_named(uow.session, plan_id)
        await uow.commit()
        return plan


@command
async def assign_plan(uow: UnitOfWork, cmd: AssignPlan) -> int:
    async with uow:
        await plan_named(uow.session, cmd.plan_id)
        clash = await plans_repo.overlapping(uow.session, cmd.rep_id, cmd.starts_on, cmd.ends_on)
        if clash is not None:
            raise ConflictError(f"{cmd.rep_id} is already on plan {clash} for part of these dates")
        assignment_id = await plans_repo.assign(uow.session, cmd.plan_id, cmd.rep_id, cmd.starts_on, cmd.ends_on,
                                                uow.clock.now())
        await ledger.credit_changed_terms(uow, Cause(f"plan {cmd.plan_id} assigned from {cmd.starts_on}",
                                                     f"assignment:{assignment_id}"), rep_ids={cmd.rep_id})
        await uow.commit()
        return assignment_id


@command
async def set_quota(uow: UnitOfWork, cmd: SetQuota) -> None:
    kind_of(cmd.period)
    async with uow:
        await plans_repo.put_quota(uow.session, cmd.rep_id, cmd.period, cmd.amount, cmd.currency, uow.clock.now())
        await uow.emit("coxswain.quota.set.v1", subject=f"{cmd.rep_id}:{cmd.period}", data=ev.QuotaSet(
            rep_id=cmd.rep_id, period=cmd.period, amount=cmd.amount, currency=cmd.currency))
        await ledger.credit_changed_terms(uow, Cause(f"quota for {cmd.period} set to {cmd.amount} {cmd.currency}",
                                                     f"quota:{cmd.rep_id}:{cmd.period}"), rep_ids={cmd.rep_id})
        await uow.commit()
