"""Money stays exact and times stay aware UTC on SQLite (PostgreSQL is covered by the integration tests)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, select
from sqlalchemy.exc import StatementError

from shared.db.engine import make_engine
from shared.db.types import ExactDecimal, UtcDateTime

meta = MetaData()
ledger = Table("ledger", meta, Column("id", Integer, primary_key=True),
               Column("amount", ExactDecimal(20, 2)), Column("at", UtcDateTime()))


async def _engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'types.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(meta.create_all)
    return engine


async def test_sums_of_cents_are_exact(tmp_path: Path) -> None:
    engine = await _engine(tmp_path)
    async with engine.begin() as conn:
        # 0.10 + 0.20 + 0.70 is 1.00 exactly; in binary floating point it is 0.9999999999999999.
        await conn.execute(ledger.insert(), [{"amount": Decimal(v)} for v in ("0.10", "0.20", "0.70")])
        total = (await conn.execute(select(func.sum(ledger.c.amount)))).scalar_one()
        rows = (await conn.execute(select(ledger.c.amount).order_by(ledger.c.id))).scalars().all()
    assert total == Decimal("1.00") and isinstance(total, Decimal)
    assert rows == [Decimal("0.10"), Decimal("0.20"), Decimal("0.70")]
    await engine.dispose()


async def test_more_decimal_places_than_the_column_holds_are_refused(tmp_path: Path) -> None:
    engine = await _engine(tmp_path)
    with pytest.raises(StatementError, match="more than 2 decimal places"):
        async with engine.begin() as conn:
            await conn.execute(ledger.insert().values(amount=Decimal("1.005")))
    await engine.dispose()


async def test_times_come_back_aware_in_utc_and_naive_times_are_refused(tmp_path: Path) -> None:
    engine = await _engine(tmp_path)
    cet = timezone(timedelta(hours=1))
    async with engine.begin() as conn:
        await conn.execute(ledger.insert().values(at=datetime(2026, 11, 2, 10, 30, tzinfo=cet)))
        stored = (await conn.execute(select(ledger.c.at))).scalar_one()
    assert stored == datetime(2026, 11, 2, 9, 30, tzinfo=UTC) and stored.tzinfo is not None
    with pytest.raises(StatementError, match="naive datetime"):
        async with engine.begin() as conn:
            await conn.execute(ledger.insert().values(at=datetime(2026, 11, 2, 9, 30)))
    await engine.dispose()
