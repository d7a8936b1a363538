"""Leads' local copy of the sales organisation (from territory's events), for who sees which lead.

Leads never chooses an owner itself: territory routes every lead, and re-routes it when its rep is
deactivated, its follow-up SLA is breached or a plan moves it (lead.routed)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rep:
    rep_id: str
    team_id: str | None
    active: bool
    capacity: int
