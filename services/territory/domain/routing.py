"""Picking the rep for a routed lead: a smooth weighted round robin by capacity among the territory's
active members below capacity, falling back up the hierarchy and then to the default territory.

Smooth weighted round robin (as in nginx): every eligible rep's counter grows by their weight, the
highest counter takes the lead (ties to the lowest rep id) and gives back the total weight. Over any
run of leads each rep's share stays within one lead of weight/total, and no rep gets two in a row out
of turn. The counters are the stored rotation state, so restarts and replicas carry on where it was.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.territory.domain.matching import Match
from services.territory.domain.territories import Rep, Territory, ancestors

Rotation = dict[str, int]  # rep id -> current counter, per territory


@dataclass(frozen=True)
class Pick:
    rep_id: str
    rotation: Rotation  # the territory's counters after the pick


@dataclass(frozen=True)
class Routing:
    territory_id: str | None  # the territory whose rep takes the lead (the matched one when nobody can)
    rep_id: str | None
    reason: str
    rotation_territory: str | None = None  # whose rotation moved
    rotation: Rotation | None = None


def eligible(territory: Territory, reps: Mapping[str, Rep], open_leads: Mapping[str, int],
             excluded: frozenset[str] = frozenset()) -> dict[str, int]:
    """Members who may take a lead now, with their weight (capacity); `excluded` (the rep who breached the
    lead's follow-up SLA) may not take it back."""
    return {r: reps[r].capacity for r in territory.rep_ids
            if r in reps and r not in excluded and reps[r].active and reps[r].capacity > 0
            and open_leads.get(r, 0) < reps[r].capacity}


def pick_rep(weights: Mapping[str, int], rotation: Mapping[str, int]) -> Pick | None:
    if not weights:
        return None
    total = sum(weights.values())
    # Counters of reps who left the rotation (inactive, full, removed) are kept as they were.
    counters = dict(rotation)
    for rep_id, weight in weights.items():
        counters[rep_id] = counters.get(rep_id, 0) + weight
    chosen = min(weights, key=lambda r: (-counters[r], r))
    counters[chosen] -= total
    return Pick(chosen, counters)


def route(match: Match | None, territories: Mapping[str, Territory], reps: Mapping[str, Rep],
          open_leads: Mapping[str, int], rotations: Mapping[str, Rotation],
          excluded: frozenset[str] = frozenset()) -> Routing:
    """The matched territory, then its parents, then the default territory: the first with someone free."""
    if match is None:
        return Routing(None, None, "no territory rule matched and there is no default territory")
    chain = [match.territory_id, *ancestors(match.territory_id, territories)]
    chain += [t.id for t in sorted(territories.values(), key=lambda t: t.id) if t.is_default and t.id not in chain]
    for position, territory_id in enumerate(chain):
        free = eligible(territories[territory_id], reps, open_leads, excluded)
        pick = pick_rep(free, rotations.get(territory_id, {}))
        if pick is not None:
            how = match.reason if position == 0 else f"{match.reason}; no free rep there, fell back to {territory_id}"
            return Routing(territory_id, pick.rep_id, how, territory_id, pick.rotation)
    return Routing(match.territory_id, None,
                   f"{match.reason}; no active rep below capacity in {', '.join(chain)}")
