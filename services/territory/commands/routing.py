"""Routing a lead end to end: match, pick the rep from the stored rotation, book it, announce lead.routed.

Territory makes every routing decision: a new lead (lead.created), and every re-route of an open lead (its
rep deactivated, its follow-up SLA breached, a plan activation). Leads applies what `lead.routed` says."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from services.territory.db import books
from services.territory.db import repository as repo
from services.territory.db.indexes import TerritoryIndexes, index_of
from services.territory.domain.book_changes import LeadBook, NewLead
from services.territory.domain.books import BookedLead
from services.territory.domain.matching import Match
from services.territory.domain.routing import Rotation, Routing, route
from services.territory.domain.rules import lead_profile
from services.territory.domain.territories import Rep, Territory, ancestors
from shared.db.uow import UnitOfWork, command
from shared.events import catalog as ev


async def route_and_book(booked: BookedLead, uow: UnitOfWork, *, indexes: TerritoryIndexes | None,
                         note: str = "", excluded: frozenset[str] = frozenset(),
                         keep_when_nobody: bool = False) -> Routing:
    """Decide the territory and rep for a lead, move the rotation, keep the lead's row, emit lead.routed.

    With `keep_when_nobody` a lead nobody else can take stays where it is (nothing written, nothing emitted);
    otherwise `lead.routed` says so with `rep_id: null` and the lead waits without a rep."""
    session = uow.session
    index = await index_of(session, indexes)
    territories = index.territories
    match = index.match(lead_profile(booked.profile))
    rotations = await repo.load_rotations(session, _chain(match, territories))  # locks these turns until commit
    load = await books.open_leads_per_rep(session)
    if booked.rep_id and booked.is_open:
        # re-routing: the lead no longer loads its current holder
        load[booked.rep_id] = load.get(booked.rep_id, 1) - 1
    routing = route(match, territories, await repo.all_reps(session), load, rotations, excluded)
    if routing.rep_id is None and keep_when_nobody:
        return routing
    if routing.rotation_territory is not None and routing.rotation is not None:
        await repo.save_rotation(session, routing.rotation_territory, routing.rotation)
    await books.save_lead(session, replace(booked, matched_territory_id=match.territory_id if match else None,
                                           territory_id=routing.territory_id, rep_id=routing.rep_id))
    reason = f"{note}{routing.reason}"
    await uow.emit("coxswain.lead.routed.v1", subject=booked.lead_id, data=ev.LeadRouted(
        lead_id=booked.lead_id, territory_id=routing.territory_id, rep_id=routing.rep_id, reason=reason))
    return replace(routing, reason=reason)


async def reroute_leads_of(rep_id: str, uow: UnitOfWork, indexes: TerritoryIndexes | None) -> list[Routing]:
    """A deactivated rep's open leads, each to another active member under the routing rules, or to nobody
    (`lead.routed` with `rep_id: null`); one after the other, so each sees the loads the previous left.

    Every territory's turn is locked first: a lead being routed to the rep right now commits before the rep's
    leads are read (and is moved with them), and one routed after sees the rep inactive."""
    await repo.load_rotations(uow.session, sorted(await repo.all_territories(uow.session)))
    return [await route_and_book(lead, uow, note=f"rep {rep_id} deactivated: ", indexes=indexes)
            for lead in await books.open_leads_of(uow.session, rep_id)]


class RoutingRun:
    """What routing a batch's new leads reads once: the territory index, the reps and the turns (rotations)."""

    def __init__(self, matches: dict[str, Match | None], territories: Mapping[str, Territory],
                 reps: Mapping[str, Rep], rotations: dict[str, Rotation]) -> None:
        self.matches, self.territories, self.reps, self.rotations = matches, territories, reps, rotations
        self.moved: set[str] = set()
        self.members = {r for t in rotations for r in territories[t].rep_ids}  # of every territory in the chains

    @classmethod
    async def start(cls, uow: UnitOfWork, new: Sequence[NewLead], indexes: TerritoryIndexes | None) -> RoutingRun:
        index = await index_of(uow.session, indexes)
        matches = {c.lead_id: index.match(lead_profile(c.profile)) for c in new}
        chains = {t for match in matches.values() for t in _chain(match, index.territories)}
        rotations = await repo.load_rotations(uow.session, sorted(chains))  # locked until commit, in id order
        return cls(matches, index.territories, await repo.all_reps(uow.session), rotations)

    async def route(self, uow: UnitOfWork, book: LeadBook, lead: NewLead, sequence: int) -> Routing:
        """The lead's territory and rep under the turns and loads as they stand in the run; announced."""
        assert book.load is not None
        match = self.matches[lead.lead_id]
        routing = route(match, self.territories, self.reps, book.load, self.rotations)
        if routing.rotation_territory is not None and routing.rotation is not None:
            self.rotations[routing.rotation_territory] = routing.rotation
            self.moved.add(routing.rotation_territory)
        book.put(BookedLead(lead.lead_id, lead.profile, created_at=lead.created_at,
                            matched_territory_id=match.territory_id if match else None,
                            territory_id=routing.territory_id, rep_id=routing.rep_id))
        await uow.emit("coxswain.lead.routed.v1", subject=lead.lead_id, sequence=sequence, data=ev.LeadRouted(
            lead_id=lead.lead_id, territory_id=routing.territory_id, rep_id=routing.rep_id, reason=routing.reason))
        return routing


def _chain(match: Match | None, territories: Mapping[str, Territory]) -> list[str]:
    """The territories a lead may go to: the matched one, its parents, the default ones."""
    chain = [match.territory_id, *ancestors(match.territory_id, territories)] if match else []
    return chain + [t.id for t in territories.values() if t.is_default and t.id not in chain]


@command
async def reroute_after_breach(uow: UnitOfWork, lead_id: str, rep_id: str | None,
                               indexes: TerritoryIndexes | None) -> Routing | None:
    """Another member takes the lead under the routing rules (never the rep who let it wait); with nobody else
    free it stays where it is. Only a breach by the lead's current holder moves it (a repeated or stale breach
    moves nothing: None)."""
    async with uow:
        lead = await books.booked_lead(uow.session, lead_id)
        if lead is None or not lead.is_open or lead.rep_id != rep_id:
            return None
        routing = await route_and_book(lead, uow, note=f"follow-up SLA breached by {rep_id or 'nobody'}: ",
                                       indexes=indexes, excluded=frozenset({rep_id} if rep_id else ()),
                                       keep_when_nobody=True)
        await uow.commit()
        return routing
