"""The topics the project creates on Kafka, as configured: partitions, replication and retention.

Domain topics (coxswain.<service>) keep their events forever by default: the log is what a rebuild
replays. Dead-letter topics (<topic>.dlq.<group>) keep theirs for COXSWAIN_DLQ_RETENTION_HOURS. Replication
is 1 only in development and test; elsewhere 3 unless COXSWAIN_KAFKA_REPLICATION_FACTOR says otherwise.
"""
from __future__ import annotations

from collections.abc import Iterable

from shared.events.registry import SERVICES, dead_letter_topic
from shared.messaging.kafka import TopicSpec, ensure_topics
from shared.settings import PlatformSettings

FOREVER = "-1"


def _hours_ms(hours: float | None) -> str:
    return FOREVER if hours is None else str(int(hours * 3_600_000))


def domain_topic(platform: PlatformSettings, name: str) -> TopicSpec:
    return TopicSpec(name, platform.kafka_partitions, platform.replication_factor, {
        "retention.ms": _hours_ms(platform.log_retention_hours),
        "cleanup.policy": "delete",
        "min.insync.replicas": str(platform.min_insync_replicas),
    })


def dlq_topic(platform: PlatformSettings, name: str) -> TopicSpec:
    return TopicSpec(name, platform.kafka_partitions, platform.replication_factor, {
        "retention.ms": _hours_ms(platform.dlq_retention_hours),
        "cleanup.policy": "delete",
        "min.insync.replicas": str(platform.min_insync_replicas),
    })


def planned_topics(platform: PlatformSettings, consumers: Iterable[tuple[str, Iterable[str]]]) -> list[TopicSpec]:
    """Every domain topic, and a dead-letter topic per (consumer group, topic it reads).

    `consumers` are (service, logical topics it consumes) pairs; names get the platform's namespace.
    """
    specs = {platform.topic(f"coxswain.{s}"): domain_topic(platform, platform.topic(f"coxswain.{s}"))
             for s in SERVICES}
    for service, topics in consumers:
        for topic in topics:
            name = dead_letter_topic(platform.topic(topic), platform.group(service))
            specs[name] = dlq_topic(platform, name)
    return sorted(specs.values(), key=lambda s: s.name)


async def create_topics(platform: PlatformSettings, consumers: Iterable[tuple[str, Iterable[str]]]) -> list[str]:
    """Create what is missing (existing topics are left as they are); returns the names created."""
    return await ensure_topics(platform.kafka_bootstrap, planned_topics(platform, consumers))
