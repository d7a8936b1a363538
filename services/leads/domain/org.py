"""Leads' local copy of the sales organisation (from territory's events), for who sees which lead.

Leads never chooses an owner itself: territory routes every lead, and re-routes it when its rep is
deactivated, its follow-up SLA is breached or a plan moves it (lead.routed)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Rep:
    rep_id: str
    team_id: str | None
    active: bool
    capacity: int


def sees_lead(owner_id: str | None, *, rep_id: str | None, team_ids: frozenset[str],
              reps: Mapping[str, Rep]) -> bool:
    """A rep sees their own leads; a manager also those of their teams' reps."""
    if owner_id is None:
        return False
    if owner_id == rep_id:
        return True
    rep = reps.get(owner_id)
    return rep is not None and rep.team_id in team_ids
