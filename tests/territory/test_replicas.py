"""Two replicas of territory on one database and one consumer group share the stored rotation: the row
lock on the territory serialises their turns, so equal weights still give every rep an equal share."""
from __future__ import annotations

from collections import Counter
from contextlib import AsyncExitStack
from datetime import UTC, datetime

from shared.events import catalog as ev
from shared.testing import build_event, eventually
from shared.testing.backends import KafkaBackend
from shared.testing.harness import running_service
from tests.territory.conftest import OPS, published


async def test_two_replicas_share_one_rotation(kafka_backend: KafkaBackend) -> None:
    backend = kafka_backend
    start = {"database_url": await backend.database_url("territory"), "platform": backend.platform}
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(running_service("territory", **start))
        await stack.enter_async_context(running_service("territory", **start))
        for rep_id in ("ana", "bo", "cy"):
            body = {"id": rep_id, "name": rep_id, "email": f"{rep_id}@example.com", "capacity": 50}
            assert (await first.client.post("/v1/reps", headers=OPS, json=body)).status_code == 201
        body = {"id": "all", "name": "All", "is_default": True, "rep_ids": ["ana", "bo", "cy"]}
        assert (await first.client.post("/v1/territories", headers=OPS, json=body)).status_code == 201
        for i in range(12):  # distinct keys spread over the partitions, so both replicas take some
            event = build_event("coxswain.lead.created.v1", ev.LeadCreated(
                lead_id=f"lead-{i}", country="US", created_at=datetime(2026, 11, 2, tzinfo=UTC)),
                subject=f"lead-{i}")
            await backend.produce_raw(backend.topic("coxswain.leads"), f"lead-{i}", event.model_dump_json().encode())
        routed = await eventually(lambda: published(backend, "coxswain.lead.routed.v1"),
                                  until=lambda es: len(es) >= 12)
    # Equal weights 50/50/50: every run of 3 turns gives each rep one lead, so 12 leads → 4 each.
    assert Counter(e["data"]["rep_id"] for e in routed) == {"ana": 4, "bo": 4, "cy": 4}
    assert len({e["subject"] for e in routed}) == 12
