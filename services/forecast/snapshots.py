"""Snapshots of every method's forecast (on demand and on a weekly schedule), emitted as
forecast.snapshot_taken, and the schedule worker (SPEC.workers) that takes them."""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from services.forecast.db.models import snapshot_lines, snapshots
from services.forecast.domain.methods import METHODS
from services.forecast.domain.report import Line
from services.forecast.reading import Question, forecast_lines
from services.forecast.settings import ForecastSettings
from shared.db.uow import UnitOfWork
from shared.events import catalog as ev
from shared.runtime import ServiceRuntime

log = logging.getLogger("coxswain.forecast.snapshots")
SNAPSHOT_TAKEN = "coxswain.forecast.snapshot_taken.v1"


@dataclass(frozen=True)
class TakeSnapshots:
    period: str
    methods: tuple[str, ...] = METHODS
    trigger: str = "demand"  # demand | schedule


async def take_snapshots(cmd: TakeSnapshots, uow: UnitOfWork, settings: ForecastSettings) -> list[dict]:
    """One snapshot per method: every rep's and team's forecast and closed won, committed with its event."""
    taken_at, out = uow.clock.now(), []
    async with uow:
        lines = {group_by: await forecast_lines(uow.session, Question(
            cmd.period, group_by, taken_at, settings.calendar, settings.methods)) for group_by in ("rep", "team")}
        for method in cmd.methods:
            out.append(await _snapshot(uow, cmd, method, taken_at, lines))
        await uow.commit()
    return out


async def _snapshot(uow: UnitOfWork, cmd: TakeSnapshots, method: str, taken_at: datetime,
                    lines: dict[str, list[Line]]) -> dict:
    snapshot_id, totals = str(uuid.uuid4()), dict[str, Decimal]()
    rows: list[dict[str, Any]] = [
        dict(snapshot_id=snapshot_id, dimension=group_by, group_id=ln.group, currency=ln.currency,
             forecast=ln.figures.forecast(method).quantize(Decimal("0.01")), closed_won=ln.figures.closed_won)
        for group_by, found in lines.items() for ln in found]
    for row in rows:
        if row["dimension"] == "rep":  # the total is the reps' sum (teams would count a rep once per level)
            totals[row["currency"]] = totals.get(row["currency"], Decimal(0)) + row["forecast"]
    wire = {c: format(v, "f") for c, v in totals.items()}
    snap = dict(snapshot_id=snapshot_id, period=cmd.period, method=method, taken_at=taken_at, trigger=cmd.trigger,
                totals=json.dumps(wire))
    await uow.session.execute(snapshots.insert().values(snap))
    if rows:
        await uow.session.execute(snapshot_lines.insert(), rows)
    await uow.emit(SNAPSHOT_TAKEN, subject=snapshot_id, sequence=1, data=ev.ForecastSnapshotTaken(
        snapshot_id=snapshot_id, period=cmd.period, method=method, taken_at=taken_at, totals=wire,
        trigger=cmd.trigger))  # type: ignore[call-arg]  # an extra field, allowed by the catalog
    return {**snap, "totals": wire}


async def take_scheduled_snapshots(runtime: ServiceRuntime) -> list[dict]:
    """When the last scheduled snapshot is a week old (or there is none), snapshot the current quarter."""
    settings: ForecastSettings = runtime.settings  # type: ignore[assignment]
    now = runtime.clock.now()
    async with runtime.uow() as uow:
        last: datetime | None = (await uow.session.execute(
            select(func.max(snapshots.c.taken_at)).where(snapshots.c.trigger == "schedule"))).scalar()
    if last is not None and now - last < timedelta(days=settings.snapshot_every_days):
        return []
    quarter = settings.calendar.periods_of(now.date())[1]
    return await take_snapshots(TakeSnapshots(quarter, trigger="schedule"), runtime.uow(), settings)


async def snapshot_schedule(runtime: ServiceRuntime) -> None:
    """The worker: look every few minutes whether a scheduled snapshot is due."""
    settings: ForecastSettings = runtime.settings  # type: ignore[assignment]
    while settings.snapshot_schedule:
        try:
            await take_scheduled_snapshots(runtime)
        except Exception:  # the database may be away; the next look retries
            log.exception("scheduled snapshot failed; retrying at the next look")
        await asyncio.sleep(settings.snapshot_check_seconds)
