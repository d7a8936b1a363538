"""/v1/territories: rules, hierarchy, priority, membership, and the synchronous match."""
from __future__ import annotations

from fastapi import APIRouter, Request, status

from services.territory.api.paging import page_of
from services.territory.api.schemas import MatchOut, MembersIn, NewTerritoryIn, TerritoryIn, TerritoryOut
from services.territory.commands import organisation as commands
from services.territory.db import repository as repo
from services.territory.domain.matching import TerritoryIndex
from services.territory.domain.rules import lead_profile
from shared.http.deps import Operator, Reader, Uow
from shared.http.ids import PathId
from shared.http.pagination import Cursor, Limit, Page
from shared.http.query import open_query

router = APIRouter(prefix="/territories", tags=["territories"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TerritoryOut)
async def create_territory(body: NewTerritoryIn, uow: Uow, _: Operator) -> TerritoryOut:
    territory = commands.build_territory(body.id, body.model_dump())
    return TerritoryOut.of(await commands.create_territory(uow, territory))


@router.put("/{territory_id}", response_model=TerritoryOut)
async def put_territory(territory_id: PathId, body: TerritoryIn, uow: Uow, _: Operator) -> TerritoryOut:
    territory = commands.build_territory(territory_id, body.model_dump())
    return TerritoryOut.of(await commands.upsert_territory(uow, territory))


@router.put("/{territory_id}/reps", response_model=TerritoryOut)
async def put_members(territory_id: PathId, body: MembersIn, uow: Uow, _: Operator) -> TerritoryOut:
    return TerritoryOut.of(await commands.set_members(uow, territory_id, body.rep_ids))


@router.delete("/{territory_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_territory(territory_id: PathId, uow: Uow, _: Operator) -> None:
    await commands.delete_territory(uow, territory_id)


@router.get("", response_model=Page[TerritoryOut])
async def list_territories(uow: Uow, _: Reader, limit: Limit = 100, cursor: Cursor = None,
                           parent_id: str | None = None, rep_id: str | None = None) -> Page[TerritoryOut]:
    async with uow:
        found = (await repo.all_territories(uow.session)).values()
    chosen = [TerritoryOut.of(t) for t in found
              if (parent_id is None or t.parent_id == parent_id) and (rep_id is None or rep_id in t.rep_ids)]
    return page_of(chosen, limit, cursor, key=lambda t: t.id)


@router.get("/match", response_model=MatchOut)
@open_query
async def match_lead(request: Request, uow: Uow, _: Reader) -> MatchOut:
    """`?country=US&employee_count=120…`: the territory a lead with these fields routes to, and the rule."""
    profile = lead_profile(dict(request.query_params), strict=True)
    async with uow:
        territories = await repo.all_territories(uow.session)
    found = TerritoryIndex(territories).match(profile)
    if found is None:
        return MatchOut(territory_id=None, rule_index=None, rule=None, reason="no rule matched and no default")
    rule = territories[found.territory_id].rules[found.rule_index] if found.rule_index is not None else None
    return MatchOut(territory_id=found.territory_id, rule_index=found.rule_index,
                    rule=rule.to_json() if rule else None, reason=found.reason)


@router.get("/{territory_id}", response_model=TerritoryOut)
async def read_territory(territory_id: str, uow: Uow, _: Reader) -> TerritoryOut:
    async with uow:
        return TerritoryOut.of(await repo.get_territory(uow.session, territory_id))
