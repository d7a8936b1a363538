"""Per-event commission cost with 10,000 reps and 1,000,000 paid credits and lines, against an empty ledger, same run.

    .venv/bin/python bench/commission.py [--reps 10000] [--lines 1000000] [--events 200] [--rounds 5]
        [--batch-events 1000] [--batch-sizes 100,500] [--batch-on both|loaded] [--mix] [--profile 1,500]

Two fresh PostgreSQL databases get the same plan (marginal tiers, a per-period cap, a SPIF) assigned to
every rep, each rep a quota. One is then bulk-loaded (COPY) with `--lines` won deals, their paid credits and
their ledger lines, spread over the reps and four quarters. Each round sends the same `--events` won deals (two reps,
60/40) through the real handler, one unit of work each, to both; prints the median per-event time of each
and the ratio loaded/empty.

Batched mode (`--batch-events` > 0): each round, on both databases, `--batch-events` further won deals go through
the consumer's EventDispatcher (inbox, stale checks, the registered batch handler) one at a time (`dispatch`,
one transaction each) and, for each of `--batch-sizes`, in batches (`dispatch_many`, one transaction per
batch), each time new deals; prints the median per-event cost and events/s of each and the ratio to one at a
time. `--profile 1,500` profiles a run at each of those batch sizes on the loaded ledger and prints its top.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import logging
import os
import pstats
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from services.compensation import handlers
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
MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "compensation" / "migrations"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
QUARTERS = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
TERMS = {"currency": "USD", "period_kind": "quarter", "cap_per_period": "500000.00", "components": [
    {"kind": "tiers", "name": "quota", "mode": "marginal",
     "tiers": [{"from": "0", "rate": "0.08"}, {"from": "100", "rate": "0.12"}]},
    {"kind": "spif", "name": "big", "amount": "250.00", "criteria": {"min_amount": "50000.00"}}]}


async def create_database() -> tuple[str, str]:
    name = f"bench_commission_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(ADMIN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = make_url(ADMIN).set(database=name)
    return name, url.render_as_string(hide_password=False)


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def seed_plan(conn: asyncpg.Connection, reps: int) -> None:
    await conn.execute("INSERT INTO plans VALUES ('bench', 'Bench plan', $1)", NOW)
    await conn.execute("INSERT INTO plan_versions VALUES ('bench', 1, $1, $2, $3)",
                       date(2026, 1, 1), json.dumps(TERMS), NOW)
    await conn.copy_records_to_table("plan_assignments", columns=["plan_id", "rep_id", "starts_on", "created_at"],
                                     records=[("bench", f"rep-{i}", date(2026, 1, 1), NOW) for i in range(reps)])
    await conn.copy_records_to_table("quotas", records=[
        (f"rep-{i}", q, Decimal("400000.00"), "USD", NOW) for i in range(reps) for q in QUARTERS])


async def load_ledger(conn: asyncpg.Connection, reps: int, lines: int) -> None:
    """`lines` paid credits, each a won deal of 1,000.00 closed in one of four quarters with the one line the
    plan pays on it (1,000 at 8% = 80.00, well below quota), so a recalculation of a loaded rep-period finds
    the ledger already equal to its calculation and appends only what the new deal changes."""
    batch = 100_000
    for start in range(0, lines, batch):
        idx = range(start, min(start + batch, lines))
        await conn.copy_records_to_table("deals", records=[
            (f"old-{i}", "won", Decimal("1000.00"), "USD", f"rep-{i % reps}", json.dumps([[f"rep-{i % reps}", "100"]]),
             _closed_in(QUARTERS[i % 4], i), "[]", 0, NOW) for i in idx])
        await conn.copy_records_to_table("credits", records=[
            (f"old-{i}", f"rep-{i % reps}", 1, "paid", None, Decimal("100.000000"), Decimal("1000.00"), "USD",
             QUARTERS[i % 4], "bench", 1, NOW) for i in idx])
        await conn.copy_records_to_table("commission_lines", columns=[
            "rep_id", "deal_id", "period", "quota_period", "component", "kind", "base", "rate", "amount", "currency",
            "tier", "plan_id", "plan_version", "credit_no", "source_event_id", "created_at"], records=[
            (f"rep-{i % reps}", f"old-{i}", QUARTERS[i % 4], QUARTERS[i % 4], "quota", "commission", Decimal("1000.00"),
             Decimal("0.08"), Decimal("80.00"), "USD", "0-100%", "bench", 1, 1, f"seed-{i}", NOW) for i in idx])
    await conn.execute("ANALYZE")


def _closed_in(quarter: str, i: int) -> datetime:
    """Before the new deals (10 November) in Q4, so they are calculated after the loaded ones."""
    month = 3 * int(quarter[-1]) - 2
    return datetime(2026, month, 1 + i % 28, 9, tzinfo=UTC)


def won_deals(n: int, reps: int, seed: int) -> list[ev.DealClosed]:
    rng = random.Random(seed)
    at = datetime(2026, 11, 10, 9, tzinfo=UTC)
    out = []
    for i in range(n):
        a, b = rng.sample(range(reps), 2)
        out.append(ev.DealClosed(
            deal_id=f"new-{seed}-{i}", outcome="won", amount=Decimal(rng.randrange(1_000, 120_000)), currency="USD",
            owner_id=f"rep-{a}", created_at=at, closed_at=at,
            splits=[ev.Split(rep_id=f"rep-{a}", percent=Decimal(60)),
                    ev.Split(rep_id=f"rep-{b}", percent=Decimal(40))]))
    return out


async def per_event_ms(url: str, deals: list[ev.DealClosed]) -> float:
    """Median milliseconds per won deal, handler + commit, as the dispatcher runs it (each one recalculates the
    two reps' quarters from their credits and appends the difference)."""
    engine = make_engine(url.replace("postgresql://", "postgresql+asyncpg://"))
    sessions = make_session_factory(engine)
    times = []
    try:
        for deal in deals:
            event = build_event("coxswain.deal.closed.v1", deal, subject=deal.deal_id)
            uow = UnitOfWork(sessions, service="compensation", clock=FixedClock(NOW))
            start = time.perf_counter()
            async with uow:
                await handlers.EVENT_HANDLERS[event.type](event, uow)
                await uow.commit()
            times.append(time.perf_counter() - start)
    finally:
        await engine.dispose()
    return statistics.median(times) * 1000


def encoded(deals: list[ev.DealClosed], mix: bool = False, seed: int = 0) -> list[bytes]:
    """The deals' closes; with `mix`, a deal's life after it too (amount changed on 30%, reopened on 10% and
    half of those closed won again), each deal's events in order, interleaved with the other deals' closes."""
    rng = random.Random(seed)
    at = datetime(2026, 11, 12, 9, tzinfo=UTC)
    out: list[tuple[float, bytes]] = []
    for i, d in enumerate(deals):
        life: list[tuple[str, Any]] = [("coxswain.deal.closed.v1", d)]
        if mix and rng.random() < 0.3:
            life.append(("coxswain.deal.updated.v1", ev.DealUpdated(
                deal_id=d.deal_id, amount=d.amount + 1000, updated_at=at)))
        if mix and rng.random() < 0.1:
            life.append(("coxswain.deal.reopened.v1", ev.DealReopened(
                deal_id=d.deal_id, stage_id="negotiation", reopened_at=at)))
            if rng.random() < 0.5:
                life.append(("coxswain.deal.closed.v1", d))
        place = float(i)
        for n, (event_type, data) in enumerate(life):  # each later event some deals further on
            place += rng.uniform(1, 50) if n else 0
            out.append((place, encode_event(
                build_event(event_type, data, subject=d.deal_id, sequence=n + 1))))
    return [raw for _, raw in sorted(out, key=lambda x: x[0])]


class _Fallbacks(logging.Handler):
    """Counts batches the dispatcher handled one by one after a failure (the numbers would not be batched)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += "fell back to one-by-one" in record.getMessage()


async def dispatched_s(url: str, raws: list[bytes], batch: int, profile: cProfile.Profile | None = None) -> float:
    """Seconds to take `raws` through the consumer's dispatcher, `batch` at a time (1: `dispatch`, one
    transaction per event; more: `dispatch_many`, one transaction per batch)."""
    engine = make_engine(url.replace("postgresql://", "postgresql+asyncpg://"))
    sessions = make_session_factory(engine)
    dispatcher = EventDispatcher("bench-compensation", handlers.EVENT_HANDLERS,
                                 lambda: UnitOfWork(sessions, service="compensation", clock=FixedClock(NOW)),
                                 metrics=ServiceMetrics("bench"))
    fallbacks = _Fallbacks()
    logging.getLogger("coxswain.consumer").addHandler(fallbacks)
    logging.getLogger("coxswain.consumer").setLevel(logging.INFO)
    try:
        if profile:
            profile.enable()
        start = time.perf_counter()
        for i in range(0, len(raws), batch):
            chunk = raws[i:i + batch]
            outcomes = [await dispatcher.dispatch(chunk[0])] if batch == 1 else await dispatcher.dispatch_many(chunk)
            assert all(o.kind == "handled" for o in outcomes), outcomes
        elapsed = time.perf_counter() - start
        if profile:
            profile.disable()
    finally:
        await engine.dispose()
        logging.getLogger("coxswain.consumer").removeHandler(fallbacks)
    assert fallbacks.count == 0, f"{fallbacks.count} batches fell back to one-by-one handling"
    return elapsed


async def batched(args: argparse.Namespace, urls: dict[str, str]) -> None:
    """One at a time against each batch size, same deals' shape, new deals each run, same databases."""
    sizes = [1, *(int(x) for x in args.batch_sizes.split(","))]
    seconds: dict[tuple[str, int], list[float]] = {(db, n): [] for db in urls for n in sizes}  # per event
    for r in range(args.rounds):
        for db, url in urls.items():
            for n in sizes:
                seed = 10_000 * (r + 1) + n
                raws = encoded(won_deals(args.batch_events, args.reps, seed), args.mix, seed)
                seconds[(db, n)].append(await dispatched_s(url, raws, n) / len(raws))  # per event
    events = len(raws)  # the last run's (with --mix each run's differs a little)
    what = "deals' lives (close, 30% amount change, 10% reopen, half of those re-closed)" if args.mix else "won deals"
    print(f"batched mode: {args.batch_events} {what}, {events} events per run through EventDispatcher, "
          f"rounds={args.rounds}")
    for db in urls:
        one = statistics.median(seconds[(db, 1)])
        for n in sizes:
            med = statistics.median(seconds[(db, n)])
            how = "dispatch (one at a time)" if n == 1 else f"dispatch_many batch={n}"
            print(f"{db:6} ledger {how:26} median {med * 1000:6.2f} ms/event {1 / med:8.0f} events/s  "
                  f"x{one / med:.1f} vs one at a time  "
                  f"(runs ms/event: {', '.join(f'{x * 1000:.2f}' for x in seconds[(db, n)])})")


