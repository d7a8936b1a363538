"""Local copies of the organisation (reps, teams, territories) and of quotas, from their owners' events."""
from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.forecast.db.models import quotas, reps, teams, territories
from services.forecast.domain.organisation import OrgRows
from services.forecast.domain.report import Organisation
from shared.db.upsert import insert_for


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


async def _upsert_all(session: AsyncSession, table: Table, keys: list[str], rows: list[dict[str, Any]]) -> None:
    """Rows (one per key) inserted or replaced in one statement, in key order."""
    if not rows:
        return
    stmt = insert_for(session, table)
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_={
        c.name: stmt.excluded[c.name] for c in table.c if c.name not in keys})
    await session.execute(stmt, sorted(rows, key=lambda r: tuple(r[k] for k in keys)))


async def save_org_rows(session: AsyncSession, rows: OrgRows) -> None:
    """A run's organisation and quota rows, one statement per table."""
    await _upsert_all(session, reps, ["rep_id"], [asdict(r) for r in rows.reps.values()])
    await _upsert_all(session, teams, ["team_id"], [asdict(t) for t in rows.teams.values()])
    await _upsert_all(session, territories, ["territory_id"], [
        {**asdict(t), "rep_ids": json.dumps(sorted(t.rep_ids))} for t in rows.territories.values()])
    if rows.gone:
        await session.execute(territories.update().where(territories.c.territory_id.in_(sorted(rows.gone))).values(
            deleted=True))
    await _upsert_all(session, quotas, ["rep_id", "period"], [asdict(q) for q in rows.quotas.values()])
