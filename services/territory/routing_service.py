"""Routing a lead end to end: match, pick the rep from the stored rotation, book it, announce lead.routed.
Used by the lead.created handler and by plan activation (which re-routes open leads that moved)."""
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
                         booked: dict[str, Any], note: str = "", cached: bool = True) -> Routing:
    """Decide the territory and rep for a lead, move the rotation, keep the lead's row, emit lead.routed."""
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
    routing = route(match, territories, await repo.all_reps(session), load, rotations)
    if routing.rotation_territory is not None and routing.rotation is not None:
        await repo.save_rotation(session, routing.rotation_territory, routing.rotation)
    await books.save_lead(session, {**booked, "lead_id": lead_id, "profile": fields,
                                    "matched_territory_id": match.territory_id if match else None,
                                    "territory_id": routing.territory_id, "rep_id": routing.rep_id})
    reason = f"{note}{routing.reason}"
    await uow.emit("coxswain.lead.routed.v1", subject=lead_id, data=ev.LeadRouted(
        lead_id=lead_id, territory_id=routing.territory_id, rep_id=routing.rep_id, reason=reason))
    return replace(routing, reason=reason)
