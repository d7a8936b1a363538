"""Periods that match the pattern but have no first or last day on the calendar (0000, 9999, 9999-Q4), or that
only look like one (Arabic-Indic digits, a trailing line break), are a 422 naming `period`, never a 500."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from services.compensation.domain.periods import kind_of
from services.forecast.domain.periods import FiscalCalendar
from services.pipeline.domain.periods import months_in
from shared.clock import FixedClock
from shared.errors import InvalidInput
from shared.testing import auth_headers
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService, running_service
from tests.compensation.conftest import compensation  # noqa: F401  (fixture)
from tests.pipeline.conftest import clock, pipeline  # noqa: F401  (fixtures)

pytestmark = pytest.mark.embedded
OPS = auth_headers("ops")
OFF_CALENDAR = ["0000", "9999", "9999-Q4", "9999-12", "0000-01", "3000-Q1"]
LOOKALIKES = ["٢٠٢٦", "2026\n", "2026-Q4\n"]


@pytest.fixture
async def forecast(embedded_backend: EmbeddedBackend) -> AsyncIterator[RunningService]:
    async with running_service("forecast", database_url=await embedded_backend.database_url("forecast"),
                               platform=embedded_backend.platform, embedded_bus=embedded_backend.embedded_bus,
                               clock=FixedClock(datetime(2026, 11, 20, tzinfo=UTC))) as service:
        yield service


def _names_period(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 422 and any(e["field"].endswith("period") for e in response.json()["errors"])


async def test_forecast_refuses_periods_off_the_calendar(forecast: RunningService) -> None:
    for period in OFF_CALENDAR + LOOKALIKES:
        for path in ("/v1/forecasts", "/v1/accuracy", "/v1/snapshots", "/v1/adjustments"):
            response = await forecast.client.get(path, params={"period": period}, headers=OPS)
            assert _names_period(response), (path, period, response.text)
        taken = await forecast.client.post("/v1/snapshots", json={"period": period}, headers=OPS)
        assert _names_period(taken), (period, taken.text)
    fine = await forecast.client.get("/v1/forecasts", params={"period": "2999-Q4"}, headers=OPS)
    assert fine.status_code == 200, fine.text


async def test_compensation_refuses_periods_off_the_calendar(compensation: RunningService) -> None:  # noqa: F811
    for period in OFF_CALENDAR:
        quota = await compensation.client.put(f"/v1/quotas/rep-1/{period}", headers=OPS,
                                              json={"amount": "100.00", "currency": "USD"})
        assert _names_period(quota), (period, quota.text)
        for path in (f"/v1/statements/rep-1/{period}", f"/v1/statements/teams/west/{period}"):
            response = await compensation.client.get(path, headers=OPS)
            assert _names_period(response), (path, response.text)
        listed = await compensation.client.get("/v1/commissions", params={"period": period}, headers=OPS)
        assert _names_period(listed), (period, listed.text)


async def test_pipeline_analytics_refuse_periods_off_the_calendar(pipeline: RunningService) -> None:  # noqa: F811
    for period in OFF_CALENDAR + LOOKALIKES:
        for path in ("/v1/analytics/funnel", "/v1/analytics/velocity", "/v1/analytics/bottlenecks"):
            response = await pipeline.client.get(path, params={"period": period}, headers=OPS)
            assert _names_period(response), (path, period, response.text)


@pytest.mark.unit
@pytest.mark.parametrize("period", OFF_CALENDAR + LOOKALIKES)
def test_every_period_parser_keeps_to_the_calendar(period: str) -> None:
    for parse in (FiscalCalendar(start_month=2).bounds, months_in, kind_of):
        with pytest.raises(InvalidInput):
            parse(period)
    # the edges that stay: 1900 (fiscal 1900 starting in February 1899) and 2999-Q4
    assert FiscalCalendar(start_month=2).bounds("1900")[0].isoformat() == "1899-02-01"
    assert FiscalCalendar().bounds("2999-Q4")[1].isoformat() == "2999-12-31"
