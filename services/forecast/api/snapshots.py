"""/v1/snapshots (take one of every method now, list them) and /v1/accuracy (how each method did)."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.forecast import commands
from services.forecast.api.deps import Now, Settings
from services.forecast.api.schemas import Method, Period, cents, ratio
from services.forecast.db.snapshots import Snapshot
from services.forecast.queries.snapshots import accuracy, snapshots_of
from shared.events.types import Money
from shared.http.deps import Feeder, Reader, Uow
from shared.http.pagination import Cursor, Limit, Page, Position, decode_cursor, encode_cursor

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


class AfterSnapshot(Position):
    """Keyset paging over a period's snapshots: the time, method and id of the previous page's last one."""

    at: AwareDatetime
    method: str = Field(min_length=1, max_length=16)
    id: str = Field(min_length=1, max_length=36)


def snapshot_out(snapshot: Snapshot) -> SnapshotOut:
    return SnapshotOut.model_validate(asdict(snapshot))


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
async def snapshot_now(body: SnapshotIn, uow: Uow, who: Feeder, settings: Settings) -> list[SnapshotOut]:
    """`period` defaults to the current quarter of forecast's FiscalCalendar (the calendar quarter with the default
    January start of the fiscal year)."""
    taken = await commands.take_snapshots(uow, commands.TakeSnapshots(
        body.period, tuple(dict.fromkeys(body.methods))), settings)
    return [snapshot_out(s) for s in taken]


@router.get("/snapshots", response_model=Page[SnapshotOut])
async def list_snapshots(uow: Uow, who: Reader, period: Annotated[Period, Query()], limit: Limit = 100,
                         cursor: Cursor = None) -> Page[SnapshotOut]:
    position = decode_cursor(cursor, AfterSnapshot)
    found, following = await snapshots_of(uow, period, (position.at, position.method, position.id) if position
                                          else None, limit)
    return Page(items=[snapshot_out(s) for s in found], next_cursor=None if following is None else encode_cursor(
        AfterSnapshot(at=following[0], method=following[1], id=following[2])))


@router.get("/accuracy", response_model=AccuracyOut)
async def read_accuracy(uow: Uow, who: Feeder, settings: Settings, clock: Now,
                        period: Annotated[Period, Query()]) -> AccuracyOut:
    """Each method's snapshots of an ended period against what closed won, per week before its end."""
    items = [ScoreOut(method=s.method, weeks_before_end=s.weeks_before_end, group_by=s.dimension,
                      bias=cents(s.bias), mean_absolute_error=cents(s.mean_absolute_error),
                      absolute_percentage_error=ratio(s.absolute_percentage_error),
                      groups=[GroupErrorOut(group=g.group, currency=g.currency, forecast=g.forecast, actual=g.actual,
                                            error=g.error) for g in s.groups])
             for s in await accuracy(uow, period, settings, clock.now())]
    return AccuracyOut(period=period, items=items)
