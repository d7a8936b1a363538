"""Writes of the live projection: the deal row, its aggregate-row deltas, win records and cycle statistics."""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Table, bindparam, select
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


# Set-based writes for a run of deal events (commands.project_deals): one query per table to load what the run
# needs, one statement per table to write its net effect; rows in key order (the same lock order everywhere).

async def load_deals(session: AsyncSession, deal_ids: Collection[str]) -> dict[str, DealState]:
    if not deal_ids:
        return {}
    stmt = select(forecast_deals).where(forecast_deals.c.deal_id.in_(sorted(deal_ids)))
    return {row.deal_id: deal_of(dict(row._mapping)) for row in (await session.execute(stmt)).all()}


async def load_visits(session: AsyncSession, deal_ids: Collection[str]) -> dict[str, set[tuple[str, str]]]:
    """The stages each of these deals has been seen in."""
    out: dict[str, set[tuple[str, str]]] = {}
    if not deal_ids:
        return out
    t = deal_stage_visits
    stmt = select(t.c.deal_id, t.c.pipeline_id, t.c.stage_id).where(t.c.deal_id.in_(sorted(deal_ids)))
    for deal_id, pipeline_id, stage_id in (await session.execute(stmt)).all():
        out.setdefault(deal_id, set()).add((pipeline_id, stage_id))
    return out


def _deal_row(deal: DealState) -> dict[str, Any]:
    return {**asdict(deal), "splits": [[rep, str(percent)] for rep, percent in deal.splits]}


async def save_deals(session: AsyncSession, deals: Sequence[DealState]) -> None:
    if not deals:
        return
    stmt = insert_for(session, forecast_deals)
    columns = [c.name for c in forecast_deals.c if c.name != "deal_id"]
    stmt = stmt.on_conflict_do_update(index_elements=["deal_id"], set_={c: stmt.excluded[c] for c in columns})
    await session.execute(stmt, [_deal_row(d) for d in sorted(deals, key=lambda d: d.deal_id)])


async def add_visits(session: AsyncSession, visits: Sequence[tuple[str, str, str]]) -> None:
    if visits:
        await session.execute(insert_for(session, deal_stage_visits).on_conflict_do_nothing(), [
            {"deal_id": d, "pipeline_id": p, "stage_id": s} for d, p, s in sorted(visits)])


async def add_stage_records(session: AsyncSession, probability: Mapping[tuple[str, str], int],
                            outcomes: Mapping[tuple[str, str], Sequence[int]]) -> None:
    """Stages seen in the run take their last stated probability (created with no record when new); every
    stage's wins and losses move by the run's net outcomes."""
    t = stage_records
    if probability:
        stmt = insert_for(session, t)
        stmt = stmt.on_conflict_do_update(index_elements=["pipeline_id", "stage_id"], set_={
            "probability": stmt.excluded.probability, "wins": t.c.wins + stmt.excluded.wins,
            "losses": t.c.losses + stmt.excluded.losses})
        await session.execute(stmt, [
            {"pipeline_id": p, "stage_id": s, "probability": probability[(p, s)],
             "wins": outcomes.get((p, s), (0, 0))[0], "losses": outcomes.get((p, s), (0, 0))[1]}
            for p, s in sorted(probability)])
    rest = sorted(k for k in outcomes if k not in probability)
    if rest:  # stages seen before the run: their rows exist
        await session.execute(
            t.update().where(t.c.pipeline_id == bindparam("p"), t.c.stage_id == bindparam("s")).values(
                wins=t.c.wins + bindparam("dw"), losses=t.c.losses + bindparam("dl")),
            [{"p": p, "s": s, "dw": outcomes[(p, s)][0], "dl": outcomes[(p, s)][1]} for p, s in rest])


async def add_cycles(session: AsyncSession, won_deals: int, days: int) -> None:
    stmt = insert_for(session, cycle_stats).values(scope="all", won_deals=won_deals, cycle_days=days)
    await session.execute(stmt.on_conflict_do_update(index_elements=["scope"], set_={
        "won_deals": cycle_stats.c.won_deals + won_deals, "cycle_days": cycle_stats.c.cycle_days + days}))
