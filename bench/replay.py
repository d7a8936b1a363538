"""A service's real handlers replaying a realistic event log into PostgreSQL, against a one-row projection.

    .venv/bin/python bench/replay.py --service forecast [--events 1000000] [--batch 500] [--rounds 3] [--limit K]
                                     [--seed 14] [--pg postgresql://...] [--profile out.prof]

The log is bench/event_log.py's (generated once per --events/--seed, cached in /tmp). Each round:
1. a fresh PostgreSQL database (unique name, dropped after), migrated with the service's own migrations
   (its SPEC from shared/operations/installed.py);
2. what the service needs before events mean anything: compensation a plan assigned to every rep of the log
   with a quota per quarter, territory the log's organisation (teams, reps, territories) through its commands,
   leads the log's leads as rows (what its API or CSV import would have stored; lead.routed assigns them);
3. the log's records of the types the service consumes (SPEC.handlers; the others its dispatcher would ignore)
   through the service's real EventDispatcher with dispatch_many in batches of --batch, timed;
4. the baseline, in a fresh database of its own migrated the same way: the same records through an
   EventDispatcher whose only handler, for each of those types, is a one-row projection (one upsert per event).
Prints consumed events, outcomes, events/s for both (median over rounds) and the ratio real/baseline (the median
of each round's ratio).
Needs PostgreSQL (dev infrastructure: 127.0.0.1:56432, or COXSWAIN_TEST_PG_DSN).
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import pstats
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import asyncpg
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.event_log import Record, cached_log, read  # noqa: E402
from shared.clock import SystemClock  # noqa: E402
from shared.db.engine import make_engine, make_session_factory  # noqa: E402
from shared.db.migrate import upgrade_to_head  # noqa: E402
from shared.db.plumbing import outbox  # noqa: E402
from shared.db.uow import UnitOfWork  # noqa: E402
from shared.events import CloudEvent, decode_event  # noqa: E402
from shared.events import catalog as ev  # noqa: E402
from shared.messaging.dispatch import EventDispatcher, Handler  # noqa: E402
from shared.observability.metrics import ServiceMetrics  # noqa: E402
from shared.operations.installed import installed_service  # noqa: E402
from shared.runtime import ServiceSpec  # noqa: E402

PG = os.environ.get("COXSWAIN_TEST_PG_DSN", "postgresql://coxswain:coxswain@127.0.0.1:56432/coxswain_test")
SERVICES = ("leads", "pipeline", "forecast", "compensation", "territory")
CLOCK = SystemClock()
projection_meta = MetaData()
projection = Table("bench_projection", projection_meta, Column("subject", String(200), primary_key=True),
                   Column("type", String(100), nullable=False), Column("sequence", Integer, nullable=False))
# The plan the compensation tests use (tests/compensation): marginal tiers, 10% to quota and 15% above it.
PLAN = {"currency": "USD", "period_kind": "quarter", "components": [
    {"kind": "tiers", "name": "quota", "mode": "marginal",
     "tiers": [{"from": "0", "rate": "0.10"}, {"from": "100", "rate": "0.15"}]}]}


class FallbackCounter(logging.Handler):
    """Counts the batches the dispatcher gave up on and handled one event at a time (a batch handler that
    failed): the bench would otherwise time the slow path without saying so."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.batches = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "fell back to one-by-one" in record.getMessage():
            self.batches += 1
            if self.batches == 1:
                print(f"warning: {record.getMessage()}", file=sys.stderr)


FALLBACKS = FallbackCounter()


async def project_one_row(event: CloudEvent, uow: UnitOfWork) -> None:
    """The baseline handler: one upsert per event."""
    stmt = insert(projection).values(subject=event.subject, type=event.type, sequence=event.sequence)
    stmt = stmt.on_conflict_do_update(index_elements=["subject"],
                                      set_={"type": stmt.excluded.type, "sequence": stmt.excluded.sequence})
    await uow.session.execute(stmt)


class Database:
    """A fresh database on the server of `dsn`, dropped on exit."""

    def __init__(self, dsn: str, label: str) -> None:
        self.dsn, self.name = dsn, f"bench_replay_{label}_{uuid.uuid4().hex[:8]}"
        self.url = make_url(dsn).set(drivername="postgresql+asyncpg", database=self.name).render_as_string(
            hide_password=False)

    async def __aenter__(self) -> Database:
        await self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    async def _admin(self, statement: str) -> None:
        conn = await asyncpg.connect(make_url(self.dsn).set(drivername="postgresql").render_as_string(
            hide_password=False))
        try:
            await conn.execute(statement)
        finally:
            await conn.close()


