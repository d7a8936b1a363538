"""The writes of a batch of captured leads (an import sheet's chunk, or one lead from the API or a CRM), one
statement per table: the new leads in one COPY (PostgreSQL) or executemany, the stored leads it merged into
in one executemany after locking and checking them, the merge records in one executemany."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.leads.db.models import lead_merges, leads
from services.leads.db.repository import columns
from services.leads.domain.leads import Lead
from shared.db.types import UtcDateTime
from shared.errors import StaleWrite

_COLUMNS = tuple(c.name for c in leads.columns)


async def add_leads(session: AsyncSession, new: Sequence[Lead], *, version: int | None = None) -> None:
    """New leads in one statement (stored at `version` when given): COPY on PostgreSQL, in the session's
    transaction; executemany elsewhere."""
    if not new:
        return
    rows = [columns(lead) for lead in new]
    if version is not None:
        for row in rows:
            row["version"] = version
    if session.get_bind().dialect.name != "postgresql":
        await session.execute(insert(leads), rows)
        return
    for row in rows:  # COPY takes the column's wire form: JSON as text, times already aware UTC
        row["score_explanation"] = json.dumps(row["score_explanation"])
        for name in _TIMES:
            if row[name] is not None and row[name].tzinfo is None:
                raise ValueError("naive datetime: Coxswain stores aware UTC only")
    driver = (await (await session.connection()).get_raw_connection()).driver_connection
    assert driver is not None
    await driver.copy_records_to_table("leads", columns=_COLUMNS, records=[
        tuple(row[c] for c in _COLUMNS) for row in rows])


_TIMES = tuple(c.name for c in leads.columns if isinstance(c.type, UtcDateTime))


async def save_merged(session: AsyncSession, merged: Sequence[tuple[Lead, int]]) -> None:
    """Stored leads a batch merged into, each with the version it was read at: the rows are locked and
    checked first (a lead changed meanwhile is a conflict, as in `save_lead`), then updated in one executemany."""
    if not merged:
        return
    ids = [lead.id for lead, _ in merged]
    rows = await session.execute(select(leads.c.id, leads.c.version).where(leads.c.id.in_(ids)).with_for_update())
    found = {r.id: r.version for r in rows}
    for lead, version in merged:
        if found.get(lead.id) != version:
            raise StaleWrite(f"lead {lead.id} was changed by someone else meanwhile; reload it and retry")
    stmt = update(leads).where(leads.c.id == bindparam("_id"))  # SET every column the parameters name
    await session.execute(stmt, [{**columns(lead), "_id": lead.id} for lead, _ in merged])


async def record_merge(session: AsyncSession, lead_id: str, at: datetime, origin: str, matched_on: str,
                       filled: dict[str, Any]) -> None:
    await session.execute(insert(lead_merges).values(lead_id=lead_id, merged_at=at, origin=origin,
                                                     matched_on=matched_on, filled=filled))


async def record_merges(session: AsyncSession, at: datetime, origin: str,
                        merges: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
    """Many `record_merge`s in one executemany: (lead id, matched on, the blanks filled)."""
    if merges:
        await session.execute(insert(lead_merges), [
            {"lead_id": lead_id, "merged_at": at, "origin": origin, "matched_on": matched_on, "filled": filled}
            for lead_id, matched_on, filled in merges])
