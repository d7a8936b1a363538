"""A service started while the broker is away creates its topics, as configured, once the broker is back, and
neither publishes nor subscribes before: the broker must never auto-create a domain topic with its own
7-day retention (a metadata request from a producer or a consumer would).

Runs its own broker (deploy/kafka scripts, private data dir and ports) so stopping it disturbs no other test."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from shared.messaging.kafka import topic_configs
from shared.testing import eventually
from shared.testing.backends import KafkaBackend
from tests.integration.spine_fixture import quota_event, tally_count, tally_runtime

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("COXSWAIN_TEST_TOPICS_KAFKA_PORT", "19210"))
ENV = {**os.environ, "COXSWAIN_INFRA_DIR": str(ROOT / ".infra" / "topics"), "COXSWAIN_KAFKA_PORT": str(PORT),
       "COXSWAIN_KAFKA_CONTROLLER_PORT": str(PORT + 1)}


def _broker(action: str) -> None:
    subprocess.run(["bash", str(ROOT / "deploy" / "kafka" / f"{action}.sh")], env=ENV, check=True,
                   stdout=subprocess.DEVNULL, timeout=300)


async def test_topics_wait_for_the_broker_and_carry_their_retention(kafka_backend: KafkaBackend) -> None:
    _broker("stop")  # a broker left over from an interrupted run
    platform = kafka_backend.platform.model_copy(update={"kafka_bootstrap": f"127.0.0.1:{PORT}"})
    try:
        async with tally_runtime(await kafka_backend.database_url("compensation"), platform, name="compensation",
                                 consume=False) as producer, \
                tally_runtime(await kafka_backend.database_url("forecast"), platform) as consumer:
            async with producer.uow() as uow:
                await uow.emit("coxswain.quota.set.v1", subject="ana", data=quota_event("ana", 1, 1).data)
                await uow.commit()
            _broker("start")
            await eventually(producer.relay.pending, until=lambda n: n == 0, timeout=180)
            await eventually(lambda: tally_count(consumer), until=lambda n: n == 1, timeout=180)
            topics = [platform.topic(t) for t in ("coxswain.compensation", "coxswain.pipeline")]
            configs = await topic_configs(platform.kafka_bootstrap, topics)
            # Created by the project (forever), not auto-created by the broker (log.retention.hours=168).
            assert [configs[t]["retention.ms"] for t in topics] == ["-1", "-1"]
    finally:
        _broker("stop")
