"""Territory's real event handlers (services.territory.handlers.EVENT_HANDLERS) driven through
EventDispatcher.dispatch_many in batches, against a fresh PostgreSQL database per run.

    .venv/bin/python bench/territory_handlers.py [--leads 1000] [--deals 1000] [--batch 500] [--repeats 3]
        [--pg postgresql://coxswain:coxswain@127.0.0.1:56432/coxswain_test] [--profile out.pstats]

A realistic log: leads created (routed), assigned, moved through statuses; deals created, moved through
stages, updated, closed, some reopened and closed again; quotas set. Each aggregate's events in order, the
aggregates interleaved at random (seeded), the leads' and the deals' topics in separate runs as the consumer
fetches them. Prints events/s and ms per event of each run, the median, and the same for a one-row projection
(an upsert per event through the same dispatcher) measured in the same run as the ratio's baseline.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import random
import statistics
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
from pydantic import BaseModel
from sqlalchemy import Column, MetaData, String, Table
from sqlalchemy.engine import make_url

from services.territory.commands import organisation
from services.territory.db.models import metadata
from services.territory.domain.territories import Rep, Team, build_territory
from services.territory.handlers import EVENT_HANDLERS
from shared.clock import FixedClock
from shared.db.engine import make_engine, make_session_factory
from shared.db.plumbing import plumbing_metadata
from shared.db.uow import UnitOfWork
from shared.db.upsert import insert_for
from shared.events import CloudEvent, encode_event
from shared.events import catalog as ev
from shared.messaging.dispatch import EventDispatcher
from shared.observability.metrics import ServiceMetrics
from shared.testing import build_event

COUNTRIES = ["DE", "FR", "GB", "US", "ES"]
STATUSES = ["new", "contacted", "qualified", "converted"]
START = datetime(2026, 10, 1, 9, tzinfo=UTC)
CLOCK = FixedClock(datetime(2026, 11, 15, 12, tzinfo=UTC))
METRICS = ServiceMetrics("territory_bench")

one_row = MetaData()
projection = Table("one_row", one_row, Column("id", String(64), primary_key=True), Column("v", String(64)))


def _event(event_type: str, data: BaseModel, subject: str, seq: int, minutes: int) -> CloudEvent:
    return build_event(event_type, data, subject=subject, sequence=seq, time=START + timedelta(minutes=minutes))


def lead_log(n: int, rng: random.Random) -> list[list[CloudEvent]]:
    out = []
    for i in range(n):
        lid, t = f"lead-{i:06d}", rng.randrange(60_000)
        country = rng.choice(COUNTRIES)
        rep = f"rep-{country}-{rng.randrange(10)}"
        at = [START + timedelta(minutes=t + k * 30) for k in range(5)]
        steps = [("coxswain.lead.created.v1", ev.LeadCreated(lead_id=lid, country=country, company=f"c{i}",
                                                              employee_count=rng.randrange(1, 5000), created_at=at[0])),
                 ("coxswain.lead.assigned.v1", ev.LeadAssigned(lead_id=lid, rep_id=rep, territory_id=country.lower(),
                                                                assigned_at=at[1], reason="routed"))]
        for k, (a, b) in enumerate(zip(STATUSES, STATUSES[1:rng.randrange(2, 4)], strict=False)):
            steps.append(("coxswain.lead.status_changed.v1",
                          ev.LeadStatusChanged(lead_id=lid, from_status=a, to_status=b, changed_at=at[2 + k])))
        out.append([_event(ty, data, lid, s + 1, t + s) for s, (ty, data) in enumerate(steps)])
    return out


def deal_log(n: int, rng: random.Random) -> list[list[CloudEvent]]:
    out = []
    for i in range(n):
        did, t = f"deal-{i:06d}", rng.randrange(60_000)
        owner = f"rep-{rng.choice(COUNTRIES)}-{rng.randrange(10)}"
        amount = Decimal(rng.randrange(1_000, 90_000))
        at = [START + timedelta(minutes=t + k * 60) for k in range(10)]
        steps: list[tuple[str, BaseModel]] = [("coxswain.deal.created.v1", ev.DealCreated(
            deal_id=did, name=did, amount=amount, currency="EUR", owner_id=owner, pipeline_id="p", stage_id="s1",
            probability=10, forecast_category="pipeline", lead_id=f"lead-{i:06d}", created_at=at[0]))]
        for k in range(1, 4):
            steps.append(("coxswain.deal.stage_changed.v1", ev.DealStageChanged(
                deal_id=did, from_stage_id=f"s{k}", to_stage_id=f"s{k + 1}", probability=10 + 20 * k,
                forecast_category="pipeline", amount=amount, currency="EUR", owner_id=owner, changed_at=at[k])))
        amount += 500
        steps.append(("coxswain.deal.updated.v1", ev.DealUpdated(deal_id=did, amount=amount, updated_at=at[4])))
        outcome = "won" if rng.random() < 0.6 else "lost"
        steps.append(("coxswain.deal.closed.v1", ev.DealClosed(
            deal_id=did, outcome=outcome, amount=amount, currency="EUR", owner_id=owner, created_at=at[0],
            closed_at=at[5])))
        if rng.random() < 0.1:
            steps.append(("coxswain.deal.reopened.v1", ev.DealReopened(deal_id=did, stage_id="s4", reopened_at=at[6])))
            steps.append(("coxswain.deal.closed.v1", ev.DealClosed(
                deal_id=did, outcome="won", amount=amount, currency="EUR", owner_id=owner, created_at=at[0],
                closed_at=at[7])))
        out.append([_event(ty, data, did, s + 1, t + s) for s, (ty, data) in enumerate(steps)])
    return out


def quota_log() -> list[list[CloudEvent]]:
    return [[_event("coxswain.quota.set.v1", ev.QuotaSet(rep_id=f"rep-{c}-{r}", period=p, amount=Decimal(50_000 + k),
                                                         currency="EUR"), f"rep-{c}-{r}", k + 1, k)
             for k, p in enumerate(["2026-Q4", "2026-11", "2026-Q4"])] for c in COUNTRIES for r in range(10)]


def interleave(streams: list[list[CloudEvent]], rng: random.Random) -> list[bytes]:
    """Every aggregate's events in order, the aggregates mixed at random."""
    pending = [list(reversed(s)) for s in streams]
    out = []
    while pending:
        k = rng.randrange(len(pending))
        out.append(encode_event(pending[k].pop()))
        if not pending[k]:
            pending[k] = pending[-1]
            pending.pop()
    return out


