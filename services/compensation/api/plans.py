"""/v1/plans: effective-dated, versioned plans and their assignments to reps."""
from __future__ import annotations

from fastapi import APIRouter, status

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
from services.compensation.queries import plans as queries
from services.compensation.queries.plans import Plan
from services.compensation.queries.simulation import simulate_plan
from shared.http.deps import Operator, Reader, Uow
from shared.http.ids import PathId
from shared.http.pagination import Cursor, Limit, Page, after_id, after_number, encode_cursor

router = APIRouter(prefix="/plans", tags=["plans"])


def _plan(plan: Plan) -> PlanOut:
    return PlanOut(id=plan.plan_id, name=plan.name, versions=[
        PlanVersionOut(version=v.version, effective_from=v.effective_from, terms=v.terms) for v in plan.versions])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PlanOut)
async def create_plan(body: PlanIn, uow: Uow, who: Operator) -> PlanOut:
    terms = body.terms()
    for key in ("id", "name", "effective_from"):
        terms.pop(key)
    return _plan(await commands.create_plan(uow, commands.CreatePlan(body.id, body.name, body.effective_from, terms)))


@router.get("", response_model=Page[PlanOut])
async def list_plans(uow: Uow, who: Reader, limit: Limit = 50, cursor: Cursor = None) -> Page[PlanOut]:
    found = await queries.plans(uow, after_id(cursor), limit)
    return Page[PlanOut](items=[_plan(p) for p in found.rows],
                         next_cursor=encode_cursor({"after": found.next_after[0]}) if found.next_after else None)


@router.get("/{plan_id}", response_model=PlanOut)
async def get_plan(plan_id: str, uow: Uow, who: Reader) -> PlanOut:
    return _plan(await queries.plan(uow, plan_id))


@router.post("/{plan_id}/versions", status_code=status.HTTP_201_CREATED, response_model=PlanOut)
async def revise_plan(plan_id: PathId, body: PlanVersionIn, uow: Uow, who: Operator) -> PlanOut:
    terms = body.terms()
    terms.pop("effective_from")
    return _plan(await commands.revise_plan(uow, plan_id, body.effective_from, terms))


@router.post("/{plan_id}/assignments", status_code=status.HTTP_201_CREATED, response_model=AssignmentOut)
async def assign_plan(plan_id: PathId, body: AssignmentIn, uow: Uow, who: Operator) -> AssignmentOut:
    assignment_id = await commands.assign_plan(
        uow, commands.AssignPlan(plan_id, body.rep_id, body.starts_on, body.ends_on))
    return AssignmentOut(id=assignment_id, plan_id=plan_id, **body.model_dump())


@router.get("/{plan_id}/assignments", response_model=Page[AssignmentOut])
async def list_assignments(plan_id: str, uow: Uow, who: Reader, limit: Limit = 50,
                           cursor: Cursor = None) -> Page[AssignmentOut]:
    found = await queries.assignments(uow, plan_id, after_number(cursor), limit)
    return Page[AssignmentOut](
        items=[AssignmentOut(id=a.id, plan_id=a.plan_id, rep_id=a.rep_id, starts_on=a.starts_on, ends_on=a.ends_on)
               for a in found.rows],
        next_cursor=encode_cursor({"after": found.next_after[0]}) if found.next_after else None)


@router.post("/{plan_id}/simulate", response_model=SimulationOut)
async def simulate(plan_id: PathId, body: SimulationIn, uow: Uow, who: Operator) -> SimulationOut:
    """A period's results under a draft version, next to what the ledger paid; nothing is written."""
    terms = body.terms()
    terms.pop("period")
    rows = await simulate_plan(uow, plan_id, body.period, terms)
    out = [SimulationRowOut(rep_id=r.rep_id, current=r.current, simulated=r.simulated, difference=r.difference)
           for r in rows]
    return SimulationOut(plan_id=plan_id, period=body.period, reps=out,
                         current=sum((r.current for r in out), zero()),
                         simulated=sum((r.simulated for r in out), zero()),
                         difference=sum((r.difference for r in out), zero()))
