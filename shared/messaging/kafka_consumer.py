"""The Kafka consumer runner: batches, one transaction per event, offsets committed after, a watchdog.

Auto-commit stays off (aiokafka's timer would commit positions already handed out, losing events on a
crash). Offsets are committed only after each event's transaction; a crash in between redelivers the
event and the inbox makes it a no-op. On a rebalance the batch in hand is finished and committed before
the partitions go. A watchdog restarts a consumer that has lag but makes no progress (aiokafka can stall
after a broker restart or rejoin).
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from shared.messaging.dispatch import EventDispatcher
from shared.messaging.records import IncomingRecord, Publisher, dead_letter_record
from shared.observability.metrics import ServiceMetrics

log = logging.getLogger("coxswain.consumer")


class _FinishBatchOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runner: KafkaConsumerRunner) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        # Wait for the batch in hand to finish and commit before another member takes its partitions.
        async with self._runner.batch_lock:
            pass

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self._runner.mark_progress()


class KafkaConsumerRunner:
    def __init__(
        self,
        *,
        bootstrap: str,
        group: str,
        topics: Sequence[str],
        dispatcher: EventDispatcher,
        dead_letters: Publisher,
        metrics: ServiceMetrics,
        max_records: int = 500,
        stall_seconds: float = 60.0,
    ) -> None:
        self.bootstrap, self.group, self.topics = bootstrap, group, list(topics)
        self._dispatcher = dispatcher
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._max_records = max_records
        self._stall_seconds = stall_seconds
        self.batch_lock = asyncio.Lock()
        self._last_progress = time.monotonic()
        self._positions: dict[TopicPartition, int] = {}
        self._lag_checked_at, self._lag_seen = 0.0, False
        self.consumer: AIOKafkaConsumer | None = None

    def mark_progress(self) -> None:
        self._last_progress = time.monotonic()

    def _new_consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=self.group,
            client_id=f"coxswain-{self.group}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._max_records,
            session_timeout_ms=10000,
            heartbeat_interval_ms=1000,
            metadata_max_age_ms=5000,
        )

    async def run(self) -> None:
        """Supervise: (re)start the consumer whenever it fails or the watchdog finds it stalled."""
        backoff = 0.5
        while True:
            consumer = self._new_consumer()
            consumer.subscribe(self.topics, listener=_FinishBatchOnRevoke(self))
            self.consumer, self._positions = consumer, {}
            try:
                await consumer.start()
                self.mark_progress()
                await self._consume_until_stalled(consumer)
                self._metrics.consumer_restarts.inc()
                log.warning("consumer %s stalled for %.0fs; restarting it", self.group, self._stall_seconds)
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer %s failed (%r); restarting in %.1fs", self.group, exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
            finally:
                await self._stop_quietly(consumer)

    async def _consume_until_stalled(self, consumer: AIOKafkaConsumer) -> None:
        while time.monotonic() - self._last_progress < self._stall_seconds:
            try:  # a fetch that never returns is a stall too
                async with asyncio.timeout(self._stall_seconds):
                    batch = await consumer.getmany(timeout_ms=200, max_records=self._max_records)
            except TimeoutError:
                return
            if batch:
                await self.handle_batch(consumer, batch)
            elif not await self._has_lag(consumer):
                self.mark_progress()

    async def _has_lag(self, consumer: AIOKafkaConsumer) -> bool:
        """Records wait on an assigned partition (asked of the broker at most once a second)."""
        now = time.monotonic()
        if now - self._lag_checked_at < 1.0:
            return self._lag_seen
        self._lag_checked_at = now
        self._lag_seen = await self._lag_of(consumer) != 0
        return self._lag_seen

    async def _lag_of(self, consumer: AIOKafkaConsumer) -> int | None:
        assignment = list(consumer.assignment())
        if not assignment:
            return 0
        try:
            async with asyncio.timeout(5):
                ends = await consumer.end_offsets(assignment)
            lag = 0
            for tp in assignment:
                done = self._positions.get(tp)
                if done is None:
                    async with asyncio.timeout(5):
                        done = await consumer.committed(tp) or 0
                lag += max(0, ends[tp] - done)
            return lag
        except (KafkaError, TimeoutError):
            return None  # cannot tell: not progress

    async def handle_batch(self, consumer: AIOKafkaConsumer, batch: dict[TopicPartition, list[Any]]) -> None:
        """All partitions' records in one transaction, then one offset commit for all of them."""
        async with self.batch_lock:
            owned = {tp: records for tp, records in batch.items() if tp in consumer.assignment()}
            incoming = [_incoming(tp, r) for tp, records in owned.items() for r in records]
            outcomes = await self._dispatcher.dispatch_many([r.value for r in incoming])
            for record, outcome in zip(incoming, outcomes, strict=True):
                if outcome.kind == "dead_letter":
                    await self._dead_letter(record, outcome.reason)
            for tp, records in owned.items():
                self._positions[tp] = records[-1].offset + 1
            self.mark_progress()
            if owned:
                await self.commit_offsets(consumer, {tp: self._positions[tp] for tp in owned})

    async def _dead_letter(self, record: IncomingRecord, reason: str) -> None:
        log.error("dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason)
        backoff = 0.2
        while True:  # the offset must not move past a record until its dead letter is safely written
            try:
                await self._dead_letters.publish([dead_letter_record(record, group=self.group, reason=reason)])
                self._metrics.events_dead_lettered.labels(topic=record.topic).inc()
                return
            except KafkaError as exc:
                log.warning("dead-letter publish failed, retrying: %r", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def commit_offsets(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:
            # The group moved on; whoever owns the partition now redelivers, and the inbox dedupes.
            log.warning("offset commit refused after rebalance: %r", exc)

    async def lag(self) -> int:
        """Records not yet applied on this member's partitions (for readiness checks and tests)."""
        consumer = self.consumer
        if consumer is None:
            return 0
        lag = await self._lag_of(consumer)
        return -1 if lag is None else lag

    @staticmethod
    async def _stop_quietly(consumer: AIOKafkaConsumer) -> None:
        try:
            async with asyncio.timeout(15):
                await consumer.stop()
        except Exception as exc:
            log.warning("consumer stop failed: %r", exc)


def _incoming(tp: TopicPartition, record: Any) -> IncomingRecord:
    return IncomingRecord(topic=tp.topic, partition=tp.partition, offset=record.offset,
                          key=record.key.decode() if record.key else None, value=record.value,
                          headers=list(record.headers or []))
