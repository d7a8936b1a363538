"""A deal closed in pipeline reaches forecast's projection and compensation's ledger, through the bus."""
from __future__ import annotations

from contextlib import AsyncExitStack

from shared.testing import auth_headers, eventually
from shared.testing.backends import Backend
from shared.testing.harness import running_service

OPS = auth_headers("ops")


async def test_closing_a_deal_reaches_forecast_and_compensation(backend: Backend) -> None:
    async with AsyncExitStack() as stack:
        services = {}
        for name in ("pipeline", "forecast", "compensation"):
            services[name] = await stack.enter_async_context(running_service(
                name, database_url=await backend.database_url(name), platform=backend.platform,
                embedded_bus=backend.embedded_bus))
        pipeline, forecast, compensation = services["pipeline"], services["forecast"], services["compensation"]

        plan = await compensation.client.post("/v1/plans", headers=OPS, json={
            "id": "ae-flat", "name": "AE flat", "effective_from": "2000-01-01", "currency": "USD",
            "period_kind": "quarter", "components": [{"kind": "rate", "name": "flat", "rate": "0.10"}]})
        assert plan.status_code == 201, plan.text
        for rep_id in ("rep-1", "rep-2"):
            assigned = await compensation.client.post("/v1/plans/ae-flat/assignments", headers=OPS,
                                                      json={"rep_id": rep_id, "starts_on": "2000-01-01"})
            assert assigned.status_code == 201, assigned.text

        created = await pipeline.client.post("/v1/deals", headers=OPS, json={
            "name": "Acme renewal", "amount": "80000.00", "currency": "USD", "owner_id": "rep-1",
            "splits": [{"rep_id": "rep-1", "percent": "60"}, {"rep_id": "rep-2", "percent": "40"}]})
        assert created.status_code == 201, created.text
        deal = created.json()
        closed = await pipeline.client.post(f"/v1/deals/{deal['id']}/close", headers=OPS, json={"outcome": "won"})
        assert closed.status_code == 200, closed.text
        quarter = closed.json()["closed_at"][:4] + "-Q" + str((int(closed.json()["closed_at"][5:7]) - 1) // 3 + 1)

        async def forecast_rows(crediting: str = "owner") -> list[dict]:
            r = await forecast.client.get("/v1/forecasts", params={"period": quarter, "crediting": crediting},
                                          headers=OPS)
            return r.json()["items"]

        rows = await eventually(forecast_rows, until=lambda items: any(r["closed_won"] != "0.00" for r in items))
        assert [(r["group"], r["currency"], r["closed_won"]) for r in rows] == [("rep-1", "USD", "80000.00")]
        # the splits view (the default): 60% and 40% of 80,000.00, as compensation credits them below
        rows = await forecast_rows("splits")
        assert [(r["group"], r["currency"], r["closed_won"]) for r in rows] == [
            ("rep-1", "USD", "48000.00"), ("rep-2", "USD", "32000.00")]

        async def ledger() -> list[dict]:
            r = await compensation.client.get("/v1/commissions", headers=OPS)
            return r.json()["items"]

        lines = await eventually(ledger, until=lambda items: len(items) >= 2)
        # 60% and 40% of 80,000.00 under plan ae-flat (10%): 4,800.00 and 3,200.00, plan version 1.
        assert sorted((x["rep_id"], x["base"], x["amount"], x["component"], x["plan_version"]) for x in lines) == [
            ("rep-1", "48000.00", "4800.00", "flat", 1), ("rep-2", "32000.00", "3200.00", "flat", 1)]
        assert {x["period"] for x in lines} == {quarter}
