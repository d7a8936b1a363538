"""Leads' local copy of the sales organisation (from territory's events), for who sees which lead.

Leads never chooses an owner itself: territory routes every lead, and re-routes it when its rep is
deactivated, its follow-up SLA is breached or a plan moves it (lead.routed)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rep:
    rep_id: str
    team_id: str | None
    active: bool
    capacity: int


@dataclass(frozen=True)
class RepCopy:
    """rep.upserted as leads keeps it."""

    rep: Rep
    name: str


@dataclass(frozen=True)
class TeamCopy:
    """team.upserted as leads keeps it: the manager (escalations) and the parent (a manager sees sub-teams)."""

    team_id: str
    manager_rep_id: str | None
    parent_team_id: str | None


def latest(copies: Iterable[RepCopy | TeamCopy]) -> tuple[dict[str, RepCopy], dict[str, TeamCopy]]:
    """What a run of upserts leaves (each states the whole rep or team): the last copy of each rep and team."""
    reps: dict[str, RepCopy] = {}
    teams: dict[str, TeamCopy] = {}
    for copy in copies:
        if isinstance(copy, RepCopy):
            reps[copy.rep.rep_id] = copy
        else:
            teams[copy.team_id] = copy
    return reps, teams
