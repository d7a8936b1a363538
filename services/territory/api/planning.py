"""POST /v1/simulations (changes nothing), GET /v1/balance, and /v1/plans (draft, simulate, activate)."""
from __future__ import annotations

from fastapi import APIRouter, status

from services.territory import queries
from services.territory.api.coverage_schemas import (
    ActivationOut,
    FindingOut,
    MoveOut,
    PlanIn,
    PlanOut,
    RepBeforeAfter,
    SimulationIn,
    SimulationOut,
    TerritoryBeforeAfter,
)
from services.territory.api.coverage_schemas import FiguresOut as F
from services.territory.api.schemas import page_of
from services.territory.commands import plans as planning
from services.territory.domain.plans import Changes, Plan
from services.territory.domain.simulation import Move
from shared.http.deps import Manager, Operator, Reader, Uow
from shared.http.pagination import Cursor, Limit, Page, after_id, page_by_key
from shared.periods import quarter_of

router = APIRouter(tags=["planning"])


def _out(period: str, sim: queries.Simulation) -> SimulationOut:
    return SimulationOut(
        period=period,
        territories=[TerritoryBeforeAfter(territory_id=t, before=F.of(b) if b else None,
                                          after=F.of(a) if a else None)
                     for t, (b, a) in sim.territories.items()],
        reps=[RepBeforeAfter(rep_id=r, before=F.of(b), after=F.of(a)) for r, (b, a) in sim.reps.items()],
        moves=[_move(m) for m in sim.moves])


def _move(m: Move) -> MoveOut:
    return MoveOut(**m.__dict__)


def _plan(p: Plan) -> PlanOut:
    return PlanOut(id=p.id, name=p.name, status=p.status, changes=p.changes, created_at=p.created_at,
                   activated_at=p.activated_at, version=p.version)


@router.post("/simulations", response_model=SimulationOut)
async def run_simulation(body: SimulationIn, uow: Uow, _: Manager) -> SimulationOut:
    period = body.period or quarter_of(uow.clock.now())
    return _out(period, await queries.simulate(uow, Changes.of(body.as_dict()), period, body.rollup))


@router.get("/balance", response_model=Page[FindingOut])
async def read_balance(uow: Uow, _: Reader, limit: Limit = 50, cursor: Cursor = None) -> Page[FindingOut]:
    """Under- and over-served territories (own leads and members, no rollup) with a suggested move, by territory id.
    """
    findings = [FindingOut(**f.__dict__) for f in await queries.balance(uow, quarter_of(uow.clock.now()))]
    return page_by_key(findings, limit, cursor, key=lambda f: f.territory_id)


@router.post("/plans", status_code=status.HTTP_201_CREATED, response_model=PlanOut)
async def create_plan(body: PlanIn, uow: Uow, _: Operator) -> PlanOut:
    return _plan(await planning.draft_plan(uow, body.name, Changes.of(body.as_dict())))


@router.put("/plans/{plan_id}", response_model=PlanOut)
async def change_plan(plan_id: str, body: PlanIn, uow: Uow, _: Operator) -> PlanOut:
    return _plan(await planning.draft_plan(uow, body.name, Changes.of(body.as_dict()), plan_id))


@router.get("/plans", response_model=Page[PlanOut])
async def list_plans(uow: Uow, _: Reader, limit: Limit = 100, cursor: Cursor = None) -> Page[PlanOut]:
    return page_of(await queries.plans(uow, after_id(cursor), limit), _plan)


@router.get("/plans/{plan_id}", response_model=PlanOut)
async def read_plan(plan_id: str, uow: Uow, _: Reader) -> PlanOut:
    return _plan(await queries.plan(uow, plan_id))


@router.post("/plans/{plan_id}/simulate", response_model=SimulationOut)
async def simulate_plan(plan_id: str, uow: Uow, _: Manager) -> SimulationOut:
    period = quarter_of(uow.clock.now())
    return _out(period, await queries.simulate_plan(uow, plan_id, period))


@router.post("/plans/{plan_id}/activate", response_model=ActivationOut)
async def activate_plan(plan_id: str, uow: Uow, _: Operator) -> ActivationOut:
    plan, moves = await planning.activate_plan(uow, plan_id)
    return ActivationOut(plan=_plan(plan), rerouted=[_move(m) for m in moves])


@router.post("/plans/{plan_id}/archive", response_model=PlanOut)
async def archive_plan(plan_id: str, uow: Uow, _: Operator) -> PlanOut:
    return _plan(await planning.archive_plan(uow, plan_id))
