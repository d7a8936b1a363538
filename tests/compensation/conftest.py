"""The compensation service on the embedded bus, a fixed clock, and helpers to drive it with deal events."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from shared.clock import FixedClock
from shared.events import catalog as ev
from shared.testing import auth_headers, build_event, eventually
from shared.testing.backends import Backend, EmbeddedBackend
from shared.testing.harness import RunningService, running_service

OPS = auth_headers("ops")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CLOSED = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
LATER = CLOSED + timedelta(hours=1)  # deals are calculated in close order: the worked example's 40k is second
WORKED_PLAN = {"id": "ae-2026", "name": "AE 2026", "effective_from": "2026-01-01", "currency": "USD",
               "period_kind": "quarter", "components": [
                   {"kind": "tiers", "name": "quota", "mode": "marginal",
                    "tiers": [{"from": "0", "rate": "0.10"}, {"from": "100", "rate": "0.15"}]}]}


@pytest.fixture
async def compensation(embedded_backend: EmbeddedBackend) -> AsyncIterator[RunningService]:
    async with running_service("compensation", database_url=await embedded_backend.database_url("compensation"),
                               platform=embedded_backend.platform, embedded_bus=embedded_backend.embedded_bus,
                               clock=FixedClock(NOW)) as service:
        yield service


async def setup_plan(client: Any, plan: dict[str, Any], reps: dict[str, str | None]) -> None:
    """The plan, assigned from 1 January to each rep, with their quota for 2026-Q4 (None: no quota)."""
    assert (await client.post("/v1/plans", headers=OPS, json=plan)).status_code == 201
    for rep_id, quota in reps.items():
        r = await client.post(f"/v1/plans/{plan['id']}/assignments", headers=OPS,
                              json={"rep_id": rep_id, "starts_on": "2026-01-01"})
        assert r.status_code == 201, r.text
        if quota is not None:
            r = await client.put(f"/v1/quotas/{rep_id}/2026-Q4", headers=OPS,
                                 json={"amount": quota, "currency": plan["currency"]})
            assert r.status_code == 200, r.text


def closed(deal_id: str, amount: str, splits: list[tuple[str, str]] | None = None, outcome: str = "won",
           currency: str = "USD", at: datetime = CLOSED, **extra: Any) -> ev.DealClosed:
    return ev.DealClosed(deal_id=deal_id, outcome=outcome, amount=Decimal(amount), currency=currency,  # type: ignore
                         owner_id=(splits or [("rep-1", "100")])[0][0], created_at=at, closed_at=at,
                         splits=[ev.Split(rep_id=r, percent=Decimal(p)) for r, p in splits or []], **extra)


async def send(backend: Backend, event_type: str, data: Any, subject: str, sequence: int,
               raw: bytes | None = None) -> bytes:
    value = raw or build_event(event_type, data, subject=subject, sequence=sequence).model_dump_json().encode()
    await backend.produce_raw(backend.topic("coxswain.pipeline"), subject, value)
    return value


async def lines(client: Any, **params: Any) -> list[dict[str, Any]]:
    r = await client.get("/v1/commissions", headers=OPS, params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


async def lines_until(client: Any, count: int, **params: Any) -> list[dict[str, Any]]:
    return await eventually(lambda: lines(client, **params), until=lambda xs: len(xs) >= count)


async def published(backend: Backend, event_type: str) -> list[dict[str, Any]]:
    records = await backend.read_topic(backend.topic("coxswain.compensation"))
    return [e for e in (json.loads(r.value) for r in records if r.value) if e["type"] == event_type]
