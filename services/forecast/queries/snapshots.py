"""Snapshots of a period, and how each method's snapshots did against what closed won (accuracy)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from services.forecast.db import snapshots
from services.forecast.db.snapshots import Snapshot, SnapshotKey
from services.forecast.domain.accuracy import Score, score
from services.forecast.queries.forecasts import Question, forecast_lines
from services.forecast.settings import ForecastSettings
from shared.db.uow import UnitOfWork
from shared.errors import InvalidInput


async def snapshots_of(uow: UnitOfWork, period: str, after: SnapshotKey | None,
                       limit: int) -> tuple[list[Snapshot], SnapshotKey | None]:
    async with uow:
        return await snapshots.of_period(uow.session, period, after, limit)


async def accuracy(uow: UnitOfWork, period: str, settings: ForecastSettings, today: datetime) -> list[Score]:
    """Each method's snapshots of an ended period against what closed won (owner view), per week before its end
    (a period not ended yet is the caller's mistake)."""
    end = settings.calendar.bounds(period)[1]
    if end >= today.date():
        raise InvalidInput("period", f"{period} has not ended yet (it ends on {end})")
    async with uow:
        actual: dict[tuple[str, str, str], Decimal] = {}
        for group_by in ("rep", "team"):
            for ln in await forecast_lines(uow.session, Question(period, group_by, today, settings.calendar,
                                                                 settings.methods, crediting="owner")):
                actual[(group_by, ln.group, ln.currency)] = ln.figures.closed_won
        lines = await snapshots.lines_of_period(uow.session, period)
    return score(lines, actual, end)
