"""Reads for the forecast: aggregate rows summed over a period's months, win records, cycle statistics."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.forecast.db.models import cycle_stats, stage_records
from services.forecast.db.projection import LAYOUT
from services.forecast.domain.ages import FUTURE, OLD, YOUNG, AgeBands
from services.forecast.domain.cells import AGES
from services.forecast.domain.methods import Record, StageRecord


async def period_records(session: AsyncSession, months: list[str], dimension: str,
                         kinds: tuple[str, ...] = tuple(LAYOUT), bands: AgeBands | None = None) -> list[Record]:
    """The aggregate rows (of these kinds) of the dimension in these months, summed per group, currency, detail
    (creation weeks summed into their age bands when `bands` is given)."""
    out: list[Record] = []
    for kind in kinds:
        table, keys, measures = LAYOUT[kind]
        detail: list[Any] = [table.c[k] for k in keys[4:]]
        stmt = select(table.c.group_id, table.c.currency).where(table.c.period.in_(months),
                                                                table.c.dimension == dimension)
        if kind == AGES and bands is not None:
            detail = [_banded(table.c.week, bands)]
            stmt = stmt.where(table.c.week <= bands.today)  # weeks not yet begun count nothing (ages.FUTURE)
        stmt = stmt.add_columns(*detail, *(func.sum(table.c[m]) for m in measures)).group_by(
            table.c.group_id, table.c.currency, *detail)
        for row in (await session.execute(stmt)).all():
            values = tuple(row)
            sums = tuple(_exact(v, m) for v, m in zip(values[2 + len(detail):], measures, strict=True))
            out.append((kind, values[0], values[1], tuple(values[2:2 + len(detail)]), sums))
    return out


def _banded(week: Any, bands: AgeBands) -> Any:
    return case((week <= bands.old_upto, OLD), (and_(week >= bands.young_from, week <= bands.young_upto), YOUNG),
                (week > bands.today, FUTURE), else_=week).label("band")


def _exact(value: object, measure: str) -> Decimal:
    """SUM keeps the column's type (ExactDecimal reads it back exactly on both dialects); counts are integers."""
    return Decimal(0) if value is None else Decimal(cast(Decimal, value))  # a Decimal or an int, as read


async def stage_book(session: AsyncSession) -> dict[tuple[str, str], StageRecord]:
    rows = (await session.execute(select(stage_records))).all()
    return {(r.pipeline_id, r.stage_id): StageRecord(r.probability, r.wins, r.losses) for r in rows}


async def won_cycles(session: AsyncSession) -> tuple[int, int]:
    row = (await session.execute(select(cycle_stats).where(cycle_stats.c.scope == "all"))).first()
    return (row.cycle_days, row.won_deals) if row else (0, 0)

