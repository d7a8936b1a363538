"""Commands that change the organisation (called from routes; each owns its unit of work and runs again after a
deadlock or a serialization failure, shared.db.uow.command)."""
from __future__ import annotations

from dataclasses import replace

from services.territory.commands.routing import reroute_leads_of
from services.territory.db import repository as repo
from services.territory.db.indexes import TerritoryIndexes
from services.territory.domain.territories import (
    Rep,
    Team,
    Territory,
    check_members,
    check_no_cycle,
    check_parent_exists,
    check_single_default,
)
from shared.db.uow import UnitOfWork, command
from shared.errors import ConflictError, InvalidInput, NotFoundError
from shared.events import catalog as ev


@command
async def upsert_rep(uow: UnitOfWork, rep: Rep, indexes: TerritoryIndexes | None = None) -> Rep:
    """Save and announce the rep; an inactive rep's open leads are routed again in the same transaction."""
    async with uow:
        if rep.team_id is not None and rep.team_id not in await repo.all_teams(uow.session):
            raise InvalidInput("team_id", f"team {rep.team_id} does not exist")
        version = await repo.save_rep(uow.session, rep)
        await uow.emit("coxswain.rep.upserted.v1", subject=rep.id, sequence=version, data=ev.RepUpserted(
            rep_id=rep.id, name=rep.name, email=rep.email, team_id=rep.team_id, active=rep.active,
            capacity=rep.capacity, segments=list(rep.segments)))
        if not rep.active:
            await reroute_leads_of(rep.id, uow, indexes)  # none left the second time: nothing moves again
        await uow.commit()
        return rep


@command
async def create_rep(uow: UnitOfWork, rep: Rep, indexes: TerritoryIndexes | None = None) -> Rep:
    async with uow:
        if await repo.get_rep(uow.session, rep.id) is not None:
            raise ConflictError(f"rep {rep.id} already exists; use PUT /v1/reps/{rep.id} to change it")
        saved = await upsert_rep(uow, rep, indexes)
        await uow.commit()
        return saved


@command
async def deactivate_rep(uow: UnitOfWork, rep_id: str, indexes: TerritoryIndexes | None = None) -> Rep:
    """Announced as rep.upserted with active=false; the rep's open leads are routed again."""
    async with uow:
        rep = await repo.get_rep(uow.session, rep_id)
        if rep is None:
            raise NotFoundError(f"rep {rep_id} does not exist")
        saved = await upsert_rep(uow, replace(rep, active=False), indexes)
        await uow.commit()
        return saved


@command
async def upsert_team(uow: UnitOfWork, team: Team) -> Team:
    async with uow:
        known = await repo.all_teams(uow.session)
        check_parent_exists(team.parent_team_id, known, "parent_team_id")
        check_no_cycle(team.id, team.parent_team_id, {t.id: t.parent_team_id for t in known.values()}, "team")
        if team.manager_rep_id is not None and await repo.get_rep(uow.session, team.manager_rep_id) is None:
            raise InvalidInput("manager_rep_id", f"rep {team.manager_rep_id} does not exist")
        version = await repo.save_team(uow.session, team)
        await uow.emit("coxswain.team.upserted.v1", subject=team.id, sequence=version, data=ev.TeamUpserted(
            team_id=team.id, name=team.name, manager_rep_id=team.manager_rep_id, parent_team_id=team.parent_team_id))
        await uow.commit()
        return team


@command
async def create_team(uow: UnitOfWork, team: Team) -> Team:
    async with uow:
        if team.id in await repo.all_teams(uow.session):
            raise ConflictError(f"team {team.id} already exists; use PUT /v1/teams/{team.id} to change it")
        saved = await upsert_team(uow, team)
        await uow.commit()
        return saved


async def emit_territory(uow: UnitOfWork, t: Territory) -> None:
    # The outbox counts this territory's sequence: it keeps rising across a delete and a re-creation of the
    # same id, where the row's own version starts again at 1.
    await uow.emit("coxswain.territory.upserted.v1", subject=t.id,
                   data=ev.TerritoryUpserted.model_validate({
                       "territory_id": t.id, "name": t.name, "parent_id": t.parent_id, "priority": t.priority,
                       "rules": [r.to_json() for r in t.rules], "rep_ids": list(t.rep_ids),
                       "is_default": t.is_default}))


@command
async def upsert_territory(uow: UnitOfWork, territory: Territory) -> Territory:
    """Validate against the whole organisation, then save and announce; nothing is saved on any error."""
    async with uow:
        known = await repo.all_territories(uow.session)
        check_parent_exists(territory.parent_id, known, "parent_id")
        check_no_cycle(territory.id, territory.parent_id, {t.id: t.parent_id for t in known.values()}, "territory")
        members = check_members(territory.rep_ids, await repo.all_reps(uow.session))
        check_single_default(territory, known)
        previous = known.get(territory.id)
        saved = replace(territory, rep_ids=members, version=previous.version + 1 if previous else 1)
        await repo.save_territory(uow.session, saved)
        await emit_territory(uow, saved)
        await uow.commit()
        return saved


@command
async def create_territory(uow: UnitOfWork, territory: Territory) -> Territory:
    async with uow:
        if territory.id in await repo.all_territories(uow.session):
            raise ConflictError(f"territory {territory.id} already exists; use PUT /v1/territories/{territory.id}")
        saved = await upsert_territory(uow, territory)
        await uow.commit()
        return saved


@command
async def set_members(uow: UnitOfWork, territory_id: str, rep_ids: list[str]) -> Territory:
    async with uow:
        territory = await repo.get_territory(uow.session, territory_id, lock=True)
        saved = await upsert_territory(uow, replace(territory, rep_ids=tuple(rep_ids)))
        await uow.commit()
        return saved


@command
async def delete_territory(uow: UnitOfWork, territory_id: str) -> None:
    async with uow:
        await repo.get_territory(uow.session, territory_id, lock=True)  # a 404 when unknown; locks the row
        known = await repo.all_territories(uow.session)
        children = sorted(t.id for t in known.values() if t.parent_id == territory_id)
        if children:
            raise ConflictError(f"territory {territory_id} still has child territories: {', '.join(children)}")
        await repo.remove_territory(uow.session, territory_id)
        await uow.emit("coxswain.territory.deleted.v1", subject=territory_id,
                       data=ev.TerritoryDeleted(territory_id=territory_id))
        await uow.commit()
