"""Spine throughput and latency against raw aiokafka, measured in the same run.

    .venv/bin/python bench/spine.py [--events 20000] [--rate 1000] [--seconds 10] [--repeat 3]
    .venv/bin/python bench/spine.py --profile /tmp/spine-prof --repeat 1   # cProfile of both processes

Needs Kafka and PostgreSQL (`make infra-up`). The spine path: outbox rows written in transactions of 100,
relay, Kafka (idempotent, acks=all), consumer, dedupe + projection row committed. The raw path: the same
number of records through an idempotent acks=all aiokafka producer and a group consumer doing nothing.
As deployed, the producing and the consuming service are separate processes.
Prints events/s, p50 and p99 latency for both, and the ratios; medians over --repeat runs.
With --profile DIR, one flat-out spine run is profiled (cProfile) in the producing process (outbox writes,
relay) and the consuming one; DIR gets producer.prof and consumer.prof and the top lines are printed.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import signal
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, Float, MetaData, String, Table, func, select
from sqlalchemy.engine import make_url

from shared.clock import SystemClock
from shared.db.engine import make_engine
from shared.db.plumbing import plumbing_metadata
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent
from shared.events.catalog import QuotaSet
from shared.messaging.dispatch import Handler, batch_handler
from shared.messaging.kafka import ensure_topics
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import PlatformSettings, ServiceSettings

KAFKA = os.environ.get("COXSWAIN_TEST_KAFKA", "127.0.0.1:9092")
PG = os.environ.get("COXSWAIN_TEST_PG_DSN", "postgresql://coxswain:coxswain@127.0.0.1:55432/coxswain_test")
meta = MetaData()
projection = Table("projection", meta, Column("event_id", String(64), primary_key=True),
                   Column("latency_s", Float, nullable=False))
CLOCK = SystemClock()


class BenchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_BENCH_")
    service: ClassVar[str] = "forecast"
    port: int = 0


async def project_quota(event: CloudEvent, uow: UnitOfWork) -> None:
    """The projection one event at a time: one INSERT per event (--handler single)."""
    latency = (CLOCK.now() - event.time).total_seconds()
    await uow.session.execute(projection.insert().values(event_id=str(event.id), latency_s=latency))


@batch_handler
async def project_quotas(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
    """The same projection batch-native (STYLE rule 15, the default): one multi-row INSERT per batch."""
    now = CLOCK.now()
    await uow.session.execute(projection.insert(), [
        {"event_id": str(e.id), "latency_s": (now - e.time).total_seconds()} for e in events])


HANDLERS: dict[str, Handler] = {"single": project_quota, "batch": project_quotas}


async def _database() -> str:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(PG)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return make_url(PG).set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)


async def _drop(url: str | None) -> None:
    """Drop a database _database made (the bench leaves none behind)."""
    if url is None:
        return
    conn = await asyncpg.connect(PG)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await conn.close()


async def _runtime(name: str, platform: PlatformSettings, consume: bool, url: str | None = None,
                   handler: str = "batch") -> ServiceRuntime:
    spec = ServiceSpec(name=name, metadata=meta, handlers={"coxswain.quota.set.v1": HANDLERS[handler]},
                       consumes=("coxswain.compensation",), migrations_dir=Path("unused"))
    runtime = ServiceRuntime(spec, BenchSettings(database_url=url or await _database(), platform=platform,
                                                 migrate_on_start=False))
    async with runtime.engine.begin() as conn:
        await conn.run_sync(plumbing_metadata.create_all)
        await conn.run_sync(meta.create_all)
    await runtime.start(consumer=consume)
    return runtime


async def consumer_process(namespace: str, url: str, handler: str, profile: str | None) -> None:
    """The consuming service, in its own process as in a deployment; runs until killed (SIGTERM when
    profiling: the profile is written first)."""
    platform = PlatformSettings(bus="kafka", kafka_bootstrap=KAFKA, namespace=namespace)
    await _runtime("forecast", platform, consume=True, url=url, handler=handler)
    stopped = asyncio.Event()
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
        profiler.enable()
    print("ready", flush=True)
    await stopped.wait()
    if profiler is not None and profile:
        profiler.disable()
        profiler.dump_stats(profile)


async def spine_run(events: int, rate: float | None, handler: str, profile: str | None = None) -> dict[str, float]:
    platform = PlatformSettings(bus="kafka", kafka_bootstrap=KAFKA, namespace=f"b{uuid.uuid4().hex[:8]}")
    consumer_url = await _database()
    extra = ["--consumer-profile", os.path.join(profile, "consumer.prof")] if profile else []
    child = await asyncio.create_subprocess_exec(sys.executable, __file__, "--consumer-of", platform.namespace,
                                                 consumer_url, "--handler", handler, *extra,
                                                 stdout=asyncio.subprocess.PIPE)
    assert child.stdout is not None
    await child.stdout.readline()
    producer = await _runtime("compensation", platform, consume=False)
    engine = make_engine(consumer_url)
    await asyncio.sleep(3)  # let the consumer join its group before the clock starts
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    started = time.perf_counter()
    batch = 100 if rate is None else max(1, int(rate / 100))
    versions: dict[str, int] = {}  # each rep's aggregate version, as a service that owns the aggregate knows it
    for first in range(0, events, batch):
        async with producer.uow() as uow:
            for i in range(first, min(first + batch, events)):
                rep = f"rep-{i % 500}"
                versions[rep] = versions.get(rep, 0) + 1
                data = QuotaSet(rep_id=rep, period="2026-Q4", amount=Decimal(i), currency="EUR")
                await uow.emit("coxswain.quota.set.v1", subject=rep, data=data, sequence=versions[rep])
            await uow.commit()
        if rate is not None:
            await _pace(started, first + batch, rate)
    written = time.perf_counter() - started
    relayed = None
    async with engine.connect() as conn:
        while (await conn.execute(select(func.count()).select_from(projection))).scalar_one() < events:
            await conn.rollback()
            if relayed is None and not await producer.relay.pending():
                relayed = time.perf_counter() - started
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        latencies = sorted((await conn.execute(select(projection.c.latency_s))).scalars().all())
    if profiler is not None and profile:
        profiler.disable()
        profiler.dump_stats(os.path.join(profile, "producer.prof"))
        child.terminate()
    else:
        child.kill()
    await child.wait()
    await engine.dispose()
    await producer.stop()
    await producer.engine.dispose()
    await _drop(consumer_url)
    await _drop(producer.settings.database_url)
    return {**_summary(events, elapsed, latencies), "written_s": written,
            "relayed_s": elapsed if relayed is None else relayed, "consumed_s": elapsed}


async def raw_run(events: int, rate: float | None) -> dict[str, float]:
    topic = f"b{uuid.uuid4().hex[:8]}.raw"
    await ensure_topics(KAFKA, [topic])
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=KAFKA, group_id=f"{topic}-g", enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, enable_idempotence=True, acks="all", linger_ms=2)
    await producer.start()
    latencies: list[float] = []

    async def consume() -> None:
        while len(latencies) < events:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                now = time.time()
                latencies.extend(now - json.loads(r.value)["t"] for r in records)
                await consumer.commit()

    reader = asyncio.create_task(consume())
    await asyncio.sleep(3)
    started = time.perf_counter()
    futures = []
    for i in range(events):
        value = json.dumps({"t": time.time(), "i": i}).encode()
        futures.append(await producer.send(topic, value=value, key=f"rep-{i % 500}".encode()))
        if rate is not None and i % 10 == 0:
            await _pace(started, i, rate)
    await asyncio.gather(*futures)
    await reader
    elapsed = time.perf_counter() - started
    await producer.stop()
    await consumer.stop()
    return _summary(events, elapsed, sorted(latencies))


async def _pace(started: float, sent: int, rate: float) -> None:
    ahead = sent / rate - (time.perf_counter() - started)
    if ahead > 0:
        await asyncio.sleep(ahead)


def _summary(events: int, elapsed: float, latencies: list[float]) -> dict[str, float]:
    return {"events_per_s": events / elapsed, "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


async def profile_run(args: Any) -> None:
    os.makedirs(args.profile, exist_ok=True)
    result = await spine_run(args.events, None, args.handler, args.profile)
    print(f"flat out, profiled (cProfile slows both processes): {result['events_per_s']:.0f} events/s")
    for name in ("producer", "consumer"):
        print(f"\n--- {name} process, top 25 by own time ---")
        pstats.Stats(os.path.join(args.profile, f"{name}.prof")).sort_stats("tottime").print_stats(25)


async def main(args: Any) -> None:
    if args.profile:
        await profile_run(args)
        return
    results: dict[str, dict[str, float]] = {}
    for label, events, rate in (("flat out", args.events, None), (f"{args.rate:.0f}/s offered",
                                                                   int(args.rate * args.seconds), args.rate)):
        raw = _median([await raw_run(events, rate) for _ in range(args.repeat)])
        spine = _median([await spine_run(events, rate, args.handler) for _ in range(args.repeat)])
        results[label] = {**{f"raw_{k}": v for k, v in raw.items()}, **{f"spine_{k}": v for k, v in spine.items()}}
        print(f"\n{label}: {events} events, median of {args.repeat} runs, {args.handler} projection")
        print(f"  {'':8}{'events/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
        for name, r in (("raw", raw), ("spine", spine)):
            print(f"  {name:8}{r['events_per_s']:>12.0f}{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}")
        print(f"  spine phases (s since start): outbox written {spine['written_s']:.2f}, "
              f"relayed {spine['relayed_s']:.2f}, consumed {spine['consumed_s']:.2f}")
        print(f"  ratio spine/raw events/s: {spine['events_per_s'] / raw['events_per_s']:.2f}")
    print("\n" + json.dumps(results, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--handler", choices=sorted(HANDLERS), default="batch",
                        help="the projection: batch-native (one INSERT per batch) or one INSERT per event")
    parser.add_argument("--profile", metavar="DIR", help="profile one flat-out spine run into DIR")
    parser.add_argument("--consumer-of", nargs=2, metavar=("NAMESPACE", "DATABASE_URL"), help=argparse.SUPPRESS)
    parser.add_argument("--consumer-profile", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.consumer_of:
        namespace, url = arguments.consumer_of
        asyncio.run(consumer_process(namespace, url, arguments.handler, arguments.consumer_profile))
    else:
        asyncio.run(main(arguments))
