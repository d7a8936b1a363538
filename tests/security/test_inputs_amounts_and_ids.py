"""Amounts with a third decimal and rates like 1e400 are a 422 naming the field at the API (not an error in the
database layer), and integer ids beyond a bigint are a 422, on compensation and forecast."""
from __future__ import annotations

import pytest

from shared.testing.harness import RunningService
from tests.compensation.conftest import OPS, WORKED_PLAN, compensation  # noqa: F401  (fixture)
from tests.security.test_inputs_periods import forecast  # noqa: F401  (fixture)

pytestmark = pytest.mark.embedded
HUGE = 2**70


def fields_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["field"] for e in response.json()["errors"]]


async def test_huge_inquiry_and_line_ids_are_a_422(compensation: RunningService) -> None:  # noqa: F811
    c = compensation.client
    for method, path, body in (("POST", f"/v1/commissions/{HUGE}/inquiries", {"comment": "?"}),
                               ("GET", f"/v1/commissions/{HUGE}/inquiries", None),
                               ("POST", f"/v1/inquiries/{HUGE}/messages", {"comment": "?"}),
                               ("POST", f"/v1/inquiries/{HUGE}/resolve", {"comment": "?", "resolution": "reject"})):
        response = await c.request(method, path, headers=OPS, json=body)
        assert response.status_code == 422, (path, response.text)
    missing = await c.post(f"/v1/inquiries/{2**63 - 1}/messages", headers=OPS, json={"comment": "?"})
    assert missing.status_code == 404  # the largest id is an id: it is just not there


async def test_an_inquiry_adjustment_has_cents_at_most(compensation: RunningService) -> None:  # noqa: F811
    body = {"comment": "fixed", "resolution": "adjust", "amount": "10.005"}
    response = await compensation.client.post("/v1/inquiries/1/resolve", headers=OPS, json=body)
    assert response.status_code == 422 and fields_of(response) == ["amount"], response.text


async def test_a_plan_rate_of_1e400_is_a_422(compensation: RunningService) -> None:  # noqa: F811
    for rate in ("1e400", "-1e400", "1E+16", "NaN"):
        plan = {**WORKED_PLAN, "id": "p-rate", "components": [{"kind": "rate", "name": "base", "rate": rate}]}
        response = await compensation.client.post("/v1/plans", headers=OPS, json=plan)
        assert response.status_code == 422 and fields_of(response) == ["components[0].rate"], (rate, response.text)
    raw = b'{"id": "p-raw", "name": "R", "effective_from": "2026-01-01", "currency": "USD", "period_kind": "quarter",' \
          b' "components": [{"kind": "rate", "name": "base", "rate": 1e400}]}'
    response = await compensation.client.post("/v1/plans", headers={**OPS, "content-type": "application/json"},
                                              content=raw)
    assert response.status_code == 422, response.text


async def test_a_forecast_adjustment_has_cents_at_most(forecast: RunningService) -> None:  # noqa: F811
    body = {"period": "2026-Q4", "group_by": "rep", "group": "rep-1", "amount": "5500.001", "currency": "USD",
            "note": "why"}
    response = await forecast.client.post("/v1/adjustments", headers=OPS, json=body)
    assert response.status_code == 422 and fields_of(response) == ["amount"], response.text


async def test_amounts_beyond_their_column_are_a_422(compensation: RunningService) -> None:  # noqa: F811
    twenty_digits = "9" * 20  # numeric(20, 2) holds 18 digits before the point
    quota = await compensation.client.put("/v1/quotas/rep-1/2026-Q4", headers=OPS,
                                          json={"amount": twenty_digits, "currency": "USD"})
    assert quota.status_code == 422 and fields_of(quota) == ["amount"], quota.text
    # numeric(20, 8) holds 12 digits before the point; Money alone lets 14 through
    rate = await compensation.client.put("/v1/exchange-rates/EUR/USD/2026-01-01", headers=OPS,
                                         json={"rate": "9" * 13})
    assert rate.status_code == 422 and fields_of(rate) == ["rate"], rate.text
    fine = await compensation.client.put("/v1/quotas/rep-1/2026-Q4", headers=OPS,
                                         json={"amount": "9" * 14 + ".99", "currency": "USD"})
    assert fine.status_code == 200, fine.text
