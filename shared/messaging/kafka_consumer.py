"""The Kafka consumer runner: batches, one transaction per batch, offsets committed after, and a supervisor.

Auto-commit stays off (aiokafka's timer would commit positions already handed out, losing events on a
crash). Offsets are committed only after the batch's transaction; a crash in between redelivers the
batch and the inbox makes it a no-op. On a rebalance the batch in hand is finished and committed before
the partitions go.

Supervision: every step that talks to the broker has a bound - `consumer.start()` (bootstrap, metadata,
group join: aiokafka waits for an assignment without limit, and a coordination error raised meanwhile is
parked until someone fetches, so a start begun during a long outage could wait forever), each fetch, each
offset commit - and whatever fails or times out is answered by a fresh consumer after a capped, jittered
backoff, without limit. A watchdog also replaces a consumer that makes no progress for `stall_seconds`
while records wait or while it is not a member of its group. So whatever the outage length, consumption
resumes on its own within a backoff (at most `max_backoff` seconds) of the broker's return.

Health, for /livez and the metrics (read them; the runner alone writes them):

- `last_progress`: `time.monotonic()` of the last progress - a batch applied, or a fetch that found this
  member in its group with nothing left to apply.
- `last_progress_age()`: seconds since then; `last_progress_unix()`: the same moment as a Unix timestamp
  (for a Prometheus gauge).
- `restarts`: consumers replaced so far (a failed or timed-out start, a fetch or commit error, a stall);
  also counted in `ServiceMetrics.consumer_restarts`.
- `state`: "starting", "consuming", "backing-off" or "stopped".
- `last_failure`: repr of the last failure that replaced a consumer (None until one does).
- `work_waits`: True when records are known to wait (lag measured above 0, a batch in hand, or the broker
  answered but the group would not take this member), False when caught up, None when it cannot tell
  (broker unreachable).
- `stuck`: no progress for `stall_seconds` while `work_waits` is True. A broker outage alone is not
  "stuck" (nothing can be known to wait, and restarting the process would not bring the broker back);
  records waiting behind a consumer that cannot apply them are.
- `await lag()`: records not yet applied on this member's partitions (-1 when it cannot tell).
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from shared.messaging.bounded import being_cancelled, stop_quietly, within
from shared.messaging.dispatch import EventDispatcher
from shared.messaging.records import IncomingRecord, Publisher, dead_letter_record
from shared.observability.metrics import ServiceMetrics

log = logging.getLogger("coxswain.consumer")


class ConsumerStalled(Exception):
    """The watchdog's verdict: this consumer makes no progress; replace it."""


