"""Test helpers every service's tests use: tokens, event builders, waiting for asynchronous effects."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel

from shared.events import CloudEvent, encode_event, new_event
from shared.events.registry import REGISTRY
from shared.http.auth import issue_token
from shared.settings import DEV_SECRET

T = TypeVar("T")


def auth_headers(*roles: str, rep_id: str | None = None, team_ids: list[str] | None = None,
                 secret: str = DEV_SECRET) -> dict[str, str]:
    token = issue_token(secret, sub=f"test-{'-'.join(roles)}", roles=list(roles), rep_id=rep_id,
                        team_ids=team_ids, now=datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


def build_event(event_type: str, data: BaseModel, *, subject: str, sequence: int = 1,
                time: datetime | None = None) -> CloudEvent:
    return new_event(type=event_type, source_service=REGISTRY[event_type].producer, subject=subject, data=data,
                     time=time or datetime.now(UTC), sequence=sequence)


def event_bytes(event: CloudEvent) -> bytes:
    return encode_event(event)


async def eventually(probe: Callable[[], Awaitable[T]], *, until: Callable[[T], bool] = bool,
                     timeout: float = 60.0, interval: float = 0.1) -> T:
    """Poll an asynchronous effect until it holds; the timeout only bounds a broken run, it asserts no speed."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if until(value):
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition never held; last value: {value!r}")
        await asyncio.sleep(interval)
