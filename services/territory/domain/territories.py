"""Territories and the organisation they hang on: reps, teams, a territory hierarchy that rolls up."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.territory.domain.rules import Rule, parse_rules
from shared.errors import ConflictError, InvalidInput


@dataclass(frozen=True)
class Rep:
    id: str
    name: str
    email: str
    team_id: str | None
    active: bool
    capacity: int  # the most open leads the rep may hold
    segments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    manager_rep_id: str | None
    parent_team_id: str | None


@dataclass(frozen=True)
class Territory:
    id: str
    name: str
    parent_id: str | None
    priority: int
    rules: tuple[Rule, ...]
    rep_ids: tuple[str, ...] = ()
    is_default: bool = False
    version: int = 1

    @property
    def specificity(self) -> int:
        return max((r.specificity for r in self.rules), default=0)


def build_territory(territory_id: str, body: dict[str, Any]) -> Territory:
    """A territory from its HTTP/plan form, rules validated (unknown field or op, range min above max)."""
    return Territory(id=territory_id, name=body["name"], parent_id=body.get("parent_id"),
                     priority=body.get("priority", 0), rules=parse_rules(body.get("rules") or []),
                     rep_ids=tuple(body.get("rep_ids") or ()), is_default=bool(body.get("is_default", False)))


def territory_json(t: Territory) -> dict[str, Any]:
    """A territory's stored (and plan) form."""
    return {"id": t.id, "name": t.name, "parent_id": t.parent_id, "priority": t.priority,
            "rules": [r.to_json() for r in t.rules], "rep_ids": list(t.rep_ids), "is_default": t.is_default,
            "version": t.version}


def check_no_cycle(item_id: str, parent_id: str | None, parents: Mapping[str, str | None], what: str) -> None:
    """Walk up from the proposed parent; meeting the item itself means a cycle."""
    seen: set[str] = set()
    current = parent_id
    while current is not None:
        if current == item_id:
            raise InvalidInput("parent_id" if what == "territory" else "parent_team_id",
                               f"{what} {item_id} cannot sit under {parent_id}: that makes a cycle")
        if current in seen:
            break
        seen.add(current)
        current = parents.get(current)


def check_parent_exists(parent_id: str | None, known: Iterable[str], name: str) -> None:
    if parent_id is not None and parent_id not in set(known):
        raise InvalidInput(name, f"{parent_id} does not exist")


def check_members(rep_ids: Iterable[str], reps: Mapping[str, Rep], name: str = "rep_ids") -> tuple[str, ...]:
    members = tuple(dict.fromkeys(rep_ids))  # keep order, drop repeats
    unknown = [r for r in members if r not in reps]
    if unknown:
        raise InvalidInput(name, f"unknown rep(s): {', '.join(unknown)}")
    return members


def check_single_default(territory: Territory, territories: Mapping[str, Territory]) -> None:
    others = [t.id for t in territories.values() if t.is_default and t.id != territory.id]
    if territory.is_default and others:
        raise ConflictError(f"territory {others[0]} is already the default territory")


def check_organisation(proposed: Mapping[str, Territory], reps: Mapping[str, Rep]) -> None:
    """A whole set of territories (a plan): parents exist, no cycles, members exist, one default."""
    parents = {t.id: t.parent_id for t in proposed.values()}
    for t in proposed.values():
        check_parent_exists(t.parent_id, proposed, f"territories.{t.id}.parent_id")
        check_no_cycle(t.id, t.parent_id, parents, "territory")
        check_members(t.rep_ids, reps, f"territories.{t.id}.rep_ids")
    defaults = sorted(t.id for t in proposed.values() if t.is_default)
    if len(defaults) > 1:
        raise InvalidInput("territories", f"only one default territory is allowed, got {', '.join(defaults)}")


def ancestors(territory_id: str, territories: Mapping[str, Territory]) -> list[str]:
    """The territory's parents, nearest first (guarded against a cycle that validation should prevent)."""
    chain: list[str] = []
    current = territories[territory_id].parent_id if territory_id in territories else None
    while current is not None and current in territories and current not in chain and current != territory_id:
        chain.append(current)
        current = territories[current].parent_id
    return chain
