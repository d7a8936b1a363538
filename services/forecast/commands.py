"""Forecast's write use cases: each opens the unit of work (or joins the consumer's), loads through db/, lets
the domain decide, saves through db/ and commits. Routes, handlers and the snapshot schedule call these."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from services.forecast.db import history, org, snapshots
from services.forecast.db import projection as db
from services.forecast.db.adjustments import Adjustment
from services.forecast.db.adjustments import add as add_adjustment
from services.forecast.db.snapshots import Snapshot, SnapshotLineRow
from services.forecast.domain.access import visible_groups
from services.forecast.domain.deals import DealChange
from services.forecast.domain.methods import METHODS
from services.forecast.domain.organisation import OrgChange, org_rows
from services.forecast.domain.report import Line
from services.forecast.domain.transitions import batch_effects
from services.forecast.queries.forecasts import Question, forecast_lines
from services.forecast.settings import ForecastSettings
from shared.db.uow import UnitOfWork, command
from shared.errors import FieldError, ForbiddenError
from shared.events import CloudEvent
from shared.events import catalog as ev
from shared.http.auth import Principal
from shared.visibility import scope_of

SNAPSHOT_TAKEN = "coxswain.forecast.snapshot_taken.v1"
Trigger = Literal["demand", "schedule"]


@command
async def project_deals(uow: UnitOfWork, changes: Sequence[DealChange], facts: Sequence[CloudEvent]) -> None:
    """A run of deal events at once: the deals and their stage visits loaded in one query each, folded in order
    by the domain into the net change per row, written with one set statement per table; the same rows as
    the events one at a time (UnknownDeal: a deal never created, raised for the whole run)."""
    async with uow:
        deal_ids = {c.deal_id for c in changes}
        known = await db.load_deals(uow.session, deal_ids)
        net = batch_effects(changes, known, await db.load_visits(uow.session, deal_ids))
        if not net.applied:  # the same facts again: nothing changes
            return
        await db.save_deals(uow.session, list(net.deals.values()))
        await db.add_cells(uow.session, net.cell_rows())
        await db.add_visits(uow.session, net.new_visits)
        await db.add_stage_records(uow.session, net.probability, net.outcomes)
        if net.cycles is not None:
            await db.add_cycles(uow.session, *net.cycles)
        await history.keep_all(uow.session, [facts[i] for i in net.applied])
        await uow.commit()


@command
async def keep_organisation(uow: UnitOfWork, changes: Sequence[OrgChange], facts: Sequence[CloudEvent]) -> None:
    """A run of organisation and quota events: folded by the domain into the rows they leave, written with one
    statement per table, every event kept in the history."""
    async with uow:
        await org.save_org_rows(uow.session, org_rows(changes))
        await history.keep_all(uow.session, facts)
        await uow.commit()


@dataclass(frozen=True)
class AdjustForecast:
    period: str
    group_by: str
    group: str
    method: str
    currency: str
    amount: Decimal
    note: str


@command
async def adjust_forecast(uow: UnitOfWork, who: Principal, cmd: AdjustForecast) -> Adjustment:
    """A manager overrides their own teams' or reps' forecast (admin and ops anyone's), with a note; all kept."""
    async with uow:
        found = await org.organisation(uow.session)
        visible = visible_groups(scope_of(who, found.team_parent), who.has_any("manager"), cmd.group_by, found)
        if visible is not None and cmd.group not in visible:
            raise ForbiddenError("a manager adjusts their own teams and their reps",
                                 [FieldError("group", f"{cmd.group} is not in your teams")])
        adjustment = Adjustment(str(uuid.uuid4()), cmd.period, cmd.group_by, cmd.group, cmd.method, cmd.currency,
                                cmd.amount, cmd.note, who.sub, uow.clock.now())
        await add_adjustment(uow.session, adjustment)
        await uow.commit()
    return adjustment


@dataclass(frozen=True)
class TakeSnapshots:
    period: str | None = None  # None: the current fiscal quarter
    methods: tuple[str, ...] = METHODS
    trigger: Trigger = "demand"


@command
async def take_snapshots(uow: UnitOfWork, cmd: TakeSnapshots, settings: ForecastSettings) -> list[Snapshot]:
    """One snapshot per method: every rep's and team's forecast and closed won, committed with its event."""
    async with uow:
        taken_at = uow.clock.now()
        period = cmd.period or settings.calendar.periods_of(taken_at.date())[1]
        # Snapshots keep the owner view: each deal counted once, so the reps' sum is the company's forecast.
        lines = {group_by: await forecast_lines(uow.session, Question(
            period, group_by, taken_at, settings.calendar, settings.methods, crediting="owner"))
            for group_by in ("rep", "team")}
        out = [await _snapshot(uow, period, cmd.trigger, method, taken_at, lines) for method in cmd.methods]
        await uow.commit()
    return out


async def _snapshot(uow: UnitOfWork, period: str, trigger: Trigger, method: str, taken_at: datetime,
                    lines: dict[str, list[Line]]) -> Snapshot:
    rows = [SnapshotLineRow(group_by, ln.group, ln.currency, ln.figures.forecast(method).quantize(Decimal("0.01")),
                            ln.figures.closed_won)
            for group_by, found in lines.items() for ln in found]
    totals: dict[str, Decimal] = {}
    for row in rows:
        if row.dimension == "rep":  # the total is the reps' sum (teams would count a rep once per level)
            totals[row.currency] = totals.get(row.currency, Decimal(0)) + row.forecast
    wire = {c: format(v, "f") for c, v in totals.items()}
    snapshot = Snapshot(str(uuid.uuid4()), period, method, taken_at, trigger, wire)
    await snapshots.add(uow.session, snapshot, rows)
    await uow.emit(SNAPSHOT_TAKEN, subject=snapshot.snapshot_id, sequence=1, data=ev.ForecastSnapshotTaken(
        snapshot_id=snapshot.snapshot_id, period=period, method=method, taken_at=taken_at,
        totals=dict(wire), trigger=trigger))
    return snapshot


@command
async def take_due_snapshots(uow: UnitOfWork, settings: ForecastSettings) -> list[Snapshot]:
    """When the last scheduled snapshot is `snapshot_every_days` old (or there is none), snapshot the current
    fiscal quarter; replicas take turns on the schedule's locked row, so one takes them and the others find it done."""
    async with uow:
        now = uow.clock.now()
        last = await snapshots.claim_schedule(uow.session)
        if last is not None and now - last < timedelta(days=settings.snapshot_every_days):
            return []
        out = await take_snapshots(uow, TakeSnapshots(trigger="schedule"), settings)
        await snapshots.mark_scheduled(uow.session, now)
        await uow.commit()
    return out
