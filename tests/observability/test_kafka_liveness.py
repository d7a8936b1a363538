"""On Kafka: a consumer that never joins its group (stall 1 of issue 10 in miniature) fails /livez once records
wait long enough, and a healthy one shows zero lag per partition; a fake clock stands in for the minutes."""
from __future__ import annotations

import asyncio

import pytest

from shared.clock import FixedClock
from shared.events import catalog as ev
from shared.messaging.kafka_consumer import KafkaConsumerRunner
from shared.testing import build_event, event_bytes, eventually
from shared.testing.backends import KafkaBackend
from shared.testing.harness import running_service
from tests.observability.conftest import T0, sample, scrape

pytestmark = pytest.mark.integration


async def _two_reps(backend: KafkaBackend) -> None:
    for rep in ("ana", "bo"):
        event = build_event("coxswain.rep.upserted.v1", subject=rep,
                            data=ev.RepUpserted(rep_id=rep, name=rep, email=f"{rep}@corp.example", capacity=5))
        await backend.produce_raw(backend.topic("coxswain.territory"), rep, event_bytes(event))


def _lag(samples: dict, group: str, topic: str) -> float:  # type: ignore[type-arg]
    return sum(v for (name, labels), v in samples.items() if name == "coxswain_consumer_lag"
               and ("group", group) in labels and ("topic", topic) in labels)


async def test_a_consumer_that_never_joins_fails_livez(kafka_backend: KafkaBackend,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    async def hangs_before_joining(self: KafkaConsumerRunner) -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(KafkaConsumerRunner, "run", hangs_before_joining)
    clock = FixedClock(T0)
    await _two_reps(kafka_backend)
    group, topic = kafka_backend.platform.group("leads"), kafka_backend.topic("coxswain.territory")
    async with running_service("leads", database_url=await kafka_backend.database_url("leads"),
                               platform=kafka_backend.platform, clock=clock, sla_sweep_seconds=3600) as leads:
        assert (await leads.client.get("/livez")).status_code == 200  # records wait, but only just
        assert _lag(await scrape(leads), group, topic) == 2  # nobody in the group: both records wait
        clock.advance(seconds=181)
        response = await leads.client.get("/livez")
        assert (response.status_code, response.json()["stuck"]) == (503, [f"consumer:{group}"])


async def test_a_healthy_consumer_shows_no_lag_and_stays_alive(kafka_backend: KafkaBackend) -> None:
    clock = FixedClock(T0)
    await _two_reps(kafka_backend)
    group, topic = kafka_backend.platform.group("leads"), kafka_backend.topic("coxswain.territory")
    async with running_service("leads", database_url=await kafka_backend.database_url("leads"),
                               platform=kafka_backend.platform, clock=clock, sla_sweep_seconds=3600) as leads:
        samples = await eventually(lambda: scrape(leads), until=lambda s: any(
            name == "coxswain_consumer_lag" for name, _ in s) and _lag(s, group, topic) == 0)
        assert sample(samples, "coxswain_events_consumed_total", type="coxswain.rep.upserted.v1",
                      outcome="handled") == 2
        clock.advance(seconds=181)
        assert (await leads.client.get("/livez")).status_code == 200  # nothing waits: nothing is stuck
