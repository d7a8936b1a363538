"""Tables for a rebuild: which are kept (source of truth), copying them across, comparing the projections.

A projection is compared on what it says, not on how it was written: surrogate autoincrement ids (the order
rows happened to be inserted in) and `updated_at` stamps (when the row was written) are left out.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.plumbing import idempotency_keys, outbox, subject_sequences
from shared.runtime import ServiceSpec
from shared.webhooks_out.tables import webhook_deliveries, webhook_subscriptions

# Written by the service itself, never derivable from what it consumed: what it has published (and will
# publish), the sequence counters of its own aggregates, the answers it owes to retried requests, and the
# partners' webhook subscriptions with their delivery log.
KEPT_PLUMBING = (outbox, subject_sequences, idempotency_keys, webhook_subscriptions, webhook_deliveries)
WRITE_STAMPS = frozenset({"updated_at"})
COPY_CHUNK = 5000
SAMPLES = 3


def projection_tables(spec: ServiceSpec) -> list[Table]:
    unknown = set(spec.projections) - set(spec.metadata.tables)
    if unknown:
        raise ValueError(f"{spec.name} declares projections it has no table for: {', '.join(sorted(unknown))}")
    return [t for t in spec.metadata.sorted_tables if t.name in spec.projections]


def kept_tables(spec: ServiceSpec) -> list[Table]:
    return [t for t in spec.metadata.sorted_tables if t.name not in spec.projections] + list(KEPT_PLUMBING)


async def copy_tables(source: AsyncEngine, target: AsyncEngine, tables: Sequence[Table]) -> int:
    """Replace the target's rows of these tables with the source's, in one transaction; returns rows copied."""
    copied = 0
    async with source.connect() as reading, target.begin() as writing:
        for table in reversed(tables):
            await writing.execute(table.delete())
        for table in tables:
            result = await reading.stream(select(table))
            async for chunk in result.mappings().partitions(COPY_CHUNK):
                await writing.execute(table.insert(), [dict(row) for row in chunk])
                copied += len(chunk)
            if writing.dialect.name == "postgresql":
                await _continue_ids(writing, table)
    return copied


async def _continue_ids(conn: Any, table: Table) -> None:
    """Rows copied with their ids do not move PostgreSQL's sequence: set it past them."""
    column = table.autoincrement_column
    if column is None:
        return
    await conn.execute(text(
        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
        f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"))


@dataclass(frozen=True)
class TableComparison:
    table: str
    live_rows: int
    rebuilt_rows: int
    live_checksum: str
    rebuilt_checksum: str
    only_live: list[dict[str, Any]] = field(default_factory=list)  # a few samples of each side
    only_rebuilt: list[dict[str, Any]] = field(default_factory=list)
    differing_rows: int = 0

    @property
    def same(self) -> bool:
        return self.live_checksum == self.rebuilt_checksum


async def compare_tables(live: AsyncEngine, rebuilt: AsyncEngine, tables: Sequence[Table]) -> list[TableComparison]:
    out = []
    for table in tables:
        live_rows, rebuilt_rows = await _rows(live, table), await _rows(rebuilt, table)
        only_live, only_rebuilt = live_rows - rebuilt_rows, rebuilt_rows - live_rows
        out.append(TableComparison(
            table.name, live_rows.total(), rebuilt_rows.total(), _checksum(live_rows), _checksum(rebuilt_rows),
            [json.loads(r) for r in list(only_live)[:SAMPLES]], [json.loads(r) for r in list(only_rebuilt)[:SAMPLES]],
            only_live.total() + only_rebuilt.total()))
    return out


async def _rows(engine: AsyncEngine, table: Table) -> Counter[str]:
    columns = [c for c in table.columns if c is not table.autoincrement_column and c.name not in WRITE_STAMPS]
    rows: Counter[str] = Counter()
    async with engine.connect() as conn:
        result = await conn.stream(select(*columns))
        async for row in result.mappings():
            rows[json.dumps(dict(row), sort_keys=True, default=_canonical)] += 1
    return rows


def _canonical(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _checksum(rows: Counter[str]) -> str:
    """Independent of row order: the digest of the sorted rows."""
    digest = hashlib.sha256()
    for row in sorted(rows.elements()):
        digest.update(row.encode())
        digest.update(b"\n")
    return digest.hexdigest()[:12]
