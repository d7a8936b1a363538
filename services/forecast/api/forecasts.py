"""/v1/forecasts: each group's forecast by one method, closed won, open pipeline, quota, attainment, coverage."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.forecast.api.access import visible_groups
from services.forecast.api.deps import Now, Reader, Settings, Uow
from services.forecast.api.schemas import (
    AdjustmentOut,
    Crediting,
    ForecastOut,
    ForecastRow,
    GroupBy,
    Method,
    Period,
    cents,
    ratio,
)
from services.forecast.db import adjustments
from services.forecast.domain.report import Line
from services.forecast.domain.rollup import attainment, coverage
from services.forecast.queries.forecasts import Question, forecast_lines, organisation, rolled_adjustments
from shared.crediting import attainment_percent
from shared.errors import InvalidInput
from shared.input_types import IsoTime

AsOf = Annotated[IsoTime | None, Query(description="the forecast as it stood at this instant")]
CreditingQuery = Annotated[Crediting, Query(description=(
    "splits (default): each rep is credited their split share, the owner 100% without splits — what counts "
    "toward quota, as in compensation; owner: the owner is credited the whole deal. Reps and teams only"))]
router = APIRouter(prefix="/forecasts", tags=["forecasts"])


@router.get("", response_model=ForecastOut)
async def read_forecast(uow: Uow, who: Reader, settings: Settings, clock: Now, period: Annotated[Period, Query()],
                        group_by: GroupBy = "rep", method: Method = "weighted",
                        as_of: AsOf = None, crediting: CreditingQuery = "splits") -> ForecastOut:
    if as_of is not None and as_of.tzinfo is None:
        raise InvalidInput("as_of", "give a time zone, e.g. 2026-10-01T00:00:00Z")
    question = Question(period, group_by, clock.now(), settings.calendar, settings.methods, as_of, method,
                        crediting)
    async with uow:
        org = await organisation(uow.session)
        visible = visible_groups(who, group_by, org)
        found = await forecast_lines(uow.session, question)
        latest = await adjustments.latest(uow.session, period, group_by, method)
        rolled = await rolled_adjustments(uow.session, question, found, latest, org) if group_by == "team" else {}
    lines = [ln for ln in found if visible is None or ln.group in visible]
    items = [_row(line, method, latest.get((line.group, line.currency)), rolled.get((line.group, line.currency)))
             for line in lines]
    return ForecastOut(period=period, group_by=group_by, method=method, crediting=crediting, as_of=as_of,
                       items=items)


def _row(line: Line, method: str, adjustment: dict[str, Any] | None,
         rolled: Decimal | None = None) -> ForecastRow:
    f = line.figures
    return ForecastRow(
        group=line.group, currency=line.currency, forecast=cents(f.forecast(method)), closed_won=cents(f.closed_won),
        open_pipeline=cents(f.open_pipeline), quota=line.quota,
        attainment=ratio(attainment(f.closed_won, line.quota)),
        attainment_percent=attainment_percent(f.closed_won, line.quota),
        coverage=ratio(coverage(f.open_pipeline, f.closed_won, line.quota)),
        categories={k: cents(v) for k, v in f.categories.items()} if method == "category" else None,
        adjusted_forecast=adjustment["amount"] if adjustment else rolled,
        adjustment=adjustment_out(adjustment) if adjustment else None)


def adjustment_out(row: dict[str, Any]) -> AdjustmentOut:
    return AdjustmentOut(group=row["group_id"], **{k: v for k, v in row.items() if k != "group_id"})
