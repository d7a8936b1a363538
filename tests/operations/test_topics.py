"""Topics are created by the project as configured: domain topics keep events forever, dead-letter topics
have their own retention, and the replication factor is 1 only in development and test."""
from __future__ import annotations

import uuid

import pytest
from aiokafka.errors import InvalidReplicationFactorError

from shared.messaging.kafka import topic_configs
from shared.operations.topics import create_topics, planned_topics
from shared.settings import PlatformSettings

pytestmark = pytest.mark.integration


def _platform(bootstrap: str, **settings: object) -> PlatformSettings:
    return PlatformSettings(bus="kafka", kafka_bootstrap=bootstrap, environment="test",
                            namespace=f"t{uuid.uuid4().hex[:10]}", **settings)  # type: ignore[arg-type]


async def test_created_topics_carry_the_configured_retention(infrastructure: dict[str, str]) -> None:
    platform = _platform(infrastructure["kafka"], dlq_retention_hours=48, kafka_partitions=2)
    created = await create_topics(platform, [("forecast", ["coxswain.pipeline", "coxswain.territory"])])
    ns = platform.namespace
    # Five domain topics and forecast's two dead-letter topics.
    assert len(created) == 7
    domain, dlq = f"{ns}.coxswain.pipeline", f"{ns}.coxswain.pipeline.dlq.{ns}-forecast"
    configs = await topic_configs(platform.kafka_bootstrap, [domain, dlq])
    assert configs[domain]["retention.ms"] == "-1"  # kept forever: a rebuild replays it
    assert configs[dlq]["retention.ms"] == str(48 * 3_600_000)  # 172,800,000 ms
    assert configs[domain]["min.insync.replicas"] == "1"
    assert await create_topics(platform, [("forecast", ["coxswain.pipeline"])]) == []  # idempotent


async def test_a_replication_factor_the_cluster_cannot_hold_is_refused_not_ignored(
        infrastructure: dict[str, str]) -> None:
    # One local broker: three replicas cannot be placed, and the broker's answer must surface.
    platform = _platform(infrastructure["kafka"], kafka_replication_factor=3)
    with pytest.raises(InvalidReplicationFactorError):
        await create_topics(platform, [])


@pytest.mark.unit
def test_replication_is_one_only_in_development_and_test() -> None:
    def factor(**s: object) -> tuple[int, int]:
        p = PlatformSettings(jwt_secret="x" * 32, webhook_secret="y" * 32, **s)  # type: ignore[arg-type]
        return p.replication_factor, p.min_insync_replicas

    assert factor(environment="development") == (1, 1)
    assert factor(environment="test") == (1, 1)
    assert factor(environment="production") == (3, 2)  # acks=all then needs two copies of every record
    assert factor(environment="production", kafka_replication_factor=5) == (5, 4)
    plan = planned_topics(PlatformSettings(environment="production", jwt_secret="x" * 32, webhook_secret="y" * 32,
                                           log_retention_hours=24), [("leads", ["coxswain.territory"])])
    assert {(s.name, s.replication_factor, s.config["retention.ms"]) for s in plan} >= {
        ("coxswain.leads", 3, "86400000"), ("coxswain.territory.dlq.leads", 3, str(14 * 24 * 3_600_000))}


def test_the_topics_command_creates_every_domain_and_dead_letter_topic(infrastructure: dict[str, str]) -> None:
    from typer.testing import CliRunner

    from shared.cli import cli

    ns = f"t{uuid.uuid4().hex[:10]}"
    env = {"COXSWAIN_BUS": "kafka", "COXSWAIN_KAFKA_BOOTSTRAP": infrastructure["kafka"], "COXSWAIN_NAMESPACE": ns,
           "COXSWAIN_ENVIRONMENT": "test", "COLUMNS": "200"}
    first = CliRunner().invoke(cli, ["topics", "create"], env=env)
    assert first.exit_code == 0, first.output
    rows = [line for line in first.output.splitlines() if f"{ns}.coxswain." in line]
    # 5 domain topics + one DLQ per (group, topic read): compensation 2, forecast 3, leads 1, pipeline 2,
    # territory 3 = 16 topics, all new.
    assert len(rows) == 16 and all("created" in line for line in rows)
    assert sum("-1" in line for line in rows) == 5  # the domain topics keep their events forever
    again = CliRunner().invoke(cli, ["topics", "create"], env=env)
    assert again.output.count("existed") == 16
