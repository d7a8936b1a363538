"""Is a worker stuck? Work waits and the worker does not move it.

Each worker that moves work (the outbox relay, a consumer) is seen through `Progress`: when it last moved,
and whether work waits for it. `StallWatch` calls a worker stuck when work has waited longer than
`stuck_after` with no progress. "Cannot tell" (the broker is away, so no lag can be read) and "a dependency
is down" (the database) never count as stuck: a restart would not bring them back, and the alerts on lag and
outbox age say so instead. /livez fails on a stuck worker so that an orchestrator restarts the process.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol

from shared.clock import Clock

log = logging.getLogger("coxswain.health")

Offsets = dict[tuple[str, int], tuple[int, int]]  # (topic, partition) -> (position, records waiting)


class Progress(Protocol):
    name: str

    def last_progress(self) -> datetime | None:
        """When the worker last moved work or found none (aware UTC), None before it ever did."""

    async def has_waiting_work(self) -> bool | None:
        """Whether records or rows wait for this worker; None when that cannot be told now."""


class StallWatch:
    def __init__(self, workers: Sequence[Progress], *, clock: Clock, stuck_after: float,
                 check_timeout: float = 5.0) -> None:
        self.workers, self._clock = list(workers), clock
        self.stuck_after, self._timeout = stuck_after, check_timeout
        self._waiting_since: dict[str, datetime] = {}

    async def stuck(self, *, dependencies_up: bool = True) -> dict[str, bool]:
        """Each worker's verdict. The clock of a stall starts when work is first seen waiting, so a worker
        that was idle, or blocked by an outage that just ended, gets `stuck_after` seconds to catch up."""
        verdicts: dict[str, bool] = {}
        for worker in self.workers:
            waiting = await self._waiting(worker)
            now = self._clock.now()
            if not waiting or not dependencies_up:
                self._waiting_since.pop(worker.name, None)
                verdicts[worker.name] = False
                continue
            since = self._waiting_since.setdefault(worker.name, now)
            moved = worker.last_progress()
            quiet_since = max(since, moved) if moved is not None else since
            verdicts[worker.name] = (now - quiet_since).total_seconds() > self.stuck_after
        return verdicts

    async def _waiting(self, worker: Progress) -> bool | None:
        try:
            async with asyncio.timeout(self._timeout):
                return await worker.has_waiting_work()
        except Exception as exc:  # a check that fails or hangs tells nothing about the worker
            log.warning("could not tell whether work waits for %s: %r", worker.name, exc)
            return None


class RelayLike(Protocol):
    running: bool
    last_attempt: datetime | None

    async def pending(self) -> int: ...


class RelayProgress:
    """The relay moves when an attempt finishes, published or not: with the broker away it keeps trying,
    which a restart would not improve; an attempt that never returns is what makes it stuck."""

    name = "relay"

    def __init__(self, relay: RelayLike) -> None:
        self._relay = relay

    def last_progress(self) -> datetime | None:
        return self._relay.last_attempt

    async def has_waiting_work(self) -> bool | None:
        if not self._relay.running:
            return None  # not started here (an API-only process, a test): nobody to restart
        return await self._relay.pending() > 0


class GroupProgress:
    """A consumer group seen from outside, as lag monitors do: it progresses when its position moves or it
    has caught up. Needs nothing from the runner, so it also sees a runner hung before it ever joined."""

    def __init__(self, name: str, read_offsets: Callable[[], Awaitable[Offsets | None]], *, clock: Clock) -> None:
        self.name, self._read, self._clock = name, read_offsets, clock
        self._positions: dict[tuple[str, int], int] | None = None
        self._moved: datetime | None = None
        self.offsets: Offsets = {}

    def last_progress(self) -> datetime | None:
        return self._moved

    async def has_waiting_work(self) -> bool | None:
        offsets = await self._read()
        if offsets is None:
            return None
        positions = {tp: position for tp, (position, _) in offsets.items()}
        waiting = any(lag > 0 for _, lag in offsets.values())
        if not waiting or positions != self._positions:
            self._moved = self._clock.now()
        self._positions, self.offsets = positions, offsets
        return waiting
