"""/v1/territories: rules, hierarchy, priority, membership, and the synchronous match."""
from __future__ import annotations

from fastapi import APIRouter, Request, status

from services.territory import queries
from services.territory.api.schemas import MatchOut, MembersIn, NewTerritoryIn, TerritoryIn, TerritoryOut
from services.territory.commands import organisation as commands
from services.territory.domain.rules import lead_profile
from services.territory.domain.territories import build_territory
from shared.http.deps import Operator, Reader, Uow
from shared.http.ids import PathId
from shared.http.pagination import Cursor, Limit, Page, page_by_key
from shared.http.query import open_query

router = APIRouter(prefix="/territories", tags=["territories"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TerritoryOut)
async def create_territory(body: NewTerritoryIn, uow: Uow, _: Operator) -> TerritoryOut:
    territory = build_territory(body.id, body.model_dump())
    return TerritoryOut.of(await commands.create_territory(uow, territory))


@router.put("/{territory_id}", response_model=TerritoryOut)
async def put_territory(territory_id: PathId, body: TerritoryIn, uow: Uow, _: Operator) -> TerritoryOut:
    territory = build_territory(territory_id, body.model_dump())
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
    chosen = [TerritoryOut.of(t) for t in await queries.territories(uow, parent_id, rep_id)]
    return page_by_key(chosen, limit, cursor, key=lambda t: t.id)


@router.get("/match", response_model=MatchOut)
@open_query
async def match_lead(request: Request, uow: Uow, _: Reader) -> MatchOut:
    """`?country=US&employee_count=120…`: the territory a lead with these fields routes to, and the rule."""
    found = await queries.match(uow, lead_profile(dict(request.query_params), strict=True))
    if found.match is None:
        return MatchOut(territory_id=None, rule_index=None, rule=None, reason="no rule matched and no default")
    return MatchOut(territory_id=found.match.territory_id, rule_index=found.match.rule_index,
                    rule=found.rule.to_json() if found.rule else None, reason=found.match.reason)


@router.get("/{territory_id}", response_model=TerritoryOut)
async def read_territory(territory_id: str, uow: Uow, _: Reader) -> TerritoryOut:
    return TerritoryOut.of(await queries.territory(uow, territory_id))
