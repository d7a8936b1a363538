"""/metrics exposes what an operator alerts on, with the values a few events leave behind."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shared.db.plumbing import processed_events
from shared.events import catalog as ev
from shared.testing import build_event, event_bytes, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.leads.conftest import OPS
from tests.observability.conftest import T0, sample, scrape

pytestmark = pytest.mark.embedded


async def _handled(service: RunningService) -> int:
    async with service.runtime.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(processed_events))).scalar_one())


async def test_metrics_after_a_few_events(leads: RunningService, embedded_backend: EmbeddedBackend) -> None:
    for rep in ("ana", "bo", "cy"):
        event = build_event("coxswain.rep.upserted.v1", subject=rep, data=ev.RepUpserted(
            rep_id=rep, name=rep, email=f"{rep}@corp.example", capacity=5))
        await embedded_backend.produce_raw("coxswain.territory", rep, event_bytes(event))
    await embedded_backend.produce_raw("coxswain.territory", "junk", b"not json")
    created = await leads.client.post("/v1/leads", headers=OPS, json={"email": "pat@prospect.example"})
    assert created.status_code == 201, created.text
    await eventually(lambda: _handled(leads), until=lambda n: n == 3)
    await eventually(leads.runtime.relay.pending, until=lambda n: n == 0)
    dead = await eventually(lambda: embedded_backend.read_topic("coxswain.territory.dlq.leads"))

    samples = await scrape(leads)
    rep_upserted = "coxswain.rep.upserted.v1"
    assert sample(samples, "coxswain_handler_seconds_count", type=rep_upserted) == 3
    assert sample(samples, "coxswain_events_consumed_total", type=rep_upserted, outcome="handled") == 3
    assert len(dead) == 1
    assert sample(samples, "coxswain_events_dead_lettered_total", topic="coxswain.territory") == 1
    # Three handled and one dead-lettered: nothing waits on the only partition of the embedded topic.
    assert sample(samples, "coxswain_consumer_lag", group="leads", topic="coxswain.territory", partition="0") == 0
    assert sample(samples, "coxswain_consumer_last_progress_timestamp_seconds", group="leads") == T0.timestamp()
    assert sample(samples, "coxswain_outbox_published_total") == 1  # lead.created, and nothing else
    assert sample(samples, "coxswain_relay_publish_seconds_count") >= 1
    assert sample(samples, "coxswain_relay_last_progress_timestamp_seconds") == T0.timestamp()
    assert sample(samples, "coxswain_outbox_depth") == 0
    assert sample(samples, "coxswain_outbox_oldest_age_seconds") == 0
    assert sample(samples, "coxswain_idempotency_keys_in_progress") == 0
    assert sample(samples, "coxswain_worker_stuck", worker="relay") == 0
    assert sample(samples, "coxswain_worker_stuck", worker="consumer:leads") == 0
    assert sample(samples, "process_cpu_seconds_total") > 0


async def test_outbox_depth_and_age_while_the_relay_cannot_publish(leads: RunningService, clock) -> None:  # type: ignore[no-untyped-def]
    async def broker_away(records: object) -> None:
        raise ConnectionError("broker away")

    leads.runtime.publisher.publish = broker_away  # type: ignore[method-assign]
    for email in ("a@prospect.example", "b@prospect.example"):
        assert (await leads.client.post("/v1/leads", headers=OPS, json={"email": email})).status_code == 201
    clock.advance(seconds=90)
    samples = await scrape(leads)
    assert sample(samples, "coxswain_outbox_depth") == 2
    assert sample(samples, "coxswain_outbox_oldest_age_seconds") == 90  # written at T0, read at T0 + 90 s
    assert sample(samples, "coxswain_outbox_publish_failures_total") >= 1
