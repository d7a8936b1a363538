"""Per-event forecast update cost and forecast query latency with 10,000 and with 1,000,000 deals, same run.

    .venv/bin/python bench/forecast_update.py [--small 10000] [--large 1000000] [--events 300] [--queries 30]
        [--batch 500] [--batches 5]

Two fresh PostgreSQL databases are bulk-loaded (COPY) with `--small` and `--large` deals: 200 reps in 20
teams under 4 regions, 50 territories, 2,000 companies, one pipeline of five stages, expected close dates
over 2025-2026 and creation dates up to 180 days before them. The aggregate rows are folded in memory by the
same domain code the live projection uses (cells_of) and copied in. Then, on each database:
- per-event cost: `--events` deal.stage_changed / deal.updated / deal.closed events on random deals,
  each through the real EventDispatcher (inbox, stale check, handler, one transaction each); median;
- per-event cost in batches: `--batches` batches of `--batch` such events, each through
  EventDispatcher.dispatch_many (one transaction, the batch handlers get the run at once); median ÷ batch;
- query latency: the forecast of one quarter (2026-Q2) grouped by rep and by team, by the weighted and the
  cycle-length methods (the reading code behind GET /v1/forecasts, without HTTP); median of `--queries`.
Prints each median and the ratio large/small (aim: close to 1).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from services.forecast import handlers
from services.forecast.db.projection import LAYOUT, row_of
from services.forecast.domain.cells import Cell, cells_of, fold
from services.forecast.domain.deals import DealState
from services.forecast.domain.methods import MethodSettings
from services.forecast.domain.periods import FiscalCalendar
from services.forecast.queries.forecasts import Question, forecast_lines
from shared.clock import FixedClock
from shared.db.engine import make_engine, make_session_factory
from shared.db.migrate import upgrade_to_head
from shared.db.uow import UnitOfWork
from shared.events import catalog as ev
from shared.events import encode_event
from shared.messaging.dispatch import EventDispatcher
from shared.observability.metrics import ServiceMetrics
from shared.testing import build_event

ADMIN = os.environ.get("COXSWAIN_TEST_PG_DSN", "postgresql://coxswain:coxswain@127.0.0.1:55432/coxswain_test")
MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "forecast" / "migrations"
NOW = datetime(2026, 5, 15, 12, tzinfo=UTC)
STAGES = (("s1", 10, "pipeline"), ("s2", 30, "best_case"), ("s3", 60, "most_likely"), ("s4", 80, "commit"),
          ("s5", 90, "commit"))
DEAL_COLUMNS = ("deal_id", "version", "owner_id", "amount", "currency", "pipeline_id", "stage_id", "probability",
                "category", "created_at", "company", "territory_id", "expected_close_date", "status", "closed_at")


def make_deal(i: int, rng: random.Random) -> DealState:
    close = date(2025, 1, 1) + timedelta(days=rng.randrange(730))
    stage, probability, category = rng.choice(STAGES)
    won = rng.random() < 0.2
    return DealState(
        deal_id=f"d{i}", version=1, owner_id=f"rep-{rng.randrange(200)}", amount=Decimal(rng.randrange(1_000, 200_000)),
        currency="USD", pipeline_id="p1", stage_id=stage, probability=probability, category=category,
        created_at=datetime.combine(close - timedelta(days=rng.randrange(1, 180)), datetime.min.time(), UTC),
        company=f"company-{rng.randrange(2000)}", territory_id=f"t-{rng.randrange(50)}", expected_close_date=close,
        status="won" if won else "open", closed_at=datetime.combine(close, datetime.min.time(), UTC) if won else None)


async def create_database() -> tuple[str, str]:
    name = f"bench_forecast_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(ADMIN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name, make_url(ADMIN).set(database=name).render_as_string(hide_password=False)


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def bulk_load(dsn: str, count: int, seed: int) -> list[DealState]:
    rng = random.Random(seed)
    deals = [make_deal(i, rng) for i in range(count)]
    rows = fold(cell for d in deals for cell in cells_of(d))
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table("forecast_deals", columns=DEAL_COLUMNS, records=[
            tuple(getattr(d, c) for c in DEAL_COLUMNS) for d in deals])
        await conn.copy_records_to_table("deal_stage_visits", records=[(d.deal_id, "p1", d.stage_id) for d in deals])
        for kind, (table, keys, measures) in LAYOUT.items():
            records = [row_of(Cell(k, key, m)) for (k, key), m in rows.items() if k == kind]
            await conn.copy_records_to_table(table.name, columns=[*keys, *measures],
                                             records=[tuple(r[c] for c in (*keys, *measures)) for r in records])
        await conn.executemany("INSERT INTO stage_records VALUES ('p1', $1, $2, 40, 60)",
                               [(s, p) for s, p, _ in STAGES])
        await conn.execute("INSERT INTO cycle_stats VALUES ('all', 1000, 90000)")
        await conn.executemany("INSERT INTO teams VALUES ($1, $1, NULL, $2)",
                               [(f"region-{r}", None) for r in range(4)] +
                               [(f"team-{t}", f"region-{t % 4}") for t in range(20)])
        await conn.executemany("INSERT INTO reps VALUES ($1, $1, $2, true)",
                               [(f"rep-{r}", f"team-{r % 20}") for r in range(200)])
        await conn.execute("VACUUM ANALYZE")  # settled, as autovacuum leaves it: the visibility map set
    finally:
        await conn.close()
    return deals


def events_for(deals: list[DealState], count: int, seed: int) -> list[bytes]:
    """Stage moves, amount changes and closes on random open deals, each at the deal's next version."""
    rng, out = random.Random(seed), []
    open_deals = [d for d in deals if d.status == "open"]
    for n, deal in enumerate(rng.sample(open_deals, count)):
        seq, at = deal.version + 1, NOW
        if n % 3 == 0:
            stage, probability, category = rng.choice(STAGES)
            data: object = ev.DealStageChanged(
                deal_id=deal.deal_id, from_stage_id=deal.stage_id, to_stage_id=stage, probability=probability,
                forecast_category=category, amount=deal.amount, currency="USD", owner_id=deal.owner_id,  # type: ignore
                expected_close_date=deal.expected_close_date, changed_at=at, pipeline_id="p1")
            kind = "coxswain.deal.stage_changed.v1"
        elif n % 3 == 1:
            data, kind = ev.DealUpdated(deal_id=deal.deal_id, amount=deal.amount + 500, currency="USD"), \
                "coxswain.deal.updated.v1"
        else:
            data = ev.DealClosed(deal_id=deal.deal_id, outcome="won", amount=deal.amount, currency="USD",
                                 owner_id=deal.owner_id, created_at=deal.created_at, closed_at=at)
            kind = "coxswain.deal.closed.v1"
        out.append(encode_event(build_event(kind, data, subject=deal.deal_id, sequence=seq)))  # type: ignore
    return out