class _FinishBatchOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka has no type hints
    def __init__(self, runner: KafkaConsumerRunner) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        # Wait for the batch in hand to finish and commit before another member takes its partitions.
        async with self._runner.batch_lock:
            self._runner.member = False

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self._runner.member = True  # also with no partitions: a group with more members than partitions
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
        max_records: int = 1000,
        max_partition_fetch_bytes: int = 4 * 1024 * 1024,
        fetch_max_bytes: int = 50 * 1024 * 1024,
        stall_seconds: float = 60.0,
        start_timeout_seconds: float = 30.0,
        session_timeout_ms: int = 10_000,
        heartbeat_interval_ms: int = 1_000,
        max_poll_interval_ms: int = 300_000,
        request_timeout_ms: int = 15_000,
        max_backoff: float = 5.0,
    ) -> None:
        self.bootstrap, self.group, self.topics = bootstrap, group, list(topics)
        self._dispatcher = dispatcher
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._max_records = max_records
        self._max_partition_fetch_bytes = max_partition_fetch_bytes
        self._fetch_max_bytes = fetch_max_bytes
        self.stall_seconds = stall_seconds
        self._start_timeout = start_timeout_seconds
        self._session_timeout_ms = session_timeout_ms
        self._heartbeat_interval_ms = heartbeat_interval_ms
        self._max_poll_interval_ms = max_poll_interval_ms
        self._request_timeout_ms = request_timeout_ms
        self._max_backoff = max_backoff
        self.batch_lock = asyncio.Lock()
        self.last_progress = time.monotonic()
        self.restarts = 0
        self._failures_in_a_row = 0
        self.state = "stopped"
        self.work_waits: bool | None = None
        self.last_failure: str | None = None
        self.member = False
        self._positions: dict[TopicPartition, int] = {}
        self._lag_checked_at = 0.0
        self.consumer: AIOKafkaConsumer | None = None

    # --- health -------------------------------------------------------------------------------------------
    def mark_progress(self) -> None:
        self.last_progress = time.monotonic()

    def last_progress_age(self) -> float:
        return time.monotonic() - self.last_progress

    def last_progress_unix(self) -> float:
        return time.time() - self.last_progress_age()

    @property
    def stuck(self) -> bool:
        return self.work_waits is True and self.last_progress_age() > self.stall_seconds

    async def lag(self) -> int:
        """Records not yet applied on this member's partitions (for readiness checks and tests)."""
        consumer = self.consumer
        if consumer is None:
            return 0
        lag = await self._lag_of(consumer)
        return -1 if lag is None else lag

    # --- supervision ----------------------------------------------------------------------------------------
    def _new_consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=self.group,
            client_id=f"coxswain-{self.group}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._max_records,
            max_partition_fetch_bytes=self._max_partition_fetch_bytes,
            fetch_max_bytes=self._fetch_max_bytes,
            session_timeout_ms=self._session_timeout_ms,
            heartbeat_interval_ms=self._heartbeat_interval_ms,
            max_poll_interval_ms=self._max_poll_interval_ms,
            request_timeout_ms=self._request_timeout_ms,
            metadata_max_age_ms=5000,
        )

    async def run(self) -> None:
        """Supervise without limit: a consumer that fails, times out or stalls is replaced after a backoff."""
        backoff = 0.5
        try:
            while True:
                started_at = time.monotonic()
                try:
                    await self._run_one()
                except asyncio.CancelledError as exc:
                    if being_cancelled():
                        raise  # the service is stopping
                    # aiokafka can raise CancelledError from a fetch or a commit whose internal future it
                    # cancelled itself; taken for our own cancel, it used to end this loop - silently, for good.
                    self._note_failure(exc)
                except Exception as exc:  # KafkaError, TimeoutError, ConsumerStalled, anything unforeseen
                    self._note_failure(exc)
                if self.last_progress > started_at:
                    backoff, self._failures_in_a_row = 0.5, 0  # that one did work: start the next promptly
                self.restarts += 1
                self._metrics.consumer_restarts.inc()
                self.state = "backing-off"
                await asyncio.sleep(backoff * random.uniform(0.5, 1.0))
                backoff = min(backoff * 2, self._max_backoff)
        finally:
            self.state = "stopped"

    def _note_failure(self, exc: BaseException) -> None:
        """One line when a streak of failures begins, then one every 20 (an outage is not 20,000 lines)."""
        self._failures_in_a_row += 1
        self.last_failure = repr(exc)
        if self._failures_in_a_row == 1 or self._failures_in_a_row % 20 == 0:
            log.warning("consumer %s replaced (%d in a row without progress): %r", self.group,
                        self._failures_in_a_row, exc)

    async def _run_one(self) -> None:
        consumer = self._new_consumer()
        consumer.subscribe(self.topics, listener=_FinishBatchOnRevoke(self))
        self.consumer, self._positions, self.member = consumer, {}, False
        self.state = "starting"
        try:
            try:
                await within(self._start_timeout, consumer.start(), "start (bootstrap, metadata, group join)")
            except TimeoutError:
                # Bootstrap answers quickly or fails quickly; what hangs is the group join: the broker is
                # there but will not take this member, so the records behind it wait.
                self.work_waits = True
                raise
            self.state = "consuming"
            self.mark_progress()
            await self._consume_until_stalled(consumer)
        finally:
            self.member = False
            await stop_quietly(consumer, timeout=self._start_timeout)

    async def _consume_until_stalled(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            if self.last_progress_age() >= self.stall_seconds:
                raise ConsumerStalled(f"no progress for {self.stall_seconds:.0f}s "
                                      f"({'a member' if self.member else 'not a member'} of its group)")
            # A fetch that never returns is a stall too.
            batch = await within(self.stall_seconds, consumer.getmany(timeout_ms=200, max_records=self._max_records),
                                  "a fetch")
            if batch:
                await self.handle_batch(consumer, batch)
            elif await self._caught_up(consumer):
                self.mark_progress()

    async def _caught_up(self, consumer: AIOKafkaConsumer) -> bool:
        """A member of its group with nothing left to apply (asked of the broker at most once a second)."""
        now = time.monotonic()
        if now - self._lag_checked_at < 1.0:
            return self.work_waits is False and self.member
        self._lag_checked_at = now
        lag = await self._lag_of(consumer)
        self.work_waits = None if lag is None else lag > 0
        return lag == 0 and self.member

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

    # --- one batch ------------------------------------------------------------------------------------------
    async def handle_batch(self, consumer: AIOKafkaConsumer, batch: dict[TopicPartition, list[Any]]) -> None:
        """All partitions' records in one transaction, then one offset commit for all of them."""
        async with self.batch_lock:
            self.work_waits = True
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
        """Bounded: aiokafka retries a commit until the coordinator is back, which may be never for this
        consumer. A commit that times out raises to the supervisor; the batch is redelivered to whoever
        owns the partitions next and the inbox makes it a no-op."""
        try:
            await within(self._start_timeout, consumer.commit(offsets), "an offset commit")
        except (CommitFailedError, IllegalStateError) as exc:
            # The group moved on; whoever owns the partition now redelivers, and the inbox dedupes.
            log.warning("offset commit refused after rebalance: %r", exc)


def _incoming(tp: TopicPartition, record: Any) -> IncomingRecord:
    return IncomingRecord(topic=tp.topic, partition=tp.partition, offset=record.offset,
                          key=record.key.decode() if record.key else None, value=record.value,
                          headers=list(record.headers or []))
