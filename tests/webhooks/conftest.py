"""The leads service (any service would do: the webhooks are shared plumbing) with a partner's receiver."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.clock import FixedClock
from shared.testing import auth_headers, eventually
from shared.testing.backends import Backend
from shared.testing.harness import RunningService, running_service
from shared.webhooks_out.policy import WebhookPolicy
from tests.webhooks.receiver import Receiver, running_receiver

OPS = auth_headers("ops")
INTEGRATION = auth_headers("integration")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LEAD_CREATED = "coxswain.lead.created.v1"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver() as running:
        yield running


@pytest.fixture
async def leads(backend: Backend, clock: FixedClock) -> AsyncIterator[RunningService]:
    async with running_service("leads", database_url=await backend.database_url("leads"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus, clock=clock,
                               sla_sweep_seconds=3600) as service:
        # Poll often: the test moves the clock, and the worker should notice within moments.
        service.runtime.webhooks.policy = WebhookPolicy(poll_seconds=0.05)
        yield service


async def subscribe(service: RunningService, receiver: Receiver, **fields: Any) -> dict[str, Any]:
    response = await service.client.post("/v1/webhook-subscriptions", headers=INTEGRATION,
                                         json={"url": receiver.url, "event_types": [LEAD_CREATED], **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    receiver.secret = fields.get("secret") or body["secret"]
    return body


async def capture_lead(service: RunningService, email: str) -> None:
    lead = {"email": email, "name": email.split("@")[0].title()}  # distinct names: leads merges look-alikes
    response = await service.client.post("/v1/leads", headers=OPS, json=lead)
    assert response.status_code == 201, response.text


async def deliveries(service: RunningService, subscription_id: str) -> list[dict[str, Any]]:
    response = await service.client.get(f"/v1/webhook-subscriptions/{subscription_id}/deliveries", headers=OPS)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def the_delivery_once(service: RunningService, subscription_id: str, *, attempts: int) -> dict[str, Any]:
    """The subscription's only delivery, once it has been attempted this many times."""
    (delivery,) = await eventually(lambda: deliveries(service, subscription_id),
                                   until=lambda ds: len(ds) == 1 and ds[0]["attempts"] >= attempts, timeout=30)
    assert delivery["attempts"] == attempts, delivery
    return delivery
