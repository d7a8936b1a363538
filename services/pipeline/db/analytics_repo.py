"""Summary rows: incremented in the deal's own transaction, read by the analytics queries (no deal scans)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.pipeline.db.models import deal_outcomes, funnel_counts, open_deals, stage_dwell
from services.pipeline.domain.analytics import Effects
from shared.db.upsert import insert_for


async def _add(session: AsyncSession, table: Table, rows: list[dict[str, object]], counters: tuple[str, ...]) -> None:
    for row in rows:  # a handful per change: one upsert each, adding to the counters
        stmt = insert_for(session, table).values(row)
        keys = [c.name for c in table.primary_key.columns]
        await session.execute(stmt.on_conflict_do_update(
            index_elements=keys, set_={c: table.c[c] + stmt.excluded[c] for c in counters}))


async def apply_effects(session: AsyncSession, effects: Effects) -> None:
    await _add(session, funnel_counts, [vars(s) for s in effects.funnel], ("reached",))
    await _add(session, stage_dwell, [{**vars(d), "deals": 1} for d in effects.dwell], ("deals", "seconds"))
    await _add(session, deal_outcomes, [vars(o) for o in effects.outcomes],
               ("won", "lost", "won_amount", "cycle_seconds"))
    await _add(session, open_deals, [vars(o) for o in effects.open], ("deals", "amount"))


# Every reader takes the slices to sum: a parent team's figures are its own and its sub-teams' (a deal is kept
# under its owner's team only, so the slices never count one deal twice).


async def reached_by_stage(session: AsyncSession, pipeline_id: str, months: list[str],
                           scope: list[str]) -> dict[str, int]:
    query = (select(funnel_counts.c.stage_id, func.sum(funnel_counts.c.reached))
             .where(funnel_counts.c.pipeline_id == pipeline_id, funnel_counts.c.month.in_(months),
                    funnel_counts.c.scope.in_(scope)).group_by(funnel_counts.c.stage_id))
    return {stage: int(n) for stage, n in await session.execute(query)}


async def dwell_histograms(session: AsyncSession, pipeline_id: str, months: list[str],
                           scope: list[str]) -> dict[str, list[tuple[int, int, int]]]:
    query = (select(stage_dwell.c.stage_id, stage_dwell.c.days, func.sum(stage_dwell.c.deals),
                    func.sum(stage_dwell.c.seconds))
             .where(stage_dwell.c.pipeline_id == pipeline_id, stage_dwell.c.month.in_(months),
                    stage_dwell.c.scope.in_(scope)).group_by(stage_dwell.c.stage_id, stage_dwell.c.days))
    out: dict[str, list[tuple[int, int, int]]] = {}
    for stage, days, deals, seconds in await session.execute(query):
        out.setdefault(stage, []).append((int(days), int(deals), int(seconds)))
    return out


@dataclass(frozen=True)
class Closes:
    """One currency's closes in the months asked: counts, the won amount, summed seconds creation → closed-won."""

    won: int = 0
    lost: int = 0
    won_amount: Decimal = Decimal(0)
    cycle_seconds: int = 0


@dataclass(frozen=True)
class OpenNow:
    """One currency's open deals now."""

    deals: int = 0
    amount: Decimal = Decimal(0)


async def outcomes(session: AsyncSession, pipeline_id: str, months: list[str], scope: list[str]) -> dict[str, Closes]:
    """Per currency: won, lost, won amount, summed seconds from creation to closed-won."""
    c = deal_outcomes.c
    query = (select(c.currency, func.sum(c.won), func.sum(c.lost), func.sum(c.won_amount), func.sum(c.cycle_seconds))
             .where(c.pipeline_id == pipeline_id, c.month.in_(months), c.scope.in_(scope)).group_by(c.currency))
    return {cur: Closes(int(w), int(lo), Decimal(a), int(s)) for cur, w, lo, a, s in await session.execute(query)}


async def open_gauge(session: AsyncSession, pipeline_id: str, scope: list[str]) -> dict[str, OpenNow]:
    c = open_deals.c
    query = (select(c.currency, func.sum(c.deals), func.sum(c.amount))
             .where(c.pipeline_id == pipeline_id, c.scope.in_(scope)).group_by(c.currency))
    return {cur: OpenNow(int(n), Decimal(a)) for cur, n, a in await session.execute(query)}
