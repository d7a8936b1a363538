"""Bounds for aiokafka steps that hold even when aiokafka swallows a cancellation or raises its own.

Some of aiokafka's internals suppress CancelledError (which defeats `asyncio.timeout`: it cancels once and
waits for the CancelledError to come back), and some raise CancelledError for a future they cancelled
themselves (which a caller takes for its own cancellation). `within` runs a step as its own task and
abandons one that overstays; `being_cancelled` tells the caller's own cancel from aiokafka's.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer

log = logging.getLogger("coxswain.consumer")
T = TypeVar("T")


class StepCancelled(Exception):
    """A step was cancelled from inside aiokafka, not by its caller."""


async def stop_quietly(consumer: AIOKafkaConsumer, *, timeout: float) -> None:
    """Stop within a bound (aiokafka's stop can wait for a coordinator that is not there); if it does not
    finish, cancel what it left running so no orphaned task keeps reconnecting."""
    try:
        await within(timeout, consumer.stop(), "stop")
        return
    except Exception as exc:
        log.warning("consumer stop failed: %r", exc)
    coordinator, fetcher, client = (getattr(consumer, name, None) for name in ("_coordinator", "_fetcher", "_client"))
    for owner, name in ((coordinator, "_coordination_task"), (coordinator, "_heartbeat_task"),
                        (coordinator, "_commit_refresh_task"), (fetcher, "_fetch_task"), (client, "_sync_task")):
        task = getattr(owner, name, None)
        if isinstance(task, asyncio.Task) and not task.done():
            task.cancel()
    if client is not None:
        with contextlib.suppress(Exception):
            await within(5, client.close(), "closing the client")


async def within(seconds: float, step: Coroutine[Any, Any, T], what: str) -> T:
    """Run one aiokafka step with a bound that holds even if the step swallows its cancellation (some of
    aiokafka's internals suppress CancelledError, which defeats `asyncio.timeout`): the step runs as its own
    task, and one that overstays is cancelled and abandoned rather than awaited."""
    task = asyncio.ensure_future(step)
    task.add_done_callback(_retrieve)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if not done:
        task.cancel()
        raise TimeoutError(f"{what} took over {seconds:.0f}s")
    if task.cancelled():
        raise StepCancelled(f"{what} was cancelled inside aiokafka")
    return task.result()


def being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _retrieve(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # an abandoned step's failure is expected; do not log it as never retrieved
