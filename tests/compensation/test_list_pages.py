"""Compensation's lists are pages `{items, next_cursor}` like every other list (they were bare arrays)."""
from __future__ import annotations

from typing import Any

import pytest

from shared.testing.harness import RunningService
from tests.compensation.conftest import OPS, WORKED_PLAN

pytestmark = pytest.mark.embedded


async def _walk(client: Any, path: str, key: str) -> list[list[str]]:
    """The keys of each page of `path`, two at a time, following next_cursor to the end."""
    pages: list[list[str]] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        answer = await client.get(path, headers=OPS, params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert set(page) == {"items", "next_cursor"}
        pages.append([str(item[key]) for item in page["items"]])
        if page["next_cursor"] is None:
            return pages
        params = {"limit": 2, "cursor": page["next_cursor"]}


async def test_plans_periods_and_rates_come_in_pages(compensation: RunningService) -> None:
    c = compensation.client
    for plan_id in ("p-c", "p-a", "p-b"):
        assert (await c.post("/v1/plans", headers=OPS, json={**WORKED_PLAN, "id": plan_id})).status_code == 201
    for period in ("2026-03", "2026-01", "2026-02"):
        assert (await c.post(f"/v1/periods/{period}/close", headers=OPS)).status_code == 200
    for day in ("2026-10-03", "2026-10-01", "2026-10-02"):
        assert (await c.put(f"/v1/exchange-rates/EUR/USD/{day}", headers=OPS, json={"rate": "1.1"})).status_code == 200
    # three of each, two per page: [first two in order], [the third]
    assert await _walk(c, "/v1/plans", "id") == [["p-a", "p-b"], ["p-c"]]
    assert await _walk(c, "/v1/periods", "period") == [["2026-01", "2026-02"], ["2026-03"]]
    assert await _walk(c, "/v1/exchange-rates", "effective_on") == [["2026-10-01", "2026-10-02"], ["2026-10-03"]]
    assert (await c.get("/v1/inquiries", headers=OPS)).json() == {"items": [], "next_cursor": None}
    assert (await c.get("/v1/commissions/pending", headers=OPS)).json() == {"items": [], "next_cursor": None}
    for rep_id in ("rep-a", "rep-b", "rep-c"):
        r = await c.post("/v1/plans/p-a/assignments", headers=OPS, json={"rep_id": rep_id, "starts_on": "2026-01-01"})
        assert r.status_code == 201, r.text
    for period in ("2026-Q1", "2026-Q2", "2026-Q3"):
        r = await c.put(f"/v1/quotas/rep-a/{period}", headers=OPS, json={"amount": "100.00", "currency": "USD"})
        assert r.status_code == 200, r.text
    assert await _walk(c, "/v1/plans/p-a/assignments", "rep_id") == [["rep-a", "rep-b"], ["rep-c"]]
    assert await _walk(c, "/v1/quotas/rep-a", "period") == [["2026-Q1", "2026-Q2"], ["2026-Q3"]]
    crafted = await c.get("/v1/plans", headers=OPS, params={"cursor": "eyJvZmZzZXQiOjF9"})  # {"offset":1}
    assert (crafted.status_code, crafted.json()["errors"][0]["field"]) == (400, "cursor")
