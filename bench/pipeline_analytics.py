"""Pipeline analytics query latency at 10,000 and 1,000,000 deals, against a plain SQL scan, in one run.

    .venv/bin/python bench/pipeline_analytics.py [--sizes 10000,1000000] [--repeat 30]

Needs PostgreSQL (`make infra-up`; COXSWAIN_TEST_PG_DSN or the default test DSN). For each size it loads
synthetic deals (COPY) and the summary rows the service would have kept for them (computed in bulk here,
loaded with COPY), then times the funnel query exactly as GET /v1/analytics/funnel runs it (summary rows
for one pipeline, one quarter, all deals) and the same entered-per-stage figure by a plain scan of `deals`.
Prints load times, medians, and the ratios largest/smallest size for both and scan/summary at each size.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from services.pipeline.db import analytics_repo
from services.pipeline.domain import figures
from services.pipeline.domain.periods import months_in
from services.pipeline.domain.pipelines import default_pipeline
from shared.db.engine import make_engine, make_session_factory
from shared.db.migrate import upgrade_to_head

ADMIN = os.environ.get("COXSWAIN_TEST_PG_DSN", "postgresql://coxswain:coxswain@127.0.0.1:55432/coxswain_test")
PIPE = default_pipeline(datetime(2026, 1, 1, tzinfo=UTC))
CHAIN = [s.id for s in PIPE.stages if s.kind != "lost"]  # 4 open stages then closed_won (positions 1..5)
PERIOD = "2026-Q2"
YEAR = datetime(2026, 1, 1, tzinfo=UTC)


def synthetic_deal(i: int, rnd: random.Random) -> tuple[tuple[object, ...], list[str], int, str, list[int]]:
    """One deal row, its scopes, how far it got (1..5), its status, and its whole days in each stage left."""
    created = YEAR + timedelta(minutes=rnd.randrange(365 * 24 * 60))
    furthest = 1
    while furthest < 5 and rnd.random() < 0.6:
        furthest += 1
    status = "won" if furthest == 5 else ("lost" if rnd.random() < 0.5 else "open")
    owner, team, territory = f"rep-{i % 200}", f"team-{i % 20}", f"terr-{i % 50}"
    stage = CHAIN[furthest - 1] if status != "lost" else "closed_lost"
    amount = Decimal(rnd.randrange(1_000, 100_000))
    row = (f"d{i:08d}", f"Deal {i}", None, amount, "USD", owner, team, territory, "default", stage,
           0, "pipeline", None, None, None, None, "[]", status, None, None, created, created, None, furthest, 1)
    scopes = ["all", f"rep:{owner}", f"team:{team}", f"territory:{territory}"]
    dwells = [rnd.randrange(31) for _ in range(min(furthest, 4) - (status == "open"))]
    return row, scopes, furthest, status, dwells


def generate(start: int, stop: int, rnd: random.Random, funnel: Counter[tuple[str, ...]],
             dwell: Counter[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Deals start..stop, adding what each contributes to the summary counters."""
    rows = []
    for i in range(start, stop):
        row, scopes, furthest, _, dwells = synthetic_deal(i, rnd)
        rows.append(row)
        month = f"2026-{row[20].month:02d}"  # type: ignore[attr-defined]
        for scope in scopes:
            for stage in CHAIN[:furthest]:
                funnel[(month, scope, stage)] += 1
            for stage, days in zip(CHAIN, dwells, strict=False):
                dwell[(month, scope, stage, days)] += 1
    return rows


async def load(conn: asyncpg.Connection, n: int, chunk: int = 100_000) -> float:
    """COPY the deals in chunks (bounded memory), then the summary rows they add up to."""
    started = time.perf_counter()
    rnd, funnel, dwell = random.Random(n), Counter(), Counter()  # type: ignore[var-annotated]
    await conn.execute("TRUNCATE deals, funnel_counts, stage_dwell")
    columns = [r["attname"] for r in await conn.fetch(
        "SELECT attname FROM pg_attribute WHERE attrelid = 'deals'::regclass AND attnum > 0 ORDER BY attnum")]
    for start in range(0, n, chunk):
        rows = generate(start, min(n, start + chunk), rnd, funnel, dwell)
        await conn.copy_records_to_table("deals", records=rows, columns=columns)
    await conn.copy_records_to_table("funnel_counts", columns=["pipeline_id", "month", "scope", "stage_id", "reached"],
                                     records=[("default", m, sc, st, c) for (m, sc, st), c in funnel.items()])
    await conn.copy_records_to_table(
        "stage_dwell", columns=["pipeline_id", "month", "scope", "stage_id", "days", "deals", "seconds"],
        records=[("default", m, sc, st, d, c, c * d * 86400 + c * 3600) for (m, sc, st, d), c in dwell.items()])
    await conn.execute("ANALYZE")
    return time.perf_counter() - started


async def funnel_from_summaries(sessions: object) -> list[int]:
    """What GET /v1/analytics/funnel does: two summary reads and the arithmetic."""
    months = months_in(PERIOD)
    async with sessions() as session:  # type: ignore[operator]
        reached = await analytics_repo.reached_by_stage(session, "default", months, "all")
        dwell = await analytics_repo.dwell_histograms(session, "default", months, "all")
    stages = figures.funnel(PIPE, reached)
    _ = [figures.dwell(dwell.get(s.stage_id, [])) for s in stages]
    return [s.entered for s in stages]


SCAN = """SELECT furthest_position, count(*) FROM deals
          WHERE pipeline_id = 'default' AND created_at >= $1 AND created_at < $2
          GROUP BY furthest_position"""


async def funnel_by_scan(conn: asyncpg.Connection) -> list[int]:
    """The same entered-per-stage figure by reading every deal of the pipeline."""
    by_position = dict(await conn.fetch(SCAN, datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)))
    return [sum(c for p, c in by_position.items() if p >= k) for k in range(1, 6)]


async def median_ms(probe: object, repeat: int) -> tuple[float, object]:
    timings, answer = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        answer = await probe()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), answer


async def measure(url: str, dsn: str, sizes: list[int], repeat: int) -> dict[int, tuple[float, float]]:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    conn = await asyncpg.connect(dsn)
    out = {}
    try:
        for n in sizes:
            print(f"{n:>9,} deals: loaded in {await load(conn, n):.1f} s", flush=True)
            summary, a = await median_ms(lambda: funnel_from_summaries(sessions), repeat)
            scan, b = await median_ms(lambda: funnel_by_scan(conn), max(3, repeat // 5))
            assert a == b, f"summary rows {a} and scan {b} disagree"
            print(f"{'':>11} funnel {PERIOD} entered per stage {a}: summary rows median {summary:.2f} ms, "
                  f"plain scan median {scan:.2f} ms (scan/summary {scan / summary:.1f}x)", flush=True)
            out[n] = (summary, scan)
    finally:
        await conn.close()
        await engine.dispose()
    return out


async def main(sizes: list[int], repeat: int) -> None:
    name = f"bench_pipeline_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = make_url(ADMIN).set(database=name)
    url = base.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    try:
        await upgrade_to_head(Path("services/pipeline/migrations"), url, "pipeline")
        out = await measure(url, base.render_as_string(hide_password=False), sizes, repeat)
        small, large = out[sizes[0]], out[sizes[-1]]
        print(f"ratio {sizes[-1]:,}/{sizes[0]:,} deals: summary rows {large[0] / small[0]:.2f} "
              f"(aim ~1), plain scan {large[1] / small[1]:.2f}")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(main([int(s) for s in args.sizes.split(",")], args.repeat))
