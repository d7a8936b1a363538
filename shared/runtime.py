"""A service's running parts, wired once in its composition root: database, bus, relay, consumer."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, text

from shared.clock import Clock, SystemClock
from shared.db.engine import SessionTimeouts, make_engine, make_session_factory
from shared.db.migrate import upgrade_to_head
from shared.db.uow import UnitOfWork
from shared.messaging.dispatch import EventDispatcher, Handler
from shared.messaging.embedded import EmbeddedBus, EmbeddedConsumerRunner, EmbeddedPublisher
from shared.messaging.kafka import KafkaPublisher
from shared.messaging.kafka_consumer import KafkaConsumerRunner
from shared.messaging.records import Publisher
from shared.messaging.relay import OutboxRelay
from shared.observability.metrics import ServiceMetrics
from shared.operations.retention import keep_tables_bounded
from shared.operations.topics import create_topics
from shared.settings import ServiceSettings
from shared.webhooks_out.delivery import WebhookDelivery
from shared.webhooks_out.policy import WebhookPolicy

log = logging.getLogger("coxswain.runtime")


@dataclass(frozen=True)
class ServiceSpec:
    """What a service declares about itself; the runtime does the rest the same way for all five."""

    name: str
    metadata: MetaData
    handlers: Mapping[str, Handler]
    consumes: tuple[str, ...]  # topics
    migrations_dir: Path
    # Long-running jobs of the service (an SLA sweeper, a snapshot schedule): each gets the runtime.
    workers: tuple[Callable[[ServiceRuntime], Coroutine[Any, Any, None]], ...] = ()
    # Tables `coxswain rebuild` replays from the event log; every other table is source of truth, kept as is.
    projections: tuple[str, ...] = ()


async def deliver_webhooks(runtime: ServiceRuntime) -> None:
    """Every service sends its own events to the webhook subscriptions in its database (shared.webhooks_out)."""
    await runtime.webhooks.run()


class ServiceRuntime:
    def __init__(self, spec: ServiceSpec, settings: ServiceSettings, *, clock: Clock | None = None,
                 embedded_bus: EmbeddedBus | None = None) -> None:
        self.spec, self.settings = spec, settings
        self.clock = clock or SystemClock()
        self.metrics = ServiceMetrics(spec.name)
        self.engine = make_engine(settings.db_url, timeouts=SessionTimeouts(
            statement_ms=settings.platform.db_statement_timeout_ms, lock_ms=settings.platform.db_lock_timeout_ms,
            idle_in_transaction_ms=settings.platform.db_idle_in_transaction_timeout_ms))
        self.sessions = make_session_factory(self.engine)
        platform = settings.platform
        self.bus: EmbeddedBus | None = None
        self.publisher: Publisher
        if platform.bus == "kafka":
            self.publisher = KafkaPublisher(platform.kafka_bootstrap, client_id=f"coxswain-{spec.name}",
                                            linger_ms=platform.kafka_producer_linger_ms,
                                            max_batch_bytes=platform.kafka_producer_max_batch_bytes)
        else:
            self.bus = embedded_bus or EmbeddedBus(platform.embedded_bus_url, clock=self.clock)
            self.publisher = EmbeddedPublisher(self.bus)
        self.group = platform.group(spec.name)
        self.topics = tuple(platform.topic(t) for t in spec.consumes)
        self.relay = OutboxRelay(self.sessions, self.publisher, clock=self.clock, metrics=self.metrics,
                                 topic_prefix=platform.topic(""), batch_size=platform.relay_batch_size)
        self.webhooks = WebhookDelivery(self.sessions, clock=self.clock, policy=WebhookPolicy())
        self.dispatcher = EventDispatcher(self.group, spec.handlers, self.uow, metrics=self.metrics)
        self.consumer = self._consumer()
        self._tasks: list[asyncio.Task[None]] = []
        self._topics_ready = asyncio.Event()

    def _consumer(self) -> KafkaConsumerRunner | EmbeddedConsumerRunner:
        platform = self.settings.platform
        if self.bus is None:
            return KafkaConsumerRunner(bootstrap=platform.kafka_bootstrap, group=self.group, topics=self.topics,
                                       dispatcher=self.dispatcher,
                                       dead_letters=self.publisher, metrics=self.metrics,
                                       stall_seconds=platform.consumer_stall_seconds,
                                       start_timeout_seconds=platform.consumer_start_timeout_seconds,
                                       session_timeout_ms=platform.kafka_session_timeout_ms,
                                       heartbeat_interval_ms=platform.kafka_heartbeat_interval_ms,
                                       max_poll_interval_ms=platform.kafka_max_poll_interval_ms,
                                       request_timeout_ms=platform.kafka_request_timeout_ms,
                                       max_records=platform.kafka_consumer_max_records,
                                       max_partition_fetch_bytes=platform.kafka_consumer_max_partition_fetch_bytes,
                                       fetch_max_bytes=platform.kafka_consumer_fetch_max_bytes)
        return EmbeddedConsumerRunner(bus=self.bus, group=self.group, topics=self.topics,
                                      dispatcher=self.dispatcher, metrics=self.metrics)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, service=self.spec.name, clock=self.clock, on_commit=self._committed,
                          webhook_policy=self.webhooks.policy)

    def _committed(self) -> None:
        """Events were committed: the relay and the webhook worker take them without waiting for a poll."""
        self.relay.wake()
        self.webhooks.wake()

    async def migrate(self) -> None:
        await upgrade_to_head(self.spec.migrations_dir, self.settings.db_url, self.spec.name)

    async def start(self, *, relay: bool = True, consumer: bool = True, workers: bool = True) -> None:
        if self.settings.migrate_on_start:
            await self.migrate()
        await self.publisher.start()
        if self.bus is not None or not (relay or consumer) or await self._ensure_topics():
            self._topics_ready.set()
        else:
            self._tasks.append(asyncio.create_task(self._ensure_topics_until_done(), name=f"{self.spec.name}-topics"))
        if relay:
            self._tasks.append(asyncio.create_task(self._once_topics_exist(self.relay.run),
                                                   name=f"{self.spec.name}-relay"))
        if consumer and self.spec.consumes:
            self._tasks.append(asyncio.create_task(self._once_topics_exist(self.consumer.run),
                                                   name=f"{self.spec.name}-consumer"))
        for worker in (*self.spec.workers, keep_tables_bounded, deliver_webhooks) if workers else ():
            self._tasks.append(asyncio.create_task(worker(self), name=f"{self.spec.name}-{worker.__name__}"))

    async def _ensure_topics(self) -> bool:
        try:
            await create_topics(self.settings.platform, [(self.spec.name, self.spec.consumes)])
            return True
        except Exception as exc:  # the broker may be down; the service starts all the same
            log.warning("could not ensure topics now (%r); relay and consumer wait for them", exc)
            return False

    async def _ensure_topics_until_done(self) -> None:
        backoff = 1.0
        while not await self._ensure_topics():
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
        self._topics_ready.set()

    async def _once_topics_exist(self, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Publishing or subscribing first would let the broker auto-create a topic with its own defaults
        (a 7-day retention on the log a rebuild replays)."""
        await self._topics_ready.wait()
        await run()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            _, stuck = await asyncio.wait(self._tasks, timeout=30)
            for task in stuck:  # never hang a shutdown on a task that ignores its cancel
                log.error("task %s did not stop within 30 s", task.get_name())
        for task in self._tasks:
            if task.done() and not task.cancelled():
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    task.result()
        self._tasks.clear()
        await self.publisher.stop()
        await self.engine.dispose()

    async def readiness(self) -> dict[str, bool]:
        checks = {"database": False, "bus": False}
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = True
        except Exception as exc:
            log.warning("readiness: database unreachable: %r", exc)
        checks["bus"] = await self.publisher.ping()
        return checks
