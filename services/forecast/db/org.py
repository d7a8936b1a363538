"""Local copies of the organisation (reps, teams, territories) and of quotas, from their owners' events."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.forecast.db.models import quotas, reps, teams, territories
from services.forecast.domain.report import Organisation
from shared.db.upsert import insert_for


async def _upsert(session: AsyncSession, table: Table, keys: list[str], values: dict[str, Any]) -> None:
    stmt = insert_for(session, table).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=values))


async def upsert_rep(session: AsyncSession, rep_id: str, name: str, team_id: str | None, active: bool) -> None:
    await _upsert(session, reps, ["rep_id"], dict(rep_id=rep_id, name=name, team_id=team_id, active=active))


async def upsert_team(session: AsyncSession, team_id: str, name: str, manager_rep_id: str | None,
                      parent_team_id: str | None) -> None:
    await _upsert(session, teams, ["team_id"], dict(team_id=team_id, name=name, manager_rep_id=manager_rep_id,
                                                    parent_team_id=parent_team_id))


async def upsert_territory(session: AsyncSession, territory_id: str, name: str, parent_id: str | None,
                           rep_ids: list[str], deleted: bool = False) -> None:
    await _upsert(session, territories, ["territory_id"], dict(
        territory_id=territory_id, name=name, parent_id=parent_id, rep_ids=json.dumps(sorted(rep_ids)),
        deleted=deleted))


async def delete_territory(session: AsyncSession, territory_id: str) -> None:
    await session.execute(territories.update().where(territories.c.territory_id == territory_id).values(deleted=True))


async def set_quota(session: AsyncSession, rep_id: str, period: str, amount: Decimal, currency: str) -> None:
    await _upsert(session, quotas, ["rep_id", "period"], dict(rep_id=rep_id, period=period, amount=amount,
                                                              currency=currency))


async def team_of_reps(session: AsyncSession) -> dict[str, str | None]:
    return {r.rep_id: r.team_id for r in (await session.execute(select(reps.c.rep_id, reps.c.team_id))).all()}


async def team_parents(session: AsyncSession) -> dict[str, str | None]:
    rows = (await session.execute(select(teams.c.team_id, teams.c.parent_team_id))).all()
    return {r.team_id: r.parent_team_id for r in rows}


async def territory_tree(session: AsyncSession) -> tuple[dict[str, str | None], dict[str, list[str]]]:
    """Parent of each live territory, and its reps."""
    rows = (await session.execute(select(territories).where(territories.c.deleted.is_(False)))).all()
    return {r.territory_id: r.parent_id for r in rows}, {r.territory_id: json.loads(r.rep_ids) for r in rows}


async def quotas_in(session: AsyncSession, periods: set[str]) -> dict[str, dict[str, tuple[Decimal, str]]]:
    """rep → period → quota, for these periods."""
    out: dict[str, dict[str, tuple[Decimal, str]]] = {}
    for r in (await session.execute(select(quotas).where(quotas.c.period.in_(periods)))).all():
        out.setdefault(r.rep_id, {})[r.period] = (r.amount, r.currency)
    return out


async def organisation(session: AsyncSession) -> Organisation:
    """Today's organisation: each rep's team, the team tree and the live territory tree with its reps."""
    parents, territory_reps = await territory_tree(session)
    return Organisation(await team_of_reps(session), await team_parents(session), parents, territory_reps)
