"""/v1/forecasts: each group's forecast by one method, closed won, open pipeline, quota, attainment, coverage."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query

from services.forecast.api.deps import Now, Settings
from services.forecast.api.schemas import (
    Crediting,
    ForecastOut,
    ForecastRow,
    GroupBy,
    Method,
    Period,
    adjustment_out,
    cents,
    ratio,
)
from services.forecast.db.adjustments import Adjustment
from services.forecast.domain.report import Line
from services.forecast.domain.rollup import attainment, coverage
from services.forecast.queries import forecasts as answers
from shared.crediting import attainment_percent
from shared.errors import InvalidInput
from shared.http.deps import Reader, Uow
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
    """`period`: a month, or a fiscal quarter or year of forecast's FiscalCalendar (COXSWAIN_FORECAST_FISCAL_YEAR_
    START_MONTH; with the default January start, the calendar quarter and year of shared.periods)."""
    if as_of is not None and as_of.tzinfo is None:
        raise InvalidInput("as_of", "give a time zone, e.g. 2026-10-01T00:00:00Z")
    question = answers.Question(period, group_by, clock.now(), settings.calendar, settings.methods, as_of, method,
                        crediting)
    found = await answers.read_forecast(uow, who, question)
    items = [_row(line, method, found.latest.get((line.group, line.currency)),
                  found.rolled.get((line.group, line.currency))) for line in found.lines]
    return ForecastOut(period=period, group_by=group_by, method=method, crediting=crediting, as_of=as_of,
                       items=items)


def _row(line: Line, method: str, adjustment: Adjustment | None, rolled: Decimal | None = None) -> ForecastRow:
    f = line.figures
    return ForecastRow(
        group=line.group, currency=line.currency, forecast=cents(f.forecast(method)), closed_won=cents(f.closed_won),
        open_pipeline=cents(f.open_pipeline), quota=line.quota,
        attainment=ratio(attainment(f.closed_won, line.quota)),
        attainment_percent=attainment_percent(f.closed_won, line.quota),
        coverage=ratio(coverage(f.open_pipeline, f.closed_won, line.quota)),
        categories={k: cents(v) for k, v in f.categories.items()} if method == "category" else None,
        adjusted_forecast=adjustment.amount if adjustment else rolled,
        adjustment=adjustment_out(adjustment) if adjustment else None)
