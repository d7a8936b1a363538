"""Times and dates in query strings are ISO 8601 text: a number there (read by pydantic as seconds since 1970)
is a client's bug, answered 422 naming the parameter."""
from __future__ import annotations

import pytest

from shared.testing.harness import RunningService
from tests.pipeline.conftest import OPS, clock, pipeline  # noqa: F401  (fixtures)
from tests.security.test_inputs_periods import forecast  # noqa: F401  (fixture)

pytestmark = pytest.mark.embedded


async def test_forecast_as_of_is_a_time(forecast: RunningService) -> None:  # noqa: F811
    for value in ("0.5", "1700000000"):
        r = await forecast.client.get("/v1/forecasts", headers=OPS, params={"period": "2026-Q4", "as_of": value})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.as_of", (value, r.text)
    fine = await forecast.client.get("/v1/forecasts", headers=OPS,
                                     params={"period": "2026-Q4", "as_of": "2026-10-01T00:00:00Z"})
    assert fine.status_code == 200, fine.text


async def test_deal_closing_dates_are_dates(pipeline: RunningService) -> None:  # noqa: F811
    for value in ("0", "1700000000"):
        r = await pipeline.client.get("/v1/deals", headers=OPS, params={"closing_from": value})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.closing_from", (value, r.text)
    assert (await pipeline.client.get("/v1/deals", headers=OPS, params={"closing_to": "2026-12-31"})).status_code == 200
