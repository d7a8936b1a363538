"""Pipeline's copy of territory's organisation (from its events): reps (for a deal's team) and teams (parents,
for visibility)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class RepCopy:
    rep_id: str
    name: str
    team_id: str | None
    active: bool


@dataclass(frozen=True)
class TeamCopy:
    team_id: str
    name: str
    manager_rep_id: str | None
    parent_team_id: str | None


def latest(copies: Iterable[RepCopy | TeamCopy]) -> tuple[dict[str, RepCopy], dict[str, TeamCopy]]:
    """What a run of upserts leaves (each states the whole rep or team): the last copy of each rep and team."""
    reps: dict[str, RepCopy] = {}
    teams: dict[str, TeamCopy] = {}
    for copy in copies:
        if isinstance(copy, RepCopy):
            reps[copy.rep_id] = copy
        else:
            teams[copy.team_id] = copy
    return reps, teams
