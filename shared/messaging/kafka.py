"""Apache Kafka transport: an idempotent acks=all publisher, topic set-up, and the consumer runner."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.messaging.records import OutgoingRecord

log = logging.getLogger("coxswain.kafka")


class KafkaPublisher:
    """Publishes a batch and returns only when every record is acknowledged by all in-sync replicas."""

    def __init__(self, bootstrap: str, *, client_id: str, request_timeout_ms: int = 15000) -> None:
        self._bootstrap = bootstrap
        self._client_id = client_id
        self._timeout = request_timeout_ms
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
                linger_ms=2,
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
        async with self._lock:
            producer = await self._ready_producer()
            try:
                futures = [
                    await producer.send(r.topic, value=r.value, key=r.key.encode(), headers=r.headers)
                    for r in records
                ]
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


async def ensure_topics(bootstrap: str, topics: Sequence[str], *, partitions: int = 3) -> None:
    """Create the topics a service reads and writes (harmless when they exist)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()
