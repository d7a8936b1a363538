"""/v1/snapshots (take one of every method now, list them) and /v1/accuracy (how each method did)."""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from services.forecast.api.deps import Now, Planner, Reader, Settings, Uow
from services.forecast.api.paging import page_of
from services.forecast.api.schemas import Method, Period, cents, ratio
from services.forecast.db.models import snapshot_lines, snapshots
from services.forecast.domain.accuracy import SnapshotLine, score
from services.forecast.queries.forecasts import Question, forecast_lines
from services.forecast.workers import TakeSnapshots, take_snapshots
from shared.errors import InvalidInput
from shared.events.types import Money
from shared.http.pagination import Cursor, Limit, Page

router = APIRouter(tags=["snapshots"])


class SnapshotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Period | None = Field(default=None, description="default: the current fiscal quarter")
    methods: list[Method] = Field(default=["weighted", "category", "historical", "cycle_length"], min_length=1)


class SnapshotOut(BaseModel):
    snapshot_id: str
    period: str
    method: str
    taken_at: datetime
    trigger: str
    totals: dict[str, Money]


class GroupErrorOut(BaseModel):
    group: str
    currency: str
    forecast: Money
    actual: Money
    error: Money


class ScoreOut(BaseModel):
    method: str
    weeks_before_end: int
    group_by: str
    bias: Money
    mean_absolute_error: Money
    absolute_percentage_error: Money | None
    groups: list[GroupErrorOut]


class AccuracyOut(BaseModel):
    period: str
    items: list[ScoreOut]


@router.post("/snapshots", status_code=status.HTTP_201_CREATED, response_model=list[SnapshotOut])
async def snapshot_now(body: SnapshotIn, uow: Uow, who: Planner, settings: Settings, clock: Now) -> list[dict]:
    period = body.period or settings.calendar.periods_of(clock.now().date())[1]
    return await take_snapshots(TakeSnapshots(period, tuple(dict.fromkeys(body.methods))), uow, settings)


@router.get("/snapshots", response_model=Page[SnapshotOut])
async def list_snapshots(uow: Uow, who: Reader, period: Annotated[Period, Query()], limit: Limit = 100,
                         cursor: Cursor = None) -> Page[SnapshotOut]:
    async with uow:
        rows = (await uow.session.execute(select(snapshots).where(snapshots.c.period == period).order_by(
            snapshots.c.taken_at, snapshots.c.method, snapshots.c.snapshot_id))).all()
    return page_of([SnapshotOut(**{**r._mapping, "totals": json.loads(r.totals)}) for r in rows], limit, cursor)


@router.get("/accuracy", response_model=AccuracyOut)
async def read_accuracy(uow: Uow, who: Planner, settings: Settings, clock: Now,
                        period: Annotated[Period, Query()]) -> AccuracyOut:
    """Each method's snapshots of an ended period against what closed won, per week before its end."""
    end = settings.calendar.bounds(period)[1]
    if end >= clock.now().date():
        raise InvalidInput("period", f"{period} has not ended yet (it ends on {end})")
    async with uow:
        actual: dict[tuple[str, str, str], Decimal] = {}
        for group_by in ("rep", "team"):
            for ln in await forecast_lines(uow.session, Question(period, group_by, clock.now(), settings.calendar,
                                                                 settings.methods, crediting="owner")):
                actual[(group_by, ln.group, ln.currency)] = ln.figures.closed_won
        rows = (await uow.session.execute(select(snapshots.c.method, snapshots.c.taken_at, snapshot_lines).join(
            snapshot_lines, snapshot_lines.c.snapshot_id == snapshots.c.snapshot_id).where(
            snapshots.c.period == period))).all()
    lines = [SnapshotLine(r.method, r.taken_at, r.dimension, r.group_id, r.currency, r.forecast) for r in rows]
    items = [ScoreOut(method=s.method, weeks_before_end=s.weeks_before_end, group_by=s.dimension,
                      bias=cents(s.bias), mean_absolute_error=cents(s.mean_absolute_error),
                      absolute_percentage_error=ratio(s.absolute_percentage_error),
                      groups=[GroupErrorOut(group=g.group, currency=g.currency, forecast=g.forecast, actual=g.actual,
                                            error=g.error) for g in s.groups])
             for s in score(lines, actual, end)]
    return AccuracyOut(period=period, items=items)
