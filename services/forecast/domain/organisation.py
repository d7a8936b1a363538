"""A run of organisation and quota events (reps, teams, territories, quotas) folded into the rows they leave:
each key's last stated values win, a territory deleted after its upsert is kept deleted, one upserted after its
deletion is live again, and one deleted without an upsert in the run is marked deleted where it is stored."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal


@dataclass(frozen=True)
class Rep:
    rep_id: str
    name: str
    team_id: str | None
    active: bool


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    manager_rep_id: str | None
    parent_team_id: str | None


@dataclass(frozen=True)
class Territory:
    territory_id: str
    name: str
    parent_id: str | None
    rep_ids: tuple[str, ...]
    deleted: bool = False


@dataclass(frozen=True)
class TerritoryGone:
    territory_id: str


@dataclass(frozen=True)
class Quota:
    rep_id: str
    period: str
    amount: Decimal
    currency: str


OrgChange = Rep | Team | Territory | TerritoryGone | Quota


@dataclass
class OrgRows:
    reps: dict[str, Rep] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    territories: dict[str, Territory] = field(default_factory=dict)  # upserted in the run (maybe deleted after)
    gone: set[str] = field(default_factory=set)  # deleted in the run and not upserted since: mark the stored row
    quotas: dict[tuple[str, str], Quota] = field(default_factory=dict)


def org_rows(changes: Iterable[OrgChange]) -> OrgRows:
    out = OrgRows()
    for change in changes:
        if isinstance(change, Rep):
            out.reps[change.rep_id] = change
        elif isinstance(change, Team):
            out.teams[change.team_id] = change
        elif isinstance(change, Territory):
            out.territories[change.territory_id] = change
            out.gone.discard(change.territory_id)
        elif isinstance(change, TerritoryGone):
            upserted = out.territories.get(change.territory_id)
            if upserted is not None:
                out.territories[change.territory_id] = replace(upserted, deleted=True)
            else:
                out.gone.add(change.territory_id)
        else:
            out.quotas[(change.rep_id, change.period)] = change
    return out
