"""Apache Kafka transport: an idempotent acks=all publisher, topic set-up, and the consumer runner."""
from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import MessageSizeTooLargeError, TopicAlreadyExistsError, for_code
from aiokafka.partitioner import DefaultPartitioner

from shared.messaging.records import OutgoingRecord

log = logging.getLogger("coxswain.kafka")


class KafkaPublisher:
    """Publishes a batch and returns only when every record is acknowledged by all in-sync replicas."""

    def __init__(self, bootstrap: str, *, client_id: str, request_timeout_ms: int = 15000, linger_ms: int = 2,
                 max_batch_bytes: int = 512 * 1024) -> None:
        self._bootstrap = bootstrap
        self._client_id = client_id
        self._timeout = request_timeout_ms
        self._linger_ms = linger_ms
        self._max_batch_bytes = max_batch_bytes
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Connection is lazy: a broker that is down at start-up must not stop the service starting."""

    async def _ready_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap,
                client_id=self._client_id,
                enable_idempotence=True,
                acks="all",
                linger_ms=self._linger_ms,
                max_batch_size=self._max_batch_bytes,
                request_timeout_ms=self._timeout,
            )
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        """The records go out as record batches built here, one run per partition in the order given (so per
        key in order: a key always maps to the partition aiokafka's default partitioner gives it), and the
        acknowledgements are awaited together: no future and no coroutine per record."""
        async with self._lock:
            producer = await self._ready_producer()
            try:
                futures = []
                for (topic, partition), run in (await _by_partition(producer, records)).items():
                    batch = producer.create_batch()
                    for record in run:
                        if batch.append(key=record.key.encode(), value=record.value, timestamp=None,
                                        headers=record.headers) is None:
                            futures.append(await producer.send_batch(batch, topic, partition=partition))
                            batch = producer.create_batch()
                            if batch.append(key=record.key.encode(), value=record.value, timestamp=None,
                                            headers=record.headers) is None:
                                raise MessageSizeTooLargeError(f"a record of {len(record.value)} bytes for "
                                                               f"{topic} does not fit in a record batch")
                    futures.append(await producer.send_batch(batch, topic, partition=partition))
                await asyncio.gather(*futures)
            except BaseException:
                # A failed producer may hold half-sent batches; start afresh next time.
                self._producer = None
                await producer.stop()
                raise

    async def ping(self) -> bool:
        """Readiness: the broker answers a metadata request within a few seconds."""
        try:
            async with asyncio.timeout(5):
                return await self._metadata_answers()
        except Exception:
            return False

    async def _metadata_answers(self) -> bool:
        producer = await self._ready_producer()
        return bool(await producer.client.fetch_all_metadata())

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None


_PARTITIONER = DefaultPartitioner()


@functools.lru_cache(maxsize=65_536)
def _partition_of(key: bytes, partitions: tuple[int, ...]) -> int:
    """The partition aiokafka's default partitioner (murmur2, as the Java client) gives a key; its hash is
    pure Python, and keys (aggregate ids) repeat, so it is remembered."""
    return int(_PARTITIONER(key, list(partitions), list(partitions)))


async def _by_partition(producer: AIOKafkaProducer,
                        records: Sequence[OutgoingRecord]) -> dict[tuple[str, int], list[OutgoingRecord]]:
    partitions: dict[str, tuple[int, ...]] = {}
    runs: dict[tuple[str, int], list[OutgoingRecord]] = {}
    for record in records:
        known = partitions.get(record.topic)
        if known is None:
            known = partitions[record.topic] = tuple(sorted(await producer.partitions_for(record.topic)))
        runs.setdefault((record.topic, _partition_of(record.key.encode(), known)), []).append(record)
    return runs


@dataclass(frozen=True)
class TopicSpec:
    """A topic as the project creates it: partitions, replicas and its topic-level configs."""

    name: str
    partitions: int = 3
    replication_factor: int = 1
    config: Mapping[str, str] = field(default_factory=dict)


async def ensure_topics(bootstrap: str, topics: Sequence[str | TopicSpec], *, partitions: int = 3) -> list[str]:
    """Create the topics that do not exist yet (harmless when they do); returns the names created.

    A bare name gets `partitions` and the broker's defaults (tests); the project passes TopicSpecs.
    """
    specs = [t if isinstance(t, TopicSpec) else TopicSpec(t, partitions) for t in topics]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if missing:
            response = await admin.create_topics([
                NewTopic(s.name, num_partitions=s.partitions, replication_factor=s.replication_factor,
                         topic_configs=dict(s.config)) for s in missing])
            _raise_topic_errors(response)
        return [s.name for s in missing]
    finally:
        await admin.close()


def _raise_topic_errors(response: Any) -> None:
    """CreateTopics answers per topic; aiokafka does not raise, so a refused topic would pass unseen."""
    for topic, code, *message in response.topic_errors:
        error = for_code(code)
        if code and error is not TopicAlreadyExistsError:
            raise error(f"creating topic {topic}: {message[0] if message else ''}")


async def topic_configs(bootstrap: str, topics: Sequence[str]) -> dict[str, dict[str, str]]:
    """The effective configs of each topic, as the broker reports them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t) for t in topics])
    finally:
        await admin.close()
    found: dict[str, dict[str, str]] = {}
    for response in responses:
        for _code, _message, _kind, name, entries in response.resources:
            found[name] = {entry[0]: entry[1] for entry in entries}
    return found
