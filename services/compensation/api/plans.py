"""/v1/plans: effective-dated, versioned plans and their assignments to reps."""
from __future__ import annotations

from fastapi import APIRouter, status

from services.compensation.api.deps import Ops, Reader, Uow
from services.compensation.api.paging import page_of
from services.compensation.api.schemas import (
    AssignmentIn,
    AssignmentOut,
    PlanIn,
    PlanOut,
    PlanVersionIn,
    PlanVersionOut,
    SimulationIn,
    SimulationOut,
    SimulationRowOut,
    zero,
)
from services.compensation.commands import plans as commands
from services.compensation.db import plans_repo
from services.compensation.queries.simulation import simulate_plan
from shared.http.ids import PathId
from shared.http.pagination import Cursor, Limit, Page, after_id, encode_cursor

router = APIRouter(prefix="/plans", tags=["plans"])


async def _plan(uow: Uow, plan_id: str) -> PlanOut:
    name = await commands.must_exist(uow, plan_id)
    versions = await plans_repo.versions(uow.session, plan_id)
    return PlanOut(id=plan_id, name=name, versions=[
        PlanVersionOut(version=v.version, effective_from=v.effective_from, terms=v.terms) for v in versions])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PlanOut)
async def create_plan(body: PlanIn, uow: Uow, who: Ops) -> PlanOut:
    terms = body.terms()
    for key in ("id", "name", "effective_from"):
        terms.pop(key)
    async with uow:
        await commands.create_plan(commands.CreatePlan(body.id, body.name, body.effective_from, terms), uow)
    async with uow:
        return await _plan(uow, body.id)


@router.get("", response_model=Page[PlanOut])
async def list_plans(uow: Uow, who: Reader, limit: Limit = 50, cursor: Cursor = None) -> Page[PlanOut]:
    async with uow:
        found = await plans_repo.list_plans(uow.session, after_id(cursor), limit + 1)
        items = [await _plan(uow, plan_id) for plan_id, _ in found[:limit]]
    more = len(found) > limit
    return Page[PlanOut](items=items, next_cursor=encode_cursor({"after": items[-1].id}) if more else None)


@router.get("/{plan_id}", response_model=PlanOut)
async def get_plan(plan_id: str, uow: Uow, who: Reader) -> PlanOut:
    async with uow:
        return await _plan(uow, plan_id)


@router.post("/{plan_id}/versions", status_code=status.HTTP_201_CREATED, response_model=PlanOut)
async def revise_plan(plan_id: PathId, body: PlanVersionIn, uow: Uow, who: Ops) -> PlanOut:
    terms = body.terms()
    terms.pop("effective_from")
    async with uow:
        await commands.revise_plan(plan_id, body.effective_from, terms, uow)
    async with uow:
        return await _plan(uow, plan_id)


@router.post("/{plan_id}/assignments", status_code=status.HTTP_201_CREATED, response_model=AssignmentOut)
async def assign_plan(plan_id: PathId, body: AssignmentIn, uow: Uow, who: Ops) -> AssignmentOut:
    async with uow:
        assignment_id = await commands.assign_plan(
            commands.AssignPlan(plan_id, body.rep_id, body.starts_on, body.ends_on), uow)
    return AssignmentOut(id=assignment_id, plan_id=plan_id, **body.model_dump())


@router.get("/{plan_id}/assignments", response_model=Page[AssignmentOut])
async def list_assignments(plan_id: str, uow: Uow, who: Reader, limit: Limit = 50,
                           cursor: Cursor = None) -> Page[AssignmentOut]:
    async with uow:
        await commands.must_exist(uow, plan_id)
        assignments = [AssignmentOut(**a) for a in await plans_repo.assignments(uow.session, plan_id)]
    return page_of(assignments, limit, cursor)


@router.post("/{plan_id}/simulate", response_model=SimulationOut)
async def simulate(plan_id: PathId, body: SimulationIn, uow: Uow, who: Ops) -> SimulationOut:
    """A period's results under a draft version, next to what the ledger paid; nothing is written."""
    terms = body.terms()
    terms.pop("period")
    async with uow:
        await commands.must_exist(uow, plan_id)
        rows = await simulate_plan(uow, plan_id, body.period, terms)
    out = [SimulationRowOut(rep_id=r.rep_id, current=r.current, simulated=r.simulated, difference=r.difference)
           for r in rows]
    return SimulationOut(plan_id=plan_id, period=body.period, reps=out,
                         current=sum((r.current for r in out), zero()),
                         simulated=sum((r.simulated for r in out), zero()),
                         difference=sum((r.difference for r in out), zero()))
