"""INSERT ... ON CONFLICT for the two dialects we run on (both support it; SQLAlchemy spells it per dialect)."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


def insert_for(bind: AsyncSession | AsyncConnection, table: Table) -> Any:
    dialect = (bind.dialect if isinstance(bind, AsyncConnection) else bind.get_bind().dialect).name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def next_counter(session: AsyncSession, table: Table, key_column: str, key: str, counter: str) -> int:
    """Atomically increment a per-key counter row and return the new value (row lock on PostgreSQL)."""
    stmt = insert_for(session, table).values({key_column: key, counter: 1})
    stmt = stmt.on_conflict_do_update(
        index_elements=[key_column], set_={counter: table.c[counter] + 1}
    ).returning(table.c[counter])
    return int((await session.execute(stmt)).scalar_one())


async def next_counters(session: AsyncSession, table: Table, key_column: str, keys: Collection[str],
                        counter: str) -> dict[str, int]:
    """next_counter for many keys in one statement (rows locked in key order, so two callers wait, not deadlock)."""
    if not keys:
        return {}
    stmt = insert_for(session, table).values([{key_column: key, counter: 1} for key in sorted(set(keys))])
    stmt = stmt.on_conflict_do_update(
        index_elements=[key_column], set_={counter: table.c[counter] + 1}
    ).returning(table.c[key_column], table.c[counter])
    return {key: int(value) for key, value in await session.execute(stmt)}
