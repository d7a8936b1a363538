"""A tally replica that serialises its handler on one advisory lock, run in-process by the frozen-replica
test and, as `python -m tests.integration.frozen_replica DATABASE_URL`, as the replica it freezes (SIGSTOP).

Settings come from the COXSWAIN_* environment. With COXSWAIN_TEST_HOLD_SECONDS set, the handler says
HOLDING on stdout once it holds the lock and then keeps its transaction open that long, so a SIGSTOP
lands while the lock is held and the session sits idle in its transaction.
"""
from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text

from shared.db.plumbing import plumbing_metadata
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import PlatformSettings
from tests.integration.spine_fixture import TallySettings, metadata, record_quota

LOCK_ID = 7_431_099


async def record_quota_under_lock(event: CloudEvent, uow: UnitOfWork) -> None:
    await uow.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
    await record_quota(event, uow)
    hold = float(os.environ.get("COXSWAIN_TEST_HOLD_SECONDS", "0"))
    if hold:
        print("HOLDING", flush=True)
        await asyncio.sleep(hold)


@asynccontextmanager
async def locking_replica(database_url: str, platform: PlatformSettings) -> AsyncIterator[ServiceRuntime]:
    spec = ServiceSpec(name="forecast", metadata=metadata, handlers={"coxswain.quota.set.v1": record_quota_under_lock},
                       consumes=("coxswain.compensation",), migrations_dir=Path("unused"))
    runtime = ServiceRuntime(spec, TallySettings(database_url=database_url, platform=platform,
                                                 migrate_on_start=False))
    async with runtime.engine.begin() as conn:
        await conn.run_sync(plumbing_metadata.create_all)
        await conn.run_sync(metadata.create_all)
    await runtime.start(relay=False)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def _serve(database_url: str) -> None:
    async with locking_replica(database_url, PlatformSettings()):
        print("STARTED", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1]))
