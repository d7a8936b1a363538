"""Routing a lead end to end: match, pick the rep from the stored rotation, book it, announce lead.routed.

Territory makes every routing decision: a new lead (lead.created), and every re-route of an open lead (its
rep deactivated, its follow-up SLA breached, a plan activation). Leads applies what `lead.routed` says."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.territory.db import books
from services.territory.db import repository as repo
from services.territory.domain.matching import TerritoryIndex
from services.territory.domain.routing import Routing, route
from services.territory.domain.rules import lead_profile
from services.territory.domain.territories import ancestors
from shared.db.uow import UnitOfWork
from shared.events import catalog as ev

_INDEXES: dict[tuple[str, int], TerritoryIndex] = {}  # (database, revision) → index; bounded below


async def current_index(session: AsyncSession, *, cached: bool) -> TerritoryIndex:
    """The territories as an index, rebuilt only when a territory changed since it was built. Not cached
    for a transaction that changes territories itself (its revision is not committed and may roll back)."""
    if not cached:
        return TerritoryIndex(await repo.all_territories(session))
    key = (str(session.get_bind().engine.url), await repo.territories_revision(session))
    index = _INDEXES.get(key)
    if index is None:
        index = TerritoryIndex(await repo.all_territories(session))
        if len(_INDEXES) >= 8:
            _INDEXES.clear()
        _INDEXES[key] = index
    return index


async def route_and_book(lead_id: str, fields: dict[str, Any], uow: UnitOfWork, *,
                         booked: dict[str, Any], note: str = "", cached: bool = True,
                         excluded: frozenset[str] = frozenset(), keep_when_nobody: bool = False) -> Routing:
    """Decide the territory and rep for a lead, move the rotation, keep the lead's row, emit lead.routed.

    With `keep_when_nobody` a lead nobody else can take stays where it is (nothing written, nothing emitted);
    otherwise `lead.routed` says so with `rep_id: null` and the lead waits without a rep."""
    session = uow.session
    index = await current_index(session, cached=cached)
    territories = index.territories
    match = index.match(lead_profile(fields))
    chain = [match.territory_id, *ancestors(match.territory_id, territories)] if match else []
    chain += [t.id for t in territories.values() if t.is_default and t.id not in chain]
    rotations = await repo.load_rotations(session, chain)  # locks these territories' turns until commit
    load = await books.open_leads_per_rep(session)
    if booked.get("rep_id") and booked.get("is_open"):
        # re-routing: the lead no longer loads its current holder
        load[booked["rep_id"]] = load.get(booked["rep_id"], 1) - 1
    routing = route(match, territories, await repo.all_reps(session), load, rotations, excluded)
    if routing.rep_id is None and keep_when_nobody:
        return routing
    if routing.rotation_territory is not None and routing.rotation is not None:
        await repo.save_rotation(session, routing.rotation_territory, routing.rotation)
    await books.save_lead(session, {**booked, "lead_id": lead_id, "profile": fields,
                                    "matched_territory_id": match.territory_id if match else None,
                                    "territory_id": routing.territory_id, "rep_id": routing.rep_id})
    reason = f"{note}{routing.reason}"
    await uow.emit("coxswain.lead.routed.v1", subject=lead_id, data=ev.LeadRouted(
        lead_id=lead_id, territory_id=routing.territory_id, rep_id=routing.rep_id, reason=reason))
    return replace(routing, reason=reason)


async def reroute_booked_lead(row: dict[str, Any], uow: UnitOfWork, *, note: str, cached: bool = True,
                              excluded: frozenset[str] = frozenset(), keep_when_nobody: bool = False) -> Routing:
    """An open lead territory already knows, routed again by the same rules as a new one (its matched
    territory, the hierarchy, the default): a deactivated holder, a breached follow-up SLA, a plan activation."""
    return await route_and_book(row["lead_id"], dict(row["profile"] or {}), uow, booked=row, note=note,
                                cached=cached, excluded=excluded, keep_when_nobody=keep_when_nobody)


async def reroute_leads_of(rep_id: str, uow: UnitOfWork) -> list[Routing]:
    """A deactivated rep's open leads, each to another active member under the routing rules, or to nobody
    (`lead.routed` with `rep_id: null`); one after the other, so each sees the loads the previous left.

    Every territory's turn is locked first: a lead being routed to the rep right now commits before the rep's
    leads are read (and is moved with them), and one routed after sees the rep inactive."""
    await repo.load_rotations(uow.session, sorted(await repo.all_territories(uow.session)))
    return [await reroute_booked_lead(row, uow, note=f"rep {rep_id} deactivated: ")
            for row in await books.open_lead_rows_of(session=uow.session, rep_id=rep_id)]
