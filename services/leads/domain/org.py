"""Leads' local copy of the sales organisation (from territory's events) and the choice of a stand-in rep.

Territory routes new leads. When leads itself must move a lead (its rep was deactivated, or the follow-up SLA
was breached), it picks among the active reps of the lead's territory, then of the rep's team: the one with
the fewest open leads below capacity (ties to the lowest rep id).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Rep:
    rep_id: str
    team_id: str | None
    active: bool
    capacity: int


def stand_in(candidates: Iterable[str], reps: Mapping[str, Rep], load: Mapping[str, int],
             exclude: str | None) -> str | None:
    free = [r for r in set(candidates) if r != exclude and r in reps and reps[r].active
            and load.get(r, 0) < reps[r].capacity]
    return min(free, key=lambda r: (load.get(r, 0), r)) if free else None


def pick_stand_in(owner: str | None, territory_members: Iterable[str], reps: Mapping[str, Rep],
                  load: Mapping[str, int]) -> str | None:
    """Someone else in the territory, else someone in the owner's team, else nobody."""
    chosen = stand_in(territory_members, reps, load, owner)
    holder = reps.get(owner) if owner else None
    if chosen is None and holder is not None and holder.team_id is not None:
        team = holder.team_id
        chosen = stand_in((r.rep_id for r in reps.values() if r.team_id == team), reps, load, owner)
    return chosen


def sees_lead(owner_id: str | None, *, rep_id: str | None, team_ids: frozenset[str],
              reps: Mapping[str, Rep]) -> bool:
    """A rep sees their own leads; a manager also those of their teams' reps."""
    if owner_id is None:
        return False
    if owner_id == rep_id:
        return True
    rep = reps.get(owner_id)
    return rep is not None and rep.team_id in team_ids
