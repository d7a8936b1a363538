"""Each recalculation case through the service, figures worked by hand: the ledger appends the difference and
ends equal to the plan applied to the final facts (the statement's calculation and the simulator agree)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D
from typing import Any

import pytest

from shared.events import catalog as ev
from shared.testing import eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.compensation.conftest import CLOSED, OPS, WORKED_PLAN, closed, lines, send, setup_plan

pytestmark = pytest.mark.embedded
CLOSED_T, UPDATED_T, REOPENED_T = "coxswain.deal.closed.v1", "coxswain.deal.updated.v1", "coxswain.deal.reopened.v1"


async def _settled(client: Any, rep: str, total: str) -> dict[str, Any]:
    """The rep's Q4 statement once the ledger totals `total` and nothing is left to append."""
    async def probe() -> dict[str, Any]:
        return (await client.get(f"/v1/statements/{rep}/2026-Q4", headers=OPS)).json()  # type: ignore[no-any-return]
    return await eventually(probe, until=lambda s: s["total"] == total and s["calculation"]["difference"] == "0.00")


def _later(hours: int) -> Any:
    return CLOSED + timedelta(hours=hours)


async def test_reopen_and_reclose_at_another_amount_then_another_deal_changes(
        compensation: RunningService, embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await setup_plan(client, WORKED_PLAN, {"rep-1": "100000.00"})
    await send(embedded_backend, CLOSED_T, closed("a", "80000.00"), "a", 1)
    await send(embedded_backend, CLOSED_T, closed("b", "40000.00", at=_later(1)), "b", 1)
    await _settled(client, "rep-1", "13000.00")  # 8,000 + 2,000 + 3,000
    await send(embedded_backend, REOPENED_T, ev.DealReopened(deal_id="a", stage_id="s", reopened_at=_later(2)), "a", 2)
    await send(embedded_backend, CLOSED_T, closed("a", "60000.00", at=_later(3)), "a", 3)
    await send(embedded_backend, UPDATED_T, ev.DealUpdated(deal_id="b", amount=D("50000.00")), "b", 2)
    # final facts, in close order: b 50,000 (10% = 5,000), then a 60,000: 50,000 at 10% = 5,000 and 10,000 at
    # 15% = 1,500 → 11,500 (not what re-paying each change at its moment's standing would give)
    s = await _settled(client, "rep-1", "11500.00")
    assert [(x["deal_id"], x["tier"], x["amount"]) for x in s["calculation"]["lines"]] == [
        ("b", "0-100%", "5000.00"), ("a", "0-100%", "5000.00"), ("a", "100%+", "1500.00")]
    assert (s["credited"], s["attainment"]) == ("110000.00", "110.0000")
    draft = {**{k: WORKED_PLAN[k] for k in ("currency", "period_kind", "components")}, "period": "2026-Q4"}
    r = await client.post("/v1/plans/ae-2026/simulate", headers=OPS, json=draft)
    assert r.json()["reps"] == [{"rep_id": "rep-1", "current": "11500.00", "simulated": "11500.00",
                                 "difference": "0.00"}]
    assert all(x["reason"] for x in s["lines"])  # every line says why it was written


async def test_an_amount_up_and_down_across_a_tier_boundary(compensation: RunningService,
                                                           embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await setup_plan(client, WORKED_PLAN, {"rep-1": "100000.00"})
    await send(embedded_backend, CLOSED_T, closed("a", "80000.00"), "a", 1)
    await send(embedded_backend, CLOSED_T, closed("b", "10000.00", at=_later(1)), "b", 1)
    await _settled(client, "rep-1", "9000.00")  # 8,000 + 1,000
    await send(embedded_backend, UPDATED_T, ev.DealUpdated(deal_id="b", amount=D("30000.00")), "b", 2)
    # b at 30,000: 20,000 at 10% = 2,000 and 10,000 at 15% = 1,500 → +1,000 below 100% and +1,500 above
    await _settled(client, "rep-1", "11500.00")
    await send(embedded_backend, UPDATED_T, ev.DealUpdated(deal_id="b", amount=D("5000.00")), "b", 3)
    # b at 5,000: 500 → −1,500 below 100% and −1,500 above
    s = await _settled(client, "rep-1", "8500.00")
    assert [(x["deal_id"], x["tier"], x["base"], x["amount"]) for x in s["lines"]] == [
        ("a", "0-100%", "80000.00", "8000.00"), ("b", "0-100%", "10000.00", "1000.00"),
        ("b", "0-100%", "10000.00", "1000.00"), ("b", "100%+", "10000.00", "1500.00"),
        ("b", "0-100%", "-15000.00", "-1500.00"), ("b", "100%+", "-10000.00", "-1500.00")]


async def test_a_split_change_across_a_tier_boundary(compensation: RunningService,
                                                    embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await setup_plan(client, WORKED_PLAN, {"rep-1": "100000.00", "rep-2": "100000.00"})
    await send(embedded_backend, CLOSED_T, closed("a", "90000.00"), "a", 1)
    await send(embedded_backend, CLOSED_T, closed("b", "40000.00", [("rep-1", "50"), ("rep-2", "50")],
                                                  at=_later(1)), "b", 1)
    # rep-1: 9,000 on a; 20,000 of b takes them from 90% to 110%: 10,000 at 10% + 10,000 at 15% = 2,500
    await _settled(client, "rep-1", "11500.00")
    await _settled(client, "rep-2", "2000.00")  # 20,000 at 10%
    splits = [ev.Split(rep_id="rep-1", percent=D(25)), ev.Split(rep_id="rep-2", percent=D(75))]
    await send(embedded_backend, UPDATED_T, ev.DealUpdated(deal_id="b", splits=splits), "b", 2)
    # rep-1 now 10,000 of b, all below 100%: 1,000 (−1,500 above 100%); rep-2 30,000 at 10% = 3,000 (+1,000)
    s1 = await _settled(client, "rep-1", "10000.00")
    s2 = await _settled(client, "rep-2", "3000.00")
    assert [(x["tier"], x["amount"]) for x in s1["lines"][3:]] == [("100%+", "-1500.00")]
    assert [(x["tier"], x["amount"]) for x in s2["lines"]] == [("0-100%", "2000.00"), ("0-100%", "1000.00")]


async def test_a_quota_change_recalculates_the_period(compensation: RunningService,
                                                     embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await setup_plan(client, WORKED_PLAN, {"rep-1": "100000.00"})
    await send(embedded_backend, CLOSED_T, closed("a", "90000.00"), "a", 1)
    await _settled(client, "rep-1", "9000.00")
    r = await client.put("/v1/quotas/rep-1/2026-Q4", headers=OPS, json={"amount": "80000.00", "currency": "USD"})
    assert r.status_code == 200
    # quota 80,000: 80,000 at 10% = 8,000 and 10,000 at 15% = 1,500 → 9,500
    s = await _settled(client, "rep-1", "9500.00")
    assert [(x["tier"], x["amount"], x["reason"]) for x in s["lines"][1:]] == [
        ("0-100%", "-1000.00", "quota for 2026-Q4 set to 80000.00 USD"),
        ("100%+", "1500.00", "quota for 2026-Q4 set to 80000.00 USD")]
    assert s["attainment"] == "112.5000"  # 90,000 / 80,000


async def test_an_exchange_rate_correction_recalculates_deals_in_that_currency(
        compensation: RunningService, embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await setup_plan(client, {**WORKED_PLAN, "components": [{"kind": "rate", "name": "flat", "rate": "0.10"}]},
                     {"rep-1": None})
    await client.put("/v1/exchange-rates/EUR/USD/2026-11-01", headers=OPS, json={"rate": "1.08"})
    await send(embedded_backend, CLOSED_T, closed("e", "10000.00", currency="EUR"), "e", 1)
    await _settled(client, "rep-1", "1080.00")  # 10,800 USD at 10%
    await client.put("/v1/exchange-rates/EUR/USD/2026-11-01", headers=OPS, json={"rate": "1.10"})
    s = await _settled(client, "rep-1", "1100.00")  # corrected: 11,000 USD at 10%: +200 on +200 base
    assert [(x["base"], x["amount"]) for x in s["lines"]] == [("10800.00", "1080.00"), ("200.00", "20.00")]


async def test_a_new_plan_version_recalculates_the_deals_it_covers(compensation: RunningService,
                                                                  embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    flat = {**WORKED_PLAN, "components": [{"kind": "rate", "name": "flat", "rate": "0.10"}]}
    await setup_plan(client, flat, {"rep-1": None})
    await send(embedded_backend, CLOSED_T, closed("a", "1000.00"), "a", 1)  # closed 10 November
    await send(embedded_backend, CLOSED_T, closed("b", "1000.00", at=_later(24 * 10)), "b", 1)  # 20 November
    await _settled(client, "rep-1", "200.00")
    r = await client.post("/v1/plans/ae-2026/versions", headers=OPS, json={
        **{k: flat[k] for k in ("currency", "period_kind")}, "effective_from": "2026-11-15",
        "components": [{"kind": "rate", "name": "flat", "rate": "0.25"}]})
    assert r.status_code == 201
    # a keeps version 1 (10% = 100); b falls under version 2 from the 15th: 25% = 250, +150
    s = await _settled(client, "rep-1", "350.00")
    assert [(x["deal_id"], x["amount"], x["plan_version"]) for x in s["lines"]] == [
        ("a", "100.00", 1), ("b", "100.00", 1), ("b", "150.00", 2)]
    assert await lines(client, deal_id="a") == s["lines"][:1]


async def test_month_quotas_inside_the_quarter_count_toward_it(compensation: RunningService,
                                                              embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await setup_plan(client, WORKED_PLAN, {"rep-1": None})
    await send(embedded_backend, CLOSED_T, closed("a", "100000.00"), "a", 1)
    pending = await eventually(lambda: client.get("/v1/commissions/pending", headers=OPS),
                               until=lambda r: r.json()["items"] != [])
    assert pending.json()["items"][0]["reason"] == "no quota for rep-1 in 2026-Q4"
    for month in ("2026-10", "2026-11", "2026-12"):
        r = await client.put(f"/v1/quotas/rep-1/{month}", headers=OPS, json={"amount": "30000.00", "currency": "USD"})
        assert r.status_code == 200
    # Q4's quota is the months' 90,000 (as forecast and coverage read it): 90,000 at 10% = 9,000 and 10,000 at
    # 15% = 1,500; attainment 100,000 / 90,000 = 111.1111%
    s = await _settled(client, "rep-1", "10500.00")
    assert (s["quota"], s["attainment"]) == ("90000.00", "111.1111")