async def _database(admin_dsn: str) -> tuple[str, str]:
    name = f"bench_territory_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name, make_url(admin_dsn).set(drivername="postgresql+asyncpg", database=name).render_as_string(False)


async def _drop(admin_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _organisation(uow: UnitOfWork) -> None:
    await organisation.create_team(uow, Team("emea", "EMEA", None, None))
    for c in COUNTRIES:
        for r in range(10):
            await organisation.create_rep(uow, Rep(f"rep-{c}-{r}", f"Rep {c} {r}", f"{c}{r}@corp.example", "emea",
                                                   True, 3 + r % 4 * 40))
        await organisation.create_territory(uow, build_territory(c.lower(), {
            "name": c, "rep_ids": [f"rep-{c}-{r}" for r in range(10)],
            "rules": [{"conditions": [{"field": "country", "op": "eq", "value": c}]}]}))
    await organisation.create_territory(uow, build_territory("rest", {"name": "Rest", "is_default": True}))


async def _one_row(event: CloudEvent, uow: UnitOfWork) -> None:
    stmt = insert_for(uow.session, projection).values(id=event.subject, v=str(event.id))
    await uow.session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_={"v": stmt.excluded.v}))


async def run_once(admin_dsn: str, batches: Sequence[Sequence[bytes]], *, baseline: bool,
                   profile: cProfile.Profile | None = None) -> float:
    """Seconds to dispatch every batch into a fresh database (the organisation set up first, not timed)."""
    name, url = await _database(admin_dsn)
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            for schema in (plumbing_metadata, metadata, one_row):
                await conn.run_sync(schema.create_all)
        sessions = make_session_factory(engine)

        def units() -> UnitOfWork:
            return UnitOfWork(sessions, service="territory", clock=CLOCK)

        await _organisation(units())
        handlers = {t: _one_row for t in EVENT_HANDLERS} if baseline else EVENT_HANDLERS
        dispatcher = EventDispatcher("territory-bench", handlers, units, metrics=METRICS)
        if profile:
            profile.enable()
        start = time.perf_counter()
        for batch in batches:
            outcomes = await dispatcher.dispatch_many(batch)
            assert all(o.kind == "handled" for o in outcomes), {o.kind for o in outcomes}
        seconds = time.perf_counter() - start
        if profile:
            profile.disable()
        return seconds
    finally:
        await engine.dispose()
        await _drop(admin_dsn, name)


def batches_of(log: list[bytes], size: int) -> list[list[bytes]]:
    return [log[i:i + size] for i in range(0, len(log), size)]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pg", default="postgresql://coxswain:coxswain@127.0.0.1:56432/coxswain_test")
    parser.add_argument("--profile", help="write a cProfile of the last run of the real handlers here")
    parser.add_argument("--only", choices=["leads", "deals"], help="one topic's events only")
    args = parser.parse_args()
    rng = random.Random(14)
    leads = interleave(lead_log(args.leads, rng), rng) if args.only != "deals" else []
    deals = interleave(deal_log(args.deals, rng) + quota_log(), rng) if args.only != "leads" else []
    batches = batches_of(leads, args.batch) + batches_of(deals, args.batch)
    n = len(leads) + len(deals)
    print(f"{n} events ({len(leads)} lead, {len(deals)} deal/quota) in batches of {args.batch}")
    real, base = [], []
    for k in range(args.repeats):
        profile = cProfile.Profile() if args.profile and k == args.repeats - 1 else None
        real.append(await run_once(args.pg, batches, baseline=False, profile=profile))
        base.append(await run_once(args.pg, batches, baseline=True))
        print(f"run {k + 1}: handlers {n / real[-1]:8.0f} ev/s ({1000 * real[-1] / n:.3f} ms/ev)   "
              f"one-row {n / base[-1]:8.0f} ev/s")
        if profile:
            profile.dump_stats(args.profile)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    r, b = statistics.median(real), statistics.median(base)
    print(f"median: handlers {n / r:.0f} ev/s ({1000 * r / n:.3f} ms/ev); one-row projection {n / b:.0f} ev/s; "
          f"ratio {b / r:.3f}")


if __name__ == "__main__":
    asyncio.run(main())
