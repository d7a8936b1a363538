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

from sqlalchemy import select

from services.forecast.db.models import snapshot_lines, snapshot_schedule_state, snapshots
from services.forecast.domain.methods import METHODS
from services.forecast.domain.report import Line
from services.forecast.queries.forecasts import Question, forecast_lines
from services.forecast.settings import ForecastSettings
from shared.db.uow import UnitOfWork
from shared.db.upsert import insert_for
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
    async with uow:
        out = await _snapshots(cmd, uow, settings)
        await uow.commit()
    return out


async def _snapshots(cmd: TakeSnapshots, uow: UnitOfWork, settings: ForecastSettings) -> list[dict]:
    taken_at = uow.clock.now()
    # Snapshots keep the owner view: each deal counted once, so the reps' sum is the company's forecast.
    lines = {group_by: await forecast_lines(uow.session, Question(
        cmd.period, group_by, taken_at, settings.calendar, settings.methods, crediting="owner"))
        for group_by in ("rep", "team")}
    return [await _snapshot(uow, cmd, method, taken_at, lines) for method in cmd.methods]


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
        trigger=cmd.trigger))  # type: ignore[arg-type]
    return {**snap, "totals": wire}


async def take_scheduled_snapshots(runtime: ServiceRuntime) -> list[dict]:
    """When the last scheduled snapshot is a week old (or there is none), snapshot the current quarter."""
    settings: ForecastSettings = runtime.settings  # type: ignore[assignment]
    async with runtime.uow() as uow:
        now = uow.clock.now()
        last = await _claim_schedule(uow)  # replicas take turns: the schedule row stays locked until commit
        if last is not None and now - last < timedelta(days=settings.snapshot_every_days):
            return []
        quarter = settings.calendar.periods_of(now.date())[1]
        out = await _snapshots(TakeSnapshots(quarter, trigger="schedule"), uow, settings)
        await uow.session.execute(snapshot_schedule_state.update().where(
            snapshot_schedule_state.c.name == "weekly").values(last_taken_at=now))
        await uow.commit()
    return out


async def _claim_schedule(uow: UnitOfWork) -> datetime | None:
    """The schedule's row, locked (FOR UPDATE on PostgreSQL; SQLite has one writer anyway)."""
    await uow.session.execute(insert_for(uow.session, snapshot_schedule_state).values(
        name="weekly", last_taken_at=None).on_conflict_do_nothing())
    last: datetime | None = (await uow.session.execute(select(snapshot_schedule_state.c.last_taken_at).where(
        snapshot_schedule_state.c.name == "weekly").with_for_update())).scalar()
    return last


async def snapshot_schedule(runtime: ServiceRuntime) -> None:
    """The worker: look every few minutes whether a scheduled snapshot is due."""
    settings: ForecastSettings = runtime.settings  # type: ignore[assignment]
    while settings.snapshot_schedule:
        try:
            await take_scheduled_snapshots(runtime)
        except Exception:  # the database may be away; the next look retries
            log.exception("scheduled snapshot failed; retrying at the next look")
        await asyncio.sleep(settings.snapshot_check_seconds)