async def median_ms(action: Callable[[], Awaitable[object]], times: int) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def measure(url: str, deals: list[DealState], args: argparse.Namespace, metrics: ServiceMetrics) -> dict:
    engine = make_engine(url.replace("postgresql://", "postgresql+asyncpg://"))
    sessions = make_session_factory(engine)
    clock = FixedClock(NOW)
    dispatcher = EventDispatcher("bench-forecast", handlers.EVENT_HANDLERS,
                                 lambda: UnitOfWork(sessions, service="forecast", clock=clock), metrics=metrics)
    out: dict[str, float] = {}
    raws = iter(events_for(deals, args.events + 20 + args.batch * args.batches, seed=7))
    for _ in range(20):  # warm-up
        await dispatcher.dispatch(next(raws))
    out["per event"] = await median_ms(lambda: dispatcher.dispatch(next(raws)), args.events)
    if args.batches:
        async def batch() -> object:
            return await dispatcher.dispatch_many([next(raws) for _ in range(args.batch)])

        out[f"per event, batches of {args.batch}"] = await median_ms(batch, args.batches) / args.batch
    for group_by in ("rep", "team"):
        for method in ("weighted", "cycle_length"):
            q = Question("2026-Q2", group_by, NOW, FiscalCalendar(), MethodSettings(), method=method)

            async def query(q: Question = q) -> object:
                async with sessions() as session:
                    return await forecast_lines(session, q)

            await query()
            out[f"query {group_by}/{method}"] = await median_ms(query, args.queries)
    await engine.dispose()
    return out


async def main(args: argparse.Namespace) -> None:
    metrics, results, names = ServiceMetrics("forecast-bench"), {}, []
    try:
        for size in (args.small, args.large):
            name, url = await create_database()
            names.append(name)
            await upgrade_to_head(MIGRATIONS, url.replace("postgresql://", "postgresql+asyncpg://"), "forecast")
            start = time.perf_counter()
            deals = await bulk_load(url, size, seed=size)
            print(f"{size:>9,} deals loaded in {time.perf_counter() - start:.1f}s", flush=True)
            results[size] = await measure(url, deals, args, metrics)
            del deals
    finally:
        for name in names:
            await drop_database(name)
    print(f"\n{'median ms':<28}{args.small:>12,}{args.large:>12,}{'ratio':>8}")
    for key in results[args.small]:
        small, large = results[args.small][key], results[args.large][key]
        print(f"{key:<28}{small:>12.2f}{large:>12.2f}{large / small:>8.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--batch", type=int, default=500, help="events per dispatch_many (the consumer's batch)")
    parser.add_argument("--batches", type=int, default=5, help="batches timed (0: none)")
    asyncio.run(main(parser.parse_args()))
