"""On both buses (embedded + SQLite, Kafka + PostgreSQL): a deal.closed event produced raw onto the pipeline
topic becomes a statement line, a redelivery pays once, a reopen claws it back; and the same from a deal
closed and reopened in the pipeline service."""
from __future__ import annotations

from contextlib import AsyncExitStack
from decimal import Decimal as D

from shared.clock import FixedClock
from shared.events import catalog as ev
from shared.testing import eventually
from shared.testing.backends import Backend
from shared.testing.harness import running_service
from tests.compensation.conftest import LATER, NOW, OPS, WORKED_PLAN, closed, published, send, setup_plan


async def _statement(client: object, rep_id: str, period: str, count: int) -> dict:
    async def probe() -> dict:
        r = await client.get(f"/v1/statements/{rep_id}/{period}", headers=OPS)  # type: ignore[attr-defined]
        return r.json()  # type: ignore[no-any-return]
    return await eventually(probe, until=lambda s: len(s["lines"]) >= count)


async def test_raw_deal_events_to_a_statement_line_and_back(backend: Backend) -> None:
    async with running_service("compensation", database_url=await backend.database_url("compensation"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus,
                               clock=FixedClock(NOW)) as compensation:
        client = compensation.client
        await setup_plan(client, WORKED_PLAN, {"rep-1": "100000.00"})
        raw = await send(backend, "coxswain.deal.closed.v1", closed("d-80", "80000.00"), "d-80", 1)
        await send(backend, "coxswain.deal.closed.v1", None, "d-80", 1, raw=raw)  # delivered twice
        await _statement(client, "rep-1", "2026-Q4", 1)  # deals on other keys may be consumed in any order
        await send(backend, "coxswain.deal.closed.v1", closed("d-40", "40000.00", at=LATER), "d-40", 1)
        s = await _statement(client, "rep-1", "2026-Q4", 3)
        # 8,000 on the 80,000; 2,000 + 3,000 on the 40,000 across the 100% tier: 13,000, paid once
        assert [(x["deal_id"], x["amount"]) for x in s["lines"]] == [
            ("d-80", "8000.00"), ("d-40", "2000.00"), ("d-40", "3000.00")]
        assert (s["total"], s["attainment"]) == ("13000.00", "120.0000")
        await send(backend, "coxswain.deal.reopened.v1", ev.DealReopened(
            deal_id="d-40", stage_id="s1", reopened_at=NOW), "d-40", 2)
        s = await _statement(client, "rep-1", "2026-Q4", 5)
        # clawback −2,000 − 3,000 = −5,000: 8,000 left, attainment back to 80%
        assert [x["amount"] for x in s["lines"][3:]] == ["-2000.00", "-3000.00"]
        assert (s["total"], s["attainment"]) == ("8000.00", "80.0000")
        # the first event once more, then a reopen on the same key (so consumed after it): only the reopen counts
        await send(backend, "coxswain.deal.closed.v1", None, "d-80", 1, raw=raw)
        await send(backend, "coxswain.deal.reopened.v1", ev.DealReopened(
            deal_id="d-80", stage_id="s1", reopened_at=NOW), "d-80", 2)
        s = await _statement(client, "rep-1", "2026-Q4", 6)
        assert [x["amount"] for x in s["lines"]] == ["8000.00", "2000.00", "3000.00", "-2000.00", "-3000.00",
                                                     "-8000.00"]
        assert (s["total"], s["attainment"]) == ("0.00", "0.0000")
        events = await eventually(lambda: published(backend, "coxswain.commission.reversed.v1"),
                                  until=lambda es: len(es) >= 2)
        assert sorted((e["data"]["deal_id"], e["data"]["amount"]) for e in events) == [
            ("d-40", "-5000.00"), ("d-80", "-8000.00")]
        quota_set = await published(backend, "coxswain.quota.set.v1")
        assert [(e["data"]["rep_id"], e["data"]["period"], e["data"]["amount"]) for e in quota_set] == [
            ("rep-1", "2026-Q4", "100000.00")]


async def test_a_deal_closed_and_reopened_in_pipeline(backend: Backend) -> None:
    async with AsyncExitStack() as stack:
        pipeline, compensation = [await stack.enter_async_context(running_service(
            name, database_url=await backend.database_url(name), platform=backend.platform,
            embedded_bus=backend.embedded_bus)) for name in ("pipeline", "compensation")]
        plan = {**WORKED_PLAN, "period_kind": "year", "effective_from": "2000-01-01",
                "components": [{"kind": "rate", "name": "flat", "rate": "0.10"}]}
        await setup_plan(compensation.client, plan, {"rep-1": None, "rep-2": None})
        deal = (await pipeline.client.post("/v1/deals", headers=OPS, json={
            "name": "Acme", "amount": "12345.67", "currency": "USD", "owner_id": "rep-1",
            "splits": [{"rep_id": "rep-1", "percent": "70"}, {"rep_id": "rep-2", "percent": "30"}]})).json()
        won = await pipeline.client.post(f"/v1/deals/{deal['id']}/close", headers=OPS, json={"outcome": "won"})
        assert won.status_code == 200, won.text
        year = won.json()["closed_at"][:4]
        s = await _statement(compensation.client, "rep-1", year, 1)
        # 70% of 12,345.67 = 8,641.969 → base 8,641.97; × 10% = 864.197 → 864.20
        assert [(x["base"], x["amount"]) for x in s["lines"]] == [("8641.97", "864.20")]
        s2 = await _statement(compensation.client, "rep-2", year, 1)
        # 30% = 3,703.701 → 3,703.70; × 10% = 370.37
        assert [(x["base"], x["amount"]) for x in s2["lines"]] == [("3703.70", "370.37")]
        reopened = await pipeline.client.post(f"/v1/deals/{deal['id']}/reopen", headers=OPS, json={})
        assert reopened.status_code == 200, reopened.text
        s = await _statement(compensation.client, "rep-1", year, 2)
        assert [x["amount"] for x in s["lines"]] == ["864.20", "-864.20"] and D(s["total"]) == 0
