"""Liveness, readiness and the backlog gauges of one service, from what its runtime exposes.

- live: no worker is stuck (shared.observability.progress); a broker or database outage is not "stuck".
- ready: this process can serve its API, i.e. its database answers. The broker's state is reported, not
  required: during a broker outage writes still succeed into the outbox, and taking every replica out of
  service would turn a messaging outage into a full one.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text

from shared.db.plumbing import idempotency_keys
from shared.observability.offsets import EmbeddedOffsets, KafkaOffsets
from shared.observability.progress import GroupProgress, Progress, RelayProgress, StallWatch

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime

log = logging.getLogger("coxswain.health")


class ServiceHealth:
    def __init__(self, runtime: ServiceRuntime, *, watch: StallWatch, group: GroupProgress | None,
                 offsets: Any = None, ping_timeout: float = 3.0) -> None:
        self.runtime, self.watch, self.group = runtime, watch, group
        self._offsets, self._ping_timeout = offsets, ping_timeout

    @classmethod
    def of(cls, runtime: ServiceRuntime, *, watch_consumer: bool = True,
           stuck_after: float | None = None) -> ServiceHealth:
        """`watch_consumer`: whether this process runs the service's consumer (an API-only process does not)."""
        platform = runtime.settings.platform
        workers: list[Progress] = [RelayProgress(runtime.relay)]
        group, offsets = None, None
        if runtime.spec.consumes:
            offsets = _offsets_reader(runtime)
            group = GroupProgress(f"consumer:{runtime.group}", offsets, clock=runtime.clock)
            if watch_consumer:
                workers.append(group)
        watch = StallWatch(workers, clock=runtime.clock,
                           stuck_after=stuck_after if stuck_after is not None else platform.liveness_stuck_seconds)
        return cls(runtime, watch=watch, group=group, offsets=offsets)

    async def database_up(self) -> bool:
        return await self._answers(self._select_one)

    async def broker_up(self) -> bool:
        return await self._answers(self.runtime.publisher.ping)

    async def liveness(self) -> tuple[bool, dict[str, Any]]:
        database = await self.database_up()
        verdicts = await self.watch.stuck(dependencies_up=database)
        for worker, stuck in verdicts.items():
            self.runtime.metrics.stuck.labels(worker=worker).set(int(stuck))
        stuck_workers = sorted(w for w, s in verdicts.items() if s)
        for worker in stuck_workers:
            log.error("%s has had work waiting with no progress for over %.0f s", worker, self.watch.stuck_after)
        return not stuck_workers, {"status": "stuck" if stuck_workers else "alive", "stuck": stuck_workers,
                                   "stuck_after_seconds": self.watch.stuck_after}

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        database, broker = await asyncio.gather(self.database_up(), self.broker_up())
        self.runtime.metrics.up.labels(dependency="database").set(int(database))
        self.runtime.metrics.up.labels(dependency="bus").set(int(broker))
        return database, {"status": "ready" if database else "not ready",
                          "checks": {"database": database, "bus": broker}}

    async def refresh_metrics(self) -> None:
        """Reads the backlogs into their gauges just before a scrape renders them."""
        metrics, now = self.runtime.metrics, self.runtime.clock.now()
        try:
            depth, oldest = await self.runtime.relay.backlog()
            metrics.outbox_depth.set(depth)
            metrics.outbox_oldest_age.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
            waiting, started = await self._keys_in_progress()
            metrics.idempotency_in_progress.set(waiting)
            metrics.idempotency_oldest_age.set(max(0.0, (now - started).total_seconds()) if started else 0.0)
        except Exception as exc:  # the database is away: the scrape still answers, /readyz says why
            log.warning("metrics: cannot read the backlogs: %r", exc)
        await self.readiness()  # coxswain_dependency_up, for alerts on a broker or database away
        await self.liveness()
        if self.group is not None and self.group not in self.watch.workers:
            await self.group.has_waiting_work()  # not judged here, but its lag is still worth a gauge
        if self.group is not None:
            moved = self.group.last_progress()
            if moved is not None:
                metrics.consumer_last_progress.labels(group=self.runtime.group).set(moved.timestamp())
            for (topic, partition), (_, lag) in self.group.offsets.items():
                metrics.consumer_lag.labels(group=self.runtime.group, topic=topic, partition=str(partition)).set(lag)

    async def _keys_in_progress(self) -> tuple[int, Any]:
        async with self.runtime.sessions() as session:
            stmt = select(func.count(), func.min(idempotency_keys.c.created_at)).where(
                idempotency_keys.c.status_code.is_(None))
            count, oldest = (await session.execute(stmt)).one()
            return int(count), oldest

    async def _select_one(self) -> bool:
        async with self.runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    async def _answers(self, check: Callable[[], Awaitable[bool]]) -> bool:
        try:
            async with asyncio.timeout(self._ping_timeout):
                return await check()
        except Exception as exc:
            log.warning("health check %s failed: %r", getattr(check, "__name__", check), exc)
            return False

    async def close(self) -> None:
        if isinstance(self._offsets, KafkaOffsets):
            await self._offsets.close()


def _offsets_reader(runtime: ServiceRuntime) -> Callable[[], Awaitable[Any]]:
    if runtime.bus is not None:
        return EmbeddedOffsets(runtime.bus, runtime.group, runtime.topics)
    consumer = runtime.consumer

    def assignment() -> set[Any]:
        current = getattr(consumer, "consumer", None)
        return set(current.assignment()) if current is not None else set()

    return KafkaOffsets(runtime.settings.platform.kafka_bootstrap, runtime.group, runtime.topics, assignment)
