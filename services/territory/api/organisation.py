"""/v1/reps and /v1/teams: the sales organisation. Ops and admin change it; everyone signed in reads it."""
from __future__ import annotations

from fastapi import APIRouter, status

from services.territory import queries
from services.territory.api.deps import Indexes
from services.territory.api.schemas import NewRepIn, NewTeamIn, RepIn, RepOut, TeamIn, TeamOut, page_of
from services.territory.commands import organisation as commands
from services.territory.domain.territories import Rep, Team
from shared.http.deps import Operator, Reader, Uow
from shared.http.ids import PathId
from shared.http.pagination import Cursor, Limit, Page, after_id

router = APIRouter(tags=["organisation"])


def _rep(rep_id: str, body: RepIn) -> Rep:
    return Rep(rep_id, body.name, body.email, body.team_id, body.active, body.capacity, tuple(body.segments))


@router.post("/reps", status_code=status.HTTP_201_CREATED, response_model=RepOut)
async def create_rep(body: NewRepIn, uow: Uow, indexes: Indexes, _: Operator) -> RepOut:
    return RepOut.of(await commands.create_rep(uow, _rep(body.id, body), indexes))


@router.put("/reps/{rep_id}", response_model=RepOut)
async def put_rep(rep_id: PathId, body: RepIn, uow: Uow, indexes: Indexes, _: Operator) -> RepOut:
    return RepOut.of(await commands.upsert_rep(uow, _rep(rep_id, body), indexes))


@router.post("/reps/{rep_id}/deactivate", response_model=RepOut)
async def deactivate_rep(rep_id: PathId, uow: Uow, indexes: Indexes, _: Operator) -> RepOut:
    """Deactivation announces rep.upserted with active=false; leads re-routes the rep's open leads."""
    return RepOut.of(await commands.deactivate_rep(uow, rep_id, indexes))


@router.get("/reps", response_model=Page[RepOut])
async def list_reps(uow: Uow, _: Reader, limit: Limit = 100, cursor: Cursor = None, team_id: str | None = None,
                    active: bool | None = None) -> Page[RepOut]:
    return page_of(await queries.reps(uow, after_id(cursor), limit, team_id, active), RepOut.of)


@router.get("/reps/{rep_id}", response_model=RepOut)
async def read_rep(rep_id: str, uow: Uow, _: Reader) -> RepOut:
    return RepOut.of(await queries.rep(uow, rep_id))


@router.post("/teams", status_code=status.HTTP_201_CREATED, response_model=TeamOut)
async def create_team(body: NewTeamIn, uow: Uow, _: Operator) -> TeamOut:
    return TeamOut.of(await commands.create_team(uow, Team(body.id, body.name, body.manager_rep_id,
                                                           body.parent_team_id)))


@router.put("/teams/{team_id}", response_model=TeamOut)
async def put_team(team_id: PathId, body: TeamIn, uow: Uow, _: Operator) -> TeamOut:
    return TeamOut.of(await commands.upsert_team(uow, Team(team_id, body.name, body.manager_rep_id,
                                                           body.parent_team_id)))


@router.get("/teams", response_model=Page[TeamOut])
async def list_teams(uow: Uow, _: Reader, limit: Limit = 100, cursor: Cursor = None) -> Page[TeamOut]:
    return page_of(await queries.teams(uow, after_id(cursor), limit), TeamOut.of)