async def profiled(args: argparse.Namespace, url: str, size: int) -> None:
    profile = cProfile.Profile()
    events = args.batch_events if size > 1 else min(args.batch_events, 100)
    await dispatched_s(url, encoded(won_deals(events, args.reps, seed=99_999 + size)), size, profile)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(15)
        print(f"cProfile, loaded ledger, {events} events in batches of {size}, by {order}:")
        print(out.getvalue())


async def prepare(reps: int, lines: int) -> tuple[str, str, float]:
    name, url = await create_database()
    await upgrade_to_head(MIGRATIONS, url.replace("postgresql://", "postgresql+asyncpg://"), "compensation")
    conn = await asyncpg.connect(url)
    start = time.perf_counter()
    try:
        await seed_plan(conn, reps)
        if lines:
            await load_ledger(conn, reps, lines)
    finally:
        await conn.close()
    return name, url, time.perf_counter() - start


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch-events", type=int, default=1000)
    parser.add_argument("--batch-sizes", default="100,500")
    parser.add_argument("--mix", action="store_true", help="batched mode: deals' lives, not only closes")
    parser.add_argument("--batch-on", choices=("both", "loaded"), default="both")
    parser.add_argument("--profile", default="", help="batch sizes to profile a run of, e.g. 1,500")
    args = parser.parse_args()
    empty_name, empty_url, _ = await prepare(args.reps, 0)
    loaded_name, loaded_url, load_s = await prepare(args.reps, args.lines)
    try:
        empty, loaded = [], []
        for r in range(args.rounds):
            deals = won_deals(args.events, args.reps, seed=r)
            empty.append(await per_event_ms(empty_url, deals))
            loaded.append(await per_event_ms(loaded_url, deals))
        med_e, med_l = statistics.median(empty), statistics.median(loaded)
        print(f"reps={args.reps} preloaded_lines={args.lines} events/round={args.events} rounds={args.rounds} "
              f"(bulk load {load_s:.1f}s)")
        print(f"empty ledger:  median {med_e:.2f} ms/event  (rounds: {', '.join(f'{x:.2f}' for x in empty)})")
        print(f"loaded ledger: median {med_l:.2f} ms/event  (rounds: {', '.join(f'{x:.2f}' for x in loaded)})")
        print(f"ratio loaded/empty: {med_l / med_e:.2f}x")
        if args.batch_events:
            urls = {"loaded": loaded_url} if args.batch_on == "loaded" else {"empty": empty_url, "loaded": loaded_url}
            await batched(args, urls)
        for size in filter(None, args.profile.split(",")):
            await profiled(args, loaded_url, int(size))
    finally:
        await drop_database(empty_name)
        await drop_database(loaded_name)


if __name__ == "__main__":
    asyncio.run(main())
