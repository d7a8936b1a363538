"""Forecast's scheduled jobs: the snapshot schedule (SPEC.workers) that takes every method's snapshot weekly."""
from __future__ import annotations

import asyncio
import logging
from typing import cast

from services.forecast.commands import take_due_snapshots
from services.forecast.db.snapshots import Snapshot
from services.forecast.settings import ForecastSettings
from shared.runtime import ServiceRuntime

log = logging.getLogger("coxswain.forecast.snapshots")


async def take_scheduled_snapshots(runtime: ServiceRuntime) -> list[Snapshot]:
    """When the last scheduled snapshot is a week old (or there is none), snapshot the current quarter."""
    return await take_due_snapshots(runtime.uow(), cast(ForecastSettings, runtime.settings))


async def snapshot_schedule(runtime: ServiceRuntime) -> None:
    """The worker: look every few minutes whether a scheduled snapshot is due."""
    settings = cast(ForecastSettings, runtime.settings)
    while settings.snapshot_schedule:
        try:
            await take_scheduled_snapshots(runtime)
        except Exception:  # the database may be away; the next look retries
            log.exception("scheduled snapshot failed; retrying at the next look")
        await asyncio.sleep(settings.snapshot_check_seconds)
