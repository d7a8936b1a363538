"""Request and response bodies of the organisation API (reps, teams, territories)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from services.territory.db.listing import Listing
from services.territory.domain.territories import Rep, Team, Territory
from shared.http.pagination import Page, encode_cursor
from shared.input_types import Json

T = TypeVar("T")
S = TypeVar("S")


def page_of(listing: Listing[S], shape: Callable[[S], T]) -> Page[T]:
    """A keyset page as the API answers it: the items shaped, the cursor to the next page when one follows."""
    cursor = encode_cursor({"after": listing.next_after}) if listing.next_after is not None else None
    return Page[T](items=[shape(i) for i in listing.items], next_cursor=cursor)


Segment = Annotated[str, Field(min_length=1, max_length=40)]
Id = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RepIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    team_id: str | None = None
    # strict: false, "5" or 1.0 sent for these is a client's bug to tell them about, not a value to guess
    active: bool = Field(default=True, strict=True)
    capacity: int = Field(strict=True, ge=0, le=100_000, description="the most open leads the rep may hold")
    segments: list[Segment] = Field(default=[], description="e.g. smb, mid-market, enterprise")


class NewRepIn(RepIn):
    id: str = Id


class RepOut(BaseModel):
    id: str
    name: str
    email: str
    team_id: str | None
    active: bool
    capacity: int
    segments: list[str]

    @classmethod
    def of(cls, rep: Rep) -> RepOut:
        return cls(id=rep.id, name=rep.name, email=rep.email, team_id=rep.team_id, active=rep.active,
                   capacity=rep.capacity, segments=list(rep.segments))


class TeamIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    manager_rep_id: str | None = None
    parent_team_id: str | None = None


class NewTeamIn(TeamIn):
    id: str = Id


class TeamOut(BaseModel):
    id: str
    name: str
    manager_rep_id: str | None
    parent_team_id: str | None

    @classmethod
    def of(cls, team: Team) -> TeamOut:
        return cls(id=team.id, name=team.name, manager_rep_id=team.manager_rep_id,
                   parent_team_id=team.parent_team_id)


class ConditionIn(Strict):
    field: str = Field(description="country, region, postal_code, industry, company, employee_count, annual_revenue")
    op: str = Field(description="eq, in, prefix or range ({min, max})")
    value: Json  # checked like any other JSON (a lone surrogate is a 422)


class RuleIn(Strict):
    conditions: list[ConditionIn] = Field(min_length=1)


class TerritoryIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    parent_id: str | None = None
    priority: int = Field(default=0, strict=True, ge=-1000, le=1000)
    rules: list[RuleIn] = []
    rep_ids: list[str] = []
    is_default: bool = Field(default=False, strict=True)


class NewTerritoryIn(TerritoryIn):
    id: str = Id


class MembersIn(Strict):
    rep_ids: list[str]


class TerritoryOut(BaseModel):
    id: str
    name: str
    parent_id: str | None
    priority: int
    rules: list[dict[str, Any]]
    rep_ids: list[str]
    is_default: bool
    version: int

    @classmethod
    def of(cls, t: Territory) -> TerritoryOut:
        return cls(id=t.id, name=t.name, parent_id=t.parent_id, priority=t.priority,
                   rules=[r.to_json() for r in t.rules], rep_ids=list(t.rep_ids), is_default=t.is_default,
                   version=t.version)


class MatchOut(BaseModel):
    territory_id: str | None
    rule_index: int | None
    rule: dict[str, Any] | None
    reason: str