def _batches(records: Iterator[Record], size: int, limit: int | None) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for n, record in enumerate(records):
        if limit is not None and n == limit:
            break
        batch.append(record.value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _prepare(service: str, spec: ServiceSpec, log: Path, units: Callable[[], UnitOfWork]) -> None:
    """What the service needs before the log's events mean anything (made through its own commands)."""
    if service == "compensation":
        from services.compensation.commands import plans
        reps = sorted({decode_event(r.value).data.rep_id for r in read(log, {"coxswain.rep.upserted.v1"})})
        await plans.create_plan(units(), plans.CreatePlan("ae", "AE", date(2026, 1, 1), PLAN))
        for rep in reps:
            await plans.assign_plan(units(), plans.AssignPlan("ae", rep, date(2026, 1, 1), None))
        for quota in read(log, {"coxswain.quota.set.v1"}):
            data: ev.QuotaSet = decode_event(quota.value).data
            await plans.set_quota(units(), plans.SetQuota(data.rep_id, data.period, data.amount, data.currency))
    elif service == "leads":
        # Leads' own leads (captured through its API or import, not from events): the rows lead.routed assigns.
        from services.leads.db.models import leads
        rows: list[dict[str, object]] = []
        for record in read(log, {"coxswain.lead.created.v1"}):
            lead: ev.LeadCreated = decode_event(record.value).data
            rows.append({
                "id": lead.lead_id, "email": lead.email, "name": lead.name, "name_key": (lead.name or "").lower(),
                "company": lead.company, "title": lead.title, "country": lead.country, "industry": lead.industry,
                "employee_count": lead.employee_count, "source": lead.source, "activity_count": 0, "status": "new",
                "score": lead.score or 0, "score_explanation": {}, "sla_breaches": 0, "merged_count": 0,
                "created_at": lead.created_at, "updated_at": lead.created_at, "version": 1})
            if len(rows) == 5000:
                await _insert(units, leads, rows)
                rows = []
        await _insert(units, leads, rows)
    elif service == "territory":
        from services.territory.commands import organisation
        from services.territory.domain.rules import Condition, Rule
        from services.territory.domain.territories import Rep, Team, Territory
        org_types = {"coxswain.team.upserted.v1", "coxswain.rep.upserted.v1", "coxswain.territory.upserted.v1"}
        for record in read(log, org_types):
            data = decode_event(record.value).data
            if isinstance(data, ev.TeamUpserted):
                await organisation.upsert_team(units(), Team(data.team_id, data.name, None, data.parent_team_id))
            elif isinstance(data, ev.RepUpserted):
                await organisation.upsert_rep(units(), Rep(data.rep_id, data.name, data.email, data.team_id,
                                                           data.active, data.capacity, tuple(data.segments)))
            elif isinstance(data, ev.TerritoryUpserted):
                rules = tuple(Rule(tuple(Condition(c.field, c.op, c.value) for c in r.conditions))
                              for r in data.rules)
                await organisation.upsert_territory(units(), Territory(
                    data.territory_id, data.name, data.parent_id, data.priority, rules, tuple(data.rep_ids),
                    data.is_default))


async def _insert(units: Callable[[], UnitOfWork], table: Table, rows: list[dict[str, object]]) -> None:
    if rows:
        async with units() as uow:
            await uow.session.execute(table.insert(), rows)
            await uow.commit()


async def _run(dsn: str, service: str, spec: ServiceSpec, log: Path, batch: int, types: frozenset[str],
               baseline: bool, profile: Path | None, limit: int | None) -> tuple[int, float, Counter[str]]:
    async with Database(dsn, f"{service[:5]}_{'base' if baseline else 'real'}") as db:
        await upgrade_to_head(spec.migrations_dir, db.url, spec.name)
        engine = make_engine(db.url)
        try:
            sessions = make_session_factory(engine)

            def units() -> UnitOfWork:
                return UnitOfWork(sessions, service=spec.name, clock=CLOCK)

            handlers: dict[str, Handler]
            if baseline:
                async with engine.begin() as conn:
                    await conn.run_sync(projection_meta.create_all)
                handlers = {t: project_one_row for t in types}
            else:
                await _prepare(service, spec, log, units)
                handlers = dict(spec.handlers)
            async with engine.connect() as conn:
                first_row = (await conn.execute(select(func.coalesce(func.max(outbox.c.id), 0)))).scalar_one()
            dispatcher = EventDispatcher(f"bench-{service}", handlers, units, metrics=ServiceMetrics(service))
            outcomes: Counter[str] = Counter()
            consumed = 0
            FALLBACKS.batches = 0
            profiler = cProfile.Profile() if profile is not None and not baseline else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            for values in _batches(read(log, types), batch, limit):
                outcomes.update(o.kind for o in await dispatcher.dispatch_many(values))
                consumed += len(values)
            elapsed = time.perf_counter() - started
            if FALLBACKS.batches:
                outcomes["batches fallen back to one-by-one"] = FALLBACKS.batches
                FALLBACKS.batches = 0
            if profiler and profile is not None:
                profiler.disable()
                profiler.dump_stats(str(profile))
            if not baseline:  # what the handlers decided, as a check that they did real work
                async with engine.connect() as conn:
                    rows = await conn.execute(select(outbox.c.event_type, func.count()).where(outbox.c.id > first_row)
                                              .group_by(outbox.c.event_type))
                    outcomes.update({f"emitted {t.split('.', 1)[1].rsplit('.', 1)[0]}": n for t, n in rows})
            return consumed, elapsed, outcomes
        finally:
            await engine.dispose()


async def bench(service: str, events: int, batch: int, rounds: int, seed: int, dsn: str,
                profile: Path | None, limit: int | None = None) -> dict[str, object]:
    consumer_log = logging.getLogger("coxswain.consumer")
    consumer_log.addHandler(FALLBACKS)
    consumer_log.setLevel(logging.INFO)
    spec = installed_service(service).spec
    log = cached_log(events, seed)
    types = frozenset(spec.handlers)
    counts = Counter(r.type for r in read(log, types))
    print(f"{service}: {sum(counts.values())} of {events} events are of types it consumes: "
          + ", ".join(f"{t.split('.', 1)[1].rsplit('.', 1)[0]} {n}" for t, n in counts.most_common())
          + (f"; replaying the first {limit}" if limit is not None else ""), flush=True)
    real_rates, base_rates = [], []
    for round_no in range(1, rounds + 1):
        consumed, elapsed, outcomes = await _run(dsn, service, spec, log, batch, types, False,
                                                 profile if round_no == 1 else None, limit)
        real_rates.append(consumed / elapsed)
        b_consumed, b_elapsed, b_outcomes = await _run(dsn, service, spec, log, batch, types, True, None, limit)
        base_rates.append(b_consumed / b_elapsed)
        print(f"round {round_no}: real {consumed} events in {elapsed:.1f}s = {real_rates[-1]:,.0f} events/s "
              f"({elapsed / max(consumed, 1) * 1000:.2f} ms/event; {dict(outcomes)}); baseline "
              f"{b_consumed / b_elapsed:,.0f} events/s ({dict(b_outcomes)}); ratio "
              f"{real_rates[-1] / base_rates[-1]:.3f}", flush=True)
    real, base = statistics.median(real_rates), statistics.median(base_rates)
    ratio = statistics.median(r / b for r, b in zip(real_rates, base_rates, strict=True))  # each round's own pair
    result = {"service": service, "events_in_log": events, "consumed": sum(counts.values()), "limit": limit,
              "batch": batch,
              "rounds": rounds, "real_events_per_s": round(real), "baseline_events_per_s": round(base),
              "ratio": round(ratio, 3), "real_ms_per_event": round(1000 / real, 3)}
    print(f"{service}: real handlers {real:,.0f} events/s ({1000 / real:.2f} ms/event), one-row projection "
          f"{base:,.0f} events/s, ratio {ratio:.3f} (medians of {rounds} rounds, batch {batch})")
    print(json.dumps(result))
    if profile is not None:
        pstats.Stats(str(profile)).sort_stats("cumulative").print_stats(25)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--service", required=True, choices=SERVICES)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the log (all types)")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--pg", default=PG, help="PostgreSQL DSN to create the databases on")
    parser.add_argument("--limit", type=int, default=None,
                        help="replay only the first LIMIT consumed events of the log (slow handlers, big logs)")
    parser.add_argument("--profile", type=Path, default=None, help="cProfile the first round's real replay")
    args = parser.parse_args()
    asyncio.run(bench(args.service, args.events, args.batch, args.rounds, args.seed, args.pg, args.profile, args.limit))


if __name__ == "__main__":
    main()
