"""Forecast's EVENT_HANDLERS through EventDispatcher.dispatch_many in batches of 500, on a fresh PostgreSQL database
bulk-loaded by bench/forecast_update.py's loader; events/s per round, the median, optionally a cProfile.

    .venv/bin/python bench/forecast_batches.py [--deals 10000] [--batch 500] [--batches 4] [--rounds 3] [--profile]

The code under test is whatever `services` imports: to measure another checkout's handlers with this script,
FC14_BENCH=<checkout>/bench PYTHONPATH=<checkout> (its loader and migrations, its handlers).
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import time

sys.path.insert(0, os.environ.get("FC14_BENCH", os.path.dirname(os.path.abspath(__file__))))
import forecast_update as fu  # noqa: E402

from services.forecast import handlers  # noqa: E402
from shared.clock import FixedClock  # noqa: E402
from shared.db.engine import make_engine, make_session_factory  # noqa: E402
from shared.db.migrate import upgrade_to_head  # noqa: E402
from shared.db.uow import UnitOfWork  # noqa: E402
from shared.messaging.dispatch import EventDispatcher  # noqa: E402
from shared.observability.metrics import ServiceMetrics  # noqa: E402


async def main(a: argparse.Namespace) -> None:
    name, url = await fu.create_database()
    try:
        await upgrade_to_head(fu.MIGRATIONS, url.replace("postgresql://", "postgresql+asyncpg://"), "forecast")
        deals = await fu.bulk_load(url, a.deals, seed=a.deals)
        engine = make_engine(url.replace("postgresql://", "postgresql+asyncpg://"))
        sessions = make_session_factory(engine)
        dispatcher = EventDispatcher("bench-forecast", handlers.EVENT_HANDLERS,
                                     lambda: UnitOfWork(sessions, service="forecast", clock=FixedClock(fu.NOW)),
                                     metrics=ServiceMetrics("forecast-batches"))
        raws = fu.events_for(deals, a.batch * (a.batches * a.rounds + 1), seed=7)
        await dispatcher.dispatch_many(raws[:a.batch])  # warm-up
        pos, rates = a.batch, []
        profile = cProfile.Profile() if a.profile else None
        for _ in range(a.rounds):
            start = time.perf_counter()
            if profile:
                profile.enable()
            for _ in range(a.batches):
                outcomes = await dispatcher.dispatch_many(raws[pos:pos + a.batch])
                pos += a.batch
                assert all(o.kind == "handled" for o in outcomes), outcomes[:3]
            if profile:
                profile.disable()
            took = time.perf_counter() - start
            rates.append(a.batch * a.batches / took)
            print(f"round: {a.batch * a.batches} events in {took:.2f}s = {rates[-1]:.0f} events/s", flush=True)
        median = statistics.median(rates)
        print(f"median {median:.0f} events/s, {1000 / median:.3f} ms per event")
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        await engine.dispose()
    finally:
        await fu.drop_database(name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    asyncio.run(main(parser.parse_args()))
