"""Writes of the live projection: the deal row, its aggregate-row deltas, win records and cycle statistics."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.forecast.db.models import (
    age_rows,
    cycle_stats,
    deal_stage_visits,
    forecast_deals,
    stage_records,
    stage_rows,
    totals_rows,
)
from services.forecast.domain.cells import AGES, STAGES, TOTALS, Cell
from services.forecast.domain.deals import DealState
from shared.crediting import splits_of
from shared.db.upsert import insert_for

_KEYS = ("period", "dimension", "group_id", "currency")
LAYOUT: dict[str, tuple[Table, tuple[str, ...], tuple[str, ...]]] = {
    TOTALS: (totals_rows, (*_KEYS, "bucket"), ("amount", "weighted", "deals")),
    STAGES: (stage_rows, (*_KEYS, "pipeline_id", "stage_id"), ("amount", "deals")),
    AGES: (age_rows, (*_KEYS, "week"), ("amount", "amount_days")),
}
WHOLE = {"deals"}


async def load_deal(session: AsyncSession, deal_id: str) -> DealState | None:
    row = (await session.execute(select(forecast_deals).where(forecast_deals.c.deal_id == deal_id))).first()
    return deal_of(dict(row._mapping)) if row else None


def deal_of(row: Mapping[str, Any]) -> DealState:
    return DealState(**{**row, "splits": splits_of(row["splits"], None)})


async def save_deal(session: AsyncSession, deal: DealState) -> None:
    values = {**asdict(deal), "splits": [[rep, str(percent)] for rep, percent in deal.splits]}
    stmt = insert_for(session, forecast_deals).values(values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["deal_id"], set_=values))


def row_of(cell: Cell) -> dict[str, Any]:
    table, keys, measures = LAYOUT[cell.kind]
    row: dict[str, Any] = dict(zip(keys, cell.key, strict=True))
    for name, value in zip(measures, cell.measures, strict=True):
        row[name] = int(value) if name in WHOLE else value
    return row


async def add_cells(session: AsyncSession, cells: Sequence[Cell]) -> None:
    """Add each cell's measures to its row (created at zero when new): one statement per kind of row."""
    for kind, (table, keys, measures) in LAYOUT.items():
        rows = [row_of(c) for c in cells if c.kind == kind]
        if not rows:
            continue
        stmt = insert_for(session, table)
        stmt = stmt.on_conflict_do_update(index_elements=list(keys),
                                          set_={m: table.c[m] + stmt.excluded[m] for m in measures})
        await session.execute(stmt, rows)


async def remember_stage(session: AsyncSession, deal: DealState) -> None:
    """The deal has been in this stage (counted when it closes) and the stage's probability (the prior)."""
    await session.execute(insert_for(session, deal_stage_visits).values(
        deal_id=deal.deal_id, pipeline_id=deal.pipeline_id, stage_id=deal.stage_id).on_conflict_do_nothing())
    stmt = insert_for(session, stage_records).values(pipeline_id=deal.pipeline_id, stage_id=deal.stage_id,
                                                     probability=deal.probability, wins=0, losses=0)
    await session.execute(stmt.on_conflict_do_update(index_elements=["pipeline_id", "stage_id"],
                                                     set_={"probability": deal.probability}))


async def count_outcome(session: AsyncSession, deal: DealState, sign: int) -> None:
    """A closed deal counts once (sign +1) in every stage it went through; reopening takes it out (−1)."""
    column = "wins" if deal.status == "won" else "losses"
    stages = (await session.execute(select(deal_stage_visits.c.pipeline_id, deal_stage_visits.c.stage_id).where(
        deal_stage_visits.c.deal_id == deal.deal_id))).all()
    for pipeline_id, stage_id in stages:
        await session.execute(stage_records.update().where(
            stage_records.c.pipeline_id == pipeline_id, stage_records.c.stage_id == stage_id).values(
            {column: stage_records.c[column] + sign}))
    if deal.cycle_days is not None:
        days = sign * deal.cycle_days
        stmt = insert_for(session, cycle_stats).values(scope="all", won_deals=sign, cycle_days=days)
        await session.execute(stmt.on_conflict_do_update(index_elements=["scope"], set_={
            "won_deals": cycle_stats.c.won_deals + sign, "cycle_days": cycle_stats.c.cycle_days + days}))
