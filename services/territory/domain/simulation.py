"""What-if: apply proposed territory changes to the current organisation and re-match the open leads and
pipeline under them, without touching anything. Plan activation uses the same re-match to find the leads
that now belong elsewhere."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from services.territory.domain.coverage import DealFact, LeadFact
from services.territory.domain.matching import Match, TerritoryIndex
from services.territory.domain.routing import Rotation, route
from services.territory.domain.rules import lead_profile
from services.territory.domain.territories import Rep, Territory, ancestors, check_organisation
from shared.errors import InvalidInput


@dataclass(frozen=True)
class Move:
    lead_id: str
    from_territory: str | None
    to_territory: str | None
    from_rep: str | None
    to_rep: str | None
    reason: str


def propose(current: Mapping[str, Territory], upserts: Iterable[Territory], removals: Iterable[str],
            reps: Mapping[str, Rep]) -> dict[str, Territory]:
    """The organisation after the changes, validated as a whole (parents, cycles, members, one default)."""
    proposed = dict(current)
    for territory_id in removals:
        if territory_id not in proposed:
            raise InvalidInput("remove", f"territory {territory_id} does not exist")
        del proposed[territory_id]
    for t in upserts:
        before = current.get(t.id)
        proposed[t.id] = replace(t, version=before.version + 1 if before else 1)
    check_organisation(proposed, reps)
    return proposed


def rematch(leads: list[LeadFact], deals: list[DealFact], proposed: Mapping[str, Territory],
            reps: Mapping[str, Rep]) -> tuple[list[LeadFact], list[DealFact], list[Move]]:
    """Open leads whose territory changes are routed again under the proposal (fresh rotations, current
    loads); their open deals follow them. Leads the proposal leaves where they were keep their rep."""
    index = TerritoryIndex(proposed)
    load: dict[str, int] = {}
    for lead in leads:
        if lead.is_open and lead.rep_id:
            load[lead.rep_id] = load.get(lead.rep_id, 0) + 1
    rotations: dict[str, Rotation] = {}
    moved: dict[str, LeadFact] = {}
    moves: list[Move] = []
    for lead in leads:
        if not lead.is_open or not lead.profile:
            continue
        match = index.match(lead_profile(lead.profile))
        if _still_fits(lead, match, proposed, reps):
            continue
        if lead.rep_id:
            load[lead.rep_id] -= 1
        routing = route(match, proposed, reps, load, rotations)
        if routing.rotation_territory and routing.rotation is not None:
            rotations[routing.rotation_territory] = routing.rotation
        if routing.rep_id:
            load[routing.rep_id] = load.get(routing.rep_id, 0) + 1
        moved[lead.lead_id] = replace(lead, territory_id=routing.territory_id, rep_id=routing.rep_id)
        moves.append(Move(lead.lead_id, lead.territory_id, routing.territory_id, lead.rep_id, routing.rep_id,
                          routing.reason))
    new_leads = [moved.get(lead.lead_id, lead) for lead in leads]
    return new_leads, [_follow(d, moved, proposed) for d in deals], moves


def _still_fits(lead: LeadFact, match: Match | None, proposed: Mapping[str, Territory],
               reps: Mapping[str, Rep]) -> bool:
    """The lead's holder is an active member of a territory the lead may route to under the proposal."""
    if match is None or lead.rep_id is None or lead.territory_id is None or lead.territory_id not in proposed:
        return False
    chain = {match.territory_id, *ancestors(match.territory_id, proposed)}
    chain |= {t.id for t in proposed.values() if t.is_default}
    rep = reps.get(lead.rep_id)
    member = lead.rep_id in proposed[lead.territory_id].rep_ids
    return lead.territory_id in chain and member and bool(rep and rep.active)


def _follow(deal: DealFact, moved: Mapping[str, LeadFact], proposed: Mapping[str, Territory]) -> DealFact:
    if deal.status != "open":
        return deal
    if deal.lead_id is not None and deal.lead_id in moved:
        return replace(deal, territory_id=moved[deal.lead_id].territory_id)
    return deal if deal.territory_id in proposed else replace(deal, territory_id=None)
